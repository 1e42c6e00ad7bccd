//! What the store keeps about how a routed task went, in the shape the learner reads.

pub use crate::records::routing::{OutcomeRow, Verdict, outcome};
use crate::routing::learned::is_learned;
use crate::routing::{Feature, Tier};

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
