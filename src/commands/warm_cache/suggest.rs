//! `warm-cache --suggest-schedule`: crontab lines timed from the usage history of the most used
//! agents, printed so that the whole output can be appended to a crontab (notes are comments).

use anyhow::{Context as _, Result};
use jiff::Span;
use serde::Serialize;

use super::history_project;
use crate::cli::WarmCacheArgs;
use crate::context::Context;
use crate::error::ExitStatus;
use crate::prompt::{CacheStrategy, Ttl};
use crate::warm::schedule::{self, Suggestion};
use crate::warm::{self, PastCall};

/// The `--json` report of `--suggest-schedule`.
#[derive(Debug, Serialize)]
pub struct ScheduleReport {
    pub lookback_days: u32,
    /// Absent with `cache-strategy: off`, when nothing is cached and warming buys nothing.
    pub suggestion: Option<Suggestion>,
    /// Complete crontab lines (empty when there is nothing worth timing).
    pub crontab: Vec<String>,
    pub notes: Vec<String>,
}

pub fn run(args: &WarmCacheArgs, ctx: &Context) -> Result<ExitStatus> {
    let Some(ttl) = agent_ttl(ctx.settings.run.cache_strategy) else {
        let note = "cache-strategy is off: nothing is cached, so warming buys nothing".to_string();
        print(
            ctx,
            &ScheduleReport { lookback_days: args.lookback, suggestion: None, crontab: vec![], notes: vec![note] },
        )?;
        return Ok(ExitStatus::Failure);
    };
    let now = ctx.clock.zoned();
    // Whole days: the schedule compares the lookback's civil days from midnight to midnight.
    let since = now
        .checked_sub(Span::new().days(i64::from(args.lookback)))
        .and_then(|day| day.start_of_day())
        .context("going back in the calendar")?;
    let since_ms = since.timestamp().as_millisecond();
    let history = ctx.store()?.cache_history(since_ms, history_project(ctx).as_deref())?;
    let calls = calls_of_top_agents(&history, since_ms, args.top as usize);
    let suggestion = schedule::suggest(&calls, &now, args.lookback, ttl)?;
    let command = command_line(ctx);
    let crontab: Vec<String> = suggestion.cron.iter().map(|fields| format!("{fields} {command}")).collect();
    let mut notes = vec![format!(
        "timed from {} call(s) of the {} most used agent(s) over the last {} day(s); times in {} (the system's time \
         zone, which cron uses too)",
        calls.len(),
        args.top,
        args.lookback,
        suggestion.time_zone
    )];
    notes.extend(suggestion.notes.iter().cloned());
    if crontab.is_empty() {
        notes.push("nothing to schedule: no busy hours in the history".to_string());
    } else {
        notes.push("cron needs ANTHROPIC_API_KEY in the crontab's environment (or a wrapper script)".to_string());
    }
    let empty = crontab.is_empty();
    print(ctx, &ScheduleReport { lookback_days: args.lookback, suggestion: Some(suggestion), crontab, notes })?;
    Ok(if empty { ExitStatus::Failure } else { ExitStatus::Success })
}

/// The TTL of an agent's own entry (its last breakpoint) under a cache strategy.
fn agent_ttl(strategy: CacheStrategy) -> Option<Ttl> {
    match strategy {
        CacheStrategy::Off => None,
        CacheStrategy::FiveMinutes | CacheStrategy::Mixed => Some(Ttl::FiveMinutes),
        CacheStrategy::OneHour => Some(Ttl::OneHour),
    }
}

fn calls_of_top_agents(history: &[PastCall], since_ms: i64, top: usize) -> Vec<i64> {
    let agents: Vec<String> = warm::popular(history, since_ms, top).into_iter().map(|c| c.agent).collect();
    history.iter().filter(|c| !c.warm_up && c.ts_ms >= since_ms && agents.contains(&c.agent)).map(|c| c.ts_ms).collect()
}

/// This binary with the store (and library) it was given, so that cron's sparse environment
/// finds the same ones.
fn command_line(ctx: &Context) -> String {
    let exe = std::env::current_exe().map_or_else(|_| "devteam".to_string(), |p| shell_quote(&p.display().to_string()));
    let mut line = format!("{exe} --db {}", shell_quote(&ctx.settings.db_path.display().to_string()));
    if let Some(agents) = &ctx.settings.agents_dir {
        line.push_str(&format!(" --agents {}", shell_quote(&agents.display().to_string())));
    }
    line.push_str(" warm-cache");
    line
}

fn shell_quote(text: &str) -> String {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+:=,@".contains(c)) {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn print(ctx: &Context, report: &ScheduleReport) -> Result<()> {
    let p = &ctx.printer;
    if p.json_mode() {
        return p.json(report);
    }
    for note in &report.notes {
        p.stdout_line(&format!("# {note}"))?;
    }
    for line in &report.crontab {
        p.stdout_line(line)?;
    }
    Ok(())
}
