//! The facts `usage suggest` reads, as the store aggregates them.

/// One agent's prompt caching over the period.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentCache {
    pub agent: String,
    pub model: String,
    pub calls: u64,
    pub written: u64,
    pub read: u64,
    /// Median time between the agent's consecutive calls.
    pub median_gap_ms: i64,
}

/// One call of an agent on a model, as a change of the cache lifetime would see it: when it came
/// and what it cached. Every call of every agent is here, cached well or not, because
/// `cache-strategy` changes every agent's entries at once.
#[derive(Debug, Clone, PartialEq)]
pub struct PrefixCall {
    pub ts_ms: i64,
    pub project: String,
    /// Tokens written to a 5-minute entry: what a 1-hour lifetime would write (or read) instead.
    pub written_5m: u64,
    pub written_1h: u64,
    pub read: u64,
}

/// An agent's calls on one model, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct PrefixUse {
    pub agent: String,
    pub model: String,
    pub calls: Vec<PrefixCall>,
}

/// One agent's warm-ups and the cache reads that followed them within five minutes.
#[derive(Debug, Clone, PartialEq)]
pub struct WarmUse {
    pub agent: String,
    pub model: String,
    pub warm_calls: u64,
    pub warm_cost_micros: i64,
    pub reads_after: u64,
}

/// The project context block across calls, and the model most of them used.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContextUse {
    pub model: String,
    pub calls: u64,
    pub written: u64,
    pub read: u64,
    pub uncached: u64,
}

/// Planned runs against single-call runs the router sent to the top tier (the tasks planning
/// is for).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanningUse {
    pub planned_runs: u64,
    pub planned_cost_micros: i64,
    pub single_top_runs: u64,
    pub single_top_cost_micros: i64,
}

/// Everything the rules read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub days: u32,
    pub agents: Vec<AgentCache>,
    /// Every agent's calls per model, for pricing `cache-strategy` over all of them.
    pub prefixes: Vec<PrefixUse>,
    pub warm: Vec<WarmUse>,
    pub context: ContextUse,
    pub planning: PlanningUse,
    /// Routing decisions refused by a budget, overrides of a budget, and all decisions.
    pub blocked: u64,
    pub overrides: u64,
    pub decisions: u64,
    /// Agents of the library no call used, and how many calls there were.
    pub never_chosen: Vec<String>,
    pub calls: u64,
    /// What `route learn` would save: past decisions moved down and their cost saving.
    pub routing_down: u64,
    pub routing_saving_micros: i64,
}
