//! Prompt caching, following the documented rules:
//!
//! * Entries are written only at breakpoints, keyed by the identity of the prefix ending there.
//! * A read looks back at most [`LOOKBACK_BLOCKS`] blocks from each breakpoint (counting the
//!   breakpoint itself) for an entry an earlier request wrote; the highest hit wins.
//! * Breakpoints whose prefix is shorter than the model's minimum neither read nor write.
//! * Billing of a request with mixed TTLs: A = tokens at the highest hit (read), B = the highest
//!   1h breakpoint after A ((B - A) billed as 1h writes), C = the last breakpoint ((C - B), or
//!   (C - A) without B, billed as 5m writes).
//! * Lifetime runs from the start of the request that wrote or last read the entry.
//! * A lookup ([`PromptCache::plan`]) and making its writes readable ([`PromptCache::commit`]) are
//!   separate steps, because an entry is readable only once the writing response has begun:
//!   requests planned before that commit all miss.

use std::collections::HashMap;
use std::time::SystemTime;

use crate::prefix::Prefix;
use crate::request::Ttl;

/// Blocks a breakpoint searches backwards for an earlier entry, itself included.
pub const LOOKBACK_BLOCKS: usize = 20;

/// Who owns a cache entry: caches are isolated per workspace (here: per API key) and per model.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheScope {
    pub workspace: String,
    pub model: String,
}

/// The cache side of a request's `usage`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheUsage {
    pub read: u32,
    pub write_5m: u32,
    pub write_1h: u32,
}

impl CacheUsage {
    /// `cache_creation_input_tokens`: the sum of both write kinds.
    pub fn creation(&self) -> u32 {
        self.write_5m + self.write_1h
    }

    /// `input_tokens`: what the request's total leaves after cached and newly cached tokens.
    pub fn uncached_input(&self, total_tokens: u32) -> u32 {
        total_tokens.saturating_sub(self.read + self.creation())
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    ttl: Ttl,
    expires_at: SystemTime,
}

/// The outcome of a lookup, applied later by [`PromptCache::commit`].
#[derive(Debug, Clone)]
pub struct CachePlan {
    scope: CacheScope,
    started_at: SystemTime,
    hit: Option<u64>,
    writes: Vec<(u64, Ttl)>,
    pub usage: CacheUsage,
}

/// All live cache entries of the stand-in.
#[derive(Debug, Default)]
pub struct PromptCache {
    scopes: HashMap<CacheScope, HashMap<u64, Entry>>,
}

impl PromptCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// Works out reads and writes for a request starting at `now`, without changing the cache.
    pub fn plan(&self, scope: &CacheScope, prefix: &Prefix, min_tokens: u32, now: SystemTime) -> CachePlan {
        let cumulative = |i: usize| prefix.blocks[i].cumulative;
        let breakpoints: Vec<(usize, Ttl)> =
            prefix.breakpoints().filter(|&(i, _)| cumulative(i) >= min_tokens).collect();
        let hit = self.find_hit(scope, prefix, &breakpoints, now);
        let a = hit.map_or(0, cumulative);
        let writes: Vec<(usize, Ttl)> = breakpoints.into_iter().filter(|&(i, _)| hit.is_none_or(|h| i > h)).collect();
        let b = writes.iter().rev().find(|w| w.1 == Ttl::OneHour).map(|w| cumulative(w.0));
        let c = writes.last().map(|w| cumulative(w.0));
        let usage =
            CacheUsage { read: a, write_1h: b.map_or(0, |b| b - a), write_5m: c.map_or(0, |c| c - b.unwrap_or(a)) };
        CachePlan {
            scope: scope.clone(),
            started_at: now,
            hit: hit.map(|i| prefix.blocks[i].hash),
            writes: writes.iter().map(|&(i, ttl)| (prefix.blocks[i].hash, ttl)).collect(),
            usage,
        }
    }

    /// The highest block index, within the lookback window of any breakpoint, holding a live entry.
    fn find_hit(
        &self,
        scope: &CacheScope,
        prefix: &Prefix,
        breakpoints: &[(usize, Ttl)],
        now: SystemTime,
    ) -> Option<usize> {
        let entries = self.scopes.get(scope)?;
        let live = |i: usize| entries.get(&prefix.blocks[i].hash).is_some_and(|e| e.expires_at > now);
        breakpoints
            .iter()
            .filter_map(|&(bp, _)| {
                let lowest = (bp + 1).saturating_sub(LOOKBACK_BLOCKS);
                (lowest..=bp).rev().find(|&i| live(i))
            })
            .max()
    }

    /// Makes a plan's writes readable and refreshes the entry it read. Called when the response
    /// begins, so requests planned earlier missed.
    pub fn commit(&mut self, plan: &CachePlan) {
        let entries = self.scopes.entry(plan.scope.clone()).or_default();
        entries.retain(|_, e| e.expires_at > plan.started_at);
        if let Some(entry) = plan.hit.and_then(|h| entries.get_mut(&h)) {
            entry.expires_at = entry.expires_at.max(plan.started_at + entry.ttl.duration());
        }
        for &(hash, ttl) in &plan.writes {
            let expires_at = plan.started_at + ttl.duration();
            let entry = entries.entry(hash).or_insert(Entry { ttl, expires_at });
            // A parallel writer may have committed first; keep whichever lives longer.
            if expires_at >= entry.expires_at {
                *entry = Entry { ttl, expires_at };
            }
        }
    }

    /// Live entries across all scopes (for tests and the control API).
    pub fn len(&self, now: SystemTime) -> usize {
        self.scopes.values().flat_map(|m| m.values()).filter(|e| e.expires_at > now).count()
    }

    pub fn is_empty(&self, now: SystemTime) -> bool {
        self.len(now) == 0
    }

    pub fn clear(&mut self) {
        self.scopes.clear();
    }
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
