//! A run of one agent and one call (simple tasks, `--no-plan`, and dry runs).

use anyhow::Result;
use serde::Serialize;

use crate::api::ApiClient;
use crate::context::Context;
use crate::error::{ExitStatus, Interrupted, UserError};
use crate::gateway::{BatchTiming, Gateway};
use crate::orchestrator::llm::LlmError;
use crate::orchestrator::single::{self, Done, Prepared};
use crate::store::Store;
use crate::usage::{RoutingRecord, to_usd};

/// The `--json` report of a dry run.
#[derive(Debug, Serialize)]
pub struct DryRun<'a> {
    #[serde(flatten)]
    pub plan: &'a Prepared,
    /// Whether a real run would plan the task into subtasks.
    pub planned: bool,
    /// Why (or why not), when the task was a candidate for a plan.
    pub plan_reason: Option<&'a str>,
}

/// The `--json` report of a finished run.
#[derive(Debug, Serialize)]
pub struct RunReport<'a> {
    pub plan: &'a Prepared,
    pub model: String,
    pub upgraded_to: Option<String>,
    pub attempts: u32,
    pub cost_usd: f64,
    pub text: String,
}

/// Makes the prepared call (once more a tier up on failure) and reports it.
pub fn call(
    ctx: &Context,
    prepared: &Prepared,
    project: String,
    batch: bool,
    allow_over_budget: bool,
) -> Result<ExitStatus> {
    let api = ApiClient::new(&ctx.settings.api).map_err(|e| UserError::new(format!("{e} (or use --dry-run)")))?;
    let json = ctx.printer.json_mode();
    let printer = ctx.printer.clone();
    let sink = move |text: &str| {
        if !json {
            let _ = printer.stdout_raw(text);
        }
    };
    let gateway = Gateway::new(&api, ctx.prices()?, Store::open(&ctx.settings.db_path)?, project, &sink, ctx.guard())
        .allow_over_budget(allow_over_budget);
    let gateway = if batch { gateway.batched(BatchTiming::default()) } else { gateway };
    let runtime = crate::commands::runtime()?;
    let outcome = runtime.block_on(async {
        tokio::select! {
            done = single::execute(&gateway, prepared) => Some(done),
            _ = tokio::signal::ctrl_c() => None,
        }
    });
    let Some(outcome) = outcome else { return Err(Interrupted.into()) };
    record_decision(ctx, prepared, &outcome)?;
    match outcome {
        Ok(done) => finish(ctx, prepared, done),
        Err(LlmError::Failed(e) | LlmError::Fatal(e)) => Err(UserError::new(e).into()),
        Err(LlmError::Budget(exceeded)) => Err(anyhow::Error::new(*exceeded)),
    }
}

fn finish(ctx: &Context, prepared: &Prepared, done: Done) -> Result<ExitStatus> {
    let p = &ctx.printer;
    if p.json_mode() {
        p.json(&RunReport {
            plan: prepared,
            model: done.reply.model.clone(),
            upgraded_to: done.upgraded_to.clone(),
            attempts: done.attempts,
            cost_usd: to_usd(done.reply.cost_micros),
            text: done.reply.text.clone(),
        })?;
    } else {
        p.stdout_line("")?;
        let upgraded =
            done.upgraded_to.map(|t| format!(", upgraded to {t} after a failed attempt")).unwrap_or_default();
        p.note(&format!(
            "{} via {} ({}){upgraded}: ${:.4}",
            prepared.agent,
            done.reply.model,
            prepared.tier,
            to_usd(done.reply.cost_micros)
        ));
    }
    Ok(ExitStatus::Success)
}

fn record_decision(ctx: &Context, prepared: &Prepared, outcome: &Result<Done, LlmError>) -> Result<()> {
    let Some(decision) = &prepared.routing else { return Ok(()) };
    let (outcome, upgraded_to) = match outcome {
        Ok(done) => (if done.upgraded_to.is_some() { "upgraded" } else { "ok" }, done.upgraded_to.clone()),
        Err(_) => ("failed", None),
    };
    ctx.store()?.insert_routing_decision(&RoutingRecord {
        ts_ms: jiff::Timestamp::now().as_millisecond(),
        run_id: Some(prepared.run_id.clone()),
        subtask_id: None,
        task: prepared.call.task.chars().take(200).collect(),
        score: decision.score,
        tier: decision.tier.name().to_string(),
        model: prepared.model.clone(),
        pressure: format!("{:?}", decision.pressure).to_lowercase(),
        features: serde_json::to_string(&decision.features)?,
        outcome: outcome.to_string(),
        upgraded_to,
    })?;
    Ok(())
}

/// Shows a dry run.
pub fn print_plan(ctx: &Context, plan: &Prepared, planned: bool, plan_reason: Option<&str>) -> Result<()> {
    let p = &ctx.printer;
    if p.json_mode() {
        return p.json(&DryRun { plan, planned, plan_reason });
    }
    let mut t = p.new_table(&["", "dry run"]);
    if let Some(d) = &plan.routing {
        t.add_row(vec!["complexity".to_string(), format!("{:.1} / 10: {}", d.score, d.reason)]);
    }
    t.add_row(vec!["tier".to_string(), plan.tier.clone()]);
    t.add_row(vec!["model".to_string(), plan.model.clone()]);
    if let Some(reason) = plan_reason {
        t.add_row(vec!["plan".to_string(), reason.to_string()]);
    }
    t.add_row(vec!["agent".to_string(), format!("{} ({})", plan.agent, plan.agent_reason)]);
    if let Some(reason) = &plan.context_reason {
        t.add_row(vec!["project context".to_string(), reason.clone()]);
    }
    if let Some(exact) = plan.exact_input_tokens {
        t.add_row(vec!["exact input".to_string(), format!("{exact} tokens (count_tokens)")]);
    }
    t.add_row(vec![
        "request".to_string(),
        format!(
            "~{} input tokens, {} cacheable; max {} output",
            plan.request_tokens, plan.cached_prefix_tokens, plan.max_tokens
        ),
    ]);
    t.add_row(vec![
        "estimated cost".to_string(),
        format!("${:.4} (worst case ${:.4})", plan.estimated_cost_usd, plan.worst_case_cost_usd),
    ]);
    p.table(&t)
}
