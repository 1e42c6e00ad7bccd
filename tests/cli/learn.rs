//! Learning from outcomes: outcomes and verdicts recorded against routing decisions
//! (`run --check`, `runs feedback`), and `route learn` proposing, applying and resetting.

use devteam_standin::{Fault, Reply, Rule, Script, Times};
use serde_json::Value;

use crate::common::{TestEnv, json, repo, run_cmd, standin, stderr};

fn db(env: &TestEnv) -> rusqlite::Connection {
    rusqlite::Connection::open(env.path().join("data/devteam/devteam.db")).unwrap()
}

/// (outcome, upgraded_to, upgrade_reason, latest verdict) of a routing decision.
type Outcome = (String, Option<String>, Option<String>, Option<bool>);

fn outcomes(env: &TestEnv) -> Vec<Outcome> {
    let conn = db(env);
    let mut stmt = conn
        .prepare(
            "SELECT outcome, upgraded_to, upgrade_reason,
             (SELECT good FROM verdicts v WHERE v.run_id = d.run_id ORDER BY v.id DESC LIMIT 1)
             FROM routing_decisions d ORDER BY id",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect()
}

#[test]
fn check_and_feedback_give_runs_verdicts() {
    let server = standin(Script {
        // A refusal is the failure a bigger model can fix, so it is retried a tier up.
        rules: vec![Rule::any().when_model("claude-haiku-4-5").fault(Fault::Refusal).times(Times::Always)],
        default_reply: Some(Reply::text("Renamed.")),
    });
    let env = TestEnv::new();
    let task = "rename the variable x to count in utils.py";
    let passed =
        run_cmd(&env, &server).args(["run", "--check", "test -z \"$ANTHROPIC_API_KEY\"", task]).output().unwrap();
    assert!(passed.status.success(), "{}", stderr(&passed));
    assert!(stderr(&passed).contains("check passed"), "{}", stderr(&passed));
    let failed = run_cmd(&env, &server).args(["run", "--check", "exit 3", task]).output().unwrap();
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    assert!(stderr(&failed).contains("check failed (exit 3)"), "{}", stderr(&failed));
    let rows = outcomes(&env);
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in &rows {
        assert_eq!(row.0, "upgraded");
        assert_eq!(row.1.as_deref(), Some("sonnet"));
        assert_eq!(row.2.as_deref(), Some("refusal"));
    }
    // The credential-free check saw no key: its verdict is good; `exit 3` is bad.
    assert_eq!((rows[0].3, rows[1].3), (Some(true), Some(false)));

    // A person overrules the first run's check.
    let first: String =
        db(&env).query_row("SELECT run_id FROM routing_decisions ORDER BY id LIMIT 1", [], |r| r.get(0)).unwrap();
    let verdict: Value = json(env.cmd().args(["--json", "runs", "feedback", &first, "--bad", "--note", "wrong file"]));
    assert_eq!((verdict["good"].as_bool(), verdict["note"].as_str()), (Some(false), Some("wrong file")));
    assert_eq!(outcomes(&env)[0].3, Some(false));
    let unknown = env.cmd().args(["runs", "feedback", "r-none", "--good"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("no run"), "{}", stderr(&unknown));
    let neither = env.cmd().args(["runs", "feedback", &first]).output().unwrap();
    assert_eq!(neither.status.code(), Some(2));

    // `runs show` lists the run's verdicts, oldest first: the check's, then the person's.
    let shown: Value = json(env.cmd().args(["--json", "runs", "show", &first]));
    let verdicts: Vec<(bool, &str, &str)> = shown["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["good"].as_bool().unwrap(), v["source"].as_str().unwrap(), v["note"].as_str().unwrap()))
        .collect();
    assert_eq!(verdicts, [(true, "check", ""), (false, "person", "wrong file")], "{shown}");
    let text = env.cmd().args(["runs", "show", &first]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(text.contains("check `test -z \"$ANTHROPIC_API_KEY\"` (exit 0)"), "{text}");
    assert!(text.contains("wrong file") && text.contains("bad"), "{text}");
}

/// Stores `n` decisions of a concurrency bug routed to Sonnet, `upgraded` of them upgraded.
fn seed(env: &TestEnv, n: usize, upgraded: usize) {
    // Any command creates and migrates the store.
    assert!(env.cmd().args(["runs"]).output().unwrap().status.success());
    let features = r#"[{"feature":"risk.concurrency","cues":["race condition"],"points":1.5},{"feature":"kind.bug-fix","cues":["fix"],"points":0.5}]"#;
    let conn = db(env);
    let now = jiff::Timestamp::now().as_millisecond();
    for i in 0..n {
        let (outcome, up) = if i < upgraded { ("upgraded", Some("opus")) } else { ("ok", None) };
        conn.execute(
            "INSERT INTO routing_decisions (ts_ms, run_id, task, score, tier, model, pressure, features, outcome, upgraded_to)
             VALUES (?1, ?2, 'Fix the race condition in the job queue worker', 6.0, 'sonnet', 'claude-sonnet-4-6', 'normal', ?3, ?4, ?5)",
            rusqlite::params![now - 1000 * i as i64, format!("r{i}"), features, outcome, up],
        )
        .unwrap();
    }
}

fn dry_run_tier(env: &TestEnv) -> (String, String) {
    let plan: Value = json(env.cmd().arg("--agents").arg(repo().join("fixtures/agents")).args([
        "--json",
        "run",
        "--dry-run",
        "Fix the race condition in the job queue worker",
    ]));
    (plan["tier"].as_str().unwrap().to_string(), plan["routing"]["reason"].as_str().unwrap().to_string())
}

#[test]
fn too_little_evidence_changes_nothing() {
    let env = TestEnv::new();
    seed(&env, 20, 20);
    let report: Value = json(env.cmd().args(["--json", "route", "learn", "--apply"]));
    assert_eq!(report["action"], "unchanged");
    assert!(report["why_none"].as_str().unwrap().contains("at least 50"), "{report}");
    assert!(!env.path().join("data/devteam/learned-routing.json").exists());
    assert_eq!(dry_run_tier(&env).0, "sonnet");
}

#[test]
fn learning_applies_as_data_and_resets() {
    let env = TestEnv::new();
    let before = dry_run_tier(&env);
    assert_eq!(before.0, "sonnet", "{before:?}");
    seed(&env, 60, 52);
    let shown: Value = json(env.cmd().args(["--json", "route", "learn"]));
    assert_eq!(shown["action"], "proposed");
    let adj = &shown["adjustments"][0];
    assert_eq!(adj["feature"], "risk.concurrency");
    assert!(adj["points"].as_f64().unwrap() > 0.0 && adj["points"].as_f64().unwrap() <= 2.0, "{adj}");
    assert!(adj["why"].as_str().unwrap().contains("52 of 60"), "{adj}");
    let file = env.path().join("data/devteam/learned-routing.json");
    assert!(!file.exists(), "showing writes nothing");

    let applied: Value = json(env.cmd().args(["--json", "route", "learn", "--apply"]));
    assert_eq!(applied["action"], "applied");
    assert!(file.exists());
    let after = dry_run_tier(&env);
    assert_eq!(after.0, "opus", "{after:?}");
    assert!(after.1.contains("learned risk.concurrency +"), "{}", after.1);

    // `eval routing` measures the router `run` uses: the learned layer moves the concurrency
    // task from sonnet to opus there too, and the note names the file.
    let labels = env.path().join("routing.tsv");
    std::fs::write(&labels, "tier\ttask\nopus\tFix the race condition in the job queue worker\n").unwrap();
    let out = env.cmd().arg("--json").args(["eval", "routing"]).arg(&labels).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let eval: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(eval["accuracy"].as_f64(), Some(1.0), "{eval}");
    assert!(stderr(&out).contains("learned routing applied") && stderr(&out).contains("learned-routing.json"));

    // Applying again keeps the previous file as the backup; reset restores the defaults.
    let again: Value = json(env.cmd().args(["--json", "route", "learn", "--apply"]));
    assert!(again["backup"].as_str().unwrap().ends_with("learned-routing.json.bak"), "{again}");
    let reset: Value = json(env.cmd().args(["--json", "route", "learn", "--reset"]));
    assert_eq!(reset["action"], "reset");
    assert!(!file.exists());
    assert_eq!(dry_run_tier(&env).0, "sonnet");
    let out = env.cmd().arg("--json").args(["eval", "routing"]).arg(&labels).output().unwrap();
    let eval: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(eval["accuracy"].as_f64(), Some(0.0), "the base router sends it to sonnet: {eval}");
    assert!(!stderr(&out).contains("learned routing applied"));

    // A damaged file is named, not silently ignored.
    std::fs::write(&file, "{not json").unwrap();
    let out = env.cmd().args(["route", "learn"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("learned-routing.json"), "{}", stderr(&out));
}
