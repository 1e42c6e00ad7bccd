//! What every [`SharedStore`] backend must do, written against the traits alone so that each
//! backend runs the same checks: add a `#[test]` that opens the backend and calls [`all`].
//! The SQLite file backend runs them below.

use std::sync::{Arc, Barrier};

use super::api::{Ledger, SharedStore};
use super::{ImportFile, NewReservation};
use crate::records::budget::Totals;
use crate::records::run::{RunRecord, Status};
use crate::records::usage::{CallRecord, Source};
use crate::records::window::Window;

/// Every check, on a fresh, empty store.
pub(crate) fn all(store: Arc<dyn SharedStore>) {
    a_failed_ledger_closure_leaves_nothing(&*store);
    concurrent_reservations_never_pass_the_limit(&store);
    an_import_dropped_uncommitted_leaves_nothing(&*store);
    a_run_reads_back_as_saved(&*store);
}

const LIMIT: i64 = 1_000_000;
const AMOUNT: i64 = 30_000;

fn a_failed_ledger_closure_leaves_nothing(store: &dyn SharedStore) {
    let failed = store.budget_write(|l| -> anyhow::Result<()> {
        l.set_budget(None, Window::Weekly, Some(5), None)?;
        anyhow::bail!("the caller changed its mind")
    });
    assert!(failed.is_err());
    assert!(store.budget_read(|l| l.budget(None, Window::Weekly)).unwrap().is_none(), "rolled back");
}

/// One reservation in the ledger's transaction if the limit has room for it.
fn reserve(l: &dyn Ledger, pid: u32) -> anyhow::Result<bool> {
    let spent_and_held = l.reserved(None, 0)?.micros;
    if spent_and_held + AMOUNT > LIMIT {
        return Ok(false);
    }
    // Widen the window between the check and the insert, where a racy backend lets another
    // writer in.
    std::thread::sleep(std::time::Duration::from_millis(1));
    let r = NewReservation {
        created_ms: 1,
        expires_ms: i64::MAX,
        project: "",
        amount_micros: AMOUNT,
        tokens: 0,
        pid,
        label: "contract",
    };
    l.insert_reservation(&r)?;
    Ok(true)
}

/// Eight threads share one store handle and check-then-reserve at once: exactly as many
/// reservations as fit are granted, never one more.
fn concurrent_reservations_never_pass_the_limit(store: &Arc<dyn SharedStore>) {
    let threads = 8;
    let start = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (store, start) = (Arc::clone(store), Arc::clone(&start));
            std::thread::spawn(move || {
                start.wait();
                let mut granted = 0;
                for _ in 0..10 {
                    if store.budget_write(|l| reserve(l, t as u32)).unwrap() {
                        granted += 1;
                    }
                }
                granted
            })
        })
        .collect();
    let granted: i64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(granted, LIMIT / AMOUNT, "as many as fit, of {} tries", threads * 10);
    let held = store.budget_read(|l| l.reserved(None, 0)).unwrap();
    assert_eq!(held, Totals { micros: granted * AMOUNT, tokens: 0 });
    assert_eq!(store.budget_write(|l| l.drop_reservations(None)).unwrap() as i64, granted);
}

fn an_import_dropped_uncommitted_leaves_nothing(store: &dyn SharedStore) {
    let calls_before = store.call_count().unwrap();
    {
        let tx = store.begin_import().unwrap();
        let file = ImportFile {
            path: "/logs/a.jsonl".into(),
            device: 1,
            inode: 2,
            size: 10,
            offset: 10,
            mtime_ns: 3,
            lines: 1,
            skipped_lines: 0,
        };
        tx.save_file(Source::ClaudeCode, &file).unwrap();
        // Dropped here: a killed import.
    }
    assert!(store.import_files(Source::ClaudeCode).unwrap().is_empty());
    assert_eq!(store.call_count().unwrap(), calls_before);
    // And the store is usable afterwards (no lock or transaction left behind).
    let id = store.insert_call(&CallRecord::unattributed(5, "p", "after")).unwrap();
    assert!(id > 0);
}

fn a_run_reads_back_as_saved(store: &dyn SharedStore) {
    let run = RunRecord {
        id: "run-contract".into(),
        ts_ms: 7,
        task: "t".into(),
        project: "p".into(),
        status: Status::Ok,
        planned: false,
        plan: None,
        note: String::new(),
        final_output_id: None,
        wall_ms: Some(3),
        cost_micros: 42,
    };
    store.save_run(&run).unwrap();
    assert_eq!(store.run("run-contract").unwrap(), Some(run));
    assert_eq!(store.run_ids_with_prefix("run-c", 5).unwrap(), vec!["run-contract".to_string()]);
}

#[test]
fn the_sqlite_file_backend_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    all(super::open_shared(&super::DbTarget::Sqlite(dir.path().join("contract.db"))).unwrap());
}
