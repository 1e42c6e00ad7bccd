//! `devteam eval ...`: measurements on labeled data.

use anyhow::Result;

use super::fresh_library;
use crate::cli::EvalDiscoveryArgs;
use crate::context::Context;
use crate::discovery::eval::{EvalReport, evaluate, read_labels};
use crate::error::ExitStatus;

/// `eval discovery LABELS.tsv`.
pub fn discovery(args: &EvalDiscoveryArgs, ctx: &Context) -> Result<ExitStatus> {
    let tasks = read_labels(&args.labels)?;
    let library = fresh_library(ctx, true)?;
    let report = evaluate(ctx.store()?, &library, &tasks, ctx.settings.discover_shortlist)?;
    if !report.unknown_ids.is_empty() {
        ctx.printer.warn(&format!("labels name agents the library does not have: {}", report.unknown_ids.join(", ")));
    }
    print(ctx, &report)?;
    Ok(ExitStatus::Success)
}

fn print(ctx: &Context, r: &EvalReport) -> Result<()> {
    let p = &ctx.printer;
    if p.json_mode() {
        return p.json(r);
    }
    let mut table = p.new_table(&["tasks", "hit@1", "hit@3", "recall@10", "MRR", "tokens/task", "load-all tokens"]);
    table.add_row(vec![
        r.tasks.to_string(),
        format!("{:.3}", r.hit_at_1),
        format!("{:.3}", r.hit_at_3),
        format!("{:.3}", r.recall_at_10),
        format!("{:.3}", r.mrr),
        format!("{:.0}", r.tokens_per_task),
        r.load_all_tokens.to_string(),
    ]);
    p.table(&table)?;
    if !r.misses.is_empty() {
        let mut misses = p.new_table(&["line", "missed task", "expected", "top 3"]);
        for m in &r.misses {
            misses.add_row(vec![m.line.to_string(), m.task.clone(), m.expected.join(", "), m.got.join(", ")]);
        }
        p.table(&misses)?;
    }
    Ok(())
}
