//! Labeled-data files for `eval`: a header row, then two TAB-separated columns per line. Blank
//! lines and `#` comments are skipped; errors name the file and the line.

use std::path::Path;

use anyhow::{Context as _, Result};

use crate::error::UserError;

/// One data line: its 1-based number and its two columns, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub first: String,
    pub second: String,
}

/// Reads the rows of `path`; `shape` (e.g. "task<TAB>id,id,...") is quoted in errors.
pub fn read(path: &Path, shape: &str) -> Result<Vec<Row>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading labels {}", path.display()))?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (first, second) = line.split_once('\t').ok_or_else(|| error(path, i + 1, "no TAB", shape))?;
        rows.push(Row { line: i + 1, first: first.trim().to_string(), second: second.trim().to_string() });
    }
    if rows.is_empty() {
        return Err(UserError::new(format!("{}: no labeled tasks after the header row", path.display())).into());
    }
    Ok(rows)
}

/// An error about one line of a labels file.
pub fn error(path: &Path, line: usize, why: &str, shape: &str) -> UserError {
    UserError::new(format!("{}:{line}: {why}; expected `{shape}`", path.display()))
}
