//! The one clock devteam reads for what it records and decides: call and run timestamps,
//! budget windows and reservations, warm-cache plans, run ids. It is the wall clock unless
//! `--now` / `DEVTEAM_NOW` drives it, which lets a benchmark replay a day (with the stand-in's
//! driven clock) and lets tests put runs in different windows without sleeping. Durations
//! (`Instant`) are not read from it: they measure this process, not the day.

use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};

/// What "now" is for this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The system's clock.
    #[default]
    Wall,
    /// Stands still at this instant for the whole process (`--now`).
    Driven(Timestamp),
}

impl Clock {
    /// A clock from an RFC 3339 instant (`2026-12-07T09:30:00Z`, `2026-12-07T10:30:00+01:00`).
    pub fn parse(text: &str) -> Result<Self, String> {
        text.trim()
            .parse::<Timestamp>()
            .map(Clock::Driven)
            .map_err(|e| format!("{text:?} is not an RFC 3339 instant ({e}); write it like 2026-12-07T09:30:00Z"))
    }

    pub fn now(self) -> Timestamp {
        match self {
            Clock::Wall => Timestamp::now(),
            Clock::Driven(at) => at,
        }
    }

    pub fn now_ms(self) -> i64 {
        self.now().as_millisecond()
    }

    /// Now in the system's time zone, the one cron and the local calendar use.
    pub fn zoned(self) -> ZonedDateTime {
        self.now().to_zoned_datetime(TimeZone::system())
    }
}

/// A few bits that differ between processes started in the same millisecond, for ids that
/// embed the (possibly driven) time and must still be unique.
pub fn entropy() -> u32 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    nanos ^ std::process::id()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_driven_clock_stands_at_its_instant_in_any_offset() {
        let clock = Clock::parse("2026-12-07T10:30:00+01:00").unwrap();
        assert_eq!(clock.now(), "2026-12-07T09:30:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(clock.now_ms(), clock.now_ms());
        assert_eq!(clock.zoned().timestamp(), clock.now());
    }

    #[test]
    fn an_instant_without_an_offset_is_refused_with_an_example() {
        for bad in ["2026-12-07T09:30:00", "yesterday", ""] {
            let err = Clock::parse(bad).unwrap_err();
            assert!(err.contains("RFC 3339") && err.contains("2026-12-07T09:30:00Z"), "{err}");
        }
    }
}
