//! Spend: the record of every billed API call, whoever made it, and the reports built on it.

pub mod claude_code;
pub mod daily;
pub mod groups;
pub mod html;
pub mod live;
pub mod period;
pub mod report;
pub mod savings;
pub mod suggest;
pub mod summary;

pub use crate::records::usage::{CallRecord, RoutingRecord, Source};

/// Dollars to micro-dollars, rounding to the nearest (ties to even, so that summing many
/// rounded costs does not drift one way).
pub fn to_micros(usd: f64) -> i64 {
    (usd * 1_000_000.0).round_ties_even() as i64
}

/// Micro-dollars to dollars.
pub fn to_usd(micros: i64) -> f64 {
    micros as f64 / 1_000_000.0
}
