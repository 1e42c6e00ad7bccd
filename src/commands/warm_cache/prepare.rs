//! A warm-up call per agent: the exact system blocks and breakpoints the agent's next run will
//! send (laid out by `single::prepare` with the agent and model forced, the same project
//! context and cache strategy as `run`), a minimal user turn, and one output token.

use anyhow::Result;

use super::super::fresh_library;
use crate::context::Context;
use crate::error::UserError;
use crate::orchestrator::llm::LlmCall;
use crate::orchestrator::single::{self, Inputs};
use crate::prompt::{Block, BlockKind};
use crate::routing::{Pressure, Router};
use crate::store::Library;
use crate::warm::{Candidate, Prefix};

/// The user turn of a warm-up. The user turn is after every breakpoint, so it does not change
/// what is cached; short, because it is billed as fresh input.
const WARM_TURN: &str = "ok";

/// One candidate, prepared: its prefix (or why it has none), its warm-up call, and a problem to
/// report when preparing failed for a reason other than a missing agent.
pub struct WarmUp {
    pub prefix: Result<Prefix, String>,
    pub call: Option<LlmCall>,
    pub problem: Option<String>,
}

/// What every warm-up of a run shares: the library and the project context.
pub struct Setup {
    library: Library,
    project_context: Option<String>,
    router: Router,
    run_id: String,
}

impl Setup {
    pub fn new(ctx: &Context) -> Result<Self> {
        // No refresh: agent texts are read from disk when each prompt is laid out, so the
        // index only has to name the files; and a refresh would print notes into cron mail.
        let library = fresh_library(ctx, false)?;
        // A context pasted with each task (`shared-context: false`) is never cached: nothing of
        // it to warm.
        let shared = ctx.settings.run.switches.shared_context;
        let project_context = match ctx.settings.run.project.as_ref().filter(|_| shared) {
            Some(root) => Some(
                crate::project::load_or_build(ctx.store()?, root, ctx.settings.run.project_context_max_tokens)?.0.text,
            ),
            None => None,
        };
        // The tier decides which cache is warmed, so it is chosen as `run` chooses it.
        let router = Router::new(ctx.settings.routing.weights.clone(), ctx.settings.routing.thresholds)
            .with_meaning(crate::commands::semantic::meaning(ctx)?);
        let run_id = format!("warm-{}", ctx.clock.now_ms());
        Ok(Self { library, project_context, router, run_id })
    }

    /// The candidate's warm-up. An agent that is no longer in the library is a reason to skip;
    /// any other failure is also reported as a problem, since a run of that agent would fail
    /// the same way.
    pub fn warm_up(&self, ctx: &Context, candidate: &Candidate) -> Result<WarmUp> {
        let inputs = Inputs {
            store: ctx.store()?,
            library: &self.library,
            prices: ctx.prices()?,
            router: &self.router,
            task: WARM_TURN,
            agent: Some(&candidate.agent),
            model_override: Some(candidate.model.clone()),
            pressure: Pressure::Normal,
            project_context: self.project_context.clone(),
            project_shared: true,
            project_root: ctx.settings.run.project.clone(),
            cache: ctx.settings.run.cache_strategy,
            max_tokens: 1,
            shortlist: ctx.settings.discover_shortlist,
            run_id: self.run_id.clone(),
            // The agent is the candidate's: nothing to rank.
            semantic: None,
        };
        let prepared = match single::prepare(&inputs) {
            Ok(prepared) => prepared,
            Err(e) => {
                let problem = e.downcast_ref::<UserError>().is_none().then(|| format!("{e:#}"));
                return Ok(WarmUp { prefix: Err(format!("{e:#}")), call: None, problem });
            }
        };
        let mut call = prepared.call;
        call.layout.user = vec![Block { kind: BlockKind::Task, text: WARM_TURN.to_string(), cache: None }];
        call.task = "warm-cache".to_string();
        call.stream = false;
        call.tier = tier_name(ctx, &candidate.model)?;
        Ok(WarmUp { prefix: Ok(Prefix::from_layout(&call.layout)), call: Some(call), problem: None })
    }
}

/// A warm-up of each model's shared prefix alone (the blocks every agent's prompt on the model
/// starts with: the foundation), cut from the first agent warm-up on that model. It is recorded
/// under [`warm::SHARED`], so that the next run sees the entry it refreshed.
pub fn shared_warm_ups(history: &[crate::warm::PastCall], agents: &[(Candidate, WarmUp)]) -> Vec<(Candidate, WarmUp)> {
    let mut out: Vec<(Candidate, WarmUp)> = Vec::new();
    for (candidate, warm_up) in agents {
        let Some(call) = &warm_up.call else { continue };
        if out.iter().any(|(c, _)| c.model == candidate.model) {
            continue;
        }
        let mut call = call.clone();
        let shared = call.layout.system.iter().take_while(|b| b.kind == BlockKind::Foundation).count();
        call.layout.system.truncate(shared);
        if call.layout.system.iter().all(|b| b.cache.is_none()) {
            continue;
        }
        call.agent = crate::warm::SHARED.to_string();
        let calls = history.iter().filter(|c| !c.warm_up && c.model == candidate.model).count();
        let shared_candidate =
            Candidate { agent: crate::warm::SHARED.to_string(), model: candidate.model.clone(), calls };
        let prefix = Ok(Prefix::from_layout(&call.layout));
        out.push((shared_candidate, WarmUp { prefix, call: Some(call), problem: None }));
    }
    out
}

/// The tier whose model this is (as runs record it), else the model id itself.
fn tier_name(ctx: &Context, model: &str) -> Result<String> {
    let tiers = ctx.prices()?.tiers();
    Ok(tiers.iter().find(|(_, m)| *m == model).map_or_else(|| model.to_string(), |(tier, _)| tier.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orchestrator::llm::Purpose;
    use crate::prompt::{CacheStrategy, Parts};
    use crate::warm::PastCall;

    fn warm_up(agent: &str, model: &str) -> (Candidate, WarmUp) {
        let (foundation, project, own) = ("abcd ".repeat(2000), "abcd ".repeat(600), "abcd ".repeat(900));
        let parts = Parts {
            foundation: Some(&foundation),
            project: Some(&project),
            project_shared: true,
            agent_static: &own,
            agent_dynamic: "",
            task: "ok",
        };
        let layout = crate::prompt::layout(parts, 1024, CacheStrategy::Mixed);
        let call = LlmCall {
            run_id: "warm-1".into(),
            subtask_id: None,
            purpose: Purpose::Subtask,
            agent: agent.into(),
            task: "warm-cache".into(),
            tier: "sonnet".into(),
            layout,
            max_tokens: 1,
            stream: false,
        };
        let prefix = Ok(Prefix::from_layout(&call.layout));
        (
            Candidate { agent: agent.into(), model: model.into(), calls: 1 },
            WarmUp { prefix, call: Some(call), problem: None },
        )
    }

    #[test]
    fn each_model_gets_one_warm_up_of_its_foundation_alone() {
        let past =
            |agent: &str, model: &str| PastCall { ts_ms: 0, agent: agent.into(), model: model.into(), warm_up: false };
        let history = [past("a", "m1"), past("b", "m1"), past("c", "m2"), past("a", "m1")];
        let agents = [warm_up("a", "m1"), warm_up("b", "m1"), warm_up("c", "m2")];
        let shared = shared_warm_ups(&history, &agents);
        let found: Vec<(&str, &str, usize)> =
            shared.iter().map(|(c, _)| (c.agent.as_str(), c.model.as_str(), c.calls)).collect();
        assert_eq!(found, [(crate::warm::SHARED, "m1", 3), (crate::warm::SHARED, "m2", 1)]);
        let (_, first) = &shared[0];
        let call = first.call.as_ref().unwrap();
        assert_eq!(call.agent, crate::warm::SHARED, "recorded under the shared name");
        assert_eq!(call.layout.system.len(), 1, "the foundation alone: {:?}", call.layout.system);
        assert_eq!(call.layout.system[0].kind, BlockKind::Foundation);
        let segments = &first.prefix.as_ref().unwrap().segments;
        assert!(segments.len() == 1 && segments[0].shared, "{segments:?}");
    }
}
