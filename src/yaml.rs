//! The one module that touches the YAML crate (`serde_yaml_ng`, a maintained fork of the
//! deprecated `serde_yaml` with the same API), so replacing it later touches only this file.

use serde::de::DeserializeOwned;

/// A YAML parse failure with its position, when the parser knows it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// The parser's message (it already names line and column where known).
    pub message: String,
    /// 1-based line of the problem, when known.
    pub line: Option<usize>,
}

/// Nesting beyond which YAML is refused before parsing: the parser's time grows quickly with
/// depth, and no file devteam reads needs more than a few levels.
pub const MAX_DEPTH: usize = 64;

/// Parses YAML text into `T`; text nested deeper than [`MAX_DEPTH`] (flow brackets, or
/// indentation in pairs of columns) is refused up front, so parsing takes bounded time.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    if let Some((line, depth)) = too_deep(text) {
        return Err(YamlError {
            message: format!("nested {depth} levels deep at line {line}, over {MAX_DEPTH}"),
            line: Some(line),
        });
    }
    serde_yaml_ng::from_str(text)
        .map_err(|e| YamlError { line: e.location().map(|l| l.line()), message: e.to_string() })
}

/// The first line where nesting passes [`MAX_DEPTH`], and the depth there.
fn too_deep(text: &str) -> Option<(usize, usize)> {
    let mut flow = 0usize;
    for (n, line) in text.lines().enumerate() {
        let indent = (line.len() - line.trim_start_matches([' ', '\t']).len()) / 2;
        for b in line.bytes() {
            match b {
                b'[' | b'{' => flow += 1,
                b']' | b'}' => flow = flow.saturating_sub(1),
                _ => {}
            }
            if flow > MAX_DEPTH {
                return Some((n + 1, flow));
            }
        }
        if indent > MAX_DEPTH {
            return Some((n + 1, indent));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = format!("a: {}{}\n", "[".repeat(100), "]".repeat(100));
        let err = from_str::<serde_yaml_ng::Value>(&deep).unwrap_err();
        assert!(err.message.contains("nested"), "{err}");
        let indented: String = (0..100).map(|i| format!("{}k{i}:\n", "  ".repeat(i))).collect();
        assert_eq!(from_str::<serde_yaml_ng::Value>(&indented).unwrap_err().line, Some(66));
        assert!(from_str::<serde_yaml_ng::Value>("a: [[1, 2], {b: c}]\n").is_ok());
    }

    #[test]
    fn reports_the_line_of_an_error() {
        let err = from_str::<std::collections::BTreeMap<String, String>>("a: 1\nb: [\n").unwrap_err();
        assert!(err.line.is_some(), "{err}");
    }
}
