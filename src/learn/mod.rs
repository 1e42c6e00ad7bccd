//! Learning from outcomes: every routed task ends with an outcome (succeeded first time,
//! upgraded, failed) and may get a verdict afterwards (`runs feedback`, `run --check`); the
//! learner turns them into bounded adjustments of the router (`route learn`), A/B tests compare
//! two ways of running (`ab`), and `usage suggest` says where money goes to waste.

pub mod bootstrap;
pub mod check;
pub mod config_edit;
pub mod propose;
pub mod record;
#[cfg(test)]
mod replay;
pub mod settings;
pub mod stats;
pub mod view;
