//! A run of one agent and one call (simple tasks, `--no-plan`, and dry runs).

use std::time::Instant;

use anyhow::Result;
use serde::Serialize;

use super::planned::JsonEvent;
use crate::context::Context;
use crate::error::{ExitStatus, Interrupted, UserError};
use crate::gateway::{BatchTiming, Billing, word_no_client};
use crate::learn::record::outcome;
use crate::orchestrator::llm::{LlmError, Stop};
use crate::orchestrator::persist;
use crate::orchestrator::record::{RunRecord, Status};
use crate::orchestrator::single::{self, Done, Prepared};
use crate::usage::{RoutingRecord, to_usd};

/// The `--json` report of a dry run: one line, `"event": "dry_run"`, like every `run --json`
/// output (JSON Lines, one object per event, each with an `event` field).
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename = "dry_run")]
pub struct DryRun<'a> {
    #[serde(flatten)]
    pub plan: &'a Prepared,
    /// Whether a real run would plan the task into subtasks.
    pub planned: bool,
    /// Why (or why not), when the task was a candidate for a plan.
    pub plan_reason: Option<&'a str>,
}

/// The `call` event of a simple run (before its `final` event, which has the shape of a
/// planned run's).
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename = "call")]
pub struct CallEvent<'a> {
    pub run_id: &'a str,
    pub plan: &'a Prepared,
    pub model: String,
    pub upgraded_to: Option<String>,
    pub attempts: u32,
    pub cost_usd: f64,
}

/// Makes the prepared call (once more a tier up on failure) and reports it.
pub fn call(
    ctx: &Context,
    prepared: &Prepared,
    project: &str,
    batch: bool,
    allow_over_budget: bool,
) -> Result<ExitStatus> {
    let billing = Billing::open(ctx, project).map_err(|e| word_no_client(e, |e| format!("{e} (or use --dry-run)")))?;
    let json = ctx.printer.json_mode();
    let printer = ctx.printer.clone();
    let sink = move |text: &str| {
        if !json {
            let _ = printer.stdout_raw(text);
        }
    };
    let gateway = billing.gateway(&sink)?.allow_over_budget(allow_over_budget);
    let gateway = if batch { gateway.batched(BatchTiming::default()) } else { gateway };
    // A simple run is a run too: `devteam runs` lists it and `runs show` reads it.
    let store = ctx.store()?;
    let mut record = persist::started(&prepared.run_id, &prepared.call.task, project, ctx.clock.now_ms());
    store.save_run(&record)?;
    let started = Instant::now();
    let outcome = billing.until_interrupted(single::execute(&gateway, prepared));
    // The call's future is dropped by now: what it was billed is recorded, the rest released.
    drop(gateway);
    record.wall_ms = Some(i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX));
    record.cost_micros = store.run_cost(&record.id)?;
    record.status = match &outcome {
        None => Status::Cancelled,
        Some(Ok(done)) if done.reply.stop != Stop::Refusal => Status::Ok,
        Some(_) => Status::Failed,
    };
    if let Some(Ok(done)) = &outcome
        && !done.reply.text.is_empty()
    {
        record.final_output_id = Some(store.save_output(&record.id, None, &done.reply.text)?);
    }
    store.save_run(&record)?;
    record_decision(ctx, prepared, outcome.as_ref())?;
    let Some(outcome) = outcome else { return Err(Interrupted.into()) };
    match outcome {
        Ok(done) if done.reply.stop == Stop::Refusal => {
            if !done.reply.text.is_empty() && !ctx.printer.json_mode() {
                ctx.printer.stdout_line("")?;
            }
            Err(UserError::new(format!(
                "{} refused the task (stop_reason \"refusal\"{}); nothing was answered. Rephrase the task \
                 or choose another agent; the call is recorded (${:.4}, run {})",
                done.reply.model,
                match (&done.upgrade_error, done.attempts) {
                    (Some(e), _) => format!("; a tier up could not be tried: {e}"),
                    (None, 2..) => ", also a tier up".to_string(),
                    (None, _) => String::new(),
                },
                to_usd(done.reply.cost_micros),
                record.id
            ))
            .into())
        }
        Ok(done) => finish(ctx, prepared, &record, done),
        Err(LlmError::Failed(e) | LlmError::Fatal(e)) => Err(UserError::new(e).into()),
        Err(LlmError::Budget(exceeded)) => Err(anyhow::Error::new(*exceeded)),
    }
}

fn finish(ctx: &Context, prepared: &Prepared, record: &RunRecord, done: Done) -> Result<ExitStatus> {
    let p = &ctx.printer;
    if p.json_mode() {
        p.json_line(&CallEvent {
            run_id: &record.id,
            plan: prepared,
            model: done.reply.model.clone(),
            upgraded_to: done.upgraded_to.clone(),
            attempts: done.attempts,
            cost_usd: to_usd(done.reply.cost_micros),
        })?;
        p.json_line(&JsonEvent::Final {
            run_id: &record.id,
            status: record.status,
            cost_usd: to_usd(record.cost_micros),
            wall_ms: record.wall_ms.unwrap_or(0),
            text: &done.reply.text,
        })?;
    } else {
        p.stdout_line("")?;
        if done.reply.stop == Stop::MaxTokens {
            p.warn(&format!(
                "the reply stopped at max_tokens ({}): it is cut short; raise --max-tokens",
                prepared.call.max_tokens
            ));
        }
        let upgraded = done.upgraded_to.map(|t| format!(", upgraded to {t} after a refusal")).unwrap_or_default();
        p.note(&format!(
            "run {}: {} via {} ({}){upgraded}: ${:.4}; `devteam runs show {}` for the record",
            record.id,
            prepared.agent,
            done.reply.model,
            prepared.tier,
            to_usd(done.reply.cost_micros),
            record.id
        ));
    }
    Ok(ExitStatus::Success)
}

fn record_decision(ctx: &Context, prepared: &Prepared, result: Option<&Result<Done, LlmError>>) -> Result<()> {
    let Some(decision) = &prepared.routing else { return Ok(()) };
    // Why the first attempt was retried a tier up, in the routing module's words.
    let reason = match result {
        Some(Ok(Done { upgrade_reason: Some(kind), .. })) => serde_json::to_value(kind)?.as_str().map(str::to_string),
        _ => None,
    };
    let (outcome, upgraded_to) = match result {
        None => (outcome::CANCELLED, None),
        // Refused even a tier up: the task failed on every tier it was given.
        Some(Ok(done)) if done.reply.stop == Stop::Refusal && done.upgraded_to.is_some() => {
            (outcome::FAILED, done.upgraded_to.clone())
        }
        Some(Ok(done)) if done.reply.stop == Stop::Refusal => (outcome::REFUSED, None),
        Some(Ok(done)) if done.reply.stop == Stop::MaxTokens => (outcome::MAX_TOKENS, None),
        Some(Ok(done)) => {
            (if done.upgraded_to.is_some() { outcome::UPGRADED } else { outcome::OK }, done.upgraded_to.clone())
        }
        // A budget refusal says nothing about the tier: learning must not read it as a miss.
        Some(Err(LlmError::Budget(_))) => (outcome::BLOCKED, None),
        // Transient or API errors after the client's retries: nothing about the tier either.
        Some(Err(_)) => (outcome::ERROR, None),
    };
    let id = ctx.store()?.insert_routing_decision(&RoutingRecord {
        ts_ms: ctx.clock.now_ms(),
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
    if let Some(reason) = reason {
        ctx.store()?.set_upgrade_reason(id, &reason)?;
    }
    Ok(())
}

/// Shows a dry run.
pub fn print_plan(ctx: &Context, plan: &Prepared, planned: bool, plan_reason: Option<&str>) -> Result<()> {
    let p = &ctx.printer;
    if p.json_mode() {
        return p.json_line(&DryRun { plan, planned, plan_reason });
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
