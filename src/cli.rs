//! Every clap type of the command line, and nothing else: the doc comments are the help.
//! This file imports nothing from the store or the API, so `--help` and `generate` cannot
//! fail because of them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::env;

/// Run a large AI development team on the Claude API for cents.
///
/// devteam indexes an agent library into compact cards, finds the few agents a task needs,
/// routes work to the cheapest model that can do it, lays prompts out for caching, and keeps
/// budgets and usage in one local SQLite store.
#[derive(Debug, Parser)]
#[command(name = "devteam", version, propagate_version = true, max_term_width = 100)]
#[command(after_help = "Exit codes: 0 success, 1 the command ran but the answer is no \
(e.g. --strict found skipped files), 2 error (bad input, bad config, IO), 130 interrupted.")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand understands.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code
    /// subagent files (`*.md` with front matter), in any nesting.
    #[arg(long, global = true, env = env::DEVTEAM_AGENTS, value_name = "DIR", help_heading = "Global options")]
    pub agents: Option<PathBuf>,

    /// SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db].
    #[arg(long, global = true, env = env::DEVTEAM_DB, value_name = "FILE", help_heading = "Global options")]
    pub db: Option<PathBuf>,

    /// Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml].
    #[arg(long, global = true, env = env::DEVTEAM_CONFIG, value_name = "FILE", help_heading = "Global options")]
    pub config: Option<PathBuf>,

    /// Print machine-readable JSON on stdout instead of tables.
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,

    /// Print only results and errors (no progress, no notes).
    #[arg(short, long, global = true, conflicts_with = "verbose", help_heading = "Global options")]
    pub quiet: bool,

    /// Print more detail on stderr (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = "Global options")]
    pub verbose: u8,

    /// When to use colour; NO_COLOR in the environment also turns it off.
    #[arg(long, global = true, value_enum, value_name = "WHEN", help_heading = "Global options")]
    pub color: Option<ColorChoice>,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index the agent library into compact metadata cards (incremental).
    ExtractMetadata(ExtractMetadataArgs),
    /// Find the few agents a task needs, from the index alone.
    Discover(DiscoverArgs),
    /// Show the effective price table: bundled rates plus your overrides.
    Prices(PricesArgs),
    /// Measure devteam against labeled data.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Spend reports from the store: what was spent, where, and what was saved.
    #[command(subcommand)]
    Usage(UsageCommand),
    /// Generate shell completions and man pages (for packagers).
    #[command(subcommand, hide = true)]
    Generate(GenerateCommand),
}

/// Arguments of `extract-metadata`.
#[derive(Debug, Args)]
pub struct ExtractMetadataArgs {
    /// Re-read every file, even those whose content hash is unchanged.
    #[arg(long)]
    pub force: bool,

    /// Exit with status 1 when any file was skipped as unreadable or malformed.
    #[arg(long)]
    pub strict: bool,

    /// Largest metadata card, in tokens [default: 200, or `card-max-tokens` in config].
    #[arg(long, value_name = "TOKENS")]
    pub card_max_tokens: Option<usize>,
}

/// Arguments of `discover`.
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// The task, in your own words.
    #[arg(value_name = "TASK")]
    pub task: String,

    /// How many agents to return [default: 5, or `discover-top` in config].
    #[arg(long, short = 'n', value_name = "N")]
    pub top: Option<usize>,

    /// Use the index as it is, without checking the library for changed files (for hot loops
    /// over large libraries; a missing index is still built).
    #[arg(long)]
    pub no_refresh: bool,
}

/// Arguments of `prices`.
#[derive(Debug, Args)]
pub struct PricesArgs {
    /// Show one model (id, alias or tier name) only.
    #[arg(value_name = "MODEL")]
    pub model: Option<String>,
}

/// What `eval` can measure.
#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Discovery quality on labeled tasks: hit@1, hit@3, recall@10, MRR, tokens per task.
    Discovery(EvalDiscoveryArgs),
}

/// Arguments of `eval discovery`.
#[derive(Debug, Args)]
pub struct EvalDiscoveryArgs {
    /// Labels file: a header row, then `task<TAB>id,id,...` per line (any listed id is a hit).
    #[arg(value_name = "LABELS.tsv")]
    pub labels: PathBuf,
}

/// What `usage` can report.
#[derive(Debug, Subcommand)]
pub enum UsageCommand {
    /// What was spent, where, and what was saved: totals, sources, models, cache hit rate,
    /// savings against running the same work on Sonnet without a cache, and the trend.
    Summary(UsageSummaryArgs),
    /// Spend grouped by one dimension, with each row's cache hit rate and savings.
    By(UsageByArgs),
    /// Write the dashboard: one self-contained HTML page of charts (no network fetches).
    Report(UsageReportArgs),
    /// A live view in the terminal, refreshed every few seconds until Ctrl-C (prints once
    /// when stdout is not a terminal, or with --once).
    Watch(UsageWatchArgs),
}

/// Which calls a usage report covers.
#[derive(Debug, Clone, Args)]
pub struct UsageFilterArgs {
    /// Start of the period: a date (2026-03-01, local midnight), a date and time
    /// (2026-03-01T09:30), an RFC 3339 instant, or a duration back from now (90m, 12h, 7d, 2w)
    /// [default: the first call].
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,

    /// End of the period, exclusive; a bare date includes that whole day. Same forms as
    /// --since [default: now].
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,

    /// Only calls of this project.
    #[arg(long, value_name = "NAME")]
    pub project: Option<String>,

    /// Only calls from this source.
    #[arg(long, value_enum, value_name = "SOURCE")]
    pub source: Option<UsageSource>,

    /// Time zone for dates and calendar buckets: an IANA name (Europe/Paris) or UTC
    /// [default: the system's].
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<String>,
}

/// Who made a call, for filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UsageSource {
    /// `devteam run` and its agents.
    Devteam,
    /// Spend made only to fill the prompt cache.
    WarmCache,
    /// Imported from Claude Code's logs.
    ClaudeCode,
}

/// Arguments of `usage summary`.
#[derive(Debug, Args)]
pub struct UsageSummaryArgs {
    #[command(flatten)]
    pub filter: UsageFilterArgs,

    /// Print CSV (one row per source, then `total`) instead of a table.
    #[arg(long)]
    pub csv: bool,
}

/// What `usage by` groups on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UsageDimension {
    /// Calendar day in the report's time zone.
    Day,
    /// ISO week (Monday to Sunday) in the report's time zone.
    Week,
    /// Calendar month in the report's time zone.
    Month,
    /// Model id, as billed.
    Model,
    /// Routing tier (haiku, sonnet, opus).
    Tier,
    /// Agent that made the call.
    Agent,
    /// Project.
    Project,
    /// Task, as recorded.
    Task,
    /// Source: devteam, warm-cache or claude-code.
    Source,
}

/// Arguments of `usage by`.
#[derive(Debug, Args)]
pub struct UsageByArgs {
    /// What to group by.
    #[arg(value_enum, value_name = "DIMENSION")]
    pub dimension: UsageDimension,

    #[command(flatten)]
    pub filter: UsageFilterArgs,

    /// Show only the N costliest rows (time dimensions: the N latest).
    #[arg(long, short = 'n', value_name = "N")]
    pub limit: Option<usize>,

    /// Print CSV instead of a table.
    #[arg(long)]
    pub csv: bool,
}

/// Arguments of `usage report`.
#[derive(Debug, Args)]
pub struct UsageReportArgs {
    /// The HTML file to write (one self-contained page).
    #[arg(long, value_name = "FILE")]
    pub html: PathBuf,

    #[command(flatten)]
    pub filter: UsageFilterArgs,

    /// Bucket of the spend-over-time charts [default: day up to 92 days, week up to two
    /// years, else month].
    #[arg(long, value_enum, value_name = "BUCKET")]
    pub bucket: Option<UsageBucket>,
}

/// Calendar buckets for charts over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UsageBucket {
    /// Calendar day.
    Day,
    /// ISO week.
    Week,
    /// Calendar month.
    Month,
}

/// Arguments of `usage watch`.
#[derive(Debug, Args)]
pub struct UsageWatchArgs {
    /// Seconds between refreshes.
    #[arg(long, value_name = "SECS", default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub interval: u64,

    /// Print the view once and exit.
    #[arg(long)]
    pub once: bool,

    /// Only calls of this project.
    #[arg(long, value_name = "NAME")]
    pub project: Option<String>,

    /// Only calls from this source.
    #[arg(long, value_enum, value_name = "SOURCE")]
    pub source: Option<UsageSource>,

    /// Time zone for "today" and budget windows: an IANA name or UTC [default: the system's].
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<String>,
}

/// Generated artefacts.
#[derive(Debug, Subcommand)]
pub enum GenerateCommand {
    /// Print the completion script for a shell.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write man pages (one per subcommand) into a folder.
    Man {
        /// Folder to write into.
        #[arg(long, value_name = "DIR", default_value = "man")]
        out_dir: PathBuf,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_valid() {
        Cli::command().debug_assert();
    }
}
