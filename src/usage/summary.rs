//! The two tabular reports: `usage summary` (what was spent, where, what was saved, the trend)
//! and `usage by DIMENSION` (one row per day, model, agent, ...).

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use crate::pricing::PriceTable;
use crate::store::Store;
use crate::usage::groups::{Group, Key};
use crate::usage::period::{self, Calendar};
use crate::usage::report::{
    self, CacheStats, NO_DISCOVERY_NOTE, RowSums, Scope, ScopeInfo, Trend, UsageRow, label, ranked, rollup, whole,
};
use crate::usage::savings::{Pricer, Savings};

/// The `--json` report of `usage summary`.
#[derive(Debug, Serialize)]
pub struct SummaryReport {
    pub scope: ScopeInfo,
    pub totals: UsageRow,
    pub by_source: Vec<UsageRow>,
    /// The model distribution: calls, tokens and cost per model, with shares.
    pub by_model: Vec<UsageRow>,
    pub cache: CacheStats,
    pub savings: Savings,
    pub trend: Trend,
    pub notes: Vec<String>,
}

/// Totals, sources, models, cache, savings and trend over the scope.
pub fn summary(store: &Store, prices: &PriceTable, scope: &Scope) -> Result<SummaryReport> {
    let pricer = Pricer::new(prices)?;
    let scan = report::scan(store, &pricer, scope, &[vec![Key::Source]], true)?;
    let mut report = summary_of(scope, &pricer, prices, &scan.groups[0], &scan.trend.unwrap_or_default());
    add_discovery(store, &pricer, scope, &mut report)?;
    Ok(report)
}

/// Adds the discovery calls devteam did not make to a summary's savings (the dashboard's too,
/// so that both say the same saving).
pub fn add_discovery(store: &Store, pricer: &Pricer, scope: &Scope, report: &mut SummaryReport) -> Result<()> {
    pricer.add_discovery(&mut report.savings, store.counterfactual_sums("discovery", &scope.filter())?);
    if report.savings.discovery.is_some() {
        report.notes.retain(|n| n != NO_DISCOVERY_NOTE);
    }
    Ok(())
}

/// The summary from groups keyed by source, and the trend's two windows.
pub fn summary_of(
    scope: &Scope,
    pricer: &Pricer,
    prices: &PriceTable,
    by_source: &[Group],
    windows: &(RowSums, RowSums),
) -> SummaryReport {
    let groups: Vec<&Group> = by_source.iter().collect();
    let sources = rollup(groups.iter().copied(), pricer, |g| g.keys[0].text().to_string());
    let models = rollup(groups.iter().copied(), pricer, |g| g.model.clone());
    let all = whole(sources.values());
    let savings = report::savings(&groups, pricer, prices);
    let mut notes = vec![NO_DISCOVERY_NOTE.to_string()];
    if !savings.unpriced_models.is_empty() {
        notes.push(format!(
            "no price for {}: their calls count at their recorded cost, and their savings are unattributed",
            savings.unpriced_models.join(", ")
        ));
    }
    SummaryReport {
        scope: scope.info(),
        totals: UsageRow::new("total", &all, &all),
        by_source: ranked(&sources, &all),
        by_model: ranked(&models, &all),
        cache: CacheStats::new(&all.totals.tokens),
        savings,
        trend: report::trend(scope, windows),
        notes,
    }
}

/// What `usage by` groups on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Time(Calendar),
    Model,
    Tier,
    Agent,
    Project,
    Task,
    Session,
    Source,
    /// Which part of devteam made the call, plus the discovery calls it did not make.
    Stage,
}

impl Dimension {
    pub fn name(self) -> &'static str {
        match self {
            Self::Time(Calendar::Day) => "day",
            Self::Time(Calendar::Week) => "week",
            Self::Time(Calendar::Month) => "month",
            Self::Model => "model",
            Self::Tier => "tier",
            Self::Agent => "agent",
            Self::Project => "project",
            Self::Task => "task",
            Self::Session => "session",
            Self::Source => "source",
            Self::Stage => "stage",
        }
    }

    fn key(self) -> Option<Key> {
        match self {
            Self::Time(_) | Self::Model => None,
            Self::Tier => Some(Key::Tier),
            Self::Agent => Some(Key::Agent),
            Self::Project => Some(Key::Project),
            Self::Task => Some(Key::Task),
            Self::Session => Some(Key::Session),
            Self::Source => Some(Key::Source),
            Self::Stage => Some(Key::Stage),
        }
    }
}

/// The `--json` report of `usage by`.
#[derive(Debug, Serialize)]
pub struct ByReport {
    pub dimension: &'static str,
    pub scope: ScopeInfo,
    /// Time dimensions oldest first; the others costliest first.
    pub rows: Vec<UsageRow>,
    /// Rows left out by `--limit`.
    pub omitted_rows: usize,
    pub totals: UsageRow,
}

/// One row per value of `dim` over the scope; `limit` keeps the costliest (or latest) rows.
pub fn by(store: &Store, prices: &PriceTable, scope: &Scope, dim: Dimension, limit: Option<usize>) -> Result<ByReport> {
    let pricer = Pricer::new(prices)?;
    let (rows, all) = match dim {
        Dimension::Time(cal) => time_rows(store, &pricer, scope, cal)?,
        _ => {
            let keys: Vec<Key> = dim.key().into_iter().collect();
            let scan = report::scan(store, &pricer, scope, &[keys], false)?;
            let mut sums = rollup(&scan.groups[0], &pricer, |g| match g.keys.first() {
                Some(key) => label(key.text()),
                None => g.model.clone(),
            });
            if dim == Dimension::Stage {
                // Discovery's saving is the whole-library calls not made: a row of its own, so
                // that the stages' savings add up to the summary's.
                let not_made = pricer.discovery(store.counterfactual_sums("discovery", &scope.filter())?);
                if let Some(row) = not_made {
                    sums.insert("discovery".to_string(), row);
                }
            }
            let all = whole(sums.values());
            (ranked(&sums, &all), all)
        }
    };
    let totals = UsageRow::new("total", &all, &all);
    let (rows, omitted_rows) = limit_rows(rows, limit, matches!(dim, Dimension::Time(_)));
    Ok(ByReport { dimension: dim.name(), scope: scope.info(), rows, omitted_rows, totals })
}

/// Keeps `limit` rows: the first (costliest), or the last (latest) for time rows.
fn limit_rows(mut rows: Vec<UsageRow>, limit: Option<usize>, latest: bool) -> (Vec<UsageRow>, usize) {
    let Some(limit) = limit.filter(|l| *l < rows.len()) else { return (rows, 0) };
    let omitted = rows.len() - limit;
    if latest {
        rows.drain(..omitted);
    } else {
        rows.truncate(limit);
    }
    (rows, omitted)
}

/// Calendar buckets over the span of the calls in scope, oldest first; empty buckets left out.
fn time_rows(store: &Store, pricer: &Pricer, scope: &Scope, cal: Calendar) -> Result<(Vec<UsageRow>, RowSums)> {
    let starts = calendar_starts(store, scope, cal)?;
    if starts.is_empty() {
        return Ok((Vec::new(), RowSums::default()));
    }
    let keys = vec![Key::Time(starts.iter().map(|t| t.as_millisecond()).collect())];
    let scan = report::scan(store, pricer, scope, &[keys], false)?;
    let mut sums: BTreeMap<usize, RowSums> = BTreeMap::new();
    for group in &scan.groups[0] {
        sums.entry(group.keys[0].bucket()).or_default().add(group, pricer);
    }
    let all = whole(sums.values());
    let name = |bucket: usize| match bucket.checked_sub(1).and_then(|i| starts.get(i)) {
        Some(start) => period::bucket_label(cal, *start, &scope.tz),
        None => "(before)".to_string(),
    };
    Ok((sums.iter().map(|(bucket, s)| UsageRow::new(name(*bucket), s, &all)).collect(), all))
}

/// The starts of the calendar buckets that cover the calls in scope (none without calls).
pub fn calendar_starts(store: &Store, scope: &Scope, cal: Calendar) -> Result<Vec<jiff::Timestamp>> {
    let Some((first, last)) = store.usage_span(&scope.filter())? else { return Ok(Vec::new()) };
    let from = jiff::Timestamp::from_millisecond(first)?.max(scope.period.since.unwrap_or(jiff::Timestamp::MIN));
    let to = jiff::Timestamp::from_millisecond(last.saturating_add(1))?.min(scope.period.until);
    period::bucket_starts(cal, from, to, &scope.tz)
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;
    use jiff::tz::TimeZone;

    use super::*;
    use crate::usage::period::Period;
    use crate::usage::{CallRecord, Source};

    const DAY_MS: i64 = 86_400_000;

    fn until() -> Timestamp {
        "2026-03-10T12:00:00Z".parse().unwrap()
    }

    fn call(days_ago: f64, source: Source, agent: &str, model: &str, tokens: [u64; 5], cost_micros: i64) -> CallRecord {
        let [input, output, cache_write_5m, cache_write_1h, cache_read] = tokens;
        let ts_ms = until().as_millisecond() - (days_ago * DAY_MS as f64) as i64;
        let project = if source == Source::ClaudeCode { "api" } else { "web" };
        let call = CallRecord::for_test().at(ts_ms).source(source).project(project).task(&format!("task for {model}"));
        let call = call.agent(agent).model(model).tier("").tokens(input, output);
        call.cache(cache_write_5m, cache_write_1h, cache_read)
            .cost_micros(cost_micros)
            .batch(model == "claude-sonnet-4-6")
    }

    /// A: haiku with cache, recorded at haiku rates (6,600 micro-dollars). B: a sonnet batch
    /// call at half price (9,000). C: a model with no price (50). D: 10 days earlier (100).
    fn seeded() -> Store {
        let store = Store::open_in_memory().unwrap();
        for c in [
            call(1.0, Source::Devteam, "a", "claude-haiku-4-5", [1000, 500, 2000, 0, 6000], 6_600),
            call(1.5, Source::ClaudeCode, "", "claude-sonnet-4-6", [1000, 1000, 0, 0, 0], 9_000),
            call(0.5, Source::Devteam, "b", "mystery-model", [100, 0, 0, 0, 0], 50),
            call(10.0, Source::Devteam, "a", "claude-haiku-4-5", [100, 0, 0, 0, 0], 100),
        ] {
            store.insert_call(&c).unwrap();
        }
        store
    }

    fn scope(since: Option<&str>) -> Scope {
        let tz = TimeZone::UTC;
        Scope { period: Period::parse(since, None, until(), &tz).unwrap(), project: None, source: None, tz }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn summary_math_on_seeded_calls() {
        let prices = PriceTable::pinned_4_6();
        let r = summary(&seeded(), &prices, &scope(Some("2d"))).unwrap();
        assert_eq!(r.totals.calls, 3);
        assert!(close(r.totals.cost_usd, 0.015_650), "{}", r.totals.cost_usd);
        assert_eq!(r.totals.cache_read_tokens, 6000);
        assert_eq!(r.cache.hit_rate, Some(0.75));
        assert!(close(r.cache.cached_input_share.unwrap(), 6000.0 / 10_100.0));
        let s = &r.savings;
        assert_eq!(s.baseline_model, "claude-sonnet-4-6");
        // Baseline: every input token at sonnet's $3/M and output at $15/M, no batch discount.
        assert!(close(s.baseline_usd, 0.052_800), "{}", s.baseline_usd);
        assert!(close(s.saved_usd, 0.037_150));
        assert!(close(s.routing_usd, 0.023_000), "{}", s.routing_usd);
        assert!(close(s.caching_usd, 0.004_900), "{}", s.caching_usd);
        assert!(close(s.batching_usd, 0.009_000), "{}", s.batching_usd);
        assert!(close(s.unattributed_usd, 0.000_250), "{}", s.unattributed_usd);
        assert_eq!(s.unpriced_models, ["mystery-model"]);
        assert!(r.notes.iter().any(|n| n.contains("mystery-model")));
        let sources: Vec<(&str, u64)> = r.by_source.iter().map(|x| (x.key.as_str(), x.calls)).collect();
        assert_eq!(sources, [("claude-code", 1), ("devteam", 2)]);
        assert_eq!(r.by_model[0].key, "claude-sonnet-4-6");
        assert!(close(r.by_model.iter().map(|m| m.cost_share).sum::<f64>(), 1.0));
        // Trend: the 2-day period against the 2 days before it, which hold nothing.
        assert_eq!((r.trend.current.calls, r.trend.previous.calls), (3, 0));
        assert_eq!(r.trend.cost_change, None);
    }

    #[test]
    fn trend_without_since_is_the_last_week_against_the_one_before() {
        let prices = PriceTable::pinned_4_6();
        let r = summary(&seeded(), &prices, &scope(None)).unwrap();
        assert_eq!(r.totals.calls, 4);
        assert_eq!((r.trend.current.calls, r.trend.previous.calls), (3, 1));
        assert!(close(r.trend.cost_change.unwrap(), (15_650.0 - 100.0) / 100.0));
        assert_eq!(r.trend.previous.since, "2026-02-24T12:00:00+00:00");
    }

    #[test]
    fn by_rows_label_limit_and_total() {
        let prices = PriceTable::pinned_4_6();
        let store = seeded();
        let r = by(&store, &prices, &scope(None), Dimension::Agent, None).unwrap();
        let rows: Vec<(&str, u64)> = r.rows.iter().map(|x| (x.key.as_str(), x.calls)).collect();
        assert_eq!(rows, [("(none)", 1), ("a", 2), ("b", 1)]);
        assert_eq!(r.totals.calls, 4);
        let r = by(&store, &prices, &scope(None), Dimension::Time(Calendar::Day), Some(2)).unwrap();
        let days: Vec<&str> = r.rows.iter().map(|x| x.key.as_str()).collect();
        assert_eq!(days, ["2026-03-09", "2026-03-10"]);
        assert_eq!((r.omitted_rows, r.totals.calls), (1, 4));
        let r = by(&store, &prices, &scope(None), Dimension::Model, Some(1)).unwrap();
        assert_eq!((r.rows[0].key.as_str(), r.omitted_rows), ("claude-sonnet-4-6", 2));
    }

    #[test]
    fn days_follow_the_time_zone() {
        let prices = PriceTable::pinned_4_6();
        let store = Store::open_in_memory().unwrap();
        // 23:30 UTC on March 8 is 00:30 on March 9 in Paris.
        let late: Timestamp = "2026-03-08T23:30:00Z".parse().unwrap();
        let mut c = call(0.0, Source::Devteam, "a", "claude-haiku-4-5", [10, 0, 0, 0, 0], 10);
        c.ts_ms = late.as_millisecond();
        store.insert_call(&c).unwrap();
        let mut paris = scope(None);
        paris.tz = TimeZone::get("Europe/Paris").unwrap();
        let day = |s: &Scope| by(&store, &prices, s, Dimension::Time(Calendar::Day), None).unwrap().rows[0].key.clone();
        assert_eq!(day(&scope(None)), "2026-03-08");
        assert_eq!(day(&paris), "2026-03-09");
    }

    #[test]
    fn an_empty_store_reports_zeros() {
        let prices = PriceTable::pinned_4_6();
        let store = Store::open_in_memory().unwrap();
        let r = summary(&store, &prices, &scope(None)).unwrap();
        assert_eq!((r.totals.calls, r.cache.hit_rate, r.savings.saved_share), (0, None, None));
        assert!(by(&store, &prices, &scope(None), Dimension::Time(Calendar::Week), None).unwrap().rows.is_empty());
    }
}
