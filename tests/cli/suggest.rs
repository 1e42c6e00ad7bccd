//! `usage suggest`: ranked suggestions from the store, `--apply` making the safe ones with
//! backups, silence on a store with nothing to say.

use serde_json::Value;

use crate::common::{TestEnv, json};

fn db(env: &TestEnv) -> rusqlite::Connection {
    assert!(env.cmd().args(["runs"]).output().unwrap().status.success(), "creates the store");
    rusqlite::Connection::open(env.path().join("data/devteam/devteam.db")).unwrap()
}

/// An agent called every 20 minutes whose cache is written and never read, and review tasks
/// that Haiku handled under budget economy but that normally go to Sonnet.
fn seed(conn: &rusqlite::Connection) {
    let now = jiff::Timestamp::now().as_millisecond();
    let call = |ts: i64, agent: &str, model: &str, run: &str, written: i64, cost: i64| {
        conn.execute(
            "INSERT INTO calls (ts_ms, source, run_id, agent, model, tier, input_tokens, output_tokens, cache_write_5m_tokens, cost_micros)
             VALUES (?1, 'devteam', ?2, ?3, ?4, 'haiku', 200, 100, ?5, ?6)",
            rusqlite::params![ts, run, agent, model, written, cost],
        )
        .unwrap();
    };
    for i in 0..10 {
        call(now - 3_600_000 * 4 + i * 20 * 60_000, "sparse", "claude-haiku-4-5", "x", 3000, 4000);
    }
    let features = r#"[{"feature":"kind.review","cues":["review"],"points":0.5}]"#;
    for i in 0..60 {
        let (tier, pressure) = if i < 20 { ("haiku", "economy") } else { ("sonnet", "normal") };
        let run = format!("r{i}");
        conn.execute(
            "INSERT INTO routing_decisions (ts_ms, run_id, task, score, tier, model, pressure, features, outcome)
             VALUES (?1, ?2, 'Review the pull request for the settings page', 4.5, ?3, ?3, ?4, ?5, 'ok')",
            rusqlite::params![now - 1000 * i, run, tier, pressure, features],
        )
        .unwrap();
        call(now - 1000 * i, "", if tier == "haiku" { "claude-haiku-4-5" } else { "claude-sonnet-4-6" }, &run, 0, 9000);
    }
}

#[test]
fn suggestions_are_ranked_and_the_safe_ones_applied_with_backups() {
    let env = TestEnv::new();
    let clean: Value = json(env.cmd().args(["--json", "usage", "suggest"]));
    assert_eq!(clean["suggestions"].as_array().unwrap().len(), 0, "{clean}");
    seed(&db(&env));

    let shown: Value = json(env.cmd().args(["--json", "usage", "suggest"]));
    let list = shown["suggestions"].as_array().unwrap();
    let rules: Vec<&str> = list.iter().map(|s| s["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"cache-misses") && rules.contains(&"tier-too-high"), "{rules:?}");
    let saves: Vec<f64> = list.iter().map(|s| s["saves_usd"].as_f64().unwrap()).collect();
    assert!(saves.windows(2).all(|w| w[0] >= w[1]), "ranked by saving: {saves:?}");
    let tier = list.iter().find(|s| s["rule"] == "tier-too-high").unwrap();
    // 40 Sonnet runs at 9000 micro-dollars, at Haiku's share of Sonnet's input price.
    assert!(tier["saves_usd"].as_f64().unwrap() > 0.1, "{tier}");
    let config = env.path().join("config/devteam/config.yaml");
    let learned = env.path().join("data/devteam/learned-routing.json");
    assert!(!config.exists() && !learned.exists(), "showing changes nothing");

    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        "# team settings
max-tokens: 2048
",
    )
    .unwrap();
    let applied: Value = json(env.cmd().args(["--json", "usage", "suggest", "--apply"]));
    assert_eq!(applied["applied"].as_array().unwrap().len(), 2, "{applied}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "# team settings\nmax-tokens: 2048\ncache-strategy: 1h\n");
    assert_eq!(
        std::fs::read_to_string(config.with_extension("yaml.bak")).unwrap(),
        "# team settings\nmax-tokens: 2048\n"
    );
    assert!(learned.exists());
    // The edited config is valid, and what was applied is not proposed again.
    let again: Value = json(env.cmd().args(["--json", "usage", "suggest", "--apply"]));
    assert_eq!(again["applied"].as_array().unwrap().len(), 0, "{again}");
    let edits: Vec<&Value> = again["suggestions"].as_array().unwrap().iter().filter(|s| !s["edit"].is_null()).collect();
    assert!(edits.is_empty(), "{edits:?}");
}

#[test]
fn the_dashboard_carries_routing_outcomes_ab_results_and_suggestions() {
    let env = TestEnv::new();
    seed(&db(&env));
    let conn = rusqlite::Connection::open(env.path().join("data/devteam/devteam.db")).unwrap();
    conn.execute("UPDATE routing_decisions SET outcome = 'upgraded', upgraded_to = 'opus' WHERE id % 10 = 0", [])
        .unwrap();
    drop(conn);
    let started =
        env.cmd().args(["ab", "start", "t1", "--variant", "a=", "--variant", "b=planning=off"]).output().unwrap();
    assert!(started.status.success());
    let page = env.path().join("d.html");
    let out = env.cmd().args(["usage", "report", "--html"]).arg(&page).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("id=\"routing-weeks\"") && html.contains("id=\"suggestions\""));
    let start = html.find("<script id=\"data\" type=\"application/json\">").unwrap();
    let data = &html[start..];
    let data = &data[data.find('>').unwrap() + 1..data.find("</script>").unwrap()];
    let data: Value = serde_json::from_str(data).unwrap();
    let learning = &data["learning"];
    let weeks = learning["routing"].as_array().unwrap();
    assert_eq!(weeks.len(), 4);
    let last = weeks.last().unwrap();
    assert_eq!((last["decisions"].as_u64(), last["upgraded"].as_u64()), (Some(60), Some(6)), "{last}");
    assert!((last["accuracy"].as_f64().unwrap() - 0.9).abs() < 1e-9, "{last}");
    assert_eq!(learning["ab"][0]["name"], "t1");
    let rules: Vec<&str> =
        learning["suggestions"].as_array().unwrap().iter().map(|s| s["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"cache-misses"), "{rules:?}");
}
