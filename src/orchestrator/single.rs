//! One task, one agent, one call: route, discover, lay out, and (unless it is a dry run) call,
//! retrying once a tier up when the call fails, stops at `max_tokens` or is refused.

use anyhow::{Result, bail};
use serde::Serialize;

use super::agent_text;
use super::llm::{Llm, LlmCall, LlmError, LlmReply, Purpose, Stop};
use crate::agents::AgentSummary;
use crate::discovery;
use crate::error::UserError;
use crate::pricing::{PriceTable, TokenUsage};
use crate::prompt::{self, CacheStrategy, Parts};
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
    pub cache: CacheStrategy,
    pub max_tokens: u32,
    pub shortlist: usize,
    pub run_id: String,
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
    let foundation = agent_text::foundation(&i.library.root)?;
    let parts = Parts {
        foundation: foundation.as_deref(),
        project: i.project_context.as_deref(),
        agent_static: &text.static_part,
        agent_dynamic: &text.dynamic_part,
        task: i.task,
    };
    let layout = prompt::layout(parts, model.min_cacheable_tokens, i.cache);
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
        request_tokens,
        exact_input_tokens: None,
        cached_prefix_tokens,
        max_tokens: i.max_tokens,
        call,
    })
}

fn choose_agent(i: &Inputs<'_>) -> Result<(AgentSummary, String)> {
    if let Some(id) = i.agent {
        let found = i.store.agent_summaries(i.library.id, &[id.to_string()])?;
        return match found.into_iter().next() {
            Some(agent) => Ok((agent, "chosen with --agent".to_string())),
            None => bail!(UserError::new(format!("no agent `{id}` in {}", i.library.root.display()))),
        };
    }
    let found = discovery::discover(i.store, i.library, i.task, 1, i.shortlist, None)?;
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
    pub attempts: u32,
}

/// Makes the call, and once more a tier up when it fails, stops short or is refused.
pub async fn execute(llm: &dyn Llm, prepared: &Prepared) -> Result<Done, LlmError> {
    let first = llm.call(prepared.call.clone()).await;
    let failure = match &first {
        Ok(reply) if reply.stop == Stop::Done => None,
        Ok(reply) if reply.stop == Stop::MaxTokens => Some(FailureKind::StoppedAtMaxTokens),
        Ok(_) => Some(FailureKind::Refusal),
        Err(LlmError::Failed(_)) => Some(FailureKind::FailedAfterRetries),
        Err(_) => None,
    };
    let next = failure.and_then(|f| Tier::parse(&prepared.tier).and_then(|t| upgrade(t, f)));
    match next {
        None => first.map(|reply| Done { reply, upgraded_to: None, attempts: 1 }),
        Some(up) => {
            let call = LlmCall { tier: up.name().to_string(), ..prepared.call.clone() };
            let reply = llm.call(call).await?;
            Ok(Done { reply, upgraded_to: Some(up.name().to_string()), attempts: 2 })
        }
    }
}
