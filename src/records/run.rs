//! What a run leaves in the store: the run, its subtasks, the messages between them, and full
//! outputs kept apart so that reading a run costs its summaries, not its outputs.

use serde::Serialize;

/// How a run or subtask ended (or that it has not yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Running,
    Ok,
    /// Some subtasks failed; the answer says what is missing.
    Partial,
    Failed,
    Cancelled,
    /// Not run because something it depends on failed.
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Ok => "ok",
            Self::Partial => "partial",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "ok" => Self::Ok,
            "partial" => Self::Partial,
            "failed" => Self::Failed,
            "cancelled" => Self::Cancelled,
            "skipped" => Self::Skipped,
            _ => Self::Running,
        }
    }
}

/// A run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRecord {
    pub id: String,
    pub ts_ms: i64,
    pub task: String,
    pub project: String,
    pub status: Status,
    pub planned: bool,
    /// The validated plan as JSON, when the task was planned.
    pub plan: Option<String>,
    /// What the run wants the reader to know (fallbacks, missing parts).
    pub note: String,
    pub final_output_id: Option<i64>,
    pub wall_ms: Option<i64>,
    pub cost_micros: i64,
}

/// A subtask of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubtaskRecord {
    pub run_id: String,
    pub id: String,
    pub title: String,
    pub agent: String,
    pub depends_on: Vec<String>,
    pub tier: String,
    pub model: String,
    pub status: Status,
    pub attempts: u32,
    pub summary: String,
    pub summary_tokens: usize,
    pub output_id: Option<i64>,
    pub cost_micros: i64,
    pub started_ms: Option<i64>,
    pub finished_ms: Option<i64>,
    pub error: Option<String>,
}

/// A hand-over from one subtask to one that depends on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageRecord {
    pub run_id: String,
    pub from: String,
    pub to: String,
    pub summary: String,
    pub summary_tokens: usize,
    /// The sender's full output, fetched only when asked for.
    pub output_id: Option<i64>,
}

/// A line of `devteam runs`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunListing {
    pub id: String,
    pub ts_ms: i64,
    pub task: String,
    pub status: Status,
    pub subtasks: usize,
    pub cost_micros: i64,
    pub wall_ms: Option<i64>,
}
