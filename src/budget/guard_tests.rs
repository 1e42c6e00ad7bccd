//! Reservation arithmetic, expiry, scoping, overrides and alerts, on an in-memory store.

use std::time::Duration;

use jiff::{Timestamp, ToSpan};

use super::*;
use crate::budget::{Mode, Thresholds, Window};
use crate::cli::ColorChoice;
use crate::output::Printer;
use crate::settings::OutputSettings;
use crate::store::Store;
use crate::usage::Source;

pub(crate) fn quiet_notifier() -> Notifier {
    let settings = OutputSettings { json: false, quiet: true, verbose: 0, color: ColorChoice::Never };
    Notifier::new(Printer::new(settings), None, None)
}

pub(crate) fn guard_with(thresholds: Thresholds, ttl: Duration) -> Guard {
    let policy = Policy { thresholds, reservation_ttl: ttl, ..Policy::default() };
    Guard::new(policy, quiet_notifier())
}

pub(crate) fn guard() -> Guard {
    guard_with(Thresholds::default(), Duration::from_secs(60))
}

/// Noon UTC on a Wednesday: the day and week windows have hours of room either side.
pub(crate) fn noon() -> Timestamp {
    "2025-06-18T12:00:00Z".parse().unwrap()
}

pub(crate) fn set(store: &Store, project: Option<&str>, window: Window, usd: Option<f64>, tokens: Option<i64>) {
    let micros = usd.map(crate::usage::to_micros);
    store.budget_write(|l| l.set_budget(project, window, micros, tokens)).unwrap();
}

pub(crate) fn req(project: &str, usd: f64) -> Request<'_> {
    Request {
        project,
        worst_case_micros: crate::usage::to_micros(usd),
        tokens: 0,
        label: "test",
        allow_over_budget: false,
        pending: None,
        min_ttl: std::time::Duration::ZERO,
    }
}

pub(crate) fn call(project: &str, usd: f64, at: Timestamp, source: Source) -> CallRecord {
    let call = CallRecord::for_test().at(at.as_millisecond()).source(source).project(project).tokens(100, 50);
    call.cost_micros(crate::usage::to_micros(usd))
}

fn exceeded(result: Result<Reservation, BudgetError>) -> Exceeded {
    match result {
        Err(BudgetError::Exceeded(why)) => *why,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn reserved(store: &Store, project: Option<&str>, now: Timestamp) -> i64 {
    store.budget_read(|l| l.reserved(project, now.as_millisecond())).unwrap().micros
}

#[test]
fn reservations_fill_the_window_and_the_refusal_says_which_budget_how_much_and_when() {
    let store = Store::open_in_memory().unwrap();
    set(&store, None, Window::Daily, Some(1.0), None);
    let g = guard();
    let held = g.reserve(store.shared(), noon(), &req("", 0.6)).unwrap();
    assert_eq!(held.worst_case_micros, 600_000);
    let why = exceeded(g.reserve(store.shared(), noon(), &req("", 0.5)));
    assert_eq!((why.spent, why.reserved, why.requested, why.limit), (0, 600_000, 500_000, 1_000_000));
    assert_eq!((why.budget.as_str(), why.unit), ("daily", Unit::Usd));
    assert_eq!(why.resets_at, "2025-06-19T00:00:00Z".parse::<Timestamp>().unwrap());
    let text = why.to_string();
    for part in ["daily budget", "$0.60 reserved", "of $1.00", "up to $0.50", "2025-06-19 00:00 UTC", "in 12h 0m"] {
        assert!(text.contains(part), "{part:?} missing from: {text}");
    }
    // Exactly filling the limit is allowed.
    let _full = g.reserve(store.shared(), noon(), &req("", 0.4)).unwrap();
}

#[test]
fn settle_replaces_the_worst_case_by_the_real_cost_and_release_gives_it_back() {
    let store = Store::open_in_memory().unwrap();
    set(&store, None, Window::Daily, Some(1.0), None);
    let g = guard();
    let held = g.reserve(store.shared(), noon(), &req("", 0.9)).unwrap();
    let id = g.settle(store.shared(), noon(), held, &call("", 0.2, noon(), Source::Devteam)).unwrap();
    assert!(id > 0);
    assert_eq!(reserved(&store, None, noon()), 0);
    let held = g.reserve(store.shared(), noon(), &req("", 0.8)).unwrap();
    exceeded(g.reserve(store.shared(), noon(), &req("", 0.01)));
    g.release(store.shared(), held).unwrap();
    let _again = g.reserve(store.shared(), noon(), &req("", 0.8)).unwrap();
    assert_eq!(store.call_count().unwrap(), 1);
}

#[test]
fn an_abandoned_reservation_holds_and_once_expired_is_charged_never_dropped() {
    let store = Store::open_in_memory().unwrap();
    set(&store, None, Window::Hourly, Some(1.0), None);
    let g = guard(); // 60 s reservations
    let abandoned = g.reserve(store.shared(), noon(), &req("", 0.9)).unwrap();
    drop(abandoned);
    let almost = noon().checked_add(59_999.milliseconds()).unwrap();
    exceeded(g.reserve(store.shared(), almost, &req("", 0.2)));
    let expired = noon().checked_add(60.seconds()).unwrap();
    exceeded(g.reserve(store.shared(), expired, &req("", 0.2)));
    assert_eq!(store.budget_read(|l| l.reserved(None, 0)).unwrap().micros, 0, "no longer a reservation");
    assert_eq!(store.call_count().unwrap(), 1, "but a charge: its call may have been billed");
    let hour = Window::Hourly.bounds(noon(), &jiff::tz::TimeZone::UTC).unwrap();
    assert_eq!(store.budget_read(|l| l.spent(None, &hour)).unwrap().micros, 900_000);
}

#[test]
fn project_budgets_and_global_budgets_both_apply() {
    let store = Store::open_in_memory().unwrap();
    set(&store, None, Window::Daily, Some(1.0), None);
    set(&store, Some("a"), Window::Daily, Some(0.3), None);
    let g = guard();
    let _a1 = g.reserve(store.shared(), noon(), &req("a", 0.25)).unwrap();
    let why = exceeded(g.reserve(store.shared(), noon(), &req("a", 0.1)));
    assert_eq!((why.budget.as_str(), why.project.as_deref()), ("daily (project a)", Some("a")));
    // Another project is bound by the global budget only, which counts project a's hold too.
    let _b1 = g.reserve(store.shared(), noon(), &req("b", 0.5)).unwrap();
    let why = exceeded(g.reserve(store.shared(), noon(), &req("b", 0.3)));
    assert_eq!((why.budget.as_str(), why.reserved), ("daily", 750_000));
    assert_eq!(reserved(&store, Some("a"), noon()), 250_000);
}

#[test]
fn token_limits_are_checked_like_money() {
    let store = Store::open_in_memory().unwrap();
    set(&store, None, Window::Daily, None, Some(1000));
    let g = guard();
    let _held = g.reserve(store.shared(), noon(), &Request { tokens: 800, ..req("", 5.0) }).unwrap();
    let why = exceeded(g.reserve(store.shared(), noon(), &Request { tokens: 300, ..req("", 0.0) }));
    assert_eq!((why.unit, why.reserved, why.requested, why.limit), (Unit::Tokens, 800, 300, 1000));
    assert!(why.to_string().contains("300 tokens"), "{why}");
}

#[test]
fn every_source_counts_and_only_the_current_window() {
    let store = Store::open_in_memory().unwrap();
    set(&store, None, Window::Daily, Some(1.0), None);
    let yesterday = noon().checked_sub(24.hours()).unwrap();
    store.insert_call(&call("", 5.0, yesterday, Source::Devteam)).unwrap();
    store.insert_call(&call("x", 0.5, noon(), Source::ClaudeCode)).unwrap();
    store.insert_call(&call("", 0.3, noon(), Source::WarmCache)).unwrap();
    let why = exceeded(guard().reserve(store.shared(), noon(), &req("", 0.3)));
    assert_eq!(why.spent, 800_000);
}

#[test]
fn allow_over_budget_proceeds_and_is_recorded() {
    let store = Store::open_in_memory().unwrap();
    set(&store, None, Window::Daily, Some(1.0), None);
    let g = guard();
    let _held = g.reserve(store.shared(), noon(), &req("", 1.0)).unwrap();
    let over = g
        .reserve(store.shared(), noon(), &Request { allow_over_budget: true, label: "hotfix", ..req("", 0.5) })
        .unwrap();
    assert!(over.over_budget);
    let overrides = store.budget_read(|l| l.overrides()).unwrap();
    assert_eq!(overrides.len(), 1);
    let detail: serde_json::Value = serde_json::from_str(&overrides[0].2).unwrap();
    assert_eq!(
        (overrides[0].1.as_str(), &detail["budget"], &detail["label"]),
        ("allow-over-budget", &"daily".into(), &"hotfix".into())
    );
    assert_eq!(detail["requested"], 500_000);
}

#[test]
fn alerts_are_recorded_once_per_window_and_threshold() {
    let store = Store::open_in_memory().unwrap();
    set(&store, None, Window::Daily, Some(1.0), None);
    let g = guard();
    let spend = |usd: f64, at: Timestamp| {
        let held = g.reserve(store.shared(), at, &req("", usd)).unwrap();
        g.settle(store.shared(), at, held, &call("", usd, at, Source::Devteam)).unwrap();
    };
    let alerted = |at: Timestamp| {
        let start = Window::Daily.bounds(at, &jiff::tz::TimeZone::UTC).unwrap().start_ms();
        store.budget_read(|l| l.alerts(1, start)).unwrap()
    };
    spend(0.69, noon());
    assert_eq!(alerted(noon()), Vec::<u8>::new());
    spend(0.02, noon());
    assert_eq!(alerted(noon()), vec![70]);
    spend(0.01, noon());
    assert_eq!(alerted(noon()), vec![70]);
    spend(0.2, noon()); // 92 %
    assert_eq!(alerted(noon()), vec![70, 85]);
    // Refusals record the blocking threshold once.
    exceeded(g.reserve(store.shared(), noon(), &req("", 0.5)));
    exceeded(g.reserve(store.shared(), noon(), &req("", 0.5)));
    assert_eq!(alerted(noon()), vec![70, 85, 100]);
    // The next day starts clean.
    let tomorrow = noon().checked_add(24.hours()).unwrap();
    spend(0.75, tomorrow);
    assert_eq!(alerted(tomorrow), vec![70]);
}

#[test]
fn pressure_counts_calls_in_flight_and_takes_the_worst_budget() {
    let store = Store::open_in_memory().unwrap();
    set(&store, None, Window::Weekly, Some(10.0), None);
    set(&store, Some("a"), Window::Daily, Some(1.0), None);
    let g = guard();
    assert_eq!(g.pressure(store.shared(), noon(), "a").unwrap(), Mode::Normal);
    let held = g.reserve(store.shared(), noon(), &req("a", 0.75)).unwrap();
    assert_eq!(g.pressure(store.shared(), noon(), "a").unwrap(), Mode::Warn);
    assert_eq!(g.pressure(store.shared(), noon(), "b").unwrap(), Mode::Normal);
    g.settle(store.shared(), noon(), held, &call("a", 0.9, noon(), Source::Devteam)).unwrap();
    assert_eq!(g.pressure(store.shared(), noon(), "a").unwrap(), Mode::Economy);
    let _rest = g.reserve(store.shared(), noon(), &req("a", 0.1)).unwrap();
    assert_eq!(g.pressure(store.shared(), noon(), "a").unwrap(), Mode::Blocked);
    assert_eq!(g.pressure(store.shared(), noon(), "").unwrap(), Mode::Normal);
}

#[test]
fn a_lower_blocking_threshold_caps_reservations() {
    let store = Store::open_in_memory().unwrap();
    set(&store, None, Window::Daily, Some(1.0), None);
    let g = guard_with(Thresholds::from_list(&[50, 80, 90]).unwrap(), Duration::from_secs(60));
    let _held = g.reserve(store.shared(), noon(), &req("", 0.9)).unwrap();
    let why = exceeded(g.reserve(store.shared(), noon(), &req("", 0.000_001)));
    assert_eq!(why.cap, 900_000);
    assert!(why.to_string().contains("calls stop at $0.90"), "{why}");
}

#[test]
fn a_call_that_settles_after_its_reservation_was_charged_corrects_the_charge_in_place() {
    let store = Store::open_in_memory().unwrap();
    set(&store, None, Window::Daily, Some(1.0), None);
    let g = guard();
    let held = g.reserve(store.shared(), noon(), &req("", 0.5)).unwrap();
    let late = noon().checked_add(2.minutes()).unwrap();
    let _other = g.reserve(store.shared(), late, &req("", 0.1)).unwrap(); // charges the expired one at $0.50
    let day = Window::Daily.bounds(noon(), &jiff::tz::TimeZone::UTC).unwrap();
    assert_eq!(store.budget_read(|l| l.spent(None, &day)).unwrap().micros, 500_000);
    g.settle(store.shared(), late, held, &call("", 0.4, noon(), Source::Devteam)).unwrap();
    assert_eq!(store.call_count().unwrap(), 1, "corrected, not recorded twice");
    assert_eq!(store.budget_read(|l| l.spent(None, &day)).unwrap().micros, 400_000);
    assert_eq!(reserved(&store, None, late), 100_000);
}

#[test]
fn nonsense_amounts_are_refused() {
    let store = Store::open_in_memory().unwrap();
    let g = guard();
    assert!(matches!(g.reserve(store.shared(), noon(), &req("", -1.0)), Err(BudgetError::Store(_))));
    let held = g.reserve(store.shared(), noon(), &req("", 0.1)).unwrap();
    assert!(g.settle(store.shared(), noon(), held, &call("", -0.1, noon(), Source::Devteam)).is_err());
}

#[test]
fn a_reservation_lives_at_least_as_long_as_its_call_can() {
    let store = Store::open_in_memory().unwrap();
    let g = guard(); // 60 s policy
    let long = Request { min_ttl: Duration::from_secs(1_935), ..req("", 0.1) };
    let held = g.reserve(store.shared(), noon(), &long).unwrap();
    assert_eq!(held.expires_at.duration_since(held.created_at).as_secs(), 1_935);
    let short = g.reserve(store.shared(), noon(), &req("", 0.1)).unwrap();
    assert_eq!(short.expires_at.duration_since(short.created_at).as_secs(), 60, "the setting when it is longer");
}

#[test]
fn a_refused_call_exits_with_the_over_budget_code_however_it_was_wrapped() {
    let store = Store::open_in_memory().unwrap();
    store.budget_write(|l| l.set_budget(None, Window::Daily, Some(1), None)).unwrap();
    let refused = guard().reserve(store.shared(), Timestamp::UNIX_EPOCH, &req("", 1.0));
    let err = anyhow::Error::from(refused.unwrap_err()).context("running subtask 3");
    let code = crate::error::exit_code(Err(err));
    assert_eq!(code, std::process::ExitCode::from(crate::error::OVER_BUDGET_EXIT));
    assert_ne!(crate::error::exit_code(Err(anyhow::anyhow!("disk full"))), code);
}
