//! The one integration-test binary: every test drives the real `devteam` binary in a sealed
//! temporary environment (its own HOME and XDG folders, no inherited DEVTEAM_* variables).

mod artifacts;
mod budget;
mod caching;
mod claude_logs;
mod common;
mod dashboard;
mod discover;
mod embeddings;
mod eval;
mod extract_metadata;
mod orchestrate;
mod restructure_agents;
mod routing;
mod run;
mod settings;
mod spend;
mod usage;
mod usage_daily;
mod usage_import;
mod warm_cache;
