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

/// `1234567` as `1,234,567`, for tables.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn digits_are_grouped_by_three() {
        assert_eq!(super::grouped(0), "0");
        assert_eq!(super::grouped(999), "999");
        assert_eq!(super::grouped(1_234_567), "1,234,567");
    }
}
