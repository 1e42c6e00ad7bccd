//! How the rest of the program gets a store: [`open`] (or [`open_shared`] for the shared part
//! alone) turns the resolved `db` setting into trait objects, and [`Store`] carries them.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;

use super::SqliteStore;
use super::api::{AgentIndex, SharedStore};

/// Where the store is, as the `db` setting resolved it (`--db`, `DEVTEAM_DB`, `db:` in the
/// config, or the default under the data folder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    /// A SQLite file: the shared concerns and the local agent index in one file.
    Sqlite(PathBuf),
    /// A team's shared store on PostgreSQL (the URL), with this machine's agent index in the
    /// SQLite file at `local`.
    Postgres { url: String, local: PathBuf },
}

/// Opens (creating and migrating as needed) the shared part of the store at `target`.
#[cfg_attr(not(test), expect(dead_code, reason = "the seam `store migrate` and a server backend use"))]
pub fn open_shared(target: &DbTarget) -> Result<Arc<dyn SharedStore>> {
    match target {
        DbTarget::Sqlite(path) => Ok(Arc::new(SqliteStore::open(path)?)),
        DbTarget::Postgres { url, .. } => Ok(Arc::new(super::pg::PgStore::connect(url)?)),
    }
}

/// Opens the whole store at `target`: its shared part and this machine's agent index (for a
/// SQLite target, the same file serves both).
pub fn open(target: &DbTarget) -> Result<Store> {
    match target {
        DbTarget::Sqlite(path) => Ok(Store::sqlite(Arc::new(SqliteStore::open(path)?))),
        DbTarget::Postgres { url, local } => {
            Ok(Store::from_parts(Arc::new(super::pg::PgStore::connect(url)?), Arc::new(SqliteStore::open(local)?)))
        }
    }
}

/// The store as commands, the gateway and the domain hold it: cheap to clone, `Send + Sync`.
/// Derefs to the shared part (`store.insert_call(..)`, `store.budget_write(..)`); the local
/// agent index is [`Store::index`].
#[derive(Clone)]
pub struct Store {
    shared: Arc<dyn SharedStore>,
    index: Arc<dyn AgentIndex>,
    /// The SQLite backend behind both, when it is one (tests reach into it).
    #[cfg(test)]
    sqlite: Option<Arc<SqliteStore>>,
}

impl Store {
    /// A shared store and a local index, from wherever each lives.
    pub fn from_parts(shared: Arc<dyn SharedStore>, index: Arc<dyn AgentIndex>) -> Self {
        Self {
            shared,
            index,
            #[cfg(test)]
            sqlite: None,
        }
    }

    /// One SQLite file for everything.
    pub fn sqlite(store: Arc<SqliteStore>) -> Self {
        Self {
            shared: store.clone(),
            index: store.clone(),
            #[cfg(test)]
            sqlite: Some(store),
        }
    }

    /// Opens (creating if needed, mode 0600) and migrates the SQLite store at `path`.
    pub fn open(path: &std::path::Path) -> Result<Self> {
        open(&DbTarget::Sqlite(path.to_path_buf()))
    }

    /// An in-memory SQLite store, for tests; with `DEVTEAM_TEST_BACKEND=postgres`, a fresh
    /// database on `DEVTEAM_TEST_PG_URL` as the shared part instead, so the same tests run on
    /// both backends (`.ci/run` runs the store-level ones both ways).
    #[cfg(test)]
    pub fn open_in_memory() -> Result<Self> {
        if std::env::var("DEVTEAM_TEST_BACKEND").is_ok_and(|b| b == "postgres") {
            let base = std::env::var(super::pg::testing::URL_VAR)?;
            let shared = super::pg::PgStore::connect(&super::pg::testing::create_database(&base)?)?;
            return Ok(Self::from_parts(Arc::new(shared), Arc::new(SqliteStore::open_in_memory()?)));
        }
        Ok(Self::sqlite(Arc::new(SqliteStore::open_in_memory()?)))
    }

    /// This machine's agent index (and project contexts).
    pub fn index(&self) -> &dyn AgentIndex {
        &*self.index
    }

    /// The shared part, to hand to code that needs nothing else (the budget guard).
    pub fn shared(&self) -> &dyn SharedStore {
        &*self.shared
    }

    /// The SQLite backend, for tests that inspect it.
    #[cfg(test)]
    pub fn sqlite_backend(&self) -> &SqliteStore {
        self.sqlite.as_deref().expect("a SQLite store")
    }

    /// Runs `f` on a connection of the SQLite backend (tests of the SQL itself).
    #[cfg(test)]
    pub(crate) fn db<T>(&self, f: impl FnOnce(super::Db<'_>) -> T) -> T {
        let mut out = None;
        self.sqlite_backend()
            .with(|db| {
                out = Some(f(db));
                Ok(())
            })
            .expect("a pooled connection");
        out.expect("ran")
    }

    #[cfg(test)]
    pub fn integrity_ok(&self) -> Result<bool> {
        self.sqlite_backend().integrity_ok()
    }

    /// Adds a budget row (the `budget` command owns them; tests of reports need a few).
    #[cfg(test)]
    pub fn add_budget_for_test(&self, project: &str, window: &str, limit_micros: i64) {
        self.db(|db| db.add_budget_for_test(project, window, limit_micros));
    }
}

impl std::ops::Deref for Store {
    type Target = dyn SharedStore;

    fn deref(&self) -> &Self::Target {
        &*self.shared
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::window::Window;

    #[test]
    fn the_shared_part_opened_alone_is_the_same_store() {
        let dir = tempfile::tempdir().unwrap();
        let target = DbTarget::Sqlite(dir.path().join("team.db"));
        let shared = crate::store::open_shared(&target).unwrap();
        shared.budget_write(|l| l.set_budget(None, Window::Daily, Some(1_000), None)).unwrap();
        drop(shared);
        let store = open(&target).unwrap();
        let budget = store.budget_read(|l| l.budget(None, Window::Daily)).unwrap().expect("the budget");
        assert_eq!(budget.limit_micros, Some(1_000));
        assert!(store.index().latest_library().unwrap().is_none());
    }

    #[test]
    fn an_error_in_the_closure_rolls_back_and_comes_back_typed() {
        #[derive(Debug)]
        struct Mine(#[expect(dead_code, reason = "compared through Debug")] u8);
        impl From<anyhow::Error> for Mine {
            fn from(_: anyhow::Error) -> Self {
                Self(0)
            }
        }
        let store = Store::open_in_memory().unwrap();
        let err = store
            .budget_write(|l| -> Result<(), Mine> {
                l.set_budget(None, Window::Daily, Some(5), None).map_err(Mine::from)?;
                Err(Mine(7))
            })
            .unwrap_err();
        assert_eq!(format!("{err:?}"), "Mine(7)");
        assert!(store.budget_read(|l| l.budget(None, Window::Daily)).unwrap().is_none(), "rolled back");
    }

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn the_store_is_send_and_sync() {
        assert_send_sync::<Store>();
        assert_send_sync::<SqliteStore>();
    }
}
