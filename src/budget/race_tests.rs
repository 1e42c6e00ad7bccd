//! The two properties budgets exist for, on a real store file: spenders racing each other
//! never push a window over its limit, and a process killed mid-call leaves the store intact
//! with reservations that the next process charges.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use jiff::{Timestamp, ToSpan};

use super::guard::tests::{call, guard_with, noon, req, set};
use super::{BudgetError, Request, Thresholds, Window};
use crate::store::Store;
use crate::usage::Source;

const THREADS: usize = 8;
/// Refusals a spender takes before it gives up.
const PATIENCE: usize = 25;

/// One spender: reserve a worst case of 2 to 4 cents, "call" (settle at 60-100 % of it),
/// repeat until the budget keeps refusing. Returns (calls settled, refusals).
fn spender(path: &Path, seed: usize, start: &Barrier) -> (usize, usize) {
    let store = Store::open(path).unwrap();
    let guard = guard_with(Thresholds::default(), Duration::from_secs(60));
    start.wait();
    let (mut settled, mut refused) = (0, 0);
    for i in 0.. {
        let worst = 20_000 + ((seed * 7 + i) % 5) as i64 * 5_000;
        let request = Request { worst_case_micros: worst, label: "race", ..req("", 0.0) };
        match guard.reserve(store.shared(), noon(), &request) {
            Ok(held) => {
                std::thread::yield_now();
                let actual = worst * (60 + ((seed + i) % 5) as i64 * 10) / 100;
                let mut record = call("", 0.0, noon(), Source::Devteam);
                record.cost_micros = actual;
                guard.settle(store.shared(), noon(), held, &record).unwrap();
                settled += 1;
            }
            Err(BudgetError::Exceeded(_)) => {
                refused += 1;
                if refused == PATIENCE {
                    break;
                }
            }
            Err(BudgetError::Store(e)) => panic!("spender {seed}: {e:#}"),
        }
    }
    (settled, refused)
}

#[test]
fn eight_spenders_racing_never_push_the_window_over_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("devteam.db");
    let store = Store::open(&path).unwrap();
    set(&store, None, Window::Daily, Some(1.0), None);
    let start = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|seed| {
            let (path, start) = (path.clone(), Arc::clone(&start));
            std::thread::spawn(move || spender(&path, seed, &start))
        })
        .collect();
    let results: Vec<(usize, usize)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let settled: usize = results.iter().map(|r| r.0).sum();
    let day = Window::Daily.bounds(noon(), &jiff::tz::TimeZone::UTC).unwrap();
    let spent = store.budget_read(|l| l.spent(None, &day)).unwrap();
    assert!(spent.micros <= 1_000_000, "the window ended over its limit: {} micro-dollars", spent.micros);
    // Refusals came while others held reservations, so the budget was used, not starved.
    assert!(spent.micros >= 900_000, "only {} of 1,000,000 spent: {results:?}", spent.micros);
    assert_eq!(store.call_count().unwrap() as usize, settled);
    assert_eq!(store.budget_read(|l| l.reserved(None, 0)).unwrap().micros, 0, "every reservation settled");
    assert!(store.integrity_ok().unwrap());
}

/// The child side of the next test: holds one reservation as a hung call would, then spends in
/// a loop until it is killed. Does nothing unless the parent test started it.
#[test]
#[ignore = "run by a_process_killed_mid_call_leaves_the_store_intact_and_its_reservation_is_charged"]
fn child_spends_until_killed() {
    let Some(path) = std::env::var_os("DEVTEAM_TEST_CHILD_STORE") else { return };
    let store = Store::open(Path::new(&path)).unwrap();
    let guard = guard_with(Thresholds::default(), Duration::from_secs(60));
    let hung = guard.reserve(store.shared(), noon(), &req("", 0.05)).unwrap();
    println!("HOLDING {}", hung.id);
    loop {
        let held = guard.reserve(store.shared(), noon(), &req("", 0.01)).unwrap();
        guard.settle(store.shared(), noon(), held, &call("", 0.01, noon(), Source::Devteam)).unwrap();
    }
}

fn spawn_child(path: &Path) -> std::process::Child {
    let exe = std::env::current_exe().unwrap();
    Command::new(exe)
        .args(["--exact", "budget::race_tests::child_spends_until_killed", "--ignored", "--nocapture"])
        .env("DEVTEAM_TEST_CHILD_STORE", path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn a_process_killed_mid_call_leaves_the_store_intact_and_its_reservation_is_charged() {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("devteam.db");
    set(&Store::open(&path).unwrap(), None, Window::Daily, Some(1000.0), None);
    let mut child = spawn_child(&path);
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let holding = stdout.lines().map_while(Result::ok).find(|l| l.starts_with("HOLDING"));
    assert!(holding.is_some(), "the child never reserved");
    std::thread::sleep(Duration::from_millis(150)); // let it churn, so the kill lands mid-work
    child.kill().unwrap(); // SIGKILL: no destructor, no rollback, no cleanup
    child.wait().unwrap();

    let store = Store::open(&path).unwrap();
    assert!(store.integrity_ok().unwrap(), "PRAGMA integrity_check failed after the kill");
    let left = store.budget_read(|l| l.reserved(None, noon().as_millisecond())).unwrap().micros;
    assert!(left >= 50_000, "the hung call's reservation is still held: {left}");
    // Leave room for the spend so far plus ten cents: the dead process's holds block a
    // ten-cent call until they expire, then the next call proceeds.
    let day = Window::Daily.bounds(noon(), &jiff::tz::TimeZone::UTC).unwrap();
    let spent = store.budget_read(|l| l.spent(None, &day)).unwrap().micros;
    store.budget_write(|l| l.set_budget(None, Window::Daily, Some(spent + 100_000), None)).unwrap();
    let guard = guard_with(Thresholds::default(), Duration::from_secs(60));
    let soon: Timestamp = noon().checked_add(1.second()).unwrap();
    // The dead process's holds are turned into charges at once (its pid is gone), not left
    // to expire: its calls may have been billed.
    assert!(matches!(guard.reserve(store.shared(), soon, &req("", 0.1)), Err(BudgetError::Exceeded(_))));
    assert_eq!(store.budget_read(|l| l.reserved(None, 0)).unwrap().micros, 0, "nothing is held any more");
    let charged = store.budget_read(|l| l.spent(None, &day)).unwrap().micros;
    assert_eq!(charged, spent + left, "every hold became a charge");
    let expired = noon().checked_add(60.seconds()).unwrap();
    assert!(
        matches!(guard.reserve(store.shared(), expired, &req("", 0.1)), Err(BudgetError::Exceeded(_))),
        "still spent"
    );
    assert!(store.integrity_ok().unwrap());
}
