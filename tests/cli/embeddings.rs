//! Embeddings at extract time: computed once, cached by the text embedded, only changed agents
//! embedded again, the setting that turns them off, and a model folder that does not load.

use serde_json::Value;

use crate::common::{TestEnv, json, repo, stderr};

/// A three-agent library copied from the demo agents, small enough to embed in a debug build.
fn small_library(env: &TestEnv) -> std::path::PathBuf {
    let lib = env.path().join("lib");
    for id in ["code-reviewer", "cache-specialist", "android-developer"] {
        let text = std::fs::read_to_string(repo().join("fixtures/agents").join(id).join("CLAUDE.md")).unwrap();
        std::fs::create_dir_all(lib.join(id)).unwrap();
        std::fs::write(lib.join(id).join("CLAUDE.md"), text).unwrap();
    }
    lib
}

fn extract(env: &TestEnv, lib: &std::path::Path) -> Value {
    json(env.cmd_with_model().arg("--agents").arg(lib).args(["--json", "extract-metadata"]))
}

#[test]
fn only_changed_agents_are_embedded_again() {
    let env = TestEnv::new();
    let lib = small_library(&env);
    let first = extract(&env, &lib);
    assert_eq!(first["embedded"]["agents"], 3, "{first}");
    assert_eq!(first["embedded"]["embedded"], 6, "a description and a body each: {first}");
    let again = extract(&env, &lib);
    assert_eq!(again["embedded"]["agents"], 0, "{again}");
    let path = lib.join("cache-specialist/CLAUDE.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("why Redlock is debated", "why Redlock (a lock over several Redis nodes) is debated"),
    )
    .unwrap();
    let changed = extract(&env, &lib);
    assert_eq!(changed["embedded"]["agents"], 1, "{changed}");
    // The description did not change: its vector comes from the cache, only the body is new.
    assert_eq!(changed["embedded"]["embedded"], 1, "{changed}");
}

#[test]
fn discover_ranks_by_meaning_when_no_word_is_shared() {
    let env = TestEnv::new();
    let lib = small_library(&env);
    // A symptom, not a request for a cache.
    let task = "our servers redo identical work for each visitor";
    let d: Value =
        json(env.cmd_with_model().arg("--agents").arg(&lib).args(["--json", "discover", "--top", "1", task]));
    assert_eq!(d["agents"][0]["id"], "cache-specialist", "{d}");
    assert!(d["timing"]["embed_refresh_ms"].is_number());
}

#[test]
fn gibberish_matches_no_agent_with_embeddings_on() {
    let env = TestEnv::new();
    let lib = small_library(&env);
    let d: Value = json(env.cmd_with_model().arg("--agents").arg(&lib).args(["--json", "discover", "zzqxv qqqq"]));
    assert_eq!(d["agents"].as_array().map(Vec::len), Some(0), "z-scores alone are no match: {d}");
    let out = env.cmd_with_model().arg("--agents").arg(&lib).args(["discover", "zzqxv qqqq"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("no agent matched"), "{out:?}");
}

#[test]
fn embeddings_can_be_turned_off_and_a_bad_model_folder_is_an_error() {
    let env = TestEnv::new();
    let lib = small_library(&env);
    let off: Value = json(
        env.cmd().env("DEVTEAM_EMBEDDING_MODEL", "off").arg("--agents").arg(&lib).args(["--json", "extract-metadata"]),
    );
    assert!(off["embedded"].is_null(), "{off}");
    let bad = env.path().join("no-model");
    std::fs::create_dir_all(&bad).unwrap();
    let out = env
        .cmd()
        .env("DEVTEAM_EMBEDDING_MODEL", &bad)
        .arg("--agents")
        .arg(&lib)
        .args(["extract-metadata"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("reading model file") && stderr(&out).contains("no-model"), "{}", stderr(&out));
}

/// `run` ranks as `discover` does: by meaning with the model, by BM25 alone with it off.
#[test]
fn run_picks_its_agent_by_meaning_when_embeddings_are_on() {
    let env = TestEnv::new();
    let lib = small_library(&env);
    let task = "our servers redo identical work for each visitor";
    let agent = |cmd: &mut assert_cmd::Command| -> Value {
        let v: Value = json(cmd.arg("--agents").arg(&lib).args(["--json", "run", "--dry-run", task]));
        v["agent"].clone()
    };
    assert_eq!(agent(&mut env.cmd_with_model()), "cache-specialist");
    let lexical: Value = json(env.cmd().arg("--agents").arg(&lib).args(["--json", "discover", "--top", "1", task]));
    assert_eq!(agent(&mut env.cmd()), lexical["agents"][0]["id"]);
}
