//! One file per subcommand and one exhaustive dispatch. Commands turn domain results into
//! report structs and hand them to the printer; domain logic lives in the domain modules.

mod discover;
mod eval;
mod extract_metadata;
mod generate;
mod prices;
mod usage;

use anyhow::Result;

use crate::agents::index::{IndexOptions, index_library};
use crate::cli::{Command, EvalCommand};
use crate::context::Context;
use crate::error::{ExitStatus, UserError};
use crate::store::Library;

/// Runs the chosen subcommand.
pub fn dispatch(command: Command, ctx: Context) -> Result<ExitStatus> {
    match command {
        Command::ExtractMetadata(args) => extract_metadata::run(&args, &ctx),
        Command::Discover(args) => discover::run(&args, &ctx),
        Command::Prices(args) => prices::run(&args, &ctx),
        Command::Eval(EvalCommand::Discovery(args)) => eval::discovery(&args, &ctx),
        Command::Usage(command) => usage::run(command, &ctx),
        Command::Generate(command) => generate::run(command),
    }
}

/// The library to work on, indexed and up to date: `--agents` (or config), else the library
/// indexed last. Re-indexing is incremental, so a fresh index costs a walk and a stat per file;
/// with `refresh` false an existing index is used as it is (a missing one is still built).
fn fresh_library(ctx: &Context, refresh: bool) -> Result<Library> {
    let root = match &ctx.settings.agents_dir {
        Some(root) => root.clone(),
        None => match ctx.store()?.latest_library()? {
            Some(lib) => lib.root,
            None => {
                return Err(UserError::new(
                    "no agent library: pass --agents DIR, set DEVTEAM_AGENTS, or put `agents: DIR` in the config file",
                )
                .into());
            }
        },
    };
    if !refresh && let Some(library) = ctx.store()?.library(&root)? {
        return Ok(library);
    }
    let options = IndexOptions { card_max_tokens: ctx.settings.card_max_tokens, force: false };
    let report = index_library(ctx.store()?, &root, options, &|_| {})?;
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
