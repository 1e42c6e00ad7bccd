//! `discover`: ranking from the index, token accounting, automatic indexing, and the JSON
//! contract.

use serde::Deserialize;

use crate::common::{TestEnv, json, repo, stderr, stdout};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
struct DiscoverReport {
    task: String,
    library: String,
    agents: Vec<Agent>,
    tokens: Tokens,
    rerank: Option<Rerank>,
    timing: Timing,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
struct Rerank {
    model: String,
    request_tokens: usize,
    cost_usd: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
struct Timing {
    refresh_ms: f64,
    embed_refresh_ms: f64,
    rank_ms: f64,
    query_embed_ms: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
struct Agent {
    rank: usize,
    id: String,
    name: String,
    score: f64,
    reason: String,
    description: String,
    path: String,
    model_hint: Option<String>,
    card_tokens: usize,
    full_tokens: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Tokens {
    cards_consulted: usize,
    card_tokens: usize,
    chosen_full_tokens: usize,
    total: usize,
    load_all_tokens: usize,
    saved_pct: f64,
}

fn discover(env: &TestEnv, task: &str, extra: &[&str]) -> DiscoverReport {
    json(
        env.cmd()
            .arg("--agents")
            .arg(repo().join("fixtures/agents"))
            .arg("--json")
            .arg("discover")
            .arg(task)
            .args(extra),
    )
}

#[test]
fn symptoms_find_the_right_role_without_a_prior_index() {
    let env = TestEnv::new();
    let report = discover(&env, "checkout page takes 8 s on phones", &[]);
    let top3: Vec<&str> = report.agents.iter().take(3).map(|a| a.id.as_str()).collect();
    assert!(top3.contains(&"web-performance-engineer"), "{top3:?}");
    assert_eq!(report.agents.len(), 5);
    assert_eq!(report.agents[0].rank, 1);
    assert!(report.agents.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn tokens_are_accounted_against_loading_everything() {
    let env = TestEnv::new();
    let report = discover(&env, "our terraform state is a mess across AWS accounts", &["--top", "3"]);
    let t = &report.tokens;
    assert_eq!(report.agents.len(), 3);
    assert_eq!(t.chosen_full_tokens, report.agents.iter().map(|a| a.full_tokens).sum::<usize>());
    assert_eq!(t.total, t.card_tokens + t.chosen_full_tokens);
    assert!(t.cards_consulted >= 3 && t.cards_consulted <= 20);
    assert!(t.total * 10 < t.load_all_tokens, "{t:?}");
    assert!(t.saved_pct > 90.0);
}

#[test]
fn a_changed_library_is_reindexed_before_ranking() {
    let env = TestEnv::new();
    let lib = env.copy_fixture("agents");
    let run = |task: &str| env.cmd().arg("--agents").arg(&lib).args(["--json", "discover", task]).output().unwrap();
    assert!(run("x").status.success());
    std::fs::create_dir_all(lib.join("zebra-keeper")).unwrap();
    std::fs::write(lib.join("zebra-keeper/CLAUDE.md"), "# Zebra Keeper\n\nLooks after zebras and their stripes.\n")
        .unwrap();
    let out = run("who looks after the zebras");
    assert!(stderr(&out).contains("indexed"), "{}", stderr(&out));
    let report: DiscoverReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.agents[0].id, "zebra-keeper");
}

#[test]
fn table_output_shows_ranks_reasons_and_savings() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .arg("--agents")
        .arg(repo().join("fixtures/agents"))
        .args(["discover", "flaky playwright tests in CI"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("agent") && text.contains("why") && text.contains("% saved"), "{text}");
}

#[test]
fn an_empty_task_is_an_error() {
    let env = TestEnv::new();
    let out = env.cmd().arg("--agents").arg(repo().join("fixtures/agents")).args(["discover", "  "]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("empty"));
}

#[test]
fn rerank_lets_the_haiku_tier_choose_and_records_the_call() {
    use devteam_standin::{Config, Reply, Rule, Script, StandIn};
    let reply = r#"{"agents": [{"id": "sql-optimizer", "why": "the ORM fires one query per row"}]}"#;
    let script = Script {
        rules: vec![Rule::any().when_system_contains("You choose which specialist").reply(Reply::text(reply))],
        ..Script::default()
    };
    let server = StandIn::start(Config { script, ..Config::default() }).unwrap();
    let env = TestEnv::new();
    let report: DiscoverReport = json(
        env.cmd()
            .env("ANTHROPIC_API_KEY", "sk-test")
            .env("ANTHROPIC_BASE_URL", server.base_url())
            .arg("--agents")
            .arg(repo().join("fixtures/agents"))
            .args([
                "--json",
                "discover",
                "--rerank",
                "the orders page is slow and the ORM runs a query per order line",
            ]),
    );
    assert_eq!(report.agents[0].id, "sql-optimizer");
    assert_eq!(report.agents[0].reason, "the ORM fires one query per row");
    let rerank = report.rerank.expect("rerank info");
    assert_eq!(rerank.model, "claude-haiku-4-5");
    assert!(rerank.request_tokens < report.tokens.load_all_tokens / 10, "only the shortlist's cards are sent");
    let ledger = server.ledger();
    assert_eq!(ledger.len(), 1);
    assert!(ledger[0].model.starts_with("claude-haiku-4-5"), "{}", ledger[0].model);
    let sent = &server.requests()[0].body;
    let text = sent.to_string();
    assert!(!text.contains("## Expertise"), "cards, never full agent files, are sent");
}

#[test]
fn rerank_without_a_key_keeps_the_local_ranking() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .arg("--agents")
        .arg(repo().join("fixtures/agents"))
        .args(["--json", "discover", "--rerank", "slow checkout"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(stderr(&out).contains("local ranking stands"), "{}", stderr(&out));
    let report: DiscoverReport = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report.rerank.is_none() && !report.agents.is_empty());
}
