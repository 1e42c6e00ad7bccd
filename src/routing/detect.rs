//! Structural detectors: features that depend on how a task is written rather than on single
//! words (files and identifiers, counted parts, questions, exact values, "from X to Y", the
//! largest quantity). Each returns the cues it found, as shown in explanations.

use super::lexicon::{
    ATTRIBUTES, BARE_FILES, EDIT_VERBS, LAYERS, MOVE_VERBS, NOT_COUNTED, NUMBER_WORDS, PARTS, QUANTIFIERS,
    QUESTION_WORDS, RELOCATE_VERBS,
};
use super::text::{Text, is_code_like, trim_outer};

/// The quantity from which moving data or code counts as a large migration.
pub const LARGE_DATA: f64 = 100_000.0;
/// Files, paths, identifiers and flags named in the task: each is one precise target.
pub fn code_targets(text: &Text) -> Vec<String> {
    text.tokens.iter().filter(|t| is_target(t)).map(|t| t.trim_end_matches(['(', ')']).to_string()).collect()
}

fn is_target(token: &str) -> bool {
    let lower_camel = token.chars().next().is_some_and(char::is_lowercase)
        && token.chars().any(char::is_uppercase)
        && token.chars().all(char::is_alphanumeric);
    // `jpg/png` and `list/get/delete` are alternatives, not paths; a path has an extension
    // or starts at a root.
    let alternatives = token.contains('/') && !token.starts_with('/') && !token.contains(['.', '_', '=', '(']);
    (is_code_like(token) && !alternatives)
        || (token.starts_with('.') && token.len() > 2)
        || (token.starts_with("--") && token.len() > 3)
        || (token.starts_with('/') && token.len() > 1)
        || BARE_FILES.contains(&token)
        || lower_camel
}

/// "40 services", "three regions", or three or more layers of a system named together.
pub fn many_parts(text: &Text) -> Vec<String> {
    let mut cues = Vec::new();
    for (i, word) in text.words.iter().enumerate() {
        let Some(n) = count_value(word) else { continue };
        if n < 2.0 {
            continue;
        }
        let part = text.words[i + 1..].iter().take(3).find(|w| PARTS.iter().any(|p| word_matches(p, w)));
        if let Some(part) = part {
            cues.push(format!("{word} {part}"));
        }
    }
    let mut layers = text.find(LAYERS);
    for (i, word) in text.words.iter().enumerate().skip(1) {
        let named = &text.words[i - 1];
        if word == "service" && !QUANTIFIERS.contains(&named.as_str()) {
            layers.push(format!("{named} service"));
        }
    }
    let mut seen = std::collections::HashSet::new();
    layers.retain(|l| seen.insert(l.clone()));
    if layers.len() >= 3 {
        cues.push(layers.join(", "));
    }
    cues
}

fn word_matches(pattern: &str, word: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => word.starts_with(prefix),
        None => word == pattern,
    }
}

fn count_value(word: &str) -> Option<f64> {
    if let Some((_, n)) = NUMBER_WORDS.iter().find(|(w, _)| *w == word) {
        return Some(*n);
    }
    parse_number(word).map(|(n, _)| n)
}

/// Sentences that ask an open question: they end in `?` and start with a question word. A
/// polite request ("can you update ...?") is an instruction, not a question.
pub fn open_questions(text: &Text) -> Vec<String> {
    text.sentences
        .iter()
        .filter(|s| s.ends_with('?'))
        .filter(|s| {
            let mut words = s.split_whitespace().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()));
            let first = words.next().unwrap_or("");
            let request = words.next() == Some("you");
            QUESTION_WORDS.contains(&first) && !request
        })
        .map(|s| short(s))
        .collect()
}

/// Questions that weigh options: "X or Y?".
pub fn either_or_questions(text: &Text) -> Vec<String> {
    text.sentences.iter().filter(|s| s.ends_with('?') && s.contains(" or ")).map(|s| short(s)).collect()
}

fn short(s: &str) -> String {
    const MAX: usize = 60;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}\u{2026}", &s[..cut]),
        None => s.to_string(),
    }
}

/// Literal values spelled out: quoted strings and `#` values (colours, channels).
pub fn exact_values(text: &Text) -> Vec<String> {
    let quoted = text.quoted.iter().map(|q| format!("\"{q}\""));
    let hashes = text.tokens.iter().filter(|t| t.starts_with('#') && t.len() > 2).cloned();
    quoted.chain(hashes).collect()
}

/// One value changed to another: "from 5s to 10s", `A -> B`, `KEY=VALUE`, "make it 2025",
/// "replace `f()` with `g()`". A "from X to Y" next to a moving verb is a migration instead.
/// One cue is enough: a task that changes two values is still a small edit.
pub fn value_changes(text: &Text) -> Vec<String> {
    let raw: Vec<&str> = text.raw.iter().map(String::as_str).collect();
    let lower: Vec<String> = raw.iter().map(|t| t.trim_end_matches([',', '.', ';', ':']).to_lowercase()).collect();
    let moving = MOVE_VERBS.iter().any(|v| text.has(v));
    for (i, word) in lower.iter().enumerate() {
        let cue = if word == "from" && !moving && edited_before(&raw, &lower, i) {
            from_to(&raw, &lower, i)
        } else if matches!(word.as_str(), "->" | "\u{2192}") {
            Some(word.clone())
        } else if word == "instead" && raw[i.saturating_sub(2)..(i + 4).min(raw.len())].iter().any(|t| is_value(t)) {
            Some("instead of".to_string())
        } else if is_assignment(raw[i]) {
            Some(trim_outer(raw[i]).to_string())
        } else if EDIT_VERBS.iter().any(|v| word_matches(v, word)) {
            edit_to_value(&raw, &lower, i)
        } else {
            None
        };
        if let Some(cue) = cue {
            return vec![cue];
        }
    }
    Vec::new()
}

/// Whether an editing verb comes earlier in the same sentence: "change X from 5 to 10" is an
/// edit, "cut p99 from 2s to 200ms" is a goal.
fn edited_before(raw: &[&str], lower: &[String], at: usize) -> bool {
    (0..at)
        .rev()
        .take_while(|&j| !raw[j].ends_with(['.', '?', '!', ';']))
        .any(|j| EDIT_VERBS.iter().any(|v| word_matches(v, &lower[j])))
}

/// "from X to Y" where X is a literal value.
fn from_to(raw: &[&str], lower: &[String], from: usize) -> Option<String> {
    let value = raw.get(from + 1).filter(|t| is_value(t))?;
    let to = (from + 2..(from + 5).min(lower.len())).find(|&k| lower[k] == "to")?;
    let new = raw.get(to + 1).copied().unwrap_or("");
    Some(format!("from {} to {}", trim_value(value), trim_value(new)))
}

fn trim_value(t: &str) -> &str {
    t.trim_end_matches([',', '.', ';', ':'])
}

/// After an editing verb: "... to 2.32.3", "make it 2025", "replace x.y() with ...".
fn edit_to_value(raw: &[&str], lower: &[String], verb: usize) -> Option<String> {
    let end = (verb + 7).min(raw.len());
    if lower[verb].starts_with("replace") {
        let target = raw[verb + 1..end].iter().take(3).find(|t| is_code_like(t))?;
        return Some(format!("replace {}", trim_outer(target)));
    }
    (verb + 1..end).find_map(|j| {
        let joins = lower[j] == "to" || lower[j] == "it";
        let value = raw[j + 1..(j + 3).min(raw.len())].iter().find(|t| is_value(t))?;
        joins.then(|| format!("{} {} {}", lower[verb], lower[j], trim_value(value)))
    })
}

/// A literal value: it has a digit, or is quoted, or is a `#` value.
fn is_value(token: &str) -> bool {
    token.chars().any(|c| c.is_ascii_digit()) || token.starts_with(['"', '\'', '\u{201c}', '`', '#'])
}

fn is_assignment(token: &str) -> bool {
    let t = trim_outer(token);
    matches!(t.split_once('='), Some((k, v)) if !k.is_empty() && !v.is_empty() && !k.contains('('))
}

/// "Add a field": one attribute added to something that exists (a form field, a flag, an
/// option, a link). A schema change with a migration is not this small.
pub fn one_attribute(text: &Text) -> Vec<String> {
    if MOVE_VERBS.iter().any(|v| text.has(v)) {
        return Vec::new();
    }
    let w = &text.words;
    let starts = w.iter().enumerate().filter(|(_, x)| *x == "add");
    for (i, _) in starts {
        let article = w.get(i + 1).is_some_and(|a| matches!(a.as_str(), "a" | "an" | "the" | "one"));
        let noun = w[i + 1..(i + 6).min(w.len())].iter().find(|x| ATTRIBUTES.contains(&x.as_str()));
        if let (true, Some(noun)) = (article, noun) {
            return vec![format!("add a {noun}")];
        }
    }
    Vec::new()
}

/// A verb that moves a system elsewhere, with a destination ("move X to Y").
pub fn moves(text: &Text) -> Vec<String> {
    let has_destination = text.has("to") || text.has("into") || text.has("onto");
    if !has_destination {
        return Vec::new();
    }
    let from_to = text.has("from");
    RELOCATE_VERBS
        .iter()
        .filter(|v| text.words.first().is_some_and(|w| w == *v) || (from_to && text.has(v)))
        .map(|v| (*v).to_string())
        .collect()
}

/// The largest quantity the task names, as (value, cue): "2M users", "4 TB", "300k lines".
/// Bare numbers only count when a counted noun follows, so line numbers and constants do
/// not; data volumes count one record per 10 KB.
pub fn largest_quantity(text: &Text) -> Option<(f64, String)> {
    let tokens: Vec<String> = text.tokens.iter().map(|t| t.to_lowercase()).collect();
    let mut best: Option<(f64, String)> = None;
    for (i, token) in tokens.iter().enumerate() {
        let Some((n, suffixed)) = parse_number(token) else {
            continue;
        };
        let next = tokens.get(i + 1).map_or("", String::as_str);
        let (value, cue) = match next {
            "thousand" => (n * 1e3, 2),
            "million" => (n * 1e6, 2),
            "billion" => (n * 1e9, 2),
            "gb" => (n * 1e9 / 1e4, 2),
            "tb" => (n * 1e12 / 1e4, 2),
            "pb" => (n * 1e15 / 1e4, 2),
            _ if suffixed || (n >= 10_000.0 && counts_something(next)) => (n, 2),
            _ => continue,
        };
        if suffixed && !counts_something(next) {
            continue;
        }
        if best.as_ref().is_none_or(|(b, _)| value > *b) {
            let end = (i + cue).min(text.tokens.len());
            best = Some((value, text.tokens[i..end].join(" ")));
        }
    }
    best
}

fn counts_something(next: &str) -> bool {
    !next.is_empty() && next.chars().next().is_some_and(char::is_alphabetic) && !NOT_COUNTED.contains(&next)
}

/// A number, with a `k`/`m`/`b`/`bn` multiplier when it has one: (value, had a multiplier).
fn parse_number(token: &str) -> Option<(f64, bool)> {
    let t = token.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(t.len());
    let (digits, suffix) = t.split_at(split);
    if digits.is_empty() {
        return None;
    }
    let n: f64 = digits.replace(',', "").parse().ok()?;
    let multiplier = match suffix {
        "" => return Some((n, false)),
        "k" => 1e3,
        "m" => 1e6,
        "b" | "bn" => 1e9,
        _ => return None,
    };
    Some((n * multiplier, true))
}

/// Distinct technical entities: products, acronyms, files, identifiers (capitalised words
/// that do not open a sentence, upper-case acronyms, code-like tokens).
pub fn entities(text: &Text) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut sentence_start = true;
    for raw in &text.raw {
        let token = trim_outer(raw);
        let letters = token.chars().filter(|c| c.is_alphabetic()).count();
        let acronym = letters >= 2 && token.chars().all(|c| !c.is_lowercase());
        let named = !sentence_start && token.chars().any(char::is_uppercase);
        let key = token.to_lowercase();
        if (is_target(token) || acronym || named) && !seen.contains(&key) {
            seen.push(key);
        }
        sentence_start = raw.ends_with(['.', '?', '!', ';', ':']);
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(task: &str) -> Text {
        Text::new(task)
    }

    #[test]
    fn an_edit_changes_a_value_and_a_goal_does_not() {
        let bump = value_changes(&t("Bump the version from 2.3.1 to 2.3.2."));
        assert!(bump.len() == 1 && bump[0].ends_with("to 2.3.2"), "{bump:?}");
        assert_eq!(value_changes(&t("The size in api.yaml, from 20 to 50 please; change it.")), Vec::<String>::new());
        assert!(value_changes(&t("Cut p99 latency from 2s to 200ms.")).is_empty());
        assert!(value_changes(&t("Upgrade the app from React 17 to 18")).is_empty());
        assert_eq!(value_changes(&t("Set LOG_LEVEL=DEBUG in staging")), vec!["LOG_LEVEL=DEBUG"]);
        assert_eq!(value_changes(&t("Footer says 2023, make it 2025.")), vec!["make it 2025"]);
    }

    #[test]
    fn questions_but_not_polite_requests() {
        assert_eq!(open_questions(&t("Why do we lose writes?")).len(), 1);
        assert!(open_questions(&t("Can you update the docs?")).is_empty());
        assert!(open_questions(&t("Cron line for 6:30 am?")).is_empty());
        assert!(open_questions(&t("Add a \"What's new?\" link")).is_empty());
        assert_eq!(either_or_questions(&t("Build it or buy it?")).len(), 1);
    }

    #[test]
    fn quantities_need_a_multiplier_or_a_counted_noun() {
        let q = |s: &str| largest_quantity(&t(s)).map(|(n, _)| n);
        assert_eq!(q("Backfill 80M rows"), Some(80e6));
        assert_eq!(q("Move 4 TB of data"), Some(4e8));
        assert_eq!(q("A table of 250,000 orders"), Some(250_000.0));
        assert_eq!(q("The 86400 in token.py"), None);
        assert_eq!(q("Uploads up to 5 MB"), None);
        assert_eq!(q("Retry after 5m"), None);
    }

    #[test]
    fn parts_are_counted_or_listed() {
        assert_eq!(many_parts(&t("Shared by three of our services")), vec!["three services"]);
        assert_eq!(many_parts(&t("The frontend, the API and the billing database")), vec!["frontend, api, database"]);
        assert!(many_parts(&t("Every service logs to the queue")).is_empty());
    }

    #[test]
    fn targets_and_attributes() {
        let targets = code_targets(&t("Rename tmp2 to retryCount in src/jobs/sync.ts (jpg/png)"));
        assert_eq!(targets, vec!["retryCount", "src/jobs/sync.ts"]);
        assert_eq!(one_attribute(&t("Add an optional name field")), vec!["add a field"]);
        assert!(one_attribute(&t("Add a column to users with a migration")).is_empty());
    }
}
