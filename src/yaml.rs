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

/// Parses YAML text into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_yaml_ng::from_str(text)
        .map_err(|e| YamlError { line: e.location().map(|l| l.line()), message: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_the_line_of_an_error() {
        let err = from_str::<std::collections::BTreeMap<String, String>>("a: 1\nb: [\n").unwrap_err();
        assert!(err.line.is_some(), "{err}");
    }
}
