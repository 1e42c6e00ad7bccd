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
    /// Lay agent files out for prompt caching: static sections first, shared blocks hoisted into
    /// one foundation file, dynamic sections last (a dry run unless --write).
    ///
    /// Every agent file is split into sections. Sections about the role, principles, standards,
    /// safety, expertise, examples or workflow are static; current focus, status, recent
    /// changes and anything dated or versioned are dynamic (rules: `restructure:` in the config
    /// file). Static sections that at least `min-agents` agents share, word for word or nearly,
    /// move into `<library>/_shared/foundation.md`, cached once for all agents; each agent keeps a
    /// line `<!-- devteam:shared foundation.md#ANCHOR -->` where the section was, followed by any
    /// lines its copy had that the shared text lacks. Each file is rewritten as front matter,
    /// static part, the line `<!-- devteam:dynamic -->`, dynamic part. Files that already carry
    /// that line are left alone, so a second run changes nothing; no line of any original is
    /// lost (checked before writing).
    RestructureAgents(RestructureAgentsArgs),
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
}

/// Arguments of `prices`.
#[derive(Debug, Args)]
pub struct PricesArgs {
    /// Show one model (id, alias or tier name) only.
    #[arg(value_name = "MODEL")]
    pub model: Option<String>,
}

/// Arguments of `restructure-agents`.
#[derive(Debug, Args)]
pub struct RestructureAgentsArgs {
    /// Apply the plan: copy the files it changes into `<library>/.devteam-backup/<time>/`, then
    /// replace each atomically (temporary file and rename).
    #[arg(long, conflicts_with = "undo")]
    pub write: bool,

    /// Restore the files changed by the last --write from its backup (byte for byte), then
    /// delete that backup. Refuses, restoring nothing, if a file changed since.
    #[arg(long)]
    pub undo: bool,

    /// Similarity (above 0, at most 1) at which two sections count as one shared block
    /// [default: 0.8, or `restructure.similarity` in config].
    #[arg(long, value_name = "RATIO")]
    pub similarity: Option<f64>,

    /// Agents that must have a block before it is hoisted into the foundation
    /// [default: 3, or `restructure.min-agents` in config].
    #[arg(long, value_name = "N")]
    pub min_agents: Option<usize>,
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
