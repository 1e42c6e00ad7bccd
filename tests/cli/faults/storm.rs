//! Many processes and many faults at once: a storm of 8 processes with 30 % of streams cut, and
//! a loop of runs each killed mid-stream. Billed stays within one call of the limit, the store
//! equals the ledger, and `budget check` reports the spend.

use std::process::Stdio;
use std::time::Duration;

use devteam_standin::Script;

use super::{Mode, Rig, usage_saved, wait_for};
use crate::common::stdout;

#[test]
fn eight_processes_with_30_percent_of_streams_cut_stay_within_one_call_of_the_limit() {
    // Requests 1, 4, 7 of every 10 are cut right after message_start: 30 %.
    let rig =
        Rig::new(Script::default(), |n| if matches!(n % 10, 1 | 4 | 7) { Mode::CutAfterStart } else { Mode::Pass });
    let limit = 0.08;
    rig.set_daily_budget(limit);
    let children: Vec<_> = (0..8)
        .map(|i| {
            let exe = assert_cmd::cargo::cargo_bin("devteam");
            let cmd = rig.run("placeholder");
            let mut args: Vec<String> = cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
            args.pop();
            // Each process makes 8 runs; a run refused by the budget (3, often while others hold
            // reservations) or broken by a cut (2) does not stop it.
            let script = format!(
                "for n in 1 2 3 4 5 6 7 8; do \"$0\" \"$@\" \"storm {i}-$n: tune the slow orders query\"; \
                 c=$?; [ $c = 0 ] || [ $c = 2 ] || [ $c = 3 ] || exit $c; done"
            );
            let mut shell = std::process::Command::new("sh");
            shell.arg("-c").arg(script).arg(exe).args(args);
            for (k, v) in cmd.get_envs() {
                if let Some(v) = v {
                    shell.env(k, v);
                }
            }
            // Eight writers at once: the default busy timeout, not the rig's short one.
            shell.env("DEVTEAM_STORE_BUSY_TIMEOUT_MS", "10000");
            shell.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap()
        })
        .collect();
    let mut refusals = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        refusals += err.matches("over budget").count();
        let locked = err.lines().filter(|l| l.contains("database is locked")).count();
        assert_eq!(locked, 0, "no run fails on a busy store:\n{err}");
    }
    let cut = rig.stored().iter().filter(|c| c.outcome == "unsettled").count();
    assert!(cut > 0, "some streams were cut");
    let (billed, recorded) = rig.assert_books_balance(Some(limit));
    assert!(refusals > 0 && billed > 0, "the budget was binding and work was done");
    eprintln!(
        "storm: {refusals} runs refused by the budget, {} calls billed ${:.4}, recorded ${:.4}, {cut} cut",
        rig.server.ledger().len(),
        billed as f64 / 1e6,
        recorded as f64 / 1e6
    );
}

#[cfg(unix)]
#[test]
fn six_runs_killed_mid_stream_are_all_charged_and_budget_check_reports_the_spend() {
    let rig = Rig::new(Script::default(), |_| Mode::Stall);
    let limit = 0.03;
    rig.set_daily_budget(limit);
    for i in 0..6 {
        let mut child = rig
            .run(&format!("kill loop {i}: tune the slow orders query"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Either the stream stalls mid-reply (then it is killed) or the budget refuses the run.
        wait_for("a stalled stream or a refused run", Duration::from_secs(60), || {
            (rig.proxy.stalled() == 1 && usage_saved(&rig)) || child.try_wait().unwrap().is_some()
        });
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
        }
        child.wait().unwrap();
        wait_for("the proxy to let go", Duration::from_secs(10), || rig.proxy.stalled() == 0);
    }
    let (billed, _) = rig.assert_books_balance(Some(limit));
    assert!(billed > 0);
    assert!(rig.stored().iter().all(|c| c.outcome == "unsettled"));
    let recorded: i64 = rig.stored().iter().map(|c| c.cost_micros).sum();
    assert_eq!(rig.checked_spend(), recorded, "budget check reports the spend");
    let refused = rig.run("one more").output().unwrap();
    assert_eq!(refused.status.code(), Some(3), "the charged kills leave no room: {}", stdout(&refused));
}
