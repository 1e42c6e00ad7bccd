//! Budgets that hold when many processes spend at once.
//!
//! Every API call first *reserves* its worst-case cost against every budget that applies (the
//! global ones and its project's), in one immediate SQLite transaction that checks
//! `spent + live reservations + this call <= limit` for each; after the call the reservation is
//! *settled* to the real cost. A reservation left by a killed process expires. Alerts fire once
//! per window and threshold; the mode in force (normal, warn, economy, blocked) is what the
//! router reads.

mod alerts;
mod error;
mod guard;
pub mod holder;
mod money;
mod notify;
mod state;

#[cfg(test)]
mod race_tests;

use std::time::Duration;

use jiff::tz::TimeZone;
use serde::Serialize;

pub use crate::records::budget::{Budget, Scope, Totals};
pub use crate::records::window::{Bounds, Window, human_duration, rfc3339, tz_name};
pub use alerts::Alert;
pub use error::{BudgetError, Exceeded, Unit};
pub use guard::{Guard, Request, Reservation};
#[expect(unused_imports, reason = "the call-site API of `devteam run`, wired in at merge")]
pub use money::worst_case_micros;
pub use money::{format_limit_usd, format_usd, parse_usd};
pub use notify::Notifier;
pub use state::{BudgetState, evaluate, pressure};

/// How long a reservation lives unless configured: longer than the API's 10-minute limit on a
/// non-streaming request, so a live call never loses its reservation.
pub const DEFAULT_RESERVATION_TTL: Duration = Duration::from_secs(15 * 60);

/// What spending is allowed to do now, from least to most restricted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Below the warning threshold.
    Normal,
    /// Past the warning threshold: spending continues, people are told.
    Warn,
    /// Past the economy threshold: the router shifts a tier down, caps `max_tokens`, drops
    /// optional agents.
    Economy,
    /// At the blocking threshold: reservations are refused.
    Blocked,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Warn => "warn",
            Self::Economy => "economy",
            Self::Blocked => "blocked",
        }
    }
}

/// The three alert thresholds, in percent of a limit: warn, economy, block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    pub warn: u8,
    pub economy: u8,
    pub block: u8,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self { warn: 70, economy: 85, block: 100 }
    }
}

impl Thresholds {
    /// Three strictly increasing whole percentages between 1 and 100.
    pub fn from_list(list: &[u32]) -> Result<Self, String> {
        let [warn, economy, block] = list else {
            return Err(format!("expected three percentages [warn, economy, block], got {}", list.len()));
        };
        let pct = |v: u32| u8::try_from(v).ok().filter(|v| (1..=100).contains(v));
        match (pct(*warn), pct(*economy), pct(*block)) {
            (Some(w), Some(e), Some(b)) if w < e && e < b => Ok(Self { warn: w, economy: e, block: b }),
            _ => Err(format!("{list:?}: expected three increasing percentages between 1 and 100, e.g. [70, 85, 100]")),
        }
    }

    /// The mode for a share of a limit used, in percent.
    pub fn mode(&self, used_pct: f64) -> Mode {
        if used_pct >= f64::from(self.block) {
            Mode::Blocked
        } else if used_pct >= f64::from(self.economy) {
            Mode::Economy
        } else if used_pct >= f64::from(self.warn) {
            Mode::Warn
        } else {
            Mode::Normal
        }
    }

    /// The part of a limit reservations may fill: the blocking threshold's share of it.
    pub fn cap(&self, limit: i64) -> i64 {
        limit.saturating_mul(i64::from(self.block)) / 100
    }
}

/// How budgets are evaluated: the time zone that draws the calendar windows, the thresholds,
/// and how long a reservation outlives a silent process.
#[derive(Debug, Clone)]
pub struct Policy {
    pub timezone: TimeZone,
    pub thresholds: Thresholds,
    pub reservation_ttl: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self { timezone: TimeZone::UTC, thresholds: Thresholds::default(), reservation_ttl: DEFAULT_RESERVATION_TTL }
    }
}

/// Percent of `limit` that `used` is; an empty limit is fully used as soon as anything is.
pub fn pct(used: i64, limit: i64) -> f64 {
    if limit <= 0 {
        return if used > 0 { f64::INFINITY } else { 0.0 };
    }
    used as f64 * 100.0 / limit as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_pick_the_mode_and_reject_bad_lists() {
        let t = Thresholds::default();
        assert_eq!(t.mode(69.9), Mode::Normal);
        assert_eq!(t.mode(70.0), Mode::Warn);
        assert_eq!(t.mode(85.0), Mode::Economy);
        assert_eq!(t.mode(100.0), Mode::Blocked);
        assert_eq!(Thresholds::from_list(&[50, 80, 95]), Ok(Thresholds { warn: 50, economy: 80, block: 95 }));
        assert!(Thresholds::from_list(&[85, 70, 100]).is_err());
        assert!(Thresholds::from_list(&[70, 85]).is_err());
        assert!(Thresholds::from_list(&[70, 85, 101]).is_err());
        assert!(Thresholds::from_list(&[0, 85, 100]).is_err());
    }

    #[test]
    fn the_cap_is_the_blocking_share_of_the_limit() {
        let t = Thresholds::from_list(&[50, 80, 90]).unwrap();
        assert_eq!(t.cap(5_000_000), 4_500_000);
        assert_eq!(Thresholds::default().cap(5_000_000), 5_000_000);
        assert_eq!(Thresholds::default().cap(i64::MAX), i64::MAX / 100);
    }

    #[test]
    fn percent_of_an_empty_limit() {
        assert_eq!(pct(0, 0), 0.0);
        assert!(pct(1, 0).is_infinite());
        assert_eq!(pct(850_000, 1_000_000), 85.0);
    }
}
