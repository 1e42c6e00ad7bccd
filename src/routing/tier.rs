//! Model tiers, the score ranges that select them, budget pressure, and the upgrade-on-failure
//! policy. Nothing here knows about text: it maps a 0-10 complexity score to a tier.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The score, 0-10, from which a task goes to Sonnet unless configured.
pub const DEFAULT_SONNET_FROM: f64 = 3.0;
/// The score from which a task goes to Opus unless configured.
pub const DEFAULT_OPUS_FROM: f64 = 6.5;
/// The top of the complexity scale.
pub const MAX_SCORE: f64 = 10.0;

/// A model tier, cheapest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Haiku,
    Sonnet,
    Opus,
}

impl Tier {
    /// Every tier, cheapest first.
    pub const ALL: [Tier; 3] = [Tier::Haiku, Tier::Sonnet, Tier::Opus];

    /// The next tier up, if any.
    pub fn up(self) -> Option<Tier> {
        match self {
            Tier::Haiku => Some(Tier::Sonnet),
            Tier::Sonnet => Some(Tier::Opus),
            Tier::Opus => None,
        }
    }

    /// The next tier down, if any.
    pub fn down(self) -> Option<Tier> {
        match self {
            Tier::Haiku => None,
            Tier::Sonnet => Some(Tier::Haiku),
            Tier::Opus => Some(Tier::Sonnet),
        }
    }

    /// The lower-case name used in labels, config and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Haiku => "haiku",
            Tier::Sonnet => "sonnet",
            Tier::Opus => "opus",
        }
    }

    /// Parses a lower-case tier name (case-insensitive).
    pub fn parse(name: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Position on the ladder, 0 for Haiku.
    pub fn rank(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How hard the budget is pressing. The budget feature decides it; routing only obeys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pressure {
    /// Route by complexity alone.
    #[default]
    Normal,
    /// Spend less: every range moves up the scale by one tier's width, so a task needs the
    /// score that would have put it one tier higher.
    Economy,
}

/// Why an attempt on a tier did not produce a usable answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// The request kept failing after the API client's own retries.
    FailedAfterRetries,
    /// The answer stopped at `max_tokens` before it was complete.
    StoppedAtMaxTokens,
    /// The model declined the task.
    Refusal,
}

/// The tier to retry a failed attempt on: one tier up, whatever the failure, because each of
/// them is more often a capability limit than bad luck on the same model. Opus has no upgrade.
/// The caller retries once: an attempt that was itself an upgrade is not upgraded again.
pub fn upgrade(tier: Tier, failure: FailureKind) -> Option<Tier> {
    match failure {
        FailureKind::FailedAfterRetries | FailureKind::StoppedAtMaxTokens | FailureKind::Refusal => tier.up(),
    }
}

/// The scores at which Sonnet and Opus start. Below `sonnet` a task goes to Haiku.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub sonnet: f64,
    pub opus: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self { sonnet: DEFAULT_SONNET_FROM, opus: DEFAULT_OPUS_FROM }
    }
}

impl Thresholds {
    /// Checks `0 < sonnet < opus <= 10`, naming the offending key.
    pub fn validate(self) -> Result<Self, String> {
        if !(self.sonnet > 0.0 && self.sonnet < MAX_SCORE) {
            return Err(format!("sonnet: {} is outside the score scale (0, {MAX_SCORE})", self.sonnet));
        }
        if !(self.opus > self.sonnet && self.opus <= MAX_SCORE) {
            return Err(format!("opus: {} must be above sonnet ({}) and at most {MAX_SCORE}", self.opus, self.sonnet));
        }
        Ok(self)
    }

    /// The thresholds in force under `pressure`: Economy raises both by the width of the
    /// Sonnet range. Scores top out at 10, so Opus may then be out of reach, which is the point.
    pub fn under(self, pressure: Pressure) -> Thresholds {
        match pressure {
            Pressure::Normal => self,
            Pressure::Economy => {
                let width = self.opus - self.sonnet;
                Thresholds { sonnet: self.opus, opus: self.opus + width }
            }
        }
    }

    /// The tier for a score under `pressure`.
    pub fn tier(self, score: f64, pressure: Pressure) -> Tier {
        let t = self.under(pressure);
        if score >= t.opus {
            Tier::Opus
        } else if score >= t.sonnet {
            Tier::Sonnet
        } else {
            Tier::Haiku
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_and_down_walk_the_ladder() {
        assert_eq!(Tier::Haiku.up(), Some(Tier::Sonnet));
        assert_eq!(Tier::Sonnet.up(), Some(Tier::Opus));
        assert_eq!(Tier::Opus.up(), None);
        assert_eq!(Tier::Opus.down(), Some(Tier::Sonnet));
        assert_eq!(Tier::Haiku.down(), None);
        assert_eq!(Tier::parse(" Opus"), Some(Tier::Opus));
        assert_eq!(Tier::parse("gpt"), None);
    }

    #[test]
    fn default_thresholds_split_the_scale() {
        let t = Thresholds::default();
        assert_eq!(t.tier(0.0, Pressure::Normal), Tier::Haiku);
        assert_eq!(t.tier(2.99, Pressure::Normal), Tier::Haiku);
        assert_eq!(t.tier(3.0, Pressure::Normal), Tier::Sonnet);
        assert_eq!(t.tier(6.49, Pressure::Normal), Tier::Sonnet);
        assert_eq!(t.tier(6.5, Pressure::Normal), Tier::Opus);
        assert_eq!(t.tier(10.0, Pressure::Normal), Tier::Opus);
    }

    #[test]
    fn economy_shifts_each_range_down_one_tier() {
        let t = Thresholds::default();
        assert_eq!(t.tier(4.0, Pressure::Economy), Tier::Haiku);
        assert_eq!(t.tier(6.0, Pressure::Economy), Tier::Haiku);
        assert_eq!(t.tier(6.5, Pressure::Economy), Tier::Sonnet);
        assert_eq!(t.tier(9.9, Pressure::Economy), Tier::Sonnet);
        assert_eq!(t.tier(10.0, Pressure::Economy), Tier::Opus);
        for score in [0.0, 2.0, 3.0, 5.0, 6.5, 9.0, 10.0] {
            assert!(t.tier(score, Pressure::Economy) <= t.tier(score, Pressure::Normal));
        }
    }

    #[test]
    fn thresholds_must_be_ordered_and_on_the_scale() {
        assert!(Thresholds::default().validate().is_ok());
        let bad = |sonnet, opus| Thresholds { sonnet, opus }.validate().unwrap_err();
        assert!(bad(5.0, 4.0).starts_with("opus"));
        assert!(bad(0.0, 4.0).starts_with("sonnet"));
        assert!(bad(3.0, 11.0).starts_with("opus"));
    }

    #[test]
    fn failures_retry_one_tier_up_and_opus_has_nowhere_to_go() {
        for kind in [FailureKind::FailedAfterRetries, FailureKind::StoppedAtMaxTokens, FailureKind::Refusal] {
            assert_eq!(upgrade(Tier::Haiku, kind), Some(Tier::Sonnet));
            assert_eq!(upgrade(Tier::Sonnet, kind), Some(Tier::Opus));
            assert_eq!(upgrade(Tier::Opus, kind), None);
        }
    }
}
