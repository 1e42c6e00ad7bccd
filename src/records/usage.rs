//! What the store keeps of every billed call: who made it, its tokens and cost, and the
//! routing decision behind it.

use serde::{Deserialize, Serialize};

/// Who made a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// `devteam run` and its agents.
    Devteam,
    /// `devteam warm-cache`: spend made only to fill the prompt cache.
    WarmCache,
    /// Imported from Claude Code's own JSONL logs.
    ClaudeCode,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Devteam => "devteam",
            Self::WarmCache => "warm-cache",
            Self::ClaudeCode => "claude-code",
        }
    }
}

/// One billed call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    /// Start of the call, Unix milliseconds.
    pub ts_ms: i64,
    pub source: Source,
    pub project: String,
    pub run_id: Option<String>,
    pub subtask_id: Option<String>,
    /// The task, shortened for reports.
    pub task: String,
    pub agent: String,
    pub model: String,
    pub tier: String,
    pub tokens: TokenUsage,
    /// Cost in millionths of a dollar, from the price table at the time of the call.
    pub cost_micros: i64,
    pub batch: bool,
    pub latency_ms: Option<i64>,
    pub request_id: Option<String>,
    /// Claude Code's `message.id` (with `request_id`, its dedup key).
    pub message_id: Option<String>,
    pub session_id: Option<String>,
    pub is_sidechain: bool,
    /// `ok`, or what went wrong (`error`, `max_tokens`, `refusal`, ...).
    pub outcome: String,
}

impl CallRecord {
    /// A charge for a reservation that carried no description of its call (written by an older
    /// devteam): all that is known is when, for which project, and its label.
    pub fn unattributed(ts_ms: i64, project: &str, label: &str) -> Self {
        Self {
            ts_ms,
            source: Source::Devteam,
            project: project.to_string(),
            run_id: None,
            subtask_id: None,
            task: label.to_string(),
            agent: String::new(),
            model: "unknown".to_string(),
            tier: String::new(),
            tokens: TokenUsage::default(),
            cost_micros: 0,
            batch: false,
            latency_ms: None,
            request_id: None,
            message_id: None,
            session_id: None,
            is_sidechain: false,
            outcome: String::new(),
        }
    }
}

/// A plain, valid call for tests to vary: a devteam call at ts 0 to Haiku (a model in the price
/// table), for no project, task or agent, with no tokens and no cost, that went `ok`. One place
/// to build a record, so a new field is one line here and not one in every test module.
#[cfg(test)]
impl CallRecord {
    pub(crate) fn for_test() -> Self {
        // The unattributed record is the empty one; a test's call has a priced model and went ok.
        Self {
            model: "claude-haiku-4-5".to_string(),
            tier: "haiku".to_string(),
            outcome: "ok".to_string(),
            ..Self::unattributed(0, "", "")
        }
    }

    pub(crate) fn at(self, ts_ms: i64) -> Self {
        Self { ts_ms, ..self }
    }

    pub(crate) fn source(self, source: Source) -> Self {
        Self { source, ..self }
    }

    pub(crate) fn project(self, project: &str) -> Self {
        Self { project: project.to_string(), ..self }
    }

    pub(crate) fn run(self, run_id: &str) -> Self {
        Self { run_id: Some(run_id.to_string()), ..self }
    }

    pub(crate) fn task(self, task: &str) -> Self {
        Self { task: task.to_string(), ..self }
    }

    pub(crate) fn agent(self, agent: &str) -> Self {
        Self { agent: agent.to_string(), ..self }
    }

    /// The model alone: the tier stays as it was (imported calls have none).
    pub(crate) fn model(self, model: &str) -> Self {
        Self { model: model.to_string(), ..self }
    }

    pub(crate) fn tier(self, tier: &str) -> Self {
        Self { tier: tier.to_string(), ..self }
    }

    /// Uncached input and output tokens (the cache counts stay as they were).
    pub(crate) fn tokens(self, input: u64, output: u64) -> Self {
        Self { tokens: TokenUsage { input, output, ..self.tokens }, ..self }
    }

    /// Cache writes (5-minute and 1-hour TTL) and reads.
    pub(crate) fn cache(self, write_5m: u64, write_1h: u64, read: u64) -> Self {
        let tokens = TokenUsage { cache_write_5m: write_5m, cache_write_1h: write_1h, cache_read: read, ..self.tokens };
        Self { tokens, ..self }
    }

    pub(crate) fn cost_micros(self, cost_micros: i64) -> Self {
        Self { cost_micros, ..self }
    }

    pub(crate) fn batch(self, batch: bool) -> Self {
        Self { batch, ..self }
    }

    pub(crate) fn latency_ms(self, latency_ms: i64) -> Self {
        Self { latency_ms: Some(latency_ms), ..self }
    }

    pub(crate) fn request_id(self, request_id: &str) -> Self {
        Self { request_id: Some(request_id.to_string()), ..self }
    }
}

/// Tokens of one call, by kind, as billed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUsage {
    /// Uncached input after the last cache breakpoint.
    pub input: u64,
    pub output: u64,
    pub cache_write_5m: u64,
    pub cache_write_1h: u64,
    pub cache_read: u64,
}

impl TokenUsage {
    /// Every input token of the request, cached or not.
    pub fn total_input(&self) -> u64 {
        self.input + self.cache_write_5m + self.cache_write_1h + self.cache_read
    }
}

/// A routing decision as stored: score, features, tier, and how the call went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoutingRecord {
    pub ts_ms: i64,
    pub run_id: Option<String>,
    /// The planned subtask the decision was for (`None` for a single call).
    pub subtask_id: Option<String>,
    pub task: String,
    pub score: f64,
    pub tier: String,
    pub model: String,
    pub pressure: String,
    /// The features that fired, as JSON.
    pub features: String,
    /// `ok`, `max_tokens`, `refusal`, `failed`.
    pub outcome: String,
    pub upgraded_to: Option<String>,
}
