//! Calendar windows in a time zone: the hour, day, ISO week (from Monday) or month holding an
//! instant. Days are civil days, so a day on which the clocks change lasts 23 or 25 hours.

use anyhow::{Context as _, Result};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, ZonedDateTime};

/// A budget's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Window {
    Hourly,
    Daily,
    Weekly,
    Monthly,
}

/// One window: `start <= t < end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounds {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Bounds {
    pub fn start_ms(&self) -> i64 {
        self.start.as_millisecond()
    }

    pub fn end_ms(&self) -> i64 {
        self.end.as_millisecond()
    }
}

impl Window {
    pub const ALL: [Self; 4] = [Self::Hourly, Self::Daily, Self::Weekly, Self::Monthly];

    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hourly => "hourly",
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.as_str() == s)
    }

    /// The window of this kind that holds `now`, in the time zone `tz`.
    pub fn bounds(self, now: Timestamp, tz: &TimeZone) -> Result<Bounds> {
        self.try_bounds(now, tz).with_context(|| format!("{} window at {now} in {}", self.as_str(), tz_name(tz)))
    }

    fn try_bounds(self, now: Timestamp, tz: &TimeZone) -> Result<Bounds> {
        let here = now.to_zoned_datetime(tz.clone());
        let start = self.start_of(&here)?;
        let mut end = self.start_of(&self.step(&start)?)?;
        // Where a clock change is not on the hour (Lord Howe moves by 30 minutes), the next
        // hour's start can fall back onto this one; an hour of elapsed time is then the end.
        if end.timestamp() <= now {
            end = start.checked_add(1.hour())?;
        }
        Ok(Bounds { start: start.timestamp(), end: end.timestamp() })
    }

    fn start_of(self, t: &ZonedDateTime) -> Result<ZonedDateTime> {
        let start = match self {
            // Keeps the offset in force, so the repeated hour of a fall-back night is its own
            // window rather than being folded into the first.
            Self::Hourly => t.with().minute(0).second(0).subsec_nanosecond(0).build()?,
            Self::Daily => t.start_of_day()?,
            Self::Weekly => {
                let back = i64::from(t.weekday().to_monday_zero_offset());
                t.checked_sub(back.days())?.start_of_day()?
            }
            Self::Monthly => t.first_of_month()?.start_of_day()?,
        };
        Ok(start)
    }

    /// A point inside the next window.
    fn step(self, start: &ZonedDateTime) -> Result<ZonedDateTime> {
        let next = match self {
            Self::Hourly => start.checked_add(1.hour())?,
            Self::Daily => start.checked_add(1.day())?,
            Self::Weekly => start.checked_add(1.week())?,
            Self::Monthly => start.checked_add(1.month())?,
        };
        Ok(next)
    }
}

/// The zone's IANA name, or its offset when it has none.
pub fn tz_name(tz: &TimeZone) -> String {
    tz.iana_name().map_or_else(|| format!("{tz:?}"), str::to_string)
}

/// A timestamp in the zone, as `2025-03-09 00:00 EST`.
pub fn local(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M %Z").to_string()
}

/// A timestamp in the zone as RFC 3339 with its offset, for JSON.
pub fn rfc3339(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// A duration for people: `3h 12m`, `2d 4h`, `45s`.
pub fn human_duration(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn bounds(w: Window, now: &str, zone: &str) -> (String, String) {
        let b = w.bounds(at(now), &tz(zone)).unwrap();
        (rfc3339(b.start, &tz(zone)), rfc3339(b.end, &tz(zone)))
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_string(), b.to_string())
    }

    #[test]
    fn utc_windows() {
        let now = "2025-06-18T13:45:10Z"; // a Wednesday
        assert_eq!(bounds(Window::Hourly, now, "UTC"), pair("2025-06-18T13:00:00+00:00", "2025-06-18T14:00:00+00:00"));
        assert_eq!(bounds(Window::Daily, now, "UTC"), pair("2025-06-18T00:00:00+00:00", "2025-06-19T00:00:00+00:00"));
        assert_eq!(bounds(Window::Weekly, now, "UTC"), pair("2025-06-16T00:00:00+00:00", "2025-06-23T00:00:00+00:00"));
        assert_eq!(bounds(Window::Monthly, now, "UTC"), pair("2025-06-01T00:00:00+00:00", "2025-07-01T00:00:00+00:00"));
    }

    #[test]
    fn the_day_follows_the_configured_zone() {
        // 03:00 UTC is still the previous evening in New York.
        let (start, end) = bounds(Window::Daily, "2025-06-18T03:00:00Z", "America/New_York");
        assert_eq!((start.as_str(), end.as_str()), ("2025-06-17T00:00:00-04:00", "2025-06-18T00:00:00-04:00"));
        // And already the next morning in Tokyo.
        let (start, _) = bounds(Window::Daily, "2025-06-17T20:00:00Z", "Asia/Tokyo");
        assert_eq!(start, "2025-06-18T00:00:00+09:00");
    }

    #[test]
    fn dst_days_last_23_and_25_hours() {
        let ny = tz("America/New_York");
        let spring = Window::Daily.bounds(at("2025-03-09T15:00:00Z"), &ny).unwrap();
        assert_eq!(spring.end_ms() - spring.start_ms(), 23 * 3_600_000);
        let autumn = Window::Daily.bounds(at("2025-11-02T15:00:00Z"), &ny).unwrap();
        assert_eq!(autumn.end_ms() - autumn.start_ms(), 25 * 3_600_000);
        // The week holding the autumn change is 7 days and one hour long.
        let week = Window::Weekly.bounds(at("2025-11-02T15:00:00Z"), &ny).unwrap();
        assert_eq!(week.end_ms() - week.start_ms(), (7 * 24 + 1) * 3_600_000);
    }

    #[test]
    fn the_repeated_hour_of_a_fall_back_night_is_its_own_window() {
        let ny = tz("America/New_York");
        // 05:30Z is 01:30 EDT; 06:30Z is 01:30 EST, an hour later on the wall clock's rerun.
        let first = Window::Hourly.bounds(at("2025-11-02T05:30:00Z"), &ny).unwrap();
        let second = Window::Hourly.bounds(at("2025-11-02T06:30:00Z"), &ny).unwrap();
        assert_eq!(first.end, second.start);
        assert_eq!(second.end_ms() - second.start_ms(), 3_600_000);
        assert_eq!(rfc3339(second.start, &ny), "2025-11-02T01:00:00-05:00");
    }

    #[test]
    fn spring_forward_hour_and_half_hour_zones() {
        let ny = tz("America/New_York");
        // 07:30Z is 03:30 EDT, just after 02:00 EST jumped to 03:00 EDT.
        let b = Window::Hourly.bounds(at("2025-03-09T07:30:00Z"), &ny).unwrap();
        assert_eq!(rfc3339(b.start, &ny), "2025-03-09T03:00:00-04:00");
        // Lord Howe moves its clocks by 30 minutes; every instant still has a window of at most an hour.
        let lh = tz("Australia/Lord_Howe");
        let mut t = at("2025-10-04T14:00:00Z");
        for _ in 0..12 {
            let b = Window::Hourly.bounds(t, &lh).unwrap();
            assert!(b.start <= t && t < b.end, "{t}: {b:?}");
            assert!(b.end_ms() - b.start_ms() <= 3_600_000);
            t = t.checked_add(15.minutes()).unwrap();
        }
    }

    #[test]
    fn iso_weeks_start_on_monday_across_a_year_end() {
        // Thursday 1 January 2026 belongs to the week that began on Monday 29 December 2025.
        let (start, end) = bounds(Window::Weekly, "2026-01-01T12:00:00Z", "UTC");
        assert_eq!((start.as_str(), end.as_str()), ("2025-12-29T00:00:00+00:00", "2026-01-05T00:00:00+00:00"));
        // A Monday is the first day of its own week, and a Sunday the last.
        assert_eq!(bounds(Window::Weekly, "2025-06-16T00:00:00Z", "UTC").0, "2025-06-16T00:00:00+00:00");
        assert_eq!(bounds(Window::Weekly, "2025-06-22T23:59:59Z", "UTC").0, "2025-06-16T00:00:00+00:00");
    }

    #[test]
    fn consecutive_windows_tile_time() {
        let zones = ["UTC", "America/New_York", "Europe/Paris", "Asia/Kolkata", "Australia/Lord_Howe"];
        for zone in zones.map(tz) {
            for w in Window::ALL {
                let mut b = w.bounds(at("2025-03-01T00:00:00Z"), &zone).unwrap();
                for _ in 0..40 {
                    let next = w.bounds(b.end, &zone).unwrap();
                    assert_eq!(next.start, b.end, "{w:?} in {}", tz_name(&zone));
                    assert!(next.end > next.start);
                    b = next;
                }
            }
        }
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(45_000), "45s");
        assert_eq!(human_duration(12 * 60_000), "12m");
        assert_eq!(human_duration((3 * 3600 + 12 * 60) * 1000), "3h 12m");
        assert_eq!(human_duration((2 * 86_400 + 4 * 3600) * 1000), "2d 4h");
    }
}
