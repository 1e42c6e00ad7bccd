//! Usage reports: what was spent, where, and what was saved, built from one aggregate scan of
//! the store (see `store/reports.rs`), priced with the price table in force.
//!
//! Cache hit rate = cache reads / (cache reads + 5-minute cache writes + 1-hour cache writes):
//! of the prompt tokens that sat in a cacheable prefix (before a cache breakpoint), the share
//! served from the cache rather than written to it. Fresh input (after the last breakpoint) can
//! never be a hit, so it is left out; `cached_input_share` (cache reads / all input) includes it.

use std::collections::BTreeMap;

use anyhow::Result;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::pricing::{PriceTable, TokenUsage};
use crate::store::Store;
use crate::usage::Source;
use crate::usage::groups::{CallFilter, Group, GroupBy, Key, Totals};
use crate::usage::period::{self, Period};
use crate::usage::savings::{Priced, Pricer, Savings, micro};

/// Why the discovery counterfactual is missing, until `run` records library sizes per call.
pub const NO_DISCOVERY_NOTE: &str = "savings against loading the whole agent library are not shown: the store does \
                                     not record the library size per call yet";

/// What a report covers.
#[derive(Debug, Clone)]
pub struct Scope {
    pub period: Period,
    pub project: Option<String>,
    pub source: Option<Source>,
    pub tz: TimeZone,
}

/// The scope, as printed in `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeInfo {
    /// RFC 3339 in the report's time zone; `null` from the first call.
    pub since: Option<String>,
    pub until: String,
    pub timezone: String,
    pub project: Option<String>,
    pub source: Option<&'static str>,
}

impl Scope {
    pub fn filter(&self) -> CallFilter {
        CallFilter {
            since_ms: self.period.since.map(Timestamp::as_millisecond),
            until_ms: Some(self.period.until.as_millisecond()),
            project: self.project.clone(),
            source: self.source,
        }
    }

    pub fn info(&self) -> ScopeInfo {
        ScopeInfo {
            since: self.period.since.map(|t| period::display(t, &self.tz)),
            until: period::display(self.period.until, &self.tz),
            timezone: self.tz.iana_name().unwrap_or("UTC").to_string(),
            project: self.project.clone(),
            source: self.source.map(Source::as_str),
        }
    }
}

/// Token sums and their prices, for one row of a report.
#[derive(Debug, Clone, Copy, Default)]
pub struct RowSums {
    pub totals: Totals,
    pub priced: Priced,
}

impl RowSums {
    pub fn add(&mut self, group: &Group, pricer: &Pricer) {
        self.totals.merge(&group.totals);
        self.priced.add(&pricer.price(group));
    }

    pub fn merge(&mut self, other: &RowSums) {
        self.totals.merge(&other.totals);
        self.priced.add(&other.priced);
    }
}

/// One row of a report: a source, a model, a day, an agent...
#[derive(Debug, Clone, Serialize)]
pub struct UsageRow {
    pub key: String,
    pub calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_write_5m_tokens: u64,
    pub cache_write_1h_tokens: u64,
    pub cache_read_tokens: u64,
    pub total_tokens: u64,
    /// Recorded cost, USD.
    pub cost_usd: f64,
    /// Fractions of the report's whole (0 when the whole is 0).
    pub cost_share: f64,
    pub call_share: f64,
    pub token_share: f64,
    /// Cache reads / (cache reads + cache writes); `null` when nothing was cacheable.
    pub cache_hit_rate: Option<f64>,
    /// The counterfactual: the same tokens on the sonnet tier, no cache, no batch.
    pub baseline_usd: f64,
    pub saved_usd: f64,
}

impl UsageRow {
    pub fn new(key: impl Into<String>, sums: &RowSums, whole: &RowSums) -> Self {
        let (t, w) = (&sums.totals, &whole.totals);
        let share = |part: f64, all: f64| if all > 0.0 { part / all } else { 0.0 };
        Self {
            key: key.into(),
            calls: t.calls,
            input_tokens: t.tokens.input,
            output_tokens: t.tokens.output,
            cache_write_5m_tokens: t.tokens.cache_write_5m,
            cache_write_1h_tokens: t.tokens.cache_write_1h,
            cache_read_tokens: t.tokens.cache_read,
            total_tokens: t.total_tokens(),
            cost_usd: micro(sums.priced.recorded),
            cost_share: share(sums.priced.recorded, whole.priced.recorded),
            call_share: share(t.calls as f64, w.calls as f64),
            token_share: share(t.total_tokens() as f64, w.total_tokens() as f64),
            cache_hit_rate: cache_hit_rate(&t.tokens),
            baseline_usd: micro(sums.priced.baseline),
            saved_usd: micro(sums.priced.saved()),
        }
    }
}

/// Cache reads over cacheable input (reads plus writes of either lifetime).
pub fn cache_hit_rate(t: &TokenUsage) -> Option<f64> {
    let cacheable = t.cache_read + t.cache_write_5m + t.cache_write_1h;
    (cacheable > 0).then(|| t.cache_read as f64 / cacheable as f64)
}

/// The cache section of a summary.
#[derive(Debug, Clone, Serialize)]
pub struct CacheStats {
    pub hit_rate: Option<f64>,
    /// Cache reads / all input tokens.
    pub cached_input_share: Option<f64>,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    pub fresh_input_tokens: u64,
}

impl CacheStats {
    pub fn new(t: &TokenUsage) -> Self {
        let all = t.total_input();
        Self {
            hit_rate: cache_hit_rate(t),
            cached_input_share: (all > 0).then(|| t.cache_read as f64 / all as f64),
            cache_read_tokens: t.cache_read,
            cache_write_tokens: t.cache_write_5m + t.cache_write_1h,
            fresh_input_tokens: t.input,
        }
    }
}

/// Sums over a window of time, for trends.
#[derive(Debug, Clone, Serialize)]
pub struct TrendWindow {
    pub since: String,
    pub until: String,
    pub calls: u64,
    pub total_tokens: u64,
    pub cost_usd: f64,
}

/// This period against the one before it.
#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    /// What is compared with what.
    pub label: String,
    pub current: TrendWindow,
    pub previous: TrendWindow,
    /// (current - previous) / previous; `null` when the previous window is empty.
    pub cost_change: Option<f64>,
    pub calls_change: Option<f64>,
}

/// The windows a trend compares: with `--since`, the period and the equal period before it;
/// without, the last 7 days before `--until` and the 7 days before those.
#[derive(Debug, Clone, Copy)]
struct TrendSplit {
    previous: Timestamp,
    current: Timestamp,
    until: Timestamp,
    /// Whether the period itself starts at `current` (else it is everything before `until`).
    period_is_current: bool,
}

impl TrendSplit {
    fn new(period: &Period) -> Self {
        let week = SignedDuration::from_hours(24 * 7);
        match period.since {
            Some(since) => {
                let len = period.until.duration_since(since);
                let previous = since.checked_sub(len).unwrap_or(Timestamp::MIN);
                Self { previous, current: since, until: period.until, period_is_current: true }
            }
            None => {
                let current = period.until.checked_sub(week).unwrap_or(Timestamp::MIN);
                let previous = current.checked_sub(week).unwrap_or(Timestamp::MIN);
                Self { previous, current, until: period.until, period_is_current: false }
            }
        }
    }

    fn bounds(&self) -> Vec<i64> {
        vec![self.previous.as_millisecond(), self.current.as_millisecond()]
    }

    /// Bucket 0: before the previous window; 1: the previous window; 2: the current one.
    fn in_period(&self, bucket: usize) -> bool {
        !self.period_is_current || bucket == 2
    }
}

/// A scan's groups, restricted to the report's period, one list per grouping asked for.
pub struct Scan {
    pub groups: Vec<Vec<Group>>,
    /// Previous and current trend windows (from the first grouping), when asked for.
    pub trend: Option<(RowSums, RowSums)>,
}

/// Scans the store once for all `specs`. With `trend`, the scan reaches back far enough for the
/// trend's previous window, and calls outside the period are left out of `groups` afterwards.
pub fn scan(store: &Store, pricer: &Pricer, scope: &Scope, specs: &[Vec<Key>], trend: bool) -> Result<Scan> {
    let split = TrendSplit::new(&scope.period);
    let mut filter = scope.filter();
    if trend && split.period_is_current {
        filter.since_ms = Some(split.previous.as_millisecond());
    }
    let lead = if trend { vec![Key::Time(split.bounds())] } else { Vec::new() };
    let group_bys: Vec<GroupBy> =
        specs.iter().map(|keys| GroupBy::new(lead.iter().cloned().chain(keys.iter().cloned()).collect())).collect();
    let mut all = store.usage_scan(&filter, &group_bys, pricer.bands())?;
    if !trend {
        return Ok(Scan { groups: all, trend: None });
    }
    let mut windows = (RowSums::default(), RowSums::default());
    for group in all.first().into_iter().flatten() {
        match group.keys[0].bucket() {
            1 => windows.0.add(group, pricer),
            2 => windows.1.add(group, pricer),
            _ => {}
        }
    }
    for groups in &mut all {
        groups.retain(|g| split.in_period(g.keys[0].bucket()));
        groups.iter_mut().for_each(|g| drop(g.keys.remove(0)));
    }
    Ok(Scan { groups: all, trend: Some(windows) })
}

/// Sums groups into rows by a label; `BTreeMap` keeps ties in a stable order.
pub fn rollup<'g>(
    groups: impl IntoIterator<Item = &'g Group>,
    pricer: &Pricer,
    label: impl Fn(&Group) -> String,
) -> BTreeMap<String, RowSums> {
    let mut rows: BTreeMap<String, RowSums> = BTreeMap::new();
    for group in groups {
        rows.entry(label(group)).or_default().add(group, pricer);
    }
    rows
}

/// The whole of some rows.
pub fn whole<'r>(rows: impl IntoIterator<Item = &'r RowSums>) -> RowSums {
    let mut all = RowSums::default();
    rows.into_iter().for_each(|r| all.merge(r));
    all
}

/// Rows, costliest first.
pub fn ranked(rows: &BTreeMap<String, RowSums>, whole: &RowSums) -> Vec<UsageRow> {
    let mut out: Vec<UsageRow> = rows.iter().map(|(k, s)| UsageRow::new(k.clone(), s, whole)).collect();
    out.sort_by(|a, b| b.cost_usd.total_cmp(&a.cost_usd).then_with(|| a.key.cmp(&b.key)));
    out
}

/// A label for an empty text key (Claude Code calls have no agent, for one).
pub fn label(text: &str) -> String {
    if text.is_empty() { "(none)".to_string() } else { text.to_string() }
}

/// The trend section, from the scan's two windows.
pub fn trend(scope: &Scope, windows: &(RowSums, RowSums)) -> Trend {
    let split = TrendSplit::new(&scope.period);
    let window = |s: &RowSums, from: Timestamp, to: Timestamp| TrendWindow {
        since: period::display(from, &scope.tz),
        until: period::display(to, &scope.tz),
        calls: s.totals.calls,
        total_tokens: s.totals.total_tokens(),
        cost_usd: micro(s.priced.recorded),
    };
    let change = |now: f64, before: f64| (before > 0.0).then(|| (now - before) / before);
    let label = if split.period_is_current {
        "this period against the period of equal length before it"
    } else {
        "the last 7 days against the 7 days before them"
    };
    Trend {
        label: label.to_string(),
        current: window(&windows.1, split.current, split.until),
        previous: window(&windows.0, split.previous, split.current),
        cost_change: change(windows.1.priced.recorded, windows.0.priced.recorded),
        calls_change: change(windows.1.totals.calls as f64, windows.0.totals.calls as f64),
    }
}

/// Models in `groups` that the price table does not know, sorted.
pub fn unpriced_models<'g>(groups: impl IntoIterator<Item = &'g Group>, prices: &PriceTable) -> Vec<String> {
    let mut models: Vec<String> =
        groups.into_iter().filter(|g| prices.model(&g.model).is_err()).map(|g| g.model.clone()).collect();
    models.sort();
    models.dedup();
    models
}

/// The savings section for some groups.
pub fn savings(groups: &[&Group], pricer: &Pricer, prices: &PriceTable) -> Savings {
    let mut priced = Priced::default();
    groups.iter().for_each(|g| priced.add(&pricer.price(g)));
    Savings::new(pricer.baseline_model(), &priced, unpriced_models(groups.iter().copied(), prices))
}
