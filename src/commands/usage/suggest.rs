//! `devteam usage suggest [--apply]`.

use anyhow::Result;
use serde::Serialize;

use crate::cli::UsageSuggestArgs;
use crate::context::Context;
use crate::error::ExitStatus;
use crate::learn::propose::{self, Policy};
use crate::learn::view;
use crate::prompt::CacheStrategy;
use crate::usage::suggest::{self, Current, Edit, Suggestion};

/// The `--json` report.
#[derive(Debug, Serialize)]
pub struct SuggestReport {
    pub days: u32,
    pub suggestions: Vec<Suggestion>,
    pub total_saves_usd: f64,
    /// With `--apply`: what was changed, and the backups kept.
    pub applied: Vec<String>,
    pub backups: Vec<String>,
}

pub fn run(args: &UsageSuggestArgs, ctx: &Context) -> Result<ExitStatus> {
    let now = ctx.clock.now_ms();
    let since = now - i64::from(args.days) * 86_400_000;
    let agents = library_agents(ctx)?;
    let state = state(ctx, &agents);
    let facts = view::facts(ctx.store()?, ctx.prices()?, &state, args.days, now)?;
    let suggestions = suggest::suggest(&facts, ctx.prices()?, state.current);
    let mut report = SuggestReport {
        days: args.days,
        total_saves_usd: suggestions.iter().map(|s| s.saves_usd).sum(),
        suggestions,
        applied: Vec::new(),
        backups: Vec::new(),
    };
    if args.apply {
        apply(ctx, &mut report, since, now)?;
    }
    print(ctx, &report)
}

/// The agents that could have been chosen: the latest library's.
pub fn library_agents(ctx: &Context) -> Result<Vec<String>> {
    let store = ctx.store()?;
    Ok(match store.index().latest_library()? {
        Some(lib) => store.index().agent_ids(lib.id)?,
        None => Vec::new(),
    })
}

/// The router and settings in force, as the rules compare with them.
pub fn state<'a>(ctx: &'a Context, agents: &'a [String]) -> view::Now<'a> {
    view::Now {
        thresholds: ctx.settings.routing.thresholds,
        learned: ctx.settings.routing.learned.as_ref(),
        current: Current {
            one_hour_cache: ctx.settings.run.cache_strategy == CacheStrategy::OneHour,
            project_context_max_tokens: ctx.settings.run.project_context_max_tokens,
        },
        library_agents: agents,
    }
}

fn apply(ctx: &Context, report: &mut SuggestReport, since: i64, now: i64) -> Result<()> {
    let mut keys: Vec<(String, String)> = Vec::new();
    for s in &report.suggestions {
        match &s.edit {
            Some(Edit::Config { key, value }) if !keys.iter().any(|(k, _)| k == key) => {
                keys.push((key.clone(), value.clone()));
            }
            Some(Edit::LearnRouting) => {
                let rows = ctx.store()?.routing_outcomes(since)?;
                let proposal = propose::propose(&rows, ctx.settings.routing.thresholds, Policy::default(), now);
                let path = &ctx.settings.routing.learned_path;
                if let Some(b) = crate::learn::settings::write(path, &propose::as_learned(&proposal, now))? {
                    report.backups.push(b.display().to_string());
                }
                report.applied.push(format!("learned routing written to {}", path.display()));
            }
            _ => {}
        }
    }
    if !keys.is_empty() {
        let path = &ctx.settings.config_path;
        if let Some(b) = crate::learn::config_edit::set_keys(path, &keys)? {
            report.backups.push(b.display().to_string());
        }
        for (k, v) in &keys {
            report.applied.push(format!("{k}: {v} in {}", path.display()));
        }
    }
    Ok(())
}

fn print(ctx: &Context, r: &SuggestReport) -> Result<ExitStatus> {
    let p = &ctx.printer;
    if p.json_mode() {
        p.json(r)?;
        return Ok(ExitStatus::Success);
    }
    if r.suggestions.is_empty() {
        p.stdout_line(&format!("nothing to suggest from the last {} days", r.days))?;
    }
    for (i, s) in r.suggestions.iter().enumerate() {
        let how = if s.edit.is_some() { "--apply makes it" } else { "advice" };
        p.stdout_line(&format!("{}. {} (saves ${:.4}; {how})", i + 1, s.title, s.saves_usd))?;
        p.stdout_line(&format!("   {}", s.why))?;
    }
    if !r.suggestions.is_empty() {
        p.stdout_line(&format!("together: ${:.4} over {} days", r.total_saves_usd, r.days))?;
    }
    for a in &r.applied {
        p.stdout_line(&format!("applied: {a}"))?;
    }
    for b in &r.backups {
        p.stdout_line(&format!("previous kept as {b}"))?;
    }
    Ok(ExitStatus::Success)
}
