//! Secrets stay secret when things break: a key inside `ANTHROPIC_BASE_URL` is never printed,
//! and an alert command never receives the API credential.

use devteam_standin::Script;

use super::{Mode, Rig};
use crate::common::stderr;

#[test]
fn a_key_in_the_base_url_is_redacted_from_errors() {
    let rig = Rig::new(Script::default(), |_| Mode::Pass);
    // Nothing listens on port 1: the connection fails and the error names the URL.
    let out = rig
        .run("tune the slow orders query")
        .env("ANTHROPIC_BASE_URL", "http://user:sk-ant-IN-URL-42@127.0.0.1:1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("could not reach the API"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("sk-ant-IN-URL-42"), "{}", stderr(&out));
    assert!(stderr(&out).contains("[redacted]@127.0.0.1"), "{}", stderr(&out));
}

#[cfg(unix)]
#[test]
fn an_alert_command_gets_no_credentials_in_its_environment() {
    let rig = Rig::new(Script::default(), |_| Mode::Pass);
    let seen = rig.env.path().join("alert-env.txt");
    let dir = rig.env.path().join("config/devteam");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.yaml"), format!("budget-command: \"env > '{}'\"\n", seen.display())).unwrap();
    // A budget too small for any call: the refusal alerts, which runs the command.
    rig.set_daily_budget(0.0001);
    let out = rig.run("tune the slow orders query").env("GITHUB_TOKEN", "ghp-SECRET").output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let env = std::fs::read_to_string(&seen).expect("the alert command ran");
    assert!(env.contains("DEVTEAM_ALERT_LEVEL="), "{env}");
    for secret in ["ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "sk-test-faults", "GITHUB_TOKEN", "ghp-SECRET"] {
        assert!(!env.contains(secret), "{secret} reached the alert command:\n{env}");
    }
}
