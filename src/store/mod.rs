//! The local SQLite store: the one place with SQL. Everything outside this module sees domain
//! types only, so that a shared server database can stand behind the same methods later.
//!
//! Opened in WAL mode with a busy timeout so that a terminal, cron and CI can use one store at
//! once; created with mode 0600 because it will hold usage and spend.

mod ab;
mod agents;
mod budgets;
mod counterfactuals;
mod daily;
mod embeddings;
mod imports;
mod migrations;
mod outcomes;
mod pending;
pub mod pg;
mod projects;
mod reports;
mod runs;
mod scan;
mod suggest;
mod usage;
mod warm;

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use agents::{IndexChanges, IndexPart, IndexedFile, Library};
pub use budgets::{Ledger, NewReservation};
pub use counterfactuals::{Counterfactual, CounterfactualSums};
pub use daily::{BUCKET_MS, CallFilter, Sums};
pub use embeddings::{AgentTexts, AgentVectorRow, AgentVectors};
pub use imports::{ImportFile, ImportTx, ImportedCall, SlotSums, StoredCall};
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

/// Whether an error is SQLite's "database is busy/locked" (another process held the write lock
/// past the busy timeout): worth waiting out and retrying, never worth re-making an API call.
pub fn is_busy(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<rusqlite::Error>()
            .and_then(rusqlite::Error::sqlite_error_code)
            .is_some_and(|code| matches!(code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
    })
}

/// The store.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed, mode 0600) and migrates the store at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            create_private_dir(dir).with_context(|| format!("creating store folder {}", dir.display()))?;
        }
        create_private_file(path).with_context(|| format!("creating store {}", path.display()))?;
        let conn = Connection::open(path).with_context(|| format!("opening store {}", path.display()))?;
        Self::init(conn).with_context(|| format!("preparing store {}", path.display()))
    }

    /// An in-memory store, for tests.
    #[cfg(test)]
    pub fn open_in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Self> {
        conn.busy_timeout(busy_timeout())?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        migrate(&conn)?;
        Ok(Self { conn })
    }

    /// `PRAGMA integrity_check`, for tests and `doctor`-style checks.
    #[cfg(test)]
    pub fn integrity_ok(&self) -> Result<bool> {
        let result: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(result == "ok")
    }
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
        let store = Store::open(&path).unwrap();
        let version: i64 = store.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
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
