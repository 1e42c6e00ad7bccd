//! Settings resolved once, before any command runs: flags > `DEVTEAM_*` env > config file >
//! defaults. Commands receive a `Settings` and never read the environment or files for
//! settings themselves.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::budget::{DEFAULT_RESERVATION_TTL, Policy, Thresholds};
use crate::cli::{ColorChoice, GlobalArgs};
use crate::env::{self, Env};
use crate::error::UserError;

/// Largest metadata card, in tokens, unless configured.
const DEFAULT_CARD_MAX_TOKENS: usize = 200;
/// Agents `discover` returns unless configured.
const DEFAULT_DISCOVER_TOP: usize = 5;
/// Cards consulted per task before choosing; the shortlist a reranker would see.
const DEFAULT_SHORTLIST: usize = 20;

/// The config file, `config.yaml`. Unknown keys are an error so that typos do not pass silently.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    /// Agent library folder; relative paths are taken from the config file's folder.
    agents: Option<PathBuf>,
    /// Store file; relative paths are taken from the config file's folder.
    db: Option<PathBuf>,
    card_max_tokens: Option<usize>,
    discover_top: Option<usize>,
    discover_shortlist: Option<usize>,
    /// Price overrides: the bundled format (YAML) or LiteLLM's JSON.
    prices_file: Option<PathBuf>,
    /// IANA time zone that draws budget windows (and day boundaries).
    timezone: Option<String>,
    /// Warn, economy and block thresholds, in percent of a budget.
    budget_thresholds: Option<Vec<u32>>,
    /// Slack-style webhook for budget alerts.
    budget_webhook: Option<String>,
    /// Shell command run with each budget alert as JSON on stdin.
    budget_command: Option<String>,
    /// Seconds a reservation lives when its process stops answering.
    budget_reservation_ttl: Option<u64>,
}

/// Everything a command needs to know about how it was asked to run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The agent library, absolute, when one was named anywhere.
    pub agents_dir: Option<PathBuf>,
    /// The store file.
    pub db_path: PathBuf,
    /// Output options.
    pub output: OutputSettings,
    /// Largest metadata card, in tokens.
    pub card_max_tokens: usize,
    /// Agents `discover` returns by default.
    pub discover_top: usize,
    /// Cards consulted per task.
    pub discover_shortlist: usize,
    /// Price overrides on top of the bundled table.
    pub prices_file: Option<PathBuf>,
    /// Budgets: windows, thresholds, alert delivery.
    pub budget: BudgetSettings,
}

/// How budgets are kept and where their alerts go.
#[derive(Debug, Clone)]
pub struct BudgetSettings {
    /// Time zone, thresholds and reservation lifetime.
    pub policy: Policy,
    /// Slack-style webhook URL (a secret: never printed whole).
    pub webhook: Option<String>,
    /// Shell command run per alert.
    pub command: Option<String>,
}

/// How to print.
#[derive(Debug, Clone, Copy)]
pub struct OutputSettings {
    pub json: bool,
    pub quiet: bool,
    pub verbose: u8,
    pub color: ColorChoice,
}

impl Settings {
    /// Merges flags, environment, config file and defaults, in that order of precedence.
    pub fn resolve(args: &GlobalArgs, env: &Env) -> Result<Self> {
        let (config, config_dir) = load_config(args.config.as_deref(), env)?;
        let from_config = |p: &Option<PathBuf>| p.as_ref().map(|p| config_dir.join(p));
        let agents_dir = args.agents.clone().or_else(|| from_config(&config.agents));
        let db_path = match args.db.clone().or_else(|| from_config(&config.db)) {
            Some(path) => path,
            None => env.data_dir().map(|d| d.join("devteam.db")).ok_or_else(|| {
                UserError::new("cannot find a data folder: set HOME, XDG_DATA_HOME or pass --db FILE")
            })?,
        };
        let color = match (args.color, env.get(env::NO_COLOR)) {
            (Some(choice), _) => choice,
            (None, Some(_)) => ColorChoice::Never,
            (None, None) => ColorChoice::Auto,
        };
        Ok(Self {
            agents_dir: agents_dir.map(|p| absolute(&p)).transpose()?,
            db_path: absolute(&db_path)?,
            output: OutputSettings { json: args.json, quiet: args.quiet, verbose: args.verbose, color },
            card_max_tokens: pick(env, env::DEVTEAM_CARD_MAX_TOKENS, config.card_max_tokens, DEFAULT_CARD_MAX_TOKENS)?,
            discover_top: pick(env, env::DEVTEAM_DISCOVER_TOP, config.discover_top, DEFAULT_DISCOVER_TOP)?,
            discover_shortlist: config.discover_shortlist.unwrap_or(DEFAULT_SHORTLIST).max(1),
            prices_file: env.abs_path(env::DEVTEAM_PRICES_FILE).or_else(|| from_config(&config.prices_file)),
            budget: budget_settings(&config, env)?,
        })
    }
}

/// Budget settings from env, else config, else defaults (UTC, 70/85/100 %, 15 minutes).
fn budget_settings(config: &ConfigFile, env: &Env) -> Result<BudgetSettings> {
    let (zone, key) = match env.get(env::DEVTEAM_TIMEZONE) {
        Some(name) => (Some(name), env::DEVTEAM_TIMEZONE),
        None => (config.timezone.as_deref(), "config `timezone`"),
    };
    let timezone = match zone {
        Some(name) => TimeZone::get(name).map_err(|e| {
            UserError::new(format!(
                "{key}: `{name}` is not a known time zone ({e}); use an IANA name like Europe/Paris or UTC"
            ))
        })?,
        None => TimeZone::UTC,
    };
    let thresholds = match &config.budget_thresholds {
        Some(list) => {
            Thresholds::from_list(list).map_err(|e| UserError::new(format!("config `budget-thresholds`: {e}")))?
        }
        None => Thresholds::default(),
    };
    let ttl = match env.get(env::DEVTEAM_BUDGET_RESERVATION_TTL) {
        Some(raw) => Some(raw.parse::<u64>().map_err(|_| {
            UserError::new(format!("{}={raw:?} is not a whole number of seconds", env::DEVTEAM_BUDGET_RESERVATION_TTL))
        })?),
        None => config.budget_reservation_ttl,
    };
    let reservation_ttl = ttl.map_or(DEFAULT_RESERVATION_TTL, std::time::Duration::from_secs);
    if reservation_ttl.is_zero() {
        bail!(UserError::new("budget-reservation-ttl must be at least 1 second"));
    }
    let webhook = env.get(env::DEVTEAM_BUDGET_WEBHOOK).map(str::to_string).or_else(|| config.budget_webhook.clone());
    if let Some(url) = &webhook
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        bail!(UserError::new("budget-webhook must be an http:// or https:// URL"));
    }
    Ok(BudgetSettings {
        policy: Policy { timezone, thresholds, reservation_ttl },
        webhook,
        command: config.budget_command.clone().filter(|c| !c.trim().is_empty()),
    })
}

/// Reads the config file named by flag/env, else the XDG default; a missing default is fine.
fn load_config(explicit: Option<&Path>, env: &Env) -> Result<(ConfigFile, PathBuf)> {
    let (path, required) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => match env.config_dir() {
            Some(dir) => (dir.join("config.yaml"), false),
            None => return Ok((ConfigFile::default(), PathBuf::from("."))),
        },
    };
    let dir = path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            return Ok((ConfigFile::default(), dir));
        }
        Err(e) => return Err(e).with_context(|| format!("reading config file {}", path.display())),
    };
    if text.trim().is_empty() {
        return Ok((ConfigFile::default(), dir));
    }
    let config = crate::yaml::from_str::<ConfigFile>(&text)
        .map_err(|e| UserError::new(format!("config file {}: {e}", path.display())))?;
    Ok((config, dir))
}

/// A positive number from env, else config, else the default; a bad env value is an error.
fn pick(env: &Env, key: &str, config: Option<usize>, default: usize) -> Result<usize> {
    let value = match env.get(key) {
        Some(raw) => {
            raw.parse::<usize>().map_err(|_| UserError::new(format!("{key}={raw:?} is not a whole number")))?
        }
        None => config.unwrap_or(default),
    };
    if value == 0 {
        bail!(UserError::new(format!("{key} must be at least 1")));
    }
    Ok(value)
}

/// An absolute path; existing paths are canonicalized so that `../x` and `x` name one library.
fn absolute(path: &Path) -> Result<PathBuf> {
    if let Ok(canonical) = std::fs::canonicalize(path) {
        return Ok(canonical);
    }
    std::path::absolute(path).with_context(|| format!("resolving path {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn resolve(args: &[&str], env: &[(&str, &str)]) -> Result<Settings> {
        let cli = crate::cli::Cli::parse_from([&["devteam"], args, &["discover", "x"]].concat());
        Settings::resolve(&cli.global, &Env::from_pairs(env))
    }

    #[test]
    fn flags_beat_env_beat_config_beat_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("c.yaml");
        std::fs::write(&cfg, "discover-top: 7\ncard-max-tokens: 150\nagents: lib\n").unwrap();
        let cfg_arg = cfg.to_str().unwrap();
        let s = resolve(&["--config", cfg_arg], &[("HOME", "/h"), (env::DEVTEAM_DISCOVER_TOP, "9")]).unwrap();
        assert_eq!(s.discover_top, 9);
        assert_eq!(s.card_max_tokens, 150);
        assert_eq!(s.agents_dir, Some(dir.path().join("lib")));
        assert_eq!(s.db_path, PathBuf::from("/h/.local/share/devteam/devteam.db"));
        let s = resolve(&["--config", cfg_arg, "--agents", "/other"], &[("HOME", "/h")]).unwrap();
        assert_eq!(s.agents_dir, Some(PathBuf::from("/other")));
        assert_eq!(s.discover_top, 7);
    }

    #[test]
    fn bad_config_values_name_the_file_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("c.yaml");
        std::fs::write(&cfg, "discover-top: many\n").unwrap();
        let err = resolve(&["--config", cfg.to_str().unwrap()], &[("HOME", "/h")]).unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains("c.yaml") && msg.contains("discover-top"), "{msg}");
        std::fs::write(&cfg, "dicsover-top: 3\n").unwrap();
        let msg = format!("{:#}", resolve(&["--config", cfg.to_str().unwrap()], &[("HOME", "/h")]).unwrap_err());
        assert!(msg.contains("unknown field"), "{msg}");
    }

    #[test]
    fn budget_settings_come_from_env_then_config_and_bad_ones_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("c.yaml");
        std::fs::write(&cfg, "timezone: Europe/Paris\nbudget-thresholds: [50, 80, 95]\nbudget-reservation-ttl: 30\n")
            .unwrap();
        let cfg_arg = cfg.to_str().unwrap();
        let s = resolve(&["--config", cfg_arg], &[("HOME", "/h")]).unwrap();
        assert_eq!(s.budget.policy.timezone.iana_name(), Some("Europe/Paris"));
        assert_eq!(s.budget.policy.thresholds, Thresholds { warn: 50, economy: 80, block: 95 });
        assert_eq!(s.budget.policy.reservation_ttl.as_secs(), 30);
        let s = resolve(&["--config", cfg_arg], &[("HOME", "/h"), (env::DEVTEAM_TIMEZONE, "Asia/Tokyo")]).unwrap();
        assert_eq!(s.budget.policy.timezone.iana_name(), Some("Asia/Tokyo"));
        let s = resolve(&[], &[("HOME", "/h")]).unwrap();
        assert_eq!(s.budget.policy.timezone, TimeZone::UTC);
        assert_eq!(s.budget.policy.thresholds, Thresholds::default());
        let err = resolve(&[], &[("HOME", "/h"), (env::DEVTEAM_TIMEZONE, "Mars/Olympus")]).unwrap_err();
        assert!(format!("{err:#}").contains("DEVTEAM_TIMEZONE"), "{err:#}");
        std::fs::write(&cfg, "budget-thresholds: [85, 70, 100]\n").unwrap();
        let err = resolve(&["--config", cfg_arg], &[("HOME", "/h")]).unwrap_err();
        assert!(format!("{err:#}").contains("budget-thresholds"), "{err:#}");
        std::fs::write(&cfg, "budget-webhook: hooks.slack.com/x\n").unwrap();
        assert!(resolve(&["--config", cfg_arg], &[("HOME", "/h")]).is_err());
    }

    #[test]
    fn bad_env_value_is_an_error_and_no_color_turns_colour_off() {
        assert!(resolve(&[], &[("HOME", "/h"), (env::DEVTEAM_DISCOVER_TOP, "x")]).is_err());
        let s = resolve(&[], &[("HOME", "/h"), (env::NO_COLOR, "1")]).unwrap();
        assert_eq!(s.output.color, ColorChoice::Never);
    }
}
