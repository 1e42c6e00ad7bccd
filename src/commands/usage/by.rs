//! `devteam usage by DIMENSION`: spend per day, week, month, model, tier, agent, project, task,
//! source or stage.

use anyhow::Result;

use super::shared::{self, ROW_COLUMNS, csv_header, csv_row, row_cells};
use crate::cli::{UsageByArgs, UsageDimension};
use crate::context::Context;
use crate::error::ExitStatus;
use crate::usage::period::Calendar;
use crate::usage::summary::{Dimension, by};

pub fn run(args: &UsageByArgs, ctx: &Context) -> Result<ExitStatus> {
    let p = &ctx.printer;
    shared::check_formats(args.csv, p.json_mode())?;
    let scope = shared::scope(&args.filter, &ctx.settings.timezone.tz, ctx.clock.now())?;
    let report = by(ctx.store()?, ctx.prices()?, &scope, dimension(args.dimension), args.limit)?;
    if p.json_mode() {
        p.json(&report)?;
        return Ok(ExitStatus::Success);
    }
    if args.csv {
        let mut lines = vec![csv_header(report.dimension)];
        lines.extend(report.rows.iter().map(csv_row));
        p.stdout_line(&lines.join("\n"))?;
        return Ok(ExitStatus::Success);
    }
    let mut t = p.new_table(&[&[report.dimension][..], &ROW_COLUMNS[..]].concat());
    for row in report.rows.iter().chain([&report.totals]) {
        t.add_row(row_cells(row));
    }
    p.table(&t)?;
    if report.omitted_rows > 0 {
        p.note(&format!("{} more row(s) left out by --limit; the total counts them", report.omitted_rows));
    }
    Ok(ExitStatus::Success)
}

fn dimension(arg: UsageDimension) -> Dimension {
    match arg {
        UsageDimension::Day => Dimension::Time(Calendar::Day),
        UsageDimension::Week => Dimension::Time(Calendar::Week),
        UsageDimension::Month => Dimension::Time(Calendar::Month),
        UsageDimension::Model => Dimension::Model,
        UsageDimension::Tier => Dimension::Tier,
        UsageDimension::Agent => Dimension::Agent,
        UsageDimension::Project => Dimension::Project,
        UsageDimension::Task => Dimension::Task,
        UsageDimension::Session => Dimension::Session,
        UsageDimension::Source => Dimension::Source,
        UsageDimension::Stage => Dimension::Stage,
    }
}
