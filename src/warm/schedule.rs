//! `warm-cache --suggest-schedule`: when to run warm-cache, timed from the usage history.
//!
//! A warm entry lives one TTL (5 minutes or 1 hour) unless a call reads it, so a warm-up helps
//! only if the first calls come within that TTL after it. The useful moments are therefore just
//! before the team starts using its agents after a quiet spell: the start of each busy period.
//! An hour is busy when devteam was used in it on at least half of the past days of its kind
//! (weekdays and weekend days are timed separately); in quiet hours a warm-up expires unused.

use anyhow::{Context as _, Result};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, ZonedDateTime};
use serde::Serialize;

use super::estimate::{DaysCompared, is_weekend};
use super::{ttl_ms, ttl_name};
use crate::prompt::Ttl;

/// Time a cron-started warm-up needs before its entry can serve a call (start-up, one request).
const WARM_UP_SECS: i64 = 60;

/// A suggested schedule and what it rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// Cron runs in the system's local time, as these times are.
    pub time_zone: String,
    pub ttl: &'static str,
    /// Calls the suggestion is timed from.
    pub calls: usize,
    pub kinds: Vec<KindSchedule>,
    /// The schedule fields of each crontab line (`minute hour * * day-of-week`).
    pub cron: Vec<String>,
    pub notes: Vec<String>,
}

/// Busy and quiet hours on weekdays, or on weekend days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindSchedule {
    pub days: DaysCompared,
    /// Past days of this kind in the lookback.
    pub days_seen: usize,
    pub busy: Vec<BusyPeriod>,
    /// Quiet spells, `HH:MM-HH:MM`.
    pub quiet: Vec<String>,
}

/// A run of busy hours and the warm-up time that best precedes its first calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BusyPeriod {
    pub start: String,
    pub end: String,
    pub warm_at: String,
    /// Past days whose first call of the period came within the TTL after `warm_at`.
    pub days_covered: usize,
    /// Past days with any call in the period.
    pub days_with_calls: usize,
    #[serde(skip)]
    warm_minute: i64,
}

/// Times warm-ups from `calls` (start times of real calls) over the `lookback_days` civil days
/// before `now`'s date, for entries that live `ttl`.
pub fn suggest(calls: &[i64], now: &ZonedDateTime, lookback_days: u32, ttl: Ttl) -> Result<Suggestion> {
    let tz = now.time_zone().clone();
    let mut kinds = Vec::new();
    for weekend in [false, true] {
        let dates = past_dates(now.date(), lookback_days, weekend)?;
        if dates.is_empty() {
            continue;
        }
        let per_date = seconds_by_date(calls, &tz, &dates)?;
        kinds.push(kind_schedule(weekend, &per_date, ttl));
    }
    let cron = cron_fields(&kinds);
    let notes = notes(&kinds, ttl);
    let time_zone = tz.iana_name().unwrap_or("local time").to_string();
    Ok(Suggestion { time_zone, ttl: ttl_name(ttl), calls: calls.len(), kinds, cron, notes })
}

fn past_dates(today: Date, lookback_days: u32, weekend: bool) -> Result<Vec<Date>> {
    let mut dates = Vec::new();
    for back in 1..=i64::from(lookback_days) {
        let date = today.checked_sub(Span::new().days(back)).context("going back in the calendar")?;
        if is_weekend(date.weekday()) == weekend {
            dates.push(date);
        }
    }
    Ok(dates)
}

/// For each date, the seconds of the day at which calls started, sorted.
fn seconds_by_date(calls: &[i64], tz: &TimeZone, dates: &[Date]) -> Result<Vec<Vec<i64>>> {
    let mut per_date = vec![Vec::new(); dates.len()];
    for &ms in calls {
        let at =
            Timestamp::from_millisecond(ms).context("a call's time is out of range")?.to_zoned_datetime(tz.clone());
        if let Some(i) = dates.iter().position(|d| *d == at.date()) {
            let t = at.time();
            per_date[i].push(i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60 + i64::from(t.second()));
        }
    }
    for secs in &mut per_date {
        secs.sort_unstable();
    }
    Ok(per_date)
}

fn kind_schedule(weekend: bool, per_date: &[Vec<i64>], ttl: Ttl) -> KindSchedule {
    let busy_hour: Vec<bool> = (0..24)
        .map(|h| {
            let used = per_date.iter().filter(|secs| secs.iter().any(|s| s / 3600 == h)).count();
            used > 0 && used * 2 >= per_date.len()
        })
        .collect();
    let busy = runs(&busy_hour, true).into_iter().map(|(s, e)| busy_period(s, e, per_date, ttl)).collect();
    let quiet =
        runs(&busy_hour, false).into_iter().map(|(s, e)| format!("{}-{}", hhmm(s * 60), hhmm(e * 60))).collect();
    let days = if weekend { DaysCompared::WeekendDays } else { DaysCompared::Weekdays };
    KindSchedule { days, days_seen: per_date.len(), busy, quiet }
}

/// Maximal runs `[start, end)` of hours whose flag equals `want`.
fn runs(flags: &[bool], want: bool) -> Vec<(i64, i64)> {
    let mut found = Vec::new();
    let mut start = None;
    for (h, &flag) in flags.iter().enumerate().chain(std::iter::once((flags.len(), &!want))) {
        match (flag == want, start) {
            (true, None) => start = Some(h as i64),
            (false, Some(s)) => {
                found.push((s, h as i64));
                start = None;
            }
            _ => {}
        }
    }
    found
}

/// The warm-up minute (from an hour before the period to its first hour's end) after which the
/// most past days had their first call of the period within the TTL; ties go to the later
/// minute, which leaves the entry alive longest into the period.
fn busy_period(start_h: i64, end_h: i64, per_date: &[Vec<i64>], ttl: Ttl) -> BusyPeriod {
    let from = (start_h - 1).max(0) * 3600;
    let firsts: Vec<i64> =
        per_date.iter().filter_map(|secs| secs.iter().copied().find(|&s| s >= from && s < end_h * 3600)).collect();
    let ttl_secs = ttl_ms(ttl) / 1000;
    let covered = |minute: i64| {
        let warm = minute * 60 + WARM_UP_SECS;
        firsts.iter().filter(|&&f| f >= warm && f < minute * 60 + ttl_secs).count()
    };
    let (mut best, mut best_covered) = (start_h * 60 - 5, 0);
    for minute in (from / 60)..(start_h * 60 + 60) {
        let n = covered(minute);
        if n >= best_covered && n > 0 {
            (best, best_covered) = (minute, n);
        }
    }
    let best = best.max(0);
    BusyPeriod {
        start: hhmm(start_h * 60),
        end: hhmm(end_h * 60),
        warm_at: hhmm(best),
        days_covered: best_covered,
        days_with_calls: firsts.len(),
        warm_minute: best,
    }
}

fn hhmm(minute_of_day: i64) -> String {
    format!("{:02}:{:02}", minute_of_day / 60, minute_of_day % 60)
}

/// One line per warm-up minute and kind of day, hours joined (`56 8,13 * * 1-5`); the same
/// times on weekdays and weekends make one line for every day.
fn cron_fields(kinds: &[KindSchedule]) -> Vec<String> {
    let mut lines: Vec<(i64, &str, Vec<i64>)> = Vec::new();
    for kind in kinds {
        let dow = if kind.days == DaysCompared::WeekendDays { "0,6" } else { "1-5" };
        for period in &kind.busy {
            let (minute, hour) = (period.warm_minute % 60, period.warm_minute / 60);
            match lines.iter_mut().find(|(m, d, _)| *m == minute && *d == dow) {
                Some(line) => line.2.push(hour),
                None => lines.push((minute, dow, vec![hour])),
            }
        }
    }
    let mut merged: Vec<(i64, &str, Vec<i64>)> = Vec::new();
    for (minute, dow, hours) in lines {
        match merged.iter_mut().find(|(m, d, h)| *m == minute && *d != dow && *h == hours) {
            Some(line) => line.1 = "*",
            None => merged.push((minute, dow, hours)),
        }
    }
    merged
        .into_iter()
        .map(|(minute, dow, hours)| {
            let hours: Vec<String> = hours.iter().map(ToString::to_string).collect();
            format!("{minute} {} * * {dow}", hours.join(","))
        })
        .collect()
}

fn notes(kinds: &[KindSchedule], ttl: Ttl) -> Vec<String> {
    let ttl_text = ttl_name(ttl);
    let mut notes = Vec::new();
    for kind in kinds {
        let days = kind.days.describe();
        if kind.busy.is_empty() {
            notes.push(format!(
                "no hour was busy on at least half of the past {} {days}: warming then buys nothing",
                kind.days_seen
            ));
            continue;
        }
        for p in &kind.busy {
            notes.push(format!(
                "{days} {}-{} busy: warm at {}; on {} of {} {days} the first call came within {ttl_text} after it",
                p.start, p.end, p.warm_at, p.days_covered, p.days_with_calls
            ));
        }
        notes.push(format!(
            "{days} quiet {}: a warm-up there expires ({ttl_text}) before anyone calls, so it buys nothing",
            kind.quiet.join(", ")
        ));
    }
    if ttl == Ttl::FiveMinutes {
        notes.push(
            "with a 5m TTL a warm-up must precede the first call by less than 5 minutes, and an entry dies in any \
             5-minute gap; running warm-cache every 4 minutes in busy hours keeps entries alive, and each run \
             refreshes only where the history says it pays"
                .to_string(),
        );
    }
    notes.push("each run still warms only the agents whose expected saving beats the cost of the warm-up".to_string());
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: &str, time: &str) -> i64 {
        format!("{day}T{time}+00:00[UTC]").parse::<ZonedDateTime>().unwrap().timestamp().as_millisecond()
    }

    #[test]
    fn warms_just_before_each_busy_period_on_weekdays() {
        let now: ZonedDateTime = "2026-03-14T12:00:00+00:00[UTC]".parse().unwrap(); // a Saturday
        let mut calls = Vec::new();
        for day in ["2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12", "2026-03-13"] {
            for time in ["09:40:00", "10:30:00", "14:03:00", "15:10:00"] {
                calls.push(at(day, time));
            }
        }
        for (day, first) in [("09", "09:02"), ("10", "09:04"), ("11", "08:59"), ("12", "09:03"), ("13", "09:10")] {
            calls.push(at(&format!("2026-03-{day}"), &format!("{first}:00")));
        }
        calls.push(at("2026-03-08", "20:10:00")); // one Sunday evening: busy on 1 of the 2 weekend days
        let s = suggest(&calls, &now, 7, Ttl::FiveMinutes).unwrap();
        let weekdays = &s.kinds[0];
        assert_eq!(
            weekdays.busy.iter().map(|p| (p.start.as_str(), p.end.as_str())).collect::<Vec<_>>(),
            [("09:00", "11:00"), ("14:00", "16:00")]
        );
        // First calls at 08:59, 09:02, 09:03, 09:04, 09:10: a warm-up at 09:01 is done by 09:02 and
        // alive until 09:06, which covers three of them; none earlier covers more.
        assert_eq!(weekdays.busy[0].warm_at, "09:01");
        assert_eq!((weekdays.busy[0].days_covered, weekdays.busy[0].days_with_calls), (3, 5));
        assert_eq!(weekdays.busy[1].warm_at, "14:02");
        assert_eq!(s.cron, ["1 9 * * 1-5", "2 14 * * 1-5", "9 20 * * 0,6"]);
        assert_eq!(weekdays.quiet, ["00:00-09:00", "11:00-14:00", "16:00-24:00"]);
        assert_eq!(s.kinds[1].busy[0].start, "20:00");
        assert_eq!(s.time_zone, "UTC");
    }

    #[test]
    fn runs_split_hours_into_spells() {
        let mut flags = vec![false; 24];
        flags[9] = true;
        flags[10] = true;
        flags[23] = true;
        assert_eq!(runs(&flags, true), vec![(9, 11), (23, 24)]);
        assert_eq!(runs(&flags, false), vec![(0, 9), (11, 23)]);
    }
}
