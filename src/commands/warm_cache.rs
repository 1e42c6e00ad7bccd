//! `devteam warm-cache`: plan from the usage history (`warm::plan`), then send each warm-up that
//! pays through the gateway, recorded as `warm-cache` spend. One run at a time (a lock beside
//! the store); quiet unless something fails, since cron mails whatever a job prints.

mod prepare;
mod suggest;

use anyhow::{Context as _, Result};
use jiff::Span;
use serde::Serialize;

use crate::cli::WarmCacheArgs;
use crate::context::Context;
use crate::error::{ExitStatus, Interrupted};
use crate::gateway::{Billing, word_no_client};
use crate::orchestrator::llm::{Llm, LlmCall, LlmError};
use crate::usage::{Source, to_usd};
use crate::warm::lock::{self, Acquired};
use crate::warm::{self, AgentPlan, DaysCompared, Plan, PlanInput};

/// The `--json` report of a run (`status` `done`, `dry-run` or `busy`).
#[derive(Debug, Serialize)]
pub struct WarmReport<'a> {
    pub status: &'static str,
    pub lookback_days: u32,
    pub top: u32,
    /// The past days the estimates average over (absent when the run was `busy`).
    pub compared: Option<DaysCompared>,
    pub days: usize,
    pub agents: Vec<AgentReport<'a>>,
    /// Over the agents warmed (or, in a dry run, to be warmed).
    pub expected_saving_usd: f64,
    pub expected_cost_usd: f64,
    /// What the warm-ups sent cost, as billed.
    pub spent_usd: f64,
}

/// One agent of the report: the plan's verdict and what came of it.
#[derive(Debug, Serialize)]
pub struct AgentReport<'a> {
    #[serde(flatten)]
    pub plan: &'a AgentPlan,
    /// `warmed`, `skipped`, `failed`, `not-sent` (after the budget refused one) or `planned`
    /// (a dry run's warm-up).
    pub outcome: &'static str,
    pub spent_usd: Option<f64>,
    pub error: Option<String>,
}

/// What became of one planned agent.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Skipped,
    Planned,
    Warmed { cost_micros: i64 },
    Failed(String),
    NotSent(String),
}

/// A plan and, for each agent that could be laid out, the warm-up call.
struct Planned {
    plan: Plan,
    calls: Vec<Option<LlmCall>>,
    /// Agents whose prompt could not be prepared for a reason other than a missing agent.
    problems: Vec<Option<String>>,
}

pub fn run(args: &WarmCacheArgs, ctx: &Context) -> Result<ExitStatus> {
    if args.suggest_schedule {
        return suggest::run(args, ctx);
    }
    if args.dry_run {
        let planned = make_plan(args, ctx)?;
        let outcomes = planned.plan.agents.iter().map(|a| if a.warm { Outcome::Planned } else { Outcome::Skipped });
        return finish(args, ctx, "dry-run", &planned, outcomes.collect());
    }
    let billing =
        Billing::open(ctx, &project_name(ctx)).map_err(|e| word_no_client(e, |e| format!("{e} (or use --dry-run)")))?;
    let lock_path = lock::path_for(&ctx.settings.db_path);
    let _lock = match lock::acquire(&lock_path, args.wait)? {
        Acquired::Held(held) => held,
        Acquired::Busy => return busy(args, ctx, &lock_path),
    };
    // Planned under the lock, so that the run before this one shows up as live entries.
    let planned = make_plan(args, ctx)?;
    let outcomes = send(&billing, &planned)?;
    finish(args, ctx, "done", &planned, outcomes)
}

fn make_plan(args: &WarmCacheArgs, ctx: &Context) -> Result<Planned> {
    let store = ctx.store()?;
    let now = ctx.clock.zoned();
    let since = now.checked_sub(Span::new().days(i64::from(args.lookback))).context("going back in the calendar")?;
    let since_ms = since.timestamp().as_millisecond();
    let history = store.cache_history(since_ms, history_project(ctx).as_deref())?;
    let candidates = warm::popular(&history, since_ms, args.top as usize);
    let mut prefixes = Vec::new();
    let (mut calls, mut problems) = (Vec::new(), Vec::new());
    if !candidates.is_empty() {
        let setup = prepare::Setup::new(ctx)?;
        let mut agents = Vec::new();
        for candidate in candidates {
            let warm_up = setup.warm_up(ctx, &candidate)?;
            agents.push((candidate, warm_up));
        }
        // The shared prefix of each model goes first: it is planned on its own (every agent's
        // calls on the model read it), and the agents' warm-ups after it then only read it.
        let shared = prepare::shared_warm_ups(&history, &agents);
        if ctx.settings.run.project.is_none() {
            // An agent's entry follows the project's context, so it is one per project: without
            // `--project`, only agents that also run without a project are warmed, since for the
            // others that would write a prefix no run sends.
            let plain = store.cache_history(since_ms, Some(""))?;
            for (candidate, warm_up) in &mut agents {
                if !plain.iter().any(|c| c.agent == candidate.agent && c.model == candidate.model) {
                    warm_up.prefix = Err(NO_PROJECT.to_string());
                    warm_up.call = None;
                }
            }
        }
        for (candidate, warm_up) in shared.into_iter().chain(agents) {
            prefixes.push((candidate, warm_up.prefix));
            calls.push(warm_up.call);
            problems.push(warm_up.problem);
        }
    }
    let input = PlanInput { history: &history, now: &now, lookback_days: args.lookback, prices: ctx.prices()? };
    Ok(Planned { plan: warm::plan(&input, prefixes)?, calls, problems })
}

/// The project as runs record it in `calls.project`.
fn project_name(ctx: &Context) -> String {
    ctx.settings.run.project.as_ref().map(|p| p.display().to_string()).unwrap_or_default()
}

/// Why an agent is not warmed without `--project`.
const NO_PROJECT: &str = "its entry follows a project's context: warm it with --project";

/// Whose calls the plan reads: the project's, or without `--project` every project's, since the
/// prefix a warm-up without a project writes (each model's foundation, which comes before the
/// project's context) is the one every project's calls read.
fn history_project(ctx: &Context) -> Option<String> {
    ctx.settings.run.project.as_ref().map(|p| p.display().to_string())
}

fn send(billing: &Billing<'_>, planned: &Planned) -> Result<Vec<Outcome>> {
    let no_text = |_: &str| {};
    let gateway = billing.gateway(&no_text)?.with_source(Source::WarmCache);
    billing.until_interrupted(send_all(&gateway, planned)).ok_or_else(|| Interrupted.into())
}

/// One warm-up at a time, in plan order: the first on a model writes the shared blocks that the
/// next ones read, which only holds once its response has begun.
async fn send_all(llm: &dyn Llm, planned: &Planned) -> Vec<Outcome> {
    let mut refused: Option<String> = None;
    let mut outcomes = Vec::new();
    for (agent, call) in planned.plan.agents.iter().zip(&planned.calls) {
        let outcome = match (agent.warm, call, &refused) {
            (false, _, _) | (true, None, _) => Outcome::Skipped,
            (true, Some(_), Some(why)) => Outcome::NotSent(why.clone()),
            (true, Some(call), None) => match llm.call(call.clone()).await {
                Ok(reply) => Outcome::Warmed { cost_micros: reply.cost_micros },
                Err(LlmError::Budget(why)) => {
                    refused = Some(format!("not sent: the budget refused {}: {why}", agent.agent));
                    Outcome::Failed(format!("the budget refused it: {why}"))
                }
                Err(e) => Outcome::Failed(e.to_string()),
            },
        };
        outcomes.push(outcome);
    }
    outcomes
}

fn busy(args: &WarmCacheArgs, ctx: &Context, lock_path: &std::path::Path) -> Result<ExitStatus> {
    let p = &ctx.printer;
    if p.json_mode() {
        p.json(&WarmReport {
            status: "busy",
            lookback_days: args.lookback,
            top: args.top,
            compared: None,
            days: 0,
            agents: Vec::new(),
            expected_saving_usd: 0.0,
            expected_cost_usd: 0.0,
            spent_usd: 0.0,
        })?;
    }
    p.verbose(&format!(
        "another warm-cache run holds {}: it does the work, so this one exits (--wait waits for it)",
        lock_path.display()
    ));
    Ok(ExitStatus::Success)
}

fn finish(
    args: &WarmCacheArgs,
    ctx: &Context,
    status: &'static str,
    planned: &Planned,
    outcomes: Vec<Outcome>,
) -> Result<ExitStatus> {
    let (agents, failed) = agent_reports(ctx, planned, outcomes);
    let counted = |a: &&AgentReport<'_>| matches!(a.outcome, "warmed" | "planned");
    let report = WarmReport {
        status,
        lookback_days: args.lookback,
        top: args.top,
        compared: Some(planned.plan.compared),
        days: planned.plan.days,
        // Folded from +0.0: an empty f64 sum is -0.0, which would print as "$-0.0000".
        expected_saving_usd: agents.iter().filter(counted).map(|a| a.plan.expected_saving_usd).fold(0.0, |a, b| a + b),
        expected_cost_usd: agents.iter().filter(counted).map(|a| a.plan.cost_usd).fold(0.0, |a, b| a + b),
        spent_usd: agents.iter().filter_map(|a| a.spent_usd).fold(0.0, |a, b| a + b),
        agents,
    };
    print(ctx, &report, status == "dry-run")?;
    Ok(if failed { ExitStatus::Failure } else { ExitStatus::Success })
}

/// The report of each agent, and whether anything failed; failures are warned about on stderr
/// whatever the verbosity, since that is what cron should mail.
fn agent_reports<'a>(ctx: &Context, planned: &'a Planned, outcomes: Vec<Outcome>) -> (Vec<AgentReport<'a>>, bool) {
    let mut failed = false;
    let mut agents = Vec::new();
    for ((plan, outcome), problem) in planned.plan.agents.iter().zip(outcomes).zip(&planned.problems) {
        if let Some(problem) = problem {
            ctx.printer.warn(&format!("warm-cache: {}: {problem}", plan.agent));
            failed = true;
        }
        let (name, spent, error) = match outcome {
            Outcome::Skipped => ("skipped", None, None),
            Outcome::Planned => ("planned", None, None),
            Outcome::Warmed { cost_micros } => ("warmed", Some(to_usd(cost_micros)), None),
            Outcome::Failed(e) => ("failed", None, Some(e)),
            Outcome::NotSent(e) => ("not-sent", None, Some(e)),
        };
        if let Some(e) = &error {
            ctx.printer.warn(&format!("warm-cache: {} on {}: {e}", plan.agent, plan.model));
            failed = true;
        }
        agents.push(AgentReport { plan, outcome: name, spent_usd: spent, error });
    }
    (agents, failed)
}

/// JSON when asked; the table on a dry run or with `-v`; otherwise nothing (cron mails output).
fn print(ctx: &Context, report: &WarmReport<'_>, dry_run: bool) -> Result<()> {
    let p = &ctx.printer;
    if p.json_mode() {
        return p.json(report);
    }
    if !dry_run && ctx.settings.output.verbose == 0 {
        return Ok(());
    }
    if report.agents.is_empty() {
        let note = format!("no devteam calls in the last {} day(s): nothing to warm", report.lookback_days);
        if dry_run {
            return p.stdout_line(&note);
        }
        p.verbose(&note);
        return Ok(());
    }
    p.table(&table(p, report))?;
    let warmed = report.agents.iter().filter(|a| matches!(a.outcome, "warmed" | "planned")).count();
    let verb = if dry_run { "would warm" } else { "warmed" };
    p.stdout_line(&format!(
        "{verb} {warmed} of {} agent(s) (estimates from {} past {}): expected saving ${:.4} for ${:.4}{}",
        report.agents.len(),
        report.days,
        report.compared.map_or("days", DaysCompared::describe),
        report.expected_saving_usd,
        report.expected_cost_usd,
        if dry_run { String::new() } else { format!("; spent ${:.4}", report.spent_usd) },
    ))
}

fn table(p: &crate::output::Printer, report: &WarmReport<'_>) -> comfy_table::Table {
    let mut t = p.new_table(&["agent", "model", "calls", "prefix", "ttl", "avoided", "saving", "cost", "", "why"]);
    for a in &report.agents {
        t.add_row(vec![
            a.plan.agent.clone(),
            a.plan.model.clone(),
            a.plan.calls.to_string(),
            a.plan.prefix_tokens.to_string(),
            a.plan.ttl.map_or("-", warm::ttl_name).to_string(),
            format!("{:.1}", a.plan.expected_avoided_misses),
            format!("${:.4}", a.plan.expected_saving_usd),
            format!("${:.4}", a.plan.cost_usd),
            a.outcome.to_string(),
            a.error.clone().unwrap_or_else(|| a.plan.reason.clone()),
        ]);
    }
    t
}
