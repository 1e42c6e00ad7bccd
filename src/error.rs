//! Exit codes, decided in one place, and the few typed errors callers branch on.
//!
//! | code | meaning |
//! |------|---------|
//! | 0    | success |
//! | 1    | the command ran, but the answer is no (e.g. `--strict` and files were skipped) |
//! | 2    | error: bad input, bad config, IO failure, broken store |
//! | 4    | partial: a run finished, but some of its subtasks failed (the answer says what is missing) |
//! | 130  | interrupted |

use std::process::ExitCode;

/// What a command concluded, when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything asked for was done.
    Success,
    /// The command ran, and its answer is "no".
    Failure,
    /// A run finished with some subtasks missing.
    Partial,
}

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
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) if err.downcast_ref::<Interrupted>().is_some() => {
            eprintln!("interrupted");
            ExitCode::from(130)
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// `devteam discover ... | head` must not report an error when `head` closes the pipe.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
