//! Kills and signals in the middle of a stream: the stand-in has billed the call (its response
//! began), the proxy holds the stream stalled after `message_start`, and the run is ended.

use std::time::Duration;

use devteam_standin::Script;

use super::{Mode, Rig, signal, spawn_watched, usage_saved, wait_for};

const LIMIT: f64 = 0.05;

/// Starts a run and waits until its stream is stalled and its usage saved on the reservation.
fn stalled_run(rig: &Rig) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    let (child, lines) = spawn_watched(rig.run("tune the slow orders query"));
    wait_for("a stalled stream with its usage saved", Duration::from_secs(60), || {
        rig.proxy.stalled() == 1 && usage_saved(rig)
    });
    (child, lines)
}

#[cfg(unix)]
#[test]
fn sigkill_mid_stream_is_charged_by_the_next_process() {
    let rig = Rig::new(Script::default(), |_| Mode::Stall);
    rig.set_daily_budget(LIMIT);
    let (mut child, _lines) = stalled_run(&rig);
    child.kill().unwrap(); // SIGKILL: no destructor runs
    child.wait().unwrap();
    assert_eq!(rig.reservations(), 1, "the killed call is still held");
    rig.assert_books_balance(Some(LIMIT));
    let stored = rig.stored();
    assert_eq!(stored[0].outcome, "unsettled", "output unknown: charged at its reservation");
    let status = rig.cmd().args(["--json", "budget", "status"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let spent = report["budgets"][0]["usd"]["spent"].as_f64().unwrap();
    assert!((spent * 1e6).round() as i64 == stored[0].cost_micros, "budget status shows the charge: {report}");
}

#[cfg(unix)]
fn interrupted(name: &str, code: i32) {
    let rig = Rig::new(Script::default(), |_| Mode::Stall);
    rig.set_daily_budget(LIMIT);
    let (mut child, lines) = stalled_run(&rig);
    signal(&child, name);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(code), "{:?}", lines.iter().collect::<Vec<_>>());
    assert_eq!(rig.reservations(), 0, "recorded and released by the process itself");
    let stored = rig.stored();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].outcome, "cancelled");
    rig.assert_books_balance(Some(LIMIT));
    let conn = rig.db();
    let decision: String =
        conn.query_row("SELECT outcome FROM routing_decisions", [], |r| r.get(0)).unwrap_or_else(|_| "none".into());
    assert!(matches!(decision.as_str(), "cancelled" | "none"), "{decision}");
}

#[cfg(unix)]
#[test]
fn sigint_mid_stream_records_what_was_billed_and_exits_130() {
    interrupted("INT", 130);
}

#[cfg(unix)]
#[test]
fn sigterm_mid_stream_records_what_was_billed_and_exits_143() {
    interrupted("TERM", 143);
}
