//! What the store keeps about how a routed task went, in the shape the learner reads.

use serde::Serialize;

use crate::routing::learned::is_learned;
use crate::routing::{Contribution, Feature, Tier};

/// How a routed call ended, as recorded when it ended.
pub mod outcome {
    /// Succeeded on the tier it was routed to.
    pub const OK: &str = "ok";
    /// Refused on its first tier and answered one tier up.
    pub const UPGRADED: &str = "upgraded";
    /// Did not produce an answer, even after an upgrade.
    pub const FAILED: &str = "failed";
    /// A budget refused it: says nothing about the tier.
    pub const BLOCKED: &str = "blocked";
    /// The model refused and no tier up could be tried (a budget, an API error).
    pub const REFUSED: &str = "refused";
    /// Stopped at `max_tokens`: the output budget was short, which says nothing about the tier.
    pub const MAX_TOKENS: &str = "max_tokens";
    /// An API error after the client's retries (transient, 4xx): nothing about the tier.
    pub const ERROR: &str = "error";
    /// Interrupted (Ctrl-C, SIGTERM) before it ended.
    pub const CANCELLED: &str = "cancelled";
    /// A planned subtask not run because a subtask it depends on failed.
    pub const SKIPPED: &str = "skipped";
    /// A planned subtask recorded when the run started and not ended yet: a run killed
    /// outright leaves it so, which says nothing about the tier.
    pub const RUNNING: &str = "running";
}

/// A verdict given to a run after it ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub run_id: String,
    pub ts_ms: i64,
    pub good: bool,
    /// `person` (`runs feedback`) or `check` (`run --check`).
    pub source: String,
    pub note: String,
    pub command: Option<String>,
    pub exit_code: Option<i32>,
}

/// One routing decision and everything known about how it went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeRow {
    pub id: i64,
    pub ts_ms: i64,
    pub run_id: Option<String>,
    pub task: String,
    /// The score routed on (learned points included).
    pub score: f64,
    pub tier: String,
    pub pressure: String,
    pub contributions: Vec<Contribution>,
    pub outcome: String,
    pub upgraded_to: Option<String>,
    pub upgrade_reason: Option<String>,
    /// The run's latest verdict, if any.
    pub verdict: Option<bool>,
    /// What the run's calls cost, micro-dollars.
    pub cost_micros: i64,
}

/// What an outcome says about the tier the task was first sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// The tier did the job.
    Enough,
    /// The task needed more than this tier: it was upgraded, failed, or judged bad.
    TooLow,
    /// Nothing to learn (blocked by a budget, or failed on the top tier).
    Unknown,
}

impl OutcomeRow {
    /// The tier the task was first sent to.
    pub fn tier(&self) -> Option<Tier> {
        Tier::parse(&self.tier)
    }

    /// The base router's score: the routed score without learned points, so learning twice
    /// does not count its own adjustments as evidence.
    pub fn base_score(&self) -> f64 {
        let learned: f64 = self.contributions.iter().filter(|c| is_learned(c)).map(|c| c.points).sum();
        ((self.score - learned) * 100.0).round() / 100.0
    }

    /// The features the base router saw fire.
    pub fn features(&self) -> impl Iterator<Item = Feature> + '_ {
        self.contributions.iter().filter(|c| !is_learned(c)).map(|c| c.feature)
    }

    pub fn label(&self) -> Label {
        let top = self.tier() == Some(Tier::Opus);
        match (self.outcome.as_str(), self.verdict) {
            (
                outcome::BLOCKED
                | outcome::ERROR
                | outcome::CANCELLED
                | outcome::MAX_TOKENS
                | outcome::SKIPPED
                | outcome::RUNNING,
                _,
            ) => Label::Unknown,
            (outcome::UPGRADED, _) => Label::TooLow,
            (outcome::REFUSED, _) if top => Label::Unknown,
            (outcome::REFUSED, _) => Label::TooLow,
            (outcome::FAILED, _) if top => Label::Unknown,
            (outcome::FAILED, _) => Label::TooLow,
            // A bad verdict on the top tier is not a routing miss.
            (_, Some(false)) if top => Label::Unknown,
            (_, Some(false)) => Label::TooLow,
            _ => Label::Enough,
        }
    }
}
