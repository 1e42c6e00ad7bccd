//! Ctrl-C and SIGTERM end a run the same way: the run's future is dropped, which records what
//! each in-flight call was billed (its usage so far, see `gateway/inflight.rs`) and releases the
//! rest; the command then returns [`crate::error::Interrupted`]. The exit code tells the two
//! apart (130 for SIGINT, 143 for SIGTERM), as shells do.

use std::sync::atomic::{AtomicBool, Ordering};

static TERMINATED: AtomicBool = AtomicBool::new(false);

/// Resolves when the process receives SIGINT (Ctrl-C) or, on Unix, SIGTERM.
pub async fn signalled() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => TERMINATED.store(true, Ordering::SeqCst),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// True when the interrupt was SIGTERM.
pub fn terminated() -> bool {
    TERMINATED.load(Ordering::SeqCst)
}
