//! One test per fault: runs under a small daily budget, then the books must balance.

use std::process::Output;

use devteam_standin::{Fault, Rule, Script, Times};

use super::{Mode, Rig, model, wait_for};
use crate::common::{stderr, stdout};

/// Small enough that a handful of runs reach it.
const LIMIT: f64 = 0.05;

fn script(fault: Fault, times: Times) -> Script {
    Script { rules: vec![Rule::any().fault(fault).times(times)], ..Script::default() }
}

/// Makes `n` runs, stopping early at the first refusal by the budget (exit 3).
fn runs(rig: &Rig, n: usize) -> Vec<Output> {
    let mut outs = Vec::new();
    for i in 0..n {
        let out = rig.run(&format!("tune the slow orders query, take {i}")).output().unwrap();
        let refused = out.status.code() == Some(3);
        outs.push(out);
        if refused {
            break;
        }
    }
    outs
}

/// A fault the call cannot get past: every run fails with the original error shown, nothing
/// is billed or recorded, and no bigger tier is tried.
fn lasting_failure(rig: &Rig, needle: &str, attempts_per_run: usize) {
    rig.set_daily_budget(LIMIT);
    let outs = runs(rig, 2);
    for out in &outs {
        assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
        assert!(stderr(out).contains(needle), "the original error is shown: {}", stderr(out));
        assert!(!stderr(out).contains("upgraded"), "{}", stderr(out));
    }
    assert_eq!(rig.proxy.served(), outs.len() * attempts_per_run, "retries as the SDK rules say, then stop");
    assert!(rig.server.requests().iter().all(|r| r.body["model"] == model().as_str()), "no other tier was tried");
    assert_eq!(rig.assert_books_balance(Some(LIMIT)), (0, 0));
}

#[test]
fn a_429_with_retry_after_is_waited_out_and_billed_once() {
    let rig = Rig::new(script(Fault::RateLimit { retry_after_secs: 1 }, Times::Once), |_| Mode::Pass);
    rig.set_daily_budget(LIMIT);
    let out = rig.run("tune the slow orders query").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).matches("Add an index").count(), 1, "the answer once: {}", stdout(&out));
    assert_eq!(rig.server.ledger().len(), 1);
    rig.assert_books_balance(Some(LIMIT));
}

#[test]
fn a_429_with_retry_after_that_lasts_fails_without_a_tier_up() {
    let rig = Rig::new(script(Fault::RateLimit { retry_after_secs: 0 }, Times::Always), |_| Mode::Pass);
    lasting_failure(&rig, "rate", 3);
}

#[test]
fn a_429_without_retry_after_is_a_spend_cap_not_retried() {
    let rig = Rig::new(Script::default(), |_| Mode::Status(429, "rate_limit_error", None));
    lasting_failure(&rig, "429", 1);
}

#[test]
fn a_529_fails_after_retries_without_a_tier_up() {
    let rig = Rig::new(script(Fault::Overloaded, Times::Always), |_| Mode::Pass);
    lasting_failure(&rig, "overloaded", 3);
}

#[test]
fn a_500_fails_after_retries_without_a_tier_up() {
    let rig = Rig::new(script(Fault::ServerError, Times::Always), |_| Mode::Pass);
    lasting_failure(&rig, "500", 3);
}

#[test]
fn a_503_fails_after_retries_without_a_tier_up() {
    let rig = Rig::new(Script::default(), |_| Mode::Status(503, "api_error", None));
    lasting_failure(&rig, "503", 3);
}

#[test]
fn a_dropped_connection_is_retried_then_reported() {
    let rig = Rig::new(script(Fault::DropConnection, Times::Always), |_| Mode::Pass);
    lasting_failure(&rig, "could not reach the API", 3);
}

#[test]
fn a_400_is_not_retried_and_not_escalated() {
    let rig = Rig::new(Script::default(), |_| Mode::Status(400, "invalid_request_error", None));
    lasting_failure(&rig, "injected by the fault proxy", 1);
}

#[test]
fn a_401_names_the_key_variable_and_is_not_retried() {
    let rig = Rig::new(Script::default(), |_| Mode::Status(401, "authentication_error", None));
    lasting_failure(&rig, "ANTHROPIC_API_KEY", 1);
}

/// A stream that began and broke: the API billed its input, so every such run is recorded and
/// counts, and the budget stops the runs within one call of its limit.
fn billed_breaks(rig: &Rig, outcome: &str) {
    rig.set_daily_budget(BREAK_LIMIT);
    let outs = runs(rig, 30);
    assert_eq!(outs.last().unwrap().status.code(), Some(3), "the budget binds: {}", stderr(outs.last().unwrap()));
    for out in &outs[..outs.len() - 1] {
        assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
        assert!(!stderr(out).contains("upgraded"), "{}", stderr(out));
        assert!(stdout(out).matches("Add an").count() <= 1, "no attempt's text runs into another's");
    }
    let ledger = rig.server.ledger();
    assert_eq!(ledger.len(), outs.len() - 1, "one billed call per run: not re-sent, not escalated");
    let (billed, recorded) = rig.assert_books_balance(Some(BREAK_LIMIT));
    assert!(recorded + outs.len() as i64 >= billed, "recorded {recorded} vs billed {billed}, to a micro-dollar a call");
    assert!(rig.stored().iter().all(|c| c.outcome == outcome), "{:?}", rig.stored());
    assert_eq!(rig.checked_spend(), recorded, "budget check sees the spend");
}

/// Broken streams cost little each (input and a token or so), so a smaller limit binds sooner.
const BREAK_LIMIT: f64 = 0.03;

#[test]
fn an_sse_error_event_is_recorded_at_the_usage_reported() {
    let rig = Rig::new(script(Fault::StreamError, Times::Always), |_| Mode::Pass);
    billed_breaks(&rig, "stream_error");
    for (entry, call) in rig.server.ledger().iter().zip(rig.stored()) {
        assert!((call.cost_micros - super::ledger_cost(entry)).abs() <= 1, "exactly what the API reported");
    }
}

#[test]
fn a_stream_cut_after_message_start_is_charged_never_released() {
    let rig = Rig::new(Script::default(), |_| Mode::CutAfterStart);
    billed_breaks(&rig, "unsettled");
}

#[test]
fn a_stream_cut_mid_content_is_charged_and_its_text_shown_once() {
    let rig = Rig::new(Script::default(), |_| Mode::CutMidContent);
    billed_breaks(&rig, "unsettled");
}

#[test]
fn a_refusal_is_tried_once_a_tier_up_then_exits_non_zero_with_a_clear_message() {
    let rig = Rig::new(script(Fault::Refusal, Times::Always), |_| Mode::Pass);
    rig.set_daily_budget(LIMIT);
    let out = rig.run("tune the slow orders query").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("refused the task"), "{}", stderr(&out));
    let models: Vec<String> = rig.server.ledger().into_iter().map(|e| e.model).collect();
    assert_eq!(
        models,
        [model(), crate::common::tier_model("opus")],
        "a bigger model may not refuse: one tier up, once"
    );
    let stored = rig.stored();
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert!(stored.iter().all(|c| c.outcome == "refusal"));
    assert_eq!(stored.iter().map(|c| c.model.as_str()).collect::<Vec<_>>(), models);
    // Both models are billed; `ledger_cost` prices one model, so compare counts and ids only.
    let ids: Vec<_> = rig.server.ledger().into_iter().map(|e| Some(e.request_id)).collect();
    assert_eq!(stored.iter().map(|c| c.request_id.clone()).collect::<Vec<_>>(), ids);
    assert_eq!(rig.reservations(), 0);
}

#[test]
fn a_max_tokens_stop_is_not_retried_a_tier_up_under_the_same_cap() {
    let rig = Rig::new(script(Fault::MaxTokens, Times::Always), |_| Mode::Pass);
    let out = rig.run("tune the slow orders query").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("stopped at max_tokens"), "{}", stderr(&out));
    assert_eq!(rig.server.ledger().len(), 1, "no Opus call under the same output cap");
    rig.assert_books_balance(None);
}

/// Holds the store's write lock from the moment the run has reserved until `release_on`
/// appears on its stderr. Returns the run's output and stderr lines.
fn with_store_locked(rig: &Rig, release_on: &str) -> (std::process::ExitStatus, String, Vec<String>) {
    // Slow enough that the lock is surely taken before the reply arrives.
    rig.server.push_rule(Rule::any().fault(Fault::Slow { delay_ms: 300 }).times(Times::Always)).unwrap();
    let (mut child, lines) = super::spawn_watched(rig.run("tune the slow orders query"));
    wait_for("the run's reservation", std::time::Duration::from_secs(30), || {
        rig.env.path().join("data/devteam/devteam.db").exists() && rig.reservations() == 1
    });
    let conn = rig.db();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut seen = Vec::new();
    super::wait_line(&lines, release_on, &mut seen);
    conn.execute_batch("COMMIT").unwrap();
    let status = child.wait().unwrap();
    seen.extend(lines.iter());
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    (status, out, seen)
}

#[test]
fn a_store_locked_past_the_busy_timeout_at_settle_is_waited_out_not_called_again() {
    let rig = Rig::new(Script::default(), |_| Mode::Pass);
    rig.set_daily_budget(LIMIT);
    let (status, out, err) = with_store_locked(&rig, "waiting to record the call");
    assert!(status.success(), "{err:#?}");
    assert_eq!(out.matches("Add an index").count(), 1, "the answer once: {out}");
    assert!(!err.iter().any(|l| l.contains("upgraded")), "{err:#?}");
    assert_eq!(rig.server.ledger().len(), 1, "the call was made once");
    let (billed, recorded) = rig.assert_books_balance(Some(LIMIT));
    assert_eq!(billed, recorded, "settled at its usage once the store was free");
}

#[test]
fn a_store_busy_past_every_settle_retry_leaves_the_charge_to_the_next_process() {
    let rig = Rig::new(Script::default(), |_| Mode::Pass);
    rig.set_daily_budget(LIMIT);
    let (status, out, err) = with_store_locked(&rig, "could not record the call");
    assert!(status.success(), "{err:#?}");
    assert_eq!(out.matches("Add an index").count(), 1, "the answer once: {out}");
    assert_eq!(rig.server.ledger().len(), 1, "the call was made once");
    // `assert_books_balance` opens the store through devteam first: that recovers the charge.
    rig.assert_books_balance(Some(LIMIT));
    assert!(rig.stored()[0].cost_micros >= super::ledger_cost(&rig.server.ledger()[0]));
}
