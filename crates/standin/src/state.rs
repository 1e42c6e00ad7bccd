//! State shared by the server tasks and the library [`crate::Handle`].
//!
//! Each part has its own std mutex: every critical section is short and synchronous, and none is
//! held across an `.await`, so an async mutex would only add cost.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::batches::BatchStore;
use crate::cache::PromptCache;
use crate::clock::Clock;
use crate::ledger::Records;
use crate::script::{Script, ScriptError, ScriptState};

pub(crate) struct Shared {
    /// The only key accepted; `None` accepts any non-empty key.
    pub api_key: Option<String>,
    pub batch_delay: Duration,
    /// Restored by reset.
    pub initial_script: Script,
    pub clock: Clock,
    pub cache: Mutex<PromptCache>,
    pub script: Mutex<ScriptState>,
    pub records: Mutex<Records>,
    pub batches: Mutex<BatchStore>,
    next_id: AtomicU64,
}

/// Locks a mutex, ignoring poisoning: a panicking test thread must not wedge the server.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn new(
        api_key: Option<String>,
        batch_delay: Duration,
        script: Script,
        clock: Clock,
    ) -> Result<Self, ScriptError> {
        Ok(Self {
            api_key,
            batch_delay,
            script: Mutex::new(ScriptState::install(&script)?),
            initial_script: script,
            clock,
            cache: Mutex::new(PromptCache::new()),
            records: Mutex::new(Records::default()),
            batches: Mutex::new(BatchStore::default()),
            next_id: AtomicU64::new(1),
        })
    }

    /// A fresh id with the given prefix. Ids keep counting across resets so they never repeat.
    pub fn new_id(&self, prefix: &str) -> String {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        format!("{prefix}_standin{n:012}")
    }

    /// Replaces the script.
    pub fn set_script(&self, script: &Script) -> Result<(), ScriptError> {
        let state = ScriptState::install(script)?;
        *lock(&self.script) = state;
        Ok(())
    }

    /// Back to the state right after start: empty cache, logs and batches, the initial script,
    /// and the clock back at real time.
    pub fn reset(&self) {
        lock(&self.cache).clear();
        *lock(&self.records) = Records::default();
        *lock(&self.batches) = BatchStore::default();
        // The initial script was valid at start, so installing it again cannot fail.
        if let Ok(state) = ScriptState::install(&self.initial_script) {
            *lock(&self.script) = state;
        }
        self.clock.reset();
    }
}
