//! `devteam`: parse, resolve settings once, execute, and turn the outcome into an exit code.

mod ab;
mod agents;
mod api;
mod bounded_read;
mod budget;
mod cli;
mod clock;
mod commands;
mod context;
mod discovery;
use devteam_embed as embed;
mod env;
mod error;
#[cfg(test)]
mod fuzz_tests;
mod gateway;
mod interrupt;
mod labels;
mod learn;
mod orchestrator;
mod output;
mod pricing;
mod project;
mod prompt;
mod records;
mod routing;
mod settings;
mod store;
mod tokens;
mod usage;
mod warm;
mod yaml;

use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _};

fn main() -> ExitCode {
    let cli = parse();
    // Completions and man pages come from the CLI definition alone: a bad config file or an
    // unset HOME must not break them.
    if let cli::Command::Generate(command) = cli.command {
        return error::exit_code(commands::generate::run(command));
    }
    let env = env::Env::capture();
    let outcome = settings::Settings::resolve(&cli.global, &env)
        .and_then(|settings| commands::dispatch(cli.command, context::Context::new(settings)));
    error::exit_code(outcome)
}

/// Parses the command line; clap's own errors and help follow `--color` and `NO_COLOR` too.
fn parse() -> cli::Cli {
    let color = cli::clap_color(std::env::args_os(), std::env::var_os(env::NO_COLOR).is_some_and(|v| !v.is_empty()));
    let matches = cli::Cli::command().color(color).get_matches();
    cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}
