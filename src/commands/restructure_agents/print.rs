//! Tables and notes of `restructure-agents` (the `--json` reports are printed as they are).

use anyhow::Result;

use super::{RestructureReport, TierModel, UndoReport};
use crate::commands::extract_metadata::FileNote;
use crate::context::Context;

pub(super) fn print(ctx: &Context, r: &RestructureReport) -> Result<()> {
    let p = &ctx.printer;
    for note in &r.warnings {
        p.warn(&format!("{}: {}", note.path, note.reason));
    }
    let broken: Vec<&FileNote> =
        r.skipped.iter().filter(|n| !n.reason.starts_with(crate::agents::scan::DUPLICATE_PREFIX)).collect();
    for note in &broken {
        p.warn(&format!("skipped {}: {}", note.path, note.reason));
    }
    if p.json_mode() {
        return p.json(r);
    }
    print_agents(ctx, r)?;
    print_totals(ctx, r)?;
    print_blocks(ctx, r)?;
    print_outcome(ctx, r);
    Ok(())
}

/// One row per agent; a tier column says whether the static part alone reaches the model's
/// minimum cacheable length (`yes`), only behind the foundation (`+shared`), or not (`no`).
fn print_agents(ctx: &Context, r: &RestructureReport) -> Result<()> {
    let p = &ctx.printer;
    let tier_header = |m: &TierModel| format!("{} >={}", m.tier, m.min_cacheable_tokens);
    let mut header: Vec<String> =
        ["agent", "static", "dynamic", "cacheable", "before", "shared", "kept lines"].map(String::from).to_vec();
    header.extend(r.models.iter().map(tier_header));
    let mut table = p.new_table(&header.iter().map(String::as_str).collect::<Vec<_>>());
    for a in &r.agents {
        let mut row = vec![
            a.id.clone(),
            a.static_tokens.to_string(),
            a.dynamic_tokens.to_string(),
            format!("{:.1}%", a.cacheable_pct),
            format!("{:.1}%", a.before_cacheable_pct),
            a.shared_refs.len().to_string(),
            a.kept_lines.to_string(),
        ];
        row.extend(a.reaches_min.iter().map(|m| match (m.static_only, m.with_foundation) {
            (true, _) => "yes".to_string(),
            (false, true) => "+shared".to_string(),
            (false, false) => "no".to_string(),
        }));
        table.add_row(row);
    }
    p.table(&table)
}

fn print_totals(ctx: &Context, r: &RestructureReport) -> Result<()> {
    let p = &ctx.printer;
    let t = &r.totals;
    let mut header: Vec<String> =
        ["agents", "changed", "static", "dynamic", "cacheable", "before", "foundation", "library tokens"]
            .map(String::from)
            .to_vec();
    header.extend(t.reaching.iter().map(|m| format!("reach {} >={}", m.tier, m.min_cacheable_tokens)));
    let mut table = p.new_table(&header.iter().map(String::as_str).collect::<Vec<_>>());
    let mut row = vec![
        t.agents.to_string(),
        t.changed_agents.to_string(),
        t.static_tokens.to_string(),
        t.dynamic_tokens.to_string(),
        format!("{:.1}%", t.cacheable_pct),
        format!("{:.1}%", t.before_cacheable_pct),
        r.foundation_tokens.to_string(),
        format!("{} -> {}", t.tokens_before, t.tokens_after),
    ];
    row.extend(t.reaching.iter().map(|m| format!("{} ({} +shared)", m.static_only, m.with_foundation)));
    table.add_row(row);
    p.table(&table)
}

fn print_blocks(ctx: &Context, r: &RestructureReport) -> Result<()> {
    let p = &ctx.printer;
    if r.shared_blocks.is_empty() {
        p.note("no shared blocks: no static section is common to enough agents");
        return Ok(());
    }
    let mut table = p.new_table(&["shared block", "agents", "tokens", "exact", "near", "kept lines", "new"]);
    for b in &r.shared_blocks {
        table.add_row(vec![
            format!("{}#{}", r.foundation, b.anchor),
            b.agent_count.to_string(),
            b.tokens.to_string(),
            b.exact_copies.to_string(),
            b.near_copies.to_string(),
            b.kept_lines.to_string(),
            if b.new { "yes" } else { "no" }.to_string(),
        ]);
    }
    p.table(&table)
}

fn print_outcome(ctx: &Context, r: &RestructureReport) {
    let p = &ctx.printer;
    let n = r.changed_files.len();
    match (&r.backup, r.written) {
        (Some(backup), true) => p.note(&format!("wrote {n} file(s); originals in {backup}; `--undo` restores them")),
        (None, true) => p.note("nothing to change: the library is already restructured"),
        (_, false) if n == 0 => p.note("dry run: nothing to change"),
        (_, false) => p.note(&format!("dry run: {n} file(s) would change; `--write` applies (with a backup)")),
    }
}

pub(super) fn print_undo(ctx: &Context, r: &UndoReport) -> Result<()> {
    let p = &ctx.printer;
    if p.json_mode() {
        return p.json(r);
    }
    let mut table = p.new_table(&["file", "undo"]);
    for (files, what) in
        [(&r.restored, "restored"), (&r.removed, "removed (created by the write)"), (&r.unchanged, "already original")]
    {
        for f in files {
            table.add_row(vec![f.clone(), what.to_string()]);
        }
    }
    p.table(&table)?;
    p.note(&format!("restored from {} (backup deleted)", r.backup));
    Ok(())
}
