//! `usage suggest`: concrete changes, ranked by the money each would have saved over the period
//! read. Each rule reads facts the store aggregates; a rule stays silent below its evidence bar.
//! Settings edits (`Edit::Config`) and learned routing are safe to apply (each keeps a backup);
//! the rest are advice.

use serde::Serialize;

use crate::pricing::{PriceTable, Rates};
pub use crate::records::suggest::{AgentCache, ContextUse, Facts, PlanningUse, WarmUse};

mod lifetime;

/// A change to make.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Edit {
    /// Set a top-level key of the config file.
    Config { key: String, value: String },
    /// `devteam route learn --apply`.
    LearnRouting,
}

/// One suggestion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// `cache-misses`, `warm-up-loss`, `tier-too-high`, `budget-blocks`, `agents-never-chosen`,
    /// `project-context-oversized`, `planning-did-not-pay`.
    pub rule: &'static str,
    pub title: String,
    pub why: String,
    /// What it would have saved over the period read, dollars (0 for advice about quality).
    pub saves_usd: f64,
    /// Applied by `--apply`; `None`: advice only.
    pub edit: Option<Edit>,
}

/// The current settings the rules compare with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Current {
    pub one_hour_cache: bool,
    pub project_context_max_tokens: usize,
}

/// The two cache lifetimes.
const TTL_5M_MS: i64 = 300_000;
const TTL_1H_MS: i64 = 3_600_000;

/// The suggestions, largest saving first.
pub fn suggest(f: &Facts, prices: &PriceTable, now: Current) -> Vec<Suggestion> {
    let mut out = Vec::new();
    let one_hour = lifetime::one_hour(&f.prefixes, prices);
    let global = one_hour_lifetime(f, &one_hour, now);
    let lifetime = Lifetime { one_hour: &one_hour, proposed: global.is_some() };
    out.extend(global);
    out.extend(f.agents.iter().filter_map(|a| cache_misses(a, rates(prices, &a.model)?, now, &lifetime)));
    out.extend(f.warm.iter().filter_map(|w| warm_loss(w, rates(prices, &w.model)?)));
    out.extend(tier_too_high(f));
    out.extend(budget_blocks(f));
    out.extend(never_chosen(f));
    out.extend(rates(prices, &f.context.model).and_then(|r| oversized_context(&f.context, r, now)));
    out.extend(planning(&f.planning));
    out.sort_by(|a, b| b.saves_usd.total_cmp(&a.saves_usd).then(a.rule.cmp(b.rule)));
    out
}

fn rates(prices: &PriceTable, model: &str) -> Option<Rates> {
    prices.find(model).map(|m| m.rates)
}

fn usd(tokens: u64, per_million: f64) -> f64 {
    tokens as f64 * per_million / 1_000_000.0
}

/// `cache-strategy: 1h`, proposed only when it pays over every agent's calls (`lifetime`).
fn one_hour_lifetime(f: &Facts, one_hour: &lifetime::OneHour, now: Current) -> Option<Suggestion> {
    let saves = one_hour.net_usd();
    if now.one_hour_cache || f.calls < 5 || saves <= 0.0 {
        return None;
    }
    Some(Suggestion {
        rule: "cache-misses",
        title: format!(
            "cache-strategy 1h: priced over the calls of all {} agent(s), 1-hour cache entries save ${saves:.4}",
            one_hour.by_agent.len()
        ),
        why: format!(
            "{} call(s) 5-60 min after their prefix's previous call would read it instead of writing it again \
             (${:.4}; most on {}); {} write(s) an hour or more after the previous call, or of a prefix that changed, \
             would pay the 1-hour rate (2x input) instead of the 5-minute one (1.25x) (${:.4}); calls within 5 minutes \
             read under both. Assumes a prefix written again 5-60 min later is unchanged",
            one_hour.reads_gained,
            one_hour.reads_usd,
            one_hour.gainers(3).join(", "),
            one_hour.dearer_writes,
            one_hour.dearer_usd
        ),
        saves_usd: saves,
        edit: Some(Edit::Config { key: "cache-strategy".into(), value: "1h".into() }),
    })
}

/// The 1-hour lifetime as priced over every agent, for the per-agent rule.
struct Lifetime<'a> {
    one_hour: &'a lifetime::OneHour,
    /// `cache-strategy: 1h` is proposed (it pays over all agents).
    proposed: bool,
}

/// Writes that are rarely read back pay the write premium for nothing.
fn cache_misses(a: &AgentCache, r: Rates, now: Current, life: &Lifetime<'_>) -> Option<Suggestion> {
    let hit = a.read as f64 / (a.read + a.written).max(1) as f64;
    if a.calls < 5 || a.written == 0 || hit >= 0.3 {
        return None;
    }
    let premium = usd(a.written, r.cache_write_5m - r.input).max(0.0);
    let unread = a.written.saturating_sub(a.read);
    let saves = usd(unread, r.cache_write_5m - r.input).clamp(0.0, premium);
    let gap_min = a.median_gap_ms as f64 / 60_000.0;
    let (why, saves) = if a.median_gap_ms > TTL_1H_MS {
        let why = format!(
            "its calls come a median {:.1} h apart, past any cache lifetime: the write premium buys nothing (caching it does not pay)",
            gap_min / 60.0
        );
        (why, saves)
    } else if a.median_gap_ms > TTL_5M_MS && !now.one_hour_cache {
        // The 1-hour lifetime's own suggestion covers this agent when it pays over all of them.
        if life.proposed {
            return None;
        }
        let own = life.one_hour.by_agent.get(&a.agent).copied().unwrap_or(0.0);
        let all = format!(
            "`cache-strategy: 1h` changes every agent's entries and, priced over the calls of all {} agent(s), costs ${:.4} \
             more than it saves (writes no call reads within the hour pay the 1-hour rate), so it is not proposed",
            life.one_hour.by_agent.len(),
            // `+ 0.0`: no "$-0.0000" when it breaks even.
            (-life.one_hour.net_usd()).max(0.0) + 0.0
        );
        let entries = life.one_hour.entries.get(&a.agent).copied().unwrap_or(0);
        let why = if own > 0.0 {
            format!(
                "its calls come a median {gap_min:.0} min apart, past the 5-minute cache lifetime, so each one writes the prefix again; \
                 1-hour entries would save ${own:.4} on this agent's own calls, but {all}; no setting gives one agent its own lifetime"
            )
        } else {
            format!(
                "its calls come a median {gap_min:.0} min apart but go to {entries} cache entries (one per model and project), \
                 and few come back to the same entry within the hour: 1-hour entries would not pay even on its own calls, and {all}"
            )
        };
        let own = own.max(0.0);
        (why, own)
    } else {
        let why = format!(
            "its calls come a median {gap_min:.1} min apart, within the cache lifetime, yet the cache is written and not read: its prefix changes between calls (run `devteam restructure-agents` to move dated or dynamic sections last)"
        );
        (why, saves)
    };
    Some(Suggestion {
        rule: "cache-misses",
        title: format!(
            "agent {}: {:.0} % of its cached prompt is read back over {} calls",
            a.agent,
            hit * 100.0,
            a.calls
        ),
        why,
        saves_usd: saves,
        edit: None,
    })
}

/// A warm-up pays when the reads it makes possible save more than it cost.
fn warm_loss(w: &WarmUse, r: Rates) -> Option<Suggestion> {
    // A model's shared prefix is read by every agent's calls, and a refresh pays through the
    // first call after the entry would have expired, which the facts (reads of the warmed
    // agent within minutes) cannot tell apart: no verdict rather than a false "saved nothing".
    // The day benchmark measures it whole (its no-warm-cache set-up).
    if w.agent == crate::warm::SHARED {
        return None;
    }
    let cost = w.warm_cost_micros as f64 / 1e6;
    let saved = usd(w.reads_after, r.input - r.cache_read);
    if w.warm_calls == 0 || cost <= saved {
        return None;
    }
    Some(Suggestion {
        rule: "warm-up-loss",
        title: format!(
            "stop warming agent {}: {} warm-up(s) cost ${cost:.4} and saved ${saved:.4}",
            w.agent, w.warm_calls
        ),
        why: "too few calls read the warmed prefix within its lifetime; lower `warm-cache --top` or drop the cron line"
            .into(),
        saves_usd: cost - saved,
        edit: None,
    })
}

fn tier_too_high(f: &Facts) -> Option<Suggestion> {
    (f.routing_down > 0 && f.routing_saving_micros > 0).then(|| Suggestion {
        rule: "tier-too-high",
        title: format!("{} past task(s) went to a tier above one that handled tasks like them", f.routing_down),
        why: "outcomes show the lower tier succeeds on these classes of task; `devteam route learn` shows the evidence"
            .into(),
        saves_usd: f.routing_saving_micros as f64 / 1e6,
        edit: Some(Edit::LearnRouting),
    })
}

fn budget_blocks(f: &Facts) -> Option<Suggestion> {
    let blocks = f.blocked + f.overrides;
    if blocks < 3 || (blocks as f64) < 0.1 * f.decisions.max(1) as f64 {
        return None;
    }
    Some(Suggestion {
        rule: "budget-blocks",
        title: format!("budgets blocked or were overridden {blocks} time(s) in {} routed task(s)", f.decisions),
        why: "a limit that blocks this often stops work or trains people to override it: raise it, or spend less (the other suggestions)".into(),
        saves_usd: 0.0,
        edit: None,
    })
}

fn never_chosen(f: &Facts) -> Option<Suggestion> {
    if f.calls < 20 || f.never_chosen.is_empty() {
        return None;
    }
    let shown: Vec<&str> = f.never_chosen.iter().take(8).map(String::as_str).collect();
    let more = f.never_chosen.len().saturating_sub(shown.len());
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    Some(Suggestion {
        rule: "agents-never-chosen",
        title: format!("{} agent(s) were never chosen in {} calls over {} days", f.never_chosen.len(), f.calls, f.days),
        why: format!("{}{more}: merge or remove them so discovery ranks fewer near-duplicates", shown.join(", ")),
        saves_usd: 0.0,
        edit: None,
    })
}

/// A project context sent with every call costs its tokens on every call, read or not.
fn oversized_context(c: &ContextUse, r: Rates, now: Current) -> Option<Suggestion> {
    let per_call = (c.written + c.read + c.uncached) / c.calls.max(1);
    if c.calls < 5 || per_call < 1500 {
        return None;
    }
    let cost = usd(c.written, r.cache_write_5m) + usd(c.read, r.cache_read) + usd(c.uncached, r.input);
    let target = (per_call / 2).max(1000) as usize;
    if target >= now.project_context_max_tokens {
        return None;
    }
    let share = 1.0 - target as f64 / per_call as f64;
    Some(Suggestion {
        rule: "project-context-oversized",
        title: format!("the project context is {per_call} tokens on each of {} calls", c.calls),
        why: format!(
            "cap it at {target} tokens (the file tree and manifests are cut first); it cost ${cost:.4} over the period"
        ),
        saves_usd: cost * share,
        edit: Some(Edit::Config { key: "project-context-max-tokens".into(), value: target.to_string() }),
    })
}

fn planning(p: &PlanningUse) -> Option<Suggestion> {
    if p.planned_runs < 3 || p.single_top_runs < 3 {
        return None;
    }
    let planned = p.planned_cost_micros as f64 / p.planned_runs as f64 / 1e6;
    let single = p.single_top_cost_micros as f64 / p.single_top_runs as f64 / 1e6;
    if planned <= single {
        return None;
    }
    Some(Suggestion {
        rule: "planning-did-not-pay",
        title: format!("planned runs cost ${planned:.4} each; single top-tier runs ${single:.4}"),
        why: format!(
            "{} planned run(s) cost more than one call on the top tier would have; plan only when asked (`--plan`)",
            p.planned_runs
        ),
        saves_usd: (planned - single) * p.planned_runs as f64,
        edit: Some(Edit::Config { key: "plan-threshold".into(), value: "10".into() }),
    })
}

#[cfg(test)]
mod tests;
