//! `devteam store init`: creates the store where the settings name it. Elsewhere a missing store
//! at a non-default path is an error, so this is the one way (with `--init`) to make one there.

use anyhow::Result;
use serde::Serialize;

use crate::cli::{StoreCommand, StoreMigrateArgs};
use crate::context::Context;
use crate::error::ExitStatus;
use crate::error::UserError;
use crate::store::Store;
use crate::store::pg::{self, PgStore};

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
        StoreCommand::Migrate(args) => migrate(&args, ctx)?,
    }
    Ok(ExitStatus::Success)
}

/// `store migrate --to URL`: this host's SQLite store into the shared one.
fn migrate(args: &StoreMigrateArgs, ctx: &Context) -> Result<()> {
    if !pg::is_url(&args.to) {
        return Err(UserError::new(format!(
            "--to wants a PostgreSQL URL (postgres://user:password@host:port/db), not {}",
            crate::api::redact_url(&args.to)
        ))
        .into());
    }
    let path = &ctx.settings.db_path;
    if !path.exists() {
        return Err(UserError::new(format!("no local store at {} to copy from (check --db)", path.display())).into());
    }
    // Opening brings an older local schema up to date first (in one transaction: all or nothing).
    let local = crate::store::SqliteStore::open(path)?;
    let shared = PgStore::connect(&args.to)?;
    let report = pg::migrate_sqlite(&local, &shared)?;
    if ctx.printer.json_mode() {
        return ctx.printer.json(&report);
    }
    let (read, new) = report.tables.iter().fold((0, 0), |(r, n), t| (r + t.read, n + t.inserted));
    for t in report.tables.iter().filter(|t| t.read > 0) {
        ctx.printer.stdout_line(&format!("{:<18} {:>9} read {:>9} new", t.table, t.read, t.inserted))?;
    }
    ctx.printer.stdout_line(&format!(
        "copied {} into {}: {read} rows read, {new} new (the rest were there already)",
        ctx.settings.db_path.display(),
        shared.shown_url()
    ))
}
