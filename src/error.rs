//! Exit codes, decided in one place, and the few typed errors callers branch on.
//!
//! | code | meaning |
//! |------|---------|
//! | 0    | success |
//! | 1    | the command ran, but the answer is no (e.g. `--strict` and files were skipped) |
//! | 2    | error: bad input, bad config, IO failure, broken store |
//! | 4    | partial: a run finished, but some of its subtasks failed (the answer says what is missing) |
//! | 3    | over budget: `budget check` found a budget with no room, or a budget refused a call |
//! | 130  | interrupted (SIGINT, Ctrl-C) |
//! | 143  | terminated (SIGTERM) |

use std::process::ExitCode;

use jiff::Timestamp;
use serde::Serialize;

use crate::records::window::Window;

/// What a command concluded, when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything asked for was done.
    Success,
    /// The command ran, and its answer is "no".
    Failure,
    /// A run finished with some subtasks missing.
    Partial,
    /// A budget has no room left (`budget check`), distinct so scripts can branch on it.
    OverBudget,
}

/// Exit code when a budget is exhausted or refused a call.
pub const OVER_BUDGET_EXIT: u8 = 3;

/// A mistake in what the user gave us (a flag, a file, a config value): printed without a
/// backtrace-like chain of internal context.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(String);

impl UserError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// The user pressed Ctrl-C; what was spent is recorded before this is returned.
#[derive(Debug, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;

/// What a reservation could not get.
#[derive(Debug, thiserror::Error)]
pub enum BudgetError {
    /// A budget has no room for the call: over-budget exit code (3).
    #[error(transparent)]
    Exceeded(Box<Exceeded>),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] anyhow::Error),
}

/// Which limit of a budget was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Usd,
    Tokens,
}

/// A budget that refused a call.
#[derive(Debug, Clone, PartialEq)]
pub struct Exceeded {
    /// `daily` or `daily (project api)`.
    pub budget: String,
    pub project: Option<String>,
    pub window: Window,
    pub unit: Unit,
    /// Settled in the window, in micro-dollars or tokens (as `unit` says).
    pub spent: i64,
    /// Held by calls in flight.
    pub reserved: i64,
    /// What this call asked for, at worst.
    pub requested: i64,
    pub limit: i64,
    /// The part of the limit reservations may fill (the blocking threshold's share).
    pub cap: i64,
    pub resets_at: Timestamp,
    /// `resets_at` in the configured zone, and how far away it was.
    pub resets_local: String,
    pub resets_in_ms: i64,
}

/// Turns a command's outcome into the process exit code, printing any error on stderr.
pub fn exit_code(outcome: anyhow::Result<ExitStatus>) -> ExitCode {
    match outcome {
        Ok(ExitStatus::Success) => ExitCode::SUCCESS,
        Ok(ExitStatus::Failure) => ExitCode::from(1),
        Ok(ExitStatus::Partial) => ExitCode::from(4),
        Ok(ExitStatus::OverBudget) => ExitCode::from(OVER_BUDGET_EXIT),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) if err.downcast_ref::<Interrupted>().is_some() => {
            if crate::interrupt::terminated() {
                eprintln!("terminated; calls billed before it are recorded");
                ExitCode::from(143)
            } else {
                eprintln!("interrupted; calls billed before it are recorded");
                ExitCode::from(130)
            }
        }
        Err(err) if is_over_budget(&err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(OVER_BUDGET_EXIT)
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// A budget refused a call somewhere down the chain.
fn is_over_budget(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<Exceeded>().is_some()
            || matches!(cause.downcast_ref::<BudgetError>(), Some(BudgetError::Exceeded(_)))
    })
}

/// `devteam discover ... | head` must not report an error when `head` closes the pipe.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal() -> Exceeded {
        Exceeded {
            budget: "daily".into(),
            project: None,
            window: Window::Daily,
            unit: Unit::Usd,
            spent: 0,
            reserved: 0,
            requested: 2,
            limit: 1,
            cap: 1,
            resets_at: Timestamp::UNIX_EPOCH,
            resets_local: String::new(),
            resets_in_ms: 0,
        }
    }

    #[test]
    fn a_refusal_is_over_budget_however_it_was_wrapped() {
        let err = anyhow::Error::from(BudgetError::Exceeded(Box::new(refusal()))).context("running subtask 3");
        assert!(is_over_budget(&err));
        assert!(is_over_budget(&anyhow::Error::from(refusal()).context("checking")));
        assert!(!is_over_budget(&anyhow::anyhow!("disk full")));
        assert!(!is_over_budget(&anyhow::Error::from(BudgetError::Store(anyhow::anyhow!("busy")))));
    }
}
