//! `warm-cache` against the stand-in: it warms an agent whose history shows a parallel fan-out
//! (and the agent's next run then reads the cache), skips one whose lone calls would not pay for
//! the write, sends nothing on a dry run, stays quiet, leaves the work to a run holding the lock
//! (or waits with --wait), and times a crontab line from the history.

use std::path::PathBuf;
use std::time::Duration;

use devteam_standin::{Config, Fault, Handle, Reply, Rule, Script, StandIn, Times};
use serde::Deserialize;

use crate::common::{TestEnv, json, repo, stderr, stdout, tier_model};

const KEY: &str = "sk-ant-test-warm-cache-secret";
const FANOUT: &str = "web-performance-engineer";
const SOLO: &str = "api-designer";
const MIN: i64 = 60_000;
const DAY: i64 = 24 * 60 * MIN;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WarmReport {
    status: String,
    lookback_days: u32,
    top: u32,
    compared: Option<String>,
    days: usize,
    agents: Vec<AgentReport>,
    expected_saving_usd: f64,
    expected_cost_usd: f64,
    spent_usd: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
struct AgentReport {
    agent: String,
    model: String,
    calls: usize,
    prefix_tokens: u64,
    ttl: Option<String>,
    expected_avoided_misses: f64,
    expected_saving_usd: f64,
    cost_usd: f64,
    alive: bool,
    warm: bool,
    reason: String,
    outcome: String,
    spent_usd: Option<f64>,
    error: Option<String>,
}

impl WarmReport {
    fn agent(&self, id: &str) -> &AgentReport {
        self.agents.iter().find(|a| a.agent == id).unwrap_or_else(|| panic!("no {id} in {self:?}"))
    }
}

fn standin() -> Handle {
    let script = Script { default_reply: Some(Reply::text("ok")), ..Script::default() };
    StandIn::start(Config { api_key: Some(KEY.into()), script, ..Config::default() }).expect("stand-in")
}

/// `devteam` on the fixture library, in UTC (so that "the same time on past days" is plain 24h steps).
fn cmd(env: &TestEnv, server: Option<&Handle>) -> assert_cmd::Command {
    let mut cmd = env.cmd();
    cmd.env("TZ", "UTC").arg("--agents").arg(repo().join("fixtures/agents"));
    if let Some(server) = server {
        cmd.env("ANTHROPIC_API_KEY", KEY).env("ANTHROPIC_BASE_URL", server.base_url());
    }
    cmd
}

fn db(env: &TestEnv) -> PathBuf {
    env.path().join("data/devteam/devteam.db")
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// Indexes the fixture library, then records a week of history as
/// `run` records it: every day two minutes after this time, three parallel subtasks of FANOUT
/// and one lone call of SOLO, all on Sonnet.
fn seed_history(env: &TestEnv) {
    index(env);
    let mut calls = Vec::new();
    for back in 1..=7 {
        let at = now_ms() - back * DAY + 2 * MIN;
        calls.extend([(at, FANOUT), (at + 150, FANOUT), (at + 400, FANOUT), (at, SOLO)]);
    }
    insert_calls(env, &calls);
}

/// Indexes the fixture library, which also creates the store.
fn index(env: &TestEnv) {
    let out = cmd(env, None).args(["-q", "extract-metadata"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

fn insert_calls(env: &TestEnv, calls: &[(i64, &str)]) {
    let conn = rusqlite::Connection::open(db(env)).unwrap();
    for (ts, agent) in calls {
        conn.execute(
            "INSERT INTO calls (ts_ms, source, agent, model, tier, input_tokens, output_tokens, cost_micros)
             VALUES (?1, 'devteam', ?2, ?3, 'sonnet', 3000, 200, 12000)",
            rusqlite::params![ts, agent, tier_model("sonnet")],
        )
        .unwrap();
    }
}

fn warm_up_rows(env: &TestEnv) -> i64 {
    let conn = rusqlite::Connection::open(db(env)).unwrap();
    conn.query_row("SELECT COUNT(*) FROM calls WHERE source = 'warm-cache'", [], |r| r.get(0)).unwrap()
}

#[test]
fn warms_the_fan_out_agent_skips_the_lone_one_and_the_next_run_reads_the_cache() {
    let server = standin();
    let env = TestEnv::new();
    seed_history(&env);
    let report: WarmReport = json(cmd(&env, Some(&server)).args(["--json", "warm-cache"]));
    assert_eq!((report.status.as_str(), report.lookback_days, report.top), ("done", 7, 20));
    assert!(report.compared.is_some() && report.days > 0);
    let fanout = report.agent(FANOUT);
    let sonnet = tier_model("sonnet");
    assert_eq!((fanout.outcome.as_str(), fanout.model.as_str(), fanout.calls), ("warmed", sonnet.as_str(), 21));
    assert_eq!(fanout.expected_avoided_misses, 3.0);
    assert!(fanout.expected_saving_usd > fanout.cost_usd && fanout.spent_usd.unwrap() > 0.0);
    let solo = report.agent(SOLO);
    assert_eq!((solo.outcome.as_str(), solo.warm), ("skipped", false));
    assert!(solo.expected_saving_usd < solo.cost_usd, "{solo:?}");
    assert!(solo.reason.contains("saves nothing"), "{}", solo.reason);
    assert!((report.spent_usd - fanout.spent_usd.unwrap()).abs() < 1e-9);
    assert!(report.expected_saving_usd > report.expected_cost_usd);

    let ledger = server.ledger();
    assert_eq!(ledger.len(), 1, "one warm-up, for the fan-out agent only");
    assert_eq!(ledger[0].model, sonnet);
    assert!(ledger[0].usage.cache_creation_input_tokens > 1000);
    assert!(ledger[0].usage.output_tokens <= 1, "a minimal completion");
    assert_eq!(warm_up_rows(&env), 1, "recorded as warm-cache spend");

    let out = cmd(&env, Some(&server))
        .args(["run", "--agent", FANOUT, "--tier", "sonnet", "Checkout is slow on phones; make it fast"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let ledger = server.ledger();
    assert_eq!(ledger.len(), 2);
    assert_eq!(ledger[1].usage.cache_creation_input_tokens, 0, "nothing left to write");
    assert_eq!(
        ledger[1].usage.cache_read_input_tokens, ledger[0].usage.cache_creation_input_tokens,
        "the run's first call reads exactly what the warm-up wrote"
    );
}

#[test]
fn a_dry_run_sends_nothing_and_needs_no_key() {
    let server = standin();
    let env = TestEnv::new();
    seed_history(&env);
    let report: WarmReport = json(cmd(&env, None).args(["--json", "warm-cache", "--dry-run"]));
    assert_eq!(report.status, "dry-run");
    assert_eq!(report.agent(FANOUT).outcome, "planned");
    assert_eq!(report.agent(SOLO).outcome, "skipped");
    assert_eq!(report.spent_usd, 0.0);
    // With a key and the server at hand, still nothing is sent.
    let out = cmd(&env, Some(&server)).args(["warm-cache", "--dry-run"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains(FANOUT) && text.contains("planned") && text.contains("would warm 1 of 2"), "{text}");
    assert!(server.ledger().is_empty() && server.requests().is_empty());
    assert_eq!(warm_up_rows(&env), 0);
}

#[test]
fn it_is_quiet_unless_asked_and_explains_with_v() {
    let server = standin();
    let env = TestEnv::new();
    let out = cmd(&env, Some(&server)).arg("warm-cache").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!((stdout(&out), stderr(&out)), (String::new(), String::new()), "an empty history: nothing to say");
    seed_history(&env);
    let out = cmd(&env, Some(&server)).arg("warm-cache").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!((stdout(&out), stderr(&out)), (String::new(), String::new()), "a warm-up that worked: silence");
    assert_eq!(server.ledger().len(), 1);
    // Straight after, the warm entry is alive and serves the coming fan-out: no second warm-up.
    let out = cmd(&env, Some(&server)).args(["-v", "warm-cache"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("warmed 0 of 2 agent(s)") && text.contains("the entry is alive"), "{text}");
    assert_eq!(server.ledger().len(), 1);
}

#[test]
fn a_failed_warm_up_is_reported_on_stderr_with_exit_1() {
    let server = standin();
    server.push_rule(Rule::any().fault(Fault::ServerError).times(Times::Always)).unwrap();
    let env = TestEnv::new();
    seed_history(&env);
    std::fs::create_dir_all(env.path().join("config/devteam")).unwrap();
    std::fs::write(env.path().join("config/devteam/config.yaml"), "api-max-retries: 0\n").unwrap();
    let out = cmd(&env, Some(&server)).arg("warm-cache").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    let sonnet = tier_model("sonnet");
    assert!(err.contains(&format!("warm-cache: {FANOUT} on {sonnet}")), "{err}");
    assert_eq!(err.lines().count(), 1, "one line per failure, nothing else: {err}");
    assert_eq!(warm_up_rows(&env), 0, "a failed call is not billed, so not recorded");
}

#[test]
fn without_a_key_it_fails_with_exit_2_before_planning() {
    let env = TestEnv::new();
    let out = cmd(&env, None).arg("warm-cache").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("ANTHROPIC_API_KEY"), "{}", stderr(&out));
}

/// The same command as a `std::process::Command`, which can run in the background.
fn spawnable(cmd: &assert_cmd::Command) -> std::process::Command {
    let mut spawned = std::process::Command::new(cmd.get_program());
    spawned.env_clear().args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            spawned.env(key, value);
        }
    }
    if let Some(dir) = cmd.get_current_dir() {
        spawned.current_dir(dir);
    }
    spawned
}

/// The lock file the binary uses, held by this test process.
fn hold_lock(env: &TestEnv) -> std::fs::File {
    let path = env.path().join("data/devteam/warm-cache.lock");
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(path).unwrap();
    fs4::FileExt::try_lock(&file).unwrap();
    file
}

#[test]
fn a_second_run_leaves_the_work_to_the_lock_holder_or_waits_for_it() {
    let server = standin();
    let env = TestEnv::new();
    seed_history(&env);
    let held = hold_lock(&env);
    let out = cmd(&env, Some(&server)).arg("warm-cache").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!((stdout(&out), stderr(&out)), (String::new(), String::new()), "an overlap is not news for cron");
    let report: WarmReport = json(cmd(&env, Some(&server)).args(["--json", "warm-cache"]));
    assert_eq!((report.status.as_str(), report.agents.len()), ("busy", 0));
    let out = cmd(&env, Some(&server)).args(["-v", "warm-cache"]).output().unwrap();
    assert!(stderr(&out).contains("another warm-cache run holds"), "{}", stderr(&out));
    assert!(server.ledger().is_empty(), "nothing sent while the lock is held");

    let mut waiting = spawnable(cmd(&env, Some(&server)).args(["--json", "warm-cache", "--wait"]));
    let mut child = waiting.stdout(std::process::Stdio::piped()).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(700));
    assert!(child.try_wait().unwrap().is_none(), "--wait waits while the lock is held");
    assert!(server.ledger().is_empty());
    drop(held);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let report: WarmReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((report.status.as_str(), report.agent(FANOUT).outcome.as_str()), ("done", "warmed"));
    assert_eq!(server.ledger().len(), 1);
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleReport {
    lookback_days: u32,
    suggestion: Option<Suggestion>,
    crontab: Vec<String>,
    notes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Suggestion {
    time_zone: String,
    ttl: String,
    calls: usize,
    kinds: Vec<KindSchedule>,
    cron: Vec<String>,
    notes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KindSchedule {
    days: String,
    days_seen: usize,
    busy: Vec<BusyPeriod>,
    quiet: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BusyPeriod {
    start: String,
    end: String,
    warm_at: String,
    days_covered: usize,
    days_with_calls: usize,
}

#[test]
fn suggest_schedule_times_cron_just_before_the_busy_hours() {
    let env = TestEnv::new();
    let empty = cmd(&env, None).args(["warm-cache", "--suggest-schedule"]).output().unwrap();
    assert_eq!(empty.status.code(), Some(1), "no history, no schedule");
    assert!(stdout(&empty).contains("# nothing to schedule"), "{}", stdout(&empty));

    index(&env);
    // One reading of the clock: two could straddle a millisecond, putting "midnight" a
    // millisecond early and every seeded call at 09:02:59.999 instead of 09:03 (CI saw 09:01).
    let now = now_ms();
    let today = now - now.rem_euclid(DAY);
    let mut calls = Vec::new();
    for back in 1..=7 {
        let day = today - back * DAY;
        calls.extend([(day + 9 * 60 * MIN + 3 * MIN, FANOUT), (day + 9 * 60 * MIN + 30 * MIN, FANOUT)]);
        calls.push((day + 10 * 60 * MIN + 15 * MIN, FANOUT));
    }
    insert_calls(&env, &calls);

    let report: ScheduleReport = json(cmd(&env, None).args(["--json", "warm-cache", "--suggest-schedule"]));
    let s = report.suggestion.expect("a suggestion");
    assert_eq!((report.lookback_days, s.time_zone.as_str(), s.ttl.as_str()), (7, "UTC", "5m"));
    assert_eq!(s.calls, 21);
    let weekdays = s.kinds.iter().find(|k| k.days == "weekdays").unwrap();
    assert_eq!(weekdays.days_seen, 5);
    let morning = weekdays.busy.iter().find(|p| p.start == "09:00").expect("09:00 busy");
    // First calls at 09:03 every day: a warm-up at 09:02 is done by 09:03 and alive until 09:07.
    assert_eq!((morning.end.as_str(), morning.warm_at.as_str()), ("11:00", "09:02"));
    assert_eq!((morning.days_covered, morning.days_with_calls), (5, 5));
    assert!(weekdays.quiet.iter().any(|q| q.starts_with("00:00-")), "{:?}", weekdays.quiet);
    // The same hours every day of the week: one line for all days.
    assert_eq!(s.cron, ["2 9 * * *"], "{s:?}");
    let line = &report.crontab[0];
    assert!(line.ends_with(" warm-cache") && line.contains(&format!("--db {}", db(&env).display())), "{line}");
    assert!(report.notes.iter().any(|n| n.contains("buys nothing")), "{:?}", report.notes);
    assert!(s.notes.iter().any(|n| n.contains("less than 5 minutes")), "{:?}", s.notes);

    let out = cmd(&env, None).args(["warm-cache", "--suggest-schedule"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.lines().all(|l| l.starts_with("# ") || l.ends_with(" warm-cache")), "crontab-ready:\n{text}");
    assert!(text.lines().any(|l| l.starts_with("2 9 * * * ")), "{text}");
}

#[test]
fn suggest_schedule_says_warming_buys_nothing_without_caching() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.path().join("config/devteam")).unwrap();
    std::fs::write(env.path().join("config/devteam/config.yaml"), "cache-strategy: off\n").unwrap();
    let out = cmd(&env, None).args(["warm-cache", "--suggest-schedule"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("warming buys nothing"), "{}", stdout(&out));
}
