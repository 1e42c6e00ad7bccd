//! `store migrate` into a real PostgreSQL: an interrupted copy resumes to exactly the source's
//! totals, a second copy adds nothing, and two hosts' stores merge (skipped without
//! `DEVTEAM_TEST_PG_URL`, like the other PostgreSQL tests).

use super::testing::fresh_database;
use super::*;
use crate::store::SqliteStore;

const NOON: i64 = 1_780_000_000_000;

/// A host's local store: `own` devteam calls of `cost` each with one block, `shared` Claude
/// Code calls that every host imported from the same logs, a daily budget with an alert at
/// `alert_pct`, and the progress of one imported log file named `log`.
fn host(dir: &tempfile::TempDir, own: i64, cost: i64, shared: i64, alert_pct: i64, log: &str) -> SqliteStore {
    let store = SqliteStore::open(&dir.path().join("devteam.db")).unwrap();
    store
        .with(|db| {
            let tx = db.conn.unchecked_transaction()?;
            for i in 0..own {
                tx.execute(
                    "INSERT INTO calls (ts_ms, source, model, cost_micros, run_id, input_tokens)
                     VALUES (?1, 'devteam', 'claude-haiku-4-5', ?2, 'r', 10)",
                    [NOON + i, cost],
                )?;
                tx.execute(
                    "INSERT INTO call_blocks (call_id, kind, tokens, outcome) VALUES (?1, 'system', 7, 'hit')",
                    [tx.last_insert_rowid()],
                )?;
            }
            for i in 0..shared {
                tx.execute(
                    "INSERT INTO calls (ts_ms, source, model, cost_micros, message_id, request_id, session_id)
                     VALUES (?1, 'claude-code', 'claude-sonnet-4-5', 1000, ?2, ?3, 's')",
                    rusqlite::params![NOON + i, format!("msg_{i}"), format!("req_{i}")],
                )?;
            }
            tx.execute("INSERT INTO budgets (project, window, limit_micros) VALUES ('', 'daily', 5000000)", [])?;
            tx.execute(
                "INSERT INTO alerts (budget_id, window_start_ms, threshold_pct, ts_ms, spent_micros)
                 VALUES (?1, ?2, ?3, ?2, 3600000)",
                [tx.last_insert_rowid(), NOON, alert_pct],
            )?;
            tx.execute(
                "INSERT INTO import_files (path, source, size, offset, lines) VALUES (?1, 'claude-code', 900, 900, 12)",
                [log],
            )?;
            tx.commit()?;
            Ok(())
        })
        .unwrap();
    store
}

/// (calls, their cost, call blocks, alerts, import files) on the server.
fn totals(shared: &PgStore) -> (i64, i64, i64, i64, i64) {
    let row = &shared
        .query(
            "SELECT (SELECT COUNT(*) FROM calls), (SELECT COALESCE(SUM(cost_micros), 0)::BIGINT FROM calls),
                    (SELECT COUNT(*) FROM call_blocks), (SELECT COUNT(*) FROM alerts),
                    (SELECT COUNT(*) FROM import_files)",
            &[],
        )
        .unwrap()[0];
    (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4))
}

fn new_rows(report: &migrate_from::MigrateReport, table: &str) -> u64 {
    report.tables.iter().find(|t| t.table == table).map_or_else(|| panic!("no {table} in the report"), |t| t.inserted)
}

fn batches(rows: usize, stop: usize) -> MigrateOptions {
    MigrateOptions { batch_rows: rows, stop_after_batches: Some(stop) }
}

#[test]
fn an_interrupted_migrate_resumes_to_exactly_the_sources_totals() {
    let Some(url) = fresh_database("store::pg::migrate_tests::an_interrupted_migrate_resumes") else { return };
    let dir = tempfile::tempdir().unwrap();
    let local = host(&dir, 1_050, 100, 30, 70, "/logs/a.jsonl");
    let shared = PgStore::connect(&url).unwrap();
    // Killed after 4 batches of 100 calls: exactly those 400 are on the server, and the
    // progress row says so.
    let err = migrate_sqlite_with(&local, &shared, batches(100, 4)).unwrap_err();
    assert!(format!("{err:#}").contains("stopped after 4 batch(es)"), "{err:#}");
    assert_eq!(totals(&shared), (400, 40_000, 0, 0, 0));
    // Killed again after 9 more: the calls are done (7 batches), and 2 of the blocks' batches.
    migrate_sqlite_with(&local, &shared, batches(100, 9)).unwrap_err();
    let (calls, _, blocks, _, _) = totals(&shared);
    assert_eq!((calls, blocks), (1_080, 200));
    // The rest, in the default batches: the source's totals exactly.
    let report = migrate_sqlite(&local, &shared).unwrap();
    assert_eq!(new_rows(&report, "calls"), 0, "the calls were all copied before");
    assert_eq!(new_rows(&report, "call_blocks"), 850);
    assert_eq!(totals(&shared), (1_080, 1_050 * 100 + 30 * 1000, 1_050, 1, 1));
    // The import progress is this host's, so its next import goes on from there.
    let host_name = &crate::budget::holder::current().host;
    let row = &shared.query(r#"SELECT host, "offset" FROM import_files"#, &[]).unwrap()[0];
    assert_eq!((row.get::<_, String>(0), row.get::<_, i64>(1)), (host_name.clone(), 900));
    // Once more: nothing new anywhere.
    let again = migrate_sqlite(&local, &shared).unwrap();
    assert!(again.tables.iter().all(|t| t.inserted == 0), "{again:?}");
    assert_eq!(totals(&shared), (1_080, 1_050 * 100 + 30 * 1000, 1_050, 1, 1));
}

#[test]
fn two_hosts_stores_merge_into_one() {
    let Some(url) = fresh_database("store::pg::migrate_tests::two_hosts_stores_merge_into_one") else { return };
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Both imported the same 30 Claude Code calls and both crossed 70 % of the team's daily
    // budget; B also crossed 85 %.
    let a = host(&da, 120, 100, 30, 70, "/logs/a.jsonl");
    let b = host(&db, 45, 1_000, 30, 85, "/logs/b.jsonl");
    b.with(|d| {
        d.conn.execute(
            "INSERT INTO alerts (budget_id, window_start_ms, threshold_pct, ts_ms, spent_micros)
             SELECT id, ?1, 70, ?1, 3500000 FROM budgets",
            [NOON],
        )?;
        Ok(())
    })
    .unwrap();
    let shared = PgStore::connect(&url).unwrap();
    let first = migrate_sqlite_with(&a, &shared, MigrateOptions { batch_rows: 50, stop_after_batches: None }).unwrap();
    assert_eq!(new_rows(&first, "calls"), 150);
    let second = migrate_sqlite(&b, &shared).unwrap();
    assert_eq!(new_rows(&second, "calls"), 45, "B's copies of the Claude Code calls are on the server already");
    assert_eq!(new_rows(&second, "budgets"), 0, "one team budget");
    assert_eq!(new_rows(&second, "alerts"), 1, "only B's 85 %: the 70 % alert of that window was sent already");
    assert_eq!(totals(&shared), (195, 120 * 100 + 45 * 1_000 + 30 * 1000, 165, 2, 2));
    // Each host's blocks still point at that host's calls.
    let cost_of_blocks = shared
        .query("SELECT SUM(c.cost_micros)::BIGINT FROM call_blocks b JOIN calls c ON c.id = b.call_id", &[])
        .unwrap()[0]
        .get::<_, i64>(0);
    assert_eq!(cost_of_blocks, 120 * 100 + 45 * 1_000);
    for store in [&a, &b] {
        assert!(migrate_sqlite(store, &shared).unwrap().tables.iter().all(|t| t.inserted == 0));
    }
    assert_eq!(totals(&shared).0, 195);
}
