//! `devteam run "TASK"`: simple tasks go to one agent in one call; complex ones (or `--plan`)
//! are planned into subtasks that run as a graph and are synthesized into one answer.
//! `--dry-run` stops before any call and needs no key.

mod counterfactual;
mod planned;
mod single;
mod sizes;

use anyhow::{Result, bail};

use super::{fresh_library, model_pick};
use crate::api::Credential;
use crate::budget::Mode;
use crate::cli::RunArgs;
use crate::context::Context;
use crate::discovery::Semantic;
use crate::error::{ExitStatus, UserError};
use crate::orchestrator::single::{self as one, Inputs};
use crate::prompt::CacheStrategy;
use crate::routing::{Pressure, Router};
use crate::settings::RerankMode;

pub fn run(args: &RunArgs, ctx: &Context) -> Result<ExitStatus> {
    if args.task.trim().is_empty() {
        bail!(UserError::new("the task is empty: describe what you need done"));
    }
    let run_id = new_run_id(ctx.clock);
    // An A/B test in progress decides this run's settings (a dry run shows them, unrecorded).
    let Some(test) = ctx.store()?.ab_active()? else { return run_as(args, ctx, run_id) };
    let variant = crate::ab::assign(&test, &args.task);
    let settings = crate::ab::variant::apply(variant, ctx.settings.clone()).map_err(UserError::new)?;
    ctx.printer.note(&format!("A/B test {}: variant {}", test.name, variant.key));
    if !args.dry_run {
        ctx.store()?.ab_assign(&test.name, &run_id, &variant.key, ctx.clock.now_ms())?;
    }
    run_as(args, &Context::new(settings), run_id)
}

fn run_as(args: &RunArgs, ctx: &Context, run_id: String) -> Result<ExitStatus> {
    refuse_retired_tiers(ctx)?;
    let library = fresh_library(ctx, true)?;
    let store = ctx.store()?;
    let sw = ctx.settings.run.switches;
    let project = args.project.clone().or_else(|| ctx.settings.run.project.clone()).filter(|_| !args.no_context);
    let project_context = match &project {
        Some(root) => {
            Some(crate::project::load_or_build(store, root, ctx.settings.run.project_context_max_tokens)?.0.text)
        }
        None => None,
    };
    if !args.dry_run && !args.no_cache && ctx.settings.run.cache_strategy != CacheStrategy::Off {
        let foundation = crate::orchestrator::agent_text::foundation(&library.root)?;
        let shared = project_context.as_deref().filter(|_| sw.shared_context);
        sizes::count_blocks(ctx, &[foundation.as_deref().unwrap_or(""), shared.unwrap_or("")])?;
    }
    let routing = sw.routing && !args.no_routing;
    // The classifier by meaning needs the embedding model; a run whose tier is fixed anyway
    // (--no-routing, --tier, --model) does not load it for routing.
    let meaning =
        if routing && args.model.is_none() && args.tier.is_none() { super::semantic::meaning(ctx)? } else { None };
    let router = Router::new(ctx.settings.routing.weights.clone(), ctx.settings.routing.thresholds)
        .with_meaning(meaning)
        .with_learned(ctx.settings.routing.learned.clone());
    let model_override = args.model.clone().or(args.tier.clone()).or_else(|| (!routing).then(|| "sonnet".to_string()));
    let pressure = budget_pressure(args, ctx, project_name(args, ctx).as_str())?;
    let max_tokens = args.max_tokens.unwrap_or(ctx.settings.run.max_tokens);
    let max_tokens = if pressure == Pressure::Economy { max_tokens.min(ECONOMY_MAX_TOKENS) } else { max_tokens };
    // The hybrid ranking when embeddings are on (the first run embeds the library, as
    // extract-metadata does); a run with --agent ranks nothing.
    let vectors = if args.agent.is_none() && sw.discovery && !args.load_all_agents {
        super::semantic::library_vectors(ctx, &library, true)?
    } else {
        None
    };
    let semantic = vectors.as_ref().map(|v| Semantic { model: v.model, vectors: &v.vectors });
    let inputs = Inputs {
        semantic: semantic.as_ref(),
        store,
        library: &library,
        prices: ctx.prices()?,
        router: &router,
        task: &args.task,
        agent: args.agent.as_deref(),
        model_override,
        pressure,
        project_context,
        project_shared: sw.shared_context,
        project_root: project,
        cache: if args.no_cache { CacheStrategy::Off } else { ctx.settings.run.cache_strategy },
        max_tokens,
        shortlist: ctx.settings.discover_shortlist,
        run_id,
    };
    let mut prepared = one::prepare(&inputs)?;
    settle_marks(ctx, store, &mut prepared)?;
    let (plan, plan_reason) = wants_plan(args, ctx, &inputs, &prepared)?;
    for reason in [&prepared.context_reason, &plan_reason].into_iter().flatten() {
        ctx.printer.verbose(reason);
    }
    if args.exact {
        prepared.exact_input_tokens = Some(exact_count(ctx, &prepared)?);
    }
    if args.dry_run {
        single::print_plan(ctx, &prepared, plan, plan_reason.as_deref())?;
        return Ok(ExitStatus::Success);
    }
    let batch = args.batch || sw.batch;
    let run_id = inputs.run_id.clone();
    let status = if plan {
        planned::run(args, ctx, &inputs, &project_name(args, ctx), batch, plan_reason)?
    } else {
        call_one(args, ctx, &library, inputs, prepared, batch)?
    };
    match &args.check {
        Some(command) => check(ctx, command, &run_id, status),
        None => Ok(status),
    }
}

/// One agent, one call: the one discovery found, or the one a model picked.
fn call_one(
    args: &RunArgs,
    ctx: &Context,
    library: &crate::store::Library,
    inputs: Inputs<'_>,
    prepared: one::Prepared,
    batch: bool,
) -> Result<ExitStatus> {
    // A planner chooses its own agents; a single run may ask a model to choose.
    let store = inputs.store;
    let picked = if args.agent.is_some() { None } else { pick_agent(args, ctx, library, inputs.semantic)? };
    let prepared = match picked.filter(|id| *id != prepared.agent) {
        Some(id) => {
            let inputs = Inputs { agent: Some(&id), ..inputs };
            let mut prepared = one::prepare(&inputs)?;
            settle_marks(ctx, store, &mut prepared)?;
            prepared
        }
        None => prepared,
    };
    let status = single::call(ctx, &prepared, &project_name(args, ctx), batch, args.allow_over_budget)?;
    // The unoptimized system loads the whole library to choose; discovery did it locally.
    if args.agent.is_none() && !args.load_all_agents && ctx.settings.run.switches.discovery {
        counterfactual::record(store, library, &prepared, &project_name(args, ctx), ctx.clock.now_ms())?;
    }
    Ok(status)
}

/// `--check`: runs the command and records its exit status as the run's verdict. A failing
/// check makes the run exit 1, so CI sees it.
fn check(ctx: &Context, command: &str, run_id: &str, status: ExitStatus) -> Result<ExitStatus> {
    let result = crate::learn::check::run(command, run_id, &|key| std::env::var(key).ok())?;
    ctx.store()?.insert_verdict(&crate::learn::record::Verdict {
        run_id: run_id.to_string(),
        ts_ms: ctx.clock.now_ms(),
        good: result.good(),
        source: "check".into(),
        note: String::new(),
        command: Some(command.to_string()),
        exit_code: result.exit_code,
    })?;
    let code = result.exit_code.map_or("a signal".to_string(), |c| format!("exit {c}"));
    if result.good() {
        ctx.printer.note(&format!("check passed ({code}): run {run_id} recorded as good"));
        Ok(status)
    } else {
        ctx.printer.warn(&format!("check failed ({code}): run {run_id} recorded as bad"));
        Ok(ExitStatus::Failure)
    }
}

/// Whether to plan, and why. Only complex tasks are candidates (score at or above the plan
/// threshold, by default where the router picks opus), and of those only the ones where a plan
/// is expected to cost less than one call (`plan_pays`); `--plan` and `--no-plan` decide alone.
fn wants_plan(
    args: &RunArgs,
    ctx: &Context,
    inputs: &Inputs<'_>,
    prepared: &one::Prepared,
) -> Result<(bool, Option<String>)> {
    if args.plan {
        return Ok((true, Some("planned: asked with --plan".to_string())));
    }
    if args.no_plan || args.agent.is_some() || !ctx.settings.run.switches.planning {
        return Ok((false, None));
    }
    let s = &ctx.settings.run;
    let threshold = s.plan_threshold.unwrap_or(ctx.settings.routing.thresholds.opus);
    if !prepared.routing.as_ref().is_some_and(|d| d.score >= threshold) {
        return Ok((false, None));
    }
    let found =
        crate::discovery::discover(inputs.store, inputs.library, inputs.task, 1, inputs.shortlist, inputs.semantic)?;
    let shape = crate::orchestrator::plan_pays::PlanShape {
        planner_tier: &s.planner_tier,
        synthesis_tier: &s.synthesis_tier,
        subtasks: s.max_subtasks,
        card_tokens: found.card_tokens,
        project_tokens: inputs.project_context.as_deref().map_or(0, crate::tokens::estimate),
        summary_tokens: s.summary_tokens,
    };
    let choice = crate::orchestrator::plan_pays::decide(inputs.prices, prepared, &shape)?;
    Ok((choice.plan, Some(choice.reason)))
}

/// A sortable, unique-enough run id: the clock's time in ms and a suffix that differs between
/// processes (also under a driven clock, where every run of a replayed minute has one time).
fn new_run_id(clock: crate::clock::Clock) -> String {
    format!("r{}{:04x}", clock.now_ms(), crate::clock::entropy() & 0xffff)
}

/// Lets a model choose the agent when that is asked for or worth it: over every agent's full
/// text with `--load-all-agents` (the unoptimized way), else over the shortlist's cards when the
/// local ranking is not clear. `None` keeps discovery's first choice.
fn pick_agent(
    args: &RunArgs,
    ctx: &Context,
    library: &crate::store::Library,
    semantic: Option<&Semantic<'_>>,
) -> Result<Option<String>> {
    let sw = ctx.settings.run.switches;
    let store = ctx.store()?;
    if args.load_all_agents || !sw.discovery {
        let ids = store.index().agent_ids(library.id)?;
        let mut all = store.index().agent_summaries(library.id, &ids)?;
        for agent in &mut all {
            let text = crate::orchestrator::agent_text::load(&library.root, agent)?;
            agent.card = format!("{}\n{}", text.static_part, text.dynamic_part);
        }
        return Ok(model_pick(ctx, &project_name(args, ctx), "sonnet", &args.task, &all, &[], 1)?
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
    let found = crate::discovery::discover(store, library, &args.task, 2, ctx.settings.discover_shortlist, semantic)?;
    let clear = match found.ranked.as_slice() {
        [first, second, ..] => clear_lead(first.score, second.score, semantic.is_some()),
        _ => true,
    };
    if mode == RerankMode::Auto && clear {
        return Ok(None);
    }
    // The choice is between the few agents the local ranking could not separate: their cards
    // are a few hundred tokens, too small to be worth a cache entry (on the day benchmark this
    // beats caching the whole library's cards as a stable block: see the README).
    let candidates = &found.shortlist[..found.shortlist.len().min(RERANK_CANDIDATES)];
    let picked = model_pick(ctx, &project_name(args, ctx), "haiku", &args.task, candidates, &[], 1)?;
    Ok(picked.and_then(|r| r.picks.into_iter().next()).map(|p| p.id))
}

/// Sends the agent's own block (the last stable block) unmarked unless the agent ran on the
/// model within the entry's lifetime or the model's record shows that agent blocks' cache writes
/// are read often enough to pay at the TTL they get (`agent_mark`). The foundation and the
/// project's context keep their marks: they are read across agents, and on the day benchmark
/// applying the same rule to shared blocks cost more (a 1-hour entry's break-even of about one
/// read per write is decided on too few samples of bursty reuse).
fn settle_marks(ctx: &Context, store: &crate::store::Store, prepared: &mut one::Prepared) -> Result<()> {
    settle_call(ctx, store, &mut prepared.call, &prepared.model)?;
    if let Some(up) = prepared.up_call.as_mut() {
        let model = ctx.prices()?.model(&up.tier)?.id.clone();
        settle_call(ctx, store, up, &model)?;
    }
    Ok(())
}

/// [`settle_marks`] for one call on `model`.
fn settle_call(
    ctx: &Context,
    store: &crate::store::Store,
    call: &mut crate::orchestrator::llm::LlmCall,
    model: &str,
) -> Result<()> {
    use crate::prompt::{BlockKind, agent_mark};
    let kind = BlockKind::AgentStatic;
    let Some(ttl) = call.layout.system.iter().find(|b| b.kind == kind).and_then(|b| b.cache) else {
        return Ok(());
    };
    let rates = ctx.prices()?.model(model)?.rates;
    let last = store.shared().last_agent_call(&call.agent, model)?;
    let recent = last.is_some_and(|at| ctx.clock.now_ms() - at <= crate::warm::ttl_ms(ttl));
    let (read, written, _) = store.block_outcomes(model, kind.as_str(), agent_mark::WINDOW)?;
    if !agent_mark::worth_marking(recent, read, written, agent_mark::break_even(&rates, ttl)) {
        call.layout.system.iter_mut().skip_while(|b| b.kind != kind).for_each(|b| b.cache = None);
    }
    Ok(())
}

/// A tier whose model is retired is never routed to: the run stops and says how to fix it
/// (an explicit `--model` is the user's own choice and is left to the API to answer).
fn refuse_retired_tiers(ctx: &Context) -> Result<()> {
    let prices = ctx.prices()?;
    let today = ctx.clock.zoned().date();
    for (tier, id) in prices.tiers() {
        if prices.model(id)?.retired_on(today) {
            bail!(UserError::new(format!(
                "the {tier} tier names {id}, which is retired; name a current model under `tiers` in your prices-file \
                 (`devteam prices` lists them)"
            )));
        }
    }
    Ok(())
}

/// Cards the rerank chooses among.
const RERANK_CANDIDATES: usize = 5;

/// The lexical ranking is clear when the first agent scores this much above the second.
const AMBIGUITY_RATIO: f64 = 1.25;

/// The hybrid ranking is clear when the first agent's fused score (a weighted sum of
/// z-scores) leads the second's by this much.
const AMBIGUITY_MARGIN_Z: f64 = 0.75;

/// Whether the first agent leads the second clearly enough to skip the model's pick. BM25
/// scores are positive, so a ratio works; fused z-scores can be near zero or negative, where
/// a ratio means nothing, so the hybrid ranking needs a margin in z-score units (chosen on
/// one library with scripts/discovery/choose-margin.py; see the README).
fn clear_lead(first: f64, second: f64, hybrid: bool) -> bool {
    if hybrid { first - second >= AMBIGUITY_MARGIN_Z } else { first >= AMBIGUITY_RATIO * second }
}

/// Output cap per call in economy mode.
const ECONOMY_MAX_TOKENS: u32 = 1024;

/// Budget pressure for this run: 70 % warns; 85 % switches economy mode on (routing a tier
/// down, output capped, fewer subtasks); 100 % is left to the reservations, which refuse.
fn budget_pressure(args: &RunArgs, ctx: &Context, project: &str) -> Result<Pressure> {
    let mode = ctx.guard().pressure(ctx.store()?.shared(), ctx.clock.now(), project)?;
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
    use crate::gateway::{Billing, word_no_client};
    // Nothing is billed or recorded, so no project is charged.
    let billing = Billing::open(ctx, "").map_err(|e| word_no_client(e, |e| format!("--exact asks the API: {e}")))?;
    let model = ctx.prices()?.model(&prepared.model)?;
    let request = crate::gateway::build_request(&prepared.call, model);
    let Some(count) = billing.until_interrupted(billing.api().count_tokens(&(&request).into())) else {
        return Err(crate::error::Interrupted.into());
    };
    count.map_err(|e| UserError::new(format!("count_tokens: {e}")).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lead_is_a_ratio_for_bm25_and_a_margin_for_fused_scores() {
        assert!(clear_lead(2.5, 2.0, false));
        assert!(!clear_lead(2.4, 2.0, false));
        // Negative fused scores: the ratio test would call this lead clear for any first.
        assert!(!clear_lead(-0.1, -0.2, true));
        assert!(clear_lead(0.1, 0.1 - AMBIGUITY_MARGIN_Z, true));
        assert!(!clear_lead(3.0, 3.0 - AMBIGUITY_MARGIN_Z / 2.0, true));
    }
}
