//! YAML front matter: split it from the body and read it, strictly first and then with a
//! lenient line parser, because public collections hold front matter that strict YAML
//! rejects (an unquoted `Triggers on: 'review'` inside a description, say).

use std::collections::BTreeMap;

use serde::Deserialize;

/// The fields devteam reads from front matter; other keys are ignored.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FrontMatter {
    pub name: Option<String>,
    pub description: Option<String>,
    pub tools: Vec<String>,
    pub model: Option<String>,
}

/// Front matter and the body after it.
#[derive(Debug)]
pub struct Split<'a> {
    /// The YAML between the `---` fences, when the file starts with one.
    pub yaml: Option<&'a str>,
    /// The Markdown body.
    pub body: &'a str,
}

/// Why front matter could not be read at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FrontMatterError {
    #[error("front matter opened with `---` on line 1 is never closed")]
    Unterminated,
    #[error("front matter is neither valid YAML ({0}) nor `key: value` lines")]
    Unreadable(String),
}

/// Separates front matter from the body. A file that does not start with `---` has none.
pub fn split(text: &str) -> Result<Split<'_>, FrontMatterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text.strip_prefix("---").filter(|r| r.starts_with('\n') || r.starts_with("\r\n")) else {
        return Ok(Split { yaml: None, body: text });
    };
    let rest = rest.trim_start_matches('\r').strip_prefix('\n').unwrap_or(rest);
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" || line.trim_end() == "..." {
            return Ok(Split { yaml: Some(&rest[..offset]), body: &rest[offset + line.len()..] });
        }
        offset += line.len();
    }
    Err(FrontMatterError::Unterminated)
}

#[derive(Deserialize)]
struct Strict {
    name: Option<Scalar>,
    description: Option<Scalar>,
    tools: Option<Tools>,
    model: Option<Scalar>,
}

/// YAML scalars that people write where a string is meant (`name: 2024-planner`, `model: 4`).
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Number(f64),
    Bool(bool),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Tools {
    List(Vec<String>),
    Text(String),
}

/// Front matter larger than this is not given to the YAML parser (real ones are a few KB).
pub const MAX_STRICT_BYTES: usize = 64 * 1024;
/// Nesting (flow brackets, or indentation in columns) beyond which the YAML parser's time is
/// no longer bounded well; such front matter goes to the line parser directly.
pub const MAX_STRICT_DEPTH: usize = 64;

/// Why front matter is too big or deep for the strict parser, if it is.
fn too_complex(yaml: &str) -> Option<String> {
    if yaml.len() > MAX_STRICT_BYTES {
        return Some(format!("{} bytes, over {MAX_STRICT_BYTES}", yaml.len()));
    }
    let (mut depth, mut deepest) = (0usize, 0usize);
    for b in yaml.bytes() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let indent = yaml.lines().map(|l| l.len() - l.trim_start_matches([' ', '\t']).len()).max().unwrap_or(0);
    let deepest = deepest.max(indent / 2);
    (deepest > MAX_STRICT_DEPTH).then(|| format!("nested {deepest} deep, over {MAX_STRICT_DEPTH}"))
}

/// Reads front matter, in time linear in its size. Returns the fields and, when strict YAML
/// failed (or was not tried: too big or too deeply nested) but the lenient parser succeeded, a
/// warning that says so.
pub fn parse(yaml: &str) -> Result<(FrontMatter, Option<String>), FrontMatterError> {
    if let Some(why) = too_complex(yaml) {
        let lenient = parse_lenient(yaml);
        if lenient.name.is_none() && lenient.description.is_none() {
            return Err(FrontMatterError::Unreadable(format!("front matter is {why}")));
        }
        return Ok((lenient, Some(format!("front matter is {why}; read it line by line"))));
    }
    match crate::yaml::from_str::<Option<Strict>>(yaml) {
        Ok(strict) => Ok((strict.map(FrontMatter::from).unwrap_or_default(), None)),
        Err(err) => {
            let lenient = parse_lenient(yaml);
            if lenient.name.is_none() && lenient.description.is_none() {
                return Err(FrontMatterError::Unreadable(err.message));
            }
            Ok((lenient, Some(format!("front matter is not valid YAML ({}); read it line by line", err.message))))
        }
    }
}

impl From<Strict> for FrontMatter {
    fn from(s: Strict) -> Self {
        Self {
            name: s.name.map(Scalar::into_string).filter(|n| !n.is_empty()),
            description: s.description.map(Scalar::into_string).filter(|d| !d.is_empty()),
            tools: match s.tools {
                Some(Tools::List(list)) => list,
                Some(Tools::Text(text)) => split_list(&text),
                None => Vec::new(),
            },
            model: s.model.map(Scalar::into_string).filter(|m| !m.is_empty()),
        }
    }
}

impl Scalar {
    fn into_string(self) -> String {
        match self {
            Self::Text(t) => t.trim().to_string(),
            Self::Number(n) => n.to_string(),
            Self::Bool(b) => b.to_string(),
        }
    }
}

/// `key: value` lines at column 0; indented lines continue the previous value; `- item`
/// lines under an empty value form a list.
fn parse_lenient(yaml: &str) -> FrontMatter {
    let mut fields: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in yaml.lines() {
        let starts_indented = line.starts_with([' ', '\t']);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !starts_indented && let Some((key, value)) = key_value(trimmed) {
            current = Some(key.to_string());
            fields.entry(key.to_string()).or_default().push(unquote(value).to_string());
        } else if let Some(key) = &current {
            let item = trimmed.strip_prefix("- ").unwrap_or(trimmed);
            fields.entry(key.clone()).or_default().push(unquote(item).to_string());
        }
    }
    let text =
        |k: &str| fields.get(k).map(|v| v.iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join(" "));
    let nonempty = |s: Option<String>| s.filter(|s| !s.is_empty());
    FrontMatter {
        name: nonempty(text("name")),
        description: nonempty(text("description")),
        tools: fields.get("tools").map(|v| v.iter().flat_map(|s| split_list(s)).collect()).unwrap_or_default(),
        model: nonempty(text("model")),
    }
}

fn key_value(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let valid = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    valid.then(|| (key, value.trim()))
}

fn unquote(value: &str) -> &str {
    let v = value.trim();
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v.trim_start_matches(['>', '|', '-']).trim()
}

/// `Read, Grep` or `[Read, Grep]` into items.
fn split_list(text: &str) -> Vec<String> {
    text.trim_matches(['[', ']']).split(',').map(|t| unquote(t).to_string()).filter(|t| !t.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_from_body() {
        let s = split("---\nname: a\n---\n# A\nbody").unwrap();
        assert_eq!(s.yaml, Some("name: a\n"));
        assert_eq!(s.body, "# A\nbody");
        assert!(split("# no front matter\n").unwrap().yaml.is_none());
        assert_eq!(split("---\nname: a\n").unwrap_err(), FrontMatterError::Unterminated);
    }

    #[test]
    fn strict_yaml_with_tool_list_or_string() {
        let (fm, warning) = parse("name: a\ndescription: Does x.\ntools: Read, Grep\nmodel: sonnet\n").unwrap();
        assert_eq!(fm.tools, vec!["Read", "Grep"]);
        assert!(warning.is_none());
        let (fm, _) = parse("name: a\ntools: [Read, Bash]\n").unwrap();
        assert_eq!(fm.tools, vec!["Read", "Bash"]);
    }

    #[test]
    fn falls_back_to_lines_when_yaml_rejects_it() {
        let yaml = "name: reviewer\ndescription: Reviews code. Triggers on: 'review', \"audit\"\nmodel: opus\n";
        let (fm, warning) = parse(yaml).unwrap();
        assert_eq!(fm.name.as_deref(), Some("reviewer"));
        assert!(fm.description.unwrap().contains("Triggers on"));
        assert!(warning.unwrap().contains("not valid YAML"));
    }

    #[test]
    fn deep_or_huge_front_matter_skips_the_yaml_parser() {
        let deep = format!("name: deep\ndescription: d\nx: {}{}\n", "[".repeat(500), "]".repeat(500));
        let (fm, warning) = parse(&deep).unwrap();
        assert_eq!(fm.name.as_deref(), Some("deep"));
        assert!(warning.unwrap().contains("nested 500 deep"));
        let indented: String = (0..200).map(|i| format!("{}k{i}:\n", " ".repeat(i * 2))).collect();
        assert!(matches!(parse(&indented), Err(FrontMatterError::Unreadable(why)) if why.contains("deep")));
        let huge = format!("name: big\ndescription: {}\n", "word ".repeat(20_000));
        assert!(parse(&huge).unwrap().1.unwrap().contains("bytes"));
    }

    #[test]
    fn garbage_is_an_error_with_the_yaml_message() {
        let err = parse("[[[: :\n  - }{").unwrap_err();
        assert!(matches!(err, FrontMatterError::Unreadable(_)));
    }
}
