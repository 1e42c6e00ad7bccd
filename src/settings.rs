//! Settings resolved once, before any command runs: flags > `DEVTEAM_*` env > config file >
//! defaults. Commands receive a `Settings` and never read the environment or files for
//! settings themselves.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use serde::Deserialize;

use crate::cli::{ColorChoice, GlobalArgs};
use crate::env::{self, Env};
use crate::error::UserError;

/// Largest metadata card, in tokens, unless configured.
const DEFAULT_CARD_MAX_TOKENS: usize = 200;
/// Agents `discover` returns unless configured.
const DEFAULT_DISCOVER_TOP: usize = 5;
/// Cards consulted per task before choosing; the shortlist a reranker would see.
const DEFAULT_SHORTLIST: usize = 20;
/// Defaults of `restructure-agents`, as data.
const BUNDLED_RESTRUCTURE: &str = include_str!("../data/restructure.yaml");

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
    /// Rules of `restructure-agents`, on top of `data/restructure.yaml`.
    restructure: Option<RestructureConfig>,
}

/// The `restructure:` block (and the bundled defaults, in the same shape). Lists add to the
/// defaults; an entry starting with `!` removes a default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RestructureConfig {
    #[serde(rename = "static")]
    static_headings: Option<Vec<String>>,
    #[serde(rename = "dynamic")]
    dynamic_headings: Option<Vec<String>>,
    dynamic_phrases: Option<Vec<String>>,
    similarity: Option<f64>,
    min_agents: Option<usize>,
    min_shared_tokens: Option<usize>,
    max_foundation_tokens: Option<usize>,
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
    /// How `restructure-agents` classifies and groups sections.
    pub restructure: RestructureSettings,
}

/// How `restructure-agents` classifies sections and finds shared ones.
#[derive(Debug, Clone, PartialEq)]
pub struct RestructureSettings {
    /// Heading patterns of sections that stay the same (matched at word starts, any case).
    pub static_headings: Vec<String>,
    /// Heading patterns of sections that change often.
    pub dynamic_headings: Vec<String>,
    /// Phrases that make a section with an unmatched heading dynamic.
    pub dynamic_phrases: Vec<String>,
    /// Similarity (0-1] at which two sections count as one block.
    pub similarity: f64,
    /// Agents that must have a block before it is hoisted into the shared foundation.
    pub min_agents: usize,
    /// Smallest block worth hoisting, in tokens.
    pub min_shared_tokens: usize,
    /// Largest foundation, in tokens: every call sends all of it.
    pub max_foundation_tokens: usize,
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
        let (mut config, config_dir, config_path) = load_config(args.config.as_deref(), env)?;
        let restructure = restructure_settings(config.restructure.take(), &config_path)?;
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
            restructure,
        })
    }
}

impl RestructureSettings {
    /// The bundled defaults alone, for tests.
    #[cfg(test)]
    pub fn bundled() -> Self {
        restructure_settings(None, Path::new("config.yaml")).expect("bundled data/restructure.yaml is valid")
    }
}

/// Reads the config file named by flag/env, else the XDG default; a missing default is fine.
/// Returns the config, the folder relative paths start from, and the file's path.
fn load_config(explicit: Option<&Path>, env: &Env) -> Result<(ConfigFile, PathBuf, PathBuf)> {
    let (path, required) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => match env.config_dir() {
            Some(dir) => (dir.join("config.yaml"), false),
            None => return Ok((ConfigFile::default(), PathBuf::from("."), PathBuf::from("config.yaml"))),
        },
    };
    let dir = path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            return Ok((ConfigFile::default(), dir, path));
        }
        Err(e) => return Err(e).with_context(|| format!("reading config file {}", path.display())),
    };
    if text.trim().is_empty() {
        return Ok((ConfigFile::default(), dir, path));
    }
    let config = crate::yaml::from_str::<ConfigFile>(&text)
        .map_err(|e| UserError::new(format!("config file {}: {e}", path.display())))?;
    Ok((config, dir, path))
}

/// The bundled restructure rules with the config's additions and removals applied.
fn restructure_settings(config: Option<RestructureConfig>, path: &Path) -> Result<RestructureSettings> {
    let bundled: RestructureConfig =
        crate::yaml::from_str(BUNDLED_RESTRUCTURE).context("bundled data/restructure.yaml is invalid")?;
    let config = config.unwrap_or_default();
    let missing = || anyhow::anyhow!("bundled data/restructure.yaml lacks a key");
    let settings = RestructureSettings {
        static_headings: merge_patterns(bundled.static_headings, config.static_headings),
        dynamic_headings: merge_patterns(bundled.dynamic_headings, config.dynamic_headings),
        dynamic_phrases: merge_patterns(bundled.dynamic_phrases, config.dynamic_phrases),
        similarity: config.similarity.or(bundled.similarity).ok_or_else(missing)?,
        min_agents: config.min_agents.or(bundled.min_agents).ok_or_else(missing)?,
        min_shared_tokens: config.min_shared_tokens.or(bundled.min_shared_tokens).ok_or_else(missing)?,
        max_foundation_tokens: config.max_foundation_tokens.or(bundled.max_foundation_tokens).ok_or_else(missing)?,
    };
    let bad =
        |field: &str, rule: &str| UserError::new(format!("config file {}: restructure.{field} {rule}", path.display()));
    if !(settings.similarity > 0.0 && settings.similarity <= 1.0) {
        bail!(bad("similarity", &format!("must be above 0 and at most 1 (got {})", settings.similarity)));
    }
    if settings.min_agents < 2 {
        bail!(bad("min-agents", &format!("must be at least 2 (got {})", settings.min_agents)));
    }
    Ok(settings)
}

/// Defaults plus additions, minus the entries written `!pattern`; lower-cased, blanks dropped.
fn merge_patterns(defaults: Option<Vec<String>>, config: Option<Vec<String>>) -> Vec<String> {
    let mut out: Vec<String> = defaults.unwrap_or_default().iter().map(|p| p.trim().to_lowercase()).collect();
    for entry in config.unwrap_or_default() {
        let entry = entry.trim().to_lowercase();
        match entry.strip_prefix('!') {
            Some(removed) => out.retain(|p| p != removed.trim()),
            None if !entry.is_empty() && !out.contains(&entry) => out.push(entry),
            None => {}
        }
    }
    out.retain(|p| !p.is_empty());
    out
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
    fn restructure_rules_extend_and_trim_the_bundled_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("c.yaml");
        std::fs::write(&cfg, "restructure:\n  static: [Team Charter]\n  dynamic: ['!latest']\n  min-agents: 4\n")
            .unwrap();
        let s = resolve(&["--config", cfg.to_str().unwrap()], &[("HOME", "/h")]).unwrap().restructure;
        assert!(s.static_headings.contains(&"team charter".to_string()) && s.static_headings.contains(&"role".into()));
        assert!(!s.dynamic_headings.contains(&"latest".to_string()) && s.dynamic_headings.contains(&"status".into()));
        assert_eq!((s.min_agents, s.similarity), (4, 0.8));
        std::fs::write(&cfg, "restructure:\n  similarity: 1.5\n").unwrap();
        let msg = format!("{:#}", resolve(&["--config", cfg.to_str().unwrap()], &[("HOME", "/h")]).unwrap_err());
        assert!(msg.contains("c.yaml") && msg.contains("restructure.similarity"), "{msg}");
        std::fs::write(&cfg, "restructure:\n  statik: [x]\n").unwrap();
        assert!(resolve(&["--config", cfg.to_str().unwrap()], &[("HOME", "/h")]).is_err());
    }

    #[test]
    fn bad_env_value_is_an_error_and_no_color_turns_colour_off() {
        assert!(resolve(&[], &[("HOME", "/h"), (env::DEVTEAM_DISCOVER_TOP, "x")]).is_err());
        let s = resolve(&[], &[("HOME", "/h"), (env::NO_COLOR, "1")]).unwrap();
        assert_eq!(s.output.color, ColorChoice::Never);
    }
}
