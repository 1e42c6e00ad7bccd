//! Settings reach commands from flags, env and the config file; bad values are clear errors.

use crate::common::{TestEnv, stderr};

#[test]
fn a_bad_config_value_names_the_file_and_exits_2() {
    let env = TestEnv::new();
    let cfg = env.path().join("config/devteam/config.yaml");
    std::fs::create_dir_all(cfg.parent().unwrap()).unwrap();
    std::fs::write(&cfg, "discover-top: lots\n").unwrap();
    let out = env.cmd().args(["discover", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("config.yaml") && err.contains("discover-top"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_bad_env_value_is_refused() {
    let env = TestEnv::new();
    let out = env.cmd().env("DEVTEAM_DISCOVER_TOP", "zero").args(["discover", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("DEVTEAM_DISCOVER_TOP"), "{}", stderr(&out));
}

#[test]
fn no_library_anywhere_says_how_to_name_one() {
    let env = TestEnv::new();
    let out = env.cmd().args(["discover", "fix the login page"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--agents"), "{}", stderr(&out));
}

#[test]
fn the_config_file_can_name_the_library_relative_to_itself() {
    let env = TestEnv::new();
    let lib = env.copy_fixture("broken");
    let cfg = env.path().join("config/devteam/config.yaml");
    std::fs::create_dir_all(cfg.parent().unwrap()).unwrap();
    // Relative to the config file's folder, not to the working directory (where `../../broken`
    // does not exist).
    assert!(lib.ends_with("broken") && !env.path().join("../../broken").exists());
    std::fs::write(&cfg, "agents: ../../broken\ndiscover-top: 1\n").unwrap();
    let report: serde_json::Value = crate::common::json(env.cmd().args(["--json", "discover", "good"]));
    assert_eq!(report["library"].as_str(), Some(lib.canonicalize().unwrap().to_str().unwrap()));
    let agents = report["agents"].as_array().unwrap();
    assert_eq!(agents.len(), 1, "discover-top from the same file: {report}");
    assert!(agents[0]["id"].as_str().unwrap().starts_with("good-"), "{report}");
}
