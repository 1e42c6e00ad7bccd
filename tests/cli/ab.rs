//! `ab`: starting a test, runs taking their variant's settings by a stable hash, the report,
//! and stopping.

use devteam_standin::{Config, Reply, Script, StandIn};
use serde_json::Value;

use crate::common::{KEY, TestEnv, json, run_cmd, stderr};

/// (run id, variant, models called) per assigned run.
fn assigned(env: &TestEnv) -> Vec<(String, String, String)> {
    let conn = rusqlite::Connection::open(env.path().join("data/devteam/devteam.db")).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT a.run_id, a.variant, (SELECT GROUP_CONCAT(DISTINCT model) FROM calls c WHERE c.run_id = a.run_id)
             FROM ab_assignments a ORDER BY a.ts_ms",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
}

#[test]
fn runs_take_their_variants_settings_and_the_report_compares_them() {
    let server = StandIn::start(Config {
        api_key: Some(KEY.into()),
        script: Script { default_reply: Some(Reply::text("Done.")), ..Script::default() },
        ..Config::default()
    })
    .unwrap();
    let env = TestEnv::new();
    let bad = env.cmd().args(["ab", "start", "x", "--variant", "a=", "--variant", "b=colour=red"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("unknown setting \"colour\""), "{}", stderr(&bad));
    let one = env.cmd().args(["ab", "start", "x", "--variant", "a="]).output().unwrap();
    assert_eq!(one.status.code(), Some(2));

    let started = env
        .cmd()
        .args(["ab", "start", "haiku-all", "--variant", "control=", "--variant"])
        .arg("cheap=tier-thresholds.sonnet=9.5,tier-thresholds.opus=9.9")
        .output()
        .unwrap();
    assert!(started.status.success(), "{}", stderr(&started));
    let second = env.cmd().args(["ab", "start", "other", "--variant", "a=", "--variant", "b="]).output().unwrap();
    assert!(stderr(&second).contains("is running"), "{}", stderr(&second));

    let tasks = [
        "Add CRUD endpoints for /api/tags with validation and tests",
        "Add pagination to GET /orders with tests",
        "Add a retry with backoff to the webhook sender",
        "Add a dark mode toggle to the settings page",
        "Add input validation to the signup form",
        "Write an integration test for the checkout flow",
        "Add a CSV export to the reports page",
        "Add rate limiting to the login endpoint",
    ];
    for task in tasks {
        let out = run_cmd(&env, &server).args(["run", "--no-plan", task]).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let rows = assigned(&env);
    assert_eq!(rows.len(), tasks.len());
    let variants: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    assert!(variants.contains(&"control") && variants.contains(&"cheap"), "{variants:?}");
    for (_, variant, models) in &rows {
        // Everything scores below 9.5, so the cheap variant's runs all go to haiku.
        assert_eq!(variant == "cheap", models == "claude-haiku-4-5", "{variant}: {models}");
    }
    // The same task lands on the same variant again (a dry run shows it without recording).
    let again = run_cmd(&env, &server).args(["run", "--dry-run", tasks[0]]).output().unwrap();
    assert!(stderr(&again).contains(&format!("variant {}", rows[0].1)), "{}", stderr(&again));
    assert_eq!(assigned(&env).len(), tasks.len());

    let report: Value = json(env.cmd().args(["--json", "ab", "report", "haiku-all"]));
    let runs: u64 = report["variants"].as_array().unwrap().iter().map(|v| v["runs"].as_u64().unwrap()).sum();
    assert_eq!(runs, tasks.len() as u64);
    let cmp = &report["comparisons"][0];
    assert_eq!((cmp["key"].as_str(), cmp["against"].as_str()), (Some("cheap"), Some("control")));
    assert!(cmp["cost_p"].is_number() || cmp["cost_p"].is_null());
    let text = env.cmd().args(["ab", "report", "haiku-all"]).output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("cost/task"));

    assert!(env.cmd().args(["ab", "stop", "haiku-all"]).output().unwrap().status.success());
    let after = run_cmd(&env, &server).args(["run", "--no-plan", "Add a search box to the docs"]).output().unwrap();
    assert!(after.status.success());
    assert!(!stderr(&after).contains("A/B test"), "{}", stderr(&after));
    assert_eq!(assigned(&env).len(), tasks.len(), "a stopped test assigns nothing");
    let missing = env.cmd().args(["ab", "report", "nope"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
}
