//! Static or dynamic: heading patterns first (configurable), then the class of the enclosing
//! section whose heading matched, then signs of dated or versioned prose. Static sections are cached; dynamic ones go
//! after the boundary so that editing them does not invalidate the cached part.

use serde::Serialize;

use crate::settings::RestructureSettings;

/// Whether a section belongs in the cached part of the prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    Static,
    Dynamic,
}

/// What the classifier needs of a section.
#[derive(Debug, Clone, Copy)]
pub struct SectionView<'a> {
    pub level: u8,
    pub heading: &'a str,
    /// The section's raw Markdown.
    pub text: &'a str,
}

/// The classification rules, normalized once.
#[derive(Debug, Clone)]
pub struct Classifier {
    static_headings: Vec<String>,
    dynamic_headings: Vec<String>,
    phrases: Vec<String>,
}

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

impl Classifier {
    pub fn new(settings: &RestructureSettings) -> Self {
        let norm = |list: &[String]| list.iter().map(|p| words_of(p)).filter(|p| !p.is_empty()).collect();
        Self {
            static_headings: norm(&settings.static_headings),
            dynamic_headings: norm(&settings.dynamic_headings),
            phrases: norm(&settings.dynamic_phrases),
        }
    }

    /// The class the heading alone decides, if any: the longest matching pattern wins, and a
    /// tie counts as dynamic (a dynamic section in the cached part would break the cache).
    pub fn heading_rule(&self, heading: &str) -> Option<Class> {
        let heading = format!(" {}", words_of(heading));
        let longest =
            |patterns: &[String]| patterns.iter().filter(|p| heading.contains(&format!(" {p}"))).map(String::len).max();
        match (longest(&self.static_headings), longest(&self.dynamic_headings)) {
            (None, None) => None,
            (Some(_), None) => Some(Class::Static),
            (Some(s), Some(d)) if s > d => Some(Class::Static),
            _ => Some(Class::Dynamic),
        }
    }

    /// Classifies a file's sections in order. A subsection whose own heading matches no rule
    /// inherits from the nearest enclosing section whose heading did: under "Steps", "Pull
    /// recent logs" is an instruction, not news. Only then does dated prose make it dynamic.
    pub fn classify(&self, sections: &[SectionView<'_>]) -> Vec<Class> {
        let mut enclosing: Vec<(u8, Option<Class>)> = Vec::new();
        let mut out = Vec::with_capacity(sections.len());
        for section in sections {
            while enclosing.last().is_some_and(|(level, _)| *level >= section.level) {
                enclosing.pop();
            }
            let own = if section.level == 0 { None } else { self.heading_rule(section.heading) };
            let class = own
                .or_else(|| enclosing.iter().rev().find_map(|(_, class)| *class))
                .or_else(|| self.dated(section.text).then_some(Class::Dynamic))
                .unwrap_or(Class::Static);
            enclosing.push((section.level, own));
            out.push(class);
        }
        out
    }

    /// Whether prose outside code blocks holds a date, quarter, version or dated phrase.
    pub fn dated(&self, text: &str) -> bool {
        let prose = prose_lines(text).collect::<Vec<_>>().join("\n");
        let spaced = format!(" {} ", words_of(&prose));
        if self.phrases.iter().any(|p| spaced.contains(&format!(" {p} "))) {
            return true;
        }
        let tokens: Vec<String> = prose
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
            .filter(|w| !w.is_empty())
            .collect();
        tokens.iter().enumerate().any(|(i, word)| {
            let next_is_year = tokens.get(i + 1).is_some_and(|n| is_year(n));
            is_iso_date(word)
                || is_version(word)
                || is_quarter_word(word)
                || (next_is_year && (is_quarter(word) || MONTHS.contains(&word.as_str())))
        })
    }
}

/// Lines outside fenced code blocks: code examples hold versions and dates that are not news.
pub fn prose_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut fence: Option<(char, usize)> = None;
    text.lines().filter(move |line| {
        let t = line.trim_start();
        let ch = t.chars().next().filter(|c| *c == '`' || *c == '~');
        let run = ch.map_or(0, |c| t.chars().take_while(|x| *x == c).count());
        match (fence, ch) {
            (None, Some(c)) if run >= 3 => {
                fence = Some((c, run));
                false
            }
            (Some((c, n)), Some(x)) if x == c && run >= n && t.trim_end().chars().all(|y| y == c) => {
                fence = None;
                false
            }
            (Some(_), _) => false,
            (None, _) => true,
        }
    })
}

/// Lower-cased words joined by single spaces; apostrophes and hyphens stay inside words.
fn words_of(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_year(s: &str) -> bool {
    digits(s, 4) && (s.starts_with("19") || s.starts_with("20"))
}

fn is_iso_date(s: &str) -> bool {
    let parts: Vec<&str> = s.get(..10).unwrap_or(s).split('-').collect();
    let month_day = |p: &str, max: u32| digits(p, 2) && p.parse::<u32>().is_ok_and(|v| (1..=max).contains(&v));
    parts.len() == 3 && is_year(parts[0]) && month_day(parts[1], 12) && month_day(parts[2], 31)
}

/// `v1.2`, `v2.0.1`, or a bare three-part `1.2.3` (four parts would be an IP address).
fn is_version(s: &str) -> bool {
    let (bare, min_parts) = match s.strip_prefix('v') {
        Some(rest) => (rest, 2),
        None => (s, 3),
    };
    let parts: Vec<&str> = bare.split('.').collect();
    let numeric = parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let exact = bare.len() == s.len();
    numeric && parts.len() >= min_parts && (!exact || parts.len() == 3)
}

fn is_quarter(s: &str) -> bool {
    matches!(s, "q1" | "q2" | "q3" | "q4")
}

/// `2026-q3`, `q3-2026`, `q3/2026`.
fn is_quarter_word(s: &str) -> bool {
    s.split_once(['-', '/']).is_some_and(|(a, b)| (is_year(a) && is_quarter(b)) || (is_quarter(a) && is_year(b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classifier() -> Classifier {
        Classifier::new(&RestructureSettings::bundled())
    }

    fn view<'a>(level: u8, heading: &'a str, text: &'a str) -> SectionView<'a> {
        SectionView { level, heading, text }
    }

    #[test]
    fn headings_decide_first_and_the_longer_pattern_wins() {
        let c = classifier();
        assert_eq!(c.heading_rule("Safety Rules"), Some(Class::Static));
        assert_eq!(c.heading_rule("Current Focus"), Some(Class::Dynamic));
        assert_eq!(c.heading_rule("HTTP Status Codes"), Some(Class::Static));
        assert_eq!(c.heading_rule("1: Pull recent logs"), None);
        assert_eq!(c.heading_rule("Focus Areas"), Some(Class::Static));
        assert_eq!(c.heading_rule("Recent Changes"), Some(Class::Dynamic));
        assert_eq!(c.heading_rule("What's new"), Some(Class::Dynamic));
        assert_eq!(c.heading_rule("Controller notes"), None, "`role` must match at a word start only");
    }

    #[test]
    fn dated_or_versioned_prose_is_dynamic_but_code_is_not() {
        let c = classifier();
        assert!(c.dated("Sprint 26.18 (Q3 2026), agreed at planning."));
        assert!(c.dated("Priorities until 2026-08-18:"));
        assert!(c.dated("Shipped in v1.4 last week"));
        assert!(c.dated("Runs on 2.3.1 now"));
        assert!(c.dated("Planned for March 2026."));
        assert!(c.dated("Targets 2026-Q4."));
        assert!(c.dated("Last updated by the platform team."));
        assert!(!c.dated("Medium priority (this month): stagnant rankings."));
        assert!(!c.dated("Use Python 3.12 and read the docs as often as you can."));
        assert!(!c.dated("Serve 127.0.0.1 only; may 2 users share it?"));
        assert!(!c.dated("Example:\n\n```yaml\nversion: 1.0.0\ndate: 2024-01-01\n```\n"));
    }

    #[test]
    fn subsections_inherit_and_unmatched_sections_look_at_content() {
        let c = classifier();
        let sections = [
            view(0, "", "You are the reviewer."),
            view(1, "Reviewer", "Reviews code."),
            view(2, "Status", "- Stability: beta"),
            view(3, "Notes", "nothing dated here"),
            view(2, "Odds and ends", "Reviewed on 2026-01-02."),
            view(2, "Odds and ends", "plain"),
            view(2, "Safety Rules", "Never ship on 2026-01-02."),
            view(3, "Before 2026-01-02", "A dated subsection of a static section stays with it."),
        ];
        let got = c.classify(&sections);
        use Class::{Dynamic, Static};
        assert_eq!(got, vec![Static, Static, Dynamic, Dynamic, Dynamic, Static, Static, Static]);
    }
}
