//! A planned run: plan, subtasks as a graph, synthesis; progress on stderr, or JSON Lines
//! events on stdout with `--json`; the run's record in the store; Ctrl-C records what was spent.

use std::time::Instant;

use anyhow::Result;
use serde::Serialize;

use crate::cli::RunArgs;
use crate::context::Context;
use crate::error::{ExitStatus, Interrupted};
use crate::gateway::{BatchTiming, Billing, word_no_client};
use crate::orchestrator::persist;
use crate::orchestrator::planned::{self, Outcome, RunEvent};
use crate::orchestrator::record::Status;
use crate::orchestrator::single::Inputs;
use crate::output::Printer;
use crate::store::Store;
use crate::usage::to_usd;

/// One JSON Lines event of a planned run.
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum JsonEvent<'a> {
    Plan {
        run_id: &'a str,
        planned: bool,
        note: Option<&'a str>,
        subtasks: Vec<PlanLine<'a>>,
    },
    SubtaskStarted {
        id: &'a str,
        agent: &'a str,
        tier: &'a str,
    },
    SubtaskFinished {
        id: &'a str,
        status: Status,
        tier: &'a str,
        model: &'a str,
        attempts: u32,
        cost_usd: f64,
        summary: &'a str,
        error: Option<&'a str>,
    },
    Final {
        run_id: &'a str,
        status: Status,
        cost_usd: f64,
        wall_ms: i64,
        text: &'a str,
    },
}

/// A subtask as the plan event lists it.
#[derive(Debug, Serialize)]
pub struct PlanLine<'a> {
    pub id: &'a str,
    pub agent: &'a str,
    pub title: &'a str,
    pub depends_on: &'a [String],
}

pub fn run(
    args: &RunArgs,
    ctx: &Context,
    one: &Inputs<'_>,
    project: &str,
    batch: bool,
    plan_reason: Option<String>,
) -> Result<ExitStatus> {
    let billing = Billing::open(ctx, project).map_err(|e| word_no_client(e, |e| format!("{e} (or use --dry-run)")))?;
    let (json, printer) = (ctx.printer.json_mode(), ctx.printer.clone());
    let sink = move |text: &str| {
        if !json {
            let _ = printer.stdout_raw(text);
        }
    };
    let gateway = billing.gateway(&sink)?.allow_over_budget(args.allow_over_budget);
    let gateway = if batch { gateway.batched(BatchTiming::default()) } else { gateway };
    let s = &ctx.settings.run;
    let inputs = planned::Inputs {
        store: one.store,
        library: one.library,
        prices: one.prices,
        router: one.router,
        task: one.task,
        run_id: one.run_id.clone(),
        project_context: one.project_context.clone(),
        project_shared: one.project_shared,
        cache: one.cache,
        max_tokens: one.max_tokens,
        shortlist: one.shortlist,
        semantic: one.semantic,
        jobs: args.jobs.unwrap_or(s.jobs).max(1),
        // Economy mode keeps only the most important half of a plan.
        max_subtasks: if one.pressure == crate::routing::Pressure::Economy {
            (s.max_subtasks / 2).max(1)
        } else {
            s.max_subtasks
        },
        planner_tier: s.planner_tier.clone(),
        synthesis_tier: s.synthesis_tier.clone(),
        summary_tokens: s.summary_tokens,
        pressure: one.pressure,
        plan: true,
        tier_override: one.model_override.clone(),
        clock: ctx.clock,
    };
    let mut record = persist::started(&inputs.run_id, inputs.task, project, ctx.clock.now_ms());
    one.store.save_run(&record)?;
    let started = Instant::now();
    let events_printer = ctx.printer.clone();
    let on_event = |e: RunEvent<'_>| report_event(&events_printer, &inputs.run_id, e);
    let outcome = billing.until_interrupted(planned::run(&gateway, &inputs, &on_event));
    record.wall_ms = Some(i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX));
    record.cost_micros = one.store.run_cost(&record.id)?;
    let Some(outcome) = outcome else {
        record.status = Status::Cancelled;
        record.note = "interrupted; calls made before the interrupt are recorded".to_string();
        one.store.save_run(&record)?;
        one.store.end_running_decisions(&record.id, crate::learn::record::outcome::CANCELLED)?;
        return Err(Interrupted.into());
    };
    finish(ctx, one.store, record, &outcome?, plan_reason)
}

fn finish(
    ctx: &Context,
    store: &Store,
    mut record: crate::orchestrator::record::RunRecord,
    outcome: &Outcome,
    plan_reason: Option<String>,
) -> Result<ExitStatus> {
    record.status = outcome.status;
    record.planned = outcome.planned;
    record.plan = Some(serde_json::to_string(&outcome.plan)?);
    // Why the run was planned, then what happened to the plan.
    record.note = [plan_reason.unwrap_or_default(), outcome.note.clone()]
        .into_iter()
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let record = persist::save(store, &record, outcome)?;
    let p = &ctx.printer;
    let wall_ms = record.wall_ms.unwrap_or(0);
    if p.json_mode() {
        let text = &outcome.final_text;
        p.json_line(&JsonEvent::Final {
            run_id: &record.id,
            status: record.status,
            cost_usd: to_usd(record.cost_micros),
            wall_ms,
            text,
        })?;
    } else {
        // A synthesis streamed its answer already; a one-subtask run prints its output now.
        if outcome.results.len() == 1 && outcome.status == Status::Ok {
            p.stdout_line(&outcome.final_text)?;
        } else {
            p.stdout_line("")?;
        }
        p.note(&format!(
            "run {}: {} in {:.1} s, ${:.4}; `devteam runs show {}` for the record",
            record.id,
            record.status.as_str(),
            wall_ms as f64 / 1000.0,
            to_usd(record.cost_micros),
            record.id
        ));
    }
    Ok(match record.status {
        Status::Ok => ExitStatus::Success,
        Status::Partial => ExitStatus::Partial,
        _ => ExitStatus::Failure,
    })
}

fn report_event(p: &Printer, run_id: &str, e: RunEvent<'_>) {
    let json = p.json_mode();
    let line = match e {
        RunEvent::Planned { plan, note } => {
            if let Some(note) = note {
                p.warn(note);
            }
            let subtasks = plan
                .subtasks
                .iter()
                .map(|s| PlanLine { id: &s.id, agent: &s.agent, title: &s.title, depends_on: &s.depends_on })
                .collect();
            if !json {
                let list: Vec<String> = plan.subtasks.iter().map(|s| format!("{} ({})", s.id, s.agent)).collect();
                p.note(&format!("plan: {}", list.join(", ")));
            }
            JsonEvent::Plan { run_id, planned: note.is_none(), note, subtasks }
        }
        RunEvent::Started { id, agent, tier } => {
            p.verbose(&format!("started {id}: {agent} on {tier}"));
            JsonEvent::SubtaskStarted { id, agent, tier }
        }
        RunEvent::Finished(r) => {
            if !json {
                let error = r.error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default();
                p.note(&format!(
                    "{} {}: {} on {}, ${:.4}{error}",
                    r.id,
                    r.status.as_str(),
                    r.model,
                    r.tier,
                    to_usd(r.cost_micros)
                ));
            }
            JsonEvent::SubtaskFinished {
                id: &r.id,
                status: r.status,
                tier: &r.tier,
                model: &r.model,
                attempts: r.attempts,
                cost_usd: to_usd(r.cost_micros),
                summary: &r.summary,
                error: r.error.as_deref(),
            }
        }
    };
    if json {
        let _ = p.json_line(&line);
    }
}
