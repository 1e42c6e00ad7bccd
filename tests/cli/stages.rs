//! `usage by stage`: cost and saving per part of devteam (a simple run's call, the rerank, the
//! planner, subtasks, synthesis, and the whole-library discovery calls not made), adding up to
//! `usage summary`'s totals, saving included.

use devteam_standin::{Reply, Rule, Script, Times};
use serde_json::Value;

use crate::common::{TestEnv, json, run_cmd, standin, stderr};

const PLAN: &str = r#"{"subtasks": [
  {"id": "schema", "title": "Design the ledger tables", "agent": "database-architect", "returns": "DDL"},
  {"id": "events", "title": "Design the event flow", "agent": "event-driven-architect", "returns": "event types"},
  {"id": "api", "title": "Design the balance API", "agent": "api-designer", "depends_on": ["schema", "events"]}
]}"#;

#[test]
fn the_stages_savings_add_up_to_the_summarys() {
    let pick = r#"{"agents": [{"id": "sql-optimizer", "why": "the ORM fires one query per row"}]}"#;
    let server = standin(Script {
        rules: vec![
            Rule::any().when_system_contains("You are the planner").reply(Reply::text(PLAN)).times(Times::Always),
            Rule::any()
                .when_system_contains("You choose which specialist")
                .reply(Reply::text(pick))
                .times(Times::Always),
            Rule::any()
                .when_user_contains("Write the final answer")
                .reply(Reply::text("# Answer"))
                .times(Times::Always),
        ],
        default_reply: Some(Reply::text("Done.\n\n## Summary\nShort hand-over.")),
    });
    let env = TestEnv::new();
    for args in [
        &["run", "--no-plan", "--rerank", "the orders page is slow and the ORM runs a query per order line"][..],
        &["run", "--plan", "Design an append-only ledger with a REST API and a Postgres schema"][..],
    ] {
        let out = run_cmd(&env, &server).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }

    let by: Value = json(run_cmd(&env, &server).args(["--json", "usage", "by", "stage"]));
    let rows = by["rows"].as_array().unwrap();
    let row = |key: &str| rows.iter().find(|r| r["key"] == key).unwrap_or_else(|| panic!("no {key}: {by}"));
    let calls = |key: &str| row(key)["calls"].as_u64().unwrap();
    assert_eq!(
        [calls("task"), calls("rerank"), calls("planner"), calls("subtasks"), calls("synthesis")],
        [1, 1, 1, 3, 1],
        "{by}"
    );
    let discovery = row("discovery");
    assert_eq!((discovery["calls"].as_u64(), discovery["cost_usd"].as_f64()), (Some(0), Some(0.0)), "{discovery}");
    assert!(discovery["saved_usd"].as_f64().unwrap() > 0.0, "{discovery}");

    let summary: Value = json(run_cmd(&env, &server).args(["--json", "usage", "summary"]));
    let total = |v: &Value, field: &str| v[field].as_f64().unwrap();
    let saved = total(&summary["savings"], "saved_usd");
    assert!((total(&by["totals"], "saved_usd") - saved).abs() < 1e-6, "totals against {saved}: {by}");
    let sum: f64 = rows.iter().map(|r| total(r, "saved_usd")).sum();
    assert!((sum - saved).abs() <= 1e-6 * rows.len() as f64, "the stages add up to {sum}, the summary {saved}");
    let cost: f64 = rows.iter().map(|r| total(r, "cost_usd")).sum();
    assert!((cost - total(&summary["totals"], "cost_usd")).abs() <= 1e-6 * rows.len() as f64, "{by}");
}
