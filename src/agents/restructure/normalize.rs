//! Text normalization: the loose form that decides whether two sections are one block (case,
//! punctuation, Markdown markers and British/American spellings folded, then word 3-grams), and
//! the strict per-line form that decides whether a line survived a rewrite.

use std::collections::HashSet;

/// Stems whose British `-is-` spelling folds to `-iz-` ("optimise" and "optimize" are one word).
const IZE_STEMS: &[&str] = &[
    "optimis",
    "organis",
    "prioritis",
    "recognis",
    "serialis",
    "normalis",
    "customis",
    "authoris",
    "initialis",
    "minimis",
    "maximis",
    "summaris",
    "standardis",
    "utilis",
    "categoris",
    "synchronis",
    "visualis",
    "anonymis",
    "sanitis",
    "apologis",
    "finalis",
    "centralis",
    "containeris",
    "parameteris",
];
/// `-our` words that fold to `-or`.
const OUR_WORDS: &[&str] = &["colour", "behaviour", "favour", "honour", "labour", "neighbour", "flavour", "humour"];
/// Other spelling pairs, British first.
const PAIRS: &[(&str, &str)] = &[
    ("licence", "license"),
    ("judgement", "judgment"),
    ("centre", "center"),
    ("catalogue", "catalog"),
    ("programme", "program"),
    ("analyse", "analyze"),
    ("analysed", "analyzed"),
    ("artefact", "artifact"),
    ("artefacts", "artifacts"),
];

/// The words of `text`, lower-cased, with punctuation and Markdown markers dropped and
/// spellings folded.
pub fn words(text: &str) -> Vec<String> {
    text.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(fold_spelling).collect()
}

fn fold_spelling(word: &str) -> String {
    for (british, american) in PAIRS {
        if word == *british {
            return (*american).to_string();
        }
    }
    for base in OUR_WORDS {
        if let Some(rest) = word.strip_prefix(base) {
            return format!("{}or{rest}", &base[..base.len() - 3]);
        }
    }
    for stem in IZE_STEMS {
        if let Some(rest) = word.strip_prefix(stem) {
            return format!("{}z{rest}", &stem[..stem.len() - 1]);
        }
    }
    word.to_string()
}

/// Hashes of the word 3-grams (the words themselves for texts under three words).
pub fn shingles(words: &[String]) -> HashSet<u64> {
    if words.len() < 3 {
        return words.iter().map(|w| xxhash_rust::xxh3::xxh3_64(w.as_bytes())).collect();
    }
    words.windows(3).map(|w| xxhash_rust::xxh3::xxh3_64(w.join(" ").as_bytes())).collect()
}

/// Jaccard similarity from the sizes of two sets and of their intersection.
pub fn jaccard(a: usize, b: usize, common: usize) -> f64 {
    let union = a + b - common;
    if union == 0 { 1.0 } else { common as f64 / union as f64 }
}

/// A heading's comparable form: level and case do not matter.
pub fn heading_key(heading: &str) -> String {
    format!("#{}", collapse(&heading.to_lowercase()))
}

/// The comparable form of one line, or `None` for lines that carry nothing to lose (blank
/// lines and setext underlines). Trailing whitespace does not count, and `*`/`+` bullets read
/// as `-` (Markdown renders them alike); indentation, words and punctuation do count.
pub fn line_key(line: &str) -> Option<String> {
    let line = line.trim_end();
    let trimmed = line.trim_start();
    if trimmed.is_empty() || (trimmed.len() >= 2 && trimmed.chars().all(|c| c == '=' || c == '-')) {
        return None;
    }
    if let Some(text) = atx_heading(trimmed) {
        return Some(heading_key(text));
    }
    let indent = &line[..line.len() - trimmed.len()];
    for marker in ["* ", "+ "] {
        if let Some(rest) = trimmed.strip_prefix(marker) {
            return Some(format!("{indent}- {rest}"));
        }
    }
    Some(line.to_string())
}

/// Whether a line (by its key) is among `keys`. A plain line also survives as a heading of the
/// same words, so setext headings can be hoisted as ATX ones.
pub fn survives(line: &str, keys: &HashSet<String>) -> bool {
    match line_key(line) {
        None => true,
        Some(key) => keys.contains(&key) || keys.contains(&heading_key(line.trim())),
    }
}

/// The keys of every line of `text`.
pub fn line_keys(text: &str) -> HashSet<String> {
    text.lines().filter_map(line_key).collect()
}

/// The text of an ATX heading line as written, inline markup included (`## Title ##` gives
/// `Title`; `## C#` keeps its `#`, since a closing run must follow a space).
pub fn atx_heading(line: &str) -> Option<&str> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let text = rest.trim();
    let without_closing = text.trim_end_matches('#');
    if without_closing.is_empty() || without_closing.ends_with([' ', '\t']) {
        return Some(without_closing.trim_end());
    }
    Some(text)
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_case_punctuation_markers_and_spelling() {
        assert_eq!(words("* **Colour** the `behaviour`; optimise!"), vec!["color", "the", "behavior", "optimize"]);
        assert_eq!(words("- Colours, organisations"), vec!["colors", "organizations"]);
        assert_eq!(words("1. Analyse the LICENCE"), vec!["1", "analyze", "the", "license"]);
        assert_eq!(words("wise precise analysis"), vec!["wise", "precise", "analysis"]);
    }

    #[test]
    fn near_copies_score_high_and_different_text_low() {
        let base = "Never run destructive commands without an explicit confirmation from a human in the current \
                    conversation. Never modify production systems directly. Treat customer data as confidential.";
        let swapped = base.replacen("Never", "Do not ever", 1);
        let other = "Profile the hot path with pprof and flame graphs before changing any allocation patterns.";
        let s = |t: &str| shingles(&words(t));
        let sim = |a: &str, b: &str| {
            let (a, b) = (s(a), s(b));
            jaccard(a.len(), b.len(), a.intersection(&b).count())
        };
        assert!(sim(base, &swapped) > 0.8, "{}", sim(base, &swapped));
        assert!(sim(base, &base.replace("- ", "* ").to_uppercase()) > 0.99);
        assert!(sim(base, other) < 0.1);
    }

    #[test]
    fn line_keys_ignore_trailing_space_and_bullet_style_only() {
        assert_eq!(line_key("* item  "), line_key("- item"));
        assert_eq!(line_key("  + nested"), Some("  - nested".to_string()));
        assert_ne!(line_key("- item"), line_key("  - item"));
        assert_ne!(line_key("- Item"), line_key("- item"));
        assert_eq!(line_key("### SAFETY Rules ##"), line_key("## Safety rules"));
        assert_eq!(line_key("   "), None);
        assert_eq!(line_key("====="), None);
        assert_eq!(line_key("#hashtag"), Some("#hashtag".to_string()));
        assert_eq!(line_key("## C#"), Some("#c#".to_string()));
        assert_eq!(line_key("## **Bold** step"), Some("#**bold** step".to_string()));
    }

    #[test]
    fn setext_heading_text_survives_as_an_atx_heading() {
        let keys = line_keys("## Safety Rules\n\nbody\n");
        assert!(survives("Safety Rules", &keys));
        assert!(survives("body  ", &keys));
        assert!(!survives("other", &keys));
    }
}
