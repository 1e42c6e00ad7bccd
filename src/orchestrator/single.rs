//! One task, one agent, one call: route, discover, lay out, and (unless it is a dry run) call,
//! retrying once a tier up when the call fails, stops at `max_tokens` or is refused.

use anyhow::{Result, bail};
use serde::Serialize;

use super::agent_text;
use super::llm::{Llm, LlmCall, LlmError, LlmReply, Purpose, Stop};
use crate::agents::AgentSummary;
use crate::discovery;
use crate::error::UserError;
use crate::pricing::{ModelInfo, PriceTable, TokenUsage};
use crate::project::reach::Reach;
use crate::prompt::{self, CacheStrategy, Parts, Ttl};
use crate::routing::{FailureKind, Pressure, Router, RoutingDecision, TaskContext, Tier, upgrade};
use crate::store::{Library, Store};
use crate::tokens;

/// What a single-agent run needs to know.
pub struct Inputs<'a> {
    pub store: &'a Store,
    pub library: &'a Library,
    pub prices: &'a PriceTable,
    pub router: &'a Router,
    pub task: &'a str,
    /// Forced agent id, else discovery's first choice.
    pub agent: Option<&'a str>,
    /// Forced tier or model id, else the router's choice.
    pub model_override: Option<String>,
    pub pressure: Pressure,
    pub project_context: Option<String>,
    /// The context as one block every agent of the project shares (`prompt::Parts`).
    pub project_shared: bool,
    /// The project's folder, so its context can be extended to reach a model's cache minimum.
    pub project_root: Option<std::path::PathBuf>,
    pub cache: CacheStrategy,
    pub max_tokens: u32,
    pub shortlist: usize,
    pub run_id: String,
    /// Embeddings for the hybrid ranking; `None` ranks by BM25 alone.
    pub semantic: Option<&'a discovery::Semantic<'a>>,
}

/// A prepared call and everything worth showing about it before it is made.
#[derive(Debug, Clone, Serialize)]
pub struct Prepared {
    pub run_id: String,
    pub routing: Option<RoutingDecision>,
    /// The tier name, or the model id given with `--model`.
    pub tier: String,
    pub model: String,
    pub agent: String,
    pub agent_reason: String,
    /// Why the project context was or was not extended for this model (`project::reach`).
    pub context_reason: Option<String>,
    pub request_tokens: usize,
    /// The API's own count of the request's input, with `--exact`.
    pub exact_input_tokens: Option<u64>,
    pub cached_prefix_tokens: usize,
    pub max_tokens: u32,
    /// Input at fresh-input rates plus a typical reply (a quarter of `max_tokens`).
    pub estimated_cost_usd: f64,
    /// Input priced as cache writes plus `max_tokens` of output: what the budget reserves.
    pub worst_case_cost_usd: f64,
    #[serde(skip)]
    pub call: LlmCall,
    /// The same call laid out for the tier above, made if the model refuses: its foundation and
    /// breakpoints are that model's, so it reads that model's cache entries.
    #[serde(skip)]
    pub up_call: Option<LlmCall>,
}

/// Routes, discovers and lays out the call.
pub fn prepare(i: &Inputs<'_>) -> Result<Prepared> {
    let (routing, tier) = match &i.model_override {
        Some(model) => (None, model.clone()),
        None => {
            let decision = i.router.decide(i.task, &TaskContext::default(), i.pressure);
            let tier = decision.tier.name().to_string();
            (Some(decision), tier)
        }
    };
    let model = i.prices.model(&tier)?.clone();
    let (agent, agent_reason) = choose_agent(i)?;
    let text = agent_text::load(&i.library.root, &agent)?;
    let base = agent_text::foundation(&i.library.root)?;
    let (layout, reach) = lay_out(i, &text, base.as_deref(), &model)?;
    let cached_prefix_tokens = cached_prefix(&layout);
    let request_tokens = layout.system.iter().chain(&layout.user).map(|b| tokens::estimate(&b.text)).sum();
    let call = LlmCall {
        run_id: i.run_id.clone(),
        subtask_id: None,
        purpose: Purpose::Subtask,
        agent: agent.id.clone(),
        task: i.task.to_string(),
        tier: tier.clone(),
        layout,
        max_tokens: i.max_tokens,
        stream: true,
    };
    let up_call = match Tier::parse(&tier).and_then(Tier::up) {
        Some(up) => {
            let (layout, _) = lay_out(i, &text, base.as_deref(), i.prices.model(up.name())?)?;
            Some(LlmCall { tier: up.name().to_string(), layout, ..call.clone() })
        }
        None => None,
    };
    let typical =
        TokenUsage { input: request_tokens as u64, output: u64::from(i.max_tokens / 4), ..TokenUsage::default() };
    Ok(Prepared {
        run_id: i.run_id.clone(),
        estimated_cost_usd: i.prices.cost(&model.id, &typical, false)?.total,
        worst_case_cost_usd: crate::gateway::worst_case_cost(i.prices, &model.id, &call)?,
        routing,
        tier,
        model: model.id.clone(),
        agent: agent.id.clone(),
        agent_reason,
        context_reason: reach.and_then(|r| r.reason),
        request_tokens,
        exact_input_tokens: None,
        cached_prefix_tokens,
        max_tokens: i.max_tokens,
        call,
        up_call,
    })
}

/// The request's blocks for `model`: the foundation and the project's context as that model
/// gets them, the agent's parts and the task, with the model's breakpoints.
fn lay_out(
    i: &Inputs<'_>,
    text: &agent_text::AgentText,
    base: Option<&str>,
    model: &ModelInfo,
) -> Result<(prompt::Layout, Option<Reach>)> {
    let foundation =
        base.map(|b| super::directory::for_model(i.store, i.library, b.to_string(), i.cache, model)).transpose()?;
    let reach = project_for_model(i, foundation.as_deref().unwrap_or(""), model)?;
    let parts = Parts {
        foundation: foundation.as_deref(),
        project: reach.as_ref().map(|r| r.text.as_str()),
        project_shared: i.project_shared,
        agent_static: &text.static_part,
        agent_dynamic: &text.dynamic_part,
        task: i.task,
    };
    Ok((prompt::layout(parts, model.min_cacheable_tokens, i.cache), reach))
}

/// The project context as this model gets it: extended to reach the model's cache minimum
/// where that pays and the project has the material (`project::reach`), else as built.
fn project_for_model(i: &Inputs<'_>, foundation: &str, model: &ModelInfo) -> Result<Option<Reach>> {
    let Some(context) = i.project_context.as_deref() else { return Ok(None) };
    let as_built = Reach { text: context.to_string(), reason: None };
    let ttl = match i.cache {
        // Pasted with the task, the context is never cached: no minimum to reach.
        _ if !i.project_shared => return Ok(Some(as_built)),
        CacheStrategy::Off => return Ok(Some(as_built)),
        CacheStrategy::FiveMinutes => Ttl::FiveMinutes,
        CacheStrategy::Mixed | CacheStrategy::OneHour => Ttl::OneHour,
    };
    let Some(root) = &i.project_root else { return Ok(Some(as_built)) };
    let counted = counted_prefix(i, &[foundation, context], model)?;
    Ok(Some(crate::project::reach::for_model(root, context, foundation, model, ttl, counted)))
}

/// The API's count of these blocks together on `model`, when every non-empty one was counted
/// (`commands::run::sizes`).
fn counted_prefix(i: &Inputs<'_>, blocks: &[&str], model: &ModelInfo) -> Result<Option<u64>> {
    let mut total = 0;
    for text in blocks.iter().filter(|b| !b.is_empty()) {
        match i.store.index().block_tokens(&model.id, &agent_text::text_hash(text))? {
            Some(tokens) => total += tokens,
            None => return Ok(None),
        }
    }
    Ok(Some(total))
}

fn choose_agent(i: &Inputs<'_>) -> Result<(AgentSummary, String)> {
    if let Some(id) = i.agent {
        let found = i.store.index().agent_summaries(i.library.id, &[id.to_string()])?;
        return match found.into_iter().next() {
            Some(agent) => Ok((agent, "chosen with --agent".to_string())),
            None => bail!(UserError::new(format!("no agent `{id}` in {}", i.library.root.display()))),
        };
    }
    let found = discovery::discover(i.store, i.library, i.task, 1, i.shortlist, i.semantic)?;
    match found.ranked.into_iter().next() {
        Some(r) => {
            let why = if r.matched.is_empty() {
                "best match".to_string()
            } else {
                format!("matches {}", r.matched.join(", "))
            };
            Ok((r.summary, why))
        }
        None => bail!(UserError::new("no agent matches this task; name one with --agent")),
    }
}

fn cached_prefix(layout: &prompt::Layout) -> usize {
    let last = layout.system.iter().rposition(|b| b.cache.is_some());
    last.map_or(0, |at| layout.system[..=at].iter().map(|b| tokens::estimate(&b.text)).sum())
}

/// The outcome of a real run.
#[derive(Debug, Clone)]
pub struct Done {
    pub reply: LlmReply,
    /// The tier the reply came from, when it was upgraded after a failure.
    pub upgraded_to: Option<String>,
    /// Why the first attempt was retried a tier up.
    pub upgrade_reason: Option<FailureKind>,
    pub attempts: u32,
    /// Why the tier-up after a refusal could not be made (a budget, an API error), if it was not.
    pub upgrade_error: Option<String>,
}

/// Makes the call, and once more a tier up only when a bigger model can fix what went wrong: a
/// refusal. A `max_tokens` stop is retried a tier up only when that attempt gets a bigger output
/// budget, which a single run's fixed `max_tokens` never gives. Failures (transient errors after
/// the client's retries, 4xx, a busy store, a budget refusal) are returned as they are: a bigger
/// model cannot fix them, and would bill more to fail the same way. When the tier-up is refused
/// by a budget, the first attempt's outcome is what the caller sees.
pub async fn execute(llm: &dyn Llm, prepared: &Prepared) -> Result<Done, LlmError> {
    let reply = llm.call(prepared.call.clone()).await?;
    let failure = match reply.stop {
        Stop::Done => None,
        Stop::MaxTokens => Some(FailureKind::StoppedAtMaxTokens),
        Stop::Refusal => Some(FailureKind::Refusal),
    };
    // The tier up would get the same `max_tokens`, so a `max_tokens` stop is not retried.
    let up = failure
        .filter(|f| *f != FailureKind::StoppedAtMaxTokens)
        .and_then(|f| Tier::parse(&prepared.tier).and_then(|t| upgrade(t, f)));
    let Some(up) = up else {
        return Ok(Done { reply, upgraded_to: None, upgrade_reason: None, attempts: 1, upgrade_error: None });
    };
    let call = match &prepared.up_call {
        Some(call) if call.tier == up.name() => call.clone(),
        _ => LlmCall { tier: up.name().to_string(), ..prepared.call.clone() },
    };
    match llm.call(call).await {
        Ok(second) => Ok(Done {
            reply: second,
            upgraded_to: Some(up.name().to_string()),
            upgrade_reason: failure,
            attempts: 2,
            upgrade_error: None,
        }),
        // The tier-up could not be made: the first reply stands, and why is kept to be shown.
        Err(e) => {
            Ok(Done { reply, upgraded_to: None, upgrade_reason: None, attempts: 1, upgrade_error: Some(e.to_string()) })
        }
    }
}

#[cfg(test)]
#[path = "single_tests.rs"]
mod tests;
