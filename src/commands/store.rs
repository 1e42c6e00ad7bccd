//! `devteam store init`: creates the store where the settings name it. Elsewhere a missing store
//! at a non-default path is an error, so this is the one way (with `--init`) to make one there.

use anyhow::Result;
use serde::Serialize;

use crate::cli::StoreCommand;
use crate::context::Context;
use crate::error::ExitStatus;
use crate::store::Store;

#[derive(Serialize)]
struct StoreReport {
    path: String,
    created: bool,
}

pub fn run(command: StoreCommand, ctx: &Context) -> Result<ExitStatus> {
    match command {
        StoreCommand::Init => {
            let path = &ctx.settings.db_path;
            let created = !path.exists();
            Store::open(path)?;
            let report = StoreReport { path: path.display().to_string(), created };
            if ctx.printer.json_mode() {
                ctx.printer.json(&report)?;
            } else {
                let verb = if created { "created" } else { "already exists:" };
                ctx.printer.stdout_line(&format!("store {verb} {}", report.path))?;
            }
        }
    }
    Ok(ExitStatus::Success)
}
