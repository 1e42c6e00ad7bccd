//! The one integration-test binary: every test drives the real `devteam` binary in a sealed
//! temporary environment (its own HOME and XDG folders, no inherited DEVTEAM_* variables).

mod ab;
mod artifacts;
mod billing;
mod budget;
mod caching;
mod claude_logs;
mod clock;
mod common;
mod dashboard;
mod day;
mod day_suggest;
mod discover;
mod embeddings;
mod eval;
mod extract_metadata;
mod faults;
mod first_hour;
mod learn;
mod orchestrate;
mod pg;
mod plan_decisions;
mod restructure_agents;
mod retired;
mod routing;
mod run;
mod settings;
mod shared_store;
mod snapshots;
mod spend;
mod stages;
mod suggest;
mod usage;
mod usage_daily;
mod usage_import;
mod warm_cache;
