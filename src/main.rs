//! `devteam`: parse, resolve settings once, execute, and turn the outcome into an exit code.

mod agents;
mod api;
mod budget;
mod cli;
mod commands;
mod context;
mod discovery;
use devteam_embed as embed;
mod env;
mod error;
mod gateway;
mod labels;
mod orchestrator;
mod output;
mod pricing;
mod project;
mod prompt;
mod routing;
mod settings;
mod store;
mod tokens;
mod usage;
mod warm;
mod yaml;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let env = env::Env::capture();
    let outcome = settings::Settings::resolve(&cli.global, &env)
        .and_then(|settings| commands::dispatch(cli.command, context::Context::new(settings)));
    error::exit_code(outcome)
}
