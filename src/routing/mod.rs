//! Model routing: send each task to the cheapest tier that can do it. A task's text (and what
//! the caller knows of it) becomes a 0-10 complexity score from weighted features of scope,
//! risk, ambiguity, kind of work and size; score ranges pick Haiku, Sonnet or Opus; budget
//! pressure shifts the ranges; a failed attempt is retried once, one tier up.

mod detect;
pub mod eval;
mod features;
pub mod learned;
mod lexicon;
pub mod meaning;
mod score;
mod text;
mod tier;
mod weights;

use serde::{Deserialize, Serialize};

pub use features::{Feature, TaskContext};
pub use score::Contribution;
pub use tier::{FailureKind, upgrade};
pub use tier::{Pressure, Thresholds, Tier};
pub use weights::Weights;

/// What a tier costs for one task. The price table implements it; routing only compares.
pub trait TierCost {
    /// Dollars for one task run on `tier`.
    fn task_cost(&self, tier: Tier) -> f64;
}

impl<F: Fn(Tier) -> f64> TierCost for F {
    fn task_cost(&self, tier: Tier) -> f64 {
        self(tier)
    }
}

/// A routing choice and why it was made: what the store records for each task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingDecision {
    /// Complexity, 0-10.
    pub score: f64,
    /// The features that fired and their points, largest effect first.
    pub features: Vec<Contribution>,
    pub tier: Tier,
    pub pressure: Pressure,
    /// One line for people: the range the score fell in and the features that weighed most.
    pub reason: String,
}

/// Scores tasks and picks tiers with one set of weights and thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct Router {
    weights: Weights,
    thresholds: Thresholds,
    /// Adjustments learned from outcomes, applied after the base score (see `learned`).
    learned: Option<learned::Learned>,
    /// The classifier over the task's meaning; without it the feature score routes.
    meaning: Option<Meaning>,
}

/// A trained classifier and the embedding model its weights belong to.
#[derive(Clone)]
pub struct Meaning {
    pub classifier: std::sync::Arc<meaning::Classifier>,
    pub model: &'static crate::embed::Model,
}

impl Meaning {
    /// The pair, when the classifier was trained on this model's embeddings; `None` (the
    /// feature score routes) for another model.
    pub fn new(classifier: meaning::Classifier, model: &'static crate::embed::Model) -> Option<Self> {
        (classifier.model_id == model.id() && classifier.dim() == model.dim())
            .then(|| Self { classifier: std::sync::Arc::new(classifier), model })
    }
}

impl PartialEq for Meaning {
    fn eq(&self, other: &Self) -> bool {
        self.classifier == other.classifier
    }
}

impl std::fmt::Debug for Meaning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Meaning").field("model_id", &self.classifier.model_id).finish()
    }
}

impl Router {
    pub fn new(weights: Weights, thresholds: Thresholds) -> Self {
        Self { weights, thresholds, learned: None, meaning: None }
    }

    /// The same router with learned adjustments layered over its score.
    pub fn with_learned(mut self, learned: Option<learned::Learned>) -> Self {
        self.learned = learned.filter(|l| !l.adjustments.is_empty());
        self
    }

    /// The same router deciding by the classifier over the task's meaning when given one.
    pub fn with_meaning(mut self, meaning: Option<Meaning>) -> Self {
        self.meaning = meaning;
        self
    }

    /// Whether the classifier decides (else the feature score does).
    pub fn by_meaning(&self) -> bool {
        self.meaning.is_some()
    }

    /// Scores `task` and picks its tier under `pressure`.
    pub fn decide(&self, task: &str, context: &TaskContext, pressure: Pressure) -> RoutingDecision {
        let embedding = self.meaning.as_ref().map(|m| m.model.embed(task));
        self.decide_embedded(task, embedding.as_deref(), context, pressure)
    }

    /// As [`Router::decide`], with the task's embedding computed already (`None`: by the
    /// feature score even when the router has a classifier).
    pub fn decide_embedded(
        &self,
        task: &str,
        embedding: Option<&[f32]>,
        context: &TaskContext,
        pressure: Pressure,
    ) -> RoutingDecision {
        let signals = features::extract(task, context);
        let mut score = score::score(&signals, &self.weights);
        let mut by_meaning = None;
        if let (Some(m), Some(e)) = (&self.meaning, embedding) {
            let (value, note) = classify(&m.classifier, e, &score, self.thresholds);
            score.value = value;
            by_meaning = Some(note);
        }
        let mut tier = self.thresholds.tier(score.value, pressure);
        if let Some(learned) = &self.learned {
            let (value, adjusted, extra) = learned.adjust(score.value, &score.contributions, self.thresholds, pressure);
            (score.value, tier) = (value, adjusted);
            score.contributions.extend(extra);
        }
        let mut reason = self.reason(score.value, tier, pressure, &score.contributions);
        if let Some(note) = by_meaning {
            reason.push_str("; ");
            reason.push_str(&note);
        }
        RoutingDecision { reason, score: score.value, features: score.contributions, tier, pressure }
    }

    fn reason(&self, score: f64, tier: Tier, pressure: Pressure, top: &[Contribution]) -> String {
        let t = self.thresholds.under(pressure);
        let range = match tier {
            Tier::Haiku => format!("below {:.1}", t.sonnet),
            Tier::Sonnet => format!("in [{:.1}, {:.1})", t.sonnet, t.opus),
            Tier::Opus => format!("at or above {:.1}", t.opus),
        };
        let pressure = match pressure {
            Pressure::Normal => "",
            Pressure::Economy => " (economy)",
        };
        let drivers: Vec<String> = top
            .iter()
            .filter(|c| !learned::is_learned(c))
            .take(3)
            .map(|c| format!("{} {:+.2}", feature_name(c.feature), c.points))
            .collect();
        let drivers = if drivers.is_empty() {
            "no feature matched, so the base score stands".to_string()
        } else {
            drivers.join(", ")
        };
        let learned: Vec<String> = top
            .iter()
            .filter(|c| learned::is_learned(c))
            .map(|c| format!("{} {:+.2}", feature_name(c.feature), c.points))
            .collect();
        let learned = if learned.is_empty() { String::new() } else { format!("; learned {}", learned.join(", ")) };
        format!("score {score:.2} {range}{pressure} -> {tier}; {drivers}{learned}")
    }
}

/// The classifier's score for a task and a note on how it was reached. Never below the safe
/// tier: one tier under where the feature score alone would put the task (so a task the
/// features call Opus never goes to Haiku).
fn classify(c: &meaning::Classifier, embedding: &[f32], s: &score::Score, t: Thresholds) -> (f64, String) {
    let x = meaning::inputs(embedding, s.value, &s.contributions, c.params.feature_scale);
    let verdict = c.verdict(&x);
    let by_features = t.tier(s.value, Pressure::Normal);
    let safe = by_features.down().unwrap_or(Tier::Haiku);
    let tier = verdict.tier().max(safe);
    let floor = if tier > verdict.tier() { format!(", raised to the safe tier {safe}") } else { String::new() };
    let note = format!(
        "by meaning: needs-sonnet {:+.2}, needs-opus {:+.2} -> {}{floor} (feature score {:.2} -> {by_features})",
        verdict.at_least_sonnet,
        verdict.opus,
        verdict.tier(),
        s.value
    );
    (verdict.score(tier, t), note)
}

impl Default for Router {
    fn default() -> Self {
        Self::new(Weights::default(), Thresholds::default())
    }
}

/// The bundled weights file's text.
#[cfg(test)]
pub fn weights_yaml() -> &'static str {
    weights::BUNDLED
}

/// The feature's name as in explanations and the weights file (`risk.security`).
pub fn feature_name(feature: Feature) -> String {
    serde_json::to_value(feature)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{feature:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(task: &str) -> RoutingDecision {
        Router::default().decide(task, &TaskContext::default(), Pressure::Normal)
    }

    #[test]
    fn small_medium_and_large_work_land_on_their_tiers() {
        assert_eq!(route("Fix the typo in README.md").tier, Tier::Haiku);
        assert_eq!(route("Add CRUD endpoints for /api/tags with validation and tests").tier, Tier::Sonnet);
        assert_eq!(
            route(
                "Design multi-region failover for the payments ledger across 12 services \
                 without losing consistency"
            )
            .tier,
            Tier::Opus
        );
    }

    #[test]
    fn decisions_explain_themselves_and_round_trip() {
        let d = route("Why do two workers sometimes process the same payment twice?");
        assert!(d.features.iter().any(|c| c.feature == Feature::Concurrency));
        assert!(d.reason.contains("risk.concurrency"), "{}", d.reason);
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains("\"risk.concurrency\""), "{json}");
        let back: RoutingDecision = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
    }

    #[test]
    fn economy_never_routes_higher() {
        let r = Router::default();
        for task in [
            "Rename foo to bar in utils.py",
            "Add pagination to GET /orders",
            "Plan the migration of 2M users to a new auth provider without downtime",
        ] {
            let normal = r.decide(task, &TaskContext::default(), Pressure::Normal);
            let economy = r.decide(task, &TaskContext::default(), Pressure::Economy);
            assert!(economy.tier <= normal.tier, "{task}");
            assert_eq!(economy.score, normal.score);
        }
    }

    /// The classifier decides, never under the safe tier, and the learned layer still adds its
    /// points on top of the classifier's score.
    #[test]
    fn by_meaning_with_the_learned_layer_on_top() {
        let model: &'static crate::embed::Model = Box::leak(Box::new(crate::embed::Model::load(None).unwrap()));
        let meaning = Meaning::new(meaning::Classifier::bundled().unwrap(), model).expect("bundled model id");
        let router = Router::default().with_meaning(Some(meaning));
        let task = "Why do two workers sometimes process the same payment twice?";
        let plain = router.decide(task, &TaskContext::default(), Pressure::Normal);
        assert!(plain.reason.contains("by meaning"), "{}", plain.reason);
        let by_features = Router::default().decide(task, &TaskContext::default(), Pressure::Normal);
        assert!(plain.tier >= by_features.tier.down().unwrap_or(Tier::Haiku));
        let learned = learned::Learned {
            version: 1,
            learned_at_ms: 0,
            decisions: 50,
            adjustments: vec![learned::Adjustment { feature: Feature::Concurrency, points: 1.5, why: String::new() }],
        };
        let tuned = router.clone().with_learned(Some(learned)).decide(task, &TaskContext::default(), Pressure::Normal);
        assert!(
            (tuned.score - (plain.score + 1.5).min(tier::MAX_SCORE)).abs() < 0.011,
            "{} {}",
            tuned.score,
            plain.score
        );
        assert!(tuned.reason.contains("learned risk.concurrency +1.50"), "{}", tuned.reason);
    }

    #[test]
    fn tier_costs_can_be_closures() {
        let cost = |t: Tier| (t.rank() + 1) as f64;
        assert_eq!(cost.task_cost(Tier::Opus), 3.0);
    }
}
