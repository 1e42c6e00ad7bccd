//! Whether to plan a task: a plan (planner, subtasks, synthesis) is made only where it is
//! expected to cost less than one call on the task's own tier. On the day benchmark a plan cost
//! about twice its single call (the planner reads the shortlist's cards, the subtasks write the
//! answer in parts and the synthesis writes it again), so the estimate is deliberately kind to
//! planning: subtasks priced a tier below the task, each prompt priced as fresh input once.

use anyhow::Result;
use serde::Serialize;

use super::prompts::PLANNER_SYSTEM;
use super::single::Prepared;
use crate::pricing::{PriceTable, TokenUsage};
use crate::routing::Tier;
use crate::tokens;

/// What planning a task is expected to cost against one call, and the verdict.
#[derive(Debug, Clone, Serialize)]
pub struct PlanChoice {
    pub plan: bool,
    pub reason: String,
    pub single_usd: f64,
    pub planned_usd: f64,
}

/// The shape of a plan the estimate assumes.
#[derive(Debug, Clone, Copy)]
pub struct PlanShape<'a> {
    pub planner_tier: &'a str,
    pub synthesis_tier: &'a str,
    /// Subtasks a plan typically has (bounded by `max-subtasks`).
    pub subtasks: usize,
    /// Tokens of the shortlist's cards the planner reads.
    pub card_tokens: usize,
    pub project_tokens: usize,
    pub summary_tokens: usize,
}

/// Subtasks the estimate assumes when the plan may have more.
const TYPICAL_SUBTASKS: usize = 3;
/// Output tokens of a plan per subtask (JSON: id, title, agent, dependencies, returns).
const PLAN_TOKENS_PER_SUBTASK: u64 = 80;

pub fn decide(prices: &PriceTable, single: &Prepared, shape: &PlanShape<'_>) -> Result<PlanChoice> {
    let out = u64::from(single.max_tokens / 4);
    let call = |model: &str, input: u64, output: u64| -> Result<f64> {
        let usage = TokenUsage { input, output, ..TokenUsage::default() };
        Ok(prices.cost(&prices.model(model)?.id, &usage, false)?.total)
    };
    let single_usd = call(&single.model, single.request_tokens as u64, out)?;
    let k = shape.subtasks.clamp(1, TYPICAL_SUBTASKS) as u64;
    let task = tokens::estimate(&single.call.task) as u64;
    let planner_in = tokens::estimate(PLANNER_SYSTEM) as u64 + (shape.project_tokens + shape.card_tokens) as u64 + task;
    let planner = call(shape.planner_tier, planner_in, PLAN_TOKENS_PER_SUBTASK * k)?;
    let sub_tier = Tier::parse(&single.tier).and_then(Tier::down).map_or(single.tier.clone(), |t| t.name().into());
    // The same work in k parts: k prompts, the answer's length between them, plus summaries.
    let parts = call(&sub_tier, single.request_tokens as u64 * k, out + shape.summary_tokens as u64 * k)?;
    let synthesis_in = (shape.project_tokens + shape.summary_tokens * k as usize) as u64 + task;
    let synthesis = call(shape.synthesis_tier, synthesis_in, out)?;
    let planned_usd = planner + parts + synthesis;
    let plan = planned_usd < single_usd;
    let reason = format!(
        "{}: a plan is expected to cost ${planned_usd:.4} (planner ${planner:.4}, {k} subtasks on {sub_tier} \
         ${parts:.4}, synthesis ${synthesis:.4}) against ${single_usd:.4} for one call on {}",
        if plan { "planned" } else { "not planned" },
        single.tier
    );
    Ok(PlanChoice { plan, reason, single_usd, planned_usd })
}
