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
