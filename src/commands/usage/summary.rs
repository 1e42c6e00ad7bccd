//! `devteam usage summary`: what was spent, where, and what was saved.

use anyhow::Result;

use super::shared::{self, ROW_COLUMNS, change, csv_header, csv_row, pct, row_cells, usd};
use crate::cli::UsageSummaryArgs;
use crate::context::Context;
use crate::error::ExitStatus;
use crate::output::Printer;
use crate::usage::summary::{SummaryReport, summary};

pub fn run(args: &UsageSummaryArgs, ctx: &Context) -> Result<ExitStatus> {
    let p = &ctx.printer;
    shared::check_formats(args.csv, p.json_mode())?;
    let scope = shared::scope(&args.filter, &ctx.settings.timezone.tz, ctx.clock.now())?;
    let report = summary(ctx.store()?, ctx.prices()?, &scope)?;
    if p.json_mode() {
        p.json(&report)?;
    } else if args.csv {
        let mut lines = vec![csv_header("source")];
        lines.extend(report.by_source.iter().chain([&report.totals]).map(csv_row));
        p.stdout_line(&lines.join("\n"))?;
    } else {
        print_tables(p, &report)?;
    }
    Ok(ExitStatus::Success)
}

fn print_tables(p: &Printer, r: &SummaryReport) -> Result<()> {
    let since = r.scope.since.as_deref().unwrap_or("the first call");
    p.stdout_line(&format!("Usage from {since} to {} ({})", r.scope.until, r.scope.timezone))?;
    for (title, rows) in [("source", &r.by_source), ("model", &r.by_model)] {
        let mut t = p.new_table(&[&[title][..], &ROW_COLUMNS[..]].concat());
        for row in rows.iter().chain([&r.totals]) {
            t.add_row(row_cells(row));
        }
        p.table(&t)?;
    }
    let c = &r.cache;
    p.stdout_line(&format!(
        "Cache: hit rate {} (cache reads / cacheable input); {} of all input tokens read from the cache.",
        pct(c.hit_rate),
        pct(c.cached_input_share)
    ))?;
    let s = &r.savings;
    p.stdout_line(&format!(
        "Savings: {} spent against {} for the same tokens on {} without cache or batch: {} saved ({}).\n  \
         routing {}, caching {}, batching {}, unattributed {}.",
        usd(s.actual_usd),
        usd(s.baseline_usd),
        s.baseline_model,
        usd(s.saved_usd),
        pct(s.saved_share),
        usd(s.routing_usd),
        usd(s.caching_usd),
        usd(s.batching_usd),
        usd(s.unattributed_usd)
    ))?;
    let t = &r.trend;
    p.stdout_line(&format!(
        "Trend ({}): {} against {} ({}); {} calls against {} ({}).",
        t.label,
        usd(t.current.cost_usd),
        usd(t.previous.cost_usd),
        change(t.cost_change),
        shared::count(t.current.calls),
        shared::count(t.previous.calls),
        change(t.calls_change)
    ))?;
    r.notes.iter().for_each(|n| p.note(&format!("note: {n}")));
    Ok(())
}
