//! `devteam usage watch`: spend in the last hour, today, the last 7 days and this month, and
//! the budgets, redrawn every few seconds until Ctrl-C (whose default action ends the process).
//! Prints once when stdout is not a terminal or with `--once`; `--json` prints one JSON
//! document per refresh, one per line.

use std::time::Duration;

use anyhow::Result;

use super::shared::{self, ROW_COLUMNS, row_cells};
use crate::budget;
use crate::cli::UsageWatchArgs;
use crate::commands::budget::StatusReport;
use crate::context::Context;
use crate::error::ExitStatus;
use crate::output::Printer;
use crate::usage::live::{LiveReport, live};
use crate::usage::period::{self, Period};
use crate::usage::report::Scope;

/// Clears the screen and homes the cursor.
const CLEAR: &str = "\x1b[2J\x1b[H";

pub fn run(args: &UsageWatchArgs, ctx: &Context) -> Result<ExitStatus> {
    let p = &ctx.printer;
    let tz = period::time_zone(args.timezone.as_deref(), &ctx.settings.timezone.tz)?;
    let once = args.once || !p.stdout_is_terminal();
    loop {
        let now = ctx.clock.now();
        let scope = Scope {
            period: Period { since: None, until: now },
            project: args.project.clone(),
            source: args.source.map(shared::source),
            tz: tz.clone(),
        };
        let policy = &ctx.settings.budget.policy;
        let report = live(ctx.store()?, ctx.prices()?, &scope, now, &policy.timezone)?;
        if p.json_mode() {
            p.json_line(&report)?;
        } else {
            // Budgets as `budget status` shows them (reservations in flight included), read
            // without recording alerts: watching must not change the store.
            let states = ctx.store()?.budget_read(|l| budget::evaluate(l, policy, now, budget::Scope::All))?;
            let status = crate::commands::budget::report_of(ctx, &states, now);
            draw(p, &report, &status, once, args.interval)?;
        }
        if once {
            return Ok(ExitStatus::Success);
        }
        std::thread::sleep(Duration::from_secs(args.interval));
    }
}

fn draw(p: &Printer, r: &LiveReport, status: &StatusReport, once: bool, interval: u64) -> Result<()> {
    let mut out = String::new();
    if !once {
        out.push_str(CLEAR);
    }
    let filters: Vec<String> =
        [r.project.as_ref().map(|v| format!("project {v}")), r.source.map(|v| format!("source {v}"))]
            .into_iter()
            .flatten()
            .collect();
    out.push_str(&format!("devteam usage at {} ({})", r.at, r.timezone));
    if !filters.is_empty() {
        out.push_str(&format!(" · {}", filters.join(", ")));
    }
    if !once {
        out.push_str(&format!(" · every {interval}s, Ctrl-C to quit"));
    }
    let mut windows = p.new_table(&[&["window"][..], &ROW_COLUMNS[..]].concat());
    for row in &r.windows {
        windows.add_row(row_cells(row));
    }
    let mut models = p.new_table(&[&["model today"][..], &ROW_COLUMNS[..]].concat());
    for row in &r.today_by_model {
        models.add_row(row_cells(row));
    }
    out.push_str(&format!("\n{windows}\n{models}"));
    if !status.budgets.is_empty() {
        let table = crate::commands::budget::status_table(p, status);
        out.push_str(&format!(
            "\nbudgets (windows in {}; mode in force: {})\n{table}",
            status.timezone,
            status.mode.as_str()
        ));
    }
    p.stdout_line(&out)
}
