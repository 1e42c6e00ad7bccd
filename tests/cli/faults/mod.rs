//! The fault suite: the real binary against the stand-in, through a loopback fault proxy, for
//! every fault a billed call can meet. After each, the books must balance: the store holds
//! exactly the calls the stand-in billed (by request id, none lost, none made twice), each at no
//! less than what it was billed, no reservation is left behind, and what was billed ends within
//! one call of the budget's limit.
//!
//! Waits are on observable conditions (a reservation row, a stalled stream, a line on stderr),
//! polled; no test sleeps a fixed time to let something happen.

mod each;
mod proxy;
mod secrets;
mod shared;
mod shared_gone;
mod signals;
mod storm;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use devteam_standin::{Config, Handle, LedgerEntry, Reply, Script, StandIn};

use crate::common::{TestEnv, repo};
pub use proxy::{Mode, Proxy};

/// The model of the tier every fault run uses (the sonnet tier in `data/models.yaml`).
pub fn model() -> String {
    crate::common::tier_model("sonnet")
}

pub struct Rig {
    pub server: Handle,
    pub proxy: Proxy,
    pub env: TestEnv,
}

/// One row of the store's `calls`.
#[derive(Debug, Clone)]
pub struct Stored {
    pub request_id: Option<String>,
    pub cost_micros: i64,
    pub outcome: String,
    pub model: String,
}

impl Rig {
    pub fn new(script: Script, choose: impl Fn(usize) -> Mode + Send + Sync + 'static) -> Self {
        let script = Script { default_reply: script.default_reply.or(Some(Reply::text(ANSWER))), ..script };
        let server = StandIn::start(Config { script, ..Config::default() }).expect("stand-in");
        let proxy = Proxy::start(server.addr(), choose);
        Self { server, proxy, env: TestEnv::new() }
    }

    /// `devteam` in a sealed environment, through the proxy, with a short store busy timeout
    /// so that a locked store shows quickly.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("devteam"));
        let path = self.env.path();
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", path.join("home"))
            .env("XDG_DATA_HOME", path.join("data"))
            .env("XDG_CONFIG_HOME", path.join("config"))
            .env("ANTHROPIC_API_KEY", "sk-test-faults")
            .env("ANTHROPIC_BASE_URL", self.proxy.base_url())
            .env("DEVTEAM_STORE_BUSY_TIMEOUT_MS", "200")
            // Budgets and faults, not ranking: no embedding of the library on the first run.
            .env("DEVTEAM_EMBEDDING_MODEL", "off")
            .arg("--agents")
            .arg(repo().join("fixtures/agents"));
        cmd
    }

    /// One single-call run at the sonnet tier.
    pub fn run(&self, task: &str) -> Command {
        let mut cmd = self.cmd();
        cmd.args(["run", "--no-plan", "--no-rerank", "--agent", "sql-optimizer", "--tier", "sonnet"]).args([
            "--max-tokens",
            "200",
            task,
        ]);
        cmd
    }

    pub fn set_daily_budget(&self, usd: f64) {
        let out = self.cmd().args(["budget", "set", "daily", &usd.to_string()]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    pub fn db(&self) -> rusqlite::Connection {
        let conn = rusqlite::Connection::open(self.env.path().join("data/devteam/devteam.db")).unwrap();
        conn.busy_timeout(Duration::from_secs(10)).unwrap();
        conn
    }

    pub fn stored(&self) -> Vec<Stored> {
        let conn = self.db();
        let mut stmt = conn.prepare("SELECT request_id, cost_micros, outcome, model FROM calls ORDER BY id").unwrap();
        let rows = stmt.query_map([], |r| {
            Ok(Stored { request_id: r.get(0)?, cost_micros: r.get(1)?, outcome: r.get(2)?, model: r.get(3)? })
        });
        rows.unwrap().collect::<rusqlite::Result<_>>().unwrap()
    }

    /// What `budget check --json` says was spent under the first budget, in micro-dollars.
    pub fn checked_spend(&self) -> i64 {
        let check = self.cmd().args(["--json", "budget", "check"]).output().unwrap();
        let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
        (report["budgets"][0]["usd"]["spent"].as_f64().unwrap() * 1e6).round() as i64
    }

    pub fn reservations(&self) -> i64 {
        self.db().query_row("SELECT COUNT(*) FROM reservations", [], |r| r.get(0)).unwrap()
    }

    /// The books balance: see the module comment. Returns (billed, recorded) in micro-dollars.
    pub fn assert_books_balance(&self, limit_usd: Option<f64>) -> (i64, i64) {
        // Opening the store through devteam recovers anything a dead process left.
        let status = self.cmd().args(["budget", "status"]).output().unwrap();
        assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
        let ledger = self.server.ledger();
        let stored = self.stored();
        assert_eq!(stored.len(), ledger.len(), "store {stored:#?}\nledger {ledger:#?}");
        // Matched by request id; a call whose process could not save even its id (the store was
        // locked throughout) is a charge without one, paired with a billed entry left unmatched.
        let mut unmatched = Vec::new();
        for entry in &ledger {
            match stored.iter().find(|c| c.request_id.as_deref() == Some(entry.request_id.as_str())) {
                // One micro-dollar of rounding: devteam rounds the call's dollar total.
                Some(call) => assert!(
                    call.cost_micros + 1 >= ledger_cost(entry),
                    "recorded below what was billed: {call:?} vs {}",
                    ledger_cost(entry)
                ),
                None => unmatched.push(ledger_cost(entry)),
            }
        }
        let anonymous: Vec<i64> = stored.iter().filter(|c| c.request_id.is_none()).map(|c| c.cost_micros).collect();
        assert_eq!(unmatched.len(), anonymous.len(), "billed calls missing from the store: {stored:#?}");
        if let (Some(most), Some(least)) = (unmatched.iter().max(), anonymous.iter().min()) {
            assert!(least >= most, "a charge without an id is below what was billed");
        }
        assert_eq!(self.reservations(), 0, "a reservation was left behind");
        let billed: i64 = ledger.iter().map(ledger_cost).sum();
        let recorded: i64 = stored.iter().map(|c| c.cost_micros).sum();
        if let Some(limit) = limit_usd {
            let largest = ledger.iter().map(ledger_cost).max().unwrap_or(0);
            let limit = (limit * 1e6) as i64;
            assert!(billed <= limit + largest, "billed {billed} over limit {limit} + one call {largest}");
            assert!(recorded <= limit + largest_recorded(&stored), "recorded {recorded} over {limit} + one call");
        }
        (billed, recorded)
    }
}

fn largest_recorded(stored: &[Stored]) -> i64 {
    stored.iter().map(|c| c.cost_micros).max().unwrap_or(0)
}

/// What the stand-in billed for one entry, at the price table's rates for [`model`] (USD per
/// million tokens = micro-dollars per token). A completed call's recorded cost equals this,
/// which the tests check, so a drift in `data/models.yaml` shows.
pub fn ledger_cost(e: &LedgerEntry) -> i64 {
    assert_eq!(e.model, model(), "the fault runs use one model");
    let r = crate::common::tier_rates("sonnet");
    let u = &e.usage;
    let (w5, w1h) = match (u.cache_creation.ephemeral_5m_input_tokens, u.cache_creation.ephemeral_1h_input_tokens) {
        (0, 0) => (u.cache_creation_input_tokens, 0),
        split => split,
    };
    let micros = f64::from(u.input_tokens) * r.input
        + f64::from(u.output_tokens) * r.output
        + f64::from(w5) * r.write_5m
        + f64::from(w1h) * r.write_1h
        + f64::from(u.cache_read_input_tokens) * r.read;
    (micros * e.price_multiplier).round() as i64
}

/// The default reply: long enough to stream in several deltas.
pub const ANSWER: &str = "Add an index on orders(customer_id, created_at) and drop the wildcard select.";

/// Polls `cond` every 10 ms until it holds; panics after `limit` with `what`.
pub fn wait_for(what: &str, limit: Duration, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Spawns `cmd` with stderr piped and returns the child and a channel of its stderr lines.
pub fn spawn_watched(mut cmd: Command) -> (Child, std::sync::mpsc::Receiver<String>) {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

/// Waits for a stderr line containing `needle`; returns every line read so far.
pub fn wait_line(rx: &std::sync::mpsc::Receiver<String>, needle: &str, seen: &mut Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !seen.iter().any(|l| l.contains(needle)) {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => seen.push(line),
            Err(_) => panic!("no stderr line with {needle:?}; saw {seen:#?}"),
        }
    }
}

/// Sends a signal with the system's `kill` (no libc in the tests).
pub fn signal(child: &Child, name: &str) {
    let ok = Command::new("kill").arg(format!("-{name}")).arg(child.id().to_string()).status().unwrap();
    assert!(ok.success());
}

/// True once the store holds a reservation whose pending record has the API's usage.
pub fn usage_saved(rig: &Rig) -> bool {
    let path = rig.env.path().join("data/devteam/devteam.db");
    path.exists()
        && rig
            .db()
            .query_row("SELECT COUNT(*) FROM reservations WHERE call_json LIKE '%\"message_id\":\"msg%'", [], |r| {
                r.get::<_, i64>(0)
            })
            .is_ok_and(|n| n > 0)
}
