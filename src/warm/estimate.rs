//! The estimate behind every warm-up decision: on past days at this time of day, how many calls
//! would a warm-up now have turned from cache misses into hits?
//!
//! The coming minutes are predicted from past days of the same kind as today (weekdays when
//! today is a weekday, weekend days on a weekend), because teams use agents on a working week;
//! when the lookback holds no day of that kind, every day counts. The present is not predicted
//! but known: whether the entry is alive now comes from today's calls.

use anyhow::{Context as _, Result};
use jiff::civil::Weekday;
use jiff::{Span, ZonedDateTime};
use serde::Serialize;

/// Calls that start within this of each other are taken to run in parallel: an entry becomes
/// readable only once the first response begins, so they all miss. Two seconds is a typical
/// time to first token for a prompt of a few thousand tokens.
pub const PARALLEL_MS: i64 = 2_000;

/// Which past days the estimate averages over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DaysCompared {
    Weekdays,
    WeekendDays,
    /// The lookback had no day of today's kind.
    AllDays,
}

impl DaysCompared {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Weekdays => "weekdays",
            Self::WeekendDays => "weekend days",
            Self::AllDays => "days",
        }
    }
}

pub fn is_weekend(day: Weekday) -> bool {
    matches!(day, Weekday::Saturday | Weekday::Sunday)
}

/// This time of day on each of the last `lookback_days` days (in Unix ms), keeping the days of
/// today's kind. Days are civil days in `now`'s time zone, so a DST change keeps the wall time.
pub fn comparable_days(now: &ZonedDateTime, lookback_days: u32) -> Result<(Vec<i64>, DaysCompared)> {
    let today_weekend = is_weekend(now.weekday());
    let mut same = Vec::new();
    let mut all = Vec::new();
    for back in 1..=i64::from(lookback_days) {
        let then = now.checked_sub(Span::new().days(back)).context("going back in the calendar")?;
        let ms = then.timestamp().as_millisecond();
        all.push(ms);
        if is_weekend(then.weekday()) == today_weekend {
            same.push(ms);
        }
    }
    if same.is_empty() {
        return Ok((all, DaysCompared::AllDays));
    }
    let kind = if today_weekend { DaysCompared::WeekendDays } else { DaysCompared::Weekdays };
    Ok((same, kind))
}

/// The calls a warm-up at each of `days` would have turned into hits, averaged over the days.
///
/// `calls` are sorted start times. On each day the warm entry lives `ttl_ms`; the entry that is
/// alive today (for `alive_for_ms` more, negative when expired) would have served calls anyway
/// until then. The calls that change are the first group after the day's time (those starting
/// together, all misses without the warm-up) when it starts after the live entry expires and
/// before the warm one does. Later calls hit either way: the group's own write serves them.
pub fn avoided_misses(calls: &[i64], days: &[i64], ttl_ms: i64, alive_for_ms: i64) -> f64 {
    if days.is_empty() {
        return 0.0;
    }
    let mut total = 0usize;
    for &day in days {
        let first_at = calls.partition_point(|&t| t < day);
        let Some(&first) = calls.get(first_at) else { continue };
        if first >= day + ttl_ms || first < day + alive_for_ms {
            continue;
        }
        let group_end = calls.partition_point(|&t| t < first + PARALLEL_MS);
        total += group_end - first_at;
    }
    total as f64 / days.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    #[test]
    fn the_first_group_after_the_time_counts_only_within_the_ttl() {
        let day = 1_000 * MIN;
        // Three parallel calls 2 minutes in, one more a minute later (hits either way).
        let calls = [day + 2 * MIN, day + 2 * MIN + 5, day + 2 * MIN + 900, day + 3 * MIN];
        assert_eq!(avoided_misses(&calls, &[day], 5 * MIN, -1), 3.0);
        assert_eq!(avoided_misses(&calls, &[day], MIN, -1), 0.0, "the warm entry expired first");
        assert_eq!(avoided_misses(&calls, &[day], 5 * MIN, 4 * MIN), 0.0, "the live entry served them");
        assert_eq!(avoided_misses(&calls, &[day, day - 10_000 * MIN], 5 * MIN, -1), 1.5, "averaged over days");
        assert_eq!(avoided_misses(&[], &[day], 5 * MIN, -1), 0.0);
    }

    #[test]
    fn days_of_todays_kind_are_compared() {
        let wednesday: ZonedDateTime = "2026-03-11T08:55:00+00:00[UTC]".parse().unwrap();
        let (days, kind) = comparable_days(&wednesday, 7).unwrap();
        assert_eq!((days.len(), kind), (5, DaysCompared::Weekdays));
        let saturday: ZonedDateTime = "2026-03-14T10:00:00+00:00[UTC]".parse().unwrap();
        let (days, kind) = comparable_days(&saturday, 7).unwrap();
        assert_eq!((days.len(), kind), (2, DaysCompared::WeekendDays));
        let monday: ZonedDateTime = "2026-03-16T10:00:00+00:00[UTC]".parse().unwrap();
        let (days, kind) = comparable_days(&monday, 1).unwrap();
        assert_eq!((days.len(), kind), (1, DaysCompared::AllDays), "Sunday only: every day counts");
        assert_eq!(days[0], monday.timestamp().as_millisecond() - 86_400_000);
    }
}
