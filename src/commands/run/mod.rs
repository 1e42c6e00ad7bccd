//! `devteam run "TASK"`: simple tasks go to one agent in one call; complex ones (or `--plan`)
//! are planned into subtasks that run as a graph and are synthesized into one answer.
//! `--dry-run` stops before any call and needs no key.

mod planned;
mod single;

use anyhow::{Result, bail};

use super::fresh_library;
use crate::cli::RunArgs;
use crate::context::Context;
use crate::error::{ExitStatus, UserError};
use crate::orchestrator::single::{self as one, Inputs};
use crate::prompt::CacheStrategy;
use crate::routing::{Pressure, Router};

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
    let prepared = one::prepare(&inputs)?;
    let plan = wants_plan(args, ctx, &prepared);
    if args.dry_run {
        single::print_plan(ctx, &prepared, plan)?;
        return Ok(ExitStatus::Success);
    }
    if plan { planned::run(args, ctx, &inputs) } else { single::call(ctx, &prepared, args.batch) }
}

/// Planning pays for itself only on complex tasks: those at or above the plan threshold
/// (default: where the router would pick opus), unless forced either way.
fn wants_plan(args: &RunArgs, ctx: &Context, prepared: &one::Prepared) -> bool {
    if args.plan || args.no_plan || args.agent.is_some() {
        return args.plan;
    }
    let threshold = ctx.settings.run.plan_threshold.unwrap_or(ctx.settings.routing.thresholds.opus);
    prepared.routing.as_ref().is_some_and(|d| d.score >= threshold)
}

/// A sortable, unique-enough run id: time in ms and a random suffix.
fn new_run_id() -> String {
    let now = jiff::Timestamp::now();
    let nanos = now.subsec_nanosecond();
    format!("r{}{:04x}", now.as_millisecond(), (nanos.unsigned_abs() ^ std::process::id()) & 0xffff)
}
