//! Output is a contract: `--help` of every command, the main tables and JSON reports are pinned
//! as insta snapshots (`tests/cli/snapshots/`). A change shows up as a diff to review; accept it
//! with `INSTA_UPDATE=always cargo test --test cli snapshots` (or `cargo insta review`).
//! Only deterministic output is pinned: bundled data, labeled fixtures and fixed periods.

use crate::common::{TestEnv, repo, stderr, stdout};

/// Every command path with a man page, so a new command cannot go unpinned.
const COMMANDS: &[&[&str]] = &[
    &[],
    &["ab"],
    &["ab", "list"],
    &["ab", "report"],
    &["ab", "start"],
    &["ab", "stop"],
    &["budget"],
    &["budget", "check"],
    &["budget", "remove"],
    &["budget", "reset"],
    &["budget", "set"],
    &["budget", "status"],
    &["discover"],
    &["eval"],
    &["eval", "discovery"],
    &["eval", "routing"],
    &["extract-metadata"],
    &["prices"],
    &["restructure-agents"],
    &["route"],
    &["route", "learn"],
    &["run"],
    &["runs"],
    &["runs", "feedback"],
    &["runs", "show"],
    &["store"],
    &["store", "init"],
    &["store", "migrate"],
    &["usage"],
    &["usage", "by"],
    &["usage", "cache"],
    &["usage", "daily"],
    &["usage", "import"],
    &["usage", "import", "claude-code"],
    &["usage", "report"],
    &["usage", "suggest"],
    &["usage", "summary"],
    &["usage", "watch"],
    &["warm-cache"],
];

fn ok(env: &TestEnv, args: &[&str]) -> String {
    let out = env.cmd().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn help_of_every_command() {
    let pages = std::fs::read_dir(repo().join("man")).unwrap().count();
    assert_eq!(COMMANDS.len(), pages, "one snapshot per man page: add the new command to COMMANDS");
    let env = TestEnv::new();
    for path in COMMANDS {
        let help = ok(&env, &[*path, &["--help"][..]].concat());
        let name = if path.is_empty() { "help".to_string() } else { format!("help-{}", path.join("-")) };
        insta::assert_snapshot!(name, help);
    }
}

#[test]
fn prices_table_and_json() {
    let env = TestEnv::new();
    insta::assert_snapshot!("prices-table", ok(&env, &["prices"]));
    insta::assert_snapshot!("prices-json", ok(&env, &["--json", "prices"]));
}

#[test]
fn routing_eval_table_and_json() {
    let env = TestEnv::new();
    let labels = repo().join("fixtures/labels/routing.tsv");
    let labels = labels.to_str().unwrap();
    insta::assert_snapshot!("eval-routing-table", ok(&env, &["eval", "routing", labels]));
    insta::assert_snapshot!("eval-routing-json", ok(&env, &["--json", "eval", "routing", labels]));
}

#[test]
fn usage_summary_of_a_fixed_period_table_and_json() {
    let env = TestEnv::new();
    let period = ["--since", "2026-01-01", "--until", "2026-01-31", "--timezone", "UTC"];
    insta::assert_snapshot!("usage-summary-table", ok(&env, &[&["usage", "summary"][..], &period].concat()));
    insta::assert_snapshot!("usage-summary-json", ok(&env, &[&["--json", "usage", "summary"][..], &period].concat()));
}
