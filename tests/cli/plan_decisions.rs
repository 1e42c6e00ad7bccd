//! Planning that pays: a complex task is planned only where a plan is expected to cost less than
//! one call (the dry run says why), and a planned run stores each subtask's routing decision
//! with its run and subtask, at the tier the planner named within the router's bounds.

use devteam_standin::{Config, Reply, Rule, Script, StandIn, Times};
use serde_json::Value;

use crate::common::{TestEnv, repo, stderr};

const TASK: &str = "Design an append-only ledger where balances are rebuilt from stored events, with a REST API, \
a Postgres schema, a security review of who can post entries and a migration plan without downtime";
const PLAN: &str = r#"{"subtasks": [
  {"id": "schema", "title": "Write the ledger table DDL", "agent": "database-architect", "returns": "DDL", "tier": "haiku"},
  {"id": "api", "title": "Design the balance API", "agent": "api-designer", "depends_on": ["schema"], "tier": "sonnet"}
]}"#;

#[test]
fn a_complex_task_is_planned_only_when_it_pays_and_subtask_decisions_are_stored() {
    let env = TestEnv::new();
    let agents = repo().join("fixtures/agents");
    let dry = env.cmd().arg("--agents").arg(&agents).args(["--json", "run", "--dry-run", TASK]).output().unwrap();
    assert!(dry.status.success(), "{}", stderr(&dry));
    let dry: Value = serde_json::from_slice(&dry.stdout).unwrap();
    // The task scores where the router picks opus, so it is a candidate for a plan.
    assert_eq!(dry["tier"], "opus", "{dry}");
    let reason = dry["plan_reason"].as_str().unwrap_or_default();
    assert_eq!(dry["planned"], false, "{reason}");
    assert!(reason.starts_with("not planned: a plan is expected to cost $"), "{reason}");

    let rules = vec![
        Rule::any().when_system_contains("You are the planner").reply(Reply::text(PLAN)).times(Times::Always),
        Rule::any().when_user_contains("Write the final answer").reply(Reply::text("# Answer")).times(Times::Always),
    ];
    let script = Script { rules, default_reply: Some(Reply::text("Done.\n\n## Summary\nDone.")) };
    let server = StandIn::start(Config { script, ..Config::default() }).expect("stand-in");
    let out = env
        .cmd()
        .env("ANTHROPIC_API_KEY", "sk-test")
        .env("ANTHROPIC_BASE_URL", server.base_url())
        .arg("--agents")
        .arg(&agents)
        .args(["run", "--plan", TASK])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let db = rusqlite::Connection::open(env.path().join("data/devteam/devteam.db")).unwrap();
    let mut stmt = db
        .prepare("SELECT run_id, subtask_id, tier, outcome FROM routing_decisions WHERE subtask_id IS NOT NULL ORDER BY subtask_id")
        .unwrap();
    let rows: Vec<(String, String, String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| r.0.starts_with('r') && r.3 == "ok"), "{rows:?}");
    let tier = |id: &str| rows.iter().find(|r| r.1 == id).map(|r| r.2.clone()).unwrap();
    assert_eq!(tier("api"), "sonnet", "the planner's tier, within bounds");
    assert!(["haiku", "sonnet"].contains(&tier("schema").as_str()), "{rows:?}");
    // The run's subtasks ran at the tiers recorded.
    let mut stmt = db.prepare("SELECT subtask_id, tier FROM calls WHERE subtask_id IN ('schema', 'api')").unwrap();
    let calls: Vec<(String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
    for (id, t) in calls {
        assert_eq!(t, tier(&id), "{id}");
    }
}
