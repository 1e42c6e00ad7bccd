//! Spend: the record of every billed API call, whoever made it, and the reports built on it.

pub mod claude_code;
pub mod daily;
pub mod groups;
pub mod html;
pub mod live;
pub mod period;
pub mod report;
pub mod savings;
pub mod suggest;
pub mod summary;

use serde::{Deserialize, Serialize};

use crate::pricing::TokenUsage;

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

/// Dollars to micro-dollars, rounding to the nearest (ties to even, so that summing many
/// rounded costs does not drift one way).
pub fn to_micros(usd: f64) -> i64 {
    (usd * 1_000_000.0).round_ties_even() as i64
}

/// Micro-dollars to dollars.
pub fn to_usd(micros: i64) -> f64 {
    micros as f64 / 1_000_000.0
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
