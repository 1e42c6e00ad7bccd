//! Feature extraction: what a task's text (and what the caller knows about it) says about its
//! scope, risk, ambiguity, kind of work and size. Extraction only observes; `score` weighs.

use serde::{Deserialize, Serialize};

pub use crate::records::routing::Feature;

use super::detect;
use super::lexicon::CUES;
use super::text::Text;

impl Feature {
    /// Every feature, in explanation order.
    pub const ALL: [Feature; 30] = [
        Feature::SingleTarget,
        Feature::ManyParts,
        Feature::WholeSystem,
        Feature::LargeMigration,
        Feature::Security,
        Feature::Auth,
        Feature::Payments,
        Feature::Production,
        Feature::Compliance,
        Feature::Irreversible,
        Feature::Concurrency,
        Feature::OpenQuestion,
        Feature::UnknownCause,
        Feature::TradeOff,
        Feature::Constraints,
        Feature::ExactSpec,
        Feature::SmallEdit,
        Feature::Snippet,
        Feature::ValueChange,
        Feature::Build,
        Feature::BugFix,
        Feature::Design,
        Feature::Migration,
        Feature::Review,
        Feature::Length,
        Feature::Entities,
        Feature::Magnitude,
        Feature::Files,
        Feature::Agents,
        Feature::Subtasks,
    ];

    /// Whether the feature's points come from cue counts and one weight (the others have
    /// their own scales).
    pub fn is_cue(self) -> bool {
        !matches!(
            self,
            Feature::Length
                | Feature::Entities
                | Feature::Magnitude
                | Feature::Files
                | Feature::Agents
                | Feature::Subtasks
        )
    }
}

/// What the caller knows about a task besides its text, when it knows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskContext {
    /// Files the task is expected to touch.
    pub files: Option<usize>,
    /// Agents discovery chose for it.
    pub agents: Option<usize>,
    /// Subtasks it was split into.
    pub subtasks: Option<usize>,
}

/// One observed feature: the cues that fired it and how much of it there is (distinct cues
/// for cue features; words, entities, the largest quantity or a count for the others).
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    pub feature: Feature,
    pub cues: Vec<String>,
    pub measure: f64,
}

/// Everything the text and context show, in `Feature::ALL` order, one signal per feature.
pub fn extract(task: &str, context: &TaskContext) -> Vec<Signal> {
    let text = Text::new(task);
    let magnitude = detect::largest_quantity(&text);
    let mut signals: Vec<Signal> = cue_lists(&text, magnitude.as_ref())
        .into_iter()
        .filter_map(|(feature, mut cues)| {
            dedup_in_order(&mut cues);
            let measure = cues.len() as f64;
            (measure > 0.0).then_some(Signal { feature, cues, measure })
        })
        .collect();
    signals.extend(size_signals(&text, magnitude));
    signals.extend(context_signals(context));
    signals.sort_by_key(|s| Feature::ALL.iter().position(|f| *f == s.feature));
    signals
}

/// Features found by how the task is written; their cues add to any vocabulary cues.
type Detector = fn(&Text) -> Vec<String>;
const DETECTORS: [(Feature, Detector); 8] = [
    (Feature::SingleTarget, detect::code_targets),
    (Feature::ManyParts, detect::many_parts),
    (Feature::OpenQuestion, detect::open_questions),
    (Feature::TradeOff, detect::either_or_questions),
    (Feature::ExactSpec, detect::exact_values),
    (Feature::ValueChange, detect::value_changes),
    (Feature::Migration, detect::moves),
    (Feature::SmallEdit, detect::one_attribute),
];

/// The cues of every cue feature: vocabulary first, then the structural detectors.
fn cue_lists(text: &Text, magnitude: Option<&(f64, String)>) -> Vec<(Feature, Vec<String>)> {
    let mut found: Vec<(Feature, Vec<String>)> =
        CUES.iter().map(|(feature, cues)| (*feature, text.find(cues))).collect();
    for (feature, detector) in DETECTORS {
        merge(&mut found, feature, detector(text));
    }
    let migrating = found.iter().any(|(f, cues)| *f == Feature::Migration && !cues.is_empty());
    // Size alone is a size signal; size being moved is a scope signal of its own.
    if let Some((_, cue)) = magnitude.filter(|(n, _)| migrating && *n >= detect::LARGE_DATA) {
        merge(&mut found, Feature::LargeMigration, vec![cue.clone()]);
    }
    found
}

fn size_signals(text: &Text, magnitude: Option<(f64, String)>) -> Vec<Signal> {
    let words = text.words.len();
    let entities = detect::entities(text);
    let mut out = vec![
        Signal { feature: Feature::Length, cues: vec![format!("{words} words")], measure: words as f64 },
        Signal { feature: Feature::Entities, measure: entities.len() as f64, cues: entities },
    ];
    if let Some((n, cue)) = magnitude {
        out.push(Signal { feature: Feature::Magnitude, cues: vec![cue], measure: n });
    }
    out
}

fn context_signals(context: &TaskContext) -> Vec<Signal> {
    [
        (Feature::Files, context.files, "files"),
        (Feature::Agents, context.agents, "agents"),
        (Feature::Subtasks, context.subtasks, "subtasks"),
    ]
    .into_iter()
    .filter_map(|(feature, count, what)| {
        count.map(|n| Signal { feature, cues: vec![format!("{n} {what}")], measure: n as f64 })
    })
    .collect()
}

fn merge(found: &mut Vec<(Feature, Vec<String>)>, feature: Feature, cues: Vec<String>) {
    match found.iter_mut().find(|(f, _)| *f == feature) {
        Some(entry) => entry.1.extend(cues),
        None => found.push((feature, cues)),
    }
}

fn dedup_in_order(cues: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    cues.retain(|c| seen.insert(c.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cues(task: &str, feature: Feature) -> Vec<String> {
        extract(task, &TaskContext::default())
            .into_iter()
            .find(|s| s.feature == feature)
            .map(|s| s.cues)
            .unwrap_or_default()
    }

    #[test]
    fn names_match_the_weights_file_paths() {
        for feature in Feature::ALL {
            let name = serde_json::to_string(&feature).unwrap();
            let (group, key) = name.trim_matches('"').split_once('.').unwrap();
            assert!(["scope", "risk", "ambiguity", "kind", "size", "context"].contains(&group), "{name}");
            assert!(!key.is_empty());
        }
    }

    #[test]
    fn risk_vocabulary_fires_by_prefix_and_phrase() {
        assert_eq!(
            cues("Two nodes take the lock at once after a partition", Feature::Concurrency),
            vec!["at once", "partition", "lock"]
        );
        assert_eq!(cues("Encrypt backups and rotate the keys", Feature::Security), vec!["encrypt"]);
        assert!(cues("Fix test_concurrent_checkout", Feature::Concurrency).is_empty());
    }

    #[test]
    fn structure_fires_kind_and_scope_features() {
        assert_eq!(
            cues("Change the timeout in settings.py from 5s to 10s", Feature::ValueChange),
            vec!["from 5s to 10s"]
        );
        assert_eq!(
            cues("Change the timeout in settings.py from 5s to 10s", Feature::SingleTarget),
            vec!["settings.py"]
        );
        assert!(cues("Upgrade Python from 2.7 to 3.12", Feature::ValueChange).is_empty());
        assert_eq!(cues("Move 40 services to EKS", Feature::ManyParts), vec!["40 services"]);
        assert_eq!(cues("Migrate 4 TB of orders to Postgres", Feature::LargeMigration), vec!["4 TB"]);
        assert_eq!(cues("Why does checkout fail? Fix it.", Feature::OpenQuestion), vec!["why does checkout fail?"]);
    }

    #[test]
    fn context_counts_become_signals() {
        let ctx = TaskContext { files: Some(12), agents: None, subtasks: Some(3) };
        let fired: Vec<Feature> = extract("x", &ctx).iter().map(|s| s.feature).collect();
        assert!(fired.contains(&Feature::Files) && fired.contains(&Feature::Subtasks));
        assert!(!fired.contains(&Feature::Agents));
    }
}
