//! An agent's prompt text as the layout wants it: the library's shared foundation (when the
//! library was restructured), the agent's static part, and its dynamic part.

use std::path::Path;

use anyhow::{Context as _, Result};

use crate::agents::AgentSummary;
use crate::agents::frontmatter;

use crate::agents::restructure::{DYNAMIC_MARKER, FOUNDATION_REL};

/// An agent's text, split for caching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentText {
    pub static_part: String,
    pub dynamic_part: String,
}

/// Reads an agent's file (its body, without front matter) and splits it at the dynamic marker;
/// a file without the marker is all static.
pub fn load(root: &Path, agent: &AgentSummary) -> Result<AgentText> {
    let path = root.join(&agent.rel_path);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading agent {} ({})", agent.id, path.display()))?;
    let body = frontmatter::split(&text).map(|s| s.body).unwrap_or(&text);
    Ok(split(body))
}

/// Splits at the marker.
pub fn split(body: &str) -> AgentText {
    match body.find(DYNAMIC_MARKER) {
        Some(at) => AgentText {
            static_part: body[..at].trim_end().to_string(),
            dynamic_part: body[at + DYNAMIC_MARKER.len()..].trim().to_string(),
        },
        None => AgentText { static_part: body.trim_end().to_string(), dynamic_part: String::new() },
    }
}

/// The key a block's exact size is kept under (`store::block_tokens`).
pub fn text_hash(text: &str) -> String {
    crate::agents::parse::hash(text.as_bytes())
}

/// The library's shared foundation, when it has one.
pub fn foundation(root: &Path) -> Result<Option<String>> {
    let path = root.join(FOUNDATION_REL);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_marker_or_not_at_all() {
        let t = split("# A\nstatic\n\n<!-- devteam:dynamic -->\n\n## Current Focus\nQ4\n");
        assert_eq!(t.static_part, "# A\nstatic");
        assert_eq!(t.dynamic_part, "## Current Focus\nQ4");
        let t = split("# A\nall static\n");
        assert_eq!((t.static_part.as_str(), t.dynamic_part.as_str()), ("# A\nall static", ""));
    }
}
