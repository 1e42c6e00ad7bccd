//! A throwaway database per test on the server named by `DEVTEAM_TEST_PG_URL` (`.ci/run` and
//! `scripts/pg-cluster.sh` start one), so tests running at once never see each other's rows.

use std::str::FromStr as _;

use anyhow::{Context as _, Result};

/// The variable naming a server tests may create databases on.
pub const URL_VAR: &str = "DEVTEAM_TEST_PG_URL";

/// A fresh, empty database on the test server, as a URL; `None` (after a SKIPPED line) when no
/// server is configured, and a failure instead under `DEVTEAM_TEST_STRICT=1`.
pub fn fresh_database(test: &str) -> Option<String> {
    let Some(base) = std::env::var(URL_VAR).ok().filter(|u| !u.is_empty()) else {
        if std::env::var_os("DEVTEAM_TEST_STRICT").is_some_and(|v| v == "1") {
            panic!("{test}: {URL_VAR} is not set, and DEVTEAM_TEST_STRICT=1 makes this test mandatory");
        }
        let line = format!(
            "SKIPPED {test}: {URL_VAR} names no PostgreSQL server (scripts/pg-cluster.sh start starts one; \
             set DEVTEAM_TEST_STRICT=1 to make this a failure)\n"
        );
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
        return None;
    };
    Some(create_database(&base).unwrap_or_else(|e| panic!("{test}: {e:#}")))
}

/// Creates a database with a unique name next to the one `base` names and returns its URL.
pub fn create_database(base: &str) -> Result<String> {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let name = format!("t_{}_{n}_{nanos}", std::process::id());
    let config = tokio_postgres::Config::from_str(base).context("parsing the test server's URL")?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        let (client, conn) = config.connect(tokio_postgres::NoTls).await.context("connecting to the test server")?;
        tokio::spawn(conn);
        client.batch_execute(&format!("CREATE DATABASE {name}")).await.context("creating a test database")?;
        anyhow::Ok(())
    })?;
    let (head, _) = base.rsplit_once('/').context("the test server's URL names no database")?;
    Ok(format!("{head}/{name}"))
}
