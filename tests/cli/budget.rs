//! `devteam budget`: set, status, check (exit 3 over budget), reset, remove, alerts, and the
//! JSON schemas, pinned by mirror structs that refuse unknown fields.

use std::path::PathBuf;

use serde::Deserialize;

use crate::common::{TestEnv, json, stderr, stdout};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusReport {
    timezone: String,
    now: String,
    thresholds: Thresholds,
    mode: String,
    budgets: Vec<BudgetRow>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Thresholds {
    warn: u8,
    economy: u8,
    block: u8,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BudgetRow {
    name: String,
    project: Option<String>,
    window: String,
    window_start: String,
    resets_at: String,
    resets_in_secs: i64,
    usd: Option<Amounts<f64>>,
    tokens: Option<Amounts<i64>>,
    used_pct: f64,
    mode: String,
    alerts: Vec<u8>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Amounts<T> {
    spent: T,
    reserved: T,
    limit: T,
    used_pct: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckReport {
    ok: bool,
    at: String,
    need_usd: Option<f64>,
    failing: Vec<String>,
    budgets: Vec<BudgetRow>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct ChangeReport {
    action: String,
    budget: String,
    limit_usd: Option<f64>,
    limit_tokens: Option<i64>,
    alerts_cleared: usize,
    reservations_dropped: usize,
}

fn db(env: &TestEnv) -> PathBuf {
    env.path().join("data/devteam/devteam.db")
}

/// Records a settled call as `devteam run` (or an import) would, straight into the store.
fn spend(env: &TestEnv, project: &str, usd: f64, source: &str) {
    let conn = rusqlite::Connection::open(db(env)).unwrap();
    let now_ms = jiff::Timestamp::now().as_millisecond();
    conn.execute(
        "INSERT INTO calls (ts_ms, source, project, model, input_tokens, output_tokens, cost_micros)
         VALUES (?1, ?2, ?3, 'claude-haiku-4-5', 1000, 200, ?4)",
        rusqlite::params![now_ms, source, project, (usd * 1e6).round() as i64],
    )
    .unwrap();
}

fn run_ok(env: &TestEnv, args: &[&str]) -> String {
    let out = env.cmd().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: exit {:?}\n{}", out.status.code(), stderr(&out));
    stdout(&out)
}

fn config(env: &TestEnv, text: &str) {
    let cfg = env.path().join("config/devteam/config.yaml");
    std::fs::create_dir_all(cfg.parent().unwrap()).unwrap();
    std::fs::write(cfg, text).unwrap();
}

#[test]
fn set_status_and_remove_round_trip_with_a_pinned_schema() {
    let env = TestEnv::new();
    assert!(run_ok(&env, &["budget", "set", "daily", "5.00"]).contains("daily budget set: $5.00"));
    run_ok(&env, &["budget", "set", "week", "$20", "--tokens", "1000000"]);
    run_ok(&env, &["budget", "set", "daily", "1.50", "--project", "api"]);
    spend(&env, "api", 1.2, "devteam");
    spend(&env, "web", 0.3, "claude-code");

    let report: StatusReport = json(env.cmd().args(["--json", "budget", "status"]));
    assert_eq!((report.timezone.as_str(), report.thresholds.warn, report.mode.as_str()), ("UTC", 70, "warn"));
    assert!(report.now.ends_with("+00:00"), "{}", report.now);
    let names: Vec<&str> = report.budgets.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["daily", "weekly", "daily (project api)"]);
    let daily = &report.budgets[0];
    assert_eq!(daily.usd, Some(Amounts { spent: 1.5, reserved: 0.0, limit: 5.0, used_pct: 30.0 }));
    assert_eq!((daily.project.as_deref(), daily.window.as_str(), daily.mode.as_str()), (None, "daily", "normal"));
    assert!(
        daily.window_start.ends_with("T00:00:00+00:00") && daily.resets_in_secs > 0 && daily.resets_in_secs <= 86_400
    );
    assert!(daily.resets_at > daily.window_start);
    let weekly = &report.budgets[1];
    assert_eq!(weekly.tokens, Some(Amounts { spent: 2400, reserved: 0, limit: 1_000_000, used_pct: 0.2 }));
    let api = &report.budgets[2];
    assert_eq!((api.used_pct, api.mode.as_str(), api.alerts.as_slice()), (80.0, "warn", &[70][..]));

    let table = run_ok(&env, &["budget", "status"]);
    for part in ["daily (project api)", "$1.20", "80.0%", "weekly tokens", "2400", "warn"] {
        assert!(table.contains(part), "{part} missing from\n{table}");
    }

    let removed: ChangeReport = json(env.cmd().args(["--json", "budget", "remove", "daily", "--project", "api"]));
    let expected = ChangeReport {
        action: "remove".into(),
        budget: "daily (project api)".into(),
        limit_usd: Some(1.5),
        limit_tokens: None,
        alerts_cleared: 0,
        reservations_dropped: 0,
    };
    assert_eq!(removed, expected);
    let report: StatusReport = json(env.cmd().args(["--json", "budget", "status", "--project", "api"]));
    assert_eq!(report.budgets.len(), 2);
    assert_eq!(report.thresholds, Thresholds { warn: 70, economy: 85, block: 100 });
}

#[test]
fn check_exits_3_when_a_budget_is_used_up_and_says_which() {
    let env = TestEnv::new();
    let out = env.cmd().args(["budget", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "no budgets, nothing to be over");
    run_ok(&env, &["budget", "set", "daily", "1"]);
    spend(&env, "", 0.9, "devteam");
    assert_eq!(env.cmd().args(["budget", "check"]).output().unwrap().status.code(), Some(0));
    let out = env.cmd().args(["budget", "check", "--need", "0.25"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(stdout(&out).contains("daily: $0.25 does not fit ($0.10 left)"), "{}", stdout(&out));
    assert_eq!(env.cmd().args(["budget", "check", "--at", "economy"]).output().unwrap().status.code(), Some(3));

    spend(&env, "", 0.1, "claude-code");
    let out = env.cmd().args(["--json", "budget", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let report: CheckReport = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!report.ok);
    assert_eq!((report.at.as_str(), report.need_usd, report.budgets.len()), ("blocked", None, 1));
    assert!(report.failing[0].starts_with("daily: 100.0% used, mode blocked"), "{:?}", report.failing);
    // The 100 % alert is recorded once and printed on stderr, never into the JSON on stdout.
    assert!(stderr(&out).contains("the daily budget is at 100%"), "{}", stderr(&out));
    let again = env.cmd().args(["--json", "budget", "check"]).output().unwrap();
    assert!(!stderr(&again).contains("budget is at"), "alerted twice: {}", stderr(&again));
}

#[test]
fn alerts_reach_the_configured_command_once_and_reset_rearms_them() {
    let env = TestEnv::new();
    let log = env.path().join("alerts.log");
    config(&env, &format!("budget-command: \"cat >> '{}'; echo >> '{}'\"\n", log.display(), log.display()));
    run_ok(&env, &["budget", "set", "daily", "1"]);
    spend(&env, "", 0.72, "devteam");
    run_ok(&env, &["budget", "status"]);
    run_ok(&env, &["budget", "status"]);
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&log).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1, "one alert per window and threshold: {lines:?}");
    assert_eq!((lines[0]["level"].as_str(), lines[0]["threshold_pct"].as_u64()), (Some("warn"), Some(70)));

    let reset: ChangeReport = json(env.cmd().args(["--json", "budget", "reset", "daily"]));
    assert_eq!((reset.action.as_str(), reset.alerts_cleared), ("reset", 1));
    run_ok(&env, &["budget", "status"]);
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 2);
}

#[test]
fn a_failing_alert_command_is_a_warning_and_the_alert_is_kept() {
    let env = TestEnv::new();
    config(&env, "budget-command: exit 7\n");
    run_ok(&env, &["budget", "set", "daily", "0.10"]);
    spend(&env, "", 0.09, "devteam");
    let out = env.cmd().args(["--json", "budget", "status"]).output().unwrap();
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("exit status: 7") && stderr(&out).contains("the alert is recorded"),
        "{}",
        stderr(&out)
    );
    let report: StatusReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.budgets[0].alerts, [70, 85]);
}

#[test]
fn the_configured_time_zone_draws_the_windows() {
    let env = TestEnv::new();
    config(&env, "timezone: Asia/Kolkata\nbudget-thresholds: [50, 75, 90]\n");
    run_ok(&env, &["budget", "set", "daily", "2"]);
    let report: StatusReport = json(env.cmd().args(["--json", "budget", "status"]));
    assert_eq!(report.timezone, "Asia/Kolkata");
    assert!(report.budgets[0].window_start.ends_with("T00:00:00+05:30"), "{}", report.budgets[0].window_start);
    assert_eq!(report.thresholds, Thresholds { warn: 50, economy: 75, block: 90 });
    let report: StatusReport =
        json(env.cmd().env("DEVTEAM_TIMEZONE", "America/New_York").args(["--json", "budget", "status"]));
    assert_eq!(report.timezone, "America/New_York");
}

#[test]
fn bad_windows_amounts_and_zones_are_clear_errors() {
    let env = TestEnv::new();
    let cases: [(&[&str], &str); 6] = [
        (&["budget", "set", "fortnightly", "5"], "possible values: hourly, daily, weekly, monthly"),
        (&["budget", "set", "daily", "5,00"], "not an amount in dollars"),
        (&["budget", "set", "daily", "-1"], "not an amount in dollars"),
        (&["budget", "set", "daily", "0"], "more than $0"),
        (&["budget", "set", "daily"], "give a limit in dollars"),
        (&["budget", "remove", "weekly"], "there is no weekly global budget"),
    ];
    for (args, message) in cases {
        let out = env.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"));
    }
    let out = env.cmd().env("DEVTEAM_TIMEZONE", "Mars/Olympus").args(["budget", "status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("DEVTEAM_TIMEZONE") && stderr(&out).contains("Mars/Olympus"), "{}", stderr(&out));
}
