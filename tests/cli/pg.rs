//! A PostgreSQL server for the shared-store tests: `DEVTEAM_TEST_PG_URL` names one (`.ci/run`
//! starts it; `scripts/pg-cluster.sh start DIR` does on a developer's machine). Each test gets
//! its own fresh database on it.

use std::str::FromStr as _;

use crate::common::prerequisite;

pub const URL_VAR: &str = "DEVTEAM_TEST_PG_URL";

/// A fresh database's URL, or a SKIPPED line (a failure under `DEVTEAM_TEST_STRICT=1`).
pub fn fresh(test: &str) -> Option<String> {
    let base = std::env::var(URL_VAR).ok().filter(|u| !u.is_empty());
    let base = prerequisite(
        base,
        test,
        &format!("{URL_VAR} names no PostgreSQL server (scripts/pg-cluster.sh start DIR starts one)"),
    )?;
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!("cli_{}_{n}", std::process::id());
    let server = Server::new(&base);
    server.batch(&format!("DROP DATABASE IF EXISTS {name}"));
    server.batch(&format!("CREATE DATABASE {name}"));
    let (head, _) = base.rsplit_once('/').expect("a URL with a database");
    Some(format!("{head}/{name}"))
}

/// A connection for reading (and breaking) what devteam wrote.
pub struct Server {
    rt: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
}

impl Server {
    pub fn new(url: &str) -> Self {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let config = tokio_postgres::Config::from_str(url).unwrap();
        let client = rt.block_on(async {
            let (client, conn) = config.connect(tokio_postgres::NoTls).await.expect("connect to the test server");
            tokio::spawn(conn);
            client
        });
        Self { rt, client }
    }

    pub fn batch(&self, sql: &str) {
        self.rt.block_on(self.client.batch_execute(sql)).unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    }

    /// One BIGINT from a query returning one row.
    pub fn int(&self, sql: &str) -> i64 {
        let row = self.rt.block_on(self.client.query_one(sql, &[])).unwrap_or_else(|e| panic!("{sql}: {e}"));
        row.get(0)
    }
}

impl Server {
    /// Every row of a query.
    pub fn rows(&self, sql: &str) -> Vec<tokio_postgres::Row> {
        self.rt.block_on(self.client.query(sql, &[])).unwrap_or_else(|e| panic!("{sql}: {e:?}"))
    }
}
