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
(e.g. --strict found skipped files), 2 error (bad input, bad config, IO), 3 over budget, \
130 interrupted.")]
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

    /// SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team's shared
    /// store on PostgreSQL (`postgres://user:password@host:port/db`).
    #[arg(long, global = true, env = env::DEVTEAM_DB, value_name = "FILE|URL", help_heading = "Global options")]
    pub db: Option<PathBuf>,

    /// Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default
    /// location is created unasked, so that a mistyped path fails instead of reading as empty).
    #[arg(long, global = true, help_heading = "Global options")]
    pub init: bool,

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

    /// The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock].
    /// Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it
    /// stands still for the whole command. For replays and tests: do not mix it with
    /// wall-clock processes on one store.
    #[arg(long, global = true, env = env::DEVTEAM_NOW, value_name = "TIME", help_heading = "Global options")]
    pub now: Option<String>,

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
    #[command(after_help = "Examples:\n  devteam --agents fixtures/agents discover the login page is slow\n  \
echo \"502s after the deploy\" | devteam discover - --top 3")]
    Discover(DiscoverArgs),
    /// Run a task: route it to a model, pick the agent, lay the prompt out for caching, call
    /// the API and record what it cost. `--dry-run` shows the plan without a key.
    #[command(after_help = "A real run needs ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) in the environment; \
ANTHROPIC_BASE_URL points the client elsewhere. --dry-run needs neither.\n\n\
With --json, stdout is JSON Lines: one object per event, each with an \"event\" field (dry_run; call, final \
for a simple run; plan, subtask_started, subtask_finished, final for a planned one).\n\n\
Examples:\n  devteam --agents fixtures/agents run --dry-run make checkout fast on phones\n  \
git log -1 --format=%B | devteam run --no-plan -\n  devteam run --plan --jobs 2 \"migrate auth to OAuth and update the docs\"\n\n\
Exit codes: 0 done, 2 error (no key, bad input), 3 a budget refused the call, 4 a planned run finished \
with subtasks missing, 130 interrupted.")]
    Run(RunArgs),
    /// List runs, or read one: summaries by default, full outputs only with `--full`.
    Runs(RunsArgs),
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
    /// Budgets that hold when many agents, cron and CI spend at once.
    #[command(subcommand)]
    Budget(BudgetCommand),
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
    /// The store itself: create it where --db names it, and say where it is.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Measure devteam against labeled data.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Spend and token reports from the store, and imports of other tools' usage logs.
    #[command(subcommand)]
    Usage(UsageCommand),
    /// Learn from outcomes: propose bounded adjustments of the router, apply or reset them.
    #[command(subcommand)]
    Route(RouteCommand),
    /// A/B tests: run new tasks under two or more variants of the settings and compare them.
    #[command(subcommand)]
    Ab(AbCommand),
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
    /// The task, in your own words: quotes are optional (the words are joined with spaces), and
    /// `-` reads it from stdin.
    #[arg(value_name = "TASK", required = true, num_args = 1..)]
    pub words: Vec<String>,

    /// The task as one string, filled from `words` (or stdin) before the command runs.
    #[arg(skip)]
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
    /// The task, in your own words: quotes are optional (the words are joined with spaces), and
    /// `-` reads it from stdin.
    #[arg(value_name = "TASK", required = true, num_args = 1..)]
    pub words: Vec<String>,

    /// The task as one string, filled from `words` (or stdin) before the command runs.
    #[arg(skip)]
    pub task: String,

    /// Show the routing, agent, request size and estimated cost; send nothing (no key needed).
    #[arg(long)]
    pub dry_run: bool,

    /// With --dry-run: ask the API's free count_tokens endpoint for the request's exact input
    /// size instead of the local estimate (needs a key).
    #[arg(long, requires = "dry_run")]
    pub exact: bool,

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

    /// Plan the task into subtasks whatever its complexity.
    #[arg(long, conflicts_with = "no_plan")]
    pub plan: bool,

    /// Never plan: one agent, one call.
    #[arg(long)]
    pub no_plan: bool,

    /// Subtasks run at the same time at most [default: 4, or `jobs` in config].
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,

    /// Send the run's calls through the Message Batches API at half price: independent calls
    /// go together and are polled until done (minutes, up to hours). For cron and CI.
    #[arg(long)]
    pub batch: bool,

    /// Skip the index: load every agent's full text and let a model choose (the unoptimized
    /// way, for comparison).
    #[arg(long)]
    pub load_all_agents: bool,

    /// Leave the shared project context out of the prompt.
    #[arg(long)]
    pub no_context: bool,

    /// Let the haiku tier choose the agent from the shortlist even when the local ranking is
    /// clear (by default it is asked only when the top two are close, and a key is set).
    #[arg(long, conflicts_with = "no_rerank")]
    pub rerank: bool,

    /// Never ask a model to choose the agent.
    #[arg(long)]
    pub no_rerank: bool,

    /// Proceed even when a budget has no room left (recorded in the store).
    #[arg(long)]
    pub allow_over_budget: bool,

    /// Ignore budget pressure: no economy mode (a budget at 100 % still blocks).
    #[arg(long)]
    pub no_economy: bool,

    /// After the run, run this shell command (the project's tests, say) and record its exit
    /// status as the run's verdict (0 good, else bad). It gets PATH, HOME, LANG, TERM, TMPDIR
    /// and DEVTEAM_RUN_ID only: no credentials.
    #[arg(long, value_name = "COMMAND", conflicts_with = "dry_run")]
    pub check: Option<String>,
}

/// Arguments of `runs`.
#[derive(Debug, Args)]
pub struct RunsArgs {
    #[command(subcommand)]
    pub command: Option<RunsCommand>,

    /// How many runs to list, newest first.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: usize,
}

/// What `runs` can do besides listing.
#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// One run: its plan, subtasks with summaries, hand-overs and cost.
    Show {
        /// Run id (or a unique prefix of it).
        #[arg(value_name = "ID")]
        id: String,
        /// Include every full output (the subtasks' and the final answer).
        #[arg(long)]
        full: bool,
    },
    /// Give a run a verdict afterwards: routing learns from it.
    Feedback(RunsFeedbackArgs),
}

/// Arguments of `runs feedback`.
#[derive(Debug, Args)]
pub struct RunsFeedbackArgs {
    /// Run id (or a unique prefix of it).
    #[arg(value_name = "ID")]
    pub id: String,
    /// The run's answer was good.
    #[arg(long, conflicts_with = "bad", required_unless_present = "bad")]
    pub good: bool,
    /// The run's answer was not good enough.
    #[arg(long)]
    pub bad: bool,
    /// Why, in a few words.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
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

/// What `budget` can do.
#[derive(Debug, Subcommand)]
pub enum BudgetCommand {
    /// Set or replace a budget: a limit in dollars and/or tokens per calendar window.
    ///
    /// Windows are calendar hours, days, ISO weeks (from Monday) and months in the configured
    /// time zone (`timezone` in the config, DEVTEAM_TIMEZONE; default UTC). A global budget
    /// counts every call; a project budget (--project) counts that project's calls. Every call
    /// must fit every budget that applies to it.
    Set(BudgetSetArgs),
    /// Spent, reserved, limit, % used, time to reset and the mode in force, per budget.
    Status(BudgetScopeArgs),
    /// Exit 0 while there is room, 3 when a budget is used up (for scripts and CI).
    #[command(after_help = "Exit codes: 0 room left, 3 over budget (or past --at, or --need does not fit), \
2 error (no store at --db, bad config): a CI gate should fail on 3 and treat 2 as broken.\n\n\
Examples:\n  devteam --db ci/devteam.db budget check --need 0.50\n  devteam budget check --at economy --project shop")]
    Check(BudgetCheckArgs),
    /// Forget the alerts sent in a budget's current window, so they fire again.
    Reset(BudgetResetArgs),
    /// Remove a budget (and its alert history).
    Remove(BudgetTargetArgs),
}

/// A budget's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BudgetWindow {
    /// The clock hour.
    #[value(alias = "hour")]
    Hourly,
    /// The calendar day.
    #[value(alias = "day")]
    Daily,
    /// The ISO week, Monday to Sunday.
    #[value(alias = "week")]
    Weekly,
    /// The calendar month.
    #[value(alias = "month")]
    Monthly,
}

/// Arguments of `budget set`.
#[derive(Debug, Args)]
pub struct BudgetSetArgs {
    /// The window: hourly, daily, weekly or monthly.
    #[arg(value_enum, value_name = "WINDOW")]
    pub window: BudgetWindow,

    /// The limit in US dollars, e.g. 5, 5.00 or $0.50.
    #[arg(value_name = "USD", allow_negative_numbers = true)]
    pub usd: Option<String>,

    /// A limit in tokens (input of every kind plus output), with or instead of dollars.
    #[arg(long, value_name = "N")]
    pub tokens: Option<u64>,

    /// Apply to one project's calls only [default: every call].
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub project: Option<String>,
}

/// Which budget.
#[derive(Debug, Args)]
pub struct BudgetTargetArgs {
    /// The window: hourly, daily, weekly or monthly.
    #[arg(value_enum, value_name = "WINDOW")]
    pub window: BudgetWindow,

    /// The project's budget rather than the global one.
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub project: Option<String>,
}

/// Arguments of `budget reset`.
#[derive(Debug, Args)]
pub struct BudgetResetArgs {
    #[command(flatten)]
    pub target: BudgetTargetArgs,

    /// Also drop live reservations in the budget's scope now instead of waiting for them to
    /// expire (after a crash). Calls still in flight then no longer count: use with care.
    #[arg(long)]
    pub reservations: bool,
}

/// Which budgets to show.
#[derive(Debug, Args)]
pub struct BudgetScopeArgs {
    /// Only the budgets a call of this project counts against (the global ones and its own).
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub project: Option<String>,
}

/// Arguments of `budget check`.
#[derive(Debug, Args)]
pub struct BudgetCheckArgs {
    /// Check the budgets this project's calls count against (the global ones and its own)
    /// [default: the global budgets only].
    #[command(flatten)]
    pub scope: BudgetScopeArgs,

    /// Fail unless this much (in dollars) still fits in every budget, e.g. the cost of the job
    /// about to run.
    #[arg(long, value_name = "USD")]
    pub need: Option<String>,

    /// Fail from this mode on: warn, economy or blocked.
    #[arg(long, value_enum, value_name = "MODE", default_value = "blocked")]
    pub at: BudgetLevel,
}

/// A budget mode to check against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BudgetLevel {
    /// Past the warning threshold (70 % by default).
    Warn,
    /// Past the economy threshold (85 % by default).
    Economy,
    /// At the blocking threshold (100 % by default): no room left.
    Blocked,
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

/// What `store` can do.
#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Create (and migrate) the store if it does not exist, and print its path.
    #[command(
        after_help = "Examples:\n  devteam --db ci/devteam.db store init\n  DEVTEAM_DB=/var/lib/devteam.db devteam store init"
    )]
    Init,
    /// Copy this host's store (calls, runs, decisions, outcomes, budgets) into a shared store
    /// on PostgreSQL. Safe to run again or after a failure: it copies only what is missing, and
    /// copies from several hosts merge without counting anything twice.
    #[command(
        after_help = "Examples:\n  devteam store migrate --to postgres://devteam:secret@db.internal:5432/devteam"
    )]
    Migrate(StoreMigrateArgs),
}

/// Arguments of `store migrate`.
#[derive(Debug, Args)]
pub struct StoreMigrateArgs {
    /// The shared store to copy into.
    #[arg(long, value_name = "URL")]
    pub to: String,
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
    /// Also report a named range of data rows, e.g. `symptom=1-20` (repeatable).
    #[arg(long, value_name = "NAME=FROM-TO")]
    pub subset: Vec<String>,
    /// Rank by BM25 alone, as without embeddings.
    #[arg(long)]
    pub lexical: bool,
    /// Write every task's per-agent signals (BM25 parts, cosines) as JSON lines, for choosing
    /// the fusion on one library (scripts/discovery/choose-fusion.py).
    #[arg(long, value_name = "FILE")]
    pub signals: Option<PathBuf>,
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

    /// Folds of the cross-validation of the classifier by meaning (embeddings on).
    #[arg(long, value_name = "K", default_value_t = 10, value_parser = clap::value_parser!(u16).range(2..))]
    pub folds: u16,

    /// Route with the shipped router as `run` does, instead of cross-validating a classifier
    /// on these labels: for label sets the shipped classifier was not trained on.
    #[arg(long)]
    pub as_run: bool,

    /// Also train the classifier on every labeled task and write it to FILE (how
    /// data/routing-classifier.json is made).
    #[arg(long, value_name = "FILE")]
    pub write_classifier: Option<PathBuf>,
}

/// What `usage` can report.
#[derive(Debug, Subcommand)]
pub enum UsageCommand {
    /// What was spent, where, and what was saved: totals, sources, models, cache hit rate,
    /// savings against running the same work on Sonnet without a cache, and the trend.
    #[command(after_help = "Examples:\n  devteam usage summary --since 7d\n  \
devteam usage summary --project -home-me-code-shop --csv")]
    Summary(UsageSummaryArgs),
    /// Spend grouped by one dimension, with each row's cache hit rate and savings.
    By(UsageByArgs),
    /// Write the dashboard: one self-contained HTML page of charts (no network fetches).
    Report(UsageReportArgs),
    /// A live view in the terminal, refreshed every few seconds until Ctrl-C (prints once
    /// when stdout is not a terminal, or with --once).
    Watch(UsageWatchArgs),
    /// Prompt caching by block kind (shared foundation, project context, agent static part,
    /// ...): tokens read from the cache, written to it, and sent uncached, per kind.
    Cache(UsageCacheArgs),
    /// Import usage logs of another tool into the store (incremental: only new bytes are read).
    Import(UsageImportArgs),
    /// Tokens and cost per day and model (`--json` has the shape of `ccusage claude daily --json`).
    Daily(UsageDailyArgs),
    /// Concrete changes ranked by the money each would have saved: caches that miss, warm-ups
    /// that lose, tiers higher than needed, budgets that block, unused agents, oversized project
    /// contexts, planning that did not pay. `--apply` makes the safe, reversible ones.
    Suggest(UsageSuggestArgs),
}

/// Arguments of `usage suggest`.
#[derive(Debug, Args)]
pub struct UsageSuggestArgs {
    /// Days of history to read.
    #[arg(long, value_name = "DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=3660))]
    pub days: u32,
    /// Make the safe suggestions: config edits (config.yaml kept as .bak) and learned routing
    /// (kept as learned-routing.json.bak). The rest stay advice.
    #[arg(long)]
    pub apply: bool,
}

/// Arguments of `usage cache`.
#[derive(Debug, Args)]
pub struct UsageCacheArgs {
    /// Only calls since this long ago (90m, 12h, 7d, 2w) or this date [default: all].
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
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
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub project: Option<String>,

    /// Only calls from this source.
    #[arg(long, value_enum, value_name = "SOURCE")]
    pub source: Option<UsageSource>,

    /// Time zone for dates and calendar buckets: an IANA name (Europe/Paris) or UTC
    /// [default: `timezone` in config / DEVTEAM_TIMEZONE, else UTC, as budgets use].
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
    /// Claude Code session (imported usage; devteam's own calls have none).
    Session,
    /// Source: devteam, warm-cache or claude-code.
    Source,
    /// Stage: task (a simple run's call), planner, subtasks, synthesis, rerank, warm-ups,
    /// claude-code, and discovery (the whole-library calls not made: saving only).
    Stage,
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
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub project: Option<String>,

    /// Only calls from this source.
    #[arg(long, value_enum, value_name = "SOURCE")]
    pub source: Option<UsageSource>,

    /// Time zone for "today" and budget windows: an IANA name or UTC [default: `timezone` in
    /// config / DEVTEAM_TIMEZONE, else UTC].
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<String>,
}

/// Arguments of `usage import`.
#[derive(Debug, Args)]
pub struct UsageImportArgs {
    #[command(subcommand)]
    pub from: ImportFrom,
}

/// Where `usage import` reads from.
#[derive(Debug, Subcommand)]
pub enum ImportFrom {
    /// Claude Code's JSONL transcripts (`projects/**/*.jsonl`), deduplicated the way
    /// Anthropic bills: one call per message.id and requestId.
    ClaudeCode(ImportClaudeCodeArgs),
}

/// Arguments of `usage import claude-code`.
#[derive(Debug, Args)]
pub struct ImportClaudeCodeArgs {
    /// Claude config folders (holding `projects/`), or `projects/` folders themselves
    /// [default: $CLAUDE_CONFIG_DIR (comma-separated), else ~/.config/claude and ~/.claude].
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// Which calls a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SourceFilter {
    /// Every call in the store.
    All,
    /// Calls devteam made.
    Devteam,
    /// Calls devteam made only to warm the prompt cache.
    WarmCache,
    /// Calls imported from Claude Code's logs.
    ClaudeCode,
}

/// Arguments of `usage daily`.
#[derive(Debug, Args)]
pub struct UsageDailyArgs {
    /// Calls to include.
    #[arg(long, value_enum, default_value = "all")]
    pub source: SourceFilter,

    /// First day to show (YYYY-MM-DD or YYYYMMDD, inclusive).
    #[arg(long, short = 's', value_name = "DATE")]
    pub since: Option<String>,

    /// Last day to show (YYYY-MM-DD or YYYYMMDD, inclusive).
    #[arg(long, short = 'u', value_name = "DATE")]
    pub until: Option<String>,

    /// Only this project (for Claude Code: its folder name under `projects/`, such as
    /// `-home-me-code-app`).
    #[arg(long, short = 'p', value_name = "PROJECT", allow_hyphen_values = true)]
    pub project: Option<String>,

    /// Time zone for day boundaries, an IANA name [default: `timezone` in config, else UTC].
    #[arg(long, short = 'z', value_name = "TZ")]
    pub timezone: Option<String>,

    /// Print CSV on stdout instead of a table (not with --json).
    #[arg(long)]
    pub csv: bool,
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

/// clap's colour for its own errors and help: `--color` on the command line, else off under
/// `NO_COLOR`, else automatic. Read before parsing, since clap prints parse errors itself.
pub fn clap_color(args: impl IntoIterator<Item = std::ffi::OsString>, no_color: bool) -> clap::ColorChoice {
    let args: Vec<String> = args.into_iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let mut choice = None;
    for (i, arg) in args.iter().enumerate() {
        let value = match arg.strip_prefix("--color") {
            Some("") => args.get(i + 1).map(String::as_str),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        };
        match value {
            Some("never") => choice = Some(clap::ColorChoice::Never),
            Some("always") => choice = Some(clap::ColorChoice::Always),
            Some("auto") => choice = Some(clap::ColorChoice::Auto),
            _ => {}
        }
    }
    choice.unwrap_or(if no_color { clap::ColorChoice::Never } else { clap::ColorChoice::Auto })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn clap_colour_follows_the_flag_then_no_color() {
        let args = |v: &[&str]| v.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
        assert_eq!(clap_color(args(&["devteam", "--color", "never", "x"]), false), clap::ColorChoice::Never);
        assert_eq!(clap_color(args(&["devteam", "--color=always"]), true), clap::ColorChoice::Always);
        assert_eq!(clap_color(args(&["devteam", "runs"]), true), clap::ColorChoice::Never);
        assert_eq!(clap_color(args(&["devteam", "runs"]), false), clap::ColorChoice::Auto);
    }
}

/// What `route` can do.
#[derive(Debug, Subcommand)]
pub enum RouteCommand {
    /// Propose bounded adjustments of the router from stored outcomes, with their evidence;
    /// `--apply` writes them (keeping a backup), `--reset` restores the defaults.
    #[command(after_help = "Per feature of the router (risk.concurrency, kind.review, ...): when most tasks with it \
sent to a tier needed a higher one (upgraded, failed or judged bad), its points go up; they go down only when \
tasks with it that ran one tier lower (budget economy, an A/B variant) succeeded there, and never so far that a \
task without such evidence crosses down. Nothing changes below --min-evidence outcomes. The adjustments live in \
learned-routing.json beside the store.")]
    Learn(RouteLearnArgs),
}

/// Arguments of `route learn`.
#[derive(Debug, Args)]
pub struct RouteLearnArgs {
    /// Write the proposed adjustments (the previous file is kept as .bak).
    #[arg(long, conflicts_with = "reset")]
    pub apply: bool,
    /// Remove the learned adjustments: routing returns to the defaults (kept as .bak).
    #[arg(long)]
    pub reset: bool,
    /// Usable outcomes needed before anything changes.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub min_evidence: usize,
    /// Days of outcomes to learn from.
    #[arg(long, value_name = "DAYS", default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3660))]
    pub days: u32,
}

/// What `ab` can do.
#[derive(Debug, Subcommand)]
pub enum AbCommand {
    /// Start a test: each new run is assigned a variant by a hash of its task and the test's name.
    Start(AbStartArgs),
    /// Compare the variants: cost per task, success, upgrades, latency, and a recommendation
    /// once the difference is significant.
    Report(AbReportArgs),
    /// Stop a test: new runs are no longer assigned (its results stay).
    Stop(AbNameArgs),
    /// List tests.
    List,
}

/// Arguments of `ab start`.
#[derive(Debug, Args)]
pub struct AbStartArgs {
    /// The test's name.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// A variant: `KEY=SETTING,SETTING...` where a setting is `tier-thresholds.sonnet=N`,
    /// `tier-thresholds.opus=N`, `cache-strategy=off|5m|mixed|1h`, `max-tokens=N`,
    /// `planning=on|off`, `learned-routing=on|off`; `KEY=` alone keeps the settings as they are.
    #[arg(long = "variant", value_name = "KEY=SETTINGS", required = true, num_args = 1)]
    pub variants: Vec<String>,
    /// Shares of new runs per variant, in order, e.g. `50,50` [default: equal].
    #[arg(long, value_name = "W,W,...")]
    pub split: Option<String>,
    /// Significance level of the report's verdicts.
    #[arg(long, value_name = "ALPHA", default_value_t = 0.05)]
    pub alpha: f64,
}

/// Arguments of `ab report`.
#[derive(Debug, Args)]
pub struct AbReportArgs {
    #[arg(value_name = "NAME")]
    pub name: String,
    /// How cost per task is compared: Welch's t-test, or a studentized bootstrap (2,000
    /// resamples, seeded by the test's name) for skewed costs or small samples.
    #[arg(long, value_enum, default_value_t = CostTestArg::Welch)]
    pub cost_test: CostTestArg,
}

/// `ab report --cost-test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CostTestArg {
    Welch,
    Bootstrap,
}

/// A test's name.
#[derive(Debug, Args)]
pub struct AbNameArgs {
    #[arg(value_name = "NAME")]
    pub name: String,
}
