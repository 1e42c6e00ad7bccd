//! What a newcomer hits in the first hour (issue 13): a mistyped store path, project names that
//! start with `-`, `~` in the config, unquoted and piped tasks, completions without settings,
//! and clap's errors under `--color never`.

use crate::common::{TestEnv, repo, stderr, stdout};

#[test]
fn a_mistyped_db_is_refused_instead_of_read_as_an_empty_store() {
    let env = TestEnv::new();
    let real = env.path().join("real.db");
    let init = env.cmd().arg("--db").arg(&real).args(["store", "init"]).output().unwrap();
    assert!(init.status.success(), "{}", stderr(&init));
    assert!(stdout(&init).contains("created"), "{}", stdout(&init));
    let set = env.cmd().arg("--db").arg(&real).args(["budget", "set", "daily", "1"]).output().unwrap();
    assert!(set.status.success(), "{}", stderr(&set));
    let over = env.cmd().arg("--db").arg(&real).args(["budget", "check", "--need", "1000"]).output().unwrap();
    assert_eq!(over.status.code(), Some(3), "{}", stderr(&over));

    let typo = env.path().join("typo/dir/reel.db");
    let out = env.cmd().arg("--db").arg(&typo).args(["budget", "check", "--need", "1000"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a typo must fail, not pass as an empty store");
    assert!(stderr(&out).contains("no store at") && stderr(&out).contains("--init"), "{}", stderr(&out));
    assert!(!env.path().join("typo").exists(), "nothing may be created");
    let out = env.cmd().env("DEVTEAM_DB", &typo).args(["budget", "status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = env.cmd().arg("--db").arg(&typo).args(["--init", "budget", "status"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(typo.exists());
    // The default location is still created on first use.
    let out = env.cmd().args(["budget", "status"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn project_names_starting_with_a_dash_are_values() {
    let env = TestEnv::new();
    for args in [
        &["usage", "summary", "--project", "-home-dev-code-shop"][..],
        &["usage", "by", "model", "--project", "-home-dev-code-shop"],
        &["usage", "watch", "--once", "--project", "-home-dev-code-shop"],
        &["budget", "status", "--project", "-home-dev-code-shop"],
        &["budget", "set", "daily", "5", "--project", "-home-dev-code-shop"],
    ] {
        let out = env.cmd().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn a_tilde_in_the_config_is_the_home_folder() {
    let env = TestEnv::new();
    let config = env.path().join("c.yaml");
    std::fs::write(&config, "db: ~/tilde.db\n").unwrap();
    let out = env.cmd().arg("--config").arg(&config).args(["--init", "store", "init"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(env.path().join("home/tilde.db").exists(), "{}", stdout(&out));
    assert!(!env.path().join("~").exists(), "no folder named ~");
}

#[test]
fn a_task_needs_no_quotes_and_dash_reads_it_from_stdin() {
    let env = TestEnv::new();
    let lib = repo().join("fixtures/agents");
    let discover = |args: &[&str], stdin: &str| {
        let out =
            env.cmd().arg("--agents").arg(&lib).args(["--json", "discover"]).args(args).write_stdin(stdin).output();
        let out = out.unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["agents"][0]["id"].as_str().unwrap_or_default().to_string()
    };
    let quoted = discover(&["Checkout takes 8 seconds on phones; make it fast"], "");
    let words = discover(&["Checkout", "takes", "8", "seconds", "on", "phones;", "make", "it", "fast"], "");
    let piped = discover(&["-"], "Checkout takes 8 seconds on phones; make it fast\n");
    assert!(!quoted.is_empty());
    assert_eq!((&words, &piped), (&quoted, &quoted));
    let out = env.cmd().arg("--agents").arg(&lib).args(["discover", "-"]).write_stdin("  \n").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("empty"), "{}", stderr(&out));
}

#[test]
fn completions_need_no_settings_and_clap_errors_follow_color_never() {
    let env = TestEnv::new();
    let bad = env.path().join("bad.yaml");
    std::fs::write(&bad, "not-a-key: 1\n").unwrap();
    let out = env.cmd().env_remove("HOME").arg("--config").arg(&bad).args(["generate", "completions", "bash"]).output();
    let out = out.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("_devteam"));
    let out = env.cmd().args(["--color", "always", "no-such-command"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains('\u{1b}'), "--color always colours clap's error");
    let out = env.cmd().args(["--color", "never", "no-such-command"]).output().unwrap();
    assert!(!stderr(&out).contains('\u{1b}'), "{}", stderr(&out));
}

#[test]
fn a_simple_run_prints_its_id_is_listed_and_an_ambiguous_prefix_is_refused() {
    let server = devteam_standin::StandIn::start(devteam_standin::Config::default()).unwrap();
    let env = TestEnv::new();
    let lib = repo().join("fixtures/agents");
    let run = |json: bool| {
        let mut cmd = env.cmd();
        cmd.env("ANTHROPIC_API_KEY", "sk-test").env("ANTHROPIC_BASE_URL", server.base_url()).arg("--agents").arg(&lib);
        if json {
            cmd.arg("--json");
        }
        let out = cmd.args(["run", "--no-plan", "--no-rerank", "fix", "a", "typo", "in", "the", "README"]).output();
        let out = out.unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        out
    };
    let plain = run(false);
    let line = stderr(&plain).lines().find(|l| l.starts_with("run ")).unwrap_or_default().to_string();
    let id = line.split_whitespace().nth(1).unwrap_or_default().trim_end_matches(':').to_string();
    assert!(id.starts_with('r') && stderr(&plain).contains(&format!("runs show {id}")), "{}", stderr(&plain));
    // --json: JSON Lines, every line an event, the last one `final` with the run's id.
    let lines: Vec<serde_json::Value> =
        stdout(&run(true)).lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect();
    let events: Vec<&str> = lines.iter().map(|l| l["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["call", "final"]);
    let second = lines[1]["run_id"].as_str().unwrap().to_string();
    let listed = stdout(&env.cmd().args(["--json", "runs"]).output().unwrap());
    let listed: Vec<serde_json::Value> = serde_json::from_str(&listed).unwrap();
    let ids: Vec<&str> = listed.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&id.as_str()) && ids.contains(&second.as_str()), "{ids:?}");
    let out = env.cmd().args(["runs", "show", "r"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(&id) && stderr(&out).contains(&second), "lists the candidates: {}", stderr(&out));
    let out = env.cmd().args(["--json", "runs", "show", &second]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("fix a typo in the README"));
}

#[test]
fn budget_check_without_a_project_checks_the_global_budgets() {
    let env = TestEnv::new();
    let ok = |args: &[&str]| env.cmd().args(args).output().unwrap();
    assert!(ok(&["budget", "set", "daily", "5"]).status.success());
    assert!(ok(&["budget", "set", "daily", "0.01", "--project", "api"]).status.success());
    let out = ok(&["budget", "check", "--need", "1"]);
    assert_eq!(out.status.code(), Some(0), "project api's budget is not the global one: {}", stdout(&out));
    let out = ok(&["budget", "check", "--need", "1", "--project", "api"]);
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
}

/// The budget lines of a table: the rows whose first cell starts with `daily`.
fn budget_rows(text: &str) -> Vec<String> {
    let rows = text.lines().filter(|l| l.trim_start_matches(['│', '|', ' ']).starts_with("daily"));
    rows.map(|l| l.split(['│', '┆']).map(str::trim).filter(|c| !c.is_empty()).collect::<Vec<_>>().join(" | ")).collect()
}

#[test]
fn usage_watch_shows_budgets_as_budget_status_does() {
    // $1.012 and 5,500 tokens against $1 and 5,000: 101.2 % of the dollars, 110 % of the
    // tokens, so the budget is at 110 % and blocked, which `usage watch` used to hide.
    let env = TestEnv::new();
    let calls = [(0, "claude-code", "", "", "", "claude-sonnet-4-5", [4000, 1500, 0, 0, 0], 1_012_000)];
    let db = crate::usage::seeded_store(&env, &calls, &[]);
    let cmd = || {
        let mut c = env.cmd();
        c.arg("--db").arg(&db);
        c
    };
    assert!(cmd().args(["budget", "set", "daily", "1", "--tokens", "5000"]).output().unwrap().status.success());
    let status = stdout(&cmd().args(["budget", "status"]).output().unwrap());
    let watch = stdout(&cmd().args(["usage", "watch", "--once"]).output().unwrap());
    let (from_status, from_watch) = (budget_rows(&status), budget_rows(&watch));
    assert_eq!(from_status.len(), 2, "{status}");
    // The "resets in" cell may tick a minute between the two commands: compare the rest.
    let without_reset = |rows: &[String]| -> Vec<String> {
        rows.iter().map(|r| r.split(" | ").enumerate().filter(|(i, _)| *i != 5).map(|(_, c)| c).collect()).collect()
    };
    assert_eq!(without_reset(&from_watch), without_reset(&from_status), "{watch}");
    assert!(from_watch[0].contains("101.2%") && from_watch[1].contains("110.0%"), "{watch}");
    assert!(from_watch.iter().all(|r| r.ends_with("blocked")), "{watch}");
    assert!(watch.contains("mode in force: blocked"), "{watch}");
    let json = stdout(&cmd().args(["--json", "usage", "watch", "--once"]).output().unwrap());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["budgets"][0]["used_share"].as_f64(), Some(1.1), "the larger share, as budget status counts");
}

#[test]
fn imported_sessions_have_a_dimension_and_lead_the_dashboards_top_chart() {
    let env = TestEnv::new();
    let config = env.path().join("claude");
    crate::claude_logs::write(&config);
    // One more call, in its own session of a third project.
    let other = crate::claude_logs::Usage { mid: "msg_7", rid: "req_7", output: 5000, ..crate::claude_logs::m6() };
    // The importer names a session after its transcript file, as Claude Code names the file.
    let line = other.line(false, crate::claude_logs::text("x"));
    std::fs::create_dir_all(config.join("projects/-home-dev-c")).unwrap();
    std::fs::write(config.join("projects/-home-dev-c/s-other.jsonl"), line + "\n").unwrap();
    let out = env.cmd().args(["-q", "usage", "import", "claude-code"]).arg(&config).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    let out = env.cmd().args(["--json", "usage", "by", "session", "--since", "2026-01-01"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let by: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rows: Vec<(&str, u64)> = by["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap(), r["calls"].as_u64().unwrap()))
        .collect();
    let winners = crate::claude_logs::winners().len() as u64;
    assert_eq!(rows.iter().map(|r| r.1).sum::<u64>(), winners + 1);
    assert!(rows.contains(&("s-other", 1)) && rows.iter().any(|r| r.0 == "s1"), "{rows:?}");
    assert!(rows.iter().all(|r| !r.0.is_empty() && r.0 != "(none)"), "every imported call has a session: {rows:?}");

    let page = env.path().join("dash.html");
    let out = env.cmd().args(["-q", "usage", "report", "--since", "2026-01-01", "--html"]).arg(&page).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains(r#""top_tasks_dim":"session""#), "imported usage names sessions, not tasks");
    assert!(html.contains(r#""key":"s-other (-home-dev-c)""#), "each session carries its project");
}
