//! `devteam usage daily`: tokens and cost per day and model, as a table, CSV, or ccusage's JSON.

use anyhow::{Result, bail};

use super::grouped;
use crate::cli::{SourceFilter, UsageDailyArgs};
use crate::context::Context;
use crate::error::{ExitStatus, UserError};
use crate::settings::Zone;
use crate::usage::Source;
use crate::usage::daily::{self, DailyQuery, DailyReport, parse_date};

pub fn run(args: &UsageDailyArgs, ctx: &Context) -> Result<ExitStatus> {
    if args.csv && ctx.printer.json_mode() {
        bail!(UserError::new("--csv and --json both ask for the output format: pick one"));
    }
    let zone = match &args.timezone {
        Some(name) => Zone::parse(name, "--timezone")?,
        None => ctx.settings.timezone.clone(),
    };
    let since = args.since.as_deref().map(|s| parse_date(s, "--since")).transpose()?;
    let until = args.until.as_deref().map(|s| parse_date(s, "--until")).transpose()?;
    if let (Some(s), Some(u)) = (since, until)
        && s > u
    {
        bail!(UserError::new(format!("--since {s} is after --until {u}")));
    }
    let source = match args.source {
        SourceFilter::All => None,
        SourceFilter::Devteam => Some(Source::Devteam),
        SourceFilter::WarmCache => Some(Source::WarmCache),
        SourceFilter::ClaudeCode => Some(Source::ClaudeCode),
    };
    let query = DailyQuery { source, project: args.project.as_deref(), since, until, tz: &zone.tz };
    let report = daily::daily(ctx.store()?, ctx.prices()?, &query)?;
    let p = &ctx.printer;
    if p.json_mode() {
        p.json(&report)?;
    } else if args.csv {
        csv(ctx, &report)?;
    } else {
        table(ctx, &report, &zone)?;
    }
    Ok(ExitStatus::Success)
}

fn table(ctx: &Context, r: &DailyReport, zone: &Zone) -> Result<()> {
    let p = &ctx.printer;
    let header = ["date", "models", "input", "output", "cache write", "cache read", "total tokens", "cost (USD)"];
    let mut t = p.new_table(&header);
    for d in &r.daily {
        t.add_row(vec![
            d.date.clone(),
            d.models_used.join("\n"),
            grouped(d.input_tokens),
            grouped(d.output_tokens),
            grouped(d.cache_creation_tokens),
            grouped(d.cache_read_tokens),
            grouped(d.total_tokens),
            format!("{:.2}", d.total_cost),
        ]);
    }
    let s = &r.totals;
    t.add_row(vec![
        "total".to_string(),
        String::new(),
        grouped(s.input_tokens),
        grouped(s.output_tokens),
        grouped(s.cache_creation_tokens),
        grouped(s.cache_read_tokens),
        grouped(s.total_tokens),
        format!("{:.2}", s.total_cost),
    ]);
    p.table(&t)?;
    p.note(&format!("days in {}; --json gives ccusage's shape, with per-model breakdowns", zone.name));
    if !s.unpriced_models.is_empty() {
        p.warn(&format!("no price for {}: counted at $0", s.unpriced_models.join(", ")));
    }
    Ok(())
}

fn csv(ctx: &Context, r: &DailyReport) -> Result<()> {
    let p = &ctx.printer;
    p.stdout_line(
        "date,models,input_tokens,output_tokens,cache_creation_tokens,cache_read_tokens,total_tokens,cost_usd",
    )?;
    for d in &r.daily {
        p.stdout_line(&format!(
            "{},{},{},{},{},{},{},{}",
            d.date,
            csv_field(&d.models_used.join(";")),
            d.input_tokens,
            d.output_tokens,
            d.cache_creation_tokens,
            d.cache_read_tokens,
            d.total_tokens,
            d.total_cost
        ))?;
    }
    Ok(())
}

/// Quotes a field holding a comma, quote or newline (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}
