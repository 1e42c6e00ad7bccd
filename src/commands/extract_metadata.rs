//! `devteam extract-metadata`: index the library and report sizes, reduction and skipped files.

use std::time::Instant;

use anyhow::{Result, bail};
use serde::Serialize;

use crate::agents::index::{IndexOptions, index_library};
use crate::agents::scan::DUPLICATE_PREFIX;
use crate::cli::ExtractMetadataArgs;
use crate::context::Context;
use crate::error::{ExitStatus, UserError};

/// The `--json` report of `extract-metadata`.
#[derive(Debug, Serialize)]
pub struct ExtractReport {
    /// Agents whose vectors were brought up to date, and the texts actually embedded.
    pub embedded: Option<crate::discovery::vectors::VectorReport>,
    pub library: String,
    pub agents: usize,
    pub parsed: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub rebuilt: bool,
    pub full_tokens: usize,
    pub index_tokens: usize,
    pub reduction_pct: f64,
    pub median_card_tokens: usize,
    pub max_card_tokens: usize,
    pub card_max_tokens: usize,
    pub skipped: Vec<FileNote>,
    pub warnings: Vec<FileNote>,
    pub elapsed_ms: u128,
}

/// A file and what is wrong with it.
#[derive(Debug, Serialize)]
pub struct FileNote {
    pub path: String,
    pub reason: String,
}

pub fn run(args: &ExtractMetadataArgs, ctx: &Context) -> Result<ExitStatus> {
    let started = Instant::now();
    let Some(root) = &ctx.settings.agents_dir else {
        bail!(UserError::new(
            "extract-metadata needs a library: pass --agents DIR, set DEVTEAM_AGENTS, or set `agents:` in config"
        ));
    };
    let card_max_tokens = args.card_max_tokens.unwrap_or(ctx.settings.card_max_tokens);
    if card_max_tokens < 20 {
        bail!(UserError::new(format!(
            "--card-max-tokens {card_max_tokens} is too small to hold an agent's id and description (at least 20)"
        )));
    }
    let store = ctx.store()?;
    let bar = ctx.printer.progress(0, "indexing");
    let report =
        index_library(store, root, IndexOptions { card_max_tokens, force: args.force }, &|p| super::track(&bar, p))?;
    bar.finish_and_clear();
    let library = report.library.clone().ok_or_else(|| anyhow::anyhow!("index run returned no library"))?;
    let embedded = super::semantic::refresh_vectors(ctx, &library)?;
    let totals = store.index().library_totals(library.id)?;
    let out = ExtractReport {
        embedded,
        library: root.display().to_string(),
        agents: totals.agents,
        parsed: report.parsed,
        unchanged: report.unchanged,
        removed: report.removed,
        rebuilt: report.rebuilt,
        full_tokens: totals.full_tokens,
        index_tokens: totals.card_tokens,
        reduction_pct: pct_saved(totals.card_tokens, totals.full_tokens),
        median_card_tokens: totals.card_tokens_sorted.get(totals.agents / 2).copied().unwrap_or(0),
        max_card_tokens: totals.card_tokens_sorted.last().copied().unwrap_or(0),
        card_max_tokens,
        skipped: report
            .skipped
            .iter()
            .map(|s| FileNote { path: s.rel_path.clone(), reason: s.reason.clone() })
            .collect(),
        warnings: report.warnings.iter().map(|(p, w)| FileNote { path: p.clone(), reason: w.clone() }).collect(),
        elapsed_ms: started.elapsed().as_millis(),
    };
    print(ctx, &out)?;
    if args.strict && !out.skipped.is_empty() {
        // Exit 1 must say why on stderr, whatever went to stdout (`--json`, `-q`).
        ctx.printer.warn(&format!("--strict: {} file(s) were skipped (listed above), exiting 1", out.skipped.len()));
        return Ok(ExitStatus::Failure);
    }
    Ok(ExitStatus::Success)
}

/// Percentage of `full` saved by using `part` instead.
pub fn pct_saved(part: usize, full: usize) -> f64 {
    if full == 0 { 0.0 } else { (1.0 - part as f64 / full as f64) * 100.0 }
}

fn print(ctx: &Context, out: &ExtractReport) -> Result<()> {
    let p = &ctx.printer;
    for note in &out.warnings {
        p.verbose(&format!("note {}: {}", note.path, note.reason));
    }
    if p.json_mode() {
        // Scripts read stdout; people and logs still need to see what was left out.
        for note in &out.skipped {
            p.warn(&format!("skipped {}: {}", note.path, note.reason));
        }
        return p.json(out);
    }
    let mut table = p.new_table(&[
        "library",
        "agents",
        "full tokens",
        "index tokens",
        "reduction",
        "median card",
        "read",
        "unchanged",
        "removed",
        "skipped",
    ]);
    table.add_row(vec![
        out.library.clone(),
        out.agents.to_string(),
        out.full_tokens.to_string(),
        out.index_tokens.to_string(),
        format!("{:.1}%", out.reduction_pct),
        out.median_card_tokens.to_string(),
        out.parsed.to_string(),
        out.unchanged.to_string(),
        out.removed.to_string(),
        out.skipped.len().to_string(),
    ]);
    p.table(&table)?;
    // Public collections copy one agent into many plugins: list those copies only on request.
    let (copies, broken): (Vec<&FileNote>, Vec<&FileNote>) =
        out.skipped.iter().partition(|n| n.reason.starts_with(DUPLICATE_PREFIX));
    if !broken.is_empty() {
        let mut skipped = p.new_table(&["skipped file", "reason"]);
        for note in broken {
            skipped.add_row(vec![note.path.clone(), note.reason.clone()]);
        }
        p.table(&skipped)?;
    }
    if !copies.is_empty() {
        p.note(&format!("{} file(s) repeat an id that is already indexed and were left out (first path wins); -v or --json lists them", copies.len()));
        for note in copies {
            p.verbose(&format!("  {}: {}", note.path, note.reason));
        }
    }
    Ok(())
}
