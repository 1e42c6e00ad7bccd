//! Budgets hold under real spending: 8 processes running `devteam run` at once against a small
//! budget through the stand-in never end the window over its limit, and every call the server
//! billed is in the store; a process killed mid-call leaves the store intact and its
//! reservation is charged by the next process.

use std::process::{Command, Stdio};
use std::time::Duration;

use devteam_standin::{Config, Fault, Reply, Rule, Script, StandIn, Times};

use crate::common::{TestEnv, repo, stderr};

fn devteam(env: &TestEnv, base_url: &str) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("devteam"));
    cmd.env_clear()
        .env("HOME", env.path().join("home"))
        .env("XDG_DATA_HOME", env.path().join("data"))
        .env("XDG_CONFIG_HOME", env.path().join("config"))
        .env("ANTHROPIC_API_KEY", "sk-test")
        .env("ANTHROPIC_BASE_URL", base_url)
        // Budgets, not ranking: no embedding of the library on the first run.
        .env("DEVTEAM_EMBEDDING_MODEL", "off")
        .arg("--agents")
        .arg(repo().join("fixtures/agents"));
    cmd
}

fn db(env: &TestEnv) -> rusqlite::Connection {
    rusqlite::Connection::open(env.path().join("data/devteam/devteam.db")).unwrap()
}

/// The arguments of every run in the race. Uncached, so that a call costs the same whichever
/// process reaches the stand-in first: with caching on, the first of several concurrent calls
/// writes and later ones read, and how many fit the limit depended on the machine's load.
const RACE_RUN: [&str; 12] = [
    "-q",
    "run",
    "--no-plan",
    "--no-rerank",
    "--no-cache",
    "--agent",
    "sql-optimizer",
    "--tier",
    "sonnet",
    "--max-tokens",
    "200",
    "task 0-0: tune the slow orders query",
];

/// What one race run costs, in micro-dollars, measured alone on a store of its own.
fn one_run_cost(server: &devteam_standin::Handle) -> i64 {
    let env = TestEnv::new();
    let out = devteam(&env, &server.base_url()).args(RACE_RUN).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    db(&env).query_row("SELECT SUM(cost_micros) FROM calls", [], |r| r.get(0)).unwrap()
}

#[test]
fn eight_processes_spending_at_once_never_overrun_the_budget() {
    let server = StandIn::start(Config {
        script: Script { default_reply: Some(Reply::text("ok")), ..Script::default() },
        ..Config::default()
    })
    .unwrap();
    let one = one_run_cost(&server);
    let measured_calls = server.ledger().len();
    let env = TestEnv::new();
    // Room for 14 of the 48 runs (to the 1/100 cent a budget is set with): binding, and
    // whatever order the processes reserve in, the 8 first runs' worst cases (a run's cost plus
    // 200 unspent output tokens) and one settled run leave room for a ninth.
    let limit = (14.0 * one as f64 / 1e2).floor() / 1e4;
    let set = devteam(&env, &server.base_url()).args(["budget", "set", "daily", &limit.to_string()]).output().unwrap();
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    let children: Vec<_> = (0..8)
        .map(|i| {
            let script = format!(
                "for n in 1 2 3 4 5 6; do \"$0\" \"$@\" \"task {i}-$n: tune the slow orders query\" || exit $?; done"
            );
            let cmd = devteam(&env, &server.base_url());
            let args: Vec<String> = cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
            let mut shell = Command::new("sh");
            shell.arg("-c").arg(script).arg(assert_cmd::cargo::cargo_bin("devteam")).args(args);
            shell.args(&RACE_RUN[..RACE_RUN.len() - 1]);
            for (k, v) in cmd.get_envs() {
                if let Some(v) = v {
                    shell.env(k, v);
                }
            }
            shell.env_remove("PATH").env("PATH", std::env::var_os("PATH").unwrap_or_default());
            shell.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap()
        })
        .collect();
    let mut codes = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let code = out.status.code();
        assert!(matches!(code, Some(0 | 3)), "exit {code:?}: {}", String::from_utf8_lossy(&out.stderr));
        codes.push(code);
    }
    assert!(codes.contains(&Some(3)), "the budget was binding: {codes:?}");
    let conn = db(&env);
    let (calls, spent): (i64, i64) = conn
        .query_row("SELECT COUNT(*), COALESCE(SUM(cost_micros), 0) FROM calls", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert!(spent as f64 / 1e6 <= limit, "spent ${} of ${limit}", spent as f64 / 1e6);
    assert!(calls > 8, "work was done: {calls} calls of ${} each", one as f64 / 1e6);
    assert_eq!(
        calls as usize,
        server.ledger().len() - measured_calls,
        "recorded calls equal the calls the server billed"
    );
    eprintln!("limit ${limit}, one run ${}, {calls} calls, ${} spent", one as f64 / 1e6, spent as f64 / 1e6);
    let live: i64 = conn.query_row("SELECT COUNT(*) FROM reservations", [], |r| r.get(0)).unwrap();
    assert_eq!(live, 0, "every reservation was settled or released");
}

#[cfg(unix)]
#[test]
fn a_process_killed_mid_call_leaves_the_store_intact_and_its_reservation_is_charged() {
    let slow = Rule::any().when_user_contains("KILL-ME").fault(Fault::Slow { delay_ms: 20_000 }).times(Times::Always);
    let server = StandIn::start(Config {
        script: Script { rules: vec![slow], default_reply: Some(Reply::text("ok")) },
        ..Config::default()
    })
    .unwrap();
    let env = TestEnv::new();
    // Long enough that no amount of machine load lets the reservation expire before the
    // "blocked" check: what frees the room is the next process charging the dead one's call.
    let ttl_secs: i64 = 600;
    assert!(devteam(&env, &server.base_url()).args(["budget", "set", "daily", "0.03"]).status().unwrap().success());
    let run = |task: &str| {
        let mut cmd = devteam(&env, &server.base_url());
        cmd.env("DEVTEAM_BUDGET_RESERVATION_TTL", ttl_secs.to_string()).args([
            "-q",
            "run",
            "--no-plan",
            "--no-rerank",
            "--agent",
            "sql-optimizer",
            "--tier",
            "sonnet",
            "--max-tokens",
            "500",
            task,
        ]);
        cmd
    };
    let mut child =
        run("KILL-ME while the call is in flight").stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    // The call is in flight once the stand-in has its request; wait for that, bounded, and fail
    // loudly rather than kill a process that has not got there.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while server.requests().is_empty() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("devteam exited ({status}) before its call reached the stand-in");
        }
        assert!(std::time::Instant::now() < deadline, "the call never reached the stand-in within 120 s");
        std::thread::sleep(Duration::from_millis(25));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let conn = db(&env);
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let held: i64 = conn.query_row("SELECT COUNT(*) FROM reservations", [], |r| r.get(0)).unwrap();
    assert_eq!(held, 1, "the killed call's reservation is still held");
    // The killed process is gone, so the next one charges its reservation: the request had
    // been sent and may have been billed. It never simply expires.
    let blocked = run("tune the slow query now").output().unwrap();
    assert_eq!(blocked.status.code(), Some(3), "the charged call leaves no room: {}", stderr(&blocked));
    let (calls, outcome): (i64, String) =
        conn.query_row("SELECT COUNT(*), MAX(outcome) FROM calls", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((calls, outcome.as_str()), (1, "unsettled"));
    let held: i64 = conn.query_row("SELECT COUNT(*) FROM reservations", [], |r| r.get(0)).unwrap();
    assert_eq!(held, 0, "turned into a charge, not held forever");
}
