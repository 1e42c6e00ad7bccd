//! The store: the one place with SQL. Everything outside this module sees the traits of
//! [`api`] and domain types only, so that a shared server database stands behind the same
//! methods (see `api.rs` for what lives where and the seam a new backend plugs into).
//!
//! The SQLite backend ([`SqliteStore`]) is opened in WAL mode with a busy timeout so that a
//! terminal, cron and CI can use one store at once, through a small pool of connections so it
//! is `Send + Sync`; created with mode 0600 because it will hold usage and spend.

mod ab;
mod agents;
mod alert_rows;
pub mod api;
mod block_tokens;
mod budgets;
#[cfg(test)]
mod contract_tests;
mod counterfactuals;
mod daily;
mod embeddings;
mod handle;
mod imports;
mod migrations;
mod outcomes;
mod pending;
pub mod pg;
mod pool;
mod projects;
mod reports;
mod runs;
mod scan;
mod sqlite;
mod suggest;
mod usage;
mod warm;

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use agents::{IndexChanges, IndexPart, IndexedFile, Library, LibraryTotals};
pub use api::ImportTx;
pub use api::{Ledger, SharedStore};
pub use budgets::{NewReservation, SqliteLedger};
pub use counterfactuals::{Counterfactual, CounterfactualSums};
pub use daily::{BUCKET_MS, CallFilter, Sums};
pub use embeddings::{AgentTexts, AgentVectorRow, VectorMatrix};
#[cfg_attr(not(test), expect(unused_imports, reason = "the seam `store migrate` and a server backend use"))]
pub use handle::open_shared;
pub use handle::{DbTarget, Store, open};
pub use imports::{ImportFile, ImportedCall, SlotSums, StoredCall};
pub use pending::{Holder, Recovered, UNSETTLED};

/// How long a writer waits for another process's lock before giving up, unless
/// `store-busy-timeout-ms` says otherwise (see [`set_busy_timeout`]).
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

static BUSY_TIMEOUT_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Sets the busy timeout of every store opened from now on (the resolved setting; once, at
/// start-up).
pub fn set_busy_timeout(timeout: Duration) {
    let ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX).max(1);
    BUSY_TIMEOUT_MS.store(ms, std::sync::atomic::Ordering::Relaxed);
}

fn busy_timeout() -> Duration {
    match BUSY_TIMEOUT_MS.load(std::sync::atomic::Ordering::Relaxed) {
        0 => BUSY_TIMEOUT,
        ms => Duration::from_millis(ms),
    }
}

/// "The store stayed busy": another writer held it past the busy timeout, or every pooled
/// connection stayed in use. Any backend may return it (in an error's chain) for a wait worth
/// retrying.
#[derive(Debug, thiserror::Error)]
#[error("the store is busy")]
pub struct Busy;

/// Whether an error is "the store is busy" ([`Busy`], or SQLite's busy/locked): worth waiting
/// out and retrying, never worth re-making an API call.
pub fn is_busy(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause.is::<Busy>()
            || cause.downcast_ref::<rusqlite::Error>().and_then(rusqlite::Error::sqlite_error_code).is_some_and(
                |code| matches!(code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked),
            )
    })
}

/// Connections the SQLite pool opens at most. Methods hold one only while they run (never
/// across an `await`), so a handful covers a run's gateway, its reports and a split scan's
/// coordinator; more would only add page caches.
const POOL_SIZE: usize = 4;

/// The SQLite backend: one file (or, in tests, one in-memory database) behind a small pool.
/// Implements every trait of [`api`]; the SQL itself is in `impl Db` blocks, one file per
/// concern, so that a ledger or an import can run many of them on the connection that holds
/// its transaction.
pub struct SqliteStore {
    pool: pool::Pool,
}

/// One checked-out connection, seen as the store: the SQL of every concern is written on it.
#[derive(Clone, Copy)]
pub(crate) struct Db<'c> {
    conn: &'c Connection,
}

impl SqliteStore {
    /// Opens (creating if needed, mode 0600) and migrates the store at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            create_private_dir(dir).with_context(|| format!("creating store folder {}", dir.display()))?;
        }
        create_private_file(path).with_context(|| format!("creating store {}", path.display()))?;
        let conn = Connection::open(path).with_context(|| format!("opening store {}", path.display()))?;
        Self::init(pool::Target::File(path.to_path_buf()), conn)
            .with_context(|| format!("preparing store {}", path.display()))
    }

    /// An in-memory store, for tests.
    #[cfg(test)]
    pub fn open_in_memory() -> Result<Self> {
        Self::init(pool::Target::Memory, Connection::open_in_memory()?)
    }

    fn init(target: pool::Target, conn: Connection) -> Result<Self> {
        configure(&conn)?;
        migrate(&conn)?;
        Ok(Self { pool: pool::Pool::new(target, conn, POOL_SIZE, busy_timeout()) })
    }

    /// A connection of the pool for the caller alone.
    fn connection(&self) -> Result<pool::Pooled<'_>> {
        self.pool.get(configure)
    }

    /// Runs `f` on a pooled connection.
    pub(crate) fn with<T>(&self, f: impl FnOnce(Db<'_>) -> Result<T>) -> Result<T> {
        let conn = self.connection()?;
        f(Db { conn: &conn })
    }

    /// `PRAGMA integrity_check`, for tests and `doctor`-style checks.
    #[cfg(test)]
    pub fn integrity_ok(&self) -> Result<bool> {
        self.with(|db| {
            let result: String = db.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            Ok(result == "ok")
        })
    }
}

/// Every connection of the pool: WAL so readers never block the writer, a busy timeout so
/// writers queue instead of failing, foreign keys on.
fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(busy_timeout())?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

/// Applies the migrations this store lacks, in one exclusive transaction so that two
/// processes opening a new store at once cannot both migrate it.
fn migrate(conn: &Connection) -> Result<()> {
    let known = migrations::MIGRATIONS.len();
    // The common case, an up-to-date store, needs no lock at all.
    if user_version(conn)? == known {
        return Ok(());
    }
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Exclusive)?;
    let current = user_version(&tx)?;
    if current > known {
        bail!("the store is at schema version {current}, newer than this devteam knows ({known}); upgrade devteam");
    }
    for (version, sql) in migrations::MIGRATIONS.iter().enumerate().skip(current) {
        tx.execute_batch(sql).with_context(|| format!("applying store migration {}", version + 1))?;
    }
    tx.pragma_update(None, "user_version", known as i64)?;
    tx.commit()?;
    Ok(())
}

fn user_version(conn: &Connection) -> Result<usize> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    Ok(usize::try_from(version).unwrap_or(usize::MAX))
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Creates the file with mode 0600 if it does not exist; SQLite gives its -wal and -shm files
/// the same mode.
#[cfg(unix)]
fn create_private_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn create_private_file(_: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_a_no_op() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s/devteam.db");
        drop(Store::open(&path).unwrap());
        let store = SqliteStore::open(&path).unwrap();
        let version: i64 = store.with(|db| Ok(db.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)).unwrap();
        assert_eq!(version as usize, migrations::MIGRATIONS.len());
        assert!(store.integrity_ok().unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn the_store_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("devteam.db");
        drop(Store::open(&path).unwrap());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn a_newer_store_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("devteam.db");
        drop(Store::open(&path).unwrap());
        Connection::open(&path).unwrap().pragma_update(None, "user_version", 999).unwrap();
        let err = Store::open(&path).err().unwrap();
        assert!(format!("{err:#}").contains("newer"), "{err:#}");
    }
}
