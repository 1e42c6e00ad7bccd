//! `extract-metadata`: the demo library's index sizes, incremental runs, broken inputs, the
//! JSON contract, and several processes sharing one store.

use std::io::Write;

use serde::Deserialize;

use crate::common::{TestEnv, json, repo, stderr};

/// Mirror of the JSON contract: an unknown or missing field fails the test.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
pub struct ExtractReport {
    /// `null` with embeddings off (as these tests run), else what was embedded.
    pub embedded: Option<serde_json::Value>,
    pub library: String,
    pub agents: usize,
    pub parsed: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub rebuilt: bool,
    pub full_tokens: usize,
    pub index_tokens: usize,
    pub reduction_pct: f64,
    pub median_card_tokens: usize,
    pub max_card_tokens: usize,
    pub card_max_tokens: usize,
    pub skipped: Vec<FileNote>,
    pub warnings: Vec<FileNote>,
    pub elapsed_ms: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileNote {
    pub path: String,
    pub reason: String,
}

fn extract(env: &TestEnv, lib: &std::path::Path) -> ExtractReport {
    json(env.cmd().arg("--agents").arg(lib).args(["--json", "extract-metadata"]))
}

#[test]
fn demo_library_index_is_small() {
    let env = TestEnv::new();
    let report = extract(&env, &repo().join("fixtures/agents"));
    assert_eq!(report.agents, 119);
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert!(report.median_card_tokens <= 200, "median card {}", report.median_card_tokens);
    assert!(report.max_card_tokens <= report.card_max_tokens);
    assert!(report.index_tokens * 20 <= report.full_tokens, "index {} of {}", report.index_tokens, report.full_tokens);
}

#[test]
fn reruns_are_incremental() {
    let env = TestEnv::new();
    let lib = env.copy_fixture("agents");
    assert_eq!(extract(&env, &lib).parsed, 119);
    let again = extract(&env, &lib);
    assert_eq!((again.parsed, again.unchanged, again.rebuilt), (0, 119, false));

    let file = lib.join("debugger/CLAUDE.md");
    std::fs::OpenOptions::new().append(true).open(&file).unwrap().write_all(b"\n## Extra\nMore text.\n").unwrap();
    let changed = extract(&env, &lib);
    assert_eq!((changed.parsed, changed.unchanged), (1, 118));

    std::fs::remove_dir_all(lib.join("cto-advisor")).unwrap();
    let removed = extract(&env, &lib);
    assert_eq!((removed.agents, removed.removed, removed.rebuilt), (118, 1, true));
}

#[test]
fn broken_inputs_are_reported_by_file_and_the_rest_is_indexed() {
    let env = TestEnv::new();
    let lib = env.copy_fixture("broken");
    // A 20 MB file is made here rather than committed.
    std::fs::create_dir_all(lib.join("huge")).unwrap();
    let mut huge = std::fs::File::create(lib.join("huge/CLAUDE.md")).unwrap();
    let line = "# Huge\n".to_string() + &"filler text for a huge agent file\n".repeat(1000);
    for _ in 0..(20 * 1024 * 1024 / line.len() + 1) {
        huge.write_all(line.as_bytes()).unwrap();
    }
    drop(huge);
    let out = env.cmd().arg("--agents").arg(&lib).args(["--json", "extract-metadata"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"));
    let report: ExtractReport = serde_json::from_slice(&out.stdout).unwrap();
    let reason = |path: &str| {
        report
            .skipped
            .iter()
            .find(|s| s.path.starts_with(path))
            .map(|s| s.reason.clone())
            .unwrap_or_else(|| panic!("{path} not reported: {:?}", report.skipped))
    };
    assert!(reason("binary-blob/").contains("binary"));
    assert!(reason("empty/").contains("empty"));
    assert!(reason("latin1/").contains("not UTF-8"));
    assert!(reason("huge/").contains("MiB"));
    assert!(reason("unterminated-front-matter/").contains("never closed"));
    assert!(reason("loop").contains("symlink loop"));
    let warned = |path: &str| report.warnings.iter().any(|w| w.path.starts_with(path));
    assert!(warned("bad-yaml/"), "{:?}", report.warnings);
    assert!(warned("no-heading/"), "{:?}", report.warnings);
    assert!(warned("subagents/triggers-agent.md"), "{:?}", report.warnings);
    // The good ones, and the leniently read ones, are indexed.
    assert!(report.agents >= 6, "{report:?}");
    // Every skipped file is also named on stderr for logs.
    for skipped in &report.skipped {
        assert!(stderr(&out).contains(&skipped.path), "{} missing from stderr", skipped.path);
    }
    let strict = env.cmd().arg("--agents").arg(&lib).args(["-q", "extract-metadata", "--strict"]).output().unwrap();
    assert_eq!(strict.status.code(), Some(1));
}

#[test]
fn several_processes_can_share_one_store() {
    let env = TestEnv::new();
    let lib = env.copy_fixture("agents");
    let children: Vec<_> = (0..4)
        .map(|i| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("devteam"));
            cmd.env_clear()
                .env("HOME", env.path().join("home"))
                .env("XDG_DATA_HOME", env.path().join("data"))
                .arg("--agents")
                .arg(&lib);
            if i % 2 == 0 {
                cmd.args(["-q", "extract-metadata"])
            } else {
                cmd.args(["-q", "discover", "slow checkout page"])
            };
            cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped()).spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let report = extract(&env, &lib);
    assert_eq!((report.agents, report.parsed), (119, 0));
}

#[cfg(unix)]
#[test]
fn the_store_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    extract(&env, &repo().join("fixtures/broken"));
    let db = env.path().join("data/devteam/devteam.db");
    assert_eq!(std::fs::metadata(&db).unwrap().permissions().mode() & 0o777, 0o600);
}
