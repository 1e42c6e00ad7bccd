//! A planned run: a planner model splits the task into subtasks for agents from a discovery
//! shortlist; the subtasks run as a dependency graph, each routed by its own complexity and
//! laid out for caching; dependents receive bounded summaries; a synthesis writes the answer.
//! An invalid plan is repaired once, then the run falls back to one agent, with a note.

use std::collections::{HashMap, HashSet};

use anyhow::Result;

use super::agent_text::{self, AgentText};
use super::execute::{Event, Graph, Handover, Step, StepResult};
use super::llm::{Llm, LlmCall, Purpose, Stop};
use super::plan::{self, Plan, PlannedSubtask, Problem};
use super::prompts;
use super::record::Status;
use crate::agents::AgentSummary;
use crate::discovery;
use crate::learn::record::outcome;
use crate::pricing::PriceTable;
use crate::prompt::{self, CacheStrategy, Parts};
use crate::routing::{Pressure, Router, RoutingDecision, TaskContext, Tier};
use crate::store::{Library, Store};
use crate::usage::RoutingRecord;

/// Everything a planned run needs.
pub struct Inputs<'a> {
    pub store: &'a Store,
    pub library: &'a Library,
    pub prices: &'a PriceTable,
    pub router: &'a Router,
    pub task: &'a str,
    pub run_id: String,
    pub project_context: Option<String>,
    /// The context as one block every agent of the project shares (`prompt::Parts`).
    pub project_shared: bool,
    pub cache: CacheStrategy,
    pub max_tokens: u32,
    pub shortlist: usize,
    pub jobs: usize,
    pub max_subtasks: usize,
    pub planner_tier: String,
    pub synthesis_tier: String,
    pub summary_tokens: usize,
    pub pressure: Pressure,
    /// Ask a planner at all (`--no-plan` runs the task as one subtask).
    pub plan: bool,
    /// Forced tier for every subtask (`--tier`/`--no-routing`), else each is routed.
    pub tier_override: Option<String>,
    /// Embeddings for the hybrid ranking; `None` ranks by BM25 alone.
    pub semantic: Option<&'a discovery::Semantic<'a>>,
    /// Stamps the routing decisions and the subtasks' start and end.
    pub clock: crate::clock::Clock,
}

/// What the run reports as it goes.
#[derive(Debug, Clone)]
pub enum RunEvent<'a> {
    Planned { plan: &'a Plan, note: Option<&'a str> },
    Started { id: &'a str, agent: &'a str, tier: &'a str },
    Finished(&'a StepResult),
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub plan: Plan,
    pub planned: bool,
    pub note: String,
    pub results: Vec<StepResult>,
    pub final_text: String,
    pub status: Status,
}

/// Runs the task. Calls go through `llm` (which prices and records them).
pub async fn run(llm: &dyn Llm, i: &Inputs<'_>, on_event: &(dyn Fn(RunEvent<'_>) + Sync)) -> Result<Outcome> {
    let found = discovery::discover(i.store, i.library, i.task, i.shortlist, i.shortlist, i.semantic)?;
    let (plan, planned, note) = make_plan(llm, i, &found.shortlist).await;
    on_event(RunEvent::Planned { plan: &plan, note: (!note.is_empty()).then_some(note.as_str()) });
    let texts = load_texts(i, &plan)?;
    let parent = i.router.decide(i.task, &TaskContext::default(), i.pressure).tier;
    let (steps, decisions): (Vec<Step>, Vec<_>) = plan.subtasks.iter().map(|s| step(i, s, parent)).unzip();
    let foundations = foundations(i, &steps)?;
    let ids = record_decisions(i, &steps, &decisions)?;
    let results = execute(llm, i, &plan, &steps, &texts, &foundations, on_event).await;
    end_decisions(i, &steps, &ids, &results)?;
    let status = overall(&results);
    let final_text = if results.len() == 1 && status == Status::Ok {
        results[0].output.clone()
    } else {
        synthesize(llm, i, &plan, &results).await
    };
    Ok(Outcome { plan, planned, note, results, final_text, status })
}

/// The foundation each tier's model gets (`directory::foundation`), for every tier a step or
/// its tier-up may run on.
fn foundations(i: &Inputs<'_>, steps: &[Step]) -> Result<HashMap<String, Option<String>>> {
    let tiers = i.prices.tiers().keys().cloned().chain(steps.iter().map(|s| s.tier.clone()));
    let base = super::agent_text::foundation(&i.library.root)?;
    let mut out = HashMap::new();
    for tier in tiers {
        if out.contains_key(&tier) {
            continue;
        }
        let Ok(model) = i.prices.model(&tier) else { continue };
        let foundation = base.clone().map(|b| super::directory::for_model(i.store, i.library, b, i.cache, model));
        out.insert(tier, foundation.transpose()?);
    }
    Ok(out)
}

/// Asks the planner, repairs once, else falls back to the best single agent.
async fn make_plan(llm: &dyn Llm, i: &Inputs<'_>, shortlist: &[AgentSummary]) -> (Plan, bool, String) {
    let fallback = |note: String| (single_plan(i, shortlist), false, note);
    if !i.plan || shortlist.is_empty() {
        return fallback(String::new());
    }
    let agents: HashSet<String> = shortlist.iter().map(|a| a.id.clone()).collect();
    let mut user = prompts::planner_user(i.task, shortlist, i.max_subtasks);
    for attempt in 0..2 {
        let reply = match llm.call(planner_call(i, &user)).await {
            Ok(reply) => reply,
            Err(e) => return fallback(format!("the planner failed ({e}); ran as one agent")),
        };
        let problems = match plan::parse(&reply.text) {
            Ok(plan) => match plan::validate(&plan, &agents, i.max_subtasks) {
                p if p.is_empty() => return (plan, true, String::new()),
                p => p,
            },
            Err(problem) => vec![problem],
        };
        if attempt == 1 {
            let listed = problems.iter().map(Problem::to_string).collect::<Vec<_>>().join("; ");
            return fallback(format!("the plan was invalid after one repair ({listed}); ran as one agent"));
        }
        user = prompts::repair_user(&reply.text, &problems);
    }
    fallback(String::new())
}

fn planner_call(i: &Inputs<'_>, user: &str) -> LlmCall {
    let min = i.prices.model(&i.planner_tier).map_or(u64::MAX, |m| m.min_cacheable_tokens);
    let parts = Parts {
        foundation: Some(prompts::PLANNER_SYSTEM),
        project: i.project_context.as_deref(),
        project_shared: i.project_shared,
        agent_static: "",
        agent_dynamic: "",
        task: user,
    };
    LlmCall {
        run_id: i.run_id.clone(),
        subtask_id: Some("plan".to_string()),
        purpose: Purpose::Plan,
        agent: "planner".to_string(),
        task: i.task.to_string(),
        tier: i.planner_tier.clone(),
        layout: prompt::layout(parts, min, i.cache),
        max_tokens: i.max_tokens.min(4096),
        stream: false,
    }
}

fn single_plan(i: &Inputs<'_>, shortlist: &[AgentSummary]) -> Plan {
    let agent = shortlist.first().map_or_else(String::new, |a| a.id.clone());
    Plan {
        subtasks: vec![PlannedSubtask {
            id: "main".into(),
            title: i.task.to_string(),
            agent,
            depends_on: vec![],
            returns: String::new(),
            tier: None,
        }],
    }
}

/// A subtask's tier: the planner's choice, kept within the router's rules: never above the
/// whole task's tier (a part never needs more than the whole), never below one tier under what
/// the router gives the part's own words (its safe tier). Without a planner's choice, the
/// router's, under the same ceiling. Forced tiers (`--tier`, `--no-routing`) are not decisions.
fn step(i: &Inputs<'_>, s: &PlannedSubtask, parent: Tier) -> (Step, Option<RoutingDecision>) {
    let make = |tier: String| Step {
        id: s.id.clone(),
        title: s.title.clone(),
        agent: s.agent.clone(),
        depends_on: s.depends_on.clone(),
        tier,
    };
    if let Some(forced) = &i.tier_override {
        return (make(forced.clone()), None);
    }
    let context = TaskContext { subtasks: Some(1), ..TaskContext::default() };
    let decision = i.router.decide(&format!("{} {}", s.title, s.returns), &context, i.pressure);
    let tier = bounded(s.tier.as_deref().and_then(Tier::parse), decision.tier, parent);
    (make(tier.name().to_string()), Some(decision))
}

fn bounded(planner: Option<Tier>, routed: Tier, parent: Tier) -> Tier {
    let safe = routed.down().unwrap_or(routed);
    let chosen = planner.unwrap_or(routed);
    let chosen = if chosen.rank() < safe.rank() { safe } else { chosen };
    if chosen.rank() > parent.rank() { parent } else { chosen }
}

/// Each routed subtask's decision, linked to its run and subtask, recorded before it runs
/// (as `running`) so that every planned subtask has an outcome even if the run never ends:
/// an interrupt marks them `cancelled`, a kill leaves `running`, which learning ignores.
fn record_decisions(i: &Inputs<'_>, steps: &[Step], decisions: &[Option<RoutingDecision>]) -> Result<Vec<Option<i64>>> {
    let mut ids = Vec::with_capacity(steps.len());
    for (s, d) in steps.iter().zip(decisions) {
        let Some(d) = d else {
            ids.push(None);
            continue;
        };
        ids.push(Some(i.store.insert_routing_decision(&RoutingRecord {
            ts_ms: i.clock.now_ms(),
            run_id: Some(i.run_id.clone()),
            subtask_id: Some(s.id.clone()),
            task: s.title.chars().take(200).collect(),
            score: d.score,
            tier: s.tier.clone(),
            model: i.prices.model(&s.tier).map(|m| m.id.clone()).unwrap_or_default(),
            pressure: format!("{:?}", d.pressure).to_lowercase(),
            features: serde_json::to_string(&d.features)?,
            outcome: outcome::RUNNING.to_string(),
            upgraded_to: None,
        })?));
    }
    Ok(ids)
}

/// How each recorded subtask went: the executor's outcome, the tier it ended on when that is
/// not the one it was routed to, and why it went up (only a refusal sends a subtask up).
fn end_decisions(i: &Inputs<'_>, steps: &[Step], ids: &[Option<i64>], results: &[StepResult]) -> Result<()> {
    for (s, id) in steps.iter().zip(ids) {
        let (Some(id), Some(r)) = (id, results.iter().find(|r| r.id == s.id)) else { continue };
        let up = (r.tier != s.tier && r.attempts > 1).then_some(r.tier.as_str());
        let reason = up.map(|_| "refusal");
        i.store.end_routing_decision(*id, r.outcome, up, reason)?;
    }
    Ok(())
}

fn load_texts(i: &Inputs<'_>, plan: &Plan) -> Result<HashMap<String, AgentText>> {
    let ids: Vec<String> = plan.subtasks.iter().map(|s| s.agent.clone()).collect::<HashSet<_>>().into_iter().collect();
    let mut texts = HashMap::new();
    for agent in i.store.index().agent_summaries(i.library.id, &ids)? {
        texts.insert(agent.id.clone(), agent_text::load(&i.library.root, &agent)?);
    }
    Ok(texts)
}

async fn execute(
    llm: &dyn Llm,
    i: &Inputs<'_>,
    plan: &Plan,
    steps: &[Step],
    texts: &HashMap<String, AgentText>,
    foundations: &HashMap<String, Option<String>>,
    on_event: &(dyn Fn(RunEvent<'_>) + Sync),
) -> Vec<StepResult> {
    let by_id: HashMap<&str, &PlannedSubtask> = plan.subtasks.iter().map(|s| (s.id.as_str(), s)).collect();
    let empty = AgentText { static_part: String::new(), dynamic_part: String::new() };
    // The closures run on the graph's tasks: they take the plain fields they need, not the
    // inputs (which hold a store connection).
    let (task, project, project_shared, prices, cache) =
        (i.task, i.project_context.as_deref(), i.project_shared, i.prices, i.cache);
    let (max_tokens, summary_tokens, run_id) = (i.max_tokens, i.summary_tokens, i.run_id.as_str());
    let build = |s: &Step, handovers: &[Handover], tier: &str| {
        let text = texts.get(&s.agent).unwrap_or(&empty);
        let planned = by_id.get(s.id.as_str()).copied();
        let user = match planned {
            Some(p) => prompts::subtask_user(task, p, handovers, summary_tokens),
            None => s.title.clone(),
        };
        let parts = Parts {
            foundation: foundations.get(tier).and_then(|f| f.as_deref()),
            project,
            project_shared,
            agent_static: &text.static_part,
            agent_dynamic: &text.dynamic_part,
            task: &user,
        };
        let min = prices.model(tier).map_or(u64::MAX, |m| m.min_cacheable_tokens);
        LlmCall {
            run_id: run_id.to_string(),
            subtask_id: Some(s.id.clone()),
            purpose: Purpose::Subtask,
            agent: s.agent.clone(),
            task: s.title.clone(),
            tier: tier.to_string(),
            layout: prompt::layout(parts, min, cache),
            max_tokens,
            stream: false,
        }
    };
    let upgrade = |t: &str| Tier::parse(t).and_then(Tier::up).map(|t| t.name().to_string());
    let summarize = |text: &str| prompts::summarize(text, summary_tokens);
    let agents: HashMap<&str, &str> = steps.iter().map(|s| (s.id.as_str(), s.agent.as_str())).collect();
    let events = |e: Event<'_>| match e {
        Event::Started { id, tier } => {
            on_event(RunEvent::Started { id, agent: agents.get(id).copied().unwrap_or(""), tier })
        }
        Event::Finished(r) => on_event(RunEvent::Finished(r)),
    };
    let clock = i.clock;
    let now = move || clock.now_ms();
    let graph = Graph {
        llm,
        jobs: i.jobs,
        build: &build,
        upgrade: &upgrade,
        summarize: &summarize,
        on_event: &events,
        now_ms: &now,
    };
    graph.execute(steps).await
}

fn overall(results: &[StepResult]) -> Status {
    match results.iter().filter(|r| r.status == Status::Ok).count() {
        n if n == results.len() => Status::Ok,
        0 => Status::Failed,
        _ => Status::Partial,
    }
}

/// The final answer from the subtasks' summaries, streamed.
async fn synthesize(llm: &dyn Llm, i: &Inputs<'_>, plan: &Plan, results: &[StepResult]) -> String {
    let titles: Vec<(String, String)> = plan.subtasks.iter().map(|s| (s.id.clone(), s.title.clone())).collect();
    let user = prompts::synthesis_user(i.task, results, &titles);
    let min = i.prices.model(&i.synthesis_tier).map_or(u64::MAX, |m| m.min_cacheable_tokens);
    let parts = Parts {
        foundation: None,
        project: i.project_context.as_deref(),
        project_shared: i.project_shared,
        agent_static: "",
        agent_dynamic: "",
        task: &user,
    };
    let call = LlmCall {
        run_id: i.run_id.clone(),
        subtask_id: Some("synthesis".to_string()),
        purpose: Purpose::Synthesis,
        agent: "synthesis".to_string(),
        task: i.task.to_string(),
        tier: i.synthesis_tier.clone(),
        layout: prompt::layout(parts, min, i.cache),
        max_tokens: i.max_tokens,
        stream: true,
    };
    match llm.call(call).await {
        Ok(reply) if reply.stop == Stop::Done => reply.text,
        Ok(reply) => format!("{}\n\n(the synthesis stopped early)", reply.text),
        Err(e) => {
            let parts: Vec<String> = results
                .iter()
                .filter(|r| r.status == Status::Ok)
                .map(|r| format!("## {}\n\n{}", r.id, r.summary))
                .collect();
            format!("The synthesis failed ({e}); the subtasks' summaries follow.\n\n{}", parts.join("\n\n"))
        }
    }
}

#[cfg(test)]
mod tier_tests {
    use super::*;

    #[test]
    fn a_planned_tier_stays_within_the_routers_bounds() {
        use Tier::{Haiku, Opus, Sonnet};
        // The planner's choice stands between the safe tier and the whole task's tier.
        assert_eq!(bounded(Some(Sonnet), Opus, Opus), Sonnet);
        // Never below one tier under what the router gives the part's words.
        assert_eq!(bounded(Some(Haiku), Opus, Opus), Sonnet);
        // Never above the whole task's tier, even when the part's words score higher.
        assert_eq!(bounded(Some(Opus), Opus, Sonnet), Sonnet);
        assert_eq!(bounded(None, Opus, Sonnet), Sonnet);
        // Without a planner's choice, the router's.
        assert_eq!(bounded(None, Haiku, Opus), Haiku);
    }
}
