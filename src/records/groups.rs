//! What a usage scan asks the store for and gets back: which calls, grouped how, and the sums
//! per group. Every group is split by model, batch and input band because pricing needs them.

use super::usage::{Source, TokenUsage};

/// Which calls a report covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallFilter {
    /// Inclusive start, Unix ms.
    pub since_ms: Option<i64>,
    /// Exclusive end, Unix ms.
    pub until_ms: Option<i64>,
    pub project: Option<String>,
    pub source: Option<Source>,
}

/// A column calls can be grouped on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    Source,
    Tier,
    Agent,
    Project,
    Task,
    /// Claude Code's session id (imported usage); empty for devteam's own calls.
    Session,
    /// Which part of devteam made the call ([`STAGE_SQL`]).
    Stage,
    Time,
}

/// The stage of a call, as an SQL expression both stores evaluate: `warm-ups` (warm-cache),
/// `rerank` (a model choosing the agent), `planner`, `synthesis` and `subtasks` of a planned
/// run, `task` (the one call of a simple run), `claude-code` (imported usage).
pub const STAGE_SQL: &str = "CASE WHEN source = 'warm-cache' THEN 'warm-ups' \
    WHEN source = 'claude-code' THEN 'claude-code' \
    WHEN run_id LIKE 'rerank-%' THEN 'rerank' \
    WHEN subtask_id = 'plan' THEN 'planner' \
    WHEN subtask_id = 'synthesis' THEN 'synthesis' \
    WHEN subtask_id IS NOT NULL THEN 'subtasks' \
    ELSE 'task' END";

/// One part of a group key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Source,
    Tier,
    Agent,
    Project,
    Task,
    Session,
    Stage,
    /// The bucket a call falls in, given sorted bucket starts (Unix ms): bucket `i` holds calls
    /// at or after `starts[i - 1]` and before `starts[i]`, so bucket 0 holds calls before them all.
    Time(Vec<i64>),
}

impl Key {
    pub fn dim(&self) -> Dim {
        match self {
            Self::Source => Dim::Source,
            Self::Tier => Dim::Tier,
            Self::Agent => Dim::Agent,
            Self::Project => Dim::Project,
            Self::Task => Dim::Task,
            Self::Session => Dim::Session,
            Self::Stage => Dim::Stage,
            Self::Time(_) => Dim::Time,
        }
    }
}

/// One grouping of a scan: the key parts, before the model, batch and band the store adds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupBy {
    pub keys: Vec<Key>,
}

impl GroupBy {
    pub fn new(keys: Vec<Key>) -> Self {
        Self { keys }
    }
}

/// A value of one key part.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyValue {
    Text(String),
    Bucket(usize),
}

impl KeyValue {
    pub fn text(&self) -> &str {
        match self {
            Self::Text(s) => s,
            Self::Bucket(_) => "",
        }
    }

    pub fn bucket(&self) -> usize {
        match self {
            Self::Bucket(b) => *b,
            Self::Text(_) => 0,
        }
    }
}

/// The sums of one group.
#[derive(Debug, Clone)]
pub struct Group {
    pub keys: Vec<KeyValue>,
    pub model: String,
    pub batch: bool,
    /// How many of the scan's input thresholds the calls' total input exceeds.
    pub band: u8,
    pub totals: Totals,
}

/// Calls, tokens by kind, and recorded cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub calls: u64,
    pub tokens: TokenUsage,
    pub cost_micros: i64,
}

impl Totals {
    /// Adds one call: `[input, output, cache_write_5m, cache_write_1h, cache_read, cost_micros]`.
    pub fn add(&mut self, sums: &[i64; 6]) {
        let t = &mut self.tokens;
        self.calls += 1;
        t.input += sums[0].max(0) as u64;
        t.output += sums[1].max(0) as u64;
        t.cache_write_5m += sums[2].max(0) as u64;
        t.cache_write_1h += sums[3].max(0) as u64;
        t.cache_read += sums[4].max(0) as u64;
        self.cost_micros += sums[5];
    }

    pub fn merge(&mut self, other: &Totals) {
        let (t, o) = (&mut self.tokens, &other.tokens);
        self.calls += other.calls;
        t.input += o.input;
        t.output += o.output;
        t.cache_write_5m += o.cache_write_5m;
        t.cache_write_1h += o.cache_write_1h;
        t.cache_read += o.cache_read;
        self.cost_micros += other.cost_micros;
    }

    /// Every token billed: input of all kinds plus output.
    pub fn total_tokens(&self) -> u64 {
        self.tokens.total_input() + self.tokens.output
    }
}

/// A budget as stored, for drawing its limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetLine {
    /// Empty for the global budget.
    pub project: String,
    /// The window as stored (`hourly`, `daily`, `weekly`, `monthly`, ...).
    pub window: String,
    pub limit_micros: Option<i64>,
    pub limit_tokens: Option<i64>,
}
