//! What learning adds to reports: routing outcomes over time, A/B results and the open
//! suggestions, gathered once for `usage suggest` and the dashboard alike.

use anyhow::Result;
use serde::Serialize;

use super::propose::{self, Policy};
use super::record::{Label, outcome};
use crate::ab::report::AbReport;
use crate::pricing::PriceTable;
use crate::routing::learned::Learned;
use crate::routing::{Thresholds, Tier};
use crate::store::Store;
use crate::usage::suggest::{self, Current, Facts, Suggestion};

const DAY_MS: i64 = 86_400_000;

/// Routing outcomes in one week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoutingWeek {
    /// Start of the week, Unix milliseconds (weeks counted back from now).
    pub start_ms: i64,
    pub decisions: usize,
    pub succeeded: usize,
    pub upgraded: usize,
    pub failed: usize,
    /// Share of decisions with a usable outcome whose first tier was enough.
    pub accuracy: Option<f64>,
}

/// The dashboard's learning section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Learning {
    pub routing: Vec<RoutingWeek>,
    pub ab: Vec<AbReport>,
    pub suggestions: Vec<Suggestion>,
}

/// What the router and settings are now, for the rules that compare with them.
pub struct Now<'a> {
    pub thresholds: Thresholds,
    pub learned: Option<&'a Learned>,
    pub current: Current,
    pub library_agents: &'a [String],
}

/// The store's facts since `since`, with what learned routing would save on them.
pub fn facts(store: &Store, prices: &PriceTable, now: &Now<'_>, days: u32, now_ms: i64) -> Result<Facts> {
    let since = now_ms - i64::from(days) * DAY_MS;
    let mut facts = store.suggest_facts(since, days, now.library_agents)?;
    let rows = store.routing_outcomes(since)?;
    let learned = propose::as_learned(&propose::propose(&rows, now.thresholds, Policy::default(), now_ms), now_ms);
    // Already in force: nothing more to gain from applying it again.
    if now.learned.is_some_and(|l| l.adjustments == learned.adjustments) {
        return Ok(facts);
    }
    let rate = |t: Tier| prices.model(t.name()).map(|m| m.rates.input).unwrap_or(0.0);
    for (row, before, after) in propose::moved_down(&rows, &learned, now.thresholds) {
        // The row's cost at the lower tier's share of the higher tier's price.
        let ratio = if rate(before) > 0.0 { rate(after) / rate(before) } else { 1.0 };
        facts.routing_down += 1;
        facts.routing_saving_micros += (row.cost_micros as f64 * (1.0 - ratio)).round() as i64;
    }
    Ok(facts)
}

/// Routing per week, A/B reports and the suggestions, over `days`.
pub fn learning(store: &Store, prices: &PriceTable, now: &Now<'_>, days: u32, now_ms: i64) -> Result<Learning> {
    let since = now_ms - i64::from(days) * DAY_MS;
    let rows = store.routing_outcomes(since)?;
    let weeks = (i64::from(days) + 6) / 7;
    let routing = (0..weeks)
        .rev()
        .map(|w| {
            let start_ms = now_ms - (w + 1) * 7 * DAY_MS;
            let in_week: Vec<_> =
                rows.iter().filter(|r| r.ts_ms >= start_ms && r.ts_ms < start_ms + 7 * DAY_MS).collect();
            let usable = in_week.iter().filter(|r| r.label() != Label::Unknown).count();
            let enough = in_week.iter().filter(|r| r.label() == Label::Enough).count();
            RoutingWeek {
                start_ms,
                decisions: in_week.len(),
                succeeded: in_week.iter().filter(|r| r.outcome == outcome::OK).count(),
                upgraded: in_week.iter().filter(|r| r.outcome == outcome::UPGRADED).count(),
                failed: in_week.iter().filter(|r| r.outcome == outcome::FAILED).count(),
                accuracy: (usable > 0).then(|| enough as f64 / usable as f64),
            }
        })
        .collect();
    let mut ab = Vec::new();
    for t in store.ab_tests()?.into_iter().take(5) {
        let keys: Vec<String> = t.variants.iter().map(|v| v.key.clone()).collect();
        let runs = store.ab_runs(&t.name)?;
        ab.push(crate::ab::report::report(&t.name, t.alpha, t.stopped_ms.is_none(), &keys, &runs));
    }
    let suggestions = suggest::suggest(&facts(store, prices, now, days, now_ms)?, prices, now.current);
    Ok(Learning { routing, ab, suggestions })
}
