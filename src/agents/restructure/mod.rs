//! `restructure-agents`: lays every agent file out for prompt caching. Static sections come
//! first, then the boundary line `<!-- devteam:dynamic -->`, then the sections that change
//! (current focus, status, dated notes). Sections that at least `min-agents` agents share, word
//! for word or nearly, move into one file, `<library>/_shared/foundation.md`, so that block is
//! cached once for every agent; each agent keeps a reference line
//! `<!-- devteam:shared foundation.md#<anchor> -->` where the section was, followed by any lines
//! its copy had that the shared text lacks. Nothing is lost: every line of every original
//! survives in the agent or in a block it references, and the plan is checked for that before
//! anything is written. Files that carry the boundary line are left alone, so a second run
//! changes nothing.

pub mod backup;
pub mod classify;
pub mod document;
pub mod foundation;
pub mod group;
pub mod normalize;
mod plan;
pub mod rewrite;

use std::path::PathBuf;

pub use plan::plan;

use crate::agents::scan::Skipped;

/// The boundary line: the static part above it, the dynamic part below.
pub const DYNAMIC_MARKER: &str = "<!-- devteam:dynamic -->";
/// How a reference line starts.
pub const SHARED_PREFIX: &str = "<!-- devteam:shared ";
/// The folder, at the library root, that holds shared text and no agents.
pub const SHARED_DIR: &str = "_shared";
/// The foundation file inside `SHARED_DIR`.
pub const FOUNDATION_FILE: &str = "foundation.md";

/// What restructuring one agent file gives.
#[derive(Debug, Clone)]
pub struct AgentPlan {
    pub id: String,
    pub rel_path: String,
    /// The file already carries the boundary line and is left as it is.
    pub already_restructured: bool,
    pub original: String,
    pub rewritten: String,
    pub front_matter_tokens: usize,
    /// Tokens above the boundary (references and kept lines included).
    pub static_tokens: usize,
    /// Tokens below the boundary.
    pub dynamic_tokens: usize,
    /// Tokens of the original before its first dynamic section: what caching could use
    /// without restructuring.
    pub before_static_tokens: usize,
    /// Tokens of the original after its front matter.
    pub before_tokens: usize,
    pub dynamic_sections: Vec<String>,
    /// Anchors of the shared blocks the file references.
    pub shared_refs: Vec<String>,
    /// Lines of hoisted copies that the shared blocks lack, kept in the agent.
    pub kept_lines: usize,
}

/// One shared block, old or new.
#[derive(Debug, Clone)]
pub struct BlockPlan {
    pub anchor: String,
    pub heading: String,
    pub tokens: usize,
    /// Ids of the agents that reference it (after the rewrite).
    pub agents: Vec<String>,
    /// Copies hoisted this run whose text is the canonical one (trailing spaces aside).
    pub exact_copies: usize,
    /// Copies hoisted this run that differ a little; their own lines stay in the agent.
    pub near_copies: usize,
    pub kept_lines: usize,
    /// Added to the foundation by this run.
    pub new: bool,
}

/// Everything a run would do.
#[derive(Debug, Clone)]
pub struct Plan {
    pub root: PathBuf,
    pub agents: Vec<AgentPlan>,
    pub blocks: Vec<BlockPlan>,
    pub foundation_before: Option<String>,
    /// The foundation after the run; equal to `foundation_before` when nothing is added.
    pub foundation_after: Option<String>,
    pub foundation_tokens: usize,
    /// Tokens of the foundation before the run (0 when there was none).
    pub foundation_before_tokens: usize,
    pub skipped: Vec<Skipped>,
    /// Notes as (relative path, message): references to blocks that do not exist, ...
    pub warnings: Vec<(String, String)>,
}

/// One file a write changes.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    pub rel_path: &'a str,
    pub before: Option<&'a str>,
    pub after: &'a str,
}

impl Plan {
    /// The files whose bytes would change, foundation first.
    pub fn changes(&self) -> Vec<Change<'_>> {
        let mut out = Vec::new();
        if let Some(after) = &self.foundation_after
            && self.foundation_before.as_ref() != Some(after)
        {
            let rel_path = FOUNDATION_REL;
            out.push(Change { rel_path, before: self.foundation_before.as_deref(), after });
        }
        for agent in self.agents.iter().filter(|a| a.rewritten != a.original) {
            out.push(Change { rel_path: &agent.rel_path, before: Some(&agent.original), after: &agent.rewritten });
        }
        out
    }
}

/// The foundation's path relative to the library root.
pub const FOUNDATION_REL: &str = "_shared/foundation.md";
