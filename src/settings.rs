//! Settings resolved once, before any command runs: flags > `DEVTEAM_*` env > config file >
//! defaults. Commands receive a `Settings` and never read the environment or files for
//! settings themselves.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use serde::Deserialize;

use crate::cli::{ColorChoice, GlobalArgs};
use crate::env::{self, Env};
use crate::error::UserError;
use crate::routing::{Thresholds, Weights};

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
    /// Complexity weights replacing the bundled ones; relative to the config file's folder.
    complexity_weights: Option<PathBuf>,
    /// Scores at which routing picks Sonnet and Opus.
    tier_thresholds: Option<Thresholds>,
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
    /// Model routing's weights and thresholds.
    pub routing: RoutingSettings,
}

/// How tasks are scored and mapped to tiers.
#[derive(Debug, Clone)]
pub struct RoutingSettings {
    pub weights: Weights,
    pub thresholds: Thresholds,
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
        let routing = routing_settings(&config, &config_dir)?;
        let from_config = |p: &Option<PathBuf>| p.as_ref().map(|p| config_dir.join(p));
        let agents_dir = args.agents.clone().or_else(|| from_config(&config.agents));
        let db_path = match args.db.clone().or_else(|| from_config(&config.db)) {
            Some(path) => path,
            None => env
                .data_dir()
                .map(|d| d.join("devteam.db"))
                .ok_or_else(|| {
                    UserError::new(
                        "cannot find a data folder: set HOME, XDG_DATA_HOME or pass --db FILE",
                    )
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
            output: OutputSettings {
                json: args.json,
                quiet: args.quiet,
                verbose: args.verbose,
                color,
            },
            card_max_tokens: pick(
                env,
                env::DEVTEAM_CARD_MAX_TOKENS,
                config.card_max_tokens,
                DEFAULT_CARD_MAX_TOKENS,
            )?,
            discover_top: pick(
                env,
                env::DEVTEAM_DISCOVER_TOP,
                config.discover_top,
                DEFAULT_DISCOVER_TOP,
            )?,
            discover_shortlist: config
                .discover_shortlist
                .unwrap_or(DEFAULT_SHORTLIST)
                .max(1),
            routing,
        })
    }
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
    let dir = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
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

/// The bundled weights unless the config names a file; default thresholds unless set. Bad
/// values name the file and the field.
fn routing_settings(config: &ConfigFile, config_dir: &Path) -> Result<RoutingSettings> {
    let weights = match &config.complexity_weights {
        Some(path) => Weights::load(&config_dir.join(path))
            .map_err(|e| UserError::new(format!("complexity-weights {e}")))?,
        None => Weights::default(),
    };
    let thresholds = config
        .tier_thresholds
        .unwrap_or_default()
        .validate()
        .map_err(|e| UserError::new(format!("config tier-thresholds.{e}")))?;
    Ok(RoutingSettings {
        weights,
        thresholds,
    })
}

/// A positive number from env, else config, else the default; a bad env value is an error.
fn pick(env: &Env, key: &str, config: Option<usize>, default: usize) -> Result<usize> {
    let value = match env.get(key) {
        Some(raw) => raw
            .parse::<usize>()
            .map_err(|_| UserError::new(format!("{key}={raw:?} is not a whole number")))?,
        None => config.unwrap_or(default),
    };
    if value == 0 {
        bail!(UserError::new(format!("{key} must be at least 1")));
    }
    Ok(value)
}

fn absolute(path: &Path) -> Result<PathBuf> {
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
        let s = resolve(
            &["--config", cfg_arg],
            &[("HOME", "/h"), (env::DEVTEAM_DISCOVER_TOP, "9")],
        )
        .unwrap();
        assert_eq!(s.discover_top, 9);
        assert_eq!(s.card_max_tokens, 150);
        assert_eq!(s.agents_dir, Some(dir.path().join("lib")));
        assert_eq!(
            s.db_path,
            PathBuf::from("/h/.local/share/devteam/devteam.db")
        );
        let s = resolve(
            &["--config", cfg_arg, "--agents", "/other"],
            &[("HOME", "/h")],
        )
        .unwrap();
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
        assert!(
            msg.contains("c.yaml") && msg.contains("discover-top"),
            "{msg}"
        );
        std::fs::write(&cfg, "dicsover-top: 3\n").unwrap();
        let msg = format!(
            "{:#}",
            resolve(&["--config", cfg.to_str().unwrap()], &[("HOME", "/h")]).unwrap_err()
        );
        assert!(msg.contains("unknown field"), "{msg}");
    }

    #[test]
    fn routing_weights_and_thresholds_come_from_the_config() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("c.yaml");
        let weights = crate::routing::weights_yaml().replace("base: ", "base: 1");
        std::fs::write(dir.path().join("w.yaml"), weights).unwrap();
        std::fs::write(
            &cfg,
            "complexity-weights: w.yaml\ntier-thresholds: {sonnet: 2.5, opus: 7.0}\n",
        )
        .unwrap();
        let s = resolve(&["--config", cfg.to_str().unwrap()], &[("HOME", "/h")]).unwrap();
        assert_eq!(s.routing.thresholds.opus, 7.0);
        assert_ne!(s.routing.weights, Weights::default());
        std::fs::write(&cfg, "tier-thresholds: {sonnet: 5, opus: 4}\n").unwrap();
        let msg = format!(
            "{:#}",
            resolve(&["--config", cfg.to_str().unwrap()], &[("HOME", "/h")]).unwrap_err()
        );
        assert!(msg.contains("tier-thresholds.opus"), "{msg}");
        std::fs::write(&cfg, "complexity-weights: missing.yaml\n").unwrap();
        let msg = format!(
            "{:#}",
            resolve(&["--config", cfg.to_str().unwrap()], &[("HOME", "/h")]).unwrap_err()
        );
        assert!(msg.contains("missing.yaml"), "{msg}");
    }

    #[test]
    fn bad_env_value_is_an_error_and_no_color_turns_colour_off() {
        assert!(resolve(&[], &[("HOME", "/h"), (env::DEVTEAM_DISCOVER_TOP, "x")]).is_err());
        let s = resolve(&[], &[("HOME", "/h"), (env::NO_COLOR, "1")]).unwrap();
        assert_eq!(s.output.color, ColorChoice::Never);
    }
}
