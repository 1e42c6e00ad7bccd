//! The agent library: finding agent files, reading them leniently, and turning each into a
//! domain `Agent` with a compact metadata card and the text the index ranks on.

pub mod card;
pub mod frontmatter;
pub mod index;
pub mod keywords;
pub mod markdown;
pub mod parse;
pub mod restructure;
pub mod scan;

use serde::Serialize;

/// How an agent is laid out on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// `<id>/CLAUDE.md`.
    Folder,
    /// A Claude Code subagent file, `<id>.md` with front matter.
    Subagent,
}

impl Layout {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Folder => "folder",
            Self::Subagent => "subagent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "folder" => Some(Self::Folder),
            "subagent" => Some(Self::Subagent),
            _ => None,
        }
    }
}

/// A section's heading and size, kept in the index so that callers can plan prompts
/// without reading the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionInfo {
    pub heading: String,
    pub level: u8,
    pub tokens: usize,
}

/// The text the ranking reads, one field per weighted index column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexText {
    /// The id and name split into words.
    pub name: String,
    pub description: String,
    /// Expertise bullets and terms the author marked as important.
    pub capabilities: String,
    /// Example requests and "when to use" text, the closest to how users phrase tasks.
    pub examples: String,
    pub headings: String,
    /// The rest, without sections about other agents and without other agents' ids.
    pub body: String,
}

/// One indexed agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub id: String,
    /// Path relative to the library root, with `/` separators.
    pub rel_path: String,
    pub layout: Layout,
    pub name: String,
    pub description: String,
    pub tools: Vec<String>,
    pub model_hint: Option<String>,
    pub capabilities: Vec<String>,
    pub keywords: Vec<String>,
    pub sections: Vec<SectionInfo>,
    pub content_hash: String,
    pub full_tokens: usize,
    pub card: String,
    pub card_tokens: usize,
    pub index: IndexText,
    /// Things worth telling the user that did not stop indexing (lenient front matter, ...).
    pub warnings: Vec<String>,
}

/// What the index keeps about an agent for listing, ranking output and prompt planning;
/// the full text stays on disk until a chosen agent needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentSummary {
    pub id: String,
    pub name: String,
    pub description: String,
    pub rel_path: String,
    pub layout: Layout,
    pub model_hint: Option<String>,
    pub tools: Vec<String>,
    pub card: String,
    pub card_tokens: usize,
    pub full_tokens: usize,
    pub warnings: Vec<String>,
}
