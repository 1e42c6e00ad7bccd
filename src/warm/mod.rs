//! Cache warming for cron: which agents to warm, whether a warm-up pays for itself, and when
//! to run. The command (`commands/warm_cache.rs`) sends what this module decides.
//!
//! What a warm-up can and cannot save. A warm-up writes an agent's prompt prefix to the cache
//! (a write costs 1.25x input for 5 minutes, 2x for 1 hour) so that the next calls read it
//! (0.1x or less). A call that would have written the prefix itself pays the same write, so:
//!
//! * a warm-up followed by one call saves nothing: it pays the write, and the call still pays a
//!   read;
//! * it pays when calls start together (a fan-out of parallel subtasks all miss, because an
//!   entry is readable only once the first response begins): one write instead of several;
//! * and when the entry is still alive, a warm-up only reads it (0.1x) and so keeps it alive
//!   across a gap longer than its TTL, for the first call after the gap.
//!
//! The plan therefore prices each agent's warm-up against the misses it would avoid, as seen on
//! past days at the same time of day, and warms only where the expected saving is larger.

mod estimate;
pub mod lock;
pub mod schedule;
mod today;

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use jiff::ZonedDateTime;
use serde::Serialize;

use crate::pricing::{ModelInfo, PriceTable};
use crate::prompt::{BlockKind, Layout, Ttl};
use crate::tokens;

pub use crate::records::warm::PastCall;
pub use estimate::{DaysCompared, comparable_days};

/// The name warm-ups of a model's shared prefix alone (its foundation) are planned and recorded
/// under: not an agent of any library, and never a candidate itself (warm-ups are not usage).
pub const SHARED: &str = "(shared prefix)";

/// An agent among the most used, on the model it runs on most.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub agent: String,
    pub model: String,
    /// Its calls on that model over the lookback window.
    pub calls: usize,
}

/// The `top` agents with the most calls since `since_ms` (warm-ups excluded), most used first,
/// each with its most frequent model (ties: the model used last).
pub fn popular(history: &[PastCall], since_ms: i64, top: usize) -> Vec<Candidate> {
    let mut per_agent: BTreeMap<&str, HashMap<&str, (usize, i64)>> = BTreeMap::new();
    for call in history.iter().filter(|c| !c.warm_up && c.ts_ms >= since_ms) {
        let entry = per_agent.entry(&call.agent).or_default().entry(&call.model).or_default();
        entry.0 += 1;
        entry.1 = entry.1.max(call.ts_ms);
    }
    let mut found: Vec<(usize, Candidate)> = per_agent
        .into_iter()
        .filter_map(|(agent, models)| {
            let total = models.values().map(|m| m.0).sum();
            let (model, (calls, _)) = models.into_iter().max_by_key(|(_, (n, last))| (*n, *last))?;
            Some((total, Candidate { agent: agent.to_string(), model: model.to_string(), calls }))
        })
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.agent.cmp(&b.1.agent)));
    found.into_iter().take(top).map(|(_, c)| c).collect()
}

/// The cacheable part of one breakpoint: the tokens since the previous breakpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Segment {
    pub tokens: u64,
    pub ttl: Ttl,
    /// Ends at the foundation or the project context, so every agent on the model shares it.
    pub shared: bool,
}

/// What a warm-up of one agent sends, as far as the plan cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix {
    /// In prompt order; empty when nothing in the prompt is long enough to be cached.
    pub segments: Vec<Segment>,
    /// The minimal user turn, billed as fresh input.
    pub user_tokens: u64,
}

impl Prefix {
    /// The segments of a laid-out request: one per breakpoint, in order.
    pub fn from_layout(layout: &Layout) -> Self {
        let mut segments = Vec::new();
        let mut pending = 0u64;
        // A segment is shared across agents while every block up to it is: the foundation is,
        // the project's context (which follows the agent's part) is not.
        let mut shared = true;
        for block in &layout.system {
            pending += tokens::estimate(&block.text) as u64;
            shared &= block.kind == BlockKind::Foundation;
            if let Some(ttl) = block.cache {
                segments.push(Segment { tokens: std::mem::take(&mut pending), ttl, shared });
            }
        }
        let user_tokens = layout.user.iter().map(|b| tokens::estimate(&b.text) as u64).sum();
        Self { segments, user_tokens }
    }

    /// Every token up to the last breakpoint.
    pub fn tokens(&self) -> u64 {
        self.segments.iter().map(|s| s.tokens).sum()
    }
}

/// The plan's verdict on one agent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentPlan {
    pub agent: String,
    pub model: String,
    pub calls: usize,
    /// Tokens up to the last breakpoint (estimated, as the layout counts them).
    pub prefix_tokens: u64,
    /// TTL of the agent's own entry (its last breakpoint), when it has one.
    pub ttl: Option<Ttl>,
    /// Calls the warm-up turns from cache misses into hits, averaged over the days compared
    /// (the agent's own entry).
    pub expected_avoided_misses: f64,
    pub expected_saving_usd: f64,
    /// What the warm-up itself is expected to cost.
    pub cost_usd: f64,
    /// Whether the agent's entry is still alive now (a warm-up then only reads and refreshes).
    pub alive: bool,
    pub warm: bool,
    pub reason: String,
}

/// A plan for one run of `warm-cache`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub compared: DaysCompared,
    /// How many past days the estimates average over.
    pub days: usize,
    pub agents: Vec<AgentPlan>,
}

/// What a plan is made from.
pub struct PlanInput<'a> {
    /// Calls since at least the lookback's start, oldest first, warm-ups included.
    pub history: &'a [PastCall],
    pub now: &'a ZonedDateTime,
    pub lookback_days: u32,
    pub prices: &'a PriceTable,
}

/// Decides, agent by agent in the order given, whether a warm-up pays. `prefixes` holds each
/// candidate's prefix, or why none could be laid out. Agents are taken in order because the
/// first warm-up on a model writes the shared segments that later ones then only read.
pub fn plan(input: &PlanInput<'_>, prefixes: Vec<(Candidate, Result<Prefix, String>)>) -> Result<Plan> {
    let (days, compared) = comparable_days(input.now, input.lookback_days)?;
    let mut last = LastCalls::from_history(input.history);
    let now_ms = input.now.timestamp().as_millisecond();
    let mut agents = Vec::new();
    for (candidate, prefix) in prefixes {
        let decided = match prefix {
            Err(reason) => skipped(&candidate, None, reason),
            Ok(prefix) => match input.prices.model(&candidate.model) {
                Err(e) => skipped(&candidate, Some(&prefix), format!("{e:#}")),
                Ok(model) => {
                    let ctx = AgentContext { input, days: &days, compared, last: &last, now_ms };
                    decide(&ctx, &candidate, &prefix, model)
                }
            },
        };
        if decided.warm {
            last.warmed(&decided.agent, &decided.model, now_ms);
        }
        agents.push(decided);
    }
    Ok(Plan { compared, days: days.len(), agents })
}

/// When each entry was last written or read, from the history and the warm-ups planned so far.
struct LastCalls {
    by_agent: HashMap<(String, String), i64>,
    by_model: HashMap<String, i64>,
}

impl LastCalls {
    fn from_history(history: &[PastCall]) -> Self {
        let mut last = Self { by_agent: HashMap::new(), by_model: HashMap::new() };
        for call in history {
            last.warmed(&call.agent, &call.model, call.ts_ms);
        }
        last
    }

    fn warmed(&mut self, agent: &str, model: &str, ts_ms: i64) {
        let a = self.by_agent.entry((agent.to_string(), model.to_string())).or_insert(ts_ms);
        *a = (*a).max(ts_ms);
        let m = self.by_model.entry(model.to_string()).or_insert(ts_ms);
        *m = (*m).max(ts_ms);
    }

    /// Milliseconds from `now_ms` until the segment's entry expires (negative: expired).
    fn alive_for(&self, agent: &str, model: &str, segment: &Segment, now_ms: i64) -> i64 {
        let last = if segment.shared {
            self.by_model.get(model)
        } else {
            self.by_agent.get(&(agent.to_string(), model.to_string()))
        };
        last.map_or(i64::MIN / 2, |t| t + ttl_ms(segment.ttl) - now_ms)
    }
}

struct AgentContext<'a> {
    input: &'a PlanInput<'a>,
    days: &'a [i64],
    compared: DaysCompared,
    last: &'a LastCalls,
    now_ms: i64,
}

/// Decides one agent: a warm-up pays when the misses it avoids save more than it costs.
fn decide(ctx: &AgentContext<'_>, candidate: &Candidate, prefix: &Prefix, model: &ModelInfo) -> AgentPlan {
    if prefix.segments.is_empty() {
        let why = format!("the prompt is below {}'s minimum cacheable length: nothing to warm", model.id);
        return skipped(candidate, Some(prefix), why);
    }
    let priced = price(ctx, &candidate.agent, prefix, model);
    let own_ttl = prefix.segments.last().map(|s| s.ttl);
    AgentPlan {
        agent: candidate.agent.clone(),
        model: candidate.model.clone(),
        calls: candidate.calls,
        prefix_tokens: prefix.tokens(),
        ttl: own_ttl,
        expected_avoided_misses: priced.own_avoided,
        expected_saving_usd: priced.saving,
        cost_usd: priced.cost,
        alive: priced.own_alive,
        warm: priced.saving > priced.cost,
        reason: reason(ctx, own_ttl, &priced),
    }
}

/// A warm-up's expected saving and cost.
#[derive(Clone, Copy)]
struct Priced {
    saving: f64,
    cost: f64,
    /// Avoided misses of the agent's own entry (the last segment), and whether it is alive.
    own_avoided: f64,
    own_alive: bool,
    /// The agent's own entry was predicted from today's pace, not from past days.
    today: bool,
}

/// Prices a warm-up segment by segment, as the API bills it: everything up to the highest live
/// entry is read (and only that entry is refreshed), everything after it is written. Shared
/// segments are predicted from every agent's calls on the model, the agent's own from its own.
fn price(ctx: &AgentContext<'_>, agent: &str, prefix: &Prefix, model: &ModelInfo) -> Priced {
    let rates = model.rates;
    let alive: Vec<i64> = prefix.segments.iter().map(|s| ctx.last.alive_for(agent, &model.id, s, ctx.now_ms)).collect();
    let hit = alive.iter().rposition(|&ms| ms > 0);
    let agent_calls = calls_of(ctx.input.history, Some(agent), &model.id);
    let model_calls = calls_of(ctx.input.history, None, &model.id);
    let mut priced = Priced { saving: 0.0, cost: 0.0, own_avoided: 0.0, own_alive: false, today: false };
    for (i, segment) in prefix.segments.iter().enumerate() {
        let tokens = segment.tokens as f64 / 1_000_000.0;
        let write = match segment.ttl {
            Ttl::FiveMinutes => rates.cache_write_5m,
            Ttl::OneHour => rates.cache_write_1h,
        };
        let calls = if segment.shared { &model_calls } else { &agent_calls };
        // Past days at this time of day predict the coming minutes; with none (a store's first
        // day, an agent new this week), today's own pace does.
        priced.today = calls.first().is_none_or(|&t| t > ctx.now_ms - DAY_MS);
        let avoided = match hit {
            Some(h) if i < h => 0.0,
            _ if priced.today => today::refresh_hit_chance(calls, ctx.now_ms, ttl_ms(segment.ttl), alive[i]),
            _ => estimate::avoided_misses(calls, ctx.days, ttl_ms(segment.ttl), alive[i]),
        };
        priced.saving += avoided * tokens * (write - rates.cache_read);
        priced.cost += tokens * if hit.is_some_and(|h| i <= h) { rates.cache_read } else { write };
        priced.own_avoided = avoided;
        priced.own_alive = alive[i] > 0;
    }
    priced.cost += (prefix.user_tokens as f64 * rates.input + rates.output) / 1_000_000.0;
    priced
}

fn reason(ctx: &AgentContext<'_>, ttl: Option<Ttl>, priced: &Priced) -> String {
    let Priced { saving, cost, own_avoided: avoided, own_alive: alive, today } = *priced;
    let ttl = ttl.map_or("", ttl_name);
    if today {
        return if saving > cost {
            format!(
                "today's pace gives a {:.0} % chance of a call after the live entry would expire and within {ttl}: \
                 refreshing it saves ${saving:.4} for ${cost:.4}",
                avoided * 100.0
            )
        } else if alive {
            format!("today's pace gives too small a chance of a call it would serve: ${saving:.4} for ${cost:.4}")
        } else {
            "no past days to predict from, and the entry is not alive: a warm-up would write it, and a write followed \
             by one call saves nothing"
                .to_string()
        };
    }
    let days = ctx.compared.describe();
    if saving > cost {
        let what = if alive { "refreshing the live entry" } else { "one write" };
        return format!(
            "{avoided:.1} miss(es) avoided within {ttl} on past {days}: {what} saves ${saving:.4} for ${cost:.4}"
        );
    }
    if avoided == 0.0 && alive {
        return format!("the entry is alive, and past {days} show no first call after it expires and within {ttl}");
    }
    if avoided == 0.0 {
        return format!("no calls within {ttl} of this time of day on past {days}: a warm-up would expire unused");
    }
    format!(
        "{avoided:.1} miss(es) avoided within {ttl} on past {days} save ${saving:.4}, less than the ${cost:.4} the \
         warm-up costs (a warm-up followed by one call saves nothing)"
    )
}

fn skipped(candidate: &Candidate, prefix: Option<&Prefix>, reason: String) -> AgentPlan {
    AgentPlan {
        agent: candidate.agent.clone(),
        model: candidate.model.clone(),
        calls: candidate.calls,
        prefix_tokens: prefix.map_or(0, Prefix::tokens),
        ttl: prefix.and_then(|p| p.segments.last()).map(|s| s.ttl),
        expected_avoided_misses: 0.0,
        expected_saving_usd: 0.0,
        cost_usd: 0.0,
        alive: false,
        warm: false,
        reason,
    }
}

/// Start times of real (not warm-up) calls on `model`, of `agent` or of any agent, sorted.
fn calls_of(history: &[PastCall], agent: Option<&str>, model: &str) -> Vec<i64> {
    let mut times: Vec<i64> = history
        .iter()
        .filter(|c| !c.warm_up && c.model == model && agent.is_none_or(|a| a == c.agent))
        .map(|c| c.ts_ms)
        .collect();
    times.sort_unstable();
    times
}

const DAY_MS: i64 = 86_400_000;

pub fn ttl_ms(ttl: Ttl) -> i64 {
    match ttl {
        Ttl::FiveMinutes => 5 * 60_000,
        Ttl::OneHour => 60 * 60_000,
    }
}

pub fn ttl_name(ttl: Ttl) -> &'static str {
    match ttl {
        Ttl::FiveMinutes => "5m",
        Ttl::OneHour => "1h",
    }
}

#[cfg(test)]
mod tests;
