//! A task's text, read once: prose words for cue matching, raw tokens for code-like entities,
//! sentences, and quoted literals. Identifiers and paths (`tenant_id`, `api/views.py`) stay one
//! token, so the words inside them never count as prose cues.

/// The text of a task, pre-split the ways the detectors need it.
#[derive(Debug, Clone)]
pub struct Text {
    /// Lower-case prose words, apostrophes dropped (`what's` is `whats`), hyphenated words
    /// split (`active-active` is two words); identifiers and paths kept whole.
    pub words: Vec<String>,
    /// Whitespace-separated tokens, original case, outer punctuation trimmed.
    pub tokens: Vec<String>,
    /// Whitespace-separated tokens exactly as written (quotes and marks included).
    pub raw: Vec<String>,
    /// Sentences with quoted literals removed, lower-case, each with its closing mark.
    pub sentences: Vec<String>,
    /// Text inside double quotes, typographic quotes or backticks.
    pub quoted: Vec<String>,
}

impl Text {
    pub fn new(task: &str) -> Self {
        let (unquoted, quoted) = split_quotes(task);
        Self {
            words: prose_words(task),
            tokens: task.split_whitespace().map(trim_outer).filter(|t| !t.is_empty()).map(str::to_string).collect(),
            raw: task.split_whitespace().map(str::to_string).collect(),
            sentences: sentences(&unquoted),
            quoted,
        }
    }

    /// The distinct cues of `cues` found in the words, in the order of the list. A cue is one
    /// or more words; a word ending in `*` matches any word that starts with it.
    pub fn find(&self, cues: &[&str]) -> Vec<String> {
        cues.iter().filter(|cue| self.has(cue)).map(|cue| cue.replace('*', "")).collect()
    }

    /// Whether one cue occurs.
    pub fn has(&self, cue: &str) -> bool {
        let parts: Vec<&str> = cue.split_whitespace().collect();
        if parts.is_empty() || parts.len() > self.words.len() {
            return false;
        }
        self.words.windows(parts.len()).any(|window| window.iter().zip(&parts).all(|(w, p)| word_matches(p, w)))
    }
}

fn word_matches(pattern: &str, word: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => word.starts_with(prefix),
        None => word == pattern,
    }
}

/// Trims punctuation around a token but keeps a leading dot (`.gitignore`), slash, dash
/// (`--verbose`) or hash (`#alerts`), which say what the token is.
pub fn trim_outer(token: &str) -> &str {
    let keep_lead = |c: char| c.is_alphanumeric() || matches!(c, '.' | '/' | '-' | '#' | '_');
    let start = token.find(keep_lead).unwrap_or(token.len());
    let token = &token[start..];
    // A closing parenthesis belongs to a call (`utcnow()`), not to a parenthesised word.
    let keep_paren = token.contains('(');
    token.trim_end_matches(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '/') || (c == ')' && keep_paren)))
}

fn prose_words(task: &str) -> Vec<String> {
    let lower = task.to_lowercase().replace(['\'', '\u{2019}'], "");
    let mut words = Vec::new();
    for token in lower.split(|c: char| c.is_whitespace() || c == '-' || c == '\u{2014}') {
        let token = token.trim_matches(|c: char| !c.is_alphanumeric() && c != '_');
        if token.is_empty() {
            continue;
        }
        if is_code_like(token) {
            words.push(token.to_string());
        } else {
            words.extend(token.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string));
        }
    }
    words
}

/// A token that names code or a file rather than being prose: it has an inner `_`, `/`, `.`,
/// `=` or `(`, as in `tenant_id`, `api/views.py`, `datetime.utcnow()`, `LOG_LEVEL=DEBUG`.
/// Version numbers (`2.3.1`) and decimals are not code.
pub fn is_code_like(token: &str) -> bool {
    let inner = token.trim_matches(|c: char| !c.is_alphanumeric());
    if inner.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return false;
    }
    inner.contains(['_', '/', '=', '(']) || has_inner_dot(inner)
}

fn has_inner_dot(token: &str) -> bool {
    let chars: Vec<char> = token.chars().collect();
    chars.windows(3).any(|w| w[1] == '.' && w[0].is_alphanumeric() && w[2].is_alphabetic())
}

/// Splits out quoted literals: double quotes, typographic quotes and backticks. Single quotes
/// double as apostrophes, so only `'x'` directly around a short token counts.
fn split_quotes(task: &str) -> (String, Vec<String>) {
    let mut unquoted = String::new();
    let mut quoted = Vec::new();
    let mut current: Option<(char, String)> = None;
    for c in task.chars() {
        match &mut current {
            Some((close, lit)) if c == *close => {
                quoted.push(std::mem::take(lit));
                current = None;
                unquoted.push_str(" \u{2026} ");
            }
            Some((_, lit)) => lit.push(c),
            None => match c {
                '"' => current = Some(('"', String::new())),
                '\u{201c}' => current = Some(('\u{201d}', String::new())),
                '`' => current = Some(('`', String::new())),
                _ => unquoted.push(c),
            },
        }
    }
    if let Some((_, lit)) = current {
        unquoted.push_str(&lit);
    }
    for token in task.split_whitespace() {
        let t = token.trim_end_matches([',', '.', ';', ':']);
        if t.len() > 2 && t.starts_with('\'') && t.ends_with('\'') {
            quoted.push(t.trim_matches('\'').to_string());
        }
    }
    (unquoted, quoted)
}

fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        current.push(c);
        let next = chars.get(i + 1).copied();
        // A dot inside a token (`api.py`, `2.3`) does not end a sentence.
        let ends = matches!(c, '?' | '!' | ';') || (c == '.' && next.is_none_or(char::is_whitespace));
        if ends {
            push_sentence(&mut out, &current);
            current.clear();
        }
    }
    push_sentence(&mut out, &current);
    out
}

fn push_sentence(out: &mut Vec<String>, s: &str) {
    let s = s.trim();
    if !s.is_empty() {
        out.push(s.to_lowercase().replace(['\'', '\u{2019}'], ""));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_stay_whole_and_prose_splits() {
        let t = Text::new("Fix test_concurrent_checkout in api/views.py; it's an active-active bug.");
        assert!(t.words.contains(&"test_concurrent_checkout".to_string()));
        assert!(t.words.contains(&"api/views.py".to_string()));
        assert!(t.words.contains(&"its".to_string()));
        assert!(t.has("active active"));
        assert!(!t.has("concurrent"));
        assert!(t.has("bu*"));
    }

    #[test]
    fn quotes_are_literals_and_sentences_split_on_marks() {
        let t = Text::new("Rename \"Submit?\" to 'Save'. Why does it fail? Bump to 2.3.1 now.");
        assert_eq!(t.quoted, vec!["Submit?".to_string(), "Save".to_string()]);
        assert_eq!(t.sentences.len(), 3, "{:?}", t.sentences);
        assert!(t.sentences[1].starts_with("why"));
        assert!(!t.sentences[0].contains('?'));
    }

    #[test]
    fn code_like_tokens() {
        for code in ["tenant_id", "api/views.py", "datetime.utcnow()", "X=1", ".env.example"] {
            assert!(is_code_like(code), "{code}");
        }
        for prose in ["2.3.1", "hello", "5.7"] {
            assert!(!is_code_like(prose), "{prose}");
        }
        assert_eq!(trim_outer("(.gitignore),"), ".gitignore");
        assert_eq!(trim_outer("--verbose"), "--verbose");
    }
}
