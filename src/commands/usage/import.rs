//! `devteam usage import claude-code [PATH]`: read Claude Code's transcripts into the store.

use std::time::Instant;

use anyhow::{Result, bail};
use serde::Serialize;

use super::grouped;
use crate::cli::{ImportClaudeCodeArgs, ImportFrom, UsageImportArgs};
use crate::context::Context;
use crate::error::ExitStatus;
use crate::usage::claude_code::{self, ImportReport};

/// The `--json` report of `usage import`.
#[derive(Debug, Serialize)]
pub struct ImportOutput<'a> {
    pub source: &'static str,
    /// The `projects/` folders read.
    pub roots: Vec<String>,
    #[serde(flatten)]
    pub report: &'a ImportReport,
    pub elapsed_ms: u128,
}

pub fn run(args: &UsageImportArgs, ctx: &Context) -> Result<ExitStatus> {
    match &args.from {
        ImportFrom::ClaudeCode(args) => claude_code(args, ctx),
    }
}

fn claude_code(args: &ImportClaudeCodeArgs, ctx: &Context) -> Result<ExitStatus> {
    let started = Instant::now();
    let roots = claude_code::project_roots(&args.paths, &ctx.settings.claude_dirs)?;
    let (store, prices) = (ctx.store()?, ctx.prices()?);
    let plan = claude_code::plan(store, &roots)?;
    let bar = ctx.printer.progress_bytes(plan.bytes, "reading Claude Code logs");
    let report = claude_code::run(store, prices, plan, &|done| bar.set_position(done))?;
    bar.finish_and_clear();
    let out = ImportOutput {
        source: "claude-code",
        roots: roots.iter().map(|r| r.display().to_string()).collect(),
        report: &report,
        elapsed_ms: started.elapsed().as_millis(),
    };
    let p = &ctx.printer;
    if p.json_mode() {
        p.json(&out)?;
    } else {
        summary(ctx, &out)?;
    }
    warn_unpriced(ctx, &report);
    if !report.errors.is_empty() {
        bail!(
            "{} file(s) or folder(s) could not be read (everything else was imported):\n  {}",
            report.errors.len(),
            report.errors.join("\n  ")
        );
    }
    Ok(ExitStatus::Success)
}

fn summary(ctx: &Context, out: &ImportOutput<'_>) -> Result<()> {
    let r = out.report;
    let p = &ctx.printer;
    p.stdout_line(&format!(
        "claude-code: {} files ({} read, {} unchanged, {} read again from the start), {} lines, {} MB in {} ms",
        grouped(r.files as u64),
        grouped(r.files_read as u64),
        grouped(r.files_unchanged as u64),
        grouped(r.files_reread as u64),
        grouped(r.lines_read),
        grouped(r.bytes_read / 1_000_000),
        grouped(out.elapsed_ms as u64),
    ))?;
    p.stdout_line(&format!(
        "{} usage lines: {} calls added, {} updated with a larger line, {} duplicate lines merged",
        grouped(r.usage_lines),
        grouped(r.calls_added),
        grouped(r.calls_updated),
        grouped(r.duplicate_lines),
    ))?;
    if r.malformed_lines + r.invalid_lines > 0 {
        p.stdout_line(&format!(
            "skipped {} malformed and {} invalid lines{}",
            grouped(r.malformed_lines),
            grouped(r.invalid_lines),
            if ctx.settings.output.verbose > 0 { "" } else { " (-v lists the first few)" }
        ))?;
    }
    for s in &r.skipped {
        p.verbose(&format!("  {}:{}: {}", s.path, s.line, s.reason));
    }
    if r.incomplete_tails > 0 {
        p.note(&format!("{} file(s) end in an unfinished line; it is read again next time", r.incomplete_tails));
    }
    Ok(())
}

fn warn_unpriced(ctx: &Context, r: &ImportReport) {
    if r.unpriced.is_empty() {
        return;
    }
    let list: Vec<String> = r
        .unpriced
        .iter()
        .map(|u| {
            let what = if u.model == "<synthetic>" { ", Claude Code's placeholder for its own errors" } else { "" };
            format!("{} ({} calls{what})", u.model, grouped(u.calls))
        })
        .collect();
    ctx.printer.warn(&format!(
        "no price for {}: tokens counted, cost recorded as $0; add prices with `prices-file` in the config",
        list.join(", ")
    ));
}
