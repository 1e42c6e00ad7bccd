//! `TestEnv`: a temporary HOME with XDG folders, fixture copies, and a command builder for the
//! real binary that sets variables on the child only.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde::de::DeserializeOwned;

pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

impl TestEnv {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        for sub in ["home", "config", "data", "cache"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        }
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `devteam` with a sealed environment.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("devteam").expect("binary");
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path().join("home"))
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("XDG_CACHE_HOME", self.path().join("cache"))
            // Embedding the demo library takes a minute in a debug build: tests about other
            // things rank lexically, and those about ranking ask for the model (`with_model`).
            .env("DEVTEAM_EMBEDDING_MODEL", "off")
            .current_dir(self.path());
        cmd
    }

    /// `devteam` with the built-in embedding model, as users run it.
    pub fn cmd_with_model(&self) -> Command {
        let mut cmd = self.cmd();
        cmd.env("DEVTEAM_EMBEDDING_MODEL", "builtin");
        cmd
    }

    /// Copies a folder of the repository's fixtures into the environment and returns its path.
    pub fn copy_fixture(&self, name: &str) -> PathBuf {
        let to = self.path().join(name.replace('/', "_"));
        copy_tree(&repo().join("fixtures").join(name), &to);
        to
    }
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The model id the bundled price table (`data/models.yaml`) gives a tier: tests that check
/// which model a tier's call went to read it from the data, so moving a tier to a newer model
/// is a data change, not a test edit.
pub fn tier_model(tier: &str) -> String {
    let table = price_table();
    table["tiers"][tier].as_str().unwrap_or_else(|| panic!("no tier {tier} in data/models.yaml")).to_string()
}

/// A tier's rates in the bundled price table, USD per million tokens.
#[derive(Debug, Clone, Copy)]
pub struct Rates {
    pub input: f64,
    pub output: f64,
    pub write_5m: f64,
    pub write_1h: f64,
    pub read: f64,
}

pub fn tier_rates(tier: &str) -> Rates {
    let table = price_table();
    let r = &table["models"][tier_model(tier).as_str()]["rates"];
    let get = |k: &str| r[k].as_f64().unwrap_or_else(|| panic!("no {k} rate for the {tier} tier"));
    Rates {
        input: get("input"),
        output: get("output"),
        write_5m: get("cache_write_5m"),
        write_1h: get("cache_write_1h"),
        read: get("cache_read"),
    }
}

fn price_table() -> serde_yaml_ng::Value {
    let text = std::fs::read_to_string(repo().join("data/models.yaml")).expect("data/models.yaml");
    serde_yaml_ng::from_str(&text).expect("price table yaml")
}

/// The API key the stand-in accepts in the run, learn and A/B tests.
pub const KEY: &str = "sk-ant-test-0123456789-secret";

/// A stand-in that accepts [`KEY`] and answers by `script`.
pub fn standin(script: devteam_standin::Script) -> devteam_standin::Handle {
    devteam_standin::StandIn::start(devteam_standin::Config {
        api_key: Some(KEY.into()),
        script,
        ..devteam_standin::Config::default()
    })
    .expect("stand-in")
}

/// `devteam` pointed at `server` with [`KEY`], on the demo library.
pub fn run_cmd(env: &TestEnv, server: &devteam_standin::Handle) -> Command {
    let mut cmd = env.cmd();
    cmd.env("ANTHROPIC_API_KEY", KEY)
        .env("ANTHROPIC_BASE_URL", server.base_url())
        .arg("--agents")
        .arg(repo().join("fixtures/agents"));
    cmd
}

/// Set by `.ci/run`: a test whose prerequisite is missing fails instead of skipping.
pub const STRICT_VAR: &str = "DEVTEAM_TEST_STRICT";

/// A prerequisite that a fresh clone may lack (`../shared`, a browser). Present: `Some`.
/// Absent: prints a skip line naming what is missing and how to get it, and returns `None`;
/// under `DEVTEAM_TEST_STRICT=1` (CI) it fails the test instead, so CI skips nothing.
pub fn prerequisite<T>(found: Option<T>, test: &str, missing: &str) -> Option<T> {
    if found.is_some() {
        return found;
    }
    if std::env::var_os(STRICT_VAR).is_some_and(|v| v == "1") {
        panic!("{test}: {missing}, and {STRICT_VAR}=1 makes this test mandatory");
    }
    // Straight to the process's stderr, not `eprintln!`: the test harness captures the print
    // macros of passing tests, so a skip line printed that way never reaches the reader.
    let line = format!("SKIPPED {test}: {missing} (set {STRICT_VAR}=1 to make this a failure)\n");
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    None
}

/// A public corpus from `../shared/corpora/NAME`, or a skip line when the clone has none.
pub fn shared_corpus(name: &str, test: &str) -> Option<PathBuf> {
    let dir = repo().join("../shared/corpora").join(name);
    let found = dir.is_dir().then_some(dir);
    prerequisite(found, test, &format!("../shared/corpora/{name} is not beside this clone"))
}

/// Runs and parses stdout as JSON, failing with stderr on a non-zero exit.
pub fn json<T: DeserializeOwned>(cmd: &mut Command) -> T {
    let out = cmd.output().expect("run devteam");
    assert!(out.status.success(), "exit {:?}\nstderr: {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Copies a tree, recreating symlinks as symlinks (the broken fixtures hold a loop).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        let kind = entry.file_type().expect("file type");
        if kind.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).expect("link"), &target).expect("symlink");
        } else if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
