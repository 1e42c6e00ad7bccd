//! Settings resolved once, before any command runs: flags > `DEVTEAM_*` env > config file >
//! defaults. Commands receive a `Settings` and never read the environment or files for
//! settings themselves.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::api::{ApiConfig, Credential};
use crate::budget::{DEFAULT_RESERVATION_TTL, Policy, Thresholds as BudgetThresholds};
use crate::cli::{ColorChoice, GlobalArgs};
use crate::clock::Clock;
use crate::env::{self, ClaudeDirs, Env};
use crate::error::UserError;
use crate::prompt::CacheStrategy;
use crate::routing::{Thresholds, Weights};

/// Largest metadata card, in tokens, unless configured.
const DEFAULT_CARD_MAX_TOKENS: usize = 200;
/// Agents `discover` returns unless configured.
const DEFAULT_DISCOVER_TOP: usize = 5;
/// Most output tokens per call unless configured.
const DEFAULT_MAX_TOKENS: u32 = 4096;
/// Cap of the shared project context unless configured.
const DEFAULT_PROJECT_CONTEXT_TOKENS: usize = 4000;
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
    /// Sentence-embedding model folder for discovery, `builtin` (default) or `off`; relative
    /// to the config file's folder.
    embedding_model: Option<String>,
    /// Price overrides: the bundled format (YAML) or LiteLLM's JSON.
    prices_file: Option<PathBuf>,
    /// Project whose context `run` shares with every agent; relative to the config file.
    project: Option<PathBuf>,
    /// Most output tokens per call.
    max_tokens: Option<u32>,
    /// `off`, `5m`, `mixed` (shared blocks 1h, agents 5m) or `1h`.
    cache_strategy: Option<String>,
    /// Size cap of the shared project context, in tokens.
    project_context_max_tokens: Option<usize>,
    /// Subtasks run at the same time at most.
    jobs: Option<usize>,
    /// Complexity from which a task is planned into subtasks [default: the opus threshold].
    plan_threshold: Option<f64>,
    /// Tier (or model id) that plans.
    planner_tier: Option<String>,
    /// Tier (or model id) that writes the final answer.
    synthesis_tier: Option<String>,
    /// Largest summary a subtask hands on, in tokens.
    summary_tokens: Option<usize>,
    /// Most subtasks in a plan.
    max_subtasks: Option<usize>,
    /// Turn optimizations off (or batching on) for every run; flags on `run` override.
    switches: Option<SwitchesFile>,
    /// Retries after a failed API attempt (default 2, as the official SDKs).
    api_max_retries: Option<u32>,
    /// Whole-request API timeout in seconds, streamed bodies included (default 600).
    api_timeout_secs: Option<u64>,
    /// Complexity weights replacing the bundled ones; relative to the config file's folder.
    complexity_weights: Option<PathBuf>,
    /// Scores at which routing picks Sonnet and Opus.
    tier_thresholds: Option<Thresholds>,
    /// IANA time zone that draws budget windows and the days of usage reports.
    timezone: Option<String>,
    /// Warn, economy and block thresholds, in percent of a budget.
    budget_thresholds: Option<Vec<u32>>,
    /// Slack-style webhook for budget alerts.
    budget_webhook: Option<String>,
    /// Shell command run with each budget alert as JSON on stdin.
    budget_command: Option<String>,
    /// Seconds a reservation lives when its process stops answering.
    budget_reservation_ttl: Option<u64>,
    /// Milliseconds a store writer waits for another process's lock before retrying.
    store_busy_timeout_ms: Option<u64>,
    /// Rules of `restructure-agents`, on top of `data/restructure.yaml`.
    restructure: Option<RestructureConfig>,
}

/// `switches:` in the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SwitchesFile {
    discovery: Option<bool>,
    routing: Option<bool>,
    shared_context: Option<bool>,
    planning: Option<bool>,
    batch: Option<bool>,
    economy: Option<bool>,
    rerank: Option<String>,
}

/// Which optimizations runs use, so a team can roll one back without a rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Switches {
    /// Find agents from the index (off: load every agent's full text and let a model choose).
    pub discovery: bool,
    pub routing: bool,
    pub shared_context: bool,
    pub planning: bool,
    pub batch: bool,
    /// Let budget pressure shift routing down, cap output and drop optional subtasks.
    pub economy: bool,
    pub rerank: RerankMode,
}

/// When `run` asks a model to choose among the shortlisted agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RerankMode {
    /// Only when the local ranking is not clear (the first two scores are close).
    Auto,
    Always,
    Never,
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
    /// The shared store's PostgreSQL URL, when `--db` / `DEVTEAM_DB` / `db:` names one.
    pub shared_db: Option<String>,
    /// How long a store writer waits for another process's lock.
    pub store_busy_timeout: std::time::Duration,
    /// Whether a missing store may be created: at the default location, or with `--init`.
    pub create_store: bool,
    /// Output options.
    pub output: OutputSettings,
    /// Largest metadata card, in tokens.
    pub card_max_tokens: usize,
    /// Agents `discover` returns by default.
    pub discover_top: usize,
    /// Cards consulted per task.
    pub discover_shortlist: usize,
    /// The sentence-embedding model discovery ranks with.
    pub embedding_model: EmbeddingModel,
    /// Price overrides on top of the bundled table.
    pub prices_file: Option<PathBuf>,
    /// What `run` does by default.
    pub run: RunSettings,
    /// How to reach the Claude API; credentials are checked when a client is built, so
    /// commands that never call the API run without them.
    pub api: ApiConfig,
    /// Model routing's weights and thresholds.
    pub routing: RoutingSettings,
    /// Budgets: windows, thresholds, alert delivery.
    pub budget: BudgetSettings,
    /// How `restructure-agents` classifies and groups sections.
    pub restructure: RestructureSettings,
    /// Day boundaries of usage reports and budget windows.
    pub timezone: Zone,
    /// Where Claude Code keeps its logs (checked by the importer).
    pub claude_dirs: ClaudeDirs,
    /// The config file read (or that would be), for commands that edit it with a backup.
    pub config_path: PathBuf,
    /// What "now" is: the wall clock, or the instant `--now` / `DEVTEAM_NOW` names.
    pub clock: Clock,
}

/// Defaults of `run`.
#[derive(Debug, Clone)]
pub struct RunSettings {
    pub project: Option<PathBuf>,
    pub max_tokens: u32,
    pub cache_strategy: CacheStrategy,
    pub project_context_max_tokens: usize,
    pub jobs: usize,
    pub plan_threshold: Option<f64>,
    pub planner_tier: String,
    pub synthesis_tier: String,
    pub summary_tokens: usize,
    pub max_subtasks: usize,
    pub switches: Switches,
}

/// How tasks are scored and mapped to tiers.
#[derive(Debug, Clone)]
pub struct RoutingSettings {
    pub weights: Weights,
    pub thresholds: Thresholds,
    /// The learned-weights file (`learned-routing.json` beside the store), read once here.
    pub learned_path: PathBuf,
    /// Its adjustments, when the file exists.
    pub learned: Option<crate::routing::learned::Learned>,
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
        let mut routing = routing_settings(&config, &config_dir, env)?;
        let timezone = resolve_zone(env, config.timezone.as_deref())?;
        // `~` is expanded as a shell would, also in the config file and in `--db=~/x`.
        let tilde = |p: &Path| p.to_str().map_or_else(|| p.to_path_buf(), |s| env.expand_tilde(s));
        let from_config = |p: &Option<PathBuf>| p.as_ref().map(|p| config_dir.join(tilde(p)));
        let agents_dir = args.agents.as_deref().map(tilde).or_else(|| from_config(&config.agents));
        let default_db = env.data_dir().map(|d| d.join("devteam.db"));
        // A PostgreSQL URL names the shared store; this host's own file (the agent index, and
        // the history `store migrate` copies) then stays at the default location.
        let shared_db =
            crate::store::pg::url_of(args.db.as_deref()).or_else(|| crate::store::pg::url_of(config.db.as_deref()));
        let local_db =
            if shared_db.is_some() { None } else { args.db.as_deref().map(tilde).or_else(|| from_config(&config.db)) };
        let db_path = match local_db {
            Some(path) => path,
            None => default_db.clone().ok_or_else(|| {
                UserError::new("cannot find a data folder: set HOME, XDG_DATA_HOME or pass --db FILE")
            })?,
        };
        let db_path = absolute(&db_path)?;
        (routing.learned_path, routing.learned) = crate::learn::settings::learned_beside(&db_path)?;
        // A mistyped --db must not pass for an empty store: only the default location (or an
        // explicit --init / `store init`) creates one.
        let create_store = args.init || default_db.map(|d| absolute(&d)).transpose()?.as_ref() == Some(&db_path);
        let color = match (args.color, env.get(env::NO_COLOR)) {
            (Some(choice), _) => choice,
            (None, Some(_)) => ColorChoice::Never,
            (None, None) => ColorChoice::Auto,
        };
        Ok(Self {
            agents_dir: agents_dir.map(|p| absolute(&p)).transpose()?,
            db_path,
            shared_db,
            store_busy_timeout: busy_timeout(env, &config)?,
            create_store,
            output: OutputSettings { json: args.json, quiet: args.quiet, verbose: args.verbose, color },
            card_max_tokens: pick(env, env::DEVTEAM_CARD_MAX_TOKENS, config.card_max_tokens, DEFAULT_CARD_MAX_TOKENS)?,
            discover_top: pick(env, env::DEVTEAM_DISCOVER_TOP, config.discover_top, DEFAULT_DISCOVER_TOP)?,
            discover_shortlist: config.discover_shortlist.unwrap_or(DEFAULT_SHORTLIST).max(1),
            embedding_model: embedding_model(env, config.embedding_model.as_deref(), &config_dir)?,
            prices_file: env
                .get(env::DEVTEAM_PRICES_FILE)
                .map(|p| env.expand_tilde(p))
                .filter(|p| p.is_absolute())
                .or_else(|| from_config(&config.prices_file)),
            api: api_config(env, &config)?,
            run: run_settings(env, &config, &from_config)?,
            routing,
            budget: budget_settings(&config, env, &timezone)?,
            restructure,
            timezone,
            claude_dirs: env.claude_config_dirs(),
            config_path,
            clock: clock(args.now.as_deref(), env)?,
        })
    }
}

/// Bounds of numeric settings, checked when they are read so a value that would overflow a
/// clock or a counter later is refused up front with its name.
const MAX_RESERVATION_TTL_SECS: u64 = 7 * 24 * 3600;
const MAX_API_TIMEOUT_SECS: u64 = 3600;
const MAX_API_RETRIES: u32 = 10;

/// The clock: `--now`, else `DEVTEAM_NOW`, else the wall clock.
fn clock(flag: Option<&str>, env: &Env) -> Result<Clock> {
    // clap reads DEVTEAM_NOW into the flag too; the env is consulted for callers without clap's.
    let Some(text) = flag.or_else(|| env.get(env::DEVTEAM_NOW)) else { return Ok(Clock::Wall) };
    Ok(Clock::parse(text).map_err(|e| UserError::new(format!("--now / {}: {e}", env::DEVTEAM_NOW)))?)
}

fn busy_timeout(env: &Env, config: &ConfigFile) -> Result<std::time::Duration> {
    let key = env::DEVTEAM_STORE_BUSY_TIMEOUT_MS;
    let ms = match env.get(key) {
        Some(raw) => raw.parse::<u64>().map_err(|_| UserError::new(format!("{key}={raw:?} is not a whole number")))?,
        None => config.store_busy_timeout_ms.unwrap_or(10_000),
    };
    if !(1..=MAX_BUSY_TIMEOUT_MS).contains(&ms) {
        bail!(UserError::new(format!("store-busy-timeout-ms must be between 1 and {MAX_BUSY_TIMEOUT_MS}, not {ms}")));
    }
    Ok(std::time::Duration::from_millis(ms))
}

const MAX_BUSY_TIMEOUT_MS: u64 = 600_000;

/// Which sentence-embedding model discovery uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmbeddingModel {
    /// The one compiled into the binary (all-MiniLM-L6-v2).
    Builtin,
    /// A folder with `model.safetensors`, `vocab.txt` and `config.json`.
    Dir(PathBuf),
    /// BM25 only.
    Off,
}

/// `DEVTEAM_EMBEDDING_MODEL` over `embedding-model:`; `builtin`, `off` or a folder.
fn embedding_model(env: &Env, config: Option<&str>, config_dir: &Path) -> Result<EmbeddingModel> {
    let (raw, base) = match env.get(env::DEVTEAM_EMBEDDING_MODEL) {
        Some(v) => (v.to_string(), std::env::current_dir().context("reading the current folder")?),
        None => match config {
            Some(v) => (v.to_string(), config_dir.to_path_buf()),
            None => return Ok(EmbeddingModel::Builtin),
        },
    };
    Ok(match raw.trim() {
        "" | "builtin" => EmbeddingModel::Builtin,
        "off" | "none" => EmbeddingModel::Off,
        dir => EmbeddingModel::Dir(base.join(dir)),
    })
}

/// The API settings: base URL and credential from `ANTHROPIC_*`, limits from the config file.
fn api_config(env: &Env, config: &ConfigFile) -> Result<ApiConfig> {
    let credential = Credential::from_vars(env.get(env::ANTHROPIC_API_KEY), env.get(env::ANTHROPIC_AUTH_TOKEN));
    let mut api = ApiConfig::new(env.get(env::ANTHROPIC_BASE_URL), credential);
    if let Some(retries) = config.api_max_retries {
        if retries > MAX_API_RETRIES {
            bail!(UserError::new(format!("api-max-retries must be at most {MAX_API_RETRIES}, not {retries}")));
        }
        api.retry.max_retries = retries;
    }
    match config.api_timeout_secs {
        Some(secs) if !(1..=MAX_API_TIMEOUT_SECS).contains(&secs) => bail!(UserError::new(format!(
            "api-timeout-secs must be between 1 and {MAX_API_TIMEOUT_SECS} (an hour), not {secs}"
        ))),
        Some(secs) => api.timeout = std::time::Duration::from_secs(secs),
        None => {}
    }
    Ok(api)
}

fn run_settings(
    env: &Env,
    config: &ConfigFile,
    from_config: &dyn Fn(&Option<PathBuf>) -> Option<PathBuf>,
) -> Result<RunSettings> {
    let cache_strategy = match config.cache_strategy.as_deref() {
        None => CacheStrategy::default(),
        Some(raw) => CacheStrategy::parse(raw)
            .ok_or_else(|| UserError::new(format!("cache-strategy {raw:?}: expected off, 5m, mixed or 1h")))?,
    };
    let max_tokens = config.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS);
    if max_tokens == 0 {
        bail!(UserError::new("max-tokens must be at least 1"));
    }
    Ok(RunSettings {
        project: env
            .get(env::DEVTEAM_PROJECT)
            .map(|p| env.expand_tilde(p))
            .filter(|p| p.is_absolute())
            .or_else(|| from_config(&config.project)),
        max_tokens,
        cache_strategy,
        project_context_max_tokens: config.project_context_max_tokens.unwrap_or(DEFAULT_PROJECT_CONTEXT_TOKENS),
        jobs: positive("jobs", config.jobs, 4)?,
        plan_threshold: config.plan_threshold,
        planner_tier: config.planner_tier.clone().unwrap_or_else(|| "opus".to_string()),
        synthesis_tier: config.synthesis_tier.clone().unwrap_or_else(|| "sonnet".to_string()),
        summary_tokens: positive("summary-tokens", config.summary_tokens, 200)?,
        max_subtasks: positive("max-subtasks", config.max_subtasks, 8)?,
        switches: switches(config.switches.as_ref())?,
    })
}

fn switches(file: Option<&SwitchesFile>) -> Result<Switches> {
    let on = |v: Option<Option<bool>>| v.flatten().unwrap_or(true);
    let rerank = match file.and_then(|f| f.rerank.as_deref()) {
        None | Some("auto") => RerankMode::Auto,
        Some("always") => RerankMode::Always,
        Some("never") => RerankMode::Never,
        Some(other) => bail!(UserError::new(format!("switches.rerank {other:?}: expected auto, always or never"))),
    };
    Ok(Switches {
        discovery: on(file.map(|f| f.discovery)),
        routing: on(file.map(|f| f.routing)),
        shared_context: on(file.map(|f| f.shared_context)),
        planning: on(file.map(|f| f.planning)),
        batch: file.and_then(|f| f.batch).unwrap_or(false),
        economy: on(file.map(|f| f.economy)),
        rerank,
    })
}

fn positive(key: &str, value: Option<usize>, default: usize) -> Result<usize> {
    match value {
        Some(0) => Err(UserError::new(format!("{key} must be at least 1")).into()),
        Some(v) => Ok(v),
        None => Ok(default),
    }
}

/// A time zone and the name it was given by.
#[derive(Debug, Clone)]
pub struct Zone {
    pub name: String,
    pub tz: TimeZone,
}

impl Zone {
    /// UTC, the default.
    pub fn utc() -> Self {
        Self { name: "UTC".into(), tz: TimeZone::UTC }
    }

    /// A zone by IANA name (or `UTC`); `origin` says where the name came from, for the error.
    pub fn parse(name: &str, origin: &str) -> Result<Self> {
        if name.eq_ignore_ascii_case("utc") {
            return Ok(Self::utc());
        }
        let tz = TimeZone::get(name).map_err(|e| {
            UserError::new(format!(
                "{origin}: `{name}` is not a known time zone ({e}); use an IANA name like Europe/Paris or UTC"
            ))
        })?;
        Ok(Self { name: name.to_string(), tz })
    }
}

/// `DEVTEAM_TIMEZONE`, else `timezone` in the config file, else UTC.
fn resolve_zone(env: &Env, config: Option<&str>) -> Result<Zone> {
    match (env.get(env::DEVTEAM_TIMEZONE), config) {
        (Some(name), _) => Zone::parse(name, env::DEVTEAM_TIMEZONE),
        (None, Some(name)) => Zone::parse(name, "config `timezone`"),
        (None, None) => Ok(Zone::utc()),
    }
}

/// Budget settings from env, else config, else defaults (UTC, 70/85/100 %, 15 minutes).
fn budget_settings(config: &ConfigFile, env: &Env, zone: &Zone) -> Result<BudgetSettings> {
    let timezone = zone.tz.clone();
    let thresholds = match &config.budget_thresholds {
        Some(list) => {
            BudgetThresholds::from_list(list).map_err(|e| UserError::new(format!("config `budget-thresholds`: {e}")))?
        }
        None => BudgetThresholds::default(),
    };
    let ttl = match env.get(env::DEVTEAM_BUDGET_RESERVATION_TTL) {
        Some(raw) => Some(raw.parse::<u64>().map_err(|_| {
            UserError::new(format!("{}={raw:?} is not a whole number of seconds", env::DEVTEAM_BUDGET_RESERVATION_TTL))
        })?),
        None => config.budget_reservation_ttl,
    };
    let reservation_ttl = ttl.map_or(DEFAULT_RESERVATION_TTL, std::time::Duration::from_secs);
    if !(1..=MAX_RESERVATION_TTL_SECS).contains(&reservation_ttl.as_secs()) {
        bail!(UserError::new(format!(
            "budget-reservation-ttl must be between 1 and {MAX_RESERVATION_TTL_SECS} seconds (a week), not {}",
            reservation_ttl.as_secs()
        )));
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
        Some(p) => (env.expand_tilde(&p.to_string_lossy()), true),
        None => match env.config_dir() {
            Some(dir) => (dir.join("config.yaml"), false),
            None => return Ok((ConfigFile::default(), PathBuf::from("."), PathBuf::from("config.yaml"))),
        },
    };
    let dir = path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let limit = crate::bounded_read::SETTINGS_FILE_LIMIT;
    let text = match crate::bounded_read::read_text_if_exists(&path, "config file", limit)? {
        Some(text) => text,
        None if !required => return Ok((ConfigFile::default(), dir, path)),
        None => bail!(UserError::new(format!("config file {} does not exist", path.display()))),
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

/// The bundled weights unless the config names a file; default thresholds unless set. Bad
/// values name the file and the field.
fn routing_settings(config: &ConfigFile, config_dir: &Path, env: &Env) -> Result<RoutingSettings> {
    let weights = match &config.complexity_weights {
        Some(path) => Weights::load(&config_dir.join(env.expand_tilde(&path.to_string_lossy())))
            .map_err(|e| UserError::new(format!("complexity-weights {e}")))?,
        None => Weights::default(),
    };
    let thresholds = config
        .tier_thresholds
        .unwrap_or_default()
        .validate()
        .map_err(|e| UserError::new(format!("config tier-thresholds.{e}")))?;
    Ok(RoutingSettings { weights, thresholds, learned_path: PathBuf::new(), learned: None })
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

/// For the property tests: resolves settings from a config file holding `text`; any error is
/// fine, a panic is not.
#[cfg(test)]
pub fn fuzz_config(text: &str) {
    use clap::Parser as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.yaml");
    std::fs::write(&path, text).expect("write");
    let cli = crate::cli::Cli::parse_from(["devteam", "--config", path.to_str().expect("utf-8"), "discover", "x"]);
    let _ = Settings::resolve(&cli.global, &Env::from_pairs(&[("HOME", "/h")]));
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
    fn a_postgres_url_names_the_shared_store_and_the_local_file_stays_at_the_default() {
        let url = "postgres://team:pw@db.internal:5432/devteam";
        let s = resolve(&["--db", url], &[("HOME", "/h")]).unwrap();
        assert_eq!(s.shared_db.as_deref(), Some(url));
        assert_eq!(s.db_path, PathBuf::from("/h/.local/share/devteam/devteam.db"), "a URL is not a path");
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("c.yaml");
        std::fs::write(&cfg, format!("db: {url}\n")).unwrap();
        let s = resolve(&["--config", cfg.to_str().unwrap()], &[("HOME", "/h")]).unwrap();
        assert_eq!(s.shared_db.as_deref(), Some(url), "from the config too");
        let s = resolve(&["--db", "/tmp/x.db"], &[("HOME", "/h")]).unwrap();
        assert_eq!((s.shared_db, s.db_path), (None, PathBuf::from("/tmp/x.db")));
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
    fn embedding_model_env_beats_config_and_folders_are_relative_to_the_config() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("c.yaml");
        std::fs::write(&cfg, "embedding-model: models/mine\n").unwrap();
        let cfg_arg = cfg.to_str().unwrap();
        let s = resolve(&["--config", cfg_arg], &[("HOME", "/h")]).unwrap();
        assert_eq!(s.embedding_model, EmbeddingModel::Dir(dir.path().join("models/mine")));
        let s = resolve(&["--config", cfg_arg], &[("HOME", "/h"), (env::DEVTEAM_EMBEDDING_MODEL, "off")]).unwrap();
        assert_eq!(s.embedding_model, EmbeddingModel::Off);
        let s = resolve(&[], &[("HOME", "/h")]).unwrap();
        assert_eq!(s.embedding_model, EmbeddingModel::Builtin);
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
    fn api_settings_come_from_anthropic_env_and_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("c.yaml");
        std::fs::write(&cfg, "api-max-retries: 5\napi-timeout-secs: 30\n").unwrap();
        let s = resolve(
            &["--config", cfg.to_str().unwrap()],
            &[
                ("HOME", "/h"),
                (env::ANTHROPIC_API_KEY, "sk-ant-settings-secret"),
                (env::ANTHROPIC_BASE_URL, "http://127.0.0.1:1"),
            ],
        )
        .unwrap();
        assert_eq!(s.api.base_url, "http://127.0.0.1:1");
        assert_eq!(s.api.retry.max_retries, 5);
        assert_eq!(s.api.timeout, std::time::Duration::from_secs(30));
        assert!(matches!(s.api.credential, Credential::ApiKey(_)));
        assert!(!format!("{s:?}").contains("sk-ant-settings-secret"));
        let both =
            resolve(&[], &[("HOME", "/h"), (env::ANTHROPIC_API_KEY, "a"), (env::ANTHROPIC_AUTH_TOKEN, "b")]).unwrap();
        assert_eq!(both.api.credential, Credential::Conflicting);
        assert_eq!(both.api.base_url, "https://api.anthropic.com");
    }

    #[test]
    fn routing_weights_and_thresholds_come_from_the_config() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("c.yaml");
        let weights = crate::routing::weights_yaml().replace("base: ", "base: 1");
        std::fs::write(dir.path().join("w.yaml"), weights).unwrap();
        std::fs::write(&cfg, "complexity-weights: w.yaml\ntier-thresholds: {sonnet: 2.5, opus: 7.0}\n").unwrap();
        let s = resolve(&["--config", cfg.to_str().unwrap()], &[("HOME", "/h")]).unwrap();
        assert_eq!(s.routing.thresholds.opus, 7.0);
        assert_ne!(s.routing.weights, Weights::default());
        std::fs::write(&cfg, "tier-thresholds: {sonnet: 5, opus: 4}\n").unwrap();
        let msg = format!("{:#}", resolve(&["--config", cfg.to_str().unwrap()], &[("HOME", "/h")]).unwrap_err());
        assert!(msg.contains("tier-thresholds.opus"), "{msg}");
        std::fs::write(&cfg, "complexity-weights: missing.yaml\n").unwrap();
        let msg = format!("{:#}", resolve(&["--config", cfg.to_str().unwrap()], &[("HOME", "/h")]).unwrap_err());
        assert!(msg.contains("missing.yaml"), "{msg}");
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
        assert_eq!(s.budget.policy.thresholds, BudgetThresholds { warn: 50, economy: 80, block: 95 });
        assert_eq!(s.budget.policy.reservation_ttl.as_secs(), 30);
        let s = resolve(&["--config", cfg_arg], &[("HOME", "/h"), (env::DEVTEAM_TIMEZONE, "Asia/Tokyo")]).unwrap();
        assert_eq!(s.budget.policy.timezone.iana_name(), Some("Asia/Tokyo"));
        let s = resolve(&[], &[("HOME", "/h")]).unwrap();
        assert_eq!(s.budget.policy.timezone, TimeZone::UTC);
        assert_eq!(s.budget.policy.thresholds, BudgetThresholds::default());
        let err = resolve(&[], &[("HOME", "/h"), (env::DEVTEAM_TIMEZONE, "Mars/Olympus")]).unwrap_err();
        assert!(format!("{err:#}").contains("DEVTEAM_TIMEZONE"), "{err:#}");
        std::fs::write(&cfg, "budget-thresholds: [85, 70, 100]\n").unwrap();
        let err = resolve(&["--config", cfg_arg], &[("HOME", "/h")]).unwrap_err();
        assert!(format!("{err:#}").contains("budget-thresholds"), "{err:#}");
        std::fs::write(&cfg, "budget-webhook: hooks.slack.com/x\n").unwrap();
        assert!(resolve(&["--config", cfg_arg], &[("HOME", "/h")]).is_err());
    }

    #[test]
    fn the_clock_is_the_flag_then_the_env_then_the_wall() {
        let at = |t: &str| Clock::Driven(t.parse().unwrap());
        let env_now = (env::DEVTEAM_NOW, "2026-01-02T00:00:00Z");
        assert_eq!(resolve(&[], &[("HOME", "/h")]).unwrap().clock, Clock::Wall);
        assert_eq!(resolve(&[], &[("HOME", "/h"), env_now]).unwrap().clock, at("2026-01-02T00:00:00Z"));
        let s = resolve(&["--now", "2026-03-04T05:06:07+01:00"], &[("HOME", "/h"), env_now]).unwrap();
        assert_eq!(s.clock, at("2026-03-04T04:06:07Z"));
        let err = resolve(&["--now", "tomorrow"], &[("HOME", "/h")]).unwrap_err();
        assert!(format!("{err:#}").contains("--now / DEVTEAM_NOW"), "{err:#}");
        let err = resolve(&[], &[("HOME", "/h"), (env::DEVTEAM_NOW, "2026-01-02")]).unwrap_err();
        assert!(format!("{err:#}").contains("RFC 3339"), "{err:#}");
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
    fn timezone_comes_from_env_then_config_and_bad_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("c.yaml");
        std::fs::write(&cfg, "timezone: Asia/Tokyo\n").unwrap();
        let cfg_arg = cfg.to_str().unwrap();
        assert_eq!(resolve(&[], &[("HOME", "/h")]).unwrap().timezone.name, "UTC");
        assert_eq!(resolve(&["--config", cfg_arg], &[("HOME", "/h")]).unwrap().timezone.name, "Asia/Tokyo");
        let s = resolve(&["--config", cfg_arg], &[("HOME", "/h"), (env::DEVTEAM_TIMEZONE, "Europe/Paris")]).unwrap();
        assert_eq!(s.timezone.name, "Europe/Paris");
        let err = resolve(&[], &[("HOME", "/h"), (env::DEVTEAM_TIMEZONE, "Mars/Olympus")]).unwrap_err();
        assert!(format!("{err:#}").contains("DEVTEAM_TIMEZONE"), "{err:#}");
    }

    #[test]
    fn bad_env_value_is_an_error_and_no_color_turns_colour_off() {
        assert!(resolve(&[], &[("HOME", "/h"), (env::DEVTEAM_DISCOVER_TOP, "x")]).is_err());
        let s = resolve(&[], &[("HOME", "/h"), (env::NO_COLOR, "1")]).unwrap();
        assert_eq!(s.output.color, ColorChoice::Never);
    }
}
