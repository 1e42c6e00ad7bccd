//! Runs subtasks as a dependency graph: independent ones at the same time (up to `jobs`), each
//! retried once a tier up when it fails, dependents skipped when something they need failed.
//! Dependents receive the compact summaries of what they depend on, never whole outputs.

use std::collections::{HashMap, HashSet};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

use super::llm::{Llm, LlmCall, LlmError, Stop};
use super::record::Status;
use crate::learn::record::outcome;

/// One node of the graph.
#[derive(Debug, Clone)]
pub struct Step {
    pub id: String,
    pub title: String,
    pub agent: String,
    pub depends_on: Vec<String>,
    /// The tier the router chose for this step.
    pub tier: String,
}

/// What a dependency hands over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    pub from: String,
    pub summary: String,
}

/// How a step ended.
#[derive(Debug, Clone)]
pub struct StepResult {
    pub id: String,
    pub status: Status,
    pub output: String,
    pub summary: String,
    pub attempts: u32,
    pub tier: String,
    pub model: String,
    pub cost_micros: i64,
    pub started_ms: Option<i64>,
    pub finished_ms: Option<i64>,
    pub error: Option<String>,
    /// How it ended, in the words routing outcomes use (`learn::record::outcome`): a budget
    /// refusal or an API error says nothing about the tier, a refusal on every tier does.
    pub outcome: &'static str,
}

/// Progress reported while the graph runs.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    Started { id: &'a str, tier: &'a str },
    Finished(&'a StepResult),
}

/// How to run the graph.
pub struct Graph<'a> {
    pub llm: &'a dyn Llm,
    pub jobs: usize,
    /// Builds the call for a step at a tier, given what its dependencies handed over.
    pub build: &'a (dyn Fn(&Step, &[Handover], &str) -> LlmCall + Sync),
    /// The next tier up, if any.
    pub upgrade: &'a (dyn Fn(&str) -> Option<String> + Sync),
    /// Summary of an output, bounded in tokens.
    pub summarize: &'a (dyn Fn(&str) -> String + Sync),
    pub on_event: &'a (dyn Fn(Event<'_>) + Sync),
    pub now_ms: &'a (dyn Fn() -> i64 + Sync),
}

impl Graph<'_> {
    /// Runs every step; results come back in the steps' order.
    pub async fn execute(&self, steps: &[Step]) -> Vec<StepResult> {
        let mut done: HashMap<String, StepResult> = HashMap::new();
        let mut started: HashSet<&str> = HashSet::new();
        let mut running = FuturesUnordered::new();
        loop {
            self.skip_blocked(steps, &mut done, &started);
            for step in steps {
                if running.len() >= self.jobs.max(1) {
                    break;
                }
                if !started.contains(step.id.as_str()) && !done.contains_key(&step.id) && self.ready(step, &done) {
                    started.insert(&step.id);
                    let handovers = self.handovers(step, &done);
                    running.push(self.run_step(step, handovers));
                }
            }
            match running.next().await {
                Some(result) => {
                    (self.on_event)(Event::Finished(&result));
                    done.insert(result.id.clone(), result);
                }
                None => break,
            }
        }
        steps.iter().filter_map(|s| done.remove(&s.id)).collect()
    }

    fn ready(&self, step: &Step, done: &HashMap<String, StepResult>) -> bool {
        step.depends_on.iter().all(|d| done.get(d).is_some_and(|r| r.status == Status::Ok))
    }

    /// Marks steps whose dependencies failed (or were skipped) as skipped.
    fn skip_blocked(&self, steps: &[Step], done: &mut HashMap<String, StepResult>, started: &HashSet<&str>) {
        loop {
            let blocked: Vec<(&Step, String)> = steps
                .iter()
                .filter(|s| !started.contains(s.id.as_str()) && !done.contains_key(&s.id))
                .filter_map(|s| {
                    let failed = s.depends_on.iter().find(|d| done.get(*d).is_some_and(|r| r.status != Status::Ok))?;
                    Some((s, failed.clone()))
                })
                .collect();
            if blocked.is_empty() {
                return;
            }
            for (step, failed) in blocked {
                let mut result = empty_result(step, Status::Skipped);
                result.error = Some(format!("not run: it needs `{failed}`, which did not complete"));
                (self.on_event)(Event::Finished(&result));
                done.insert(step.id.clone(), result);
            }
        }
    }

    fn handovers(&self, step: &Step, done: &HashMap<String, StepResult>) -> Vec<Handover> {
        step.depends_on
            .iter()
            .filter_map(|d| done.get(d))
            .map(|r| Handover { from: r.id.clone(), summary: r.summary.clone() })
            .collect()
    }

    /// One step: a call at its tier, and once more a tier up if that fails or stops short.
    async fn run_step(&self, step: &Step, handovers: Vec<Handover>) -> StepResult {
        let mut result = empty_result(step, Status::Failed);
        result.started_ms = Some((self.now_ms)());
        let mut tier = step.tier.clone();
        loop {
            (self.on_event)(Event::Started { id: &step.id, tier: &tier });
            result.attempts += 1;
            result.tier = tier.clone();
            let outcome = self.llm.call((self.build)(step, &handovers, &tier)).await;
            let retry_reason = match outcome {
                Ok(reply) => {
                    let upgraded = result.attempts > 1;
                    result.cost_micros += reply.cost_micros;
                    result.model = reply.model;
                    match reply.stop {
                        Stop::Done => {
                            result.summary = (self.summarize)(&reply.text);
                            result.output = reply.text;
                            result.status = Status::Ok;
                            result.error = None;
                            result.outcome = if upgraded { outcome::UPGRADED } else { outcome::OK };
                            break;
                        }
                        // Same `max_tokens` a tier up: no more room, so no retry.
                        Stop::MaxTokens => {
                            result.summary = (self.summarize)(&reply.text);
                            result.output = reply.text;
                            result.error = Some("stopped at max_tokens".to_string());
                            result.outcome = outcome::MAX_TOKENS;
                            break;
                        }
                        // The one failure a bigger model may fix.
                        Stop::Refusal => {
                            // Refused on the tier it was routed to and, if there was one, the
                            // tier above: failed; with no tier up to try, refused.
                            result.outcome = if upgraded { outcome::FAILED } else { outcome::REFUSED };
                            "the model refused".to_string()
                        }
                    }
                }
                // Transient failures (after the client's retries), 4xx, a busy store, a budget:
                // a bigger model fixes none of them and bills more.
                Err(e) => {
                    result.outcome = match e {
                        LlmError::Budget(_) => outcome::BLOCKED,
                        LlmError::Failed(_) | LlmError::Fatal(_) => outcome::ERROR,
                    };
                    result.error = Some(e.to_string());
                    break;
                }
            };
            result.error = Some(retry_reason);
            match (self.upgrade)(&tier).filter(|_| result.attempts < 2) {
                Some(up) => tier = up,
                None => break,
            }
        }
        result.finished_ms = Some((self.now_ms)());
        result
    }
}

fn empty_result(step: &Step, status: Status) -> StepResult {
    StepResult {
        id: step.id.clone(),
        status,
        output: String::new(),
        summary: String::new(),
        attempts: 0,
        tier: step.tier.clone(),
        model: String::new(),
        cost_micros: 0,
        started_ms: None,
        finished_ms: None,
        error: None,
        outcome: if status == Status::Skipped { outcome::SKIPPED } else { outcome::RUNNING },
    }
}

#[cfg(test)]
mod tests;
