//! Retired models: `prices` marks one a tier still names, and `run` never routes to it.

use super::common::{TestEnv, repo, stderr, stdout};

/// A config whose prices-file points the sonnet tier at Sonnet 4, retired on 2026-06-15.
fn env_with_retired_sonnet() -> (TestEnv, std::path::PathBuf) {
    let env = TestEnv::new();
    let prices = env.path().join("prices.yaml");
    std::fs::write(&prices, "tiers:\n  sonnet: claude-sonnet-4\n").expect("prices file");
    let config = env.path().join("config.yaml");
    std::fs::write(&config, format!("prices-file: {}\n", prices.display())).expect("config");
    (env, config)
}

#[test]
fn prices_marks_a_retired_model_in_use_and_run_refuses_its_tier() {
    let (env, config) = env_with_retired_sonnet();
    let out = env.cmd().arg("--config").arg(&config).arg("prices").output().expect("prices");
    assert!(out.status.success(), "{}", stderr(&out));
    let line = stdout(&out).lines().find(|l| l.contains("claude-sonnet-4 ")).map(str::to_string).unwrap_or_default();
    assert!(line.contains("RETIRED 2026-06-15, IN USE by the sonnet tier"), "{line}\n{}", stdout(&out));
    assert!(stderr(&out).contains("claude-sonnet-4 is retired"), "{}", stderr(&out));

    let agents = repo().join("fixtures/agents");
    let out = env
        .cmd()
        .arg("--config")
        .arg(&config)
        .arg("--agents")
        .arg(&agents)
        .args(["run", "--dry-run", "Review the pull request that adds pagination"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("the sonnet tier names claude-sonnet-4, which is retired"), "{}", stderr(&out));
}
