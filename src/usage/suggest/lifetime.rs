//! What `cache-strategy: 1h` would have done to the period's bill. The setting changes the
//! lifetime of every agent's entries on every model, so it is priced call by call over all of
//! them, not from the one agent whose misses prompted it:
//! - a call within 5 minutes of its prefix's previous call reads under both lifetimes (or, when it
//!   wrote anyway, its prefix changed, and it writes under both);
//! - a call 5-60 minutes after it writes a 5-minute entry today and would read a 1-hour one;
//! - a call more than an hour after it (or the first) writes under both, at the 1-hour rate
//!   (2x input) instead of the 5-minute one (1.25x): the premium buys nothing.
//!
//! A prefix is an agent on a model in a project (the project's context is part of the agent's
//! cached prefix). Only the tokens written to 5-minute entries change: the shared foundation is
//! already an hour's entry under the default `mixed` strategy.

use std::collections::{BTreeMap, HashMap};

use crate::pricing::{PriceTable, Rates};
use crate::records::suggest::{PrefixCall, PrefixUse};

const TTL_5M_MS: i64 = 300_000;
const TTL_1H_MS: i64 = 3_600_000;

/// The 1-hour lifetime against the 5-minute one over the period, dollars.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OneHour {
    /// Calls that would read instead of writing again, and what that saves.
    pub reads_gained: u64,
    pub reads_usd: f64,
    /// Writes that would pay the 1-hour rate instead of the 5-minute one, and what that costs.
    pub dearer_writes: u64,
    pub dearer_usd: f64,
    /// Each agent's own net saving (negative: the 1-hour lifetime costs it more).
    pub by_agent: BTreeMap<String, f64>,
    /// Each agent's cache entries: the models and projects its calls went to.
    pub entries: BTreeMap<String, usize>,
}

impl OneHour {
    /// Saved minus the premium: what switching every agent to 1-hour entries would have saved.
    pub fn net_usd(&self) -> f64 {
        self.reads_usd - self.dearer_usd
    }

    /// The agents it would save most on, best first, at most `n`.
    pub fn gainers(&self, n: usize) -> Vec<&str> {
        let mut by: Vec<(&str, f64)> =
            self.by_agent.iter().filter(|(_, v)| **v > 0.0).map(|(a, v)| (a.as_str(), *v)).collect();
        by.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        by.into_iter().take(n).map(|(a, _)| a).collect()
    }
}

/// Prices 1-hour entries for every agent in `prefixes` (models without a price are skipped).
pub fn one_hour(prefixes: &[PrefixUse], prices: &PriceTable) -> OneHour {
    let mut out = OneHour::default();
    for p in prefixes {
        let Some(r) = prices.find(&p.model).map(|m| m.rates) else { continue };
        let net = price_prefix(&p.calls, r, &mut out);
        *out.by_agent.entry(p.agent.clone()).or_default() += net;
        let projects: std::collections::HashSet<&str> = p.calls.iter().map(|c| c.project.as_str()).collect();
        *out.entries.entry(p.agent.clone()).or_default() += projects.len();
    }
    out
}

/// What happens to one call's 5-minute writes under a 1-hour lifetime.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fate {
    Unchanged,
    Read,
    DearerWrite,
}

/// One agent's calls on one model; returns their net saving and adds to `out`'s counts.
fn price_prefix(calls: &[PrefixCall], r: Rates, out: &mut OneHour) -> f64 {
    let fates = fates(calls);
    let mut net = 0.0;
    for (c, fate) in calls.iter().zip(fates) {
        let tokens = c.written_5m as f64 / 1e6;
        match fate {
            Fate::Unchanged => {}
            Fate::Read => {
                let usd = tokens * (r.cache_write_5m - r.cache_read);
                out.reads_gained += 1;
                out.reads_usd += usd;
                net += usd;
            }
            Fate::DearerWrite => {
                let usd = tokens * (r.cache_write_1h - r.cache_write_5m);
                out.dearer_writes += 1;
                out.dearer_usd += usd;
                net -= usd;
            }
        }
    }
    net
}

/// Each call's fate, from the gap since its prefix's previous call (same project). A prefix that
/// is written again within 5 minutes more often than it is read changes between calls: its
/// writes 5-60 minutes apart would be writes under a 1-hour lifetime too.
fn fates(calls: &[PrefixCall]) -> Vec<Fate> {
    let mut last: HashMap<&str, i64> = HashMap::new();
    let gaps: Vec<Option<i64>> =
        calls.iter().map(|c| last.insert(c.project.as_str(), c.ts_ms).map(|prev| c.ts_ms - prev)).collect();
    let close = || calls.iter().zip(&gaps).filter(|(_, g)| g.is_some_and(|g| g <= TTL_5M_MS));
    let rewritten = close().filter(|(c, _)| c.written_5m > 0).count();
    let changing = rewritten > close().count() - rewritten;
    calls
        .iter()
        .zip(gaps)
        .map(|(c, gap)| match gap {
            _ if c.written_5m == 0 => Fate::Unchanged,
            Some(g) if g > TTL_5M_MS && g <= TTL_1H_MS && !changing => Fate::Read,
            _ => Fate::DearerWrite,
        })
        .collect()
}
