//! `run --check COMMAND`: after a run, a command (the project's tests, say) decides whether the
//! run was good. It runs through `sh -c` with a credential-free environment: only `PATH`,
//! `HOME`, `LANG`, `TERM` and `TMPDIR` pass, plus `DEVTEAM_RUN_ID`, so a check can never read
//! the API key or a webhook secret.

use std::process::{Command, Stdio};

use anyhow::{Context as _, Result};

/// Variables a check may see.
const PASSED: [&str; 5] = ["PATH", "HOME", "LANG", "TERM", "TMPDIR"];

/// How a check ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// The exit status; `None` when a signal ended it.
    pub exit_code: Option<i32>,
}

impl CheckResult {
    pub fn good(&self) -> bool {
        self.exit_code == Some(0)
    }
}

/// Runs `command` for run `run_id`, its output going to stderr (stdout carries the run's report).
pub fn run(command: &str, run_id: &str, vars: &dyn Fn(&str) -> Option<String>) -> Result<CheckResult> {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(command).env_clear().stdin(Stdio::null()).stdout(std::io::stderr());
    for key in PASSED {
        if let Some(value) = vars(key) {
            cmd.env(key, value);
        }
    }
    cmd.env("DEVTEAM_RUN_ID", run_id);
    let status = cmd.status().with_context(|| format!("running the check {command:?}"))?;
    Ok(CheckResult { exit_code: status.code() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exit_status_is_the_verdict_and_secrets_stay_out() {
        let vars = |k: &str| match k {
            "PATH" => std::env::var("PATH").ok(),
            "ANTHROPIC_API_KEY" => Some("sk-secret".into()),
            _ => None,
        };
        assert!(run("true", "r1", &vars).unwrap().good());
        assert_eq!(run("exit 3", "r1", &vars).unwrap().exit_code, Some(3));
        let leak = run(r#"test -z "$ANTHROPIC_API_KEY" && test "$DEVTEAM_RUN_ID" = r1"#, "r1", &vars).unwrap();
        assert!(leak.good());
    }
}
