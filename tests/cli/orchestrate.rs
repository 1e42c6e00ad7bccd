//! Planned runs end to end against the scripted stand-in: parallel subtasks and a dependency,
//! failure then success a tier up, lasting failure (partial result and exit code), an invalid
//! plan repaired, Ctrl-C, and reading a run back by summaries.

use std::process::Stdio;
use std::time::Duration;

use devteam_standin::{Config, Fault, Handle, Reply, Rule, Script, StandIn, Times};
use serde_json::Value;

use crate::common::{TestEnv, repo, stderr, stdout};

const TASK: &str =
    "Design an append-only ledger where balances are rebuilt from stored events, with a REST API and a Postgres schema";
const PLAN: &str = r#"{"subtasks": [
  {"id": "schema", "title": "Design the ledger tables", "agent": "database-architect", "returns": "DDL"},
  {"id": "events", "title": "Design the event flow", "agent": "event-driven-architect", "returns": "event types"},
  {"id": "api", "title": "Design the balance API", "agent": "api-designer", "depends_on": ["schema", "events"]}
]}"#;
const OUTPUT: &str =
    "DETAILED-OUTPUT that only the store keeps. Lots of reasoning here.\n\n## Summary\nShort hand-over.";

fn rules(extra: Vec<Rule>) -> Script {
    let mut rules = extra;
    rules.push(Rule::any().when_system_contains("You are the planner").reply(Reply::text(PLAN)).times(Times::Always));
    rules.push(
        Rule::any()
            .when_user_contains("Write the final answer")
            .reply(Reply::text("# The answer\nAll parts are in."))
            .times(Times::Always),
    );
    Script { rules, default_reply: Some(Reply::text(OUTPUT)) }
}

fn server(script: Script) -> Handle {
    StandIn::start(Config { script, ..Config::default() }).expect("stand-in")
}

fn devteam(env: &TestEnv, server: &Handle) -> assert_cmd::Command {
    let mut cmd = env.cmd();
    cmd.env("ANTHROPIC_API_KEY", "sk-test")
        .env("ANTHROPIC_BASE_URL", server.base_url())
        .arg("--agents")
        .arg(repo().join("fixtures/agents"));
    cmd
}

fn show(env: &TestEnv, server: &Handle, full: bool) -> Value {
    let runs: Value =
        serde_json::from_slice(&devteam(env, server).args(["--json", "runs"]).output().unwrap().stdout).unwrap();
    let id = runs[0]["id"].as_str().unwrap().to_string();
    let mut cmd = devteam(env, server);
    cmd.args(["--json", "runs", "show", &id]);
    if full {
        cmd.arg("--full");
    }
    serde_json::from_slice(&cmd.output().unwrap().stdout).unwrap()
}

#[test]
fn a_planned_run_overlaps_independent_subtasks_and_hands_over_summaries() {
    let slow = Rule::any().when_user_contains("Your part:").fault(Fault::Slow { delay_ms: 300 }).times(Times::Always);
    let server = server(rules(vec![slow]));
    let env = TestEnv::new();
    let out = devteam(&env, &server).args(["run", "--plan", TASK]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("All parts are in."), "the synthesis is streamed: {}", stdout(&out));
    let run = show(&env, &server, false);
    let subtasks = run["subtasks"].as_array().unwrap();
    let span = |id: &str| {
        let s = subtasks.iter().find(|s| s["id"] == id).unwrap();
        (s["started_ms"].as_i64().unwrap(), s["finished_ms"].as_i64().unwrap())
    };
    let (schema, events, api) = (span("schema"), span("events"), span("api"));
    assert!(schema.0 < events.1 && events.0 < schema.1, "independent subtasks overlap: {schema:?} {events:?}");
    assert!(api.0 >= schema.1 && api.0 >= events.1, "the dependent starts after both: {api:?}");
    assert_eq!(run["run"]["status"], "ok");
    assert_eq!(run["messages"].as_array().unwrap().len(), 2);
    assert_eq!(run["messages"][0]["summary"], "Short hand-over.");
    // The dependent got the summaries, not the other agents' outputs.
    let api_request = server
        .requests()
        .into_iter()
        .map(|r| r.body.to_string())
        .find(|b| b.contains("Design the balance API"))
        .unwrap();
    assert!(api_request.contains("Short hand-over.") && !api_request.contains("DETAILED-OUTPUT"), "{api_request}");
    // Every call the server billed is in the store, under this run.
    assert_eq!(server.ledger().len(), 5, "planner, three subtasks, synthesis");
}

#[test]
fn reading_a_run_costs_a_fraction_of_its_outputs() {
    // Outputs the size real agents write (about 1,500 words each), with a short summary.
    let long = format!(
        "{}\n\n## Summary\nUse an events table keyed by account; rebuild balances by replay.",
        "Analysis sentence with reasoning and code. ".repeat(250)
    );
    let mut script = rules(vec![]);
    script.default_reply = Some(Reply::text(&long));
    let server = server(script);
    let env = TestEnv::new();
    assert!(devteam(&env, &server).args(["-q", "run", "--plan", TASK]).output().unwrap().status.success());
    let read = |full: bool| {
        let runs: Value =
            serde_json::from_slice(&devteam(&env, &server).args(["--json", "runs"]).output().unwrap().stdout).unwrap();
        let id = runs[0]["id"].as_str().unwrap().to_string();
        let mut cmd = devteam(&env, &server);
        cmd.args(["--json", "runs", "show", &id]);
        if full {
            cmd.arg("--full");
        }
        cmd.output().unwrap().stdout
    };
    let (summary, full) = (read(false), read(true));
    let detail: Value = serde_json::from_slice(&summary).unwrap();
    let output_bytes = detail["output_bytes"].as_u64().unwrap() as usize;
    assert!(detail["outputs"].is_null());
    assert_eq!(serde_json::from_slice::<Value>(&full).unwrap()["outputs"].as_array().unwrap().len(), 4);
    assert!(summary.len() * 10 <= output_bytes, "runs show: {} B; full outputs: {output_bytes} B", summary.len());
    assert!(full.len() > output_bytes, "--full returns them all");
}

#[test]
fn a_transient_subtask_failure_is_not_retried_a_tier_up() {
    let flaky = Rule::any()
        .when_user_contains("Design the event flow")
        .when_model("claude-haiku-4-5")
        .fault(Fault::ServerError)
        .times(Times::Always);
    let server = server(rules(vec![flaky]));
    let env = TestEnv::new();
    let out = devteam(&env, &server).args(["run", "--plan", "--tier", "haiku", TASK]).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "partial: {}", stderr(&out));
    assert!(stderr(&out).contains("HTTP 500"), "the original error is shown: {}", stderr(&out));
    let run = show(&env, &server, false);
    let events = run["subtasks"].as_array().unwrap().iter().find(|s| s["id"] == "events").unwrap().clone();
    assert_eq!(
        (events["status"].as_str(), events["attempts"].as_i64(), events["tier"].as_str()),
        (Some("failed"), Some(1), Some("haiku")),
        "a bigger model does not fix a 500, and would bill more"
    );
}

#[test]
fn a_lasting_failure_gives_a_partial_result_and_exit_4() {
    let broken = Rule::any().when_user_contains("Design the event flow").fault(Fault::ServerError).times(Times::Always);
    let server = server(rules(vec![broken]));
    let env = TestEnv::new();
    let out = devteam(&env, &server).args(["--json", "run", "--plan", TASK]).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let events: Vec<Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let status = |id: &str| {
        events.iter().find(|e| e["event"] == "subtask_finished" && e["id"] == id).map(|e| e["status"].clone())
    };
    assert_eq!(status("schema").unwrap(), "ok");
    assert_eq!(status("events").unwrap(), "failed");
    assert_eq!(status("api").unwrap(), "skipped");
    assert_eq!(events.last().unwrap()["event"], "final");
    assert_eq!(events.last().unwrap()["status"], "partial");
    let synthesis = server
        .requests()
        .into_iter()
        .map(|r| r.body.to_string())
        .find(|b| b.contains("Write the final answer"))
        .unwrap();
    assert!(synthesis.contains("MISSING"), "the synthesis is told what is missing");
}

#[test]
fn an_invalid_plan_is_repaired_once() {
    let bad = r#"{"subtasks": [{"id": "x", "title": "t", "agent": "no-such-agent"}]}"#;
    let first = Rule::any().when_system_contains("You are the planner").reply(Reply::text(bad)).times(Times::Once);
    let server = server(rules(vec![first]));
    let env = TestEnv::new();
    let out = devteam(&env, &server).args(["run", "--plan", TASK]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let run = show(&env, &server, false);
    assert_eq!(run["run"]["planned"], true);
    assert_eq!(run["subtasks"].as_array().unwrap().len(), 3);
    let repair =
        server.requests().into_iter().map(|r| r.body.to_string()).filter(|b| b.contains("cannot be used")).count();
    assert_eq!(repair, 1);
}

#[cfg(unix)]
#[test]
fn ctrl_c_cancels_records_what_was_spent_and_exits_130() {
    let slow =
        Rule::any().when_user_contains("Your part:").fault(Fault::Slow { delay_ms: 10_000 }).times(Times::Always);
    let server = server(rules(vec![slow]));
    let env = TestEnv::new();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("devteam"))
        .env_clear()
        .env("HOME", env.path().join("home"))
        .env("XDG_DATA_HOME", env.path().join("data"))
        .env("ANTHROPIC_API_KEY", "sk-test")
        .env("ANTHROPIC_BASE_URL", server.base_url())
        // Interrupts, not ranking: a debug build embedding the library would outlast the wait.
        .env("DEVTEAM_EMBEDDING_MODEL", "off")
        .arg("--agents")
        .arg(repo().join("fixtures/agents"))
        .args(["-q", "run", "--plan", TASK])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the subtasks are in flight (the planner has answered): bounded, and failing
    // loudly instead of interrupting a run that has not got there.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while server.requests().len() < 2 {
        assert!(child.try_wait().unwrap().is_none(), "the run ended before its subtasks were in flight");
        assert!(std::time::Instant::now() < deadline, "the subtasks were not in flight within 120 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    let run = show(&env, &server, false);
    assert_eq!(run["run"]["status"], "cancelled");
    assert!(run["run"]["cost_micros"].as_i64().unwrap() > 0, "the planner's call was recorded");
    // Every planned subtask ends with an outcome: the interrupted ones say `cancelled`.
    let db = rusqlite::Connection::open(env.path().join("data/devteam/devteam.db")).unwrap();
    let mut stmt = db.prepare("SELECT outcome FROM routing_decisions WHERE subtask_id IS NOT NULL").unwrap();
    let outcomes: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert!(!outcomes.is_empty() && outcomes.iter().all(|o| o == "cancelled"), "{outcomes:?}");
}

#[test]
fn a_batch_run_sends_its_calls_through_message_batches_at_half_price() {
    let server =
        StandIn::start(Config { script: rules(vec![]), batch_delay: Duration::ZERO, ..Config::default() }).unwrap();
    let env = TestEnv::new();
    let out = devteam(&env, &server).args(["run", "--batch", "--plan", TASK]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("All parts are in."));
    let ledger = server.ledger();
    assert_eq!(ledger.len(), 5);
    assert!(
        ledger.iter().all(|e| e.batch && e.price_multiplier == 0.5),
        "every call went through a batch, billed at half"
    );
    let batches: std::collections::HashSet<_> = ledger.iter().filter_map(|e| e.batch_id.clone()).collect();
    assert_eq!(batches.len(), 4, "planner, the two independent subtasks together, the dependent, synthesis");
    let conn = rusqlite::Connection::open(env.path().join("data/devteam/devteam.db")).unwrap();
    let (batched, total): (i64, i64) =
        conn.query_row("SELECT SUM(batch), COUNT(*) FROM calls", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((batched, total), (5, 5));
    // Priced at the batch rate: the planner's call (the opus tier's list rates) at half.
    let (input, output, w5, w1h, read, cost): (i64, i64, i64, i64, i64, i64) = conn
        .query_row(
            "SELECT input_tokens, output_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, cost_micros FROM calls WHERE subtask_id = 'plan'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap();
    let r = crate::common::tier_rates("opus");
    let full = input as f64 * r.input
        + output as f64 * r.output
        + w5 as f64 * r.write_5m
        + w1h as f64 * r.write_1h
        + read as f64 * r.read;
    assert_eq!(cost, (full / 2.0).round() as i64, "micro-dollars at half the list price");
}
