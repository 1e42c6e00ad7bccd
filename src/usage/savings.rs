//! What the spend would have been otherwise, priced with the price table in force.
//!
//! The counterfactual is the same work (the same tokens) sent to the `sonnet` tier's model with
//! no prompt cache and no batch discount: every input token (fresh, cache write and cache read)
//! at its fresh-input rate, output at its output rate, and its long-context rates for the calls
//! whose input crosses its threshold. What was saved against it is split into three levers,
//! each priced at the rates of the model each call really used:
//!
//! - routing: the counterfactual minus the same tokens as fresh input on the call's own model;
//! - caching: that minus the call's tokens at its own cache-write and cache-read rates;
//! - batching: that minus the same with the model's batch discount on batch calls;
//!
//! and the rest, `unattributed`: the recomputed cost minus the recorded one (prices that changed
//! since the call, and calls on models the table does not know, whose whole saving lands here).
//! Routing is negative when work went to a model dearer than the baseline.

use serde::Serialize;

use crate::pricing::{ModelInfo, PriceTable, Rates, TokenUsage};
use crate::usage::groups::Group;
use crate::usage::to_usd;

/// Prices groups of calls against the counterfactual.
pub struct Pricer<'a> {
    prices: &'a PriceTable,
    baseline: &'a ModelInfo,
    bands: Vec<u64>,
}

/// One group's cost under each assumption, USD. The `own_*` figures and `priced_baseline`
/// cover only calls on models the price table knows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Priced {
    pub recorded: f64,
    pub baseline: f64,
    pub priced_baseline: f64,
    /// Own model, all input fresh, no batch discount.
    pub own_fresh: f64,
    /// Own model at its cache rates, no batch discount.
    pub own_list: f64,
    /// Own model at its cache rates and batch discount: the recomputed cost.
    pub own_billed: f64,
}

impl Priced {
    pub fn add(&mut self, other: &Priced) {
        self.recorded += other.recorded;
        self.baseline += other.baseline;
        self.priced_baseline += other.priced_baseline;
        self.own_fresh += other.own_fresh;
        self.own_list += other.own_list;
        self.own_billed += other.own_billed;
    }

    pub fn saved(&self) -> f64 {
        self.baseline - self.recorded
    }
}

impl<'a> Pricer<'a> {
    /// A pricer whose baseline is the model of the `sonnet` tier.
    pub fn new(prices: &'a PriceTable) -> anyhow::Result<Self> {
        let baseline = prices.model("sonnet")?;
        let mut bands: Vec<u64> =
            prices.models().filter_map(|m| m.long_context.map(|l| l.above_input_tokens)).collect();
        bands.sort_unstable();
        bands.dedup();
        Ok(Self { prices, baseline, bands })
    }

    /// The input thresholds the store must split calls by (every long-context threshold).
    pub fn bands(&self) -> &[u64] {
        &self.bands
    }

    pub fn baseline_model(&self) -> &str {
        &self.baseline.id
    }

    /// A group's cost under each assumption.
    pub fn price(&self, group: &Group) -> Priced {
        let t = &group.totals.tokens;
        let fresh = TokenUsage { input: t.total_input(), output: t.output, ..TokenUsage::default() };
        // A warm-up has no counterfactual: the unoptimized system sends none, so its whole cost
        // is a saving given back (to caching, the lever it serves). Reports keyed by source or
        // stage know which calls are warm-ups; the summary is keyed by source.
        let baseline = if is_warm_up(group) { 0.0 } else { at(self.rates(self.baseline, group.band), &fresh) };
        let mut priced = Priced { recorded: to_usd(group.totals.cost_micros), baseline, ..Priced::default() };
        if let Ok(own) = self.prices.model(&group.model) {
            let rates = self.rates(own, group.band);
            let list = at(rates, t);
            let factor = if group.batch { own.batch_discount } else { 1.0 };
            priced.priced_baseline = priced.baseline;
            // Nothing to route either: routing's share is zero, and caching takes the cost.
            priced.own_fresh = if is_warm_up(group) { 0.0 } else { at(rates, &fresh) };
            priced.own_list = list;
            priced.own_billed = list * factor;
        }
        priced
    }

    /// The rates a model charges for calls in `band`: its long-context rates when the calls'
    /// input exceeds its threshold.
    fn rates(&self, model: &ModelInfo, band: u8) -> Rates {
        match model.long_context {
            Some(long)
                if self.bands.iter().position(|b| *b == long.above_input_tokens).is_some_and(|i| i < band as usize) =>
            {
                long.rates
            }
            _ => model.rates,
        }
    }
}

/// Dollars rounded to the micro-dollar, the store's unit, so that float dust from summing
/// thousands of groups never prints as `-0.0000`.
pub fn micro(usd: f64) -> f64 {
    (usd * 1_000_000.0).round() / 1_000_000.0
}

/// USD for tokens at rates per million.
/// A group of warm-ups: keyed by source `warm-cache` or stage `warm-ups` (`STAGE_SQL`).
fn is_warm_up(group: &Group) -> bool {
    group.keys.iter().any(|k| matches!(k.text(), "warm-cache" | "warm-ups"))
}

fn at(rates: Rates, t: &TokenUsage) -> f64 {
    (t.input as f64 * rates.input
        + t.output as f64 * rates.output
        + t.cache_write_5m as f64 * rates.cache_write_5m
        + t.cache_write_1h as f64 * rates.cache_write_1h
        + t.cache_read as f64 * rates.cache_read)
        / 1_000_000.0
}

/// The savings section of a report.
#[derive(Debug, Clone, Serialize)]
pub struct Savings {
    /// The counterfactual's model: the `sonnet` tier's, with no cache and no batch discount.
    pub baseline_model: String,
    pub baseline_usd: f64,
    pub actual_usd: f64,
    pub saved_usd: f64,
    /// Saved as a fraction of the baseline (`null` when the baseline is 0).
    pub saved_share: Option<f64>,
    pub routing_usd: f64,
    pub caching_usd: f64,
    pub batching_usd: f64,
    pub unattributed_usd: f64,
    /// Against loading the whole agent library for discovery on every call: needs the
    /// per-call library size, which the store does not record yet (`null` until it does).
    pub discovery: Option<DiscoverySavings>,
    /// Models the price table does not know (their savings are unattributed).
    pub unpriced_models: Vec<String>,
}

/// Savings against loading the whole library for discovery.
#[derive(Debug, Clone, Serialize)]
pub struct DiscoverySavings {
    /// Runs whose discovery was local, each one whole-library call not made.
    pub calls: u64,
    /// Tokens those calls would have sent (API-calibrated, see `commands::run::counterfactual`).
    pub library_tokens: u64,
    pub saved_usd: f64,
}

impl<'a> Pricer<'a> {
    /// What the discovery calls devteam did not make would have cost on the baseline model
    /// (no cache), added to the baseline and the saving: `saved_usd` is then routing + caching
    /// + batching + discovery + unattributed.
    pub fn add_discovery(&self, s: &mut Savings, sums: crate::store::CounterfactualSums) {
        if sums.calls == 0 {
            return;
        }
        let usd = self.discovery_usd(&sums);
        s.baseline_usd = micro(s.baseline_usd + usd);
        s.saved_usd = micro(s.saved_usd + usd);
        s.saved_share = (s.baseline_usd > 0.0).then(|| s.saved_usd / s.baseline_usd);
        s.discovery =
            Some(DiscoverySavings { calls: sums.calls, library_tokens: sums.input_tokens, saved_usd: micro(usd) });
    }
}

impl Pricer<'_> {
    /// The discovery calls not made on the baseline model, no cache.
    fn discovery_usd(&self, sums: &crate::store::CounterfactualSums) -> f64 {
        let tokens = TokenUsage { input: sums.input_tokens, output: sums.output_tokens, ..TokenUsage::default() };
        at(self.baseline.rates, &tokens)
    }

    /// Those calls as a report row: no call made, nothing spent, the baseline all saved
    /// (`None` when there were none).
    pub fn discovery(&self, sums: crate::store::CounterfactualSums) -> Option<crate::usage::report::RowSums> {
        if sums.calls == 0 {
            return None;
        }
        let usd = self.discovery_usd(&sums);
        let priced = Priced { baseline: usd, priced_baseline: usd, ..Priced::default() };
        Some(crate::usage::report::RowSums { priced, ..Default::default() })
    }
}

impl Savings {
    pub fn new(baseline_model: &str, p: &Priced, unpriced_models: Vec<String>) -> Self {
        let saved = p.saved();
        let routing = p.priced_baseline - p.own_fresh;
        let (caching, batching) = (p.own_fresh - p.own_list, p.own_list - p.own_billed);
        Self {
            baseline_model: baseline_model.to_string(),
            baseline_usd: micro(p.baseline),
            actual_usd: micro(p.recorded),
            saved_usd: micro(saved),
            saved_share: (p.baseline > 0.0).then(|| saved / p.baseline),
            routing_usd: micro(routing),
            caching_usd: micro(caching),
            batching_usd: micro(batching),
            unattributed_usd: micro(saved - routing - caching - batching),
            discovery: None,
            unpriced_models,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::groups::Totals;

    fn group(model: &str, band: u8, batch: bool, input: u64) -> Group {
        priced_group(model, band, batch, input, 0)
    }

    fn priced_group(model: &str, band: u8, batch: bool, input: u64, cost_micros: i64) -> Group {
        let tokens = TokenUsage { input, ..TokenUsage::default() };
        Group { keys: Vec::new(), model: model.into(), batch, band, totals: Totals { calls: 1, tokens, cost_micros } }
    }

    #[test]
    fn long_context_rates_apply_per_band() {
        let prices = PriceTable::pinned_4_6();
        let pricer = Pricer::new(&prices).unwrap();
        assert_eq!(pricer.bands(), [200_000]);
        // Sonnet 4.5 bills a request over 200K input at $6/M instead of $3/M; the baseline
        // model (Sonnet 4.6) has no long-context tier.
        let long = pricer.price(&group("claude-sonnet-4-5", 1, false, 250_000));
        assert!((long.own_fresh - 1.5).abs() < 1e-9, "{long:?}");
        assert!((long.baseline - 0.75).abs() < 1e-9, "{long:?}");
        let short = pricer.price(&group("claude-sonnet-4-5", 0, true, 150_000));
        assert!((short.own_list - 0.45).abs() < 1e-9 && (short.own_billed - 0.225).abs() < 1e-9, "{short:?}");
    }

    #[test]
    fn levers_add_up_to_the_saving() {
        let prices = PriceTable::pinned_4_6();
        let pricer = Pricer::new(&prices).unwrap();
        let mut total = Priced::default();
        // Haiku batch: 1,000 tokens at $1/M, half price: recorded as billed, 500 micro-dollars.
        for g in [priced_group("claude-haiku-4-5", 0, true, 1_000, 500), group("unknown-model", 0, false, 1_000)] {
            total.add(&pricer.price(&g));
        }
        let s = Savings::new(pricer.baseline_model(), &total, vec!["unknown-model".into()]);
        let parts = s.routing_usd + s.caching_usd + s.batching_usd + s.unattributed_usd;
        assert!((parts - s.saved_usd).abs() < 1e-6, "{s:?}");
        // The unknown model recorded no cost, so its whole baseline ($0.003) is unattributed.
        assert!((s.unattributed_usd - 0.003).abs() < 1e-9, "{s:?}");
    }
}
