//! `devteam usage ...`: one file per subcommand; this file only dispatches.

mod by;
mod cache;
mod daily;
mod import;
mod report;
mod shared;
pub mod suggest;
mod summary;
mod watch;

use anyhow::Result;

use crate::cli::UsageCommand;
use crate::context::Context;
use crate::error::ExitStatus;

/// Runs a `usage` subcommand.
pub fn run(command: UsageCommand, ctx: &Context) -> Result<ExitStatus> {
    match command {
        UsageCommand::Summary(args) => summary::run(&args, ctx),
        UsageCommand::By(args) => by::run(&args, ctx),
        UsageCommand::Report(args) => report::run(&args, ctx),
        UsageCommand::Watch(args) => watch::run(&args, ctx),
        UsageCommand::Cache(args) => cache::run(&args, ctx),
        UsageCommand::Import(args) => import::run(&args, ctx),
        UsageCommand::Daily(args) => daily::run(&args, ctx),
        UsageCommand::Suggest(args) => suggest::run(&args, ctx),
    }
}

/// `1234567` as `1,234,567`, for tables: the one thousands-separator helper, in `shared`.
use shared::count as grouped;
