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
    /// Run a task: route it to a model, pick the agent, lay the prompt out for caching, call
    /// the API and record what it cost. `--dry-run` shows the plan without a key.
    Run(RunArgs),
    /// Warm the prompt cache of the most used agents where their history says it pays (for
    /// cron): quiet unless something fails.
    #[command(after_help = "A warm-up writes an agent's prompt prefix to the cache so that the next calls read \
it. It pays for calls that start together (parallel fan-out all misses) and for keeping an entry alive across a \
gap; a warm-up followed by a single call saves nothing, so such agents are skipped.\n\n\
Exit codes: 0 done (also when nothing was worth warming, and when another warm-cache run holds the lock: \
that run does the work; -v says so), 1 some warm-ups failed or the budget refused them, or --suggest-schedule \
found nothing to time, 2 error (no key, bad store, bad config), 130 interrupted.")]
    WarmCache(WarmCacheArgs),
    /// Show the effective price table: bundled rates plus your overrides.
    Prices(PricesArgs),
    /// Measure devteam against labeled data.
    #[command(subcommand)]
    Eval(EvalCommand),
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

    /// Let the haiku tier choose from the shortlist's cards and say why (needs an API key;
    /// without one, or if the call fails, the local ranking stands). The call is recorded.
    #[arg(long)]
    pub rerank: bool,
}

/// Arguments of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The task, in your own words.
    #[arg(value_name = "TASK")]
    pub task: String,

    /// Show the routing, agent, request size and estimated cost; send nothing (no key needed).
    #[arg(long)]
    pub dry_run: bool,

    /// Use this tier instead of the router's choice.
    #[arg(long, value_name = "TIER", value_parser = ["haiku", "sonnet", "opus"], conflicts_with = "model")]
    pub tier: Option<String>,

    /// Use this model id instead of the router's choice.
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,

    /// Use this agent instead of discovery's choice.
    #[arg(long, value_name = "ID")]
    pub agent: Option<String>,

    /// Project whose context (CLAUDE.md, README, manifests, file tree) every agent gets
    /// [default: `project` in config].
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,

    /// Most output tokens per call [default: 4096, or `max-tokens` in config].
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<u32>,

    /// Send no cache breakpoints (prompt caching off).
    #[arg(long)]
    pub no_cache: bool,

    /// Skip the router: use `--tier` or `--model`, else the sonnet tier.
    #[arg(long)]
    pub no_routing: bool,
}

/// Arguments of `warm-cache`.
#[derive(Debug, Args)]
pub struct WarmCacheArgs {
    /// Days of usage history to plan from.
    #[arg(long, value_name = "DAYS", default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=366))]
    pub lookback: u32,

    /// Consider this many of the most used agents.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub top: u32,

    /// Show the plan and its expected saving; send nothing (no key needed).
    #[arg(long)]
    pub dry_run: bool,

    /// When another warm-cache run holds the lock, wait for it instead of exiting at once.
    #[arg(long)]
    pub wait: bool,

    /// Print crontab lines timed from the usage history (shortly before the hours when the
    /// agents start being used), and say when warming buys nothing; send nothing.
    #[arg(long, conflicts_with_all = ["dry_run", "wait"])]
    pub suggest_schedule: bool,
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
    /// Model routing on labeled tasks: accuracy, confusion matrix, tasks sent too low, and
    /// cost against all-Sonnet and against the labels.
    Routing(EvalRoutingArgs),
}

/// Arguments of `eval discovery`.
#[derive(Debug, Args)]
pub struct EvalDiscoveryArgs {
    /// Labels file: a header row, then `task<TAB>id,id,...` per line (any listed id is a hit).
    #[arg(value_name = "LABELS.tsv")]
    pub labels: PathBuf,
}

/// Arguments of `eval routing`.
#[derive(Debug, Args)]
pub struct EvalRoutingArgs {
    /// Labels file: a header row, then `tier<TAB>task` per line, where tier is haiku, sonnet
    /// or opus.
    #[arg(value_name = "LABELS.tsv")]
    pub labels: PathBuf,

    /// Route as under budget pressure: every score range moves down one tier.
    #[arg(long)]
    pub economy: bool,
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
