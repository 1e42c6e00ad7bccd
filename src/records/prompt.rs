//! Which blocks of a prompt the cache served, as recorded per call.

use serde::Serialize;

/// What a block of the prompt is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockKind {
    Foundation,
    Project,
    AgentStatic,
    AgentDynamic,
    Task,
}

/// What happened to a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CacheOutcome {
    /// Served from the cache.
    Read,
    /// Written to the cache by this call.
    Written,
    /// After the last breakpoint (or nothing cached): fresh input.
    Uncached,
}

impl CacheOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Written => "written",
            Self::Uncached => "uncached",
        }
    }
}

/// One block's share of a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockOutcome {
    pub kind: BlockKind,
    pub tokens: u64,
    pub outcome: CacheOutcome,
}

impl BlockKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Foundation => "foundation",
            Self::Project => "project",
            Self::AgentStatic => "agent-static",
            Self::AgentDynamic => "agent-dynamic",
            Self::Task => "task",
        }
    }
}
