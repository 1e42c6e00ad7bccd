//! A small pool of SQLite connections, so that the store is `Send + Sync` and the gateway no
//! longer needs a connection of its own behind a mutex.
//!
//! Hand-written rather than r2d2: the store checks a connection out only for the length of one
//! synchronous method (never across an `await`), so all it needs is a stack of idle
//! connections, a cap, and a bounded wait; r2d2 would add a dependency (tied to one rusqlite
//! version) and a background thread for that. A connection handed back with a transaction
//! still open (a panic mid-transaction) is rolled back before anyone else gets it.

use std::path::PathBuf;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow};
use rusqlite::Connection;

/// Where the pool's connections go.
#[derive(Debug, Clone)]
pub(super) enum Target {
    File(PathBuf),
    /// One in-memory database: every connection would be a new empty database, so the pool
    /// holds exactly one connection (tests).
    #[cfg_attr(not(test), expect(dead_code, reason = "in-memory stores are for tests"))]
    Memory,
}

pub(super) struct Pool {
    target: Target,
    /// Most connections open at once.
    max: usize,
    /// How long `get` waits for a connection when all are out.
    wait: Duration,
    state: Mutex<State>,
    freed: Condvar,
}

struct State {
    idle: Vec<Connection>,
    open: usize,
}

impl Pool {
    /// A pool whose first connection is `first` (already configured and migrated); more are
    /// opened with `configure` as needed, up to `max` (1 for an in-memory target).
    pub(super) fn new(target: Target, first: Connection, max: usize, wait: Duration) -> Self {
        let max = if matches!(target, Target::Memory) { 1 } else { max.max(1) };
        Self { target, max, wait, state: Mutex::new(State { idle: vec![first], open: 1 }), freed: Condvar::new() }
    }

    /// A connection for the caller alone until the guard drops.
    pub(super) fn get(&self, configure: fn(&Connection) -> Result<()>) -> Result<Pooled<'_>> {
        let mut state = self.lock()?;
        loop {
            if let Some(conn) = state.idle.pop() {
                return Ok(Pooled { pool: self, conn: Some(conn) });
            }
            if state.open < self.max {
                state.open += 1;
                drop(state);
                return match self.open_one(configure) {
                    Ok(conn) => Ok(Pooled { pool: self, conn: Some(conn) }),
                    Err(e) => {
                        self.lock()?.open -= 1;
                        self.freed.notify_one();
                        Err(e)
                    }
                };
            }
            let (next, timeout) =
                self.freed.wait_timeout(state, self.wait).map_err(|_| anyhow!("store pool poisoned"))?;
            state = next;
            if timeout.timed_out() && state.idle.is_empty() {
                return Err(anyhow!(super::Busy)).context(format!(
                    "all {} store connections stayed in use for {} ms",
                    self.max,
                    self.wait.as_millis()
                ));
            }
        }
    }

    fn open_one(&self, configure: fn(&Connection) -> Result<()>) -> Result<Connection> {
        let Target::File(path) = &self.target else {
            return Err(anyhow!("an in-memory store has one connection"));
        };
        let conn = Connection::open(path).with_context(|| format!("opening store {}", path.display()))?;
        configure(&conn).with_context(|| format!("preparing store {}", path.display()))?;
        Ok(conn)
    }

    fn lock(&self) -> Result<MutexGuard<'_, State>> {
        self.state.lock().map_err(|_| anyhow!("store pool poisoned"))
    }

    fn put_back(&self, conn: Connection) {
        // A transaction left open (a panic inside one) must not leak into the next user.
        let conn = if conn.is_autocommit() || conn.execute_batch("ROLLBACK").is_ok() { Some(conn) } else { None };
        if let Ok(mut state) = self.state.lock() {
            match conn {
                Some(conn) => state.idle.push(conn),
                None => state.open -= 1,
            }
        }
        self.freed.notify_one();
    }
}

/// A checked-out connection; back to the pool on drop.
pub(super) struct Pooled<'p> {
    pool: &'p Pool,
    conn: Option<Connection>,
}

impl std::ops::Deref for Pooled<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("a pooled connection is present until drop")
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.put_back(conn);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configure(conn: &Connection) -> Result<()> {
        conn.busy_timeout(Duration::from_secs(1))?;
        Ok(())
    }

    #[test]
    fn connections_are_reused_and_capped() {
        let dir = tempfile::tempdir().unwrap();
        let target = Target::File(dir.path().join("p.db"));
        let first = Connection::open(dir.path().join("p.db")).unwrap();
        let pool = Pool::new(target, first, 2, Duration::from_millis(50));
        let a = pool.get(configure).unwrap();
        let b = pool.get(configure).unwrap();
        let err = pool.get(configure).err().expect("a third connection is over the cap");
        assert!(super::super::is_busy(&err), "{err:#}");
        drop(a);
        let c = pool.get(configure).unwrap();
        drop((b, c));
        assert_eq!(pool.lock().unwrap().open, 2);
    }

    #[test]
    fn an_open_transaction_is_rolled_back_on_return() {
        let pool = Pool::new(Target::Memory, Connection::open_in_memory().unwrap(), 4, Duration::from_millis(50));
        {
            let conn = pool.get(configure).unwrap();
            conn.execute_batch("CREATE TABLE t (x); BEGIN; INSERT INTO t VALUES (1);").unwrap();
        }
        let conn = pool.get(configure).unwrap();
        assert!(conn.is_autocommit());
        let n: i64 = conn.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0);
    }
}
