//! A team moving to one shared store on PostgreSQL: `store migrate --to` copies each host's
//! history without double counting, resumes, merges several hosts, takes an older local schema,
//! and bad URLs fail clearly.

use crate::claude_logs;
use crate::common::{TestEnv, stderr};
use crate::pg::{self, Server};

/// A host with a store holding Claude Code calls imported from the shared fixture logs and
/// `own` calls of its own.
fn host(own: i64, cost: i64) -> TestEnv {
    let env = TestEnv::new();
    let logs = env.path().join("claude");
    claude_logs::write(&logs);
    let out = env.cmd().args(["-q", "usage", "import", "claude-code"]).arg(&logs).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    add_calls(&env, own, cost);
    env
}

fn add_calls(env: &TestEnv, n: i64, cost: i64) {
    let conn = rusqlite::Connection::open(env.path().join("data/devteam/devteam.db")).unwrap();
    for i in 0..n {
        conn.execute(
            "INSERT INTO calls (ts_ms, source, model, cost_micros, run_id) VALUES (?1, 'devteam', 'claude-haiku-4-5', ?2, 'r')",
            [1_780_000_000_000 + i, cost],
        )
        .unwrap();
    }
}

fn migrate(env: &TestEnv, url: &str) -> serde_json::Value {
    let out = env.cmd().args(["--json", "store", "migrate", "--to", url]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn new_rows(report: &serde_json::Value, table: &str) -> u64 {
    report["tables"].as_array().unwrap().iter().find(|t| t["table"] == table).unwrap()["inserted"].as_u64().unwrap()
}

#[test]
fn migrating_twice_and_from_two_hosts_counts_every_call_once() {
    let Some(url) = pg::fresh("shared_store::migrating_twice_and_from_two_hosts_counts_every_call_once") else {
        return;
    };
    let (a, b) = (host(5, 100), host(3, 1_000));
    let claude = claude_logs::winners().len() as i64;
    let first = migrate(&a, &url);
    assert_eq!(new_rows(&first, "calls") as i64, claude + 5);
    let again = migrate(&a, &url);
    assert_eq!(new_rows(&again, "calls"), 0, "nothing new the second time");
    // Host B read the same Claude Code logs: those calls are on the server already.
    assert_eq!(new_rows(&migrate(&b, &url), "calls"), 3);
    let server = Server::new(&url);
    assert_eq!(server.int("SELECT COUNT(*) FROM calls"), claude + 8);
    assert_eq!(server.int("SELECT COUNT(*) FROM calls WHERE source = 'devteam'"), 8);
    assert_eq!(server.int("SELECT SUM(cost_micros)::BIGINT FROM calls WHERE source = 'devteam'"), 5 * 100 + 3 * 1_000);
    // Resuming: only what the host recorded since is copied.
    add_calls(&a, 2, 7);
    assert_eq!(new_rows(&migrate(&a, &url), "calls"), 2);
    assert_eq!(server.int("SELECT COUNT(*) FROM calls WHERE source = 'devteam'"), 10);
}

#[test]
fn a_store_of_an_older_schema_is_brought_up_to_date_and_copied_whole() {
    let Some(url) = pg::fresh("shared_store::a_store_of_an_older_schema_is_brought_up_to_date_and_copied_whole") else {
        return;
    };
    let env = host(4, 50);
    // The schema before `store_identity` (migration 12), as a store made by the previous release.
    let conn = rusqlite::Connection::open(env.path().join("data/devteam/devteam.db")).unwrap();
    conn.execute_batch("DROP TABLE store_identity; DROP INDEX calls_agent_model_ts; DROP TABLE block_tokens; PRAGMA user_version = 11;")
        .unwrap();
    drop(conn);
    let report = migrate(&env, &url);
    assert_eq!(new_rows(&report, "calls") as i64, claude_logs::winners().len() as i64 + 4);
    assert_eq!(Server::new(&url).int("SELECT COUNT(*) FROM calls WHERE source = 'devteam'"), 4);
}

#[test]
fn bad_urls_fail_clearly_without_printing_the_password() {
    let env = host(1, 1);
    for (url, says) in [
        ("postgres://team:s3cret@127.0.0.1:notaport/devteam", "bad PostgreSQL connection string"),
        ("postgres://team:s3cret@127.0.0.1:1/devteam", "cannot reach the shared store"),
        ("mysql://team:s3cret@127.0.0.1/devteam", "--to wants a PostgreSQL URL"),
    ] {
        let out = env.cmd().args(["store", "migrate", "--to", url]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{url}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(says), "{url}: {err}");
        assert!(!err.contains("s3cret"), "{url}: {err}");
    }
}
