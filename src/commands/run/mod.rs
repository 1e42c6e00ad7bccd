//! `devteam run "TASK"`: simple tasks go to one agent in one call; complex ones (or `--plan`)
//! are planned into subtasks that run as a graph and are synthesized into one answer.
//! `--dry-run` stops before any call and needs no key.

mod planned;
mod single;

use anyhow::{Result, bail};

use super::{fresh_library, model_pick};
use crate::api::Credential;
use crate::budget::Mode;
use crate::cli::RunArgs;
use crate::context::Context;
use crate::error::{ExitStatus, UserError};
use crate::orchestrator::single::{self as one, Inputs};
use crate::prompt::CacheStrategy;
use crate::routing::{Pressure, Router};
use crate::settings::RerankMode;

pub fn run(args: &RunArgs, ctx: &Context) -> Result<ExitStatus> {
    if args.task.trim().is_empty() {
        bail!(UserError::new("the task is empty: describe what you need done"));
    }
    let library = fresh_library(ctx, true)?;
    let store = ctx.store()?;
    let sw = ctx.settings.run.switches;
    let project = args
        .project
        .clone()
        .or_else(|| ctx.settings.run.project.clone())
        .filter(|_| sw.shared_context && !args.no_context);
    let project_context = match project {
        Some(root) => {
            Some(crate::project::load_or_build(store, &root, ctx.settings.run.project_context_max_tokens)?.0.text)
        }
        None => None,
    };
    let router = Router::new(ctx.settings.routing.weights.clone(), ctx.settings.routing.thresholds);
    let routing = sw.routing && !args.no_routing;
    let model_override = args.model.clone().or(args.tier.clone()).or_else(|| (!routing).then(|| "sonnet".to_string()));
    let pressure = budget_pressure(args, ctx, project_name(args, ctx).as_str())?;
    let max_tokens = args.max_tokens.unwrap_or(ctx.settings.run.max_tokens);
    let max_tokens = if pressure == Pressure::Economy { max_tokens.min(ECONOMY_MAX_TOKENS) } else { max_tokens };
    let mut inputs = Inputs {
        store,
        library: &library,
        prices: ctx.prices()?,
        router: &router,
        task: &args.task,
        agent: args.agent.as_deref(),
        model_override,
        pressure,
        project_context,
        cache: if args.no_cache { CacheStrategy::Off } else { ctx.settings.run.cache_strategy },
        max_tokens,
        shortlist: ctx.settings.discover_shortlist,
        run_id: new_run_id(),
    };
    let mut prepared = one::prepare(&inputs)?;
    let plan = wants_plan(args, ctx, &prepared);
    if args.exact {
        prepared.exact_input_tokens = Some(exact_count(ctx, &prepared)?);
    }
    if args.dry_run {
        single::print_plan(ctx, &prepared, plan)?;
        return Ok(ExitStatus::Success);
    }
    let batch = args.batch || sw.batch;
    if plan {
        return planned::run(args, ctx, &inputs, project_name(args, ctx), batch);
    }
    // A planner chooses its own agents; a single run may ask a model to choose.
    let picked = if args.agent.is_some() { None } else { pick_agent(args, ctx, &library)? };
    match picked.filter(|id| *id != prepared.agent) {
        Some(id) => {
            inputs.agent = Some(&id);
            single::call(ctx, &one::prepare(&inputs)?, project_name(args, ctx), batch, args.allow_over_budget)
        }
        None => single::call(ctx, &prepared, project_name(args, ctx), batch, args.allow_over_budget),
    }
}

/// Planning pays for itself only on complex tasks: those at or above the plan threshold
/// (default: where the router would pick opus), unless forced either way.
fn wants_plan(args: &RunArgs, ctx: &Context, prepared: &one::Prepared) -> bool {
    if args.plan || args.no_plan || args.agent.is_some() || !ctx.settings.run.switches.planning {
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

/// Lets a model choose the agent when that is asked for or worth it: over every agent's full
/// text with `--load-all-agents` (the unoptimized way), else over the shortlist's cards when the
/// local ranking is not clear. `None` keeps discovery's first choice.
fn pick_agent(args: &RunArgs, ctx: &Context, library: &crate::store::Library) -> Result<Option<String>> {
    let sw = ctx.settings.run.switches;
    let store = ctx.store()?;
    if args.load_all_agents || !sw.discovery {
        let ids = store.agent_ids(library.id)?;
        let mut all = store.agent_summaries(library.id, &ids)?;
        for agent in &mut all {
            let text = crate::orchestrator::agent_text::load(&library.root, agent)?;
            agent.card = format!("{}\n{}", text.static_part, text.dynamic_part);
        }
        return Ok(model_pick(ctx, "sonnet", &args.task, &all, &[], 1)?
            .and_then(|r| r.picks.into_iter().next())
            .map(|p| p.id));
    }
    let mode = if args.rerank {
        RerankMode::Always
    } else if args.no_rerank {
        RerankMode::Never
    } else {
        sw.rerank
    };
    if mode == RerankMode::Never || ctx.settings.api.credential == Credential::Missing {
        return Ok(None);
    }
    let found = crate::discovery::discover(store, library, &args.task, 2, ctx.settings.discover_shortlist, None)?;
    let clear = match found.ranked.as_slice() {
        [first, second, ..] => first.score >= AMBIGUITY_RATIO * second.score,
        _ => true,
    };
    if mode == RerankMode::Auto && clear {
        return Ok(None);
    }
    Ok(model_pick(ctx, "haiku", &args.task, &found.shortlist, &[], 1)?
        .and_then(|r| r.picks.into_iter().next())
        .map(|p| p.id))
}

/// The local ranking is clear when the first agent scores this much above the second.
const AMBIGUITY_RATIO: f64 = 1.25;

/// Output cap per call in economy mode.
const ECONOMY_MAX_TOKENS: u32 = 1024;

/// Budget pressure for this run: 70 % warns; 85 % switches economy mode on (routing a tier
/// down, output capped, fewer subtasks); 100 % is left to the reservations, which refuse.
fn budget_pressure(args: &RunArgs, ctx: &Context, project: &str) -> Result<Pressure> {
    let mode = ctx.guard().pressure(ctx.store()?, jiff::Timestamp::now(), project)?;
    Ok(match mode {
        Mode::Normal => Pressure::Normal,
        Mode::Warn => {
            ctx.printer.warn("a budget is past its warning threshold; `devteam budget status` shows which");
            Pressure::Normal
        }
        Mode::Economy | Mode::Blocked if !ctx.settings.run.switches.economy || args.no_economy => Pressure::Normal,
        Mode::Economy | Mode::Blocked => {
            ctx.printer
                .warn("economy mode: a budget is past its economy threshold; routing one tier down, output capped");
            Pressure::Economy
        }
    })
}

/// The project name budgets and records use.
fn project_name(args: &RunArgs, ctx: &Context) -> String {
    args.project
        .clone()
        .or_else(|| ctx.settings.run.project.clone())
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

/// The API's count of the prepared request's input tokens (free; needs a key).
fn exact_count(ctx: &Context, prepared: &one::Prepared) -> Result<u64> {
    let api = crate::api::ApiClient::new(&ctx.settings.api)
        .map_err(|e| UserError::new(format!("--exact asks the API: {e}")))?;
    let model = ctx.prices()?.model(&prepared.model)?;
    let request = crate::gateway::build_request(&prepared.call, model);
    let runtime = crate::commands::runtime()?;
    let count = runtime.block_on(api.count_tokens(&(&request).into()));
    count.map_err(|e| UserError::new(format!("count_tokens: {e}")).into())
}
