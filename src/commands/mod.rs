//! One file per subcommand and one exhaustive dispatch. Commands turn domain results into
//! report structs and hand them to the printer; domain logic lives in the domain modules.

mod ab;
mod budget;
mod discover;
mod eval;
mod extract_metadata;
pub mod generate;
mod prices;
mod restructure_agents;
mod route;
mod run;
mod runs;
mod semantic;
mod store;
mod task_input;
mod usage;
mod warm_cache;

use anyhow::Result;

use crate::agents::AgentSummary;
use crate::discovery::rerank::{self, Reranked};
use crate::error::Interrupted;
use crate::gateway::{Billing, NoClient};

use crate::agents::index::{IndexOptions, IndexProgress, index_library};
use crate::cli::{Command, EvalCommand};
use crate::context::Context;
use crate::error::{ExitStatus, UserError};
use crate::store::Library;

/// Runs the chosen subcommand.
pub fn dispatch(mut command: Command, ctx: Context) -> Result<ExitStatus> {
    task_input::fill(&mut command)?;
    match command {
        Command::ExtractMetadata(args) => extract_metadata::run(&args, &ctx),
        Command::Discover(args) => discover::run(&args, &ctx),
        Command::Run(args) => run::run(&args, &ctx),
        Command::Runs(args) => runs::run(&args, &ctx),
        Command::WarmCache(args) => warm_cache::run(&args, &ctx),
        Command::Prices(args) => prices::run(&args, &ctx),
        Command::Budget(command) => budget::run(command, &ctx),
        Command::RestructureAgents(args) => restructure_agents::run(&args, &ctx),
        Command::Eval(EvalCommand::Discovery(args)) => eval::discovery(&args, &ctx),
        Command::Eval(EvalCommand::Routing(args)) => eval::routing(&args, &ctx),
        Command::Usage(command) => usage::run(command, &ctx),
        Command::Route(command) => route::run(command, &ctx),
        Command::Ab(command) => ab::run(command, &ctx),
        Command::Store(command) => store::run(command, &ctx),
        Command::Generate(command) => generate::run(command),
    }
}

/// The library to work on, indexed and up to date: `--agents` (or config), else the library
/// indexed last. Re-indexing is incremental, so a fresh index costs a walk and a stat per file;
/// with `refresh` false an existing index is used as it is (a missing one is still built).
fn fresh_library(ctx: &Context, refresh: bool) -> Result<Library> {
    let root = match &ctx.settings.agents_dir {
        Some(root) => root.clone(),
        None => match ctx.store()?.index().latest_library()? {
            Some(lib) => lib.root,
            None => {
                return Err(UserError::new(
                    "no agent library: pass --agents DIR, set DEVTEAM_AGENTS, or put `agents: DIR` in the config file",
                )
                .into());
            }
        },
    };
    if !refresh && let Some(library) = ctx.store()?.index().library(&root)? {
        return Ok(library);
    }
    let options = IndexOptions { card_max_tokens: ctx.settings.card_max_tokens, force: false };
    // A first index of a large library takes a while: show how far it got (on a terminal).
    let bar = ctx.printer.progress(0, "indexing");
    let report = index_library(ctx.store()?, &root, options, &|p| track(&bar, p))?;
    bar.finish_and_clear();
    if report.parsed > 0 || report.removed > 0 {
        ctx.printer.note(&format!(
            "indexed {}: {} file(s) read, {} agent(s) removed",
            root.display(),
            report.parsed,
            report.removed
        ));
    }
    report.library.ok_or_else(|| anyhow::anyhow!("index run returned no library"))
}

/// Moves an indexing progress bar: the total once the library is walked, then each file.
fn track(bar: &indicatif::ProgressBar, progress: IndexProgress) {
    match progress {
        IndexProgress::Files(total) => bar.set_length(total),
        IndexProgress::Read(n) => bar.inc(n),
    }
}

/// Asks a model (on `tier`) to choose agents from `candidates`, charged to `project` like the
/// run it serves. Any failure (no key, API error, an unusable reply) is a warning and `None`:
/// the local ranking stands; an interrupt stops the command.
fn model_pick(
    ctx: &Context,
    project: &str,
    tier: &str,
    task: &str,
    candidates: &[AgentSummary],
    popular: &[String],
    top: usize,
) -> Result<Option<Reranked>> {
    let billing = match Billing::open(ctx, project) {
        Ok(billing) => billing,
        Err(e) if e.is::<NoClient>() => {
            ctx.printer.warn(&format!("choosing agents with a model needs the API ({e}); the local ranking stands"));
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let min_cacheable = ctx.prices()?.model(tier)?.min_cacheable_tokens;
    let gateway = billing.gateway(&|_| {})?;
    let run_id = format!("rerank-{}", ctx.clock.now_ms());
    let asked = rerank::ask(&gateway, &run_id, tier, task, candidates, popular, top, min_cacheable);
    let Some(answer) = billing.until_interrupted(asked) else { return Err(Interrupted.into()) };
    match answer {
        Ok(Some(picked)) => Ok(Some(picked)),
        Ok(None) => {
            ctx.printer.warn("the model's choice of agents was not usable; the local ranking stands");
            Ok(None)
        }
        Err(e) => {
            ctx.printer.warn(&format!("choosing agents with a model failed ({e}); the local ranking stands"));
            Ok(None)
        }
    }
}
