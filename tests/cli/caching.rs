//! Prompt caching end to end against the stand-in's billing rules: with a restructured library,
//! after warm-up (a first round sends each agent's part plainly, since nothing yet says the agent
//! comes back; the second, minutes later, writes it), cache reads are at least 90 % of cacheable input and an agent call's input
//! costs at most 30 % of the same input uncached, even while the agents' dated sections change.

use devteam_standin::{Config, Reply, Script, StandIn};

use crate::common::{TestEnv, copy_tree, repo};

const AGENTS: [&str; 3] = ["sql-optimizer", "debugger", "api-designer"];

/// A copy of the demo library, restructured when `restructure` is set.
fn demo_copy(env: &TestEnv, restructure: bool) -> std::path::PathBuf {
    let lib = env.path().join("lib");
    copy_tree(&repo().join("fixtures/agents"), &lib);
    if restructure {
        let out = env.cmd().arg("--agents").arg(&lib).args(["-q", "restructure-agents", "--write"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    lib
}

/// devteam on `lib`, with a key, against the stand-in.
fn devteam(env: &TestEnv, server: &devteam_standin::Handle, lib: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = env.cmd();
    cmd.env("ANTHROPIC_API_KEY", "sk-test").env("ANTHROPIC_BASE_URL", server.base_url()).arg("--agents").arg(lib);
    cmd
}

/// (hit rate, input cost vs uncached) over the calls after the first two rounds, and the store's
/// per-block report.
fn session(restructure: bool) -> (f64, f64, serde_json::Value) {
    let env = TestEnv::new();
    let lib = demo_copy(&env, restructure);
    let server = StandIn::start(Config {
        script: Script { default_reply: Some(Reply::text("ok")), ..Script::default() },
        ..Config::default()
    })
    .unwrap();
    for round in 0..4 {
        if round > 0 {
            for agent in AGENTS {
                let path = lib.join(agent).join("CLAUDE.md");
                let text = std::fs::read_to_string(&path).unwrap().replacen(
                    "## Current Focus\n",
                    &format!("## Current Focus\n\nUpdated in round {round}.\n"),
                    1,
                );
                std::fs::write(&path, text).unwrap();
            }
        }
        for agent in AGENTS {
            let out = devteam(&env, &server, &lib)
                .args([
                    "-q",
                    "run",
                    "--no-plan",
                    "--no-rerank",
                    "--agent",
                    agent,
                    "--tier",
                    "sonnet",
                    "--max-tokens",
                    "300",
                    "--project",
                ])
                .arg(repo())
                .arg(format!("round {round}: what should {agent} do next?"))
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
    }
    let ledger = server.ledger();
    let after = &ledger[2 * AGENTS.len()..];
    let sum = |f: &dyn Fn(&devteam_standin::LedgerEntry) -> u32| after.iter().map(|e| f64::from(f(e))).sum::<f64>();
    let (input, writes, reads) = (
        sum(&|e| e.usage.input_tokens),
        sum(&|e| e.usage.cache_creation_input_tokens),
        sum(&|e| e.usage.cache_read_input_tokens),
    );
    let w1h = sum(&|e| e.usage.cache_creation.ephemeral_1h_input_tokens);
    // At the sonnet tier's rates in the price table.
    let r = crate::common::tier_rates("sonnet");
    let cost = input * r.input + (writes - w1h) * r.write_5m + w1h * r.write_1h + reads * r.read;
    let uncached = (input + writes + reads) * r.input;
    let blocks: serde_json::Value =
        serde_json::from_slice(&env.cmd().args(["--json", "usage", "cache"]).output().unwrap().stdout).unwrap();
    (reads / (reads + writes), cost / uncached, blocks)
}

#[test]
fn restructured_agents_cache_at_least_90_percent_after_warm_up() {
    let (hit, cost, blocks) = session(true);
    assert!(hit >= 0.90, "hit rate {hit:.3}");
    assert!(cost <= 0.30, "input cost {cost:.3} of uncached");
    let kind =
        |k: &str| blocks["blocks"].as_array().unwrap().iter().find(|b| b["kind"] == k).cloned().unwrap_or_default();
    assert!(kind("foundation")["hit_rate"].as_f64().unwrap() > 0.8, "{blocks}");
    assert!(kind("project")["read_tokens"].as_i64().unwrap() > 0, "{blocks}");
    assert_eq!(kind("task")["read_tokens"], 0, "the task is never cached: {blocks}");
    let (original_hit, original_cost, _) = session(false);
    assert!(
        original_hit < hit && original_cost > cost,
        "restructuring is what makes the difference: {original_hit:.3} {original_cost:.3}"
    );
}

/// With a key, the foundation is counted once per tier model with `count_tokens` (free) and its
/// extension for Haiku is sized by that count: it reaches Haiku's minimum without the character
/// estimate's overshoot, and a second run counts nothing again.
#[test]
fn the_foundation_is_counted_once_and_sized_by_the_count() {
    let env = TestEnv::new();
    let lib = demo_copy(&env, true);
    let server = StandIn::start(Config {
        script: Script { default_reply: Some(Reply::text("ok")), ..Script::default() },
        ..Config::default()
    })
    .unwrap();
    let run = |task: &str| {
        let out = devteam(&env, &server, &lib)
            .args(["-q", "run", "--no-plan", "--no-rerank", "--agent", "debugger", "--tier", "haiku", task])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let counts = server.requests().iter().filter(|r| r.path.ends_with("/count_tokens")).count();
        let last = server.requests().into_iter().rfind(|r| r.path == "/v1/messages").expect("a call");
        (counts, last.body["system"][0]["text"].as_str().unwrap().chars().count())
    };
    let (counted, sent) = run("why does the worker hang?");
    let base = std::fs::read_to_string(lib.join("_shared/foundation.md")).unwrap().chars().count();
    let tiers = 3;
    assert_eq!(counted, 2 * tiers, "each tier's model: the foundation, and nothing, to subtract");
    let db = rusqlite::Connection::open(env.path().join("data/devteam/devteam.db")).unwrap();
    let stored: Vec<i64> = db
        .prepare("SELECT tokens FROM block_tokens")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // The stand-in counts a text block as ceil(characters / 4); the request without the block
    // (a one-character message) is kept too, per model, for the next block to subtract.
    let foundation = stored.iter().filter(|&&t| t == base.div_ceil(4) as i64).count();
    assert_eq!((stored.len(), foundation), (2 * tiers, tiers), "one count per model: {stored:?}");
    // Haiku 4.5's minimum is 4,096 tokens: the foundation sent reaches it, with at most the
    // counted margin (10 % of the missing tokens) and one directory line more.
    let (tokens, missing) = (sent.div_ceil(4), 4096 - base.div_ceil(4));
    assert!(tokens >= 4096 && tokens <= 4096 + missing / 10 + 40, "{tokens} tokens sent, {missing} were missing");
    let (again, sent_again) = run("why does the worker hang now?");
    assert_eq!((again, sent_again), (counted, sent), "counted once: the same foundation, no new count");
}

/// Runs of the debugger on Sonnet in the demo payments project, against the stand-in; `config`
/// holds `shared-context: false`.
struct ProjectRuns {
    env: TestEnv,
    lib: std::path::PathBuf,
    project: std::path::PathBuf,
    config: std::path::PathBuf,
    server: devteam_standin::Handle,
}

impl ProjectRuns {
    fn new() -> Self {
        let env = TestEnv::new();
        let lib = demo_copy(&env, true);
        let project = repo().join("fixtures/workload/projects/payments-api");
        let config = env.path().join("unshared.yaml");
        std::fs::write(&config, "switches:\n  shared-context: false\n").unwrap();
        let script = Script { default_reply: Some(Reply::text("ok")), ..Script::default() };
        let server = StandIn::start(Config { script, ..Config::default() }).unwrap();
        Self { env, lib, project, config, server }
    }

    /// One run with `global` options and `flags` after `run`: the request it sent.
    fn run(&self, global: &[&str], flags: &[&str]) -> serde_json::Value {
        let mut cmd = devteam(&self.env, &self.server, &self.lib);
        cmd.args(global).args(["-q", "run", "--no-plan", "--no-rerank", "--agent", "debugger", "--tier", "sonnet"]);
        let out = cmd.args(flags).arg("--project").arg(&self.project).arg("why does the refund job hang?").output();
        let out = out.unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        self.server.requests().into_iter().rfind(|r| r.path == "/v1/messages").expect("a call").body
    }
}

/// `shared-context: false` switches off the sharing, not the context: the same text the shared
/// block carries is pasted into the user turn, uncached, and the system prompt holds no project
/// block; `--no-context` is what leaves it out.
#[test]
fn a_context_not_shared_is_pasted_into_the_task_and_the_same_text() {
    let p = ProjectRuns::new();
    let run = |global: &[&str], flags: &[&str]| p.run(global, flags);
    let texts = |blocks: &serde_json::Value| -> Vec<String> {
        blocks.as_array().unwrap().iter().map(|b| b["text"].as_str().unwrap().to_string()).collect()
    };
    let shared = run(&[], &[]);
    let system = texts(&shared["system"]);
    assert_eq!(system.len(), 3, "foundation, project, agent: {system:?}");
    let context = system[1].clone();
    assert!(context.contains("payments"), "the project's context: {context}");
    let unshared = ["--config", p.config.to_str().unwrap()];
    let pasted = run(&unshared, &[]);
    let (system, user) = (texts(&pasted["system"]), texts(&pasted["messages"][0]["content"]));
    assert_eq!(system.len(), 2, "no project block among the stable ones: {system:?}");
    assert!(!system.iter().any(|t| t.contains(&context)));
    assert_eq!(user[0], context, "the same context, first in the user turn");
    let marked = pasted["messages"][0]["content"].as_array().unwrap().iter().any(|b| b.get("cache_control").is_some());
    assert!(!marked, "nothing pasted is marked for caching");
    let none = run(&unshared, &["--no-context"]);
    assert!(!texts(&none["messages"][0]["content"]).iter().any(|t| t.contains(&context)), "--no-context sends none");
}

/// The project's context is counted like the foundation: once per tier model and text, and only
/// when it is shared (a context pasted with the task is never cached, so its size decides
/// nothing).
#[test]
fn a_shared_project_context_is_counted_once_per_model() {
    let p = ProjectRuns::new();
    let counts = || p.server.requests().iter().filter(|r| r.path.ends_with("/count_tokens")).count();
    let run = |global: &[&str]| p.run(global, &[]);
    let unshared = ["--config", p.config.to_str().unwrap()];
    run(&unshared);
    let tiers = 3;
    assert_eq!(counts(), 2 * tiers, "pasted: the foundation (and the empty request) only");
    let body = run(&[]);
    assert_eq!(counts(), 3 * tiers, "shared: the context once more per model, the empty request not again");
    let context = body["system"][1]["text"].as_str().unwrap().chars().count();
    let db = rusqlite::Connection::open(p.env.path().join("data/devteam/devteam.db")).unwrap();
    let n: i64 = db
        .query_row("SELECT count(*) FROM block_tokens WHERE tokens = ?1", [context.div_ceil(4) as i64], |r| r.get(0))
        .unwrap();
    assert_eq!(n, tiers as i64, "the stand-in's count of the context, for each model");
    run(&[]);
    assert_eq!(counts(), 3 * tiers, "counted once");
}
