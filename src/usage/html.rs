//! The dashboard: one self-contained HTML page. The report's data goes into the page as JSON,
//! and inline JavaScript draws the charts as inline SVG, so the page makes no network fetch and
//! opens from a file, an e-mail attachment or a CI artefact alike.
//!
//! When the script has drawn, it sets `data-rendered` on `<body>` to the number of charts that
//! have marks, and `data-errors` if any chart failed; the browser test reads both.

use std::collections::BTreeMap;

use anyhow::Result;
use jiff::Timestamp;
use serde::Serialize;

use crate::pricing::PriceTable;
use crate::store::Store;
use crate::usage::groups::{Group, Key, KeyValue};
use crate::usage::live::{BudgetUse, budget_use};
use crate::usage::period::{self, Calendar};
use crate::usage::report::{self, RowSums, Scope, UsageRow, cache_hit_rate, label, ranked, rollup, whole};
use crate::usage::savings::Pricer;
use crate::usage::summary::{Dimension, SummaryReport, add_discovery, by, calendar_starts, summary_of};

const TEMPLATE: &str = include_str!("dashboard.html");
const DATA_MARK: &str = "\"__DEVTEAM_DATA__\"";

/// Charts the page draws; `data-rendered` equals this when every chart has data.
pub const CHARTS: usize = 8;
/// Agents and tasks shown by name; the rest are summed into `(other)`.
const TOP: usize = 12;

/// Everything the page shows.
#[derive(Debug, Serialize)]
pub struct Dashboard {
    pub generated_at: String,
    pub summary: SummaryReport,
    /// `day`, `week` or `month`.
    pub bucket: &'static str,
    /// Models, costliest first: the order of `series[].by_model`.
    pub models: Vec<String>,
    pub series: Vec<SeriesPoint>,
    pub by_agent: Vec<UsageRow>,
    /// What `by_agent` is grouped by: `agent`, or `project` when no call names an agent
    /// (imported Claude Code usage), so the chart is not one `(none)` bar.
    pub by_agent_dim: &'static str,
    pub top_tasks: Vec<UsageRow>,
    /// Each stage's saving against the baseline (`usage by stage`), discovery included.
    pub by_stage: Vec<UsageRow>,
    /// `task`; else `session` when calls carry Claude Code session ids (keys `ID (project)`);
    /// else `project` when the agent chart did not fall back to it already; `none` when
    /// nothing has names, and the chart says so.
    pub top_tasks_dim: &'static str,
    /// The first call in scope, for the header when `--since` is not given.
    pub first_call: Option<String>,
    pub budgets: Vec<BudgetUse>,
    /// The USD limit of the budget whose window is one bucket of the spend chart.
    pub bucket_budget_usd: Option<f64>,
    /// Routing accuracy and upgrades over time, A/B results, open suggestions (set by the command).
    pub learning: Option<crate::learn::view::Learning>,
}

/// One bucket of the charts over time (empty buckets included).
#[derive(Debug, Serialize)]
pub struct SeriesPoint {
    pub label: String,
    pub calls: u64,
    pub cost_usd: f64,
    pub by_model: Vec<f64>,
    pub cache_hit_rate: Option<f64>,
}

/// The dashboard's data, from one scan of the store.
pub fn dashboard(
    store: &Store,
    prices: &PriceTable,
    scope: &Scope,
    bucket: Option<Calendar>,
    now: Timestamp,
) -> Result<Dashboard> {
    let pricer = Pricer::new(prices)?;
    let cal = match bucket {
        Some(cal) => cal,
        None => auto_calendar(store, scope)?,
    };
    let starts: Vec<i64> = calendar_starts(store, scope, cal)?.iter().map(|t| t.as_millisecond()).collect();
    let specs =
        [vec![Key::Source], vec![Key::Time(starts.clone())], vec![Key::Agent], vec![Key::Task], vec![Key::Project]];
    let specs = [&specs[..], &[vec![Key::Session, Key::Project]]].concat();
    let scan = report::scan(store, &pricer, scope, &specs, true)?;
    let mut summary = summary_of(scope, &pricer, prices, &scan.groups[0], &scan.trend.unwrap_or_default());
    add_discovery(store, &pricer, scope, &mut summary)?;
    let by_stage = by(store, prices, scope, Dimension::Stage, None)?.rows;
    let models: Vec<String> = summary.by_model.iter().map(|r| r.key.clone()).collect();
    // Budgets as they stood at the end of the period (now, unless --until says otherwise); the
    // end is exclusive, so its last instant is a millisecond before it.
    let last = scope.period.until.checked_sub(jiff::SignedDuration::from_millis(1))?;
    let budgets = budget_use(store, last, &scope.tz)?;
    let bucket_budget_usd =
        budgets.iter().filter(|b| b.calendar == Some(cal) && b.project == scope.project).find_map(|b| b.limit_usd);
    let named = |groups: &[Group]| groups.iter().any(|g| !g.keys[0].text().is_empty());
    let (by_agent, by_agent_dim) = if named(&scan.groups[2]) || !named(&scan.groups[4]) {
        (top(&scan.groups[2], &pricer), "agent")
    } else {
        (top(&scan.groups[4], &pricer), "project")
    };
    let (top_tasks, top_tasks_dim) = if named(&scan.groups[3]) {
        (top(&scan.groups[3], &pricer), "task")
    } else if named(&scan.groups[5]) {
        // Imported Claude Code usage names sessions: the costliest ones, with their project.
        (top_sessions(&scan.groups[5], &pricer), "session")
    } else if by_agent_dim == "agent" && named(&scan.groups[4]) {
        (top(&scan.groups[4], &pricer), "project")
    } else {
        (Vec::new(), "none")
    };
    let first_call = store
        .usage_span(&scope.filter())?
        .and_then(|(first, _)| Timestamp::from_millisecond(first).ok())
        .map(|t| period::display(t, &scope.tz));
    Ok(Dashboard {
        generated_at: period::display(now, &scope.tz),
        first_call,
        by_agent,
        by_agent_dim,
        top_tasks,
        top_tasks_dim,
        by_stage,
        series: series(&scan.groups[1], &pricer, &models, &starts, cal, scope),
        summary,
        bucket: match cal {
            Calendar::Day => "day",
            Calendar::Week => "week",
            Calendar::Month => "month",
        },
        models,
        budgets,
        bucket_budget_usd,
        learning: None,
    })
}

/// The chart bucket that suits the span of the calls in scope.
fn auto_calendar(store: &Store, scope: &Scope) -> Result<Calendar> {
    let Some((first, _)) = store.usage_span(&scope.filter())? else { return Ok(Calendar::Day) };
    let first = Timestamp::from_millisecond(first)?;
    Ok(Calendar::auto(scope.period.since.unwrap_or(first).max(first), scope.period.until))
}

fn series(
    groups: &[Group],
    pricer: &Pricer,
    models: &[String],
    starts: &[i64],
    cal: Calendar,
    scope: &Scope,
) -> Vec<SeriesPoint> {
    let mut buckets: BTreeMap<usize, (RowSums, Vec<f64>)> = BTreeMap::new();
    for g in groups {
        let (sums, by_model) =
            buckets.entry(g.keys[0].bucket()).or_insert_with(|| (RowSums::default(), vec![0.0; models.len()]));
        sums.add(g, pricer);
        if let Some(i) = models.iter().position(|m| *m == g.model) {
            by_model[i] += crate::usage::to_usd(g.totals.cost_micros);
        }
    }
    starts
        .iter()
        .enumerate()
        .map(|(i, start)| {
            let (sums, by_model) =
                buckets.remove(&(i + 1)).unwrap_or_else(|| (RowSums::default(), vec![0.0; models.len()]));
            SeriesPoint {
                label: Timestamp::from_millisecond(*start)
                    .map_or_else(|_| String::new(), |t| period::bucket_label(cal, t, &scope.tz)),
                calls: sums.totals.calls,
                cost_usd: sums.priced.recorded,
                by_model,
                cache_hit_rate: cache_hit_rate(&sums.totals.tokens),
            }
        })
        .collect()
}

/// The costliest rows by the group's first key, the rest summed as `(other)`.
fn top(groups: &[Group], pricer: &Pricer) -> Vec<UsageRow> {
    let sums = rollup(groups, pricer, |g| label(g.keys[0].text()));
    let all = whole(sums.values());
    let mut rows = ranked(&sums, &all);
    if rows.len() > TOP {
        let mut rest = RowSums::default();
        for row in &rows[TOP..] {
            rest.merge(&sums[&row.key]);
        }
        rows.truncate(TOP);
        rows.push(UsageRow::new("(other)", &rest, &all));
    }
    rows
}

/// The costliest sessions, each labelled with its project (`ID (project)`); calls with no
/// session (devteam's own) are one `(none)` row, as in the other charts.
fn top_sessions(groups: &[Group], pricer: &Pricer) -> Vec<UsageRow> {
    let relabelled: Vec<Group> = groups
        .iter()
        .map(|g| {
            let (session, project) = (g.keys[0].text(), g.keys[1].text());
            let key = if session.is_empty() { String::new() } else { format!("{session} ({})", label(project)) };
            Group { keys: vec![KeyValue::Text(key)], ..g.clone() }
        })
        .collect();
    top(&relabelled, pricer)
}

/// The page: the template with the data in place.
pub fn render(dashboard: &Dashboard) -> Result<String> {
    // `<` never needs to be literal in JSON, and escaping it keeps a task named `</script>`
    // from ending the data block.
    let json = serde_json::to_string(dashboard)?.replace('<', "\\u003c");
    anyhow::ensure!(TEMPLATE.contains(DATA_MARK), "dashboard template lacks its data mark");
    Ok(TEMPLATE.replacen(DATA_MARK, &json, 1))
}

#[cfg(test)]
mod tests {
    use jiff::tz::TimeZone;

    use super::*;
    use crate::usage::period::Period;
    use crate::usage::{CallRecord, Source};

    #[test]
    fn the_page_carries_its_data_and_cannot_be_broken_out_of() {
        let store = Store::open_in_memory().unwrap();
        let now: Timestamp = "2026-03-10T12:00:00Z".parse().unwrap();
        let call = CallRecord::for_test().at(now.as_millisecond() - 3_600_000).project("web");
        let call = call.task("</script><script>alert(1)</script>").agent("a").tokens(10, 10).cost_micros(60);
        store.insert_call(&call).unwrap();
        let tz = TimeZone::UTC;
        let scope = Scope { period: Period { since: None, until: now }, project: None, source: None, tz };
        let data = dashboard(&store, &PriceTable::load(None).unwrap(), &scope, None, now).unwrap();
        assert_eq!((data.bucket, data.series.len(), data.top_tasks.len()), ("day", 1, 1));
        let page = render(&data).unwrap();
        assert!(!page.contains("__DEVTEAM_DATA__"));
        assert!(!page.contains("<script>alert"), "a task name ended the data block");
        assert!(page.contains("\\u003c/script>\\u003cscript>alert(1)"));
        // The only URL is the SVG namespace, an identifier that is never fetched.
        assert_eq!(page.matches("http://").count(), page.matches("http://www.w3.org/2000/svg").count());
        for fetcher in ["https://", "fetch(", "XMLHttpRequest", "<link", " src=", "@import", "url("] {
            assert!(!page.contains(fetcher), "the page must not reach the network: found {fetcher}");
        }
    }

    #[test]
    fn the_page_saves_what_usage_summary_saves_and_splits_it_by_stage() {
        let store = Store::open_in_memory().unwrap();
        let now: Timestamp = "2026-03-10T12:00:00Z".parse().unwrap();
        let mut call = call_at(now.as_millisecond() - 3_600_000, "web", 200);
        (call.source, call.agent, call.run_id) = (Source::Devteam, "a".into(), Some("r1".into()));
        store.insert_call(&call).unwrap();
        let not_made = crate::store::Counterfactual {
            ts_ms: call.ts_ms,
            project: "web".into(),
            run_id: "r1".into(),
            stage: "discovery".into(),
            input_tokens: 500_000,
            output_tokens: 20,
        };
        store.insert_counterfactual(&not_made).unwrap();
        let scope =
            Scope { period: Period { since: None, until: now }, project: None, source: None, tz: TimeZone::UTC };
        let prices = PriceTable::load(None).unwrap();
        let data = dashboard(&store, &prices, &scope, None, now).unwrap();
        let summary = crate::usage::summary::summary(&store, &prices, &scope).unwrap();
        let discovery = summary.savings.discovery.as_ref().expect("the discovery saving").saved_usd;
        assert!(discovery > 1.0, "half a million tokens not sent: {discovery}");
        assert_eq!(data.summary.savings.saved_usd, summary.savings.saved_usd);
        let stages: Vec<(&str, f64)> = data.by_stage.iter().map(|r| (r.key.as_str(), r.saved_usd)).collect();
        assert!(stages.contains(&("discovery", discovery)), "{stages:?}");
        let sum: f64 = stages.iter().map(|(_, usd)| usd).sum();
        assert!((sum - summary.savings.saved_usd).abs() < 1e-6, "stages {sum} against {}", summary.savings.saved_usd);
    }

    #[test]
    fn imported_usage_is_charted_by_project_not_as_one_none_bar() {
        let store = Store::open_in_memory().unwrap();
        let now: Timestamp = "2026-03-10T12:00:00Z".parse().unwrap();
        for (i, project) in ["-home-me-shop", "-home-me-blog", "-home-me-shop"].iter().enumerate() {
            store
                .insert_call(&call_at(now.as_millisecond() - 3_600_000 * (i as i64 + 1), project, 100 * (i as i64 + 1)))
                .unwrap();
        }
        let scope =
            Scope { period: Period { since: None, until: now }, project: None, source: None, tz: TimeZone::UTC };
        let data = dashboard(&store, &PriceTable::load(None).unwrap(), &scope, None, now).unwrap();
        assert_eq!((data.by_agent_dim, data.top_tasks_dim), ("project", "none"));
        let keys: Vec<&str> = data.by_agent.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["-home-me-shop", "-home-me-blog"], "costliest first");
        assert!(data.top_tasks.is_empty());
        assert_eq!(data.first_call.as_deref(), Some("2026-03-10T09:00:00+00:00"));
    }

    #[test]
    fn imported_sessions_are_the_top_chart_with_their_project() {
        let store = Store::open_in_memory().unwrap();
        let now: Timestamp = "2026-03-10T12:00:00Z".parse().unwrap();
        let calls = [("-home-me-shop", "s-aaa", 100), ("-home-me-blog", "s-bbb", 500), ("-home-me-shop", "s-aaa", 300)];
        for (i, (project, session, cost)) in calls.iter().enumerate() {
            let mut call = call_at(now.as_millisecond() - 3_600_000 * (i as i64 + 1), project, *cost);
            call.session_id = Some((*session).into());
            store.insert_call(&call).unwrap();
        }
        let scope =
            Scope { period: Period { since: None, until: now }, project: None, source: None, tz: TimeZone::UTC };
        let data = dashboard(&store, &PriceTable::load(None).unwrap(), &scope, None, now).unwrap();
        assert_eq!((data.by_agent_dim, data.top_tasks_dim), ("project", "session"));
        let rows: Vec<(&str, u64)> = data.top_tasks.iter().map(|r| (r.key.as_str(), r.calls)).collect();
        assert_eq!(rows, [("s-bbb (-home-me-blog)", 1), ("s-aaa (-home-me-shop)", 2)], "costliest first");
    }

    /// An imported Claude Code call to Sonnet.
    fn call_at(ts_ms: i64, project: &str, cost_micros: i64) -> CallRecord {
        let call = CallRecord::for_test().at(ts_ms).source(Source::ClaudeCode).project(project);
        call.model("claude-sonnet-4-6").tier("").tokens(10, 10).cost_micros(cost_micros)
    }
}
