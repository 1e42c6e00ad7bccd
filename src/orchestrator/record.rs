//! What a run leaves in the store: neutral records, re-exported where the orchestrator used them.

pub use crate::records::run::*;
