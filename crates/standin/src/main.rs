//! `standin [--port N] [--script FILE.json] [--api-key KEY] [--batch-delay SECS]`
//!
//! Prints `listening on http://127.0.0.1:PORT` as the first stdout line, then serves until
//! killed. Loopback only.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use devteam_standin::{Config, Script, StandIn};

const USAGE: &str = "usage: standin [--port N] [--script FILE.json] [--api-key KEY] [--batch-delay SECS]";

fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("standin: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("standin: cannot start runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(config))
}

async fn run(config: Config) -> ExitCode {
    let handle = match StandIn::spawn(config).await {
        Ok(handle) => handle,
        Err(e) => {
            eprintln!("standin: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on {}", handle.base_url());
    // Scripts wait for this line, so it must not sit in a buffer.
    let _ = std::io::stdout().flush();
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Config, String> {
    let mut config = Config::default();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--port" => config.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--api-key" => config.api_key = Some(value()?),
            "--script" => config.script = load_script(&value()?)?,
            "--batch-delay" => {
                let secs: f64 = value()?.parse().map_err(|e| format!("--batch-delay: {e}"))?;
                config.batch_delay = Duration::try_from_secs_f64(secs).map_err(|e| format!("--batch-delay: {e}"))?;
            }
            "-h" | "--help" => return Err("help requested".into()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(config)
}

fn load_script(path: &str) -> Result<Script, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("--script {path}: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("--script {path}: {e}"))
}
