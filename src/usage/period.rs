//! Report periods: `--since`/`--until` values, the report's time zone, and calendar buckets
//! (days, ISO weeks, months) in that zone, so that "Tuesday" means the reader's Tuesday.

use anyhow::{Context as _, Result};
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::error::UserError;

/// A calendar bucket for reports over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calendar {
    Day,
    Week,
    Month,
}

impl Calendar {
    /// Day up to 92 days, week up to two years, else month: a chart stays readable.
    pub fn auto(from: Timestamp, to: Timestamp) -> Self {
        let days = to.duration_since(from).as_secs() / 86_400;
        match days {
            ..=92 => Self::Day,
            93..=731 => Self::Week,
            _ => Self::Month,
        }
    }
}

/// Which end of a period a value names: a bare date starts its day for `--since` and ends it
/// (exclusive end at the next midnight) for `--until`, so `--until 2026-03-31` includes March 31.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Start,
    End,
}

/// The time zone named by `--timezone` (IANA name or UTC), else the system's.
pub fn time_zone(name: Option<&str>, configured: &TimeZone) -> Result<TimeZone> {
    match name {
        None => Ok(configured.clone()),
        Some(n) if n.eq_ignore_ascii_case("utc") => Ok(TimeZone::UTC),
        Some(n) => TimeZone::get(n).map_err(|e| {
            UserError::new(format!(
                "--timezone {n:?} is not a known time zone ({e}); try UTC or an IANA name like Europe/Paris"
            ))
            .into()
        }),
    }
}

/// The period a report covers: `[since, until)`, `since` open when not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub since: Option<Timestamp>,
    pub until: Timestamp,
}

impl Period {
    /// Parses `--since` and `--until` against `now` in `tz`.
    pub fn parse(since: Option<&str>, until: Option<&str>, now: Timestamp, tz: &TimeZone) -> Result<Self> {
        let since = since.map(|raw| parse_when("--since", raw, Edge::Start, now, tz)).transpose()?;
        let until = until.map(|raw| parse_when("--until", raw, Edge::End, now, tz)).transpose()?.unwrap_or(now);
        if let Some(since) = since
            && since >= until
        {
            return Err(UserError::new(format!("--since ({since}) is not before --until ({until})")).into());
        }
        Ok(Self { since, until })
    }
}

/// One `--since`/`--until` value: a duration back from now (`90m`, `12h`, `7d`, `2w`), a date
/// (`2026-03-01` or `20260301`), a civil date and time in `tz` (`2026-03-01T09:30`), or an
/// RFC 3339 instant (`2026-03-01T09:30:00Z`).
pub fn parse_when(flag: &str, raw: &str, edge: Edge, now: Timestamp, tz: &TimeZone) -> Result<Timestamp> {
    let value = raw.trim();
    let parsed = if let Some(ago) = parse_duration(value) {
        now.checked_sub(ago).ok()
    } else if let Some(date) = parse_date(value) {
        let date = if edge == Edge::End { date.tomorrow().ok() } else { Some(date) };
        date.and_then(|d| tz.to_timestamp(d.to_datetime(jiff::civil::Time::midnight())).ok())
    } else if let Ok(ts) = value.parse::<Timestamp>() {
        Some(ts)
    } else if let Ok(dt) = value.parse::<DateTime>() {
        tz.to_timestamp(dt).ok()
    } else {
        None
    };
    parsed.ok_or_else(|| {
        UserError::new(format!(
            "{flag} {raw:?}: not a duration (90m, 12h, 7d, 2w), a date (2026-03-01), a date and time \
             (2026-03-01T09:30) or an RFC 3339 instant (2026-03-01T09:30:00Z)"
        ))
        .into()
    })
}

fn parse_duration(value: &str) -> Option<SignedDuration> {
    let split = value.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = value.split_at(split);
    let n: i64 = digits.parse().ok()?;
    let secs = match unit {
        "m" | "min" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return None,
    };
    Some(SignedDuration::from_secs(n.checked_mul(secs)?))
}

fn parse_date(value: &str) -> Option<Date> {
    if value.len() == 8 && value.bytes().all(|b| b.is_ascii_digit()) {
        let num = |r: std::ops::Range<usize>| value[r].parse::<i16>().ok();
        return Date::new(num(0..4)?, i8::try_from(num(4..6)?).ok()?, i8::try_from(num(6..8)?).ok()?).ok();
    }
    if value.len() == 10 { value.parse::<Date>().ok() } else { None }
}

/// The starts of the calendar buckets that cover `[from, to)` in `tz`, oldest first; the first
/// start is at or before `from`.
pub fn bucket_starts(cal: Calendar, from: Timestamp, to: Timestamp, tz: &TimeZone) -> Result<Vec<Timestamp>> {
    let mut date = bucket_date(cal, tz.to_datetime(from).date());
    let mut starts = Vec::new();
    loop {
        let start = tz.to_timestamp(date.to_datetime(jiff::civil::Time::midnight())).context("bucket start")?;
        if start >= to && !starts.is_empty() {
            return Ok(starts);
        }
        starts.push(start);
        date = match cal {
            Calendar::Day => date.checked_add(1.day()),
            Calendar::Week => date.checked_add(1.week()),
            Calendar::Month => date.checked_add(1.month()),
        }
        .context("bucket past the end of time")?;
    }
}

/// The first day of the bucket holding `date`.
fn bucket_date(cal: Calendar, date: Date) -> Date {
    match cal {
        Calendar::Day => date,
        Calendar::Week => date.saturating_sub(i64::from(date.weekday().to_monday_zero_offset()).days()),
        Calendar::Month => date.first_of_month(),
    }
}

/// How a bucket starting at `start` is named: `2026-03-01`, `2026-W09`, `2026-03`.
pub fn bucket_label(cal: Calendar, start: Timestamp, tz: &TimeZone) -> String {
    let date = tz.to_datetime(start).date();
    match cal {
        Calendar::Day => date.to_string(),
        Calendar::Week => {
            let week = date.iso_week_date();
            format!("{:04}-W{:02}", week.year(), week.week())
        }
        Calendar::Month => format!("{:04}-{:02}", date.year(), date.month()),
    }
}

/// An instant as RFC 3339 in `tz`, to the second, for reports.
pub fn display(ts: Timestamp, tz: &TimeZone) -> String {
    ts.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-03-10T12:00:00Z".parse().unwrap()
    }

    fn when(raw: &str, edge: Edge) -> Result<Timestamp> {
        parse_when("--since", raw, edge, now(), &TimeZone::get("Europe/Paris").unwrap())
    }

    #[test]
    fn durations_dates_and_instants_parse() {
        assert_eq!(when("7d", Edge::Start).unwrap().to_string(), "2026-03-03T12:00:00Z");
        assert_eq!(when("90m", Edge::Start).unwrap().to_string(), "2026-03-10T10:30:00Z");
        assert_eq!(when("2w", Edge::Start).unwrap().to_string(), "2026-02-24T12:00:00Z");
        // Paris is UTC+1 in March before the switch to summer time.
        assert_eq!(when("2026-03-01", Edge::Start).unwrap().to_string(), "2026-02-28T23:00:00Z");
        assert_eq!(when("20260301", Edge::End).unwrap().to_string(), "2026-03-01T23:00:00Z");
        assert_eq!(when("2026-03-01T09:30", Edge::Start).unwrap().to_string(), "2026-03-01T08:30:00Z");
        assert_eq!(when("2026-03-01T09:30:00Z", Edge::Start).unwrap().to_string(), "2026-03-01T09:30:00Z");
    }

    #[test]
    fn bad_values_name_the_flag_and_the_value() {
        for raw in ["7x", "yesterday", "2026-13-01", "", "d7", "99999999999999999999d"] {
            let msg = format!("{:#}", when(raw, Edge::Start).unwrap_err());
            assert!(msg.contains("--since") && msg.contains(&format!("{raw:?}")), "{msg}");
        }
        let tz = TimeZone::UTC;
        let msg = format!("{:#}", Period::parse(Some("2026-03-05"), Some("2026-03-01"), now(), &tz).unwrap_err());
        assert!(msg.contains("not before"), "{msg}");
        assert!(format!("{:#}", time_zone(Some("Mars/Olympus"), &TimeZone::UTC).unwrap_err()).contains("Mars/Olympus"));
    }

    #[test]
    fn buckets_follow_the_calendar_across_dst() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let from: Timestamp = "2026-03-28T10:00:00Z".parse().unwrap();
        let to: Timestamp = "2026-03-31T10:00:00Z".parse().unwrap();
        let days = bucket_starts(Calendar::Day, from, to, &tz).unwrap();
        let shown: Vec<String> = days.iter().map(|d| d.to_string()).collect();
        // Summer time starts on March 29: that day is 23 hours long.
        assert_eq!(
            shown,
            ["2026-03-27T23:00:00Z", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z", "2026-03-30T22:00:00Z"]
        );
        let weeks = bucket_starts(Calendar::Week, from, to, &tz).unwrap();
        assert_eq!(weeks.len(), 2);
        assert_eq!(bucket_label(Calendar::Week, weeks[0], &tz), "2026-W13");
        assert_eq!(bucket_label(Calendar::Month, weeks[0], &tz), "2026-03");
        assert_eq!(bucket_label(Calendar::Day, days[2], &tz), "2026-03-30");
    }
}
