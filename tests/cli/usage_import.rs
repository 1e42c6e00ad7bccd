//! `usage import claude-code`: counts, deduplication rules, incremental re-import, malformed
//! lines, where logs are found, and the JSON contract.

use std::io::Write;

use serde::Deserialize;

use crate::claude_logs::{self, INVALID, MALFORMED, USAGE_LINES, text};
use crate::common::{TestEnv, json, stderr};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
pub struct ImportOutput {
    pub source: String,
    pub roots: Vec<String>,
    pub files: usize,
    pub files_read: usize,
    pub files_unchanged: usize,
    pub files_reread: usize,
    pub bytes_read: u64,
    pub lines_read: u64,
    pub usage_lines: u64,
    pub duplicate_lines: u64,
    pub malformed_lines: u64,
    pub invalid_lines: u64,
    pub incomplete_tails: u64,
    pub calls_added: u64,
    pub calls_updated: u64,
    pub unpriced: Vec<Unpriced>,
    pub skipped: Vec<Skipped>,
    pub errors: Vec<String>,
    pub read_ms: u64,
    pub write_ms: u64,
    pub elapsed_ms: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unpriced {
    pub model: String,
    pub calls: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
pub struct Skipped {
    pub path: String,
    pub line: u64,
    pub reason: String,
}

pub fn import(env: &TestEnv, args: &[&std::ffi::OsStr]) -> ImportOutput {
    json(env.cmd().args(["--json", "usage", "import", "claude-code"]).args(args))
}

#[test]
fn the_first_import_keeps_one_line_per_call_by_the_reference_rules() {
    let env = TestEnv::new();
    let config = env.path().join("claude");
    claude_logs::write(&config);
    let r = import(&env, &[config.as_os_str()]);
    assert_eq!(r.source, "claude-code");
    assert_eq!((r.files, r.files_read, r.files_unchanged), (4, 4, 0));
    assert_eq!(r.lines_read, 10 + 2 + 1 + 3);
    assert_eq!(r.usage_lines, USAGE_LINES);
    assert_eq!(r.calls_added, claude_logs::winners().len() as u64);
    assert_eq!(r.duplicate_lines, USAGE_LINES - r.calls_added);
    assert_eq!((r.malformed_lines, r.invalid_lines, r.incomplete_tails), (MALFORMED, INVALID, 0));
    let lines: Vec<u64> = r.skipped.iter().map(|s| s.line).collect();
    assert_eq!(lines, vec![5, 9, 10]);
    assert!(r.skipped[2].reason.contains("version"), "{:?}", r.skipped);
    let unpriced: Vec<_> = r.unpriced.iter().map(|u| (u.model.as_str(), u.calls)).collect();
    assert_eq!(unpriced, vec![("<synthetic>", 1)]);
    assert!(r.errors.is_empty());
}

#[test]
fn a_second_import_reads_only_the_appended_lines_and_merges_a_larger_duplicate() {
    let env = TestEnv::new();
    let config = env.path().join("claude");
    let s1 = claude_logs::write(&config);
    import(&env, &[config.as_os_str()]);
    let unchanged = import(&env, &[config.as_os_str()]);
    assert_eq!((unchanged.files_read, unchanged.files_unchanged, unchanged.bytes_read), (0, 4, 0));

    let m4_final = claude_logs::m4().with(80).line(false, text("final"));
    let m7 = crate::claude_logs::Usage { mid: "msg_7", rid: "req_7", ..claude_logs::m4() }.line(false, text("new"));
    let appended = format!("{m4_final}\n{m7}\n");
    std::fs::OpenOptions::new().append(true).open(&s1).unwrap().write_all(appended.as_bytes()).unwrap();
    let r = import(&env, &[config.as_os_str()]);
    assert_eq!((r.files_read, r.files_unchanged), (1, 3));
    assert_eq!((r.bytes_read, r.lines_read, r.usage_lines), (appended.len() as u64, 2, 2));
    assert_eq!((r.calls_added, r.calls_updated, r.duplicate_lines), (1, 1, 0));
    // Re-reading the whole set from scratch (a new store) gives the same totals.
    let day2 = crate::usage_daily::daily(&env, &["--source", "claude-code", "--since", "2026-05-02"]);
    let fresh = TestEnv::new();
    import(&fresh, &[config.as_os_str()]);
    assert_eq!(crate::usage_daily::daily(&fresh, &["--source", "claude-code", "--since", "2026-05-02"]), day2);
    assert_eq!(day2["totals"]["outputTokens"], claude_logs::m6().output + 80 + 50);
}

#[test]
fn logs_are_found_through_claude_config_dir_and_the_home_defaults() {
    let env = TestEnv::new();
    let a = env.path().join("a");
    claude_logs::write(&a);
    let b = env.path().join("b");
    std::fs::create_dir_all(b.join("projects")).unwrap();
    let list = format!("{}, {}", a.display(), b.join("projects").display());
    let r: ImportOutput =
        json(env.cmd().env("CLAUDE_CONFIG_DIR", list).args(["--json", "usage", "import", "claude-code"]));
    assert_eq!((r.roots.len(), r.calls_added), (2, 6));

    let home = TestEnv::new();
    claude_logs::write(&home.path().join("home/.claude"));
    let r: ImportOutput = json(home.cmd().args(["--json", "usage", "import", "claude-code"]));
    assert_eq!(r.calls_added, 6);
}

#[test]
fn missing_log_folders_are_clear_errors() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .env("CLAUDE_CONFIG_DIR", "/nonexistent/claude")
        .args(["usage", "import", "claude-code"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("CLAUDE_CONFIG_DIR"), "{}", stderr(&out));
    let out = env.cmd().args(["usage", "import", "claude-code", "nowhere"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nowhere"), "{}", stderr(&out));
    let out = env.cmd().args(["usage", "import", "claude-code"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no Claude Code logs found"), "{}", stderr(&out));
}

#[test]
fn the_table_summary_names_skipped_lines_with_v() {
    let env = TestEnv::new();
    let config = env.path().join("claude");
    claude_logs::write(&config);
    let out = env.cmd().args(["-v", "usage", "import", "claude-code"]).arg(&config).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("6 calls added"), "{stdout}");
    assert!(stdout.contains("skipped 2 malformed and 1 invalid"), "{stdout}");
    let err = stderr(&out);
    assert!(err.contains("s1.jsonl:5: not a JSON object"), "{err}");
    assert!(err.contains("<synthetic>"), "{err}");
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_named_and_the_rest_is_imported() {
    let env = TestEnv::new();
    let config = env.path().join("claude");
    claude_logs::write(&config);
    let dangling = config.join("projects/-home-dev-a/gone.jsonl");
    std::os::unix::fs::symlink(env.path().join("nowhere.jsonl"), &dangling).unwrap();
    let out = env.cmd().args(["--json", "usage", "import", "claude-code"]).arg(&config).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("gone.jsonl"), "{}", stderr(&out));
    let r: ImportOutput = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((r.calls_added, r.errors.len()), (6, 1));
    // Nothing was lost: the calls are in the store.
    std::fs::remove_file(&dangling).unwrap();
    let again = import(&env, &[config.as_os_str()]);
    assert_eq!(again.calls_added, 0);
}
