//! The one integration-test binary: every test drives the real `devteam` binary in a sealed
//! temporary environment (its own HOME and XDG folders, no inherited DEVTEAM_* variables).

mod artifacts;
mod common;
mod dashboard;
mod discover;
mod eval;
mod extract_metadata;
mod settings;
mod usage;
