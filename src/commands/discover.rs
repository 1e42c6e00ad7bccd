//! `devteam discover "TASK"`: the ranked agents for a task, why, and what it cost in tokens.

use std::time::Instant;

use anyhow::{Result, bail};
use serde::Serialize;

use super::extract_metadata::pct_saved;
use super::{fresh_library, model_pick};
use crate::cli::DiscoverArgs;
use crate::context::Context;
use crate::discovery::{Discovery, Semantic, discover};
use crate::error::{ExitStatus, UserError};
use crate::usage::to_usd;

/// The `--json` report of `discover`.
#[derive(Debug, Serialize)]
pub struct DiscoverReport {
    pub task: String,
    pub library: String,
    pub agents: Vec<DiscoveredAgent>,
    pub tokens: TokenAccount,
    /// Present when `--rerank` asked a model to choose.
    pub rerank: Option<RerankInfo>,
    pub timing: Timing,
}

/// The reranker's call.
#[derive(Debug, Serialize)]
pub struct RerankInfo {
    pub model: String,
    pub request_tokens: usize,
    pub cost_usd: f64,
}

/// Where the time went, in milliseconds: checking the library for changes, and ranking.
#[derive(Debug, Serialize)]
pub struct Timing {
    pub refresh_ms: f64,
    /// Loading the embedding model and the library's vectors (embedding changed agents).
    pub embed_refresh_ms: f64,
    pub rank_ms: f64,
    /// Of `rank_ms`, embedding the task.
    pub query_embed_ms: f64,
}

fn ms(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

/// One agent in the ranking.
#[derive(Debug, Serialize)]
pub struct DiscoveredAgent {
    pub rank: usize,
    pub id: String,
    pub name: String,
    pub score: f64,
    pub reason: String,
    pub description: String,
    pub path: String,
    pub model_hint: Option<String>,
    pub card_tokens: usize,
    pub full_tokens: usize,
}

/// What discovery read, against loading the whole library.
#[derive(Debug, Serialize)]
pub struct TokenAccount {
    pub cards_consulted: usize,
    pub card_tokens: usize,
    pub chosen_full_tokens: usize,
    pub total: usize,
    pub load_all_tokens: usize,
    pub saved_pct: f64,
}

pub fn run(args: &DiscoverArgs, ctx: &Context) -> Result<ExitStatus> {
    if args.task.trim().is_empty() {
        bail!(UserError::new("the task is empty: describe what you need done"));
    }
    let top = args.top.unwrap_or(ctx.settings.discover_top);
    if top == 0 {
        bail!(UserError::new("--top must be at least 1"));
    }
    let started = Instant::now();
    let library = fresh_library(ctx, !args.no_refresh)?;
    let refreshed = Instant::now();
    let store = ctx.store()?;
    let vectors = super::semantic::library_vectors(ctx, &library, true)?;
    let semantic = vectors.as_ref().map(|v| Semantic { model: v.model, vectors: &v.vectors });
    let embedded = Instant::now();
    let mut found = discover(store, &library, &args.task, top, ctx.settings.discover_shortlist, semantic.as_ref())?;
    let rerank = if args.rerank { rerank_found(ctx, &args.task, &mut found, top)? } else { None };
    let timing = Timing {
        refresh_ms: ms(refreshed - started),
        embed_refresh_ms: ms(embedded - refreshed),
        rank_ms: ms(embedded.elapsed()),
        query_embed_ms: ms(found.query_embedding),
    };
    ctx.printer.verbose(&format!("searched for: {}", found.terms.own.join(" ")));
    ctx.printer.verbose(&format!("and related: {}", found.terms.expanded.join(" ")));
    let load_all = store.index().library_totals(library.id)?.full_tokens;
    let total = found.card_tokens + found.chosen_full_tokens;
    let report = DiscoverReport {
        task: args.task.clone(),
        library: library.root.display().to_string(),
        agents: found
            .ranked
            .iter()
            .enumerate()
            .map(|(i, r)| DiscoveredAgent {
                rank: i + 1,
                id: r.id.clone(),
                name: r.summary.name.clone(),
                score: (r.score * 100.0).round() / 100.0,
                reason: r.why.clone().unwrap_or_else(|| reason(&r.matched)),
                description: r.summary.description.clone(),
                path: r.summary.rel_path.clone(),
                model_hint: r.summary.model_hint.clone(),
                card_tokens: r.summary.card_tokens,
                full_tokens: r.summary.full_tokens,
            })
            .collect(),
        tokens: TokenAccount {
            cards_consulted: found.cards_consulted,
            card_tokens: found.card_tokens,
            chosen_full_tokens: found.chosen_full_tokens,
            total,
            load_all_tokens: load_all,
            saved_pct: (pct_saved(total, load_all) * 10.0).round() / 10.0,
        },
        rerank,
        timing,
    };
    print(ctx, &report)?;
    Ok(ExitStatus::Success)
}

fn reason(matched: &[String]) -> String {
    if matched.is_empty() {
        "related terms in its expertise".to_string()
    } else {
        format!("matches {}", matched.join(", "))
    }
}

fn print(ctx: &Context, report: &DiscoverReport) -> Result<()> {
    let p = &ctx.printer;
    if p.json_mode() {
        return p.json(report);
    }
    if report.agents.is_empty() {
        p.stdout_line("no agent matches this task; try describing it in more words")?;
    } else {
        let mut table = p.new_table(&["#", "agent", "score", "why", "tokens"]);
        for a in &report.agents {
            table.add_row(vec![
                a.rank.to_string(),
                a.id.clone(),
                format!("{:.2}", a.score),
                a.reason.clone(),
                a.full_tokens.to_string(),
            ]);
        }
        p.table(&table)?;
    }
    let t = &report.tokens;
    if report.agents.is_empty() {
        // Nothing found is not a saving: say so instead of "100.0% saved".
        return p.stdout_line("no agent matched this task; try other words, or `--rerank` with a key");
    }
    p.stdout_line(&format!(
        "tokens: {} cards ({} tokens) + chosen agents' full text ({} tokens) = {} vs {} to load the whole library ({:.1}% saved)",
        t.cards_consulted, t.card_tokens, t.chosen_full_tokens, t.total, t.load_all_tokens, t.saved_pct
    ))
}

/// Lets the haiku tier reorder the shortlist; on any failure the local ranking stands.
fn rerank_found(ctx: &Context, task: &str, found: &mut Discovery, top: usize) -> Result<Option<RerankInfo>> {
    let popular = ctx.store()?.popular_agents(ctx.clock.now_ms() - POPULAR_WINDOW_MS, 20)?;
    // Charged to the configured project, as a run of it would be.
    let project = ctx.settings.run.project.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    let Some(reranked) = model_pick(ctx, &project, "haiku", task, &found.shortlist, &popular, top)? else {
        return Ok(None);
    };
    found.apply_picks(&reranked.picks, top);
    Ok(Some(RerankInfo {
        model: reranked.model,
        request_tokens: reranked.request_tokens,
        cost_usd: to_usd(reranked.cost_micros),
    }))
}

/// How far back "most used" looks for the reranker's stable card order.
const POPULAR_WINDOW_MS: i64 = 14 * 24 * 3600 * 1000;
