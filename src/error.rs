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

use crate::budget::{BudgetError, Exceeded};

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

    #[test]
    fn a_refused_call_exits_with_the_over_budget_code_however_it_was_wrapped() {
        let store = crate::store::Store::open_in_memory().unwrap();
        store.budget_write(|l| l.set_budget(None, crate::budget::Window::Daily, Some(1), None)).unwrap();
        let guard = crate::budget::guard_tests_support::guard();
        let refused = guard.reserve(
            store.shared(),
            jiff::Timestamp::UNIX_EPOCH,
            &crate::budget::guard_tests_support::req("", 1.0),
        );
        let err = anyhow::Error::from(refused.unwrap_err()).context("running subtask 3");
        assert!(is_over_budget(&err));
        assert_eq!(exit_code(Err(err)), ExitCode::from(OVER_BUDGET_EXIT));
        assert!(!is_over_budget(&anyhow::anyhow!("disk full")));
    }
}
