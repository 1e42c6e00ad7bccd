//! One way to make billed calls (`gateway::Billing`): the rerank that picks a run's agent is
//! charged to the run's project, like the run's own calls, so a project budget counts it.

use devteam_standin::{Reply, Rule, Script};

use crate::common::{TestEnv, json, run_cmd, standin, stderr};

#[test]
fn a_runs_rerank_is_recorded_under_its_project_and_counted_by_the_project_budget() {
    let reply = r#"{"agents": [{"id": "sql-optimizer", "why": "the ORM fires one query per row"}]}"#;
    let server = standin(Script {
        rules: vec![Rule::any().when_system_contains("You choose which specialist").reply(Reply::text(reply))],
        default_reply: Some(Reply::text("done")),
    });
    let env = TestEnv::new();
    let shop = env.path().join("shop");
    std::fs::create_dir_all(&shop).unwrap();
    std::fs::write(shop.join("README.md"), "# Shop\n\nA web shop: orders, checkout, invoices.\n").unwrap();
    let project = shop.display().to_string();
    let out = run_cmd(&env, &server).args(["budget", "set", "daily", "5", "--project", &project]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    let out = run_cmd(&env, &server)
        .args(["run", "--no-plan", "--rerank", "--project", &project])
        .arg("the orders page is slow and the ORM runs a query per order line")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(server.ledger().len(), 2, "the rerank, then the run's call");

    let conn = rusqlite::Connection::open(env.path().join("data/devteam/devteam.db")).unwrap();
    let rows: Vec<(String, String, String, i64)> = {
        let mut stmt = conn.prepare("SELECT run_id, project, agent, cost_micros FROM calls ORDER BY id").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect()
    };
    let [rerank, call] = rows.as_slice() else { panic!("two calls: {rows:?}") };
    assert!(rerank.0.starts_with("rerank-") && rerank.3 > 0, "{rerank:?}");
    assert_eq!(rerank.1, project, "the rerank is charged to the run's project");
    assert_eq!((call.1.as_str(), call.2.as_str()), (project.as_str(), "sql-optimizer"), "{call:?}");

    let status: serde_json::Value =
        json(run_cmd(&env, &server).args(["--json", "budget", "status", "--project", &project]));
    let row = status["budgets"].as_array().unwrap().iter().find(|b| b["project"] == project.as_str()).unwrap();
    let spent = row["usd"]["spent"].as_f64().unwrap();
    let both = (rerank.3 + call.3) as f64 / 1e6;
    assert!((spent - both).abs() < 1e-9, "the project budget counts the rerank too: {spent} against {both}");
}
