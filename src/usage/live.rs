//! Spend in windows that end now: the last hour, today, the last 7 days, this month, and each
//! budget's current window. Feeds `usage watch` and the dashboard's budget panel.
//!
//! Budget spend here is recorded spend only; `devteam budget status` adds open reservations.

use anyhow::Result;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::pricing::PriceTable;
use crate::store::Store;
use crate::usage::groups::{BudgetLine, CallFilter, Group, GroupBy, Key};
use crate::usage::period::{self, Calendar};
use crate::usage::report::{RowSums, Scope, UsageRow, ranked, rollup, whole};
use crate::usage::savings::Pricer;
use crate::usage::{Source, to_usd};

/// A budget window devteam can place on the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Window {
    Hour,
    Day,
    Week,
    Month,
}

impl Window {
    fn parse(stored: &str) -> Option<Self> {
        match stored.trim().to_ascii_lowercase().as_str() {
            "hour" | "hourly" => Some(Self::Hour),
            "day" | "daily" => Some(Self::Day),
            "week" | "weekly" => Some(Self::Week),
            "month" | "monthly" => Some(Self::Month),
            _ => None,
        }
    }

    /// The start of the window holding `now`, in `tz`.
    fn start(self, now: Timestamp, tz: &TimeZone) -> Result<Timestamp> {
        let cal = match self {
            Self::Hour => {
                let ms = now.as_millisecond();
                return Ok(Timestamp::from_millisecond(ms - ms.rem_euclid(3_600_000))?);
            }
            Self::Day => Calendar::Day,
            Self::Week => Calendar::Week,
            Self::Month => Calendar::Month,
        };
        Ok(period::bucket_starts(cal, now, now, tz)?[0])
    }

    /// The calendar bucket of a chart this window's limit can be drawn on.
    pub fn calendar(self) -> Option<Calendar> {
        match self {
            Self::Hour => None,
            Self::Day => Some(Calendar::Day),
            Self::Week => Some(Calendar::Week),
            Self::Month => Some(Calendar::Month),
        }
    }
}

/// A budget and what its current window has spent.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetUse {
    /// `null` for the global budget.
    pub project: Option<String>,
    pub window: String,
    pub limit_usd: Option<f64>,
    pub limit_tokens: Option<i64>,
    /// Start of the current window; `null` for a window devteam cannot place.
    pub window_start: Option<String>,
    pub spent_usd: Option<f64>,
    pub spent_tokens: Option<u64>,
    /// Spent / limit: the larger of the dollar and token shares when both are limited.
    pub used_share: Option<f64>,
    /// `day`, `week` or `month` when the limit fits one bucket of a chart.
    #[serde(skip)]
    pub calendar: Option<Calendar>,
}

/// Every budget with the recorded spend of its window holding `now` (all sources count).
pub fn budget_use(store: &Store, now: Timestamp, tz: &TimeZone) -> Result<Vec<BudgetUse>> {
    let lines = store.budget_lines()?;
    let windows: Vec<Option<(Window, Timestamp)>> = lines
        .iter()
        .map(|b| Window::parse(&b.window).map(|w| w.start(now, tz).map(|s| (w, s))).transpose())
        .collect::<Result<_>>()?;
    let mut starts: Vec<i64> = windows.iter().flatten().map(|(_, s)| s.as_millisecond()).collect();
    starts.sort_unstable();
    starts.dedup();
    let groups = match starts.first() {
        Some(first) => {
            let until_ms = Some(now.as_millisecond() + 1);
            let filter = CallFilter { since_ms: Some(*first), until_ms, project: None, source: None };
            let spec = GroupBy::new(vec![Key::Project, Key::Time(starts.clone())]);
            store.usage_scan(&filter, &[spec], &[])?.remove(0)
        }
        None => Vec::new(),
    };
    Ok(lines.iter().zip(windows).map(|(line, window)| use_of(line, window, &starts, &groups, tz)).collect())
}

fn use_of(
    line: &BudgetLine,
    window: Option<(Window, Timestamp)>,
    starts: &[i64],
    groups: &[Group],
    tz: &TimeZone,
) -> BudgetUse {
    let spent = window.map(|(_, start)| {
        let first_bucket = starts.partition_point(|s| *s <= start.as_millisecond());
        let mut sums = RowSums::default();
        for g in groups {
            if g.keys[1].bucket() >= first_bucket && (line.project.is_empty() || g.keys[0].text() == line.project) {
                sums.totals.merge(&g.totals);
            }
        }
        sums.totals
    });
    let spent_usd = spent.map(|t| to_usd(t.cost_micros));
    // The larger of the dollar and token shares, as `budget status` and the guard count it: a
    // budget at 101 % of its dollars and 110 % of its tokens is at 110 %.
    let share = |limit: Option<i64>, used: fn(&crate::usage::groups::Totals) -> f64| match (limit, &spent) {
        (Some(limit), Some(t)) if limit > 0 => Some(used(t) / limit as f64),
        _ => None,
    };
    let money = share(line.limit_micros, |t| t.cost_micros as f64);
    let tokens = share(line.limit_tokens, |t| t.total_tokens() as f64);
    let used_share = match (money, tokens) {
        (Some(m), Some(t)) => Some(m.max(t)),
        (m, t) => m.or(t),
    };
    BudgetUse {
        project: (!line.project.is_empty()).then(|| line.project.clone()),
        window: line.window.clone(),
        limit_usd: line.limit_micros.map(to_usd),
        limit_tokens: line.limit_tokens,
        window_start: window.map(|(_, s)| period::display(s, tz)),
        spent_usd,
        spent_tokens: spent.map(|t| t.total_tokens()),
        used_share,
        calendar: window.and_then(|(w, _)| w.calendar()),
    }
}

/// What `usage watch` shows.
#[derive(Debug, Serialize)]
pub struct LiveReport {
    pub at: String,
    pub timezone: String,
    pub project: Option<String>,
    pub source: Option<&'static str>,
    /// `last hour`, `today`, `last 7 days` and `this month`, each ending now.
    pub windows: Vec<UsageRow>,
    pub today_by_model: Vec<UsageRow>,
    pub budgets: Vec<BudgetUse>,
}

/// The live view at `now`; budget windows are drawn in `budget_tz`, the budgets' own zone,
/// even when the report is shown in another.
pub fn live(
    store: &Store,
    prices: &PriceTable,
    scope: &Scope,
    now: Timestamp,
    budget_tz: &TimeZone,
) -> Result<LiveReport> {
    let pricer = Pricer::new(prices)?;
    let tz = &scope.tz;
    let named = [
        ("last hour", now.checked_sub(SignedDuration::from_hours(1))?),
        ("today", Window::Day.start(now, tz)?),
        ("last 7 days", now.checked_sub(SignedDuration::from_hours(24 * 7))?),
        ("this month", Window::Month.start(now, tz)?),
    ];
    let mut starts: Vec<i64> = named.iter().map(|(_, s)| s.as_millisecond()).collect();
    starts.sort_unstable();
    starts.dedup();
    let filter = CallFilter { since_ms: Some(starts[0]), until_ms: Some(now.as_millisecond() + 1), ..scope.filter() };
    let groups = store.usage_scan(&filter, &[GroupBy::new(vec![Key::Time(starts.clone())])], pricer.bands())?.remove(0);
    let inside = |start: Timestamp| {
        let first = starts.partition_point(|s| *s <= start.as_millisecond());
        groups.iter().filter(move |g| g.keys[0].bucket() >= first)
    };
    let sums: Vec<(&str, RowSums)> = named
        .iter()
        .map(|(name, start)| (*name, whole(rollup(inside(*start), &pricer, |_| String::new()).values())))
        .collect();
    let month = sums[3].1;
    let today = rollup(inside(named[1].1), &pricer, |g| g.model.clone());
    Ok(LiveReport {
        at: period::display(now, tz),
        timezone: tz.iana_name().unwrap_or("UTC").to_string(),
        project: scope.project.clone(),
        source: scope.source.map(Source::as_str),
        windows: sums.iter().map(|(name, s)| UsageRow::new(*name, s, &month)).collect(),
        today_by_model: ranked(&today, &whole(today.values())),
        budgets: budget_use(store, now, budget_tz)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::CallRecord;
    use crate::usage::period::Period;

    fn now() -> Timestamp {
        // A Wednesday.
        "2026-03-11T12:30:00Z".parse().unwrap()
    }

    fn seed(store: &Store, at: &str, project: &str, cost_micros: i64) {
        let ts: Timestamp = at.parse().unwrap();
        let call = CallRecord::for_test().at(ts.as_millisecond()).project(project).tier("").tokens(100, 10);
        let call = call.cost_micros(cost_micros);
        store.insert_call(&call).unwrap();
    }

    fn store() -> Store {
        let store = Store::open_in_memory().unwrap();
        seed(&store, "2026-03-11T12:10:00Z", "web", 1_000_000); // this hour
        seed(&store, "2026-03-11T08:00:00Z", "api", 2_000_000); // today
        seed(&store, "2026-03-09T08:00:00Z", "web", 4_000_000); // Monday: this week
        seed(&store, "2026-03-02T08:00:00Z", "web", 8_000_000); // this month, last week
        seed(&store, "2026-02-27T08:00:00Z", "web", 16_000_000); // last month
        store
    }

    #[test]
    fn budgets_sum_their_current_window_and_project() {
        let store = store();
        for (project, window, usd) in
            [("", "daily", 10), ("web", "weekly", 10), ("", "monthly", 30), ("", "fortnightly", 1)]
        {
            store.add_budget_for_test(project, window, usd * 1_000_000);
        }
        let uses = budget_use(&store, now(), &TimeZone::UTC).unwrap();
        let got: Vec<(&str, Option<f64>, Option<f64>)> =
            uses.iter().map(|b| (b.window.as_str(), b.spent_usd, b.used_share)).collect();
        assert_eq!(
            got,
            [
                ("daily", Some(3.0), Some(0.3)),
                ("fortnightly", None, None),
                ("monthly", Some(15.0), Some(0.5)),
                ("weekly", Some(5.0), Some(0.5)),
            ]
        );
        assert_eq!(uses[3].window_start.as_deref(), Some("2026-03-09T00:00:00+00:00"));
        assert_eq!((uses[0].calendar, uses[1].calendar), (Some(Calendar::Day), None));
    }

    #[test]
    fn live_windows_end_now() {
        let store = store();
        let prices = PriceTable::load(None).unwrap();
        let tz = TimeZone::UTC;
        let scope = Scope { period: Period { since: None, until: now() }, project: None, source: None, tz };
        let r = live(&store, &prices, &scope, now(), &TimeZone::UTC).unwrap();
        let windows: Vec<(&str, u64)> = r.windows.iter().map(|w| (w.key.as_str(), w.calls)).collect();
        assert_eq!(windows, [("last hour", 1), ("today", 2), ("last 7 days", 3), ("this month", 4)]);
        assert_eq!(r.today_by_model.len(), 1);
    }
}
