//! Delivering alerts: always on stderr, and optionally to a Slack-style webhook (`{"text": ...}`)
//! and to a command the user configured (the alert as JSON on stdin, and in `DEVTEAM_ALERT_*`
//! variables). Delivery happens after the alert is recorded; a failure is a warning.

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};

use super::Alert;
use crate::output::Printer;

/// How long a webhook or command may take before devteam gives up on it and carries on.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Where alerts go.
#[derive(Debug, Clone)]
pub struct Notifier {
    printer: Printer,
    webhook: Option<String>,
    command: Option<String>,
}

impl Notifier {
    pub fn new(printer: Printer, webhook: Option<String>, command: Option<String>) -> Self {
        Self { printer, webhook, command }
    }

    /// A warning on stderr (an override, a late settle).
    pub fn warn(&self, text: &str) {
        self.printer.warn(text);
    }

    /// Prints each alert on stderr and sends it on; never fails.
    pub fn deliver(&self, alerts: &[Alert]) {
        for alert in alerts {
            self.printer.warn(&alert.text);
            if let Some(url) = &self.webhook
                && let Err(e) = post(url, &alert.text)
            {
                self.printer.warn(&format!("budget webhook {}: {e:#} (the alert is recorded)", redact(url)));
            }
            if let Some(command) = &self.command
                && let Err(e) = run_command(command, alert)
            {
                self.printer.warn(&format!("budget command `{command}`: {e:#} (the alert is recorded)"));
            }
        }
    }
}

/// Posts `{"text": ...}`. The HTTP client runs on a thread of its own with its own small
/// runtime, so this works the same from plain code and from inside an async command.
fn post(url: &str, text: &str) -> Result<()> {
    let body = serde_json::json!({ "text": text });
    let outcome = std::thread::scope(|scope| {
        scope
            .spawn(|| -> Result<()> {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                runtime.block_on(async {
                    let client = crate::api::client_builder().timeout(DELIVERY_TIMEOUT).build()?;
                    let response = client.post(url).json(&body).send().await?;
                    response.error_for_status()?;
                    Ok(())
                })
            })
            .join()
    });
    outcome.map_err(|_| anyhow!("the webhook client panicked"))?.map_err(|e| anyhow!(without_url(&e)))
}

/// reqwest's errors quote the URL, and a webhook URL is a secret.
fn without_url(e: &anyhow::Error) -> String {
    match e.downcast_ref::<reqwest::Error>() {
        Some(re) => {
            let status = re.status().map(|s| format!("HTTP {s}"));
            let kind = if re.is_timeout() {
                "timed out"
            } else if re.is_connect() {
                "cannot connect"
            } else {
                "failed"
            };
            status.unwrap_or_else(|| kind.to_string())
        }
        None => format!("{e:#}"),
    }
}

/// Scheme and host only.
fn redact(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    format!("{scheme}://{host}/...")
}

/// Runs the command through the shell with the alert on stdin; its stdout goes to our stderr
/// so it cannot corrupt a `--json` report.
fn run_command(command: &str, alert: &Alert) -> Result<()> {
    let json = serde_json::to_vec(alert).context("serializing the alert")?;
    let mut cmd = shell(command);
    scrub_credentials(&mut cmd);
    let mut child = cmd
        .env("DEVTEAM_ALERT_LEVEL", alert.level.as_str())
        .env("DEVTEAM_ALERT_BUDGET", &alert.budget)
        .env("DEVTEAM_ALERT_THRESHOLD", alert.threshold_pct.to_string())
        .env("DEVTEAM_ALERT_TEXT", &alert.text)
        .stdin(Stdio::piped())
        .stdout(Stdio::from(std::io::stderr()))
        .spawn()
        .context("starting it")?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that ignores its input may exit before reading it: that is not a failure.
        let _ = stdin.write_all(&json);
    }
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().context("waiting for it")? {
            if !status.success() {
                bail!("it exited with {status}");
            }
            return Ok(());
        }
        if started.elapsed() > DELIVERY_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            bail!("it did not finish within {}s and was stopped", DELIVERY_TIMEOUT.as_secs());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An alert command is the user's, but it must not receive the API credential (or anything that
/// looks like one) it never asked for: every `ANTHROPIC_*` variable and every variable whose name
/// says key, token, secret, password or credential is removed from its environment.
fn scrub_credentials(cmd: &mut Command) {
    for (name, _) in std::env::vars_os() {
        if is_credential(&name.to_string_lossy()) {
            cmd.env_remove(&name);
        }
    }
}

fn is_credential(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.starts_with("ANTHROPIC_")
        || ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL"].iter().any(|w| upper.contains(w))
}

#[cfg(unix)]
fn shell(command: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(command);
    cmd
}

#[cfg(not(unix))]
fn shell(command: &str) -> Command {
    let mut cmd = Command::new("cmd");
    cmd.arg("/C").arg(command);
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_variables_are_recognised() {
        for name in ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "GITHUB_TOKEN", "aws_secret_x"]
        {
            assert!(is_credential(name), "{name}");
        }
        for name in ["PATH", "HOME", "DEVTEAM_ALERT_TEXT", "LANG"] {
            assert!(!is_credential(name), "{name}");
        }
    }
    use crate::budget::Mode;

    fn alert() -> Alert {
        Alert {
            text: "devteam: the daily budget is at 72%".into(),
            level: Mode::Warn,
            threshold_pct: 70,
            used_pct: 72.0,
            budget: "daily".into(),
            project: None,
            window: "daily",
            spent_usd: 3.6,
            limit_usd: Some(5.0),
            spent_tokens: 0,
            limit_tokens: None,
            window_start: "2025-06-18T00:00:00+00:00".into(),
            resets_at: "2025-06-19T00:00:00+00:00".into(),
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_command_gets_the_alert_on_stdin_and_in_its_environment() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("got");
        let command = format!(
            "cat > '{0}.json'; echo \"$DEVTEAM_ALERT_LEVEL $DEVTEAM_ALERT_THRESHOLD\" > '{0}.env'",
            out.display()
        );
        run_command(&command, &alert()).unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.with_extension("json")).unwrap()).unwrap();
        assert_eq!(json["level"], "warn");
        assert_eq!(json["limit_usd"], 5.0);
        assert_eq!(std::fs::read_to_string(out.with_extension("env")).unwrap().trim(), "warn 70");
    }

    #[cfg(unix)]
    #[test]
    fn a_failing_command_is_an_error_not_a_panic() {
        let err = run_command("exit 4", &alert()).unwrap_err();
        assert!(format!("{err:#}").contains("exit status: 4"), "{err:#}");
    }

    /// A one-shot HTTP server on loopback: answers `status` and hands back the request body.
    fn one_shot_server(status: &'static str) -> (String, std::thread::JoinHandle<String>) {
        use std::io::{BufRead as _, BufReader, Read as _};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/services/T/B/secret", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let reply = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            (&stream).write_all(reply.as_bytes()).unwrap();
            String::from_utf8(body).unwrap()
        });
        (url, handle)
    }

    #[test]
    fn the_webhook_gets_slack_style_json() {
        let (url, server) = one_shot_server("200 OK");
        post(&url, "devteam: the daily budget is at 72%").unwrap();
        let body: serde_json::Value = serde_json::from_str(&server.join().unwrap()).unwrap();
        assert_eq!(body, serde_json::json!({ "text": "devteam: the daily budget is at 72%" }));
    }

    #[test]
    fn a_webhook_error_status_is_reported_without_the_url() {
        let (url, server) = one_shot_server("500 Internal Server Error");
        let err = format!("{:#}", post(&url, "x").unwrap_err());
        server.join().unwrap();
        assert!(err.contains("500") && !err.contains("secret"), "{err}");
    }

    #[test]
    fn a_webhook_that_is_not_there_fails_without_quoting_the_url() {
        // Port 9 on loopback (discard) is closed on a test machine: the connection is refused.
        let err = post("http://127.0.0.1:9/services/T000/B000/secret", "x").unwrap_err();
        assert!(!format!("{err:#}").contains("secret"), "{err:#}");
        assert_eq!(redact("https://hooks.slack.com/services/T/B/secret"), "https://hooks.slack.com/...");
    }
}
