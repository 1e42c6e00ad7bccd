//! A built project context as stored, with what it was built from.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// What a context was built from: each source with its size and mtime, so a rebuild is only
/// needed when one of them changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceStamp {
    pub path: String,
    pub size: u64,
    pub mtime_ns: i64,
}

/// A built context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectContext {
    pub root: PathBuf,
    pub text: String,
    pub tokens: usize,
    /// xxh3 of `text`, hex.
    pub hash: String,
    pub sources: Vec<SourceStamp>,
}
