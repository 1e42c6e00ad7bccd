//! The shared store on PostgreSQL: usage and calls, budgets and reservations (with the durable
//! pending record of each in-flight call), alerts, overrides, runs, routing decisions, outcomes,
//! A/B tests and counterfactuals, so that every host of a team sees one ledger. The agent index
//! (FTS5, embeddings, project contexts) stays in each host's SQLite file: it is derived from files
//! that host has, and rebuilding it costs nothing but local CPU.
//!
//! The driver is tokio-postgres with a deadpool pool (no TLS build: the loopback/VPN case is the
//! one tested; see README). The store's interface is synchronous and is called from inside the
//! command's tokio runtime, where `block_on` panics; so the store owns a small runtime of its own
//! (one worker, which drives the connections) and a caller already inside a runtime waits for it
//! on a scoped helper thread instead of blocking in place. A scoped thread lets the future borrow
//! the caller's data (statements and parameters) without copying, at the cost of a thread spawn
//! (tens of microseconds) per statement, small beside a network round trip.

mod backend;
mod calls;
mod decisions;
mod imports;
mod ledger;
mod migrate_from;
mod migrate_tables;
#[cfg(test)]
mod migrate_tests;
mod migrations;
mod reports;
mod runs;
#[cfg(test)]
pub mod testing;
#[cfg(test)]
mod tests;
mod tls;

use std::future::Future;
use std::str::FromStr as _;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use deadpool_postgres::{ManagerConfig, Object, Pool, RecyclingMethod};
use tokio_postgres::Row;
use tokio_postgres::config::SslMode;
use tokio_postgres::types::ToSql;

pub use migrate_from::migrate_sqlite;
#[cfg(test)]
pub use migrate_from::{MigrateOptions, migrate_sqlite_with};

/// Whether a `--db` / `DEVTEAM_DB` / `db:` value names a PostgreSQL server rather than a file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// The URL in a `--db` / `db:` value, when it is one rather than a path.
pub fn url_of(db: Option<&std::path::Path>) -> Option<String> {
    db.and_then(|p| p.to_str()).filter(|s| is_url(s)).map(str::to_string)
}

/// How long to wait for a connection (to the server, or from the pool) before saying the shared
/// store cannot be reached.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Statement parameters, as tokio-postgres takes them.
pub(crate) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// The shared store on a PostgreSQL server.
pub struct PgStore {
    rt: tokio::runtime::Runtime,
    pool: Pool,
    /// The URL with any password replaced, for messages.
    shown: String,
    ssl_mode: SslMode,
}

impl PgStore {
    /// Connects to `url`, checks the server is reachable and brings its schema up to date.
    pub fn connect(url: &str) -> Result<Self> {
        let shown = crate::api::redact_url(url);
        let mut config = tokio_postgres::Config::from_str(url)
            .map_err(|e| anyhow!("bad PostgreSQL connection string {shown}: {e}"))?;
        config.connect_timeout(CONNECT_TIMEOUT);
        if config.get_application_name().is_none() {
            config.application_name("devteam");
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("devteam-pg")
            .enable_all()
            .build()
            .context("starting the PostgreSQL driver's runtime")?;
        let ssl_mode = config.get_ssl_mode();
        let manager = tls::manager(config, ManagerConfig { recycling_method: RecyclingMethod::Fast })?;
        let pool = Pool::builder(manager)
            .max_size(4)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .context("building the PostgreSQL pool")?;
        let store = Self { rt, pool, shown, ssl_mode };
        let client = store.client()?;
        store
            .block(migrations::migrate(&client))
            .with_context(|| format!("preparing the shared store {}", store.shown))?;
        Ok(store)
    }

    /// The URL fit to print (password redacted).
    pub fn shown_url(&self) -> &str {
        &self.shown
    }

    /// Runs a future on the store's runtime and waits for it, from any thread: inside another
    /// runtime it waits on a scoped helper thread, because `block_on` there would panic.
    pub(crate) fn block<F>(&self, fut: F) -> F::Output
    where
        F: Future + Send,
        F::Output: Send,
    {
        if tokio::runtime::Handle::try_current().is_err() {
            return self.rt.block_on(fut);
        }
        std::thread::scope(|s| {
            s.spawn(|| self.rt.block_on(fut)).join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }

    /// A pooled connection, or a clear error naming the server.
    pub(crate) fn client(&self) -> Result<Object> {
        self.block(self.pool.get()).map_err(|e| {
            let cause = match &e {
                deadpool_postgres::PoolError::Backend(e) => describe(e),
                other => other.to_string(),
            };
            anyhow!("cannot reach the shared store {}: {cause}{}", self.shown, tls::hint(self.ssl_mode, &cause))
        })
    }

    /// One statement on a pooled connection, outside any transaction.
    pub(crate) fn query(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
        let client = self.client()?;
        query_on(self, &client, sql, params)
    }

    pub(crate) fn execute(&self, sql: &str, params: Params<'_>) -> Result<u64> {
        let client = self.client()?;
        execute_on(self, &client, sql, params)
    }
}

/// A statement on a given connection (inside a transaction the caller opened on it).
pub(crate) fn query_on(store: &PgStore, client: &Object, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
    store
        .block(async {
            let stmt = client.prepare_cached(sql).await?;
            client.query(&stmt, params).await
        })
        .map_err(|e| anyhow!("shared store {}: {}", store.shown, describe(&e)))
}

pub(crate) fn execute_on(store: &PgStore, client: &Object, sql: &str, params: Params<'_>) -> Result<u64> {
    store
        .block(async {
            let stmt = client.prepare_cached(sql).await?;
            client.execute(&stmt, params).await
        })
        .map_err(|e| anyhow!("shared store {}: {}", store.shown, describe(&e)))
}

/// The server's own message where there is one (it says what was wrong: a bad password, a missing
/// database), else the driver's, with its cause.
fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} ({})", db.message(), db.code().code());
    }
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

/// Refuses a schema newer than this build knows.
fn check_version(current: i64, known: usize) -> Result<()> {
    if current > known as i64 {
        bail!(
            "the shared store is at schema version {current}, newer than this devteam knows ({known}); upgrade devteam"
        );
    }
    Ok(())
}
