//! `run`: dry runs without a key, real runs against the stand-in (streamed answer, every call
//! recorded as the server billed it, caching across runs), upgrade on failure, and errors.

use devteam_standin::{Fault, Reply, Rule, Script, Times};
use serde::Deserialize;

use crate::common::{KEY, TestEnv, json, repo, run_cmd, standin, stderr, stdout, tier_model};

/// Calls recorded in the store: (model, input, output, cache writes, cache reads, cost).
fn recorded_calls(env: &TestEnv) -> Vec<(String, i64, i64, i64, i64, i64)> {
    let conn = rusqlite::Connection::open(env.path().join("data/devteam/devteam.db")).unwrap();
    let mut stmt = conn
        .prepare("SELECT model, input_tokens, output_tokens, cache_write_5m_tokens + cache_write_1h_tokens, cache_read_tokens, cost_micros FROM calls ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[derive(Debug, Deserialize)]
#[expect(dead_code)]
struct DryRun {
    run_id: String,
    routing: Option<serde_json::Value>,
    tier: String,
    model: String,
    agent: String,
    agent_reason: String,
    request_tokens: usize,
    cached_prefix_tokens: usize,
    max_tokens: u32,
    estimated_cost_usd: f64,
    worst_case_cost_usd: f64,
}

#[test]
fn dry_run_needs_no_key_and_shows_the_plan() {
    let env = TestEnv::new();
    let plan: DryRun = json(env.cmd().arg("--agents").arg(repo().join("fixtures/agents")).args([
        "--json",
        "run",
        "--dry-run",
        "Checkout takes 8 seconds on phones and Lighthouse is red; make it fast",
    ]));
    assert_eq!(plan.agent, "web-performance-engineer");
    assert!(plan.routing.is_some());
    assert!(plan.model.starts_with("claude-"));
    assert!(plan.request_tokens > 1000 && plan.cached_prefix_tokens > 1000);
    assert!(plan.worst_case_cost_usd > plan.estimated_cost_usd && plan.estimated_cost_usd > 0.0);
    let typo: DryRun = json(env.cmd().arg("--agents").arg(repo().join("fixtures/agents")).args([
        "--json",
        "run",
        "--dry-run",
        "fix a typo in the README",
    ]));
    assert_eq!(typo.tier, "haiku");
}

#[test]
fn a_run_streams_the_answer_and_records_what_the_server_billed() {
    let server = standin(Script {
        default_reply: Some(Reply::text("Use responsive images and lazy loading.")),
        ..Script::default()
    });
    let env = TestEnv::new();
    let task = "Checkout takes 8 seconds on phones; make it fast";
    for _ in 0..3 {
        let out = run_cmd(&env, &server).args(["run", task]).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("Use responsive images and lazy loading."));
        assert!(!stdout(&out).contains(KEY) && !stderr(&out).contains(KEY));
    }
    let ledger = server.ledger();
    let calls = recorded_calls(&env);
    assert_eq!(calls.len(), ledger.len());
    for (call, billed) in calls.iter().zip(&ledger) {
        let u = &billed.usage;
        assert_eq!(call.0, billed.model);
        assert_eq!(
            (call.1, call.2, call.3, call.4),
            (
                u.input_tokens as i64,
                u.output_tokens as i64,
                u.cache_creation_input_tokens as i64,
                u.cache_read_input_tokens as i64
            )
        );
        assert!(call.5 > 0);
    }
    // A first call of an agent sends it plainly (nothing says it will come back); a call of an
    // agent that just ran writes its static part; the next one reads it.
    assert_eq!(ledger[0].usage.cache_creation_input_tokens, 0, "nothing is written on a first call");
    assert!(ledger[1].usage.cache_creation_input_tokens > 1000, "the agent's static part is written to the cache");
    assert_eq!(
        ledger[2].usage.cache_read_input_tokens, ledger[1].usage.cache_creation_input_tokens,
        "and read back on the next run"
    );
    assert!(calls[2].5 * 3 < calls[0].5, "a cached run costs a fraction");
    let db = std::fs::read(env.path().join("data/devteam/devteam.db")).unwrap();
    assert!(!String::from_utf8_lossy(&db).contains(KEY), "the key never reaches the store");
}

#[test]
fn a_failing_tier_is_not_retried_a_tier_up_and_its_error_is_shown() {
    let haiku = tier_model("haiku");
    let server = standin(Script {
        rules: vec![Rule::any().when_model(&haiku).fault(Fault::ServerError).times(Times::Always)],
        ..Script::default()
    });
    let env = TestEnv::new();
    let out = run_cmd(&env, &server)
        .env("DEVTEAM_LOG", "")
        .args(["run", "--tier", "haiku", "rename the variable x to count"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("500"), "the original error: {}", stderr(&out));
    assert!(!stderr(&out).contains("upgraded"), "{}", stderr(&out));
    assert!(server.ledger().is_empty(), "a transient error is not escalated to a dearer tier");
    assert!(server.requests().iter().all(|r| r.body["model"] == haiku.as_str()));
    assert!(recorded_calls(&env).is_empty(), "failed attempts were not billed, so not recorded");
}

#[test]
fn a_max_tokens_stop_is_recorded_and_not_retried_under_the_same_cap() {
    let server = standin(Script {
        rules: vec![Rule::any().when_model(&tier_model("haiku")).fault(Fault::MaxTokens).times(Times::Always)],
        ..Script::default()
    });
    let env = TestEnv::new();
    let out = run_cmd(&env, &server).args(["run", "--no-rerank", "fix a typo in the README"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("stopped at max_tokens"), "{}", stderr(&out));
    let recorded = recorded_calls(&env);
    assert_eq!(recorded.iter().map(|c| c.0.clone()).collect::<Vec<_>>(), vec![tier_model("haiku")]);
    let conn = rusqlite::Connection::open(env.path().join("data/devteam/devteam.db")).unwrap();
    let (tier, outcome, up): (String, String, Option<String>) = conn
        .query_row("SELECT tier, outcome, upgraded_to FROM routing_decisions", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((tier.as_str(), outcome.as_str(), up.as_deref()), ("haiku", "max_tokens", None));
}

#[test]
fn a_refusal_is_retried_a_tier_up_and_recorded_as_an_upgrade() {
    let server = standin(Script {
        rules: vec![Rule::any().when_model(&tier_model("haiku")).fault(Fault::Refusal).times(Times::Always)],
        ..Script::default()
    });
    let env = TestEnv::new();
    let out = run_cmd(&env, &server).args(["run", "--no-rerank", "fix a typo in the README"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("upgraded to sonnet after a refusal"), "{}", stderr(&out));
    let recorded = recorded_calls(&env);
    assert_eq!(
        recorded.iter().map(|c| c.0.clone()).collect::<Vec<_>>(),
        vec![tier_model("haiku"), tier_model("sonnet")]
    );
}

#[test]
fn without_a_key_the_error_names_the_variable() {
    let env = TestEnv::new();
    let out =
        env.cmd().arg("--agents").arg(repo().join("fixtures/agents")).args(["run", "fix a typo"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("ANTHROPIC_API_KEY"), "{}", stderr(&out));
}

#[test]
fn a_wrong_key_is_a_clear_error_that_never_shows_the_key() {
    let server = standin(Script::default());
    let env = TestEnv::new();
    let out = env
        .cmd()
        .env("ANTHROPIC_API_KEY", "sk-ant-wrong-key-42")
        .env("ANTHROPIC_BASE_URL", server.base_url())
        .arg("--agents")
        .arg(repo().join("fixtures/agents"))
        .args(["run", "fix a typo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("ANTHROPIC_API_KEY"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("sk-ant-wrong-key-42"));
}

#[test]
fn load_all_agents_runs_the_unoptimized_way_through_the_same_code() {
    let pick = r#"{"agents": [{"id": "sql-optimizer", "why": "slow query"}]}"#;
    let script = Script {
        rules: vec![Rule::any().when_system_contains("You choose which specialist").reply(Reply::text(pick))],
        default_reply: Some(Reply::text("Add an index.")),
    };
    let server = standin(script);
    let env = TestEnv::new();
    let out = run_cmd(&env, &server)
        .args(["run", "--load-all-agents", "--no-plan", "the orders page is slow"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("sql-optimizer"), "{}", stderr(&out));
    let requests = server.requests();
    let selection = requests.iter().find(|r| r.body.to_string().contains("You choose which specialist")).unwrap();
    let library_chars: usize = std::fs::read_dir(repo().join("fixtures/agents"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path().join("CLAUDE.md")).unwrap().len())
        .sum();
    assert!(selection.body.to_string().len() * 10 > library_chars * 8, "every agent's full text was sent");
    assert_eq!(recorded_calls(&env).len(), 2, "the selection and the answer are both recorded");
}

#[test]
fn exact_counts_come_from_count_tokens_and_the_local_estimate_errs_high() {
    let server = standin(Script::default());
    let env = TestEnv::new();
    let task = ["--agent", "sql-optimizer", "--tier", "sonnet", "--no-plan", "the orders query is slow"];
    let out = run_cmd(&env, &server).args(["--json", "run", "--dry-run", "--exact"]).args(task).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let exact = plan["exact_input_tokens"].as_u64().unwrap();
    assert!(server.ledger().is_empty(), "counting is free: nothing billed");
    assert!(plan["request_tokens"].as_u64().unwrap() >= exact, "the local estimate errs high: {plan}");
    assert!(run_cmd(&env, &server).args(["run", "--no-rerank"]).args(task).output().unwrap().status.success());
    let billed = &server.ledger()[0].usage;
    let billed_input =
        u64::from(billed.input_tokens + billed.cache_creation_input_tokens + billed.cache_read_input_tokens);
    assert_eq!(exact, billed_input, "the count matches what the call is billed for");
}
