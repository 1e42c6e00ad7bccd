//! From a task in a user's words to full-text queries: words, minus stop words, plus the
//! vocabulary the thesaurus associates with them.

use std::collections::BTreeSet;

use super::lexicon;

/// Words that carry no signal about which agent a task needs.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "after",
    "again",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "done",
    "each",
    "every",
    "for",
    "from",
    "get",
    "gets",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "him",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "keep",
    "keeps",
    "let",
    "like",
    "make",
    "me",
    "more",
    "most",
    "much",
    "my",
    "need",
    "needs",
    "no",
    "nobody",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "please",
    "same",
    "she",
    "should",
    "so",
    "some",
    "someone",
    "something",
    "still",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "us",
    "use",
    "using",
    "very",
    "want",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "why",
    "will",
    "with",
    "without",
    "would",
    "you",
    "your",
    "yours",
    "can't",
    "don't",
    "doesn't",
    "help",
    "new",
    "today",
    "yesterday",
    "morning",
    "week",
    "day",
    "days",
    "way",
    "thing",
    "things",
    "lot",
    "really",
    "currently",
    "right",
    "tell",
    "figure",
    "know",
    "sure",
    "everything",
    "anything",
    "around",
    "across",
    "between",
    // Common verbs, adverbs and fillers: rare enough in agent texts to get a high IDF, and
    // therefore the worst noise in a BM25 query.
    "went",
    "go",
    "goes",
    "going",
    "gone",
    "come",
    "comes",
    "came",
    "coming",
    "take",
    "took",
    "taken",
    "give",
    "gave",
    "say",
    "says",
    "said",
    "see",
    "seen",
    "saw",
    "seem",
    "seems",
    "seemed",
    "try",
    "tried",
    "trying",
    "happen",
    "happens",
    "happened",
    "happening",
    "since",
    "ago",
    "anymore",
    "already",
    "always",
    "never",
    "ever",
    "often",
    "sometimes",
    "usually",
    "maybe",
    "probably",
    "actually",
    "basically",
    "literally",
    "somehow",
    "somewhere",
    "everyone",
    "anyone",
    "people",
    "person",
    "folks",
    "guys",
    "whole",
    "half",
    "entire",
    "lots",
    "many",
    "few",
    "several",
    "another",
    "else",
    "even",
    "yet",
    "though",
    "although",
    "however",
    "instead",
    "rather",
    "quite",
    "pretty",
    "kind",
    "sort",
    "stuff",
    "able",
    "unable",
    "each",
    "per",
    "via",
    "etc",
    "ok",
    "okay",
    "thanks",
    "hi",
    "hello",
    "hey",
    "asap",
    "soon",
    "later",
    "last",
    "next",
    "first",
    "second",
    "third",
    "time",
    "times",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "hour",
    "hours",
    "minute",
    "minutes",
    "tomorrow",
    "tonight",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "returning",
    "returns",
    "returned",
    "getting",
    "making",
    "made",
    "doing",
    "told",
    "asked",
    "ask",
    "asks",
    "wants",
    "wanted",
    "needed",
    "think",
    "thought",
    "believe",
    "guess",
    "feel",
    "feels",
    "looks",
    "looking",
    "look",
    "keeps",
    "kept",
    "started",
    "starting",
    "stopped",
    "anybody",
    "somebody",
    "everybody",
    "whatever",
    "whenever",
    "wherever",
    "whether",
    "either",
    "neither",
];

/// Query terms for a task: the task's own words, and the thesaurus's expansions of them
/// (minus words the task already has).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Terms {
    pub own: Vec<String>,
    pub expanded: Vec<String>,
}

/// Splits a task into lower-case words of letters and digits.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// The terms to search for.
pub fn terms(task: &str) -> Terms {
    let mut own = BTreeSet::new();
    let mut expanded = BTreeSet::new();
    for word in words(task) {
        if STOP_WORDS.contains(&word.as_str()) {
            continue;
        }
        for (triggers, expansions) in lexicon::ENTRIES {
            if triggers.iter().any(|t| trigger_matches(t, &word)) {
                expanded.extend(expansions.iter().map(|e| (*e).to_string()));
            }
        }
        // Bare numbers ("8", "40") say nothing on their own; status codes are handled above.
        if word.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        own.insert(word);
    }
    let expanded = expanded.into_iter().filter(|e| !own.contains(e)).collect();
    Terms { own: own.into_iter().collect(), expanded }
}

fn trigger_matches(trigger: &str, word: &str) -> bool {
    if trigger.len() < 4 { word == trigger } else { word.starts_with(trigger) }
}

/// An FTS5 expression matching any of the terms (each quoted, so no term is read as syntax).
pub fn any_of(terms: &[String]) -> Option<String> {
    let quoted: Vec<String> = terms.iter().map(|t| format!("\"{}\"", t.replace('"', "\"\""))).collect();
    (!quoted.is_empty()).then(|| quoted.join(" OR "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symptoms_expand_into_role_vocabulary() {
        let t = terms("Checkout takes 8 seconds on phones");
        assert_eq!(t.own, vec!["checkout", "phones", "seconds", "takes"]);
        assert!(t.expanded.contains(&"performance".to_string()));
        assert!(t.expanded.contains(&"mobile".to_string()));
        assert!(t.expanded.contains(&"payments".to_string()));
    }

    #[test]
    fn short_triggers_match_whole_words_only() {
        assert!(terms("fix the ci").expanded.contains(&"pipeline".to_string()));
        assert!(!terms("decide the approach").expanded.contains(&"pipeline".to_string()));
    }

    #[test]
    fn queries_are_quoted() {
        assert_eq!(any_of(&["a\"b".to_string(), "c".to_string()]).unwrap(), "\"a\"\"b\" OR \"c\"");
        assert_eq!(any_of(&[]), None);
    }
}
