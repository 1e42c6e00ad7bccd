//! The driven clock (`--now` / `DEVTEAM_NOW`): a run is stamped at the instant it names, a
//! budget's daily window follows it, and warm-cache plans from history stamped by it. No test
//! here waits for the wall clock.

use devteam_standin::{Handle, Reply, Script};
use serde::Deserialize;

use crate::common::{TestEnv, json, run_cmd, standin, stderr};

const AGENT: &str = "api-designer";
const FANOUT: &str = "web-performance-engineer";

fn server() -> Handle {
    standin(Script { default_reply: Some(Reply::text("done")), ..Script::default() })
}

fn ms(instant: &str) -> i64 {
    instant.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

fn store(env: &TestEnv) -> rusqlite::Connection {
    rusqlite::Connection::open(env.path().join("data/devteam/devteam.db")).unwrap()
}

/// One simple run of `agent` on Sonnet by `cmd` (which sets the clock).
fn run(mut cmd: assert_cmd::Command, agent: &str) {
    let out = cmd
        .args(["run", "--no-plan", "--no-rerank", "--agent", agent, "--tier", "sonnet", "design the invoices API"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

fn stamps(env: &TestEnv, sql: &str) -> Vec<i64> {
    let conn = store(env);
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_run_is_stamped_at_the_instant_now_names_by_flag_or_env() {
    let (server, env) = (server(), TestEnv::new());
    let mut cmd = run_cmd(&env, &server);
    cmd.args(["--now", "2026-03-02T10:15:00+01:00"]);
    run(cmd, AGENT);
    // Routed (no --tier), so that it records a routing decision too.
    let out = run_cmd(&env, &server)
        .env("DEVTEAM_NOW", "2026-04-05T06:07:08Z")
        .args(["run", "--no-plan", "--no-rerank", "--agent", AGENT, "fix the typo in the invoices API docs"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    let (first, second) = (ms("2026-03-02T09:15:00Z"), ms("2026-04-05T06:07:08Z"));
    assert_eq!(stamps(&env, "SELECT ts_ms FROM calls ORDER BY id"), [first, second]);
    assert_eq!(stamps(&env, "SELECT ts_ms FROM runs ORDER BY ts_ms"), [first, second]);
    assert_eq!(stamps(&env, "SELECT ts_ms FROM routing_decisions ORDER BY id"), [second]);
    let ids: Vec<String> = {
        let conn = store(&env);
        let mut stmt = conn.prepare("SELECT id FROM runs ORDER BY ts_ms").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert!(ids[0].starts_with(&format!("r{first}")) && ids[1].starts_with(&format!("r{second}")), "{ids:?}");

    // `usage` reads the same clock: the second run is in the last day before its instant.
    let day: serde_json::Value = json(run_cmd(&env, &server).args([
        "--json",
        "--now",
        "2026-04-05T12:00:00Z",
        "usage",
        "summary",
        "--since",
        "1d",
    ]));
    assert_eq!(day["totals"]["calls"], 1, "{day}");
}

#[test]
fn a_bad_instant_is_refused_before_anything_runs() {
    let env = TestEnv::new();
    let out = env.cmd().args(["--now", "2026-03-02 09:15", "budget", "status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("RFC 3339"), "{}", stderr(&out));
    assert!(!env.path().join("data/devteam/devteam.db").exists(), "nothing was opened");
}

#[derive(Debug, Deserialize)]
struct Status {
    now: String,
    budgets: Vec<Row>,
}

#[derive(Debug, Deserialize)]
struct Row {
    window_start: String,
    usd: Option<Spent>,
}

#[derive(Debug, Deserialize)]
struct Spent {
    spent: f64,
}

fn daily(env: &TestEnv, server: &Handle, now: &str) -> (String, f64) {
    let status: Status = json(run_cmd(env, server).args(["--json", "--now", now, "budget", "status"]));
    assert_eq!(status.now.parse::<jiff::Timestamp>().unwrap().as_millisecond(), ms(now), "{status:?}");
    let row = &status.budgets[0];
    (row.window_start.clone(), row.usd.as_ref().unwrap().spent)
}

#[test]
fn two_runs_a_day_apart_by_the_clock_land_in_different_daily_windows() {
    let (server, env) = (server(), TestEnv::new());
    let out = run_cmd(&env, &server).args(["--init", "budget", "set", "daily", "5"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let (monday, tuesday) = ("2026-03-02T23:30:00Z", "2026-03-03T23:30:00Z");
    for now in [monday, tuesday] {
        let mut cmd = run_cmd(&env, &server);
        cmd.args(["--now", now]);
        run(cmd, AGENT);
    }
    let cost = |now: &str| -> f64 {
        let micros: i64 = store(&env)
            .query_row("SELECT SUM(cost_micros) FROM calls WHERE ts_ms = ?1", [ms(now)], |r| r.get(0))
            .unwrap();
        micros as f64 / 1e6
    };
    assert!(cost(monday) > 0.0 && cost(tuesday) > 0.0);
    let (start, spent) = daily(&env, &server, "2026-03-02T23:59:00Z");
    assert!(start.starts_with("2026-03-02T00:00:00"), "{start}");
    assert!((spent - cost(monday)).abs() < 1e-9, "Monday's window holds Monday's run only: {spent}");
    let (start, spent) = daily(&env, &server, "2026-03-03T23:59:00Z");
    assert!(start.starts_with("2026-03-03T00:00:00"), "{start}");
    assert!((spent - cost(tuesday)).abs() < 1e-9, "Tuesday's window holds Tuesday's run only: {spent}");
    let (_, spent) = daily(&env, &server, "2026-03-04T00:01:00Z");
    assert_eq!(spent, 0.0, "a new day starts empty");
}

#[test]
fn warm_cache_plans_from_history_stamped_by_the_driven_clock() {
    let (server, env) = (server(), TestEnv::new());
    // Three days of history as runs recorded it on the driven clock: every day at 09:02 three
    // runs of FANOUT start together (one instant), and one of AGENT.
    for day in 2..=4 {
        let now = format!("2026-03-0{day}T09:02:00Z");
        for agent in [FANOUT, FANOUT, FANOUT, AGENT] {
            let mut cmd = run_cmd(&env, &server);
            cmd.env("TZ", "UTC").args(["--now", &now]);
            run(cmd, agent);
        }
    }
    let plan = |now: Option<&str>| -> serde_json::Value {
        let mut cmd = run_cmd(&env, &server);
        cmd.env("TZ", "UTC").args(["--json", "warm-cache", "--dry-run"]);
        if let Some(now) = now {
            // After the subcommand: the global flag parses there too.
            cmd.args(["--now", now]);
        }
        json(&mut cmd)
    };
    let next_morning = plan(Some("2026-03-05T09:00:00Z"));
    let agents = next_morning["agents"].as_array().unwrap();
    let fanout = agents.iter().find(|a| a["agent"] == FANOUT).unwrap_or_else(|| panic!("{next_morning}"));
    assert_eq!((fanout["calls"].as_u64(), fanout["outcome"].as_str()), (Some(9), Some("planned")), "{fanout}");
    let lone = agents.iter().find(|a| a["agent"] == AGENT).unwrap_or_else(|| panic!("{next_morning}"));
    assert_eq!(lone["outcome"], "skipped", "{lone}");
    assert_eq!(server.ledger().len(), 12, "a dry run sends nothing");
    // On the wall clock that history is months old: nothing to plan.
    let today = plan(None);
    assert_eq!(today["agents"].as_array().map(Vec::len), Some(0), "{today}");
}
