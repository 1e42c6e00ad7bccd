//! The library entry points: [`StandIn::start`] / [`StandIn::spawn`] and the [`Handle`] tests
//! use to drive the clock, script behaviour and read the ledger.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::clock::Clock;
use crate::ledger::{LedgerEntry, RecordedRequest};
use crate::script::{Rule, Script, ScriptError};
use crate::server::serve;
use crate::state::{Shared, lock};

/// How to start the stand-in.
#[derive(Debug, Clone)]
pub struct Config {
    /// The only API key accepted; `None` accepts any non-empty key.
    pub api_key: Option<String>,
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Virtual time from a batch's creation to its end.
    pub batch_delay: Duration,
    /// The script installed at start and restored by reset.
    pub script: Script,
    /// Virtual time stands still between `advance` calls (see `Clock::frozen`): for replays
    /// whose cache expiries must not depend on the machine's speed. Batches then end only when
    /// the clock is advanced past their delay.
    pub frozen_clock: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            api_key: None,
            port: 0,
            batch_delay: Duration::from_secs(60),
            script: Script::default(),
            frozen_clock: false,
        }
    }
}

/// Namespace for the two ways to start a server.
pub struct StandIn;

/// A running stand-in. Dropping it stops the server.
pub struct Handle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    /// Present when the server runs on its own runtime thread.
    thread: Option<JoinHandle<()>>,
}

impl StandIn {
    /// Binds 127.0.0.1 and serves on a dedicated thread with its own single-threaded runtime,
    /// so synchronous tests need no runtime of their own.
    pub fn start(config: Config) -> io::Result<Handle> {
        let shared = Arc::new(shared_from(&config)?);
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let (stop, stopped) = oneshot::channel();
        let server_shared = shared.clone();
        let thread = std::thread::Builder::new().name("standin".into()).spawn(move || {
            runtime.block_on(async move {
                if let Ok(listener) = TcpListener::from_std(listener) {
                    serve(listener, server_shared, stopped).await;
                }
            });
        })?;
        Ok(Handle { shared, addr, stop: Some(stop), thread: Some(thread) })
    }

    /// Binds 127.0.0.1 and serves as a task on the caller's tokio runtime.
    pub async fn spawn(config: Config) -> io::Result<Handle> {
        let shared = Arc::new(shared_from(&config)?);
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(serve(listener, shared.clone(), stopped));
        Ok(Handle { shared, addr, stop: Some(stop), thread: None })
    }
}

fn shared_from(config: &Config) -> io::Result<Shared> {
    let clock = if config.frozen_clock { Clock::frozen() } else { Clock::new() };
    Shared::new(config.api_key.clone(), config.batch_delay, config.script.clone(), clock).map_err(io::Error::other)
}

impl Handle {
    /// `http://127.0.0.1:PORT`, for `ANTHROPIC_BASE_URL`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Moves virtual time forward (cache TTLs, batch delays).
    pub fn advance(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// The current virtual time.
    pub fn now(&self) -> SystemTime {
        self.shared.clock.now()
    }

    /// Replaces the script; rule use counts start afresh.
    pub fn script(&self, script: Script) -> Result<(), ScriptError> {
        self.shared.set_script(&script)
    }

    /// Appends one rule after the current ones.
    pub fn push_rule(&self, rule: Rule) -> Result<(), ScriptError> {
        lock(&self.shared.script).push(&rule)
    }

    /// Every billed request so far, in billing order.
    pub fn ledger(&self) -> Vec<LedgerEntry> {
        lock(&self.shared.records).ledger.clone()
    }

    /// Every `/v1/` request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.records).requests.clone()
    }

    /// Live prompt-cache entries at the current virtual time.
    pub fn cache_entries(&self) -> usize {
        lock(&self.shared.cache).len(self.shared.clock.now())
    }

    /// Empties cache, ledger, request log and batches, restores the initial script, and puts
    /// the clock back to real time.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Stops the server and waits for its thread (same as dropping the handle).
    pub fn shutdown(self) {}
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
