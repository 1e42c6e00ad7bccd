//! `devteam run "TASK"`: route, discover, lay out, call, stream, record. `--dry-run` stops
//! before the call and needs no key.

use anyhow::{Context as _, Result, bail};
use serde::Serialize;

use super::fresh_library;
use crate::api::ApiClient;
use crate::cli::RunArgs;
use crate::context::Context;
use crate::error::{ExitStatus, Interrupted, UserError};
use crate::gateway::Gateway;
use crate::orchestrator::llm::LlmError;
use crate::orchestrator::single::{self, Done, Inputs, Prepared};
use crate::prompt::CacheStrategy;
use crate::routing::{Pressure, Router};
use crate::store::Store;
use crate::usage::{RoutingRecord, to_usd};

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

pub fn run(args: &RunArgs, ctx: &Context) -> Result<ExitStatus> {
    if args.task.trim().is_empty() {
        bail!(UserError::new("the task is empty: describe what you need done"));
    }
    let library = fresh_library(ctx, true)?;
    let store = ctx.store()?;
    let project_context = match args.project.clone().or_else(|| ctx.settings.run.project.clone()) {
        Some(root) => {
            Some(crate::project::load_or_build(store, &root, ctx.settings.run.project_context_max_tokens)?.0.text)
        }
        None => None,
    };
    let router = Router::new(ctx.settings.routing.weights.clone(), ctx.settings.routing.thresholds);
    let model_override =
        args.model.clone().or(args.tier.clone()).or_else(|| args.no_routing.then(|| "sonnet".to_string()));
    let inputs = Inputs {
        store,
        library: &library,
        prices: ctx.prices()?,
        router: &router,
        task: &args.task,
        agent: args.agent.as_deref(),
        model_override,
        pressure: Pressure::Normal,
        project_context,
        cache: if args.no_cache { CacheStrategy::Off } else { ctx.settings.run.cache_strategy },
        max_tokens: args.max_tokens.unwrap_or(ctx.settings.run.max_tokens),
        shortlist: ctx.settings.discover_shortlist,
        run_id: new_run_id(),
    };
    let prepared = single::prepare(&inputs)?;
    if args.dry_run {
        print_plan(ctx, &prepared)?;
        return Ok(ExitStatus::Success);
    }
    call(ctx, &prepared)
}

fn call(ctx: &Context, prepared: &Prepared) -> Result<ExitStatus> {
    let api = ApiClient::new(&ctx.settings.api).map_err(|e| UserError::new(format!("{e} (or use --dry-run)")))?;
    let json = ctx.printer.json_mode();
    let printer = ctx.printer.clone();
    let sink = move |text: &str| {
        if !json {
            let _ = printer.stdout_raw(text);
        }
    };
    let project = ctx.settings.run.project.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    let gateway = Gateway::new(&api, ctx.prices()?, Store::open(&ctx.settings.db_path)?, project, &sink);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the runtime")?;
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
        Err(LlmError::Failed(e) | LlmError::Budget(e)) => Err(UserError::new(e).into()),
        Err(LlmError::Cancelled) => Err(Interrupted.into()),
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

fn print_plan(ctx: &Context, plan: &Prepared) -> Result<()> {
    let p = &ctx.printer;
    if p.json_mode() {
        return p.json(plan);
    }
    let mut t = p.new_table(&["", "dry run"]);
    if let Some(d) = &plan.routing {
        t.add_row(vec!["complexity".to_string(), format!("{:.1} / 10: {}", d.score, d.reason)]);
    }
    t.add_row(vec!["tier".to_string(), plan.tier.clone()]);
    t.add_row(vec!["model".to_string(), plan.model.clone()]);
    t.add_row(vec!["agent".to_string(), format!("{} ({})", plan.agent, plan.agent_reason)]);
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

/// A sortable, unique-enough run id: time in ms and a random suffix.
fn new_run_id() -> String {
    let now = jiff::Timestamp::now();
    let nanos = now.subsec_nanosecond();
    format!("r{}{:04x}", now.as_millisecond(), (nanos as u32 ^ std::process::id()) & 0xffff)
}
