use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::*;
use crate::orchestrator::llm::LlmError;
use crate::orchestrator::llm::{LlmFuture, LlmReply};
use crate::prompt::Layout;

/// A scripted model: per (agent, tier), a reply or a failure, after a delay.
struct Fake {
    start: Instant,
    log: Mutex<Vec<(String, String, u128, u128)>>,
}

impl Fake {
    fn new() -> Self {
        Self { start: Instant::now(), log: Mutex::new(Vec::new()) }
    }
}

impl Llm for Fake {
    fn call(&self, call: LlmCall) -> LlmFuture<'_> {
        Box::pin(async move {
            let begun = self.start.elapsed().as_millis();
            tokio::time::sleep(Duration::from_millis(50)).await;
            self.log.lock().unwrap().push((
                call.agent.clone(),
                call.tier.clone(),
                begun,
                self.start.elapsed().as_millis(),
            ));
            match (call.agent.as_str(), call.tier.as_str()) {
                ("flaky", "haiku") => Err(LlmError::Failed("overloaded, retried 2 times".into())),
                ("broken", _) => Err(LlmError::Failed("server error".into())),
                ("short", "haiku") => Ok(reply("partial", Stop::MaxTokens)),
                ("shy", "haiku") => Ok(reply("", Stop::Refusal)),
                ("stubborn", _) => Ok(reply("", Stop::Refusal)),
                ("capped", _) => Err(LlmError::Budget(Box::new(exceeded()))),
                _ => Ok(reply(&format!("answer from {} with {}", call.agent, call.layout.user[0].text), Stop::Done)),
            }
        })
    }
}

fn exceeded() -> crate::budget::Exceeded {
    crate::budget::Exceeded {
        budget: "daily".into(),
        project: None,
        window: crate::budget::Window::Daily,
        unit: crate::budget::Unit::Usd,
        spent: 1_000_000,
        reserved: 0,
        requested: 10,
        limit: 1_000_000,
        cap: 1_000_000,
        resets_at: jiff::Timestamp::UNIX_EPOCH,
        resets_local: String::new(),
        resets_in_ms: 0,
    }
}

fn reply(text: &str, stop: Stop) -> LlmReply {
    LlmReply { text: text.into(), stop, model: "m".into(), cost_micros: 10 }
}

fn step(id: &str, agent: &str, deps: &[&str]) -> Step {
    Step {
        id: id.into(),
        title: id.into(),
        agent: agent.into(),
        depends_on: deps.iter().map(|d| (*d).to_string()).collect(),
        tier: "haiku".into(),
    }
}

async fn run(fake: &Fake, steps: &[Step], jobs: usize) -> Vec<StepResult> {
    let build = |s: &Step, h: &[Handover], tier: &str| LlmCall {
        run_id: "r".into(),
        subtask_id: Some(s.id.clone()),
        purpose: crate::orchestrator::llm::Purpose::Subtask,
        agent: s.agent.clone(),
        task: s.title.clone(),
        tier: tier.into(),
        layout: Layout {
            system: vec![],
            user: vec![crate::prompt::Block {
                kind: crate::prompt::BlockKind::Task,
                text: h.iter().map(|h| format!("[{}: {}]", h.from, h.summary)).collect::<String>(),
                cache: None,
            }],
        },
        max_tokens: 100,
        stream: false,
    };
    let upgrade = |t: &str| match t {
        "haiku" => Some("sonnet".to_string()),
        "sonnet" => Some("opus".to_string()),
        _ => None,
    };
    let summarize = |text: &str| text.chars().take(40).collect::<String>();
    let graph = Graph {
        llm: fake,
        jobs,
        build: &build,
        upgrade: &upgrade,
        summarize: &summarize,
        on_event: &|_| {},
        now_ms: &|| 0,
    };
    graph.execute(steps).await
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap()
}

#[test]
fn independent_steps_overlap_and_dependents_get_summaries() {
    let fake = Fake::new();
    let steps = [step("a", "x", &[]), step("b", "y", &[]), step("c", "z", &["a", "b"])];
    let results = rt().block_on(run(&fake, &steps, 4));
    assert!(results.iter().all(|r| r.status == Status::Ok), "{results:?}");
    let log = fake.log.lock().unwrap();
    let (a, b) = (&log.iter().find(|l| l.0 == "x").unwrap(), &log.iter().find(|l| l.0 == "y").unwrap());
    assert!(a.2 < b.3 && b.2 < a.3, "a and b ran at the same time: {log:?}");
    let c = &results[2];
    assert!(c.output.contains("[a: answer from x") && c.output.contains("[b: answer from y"), "{}", c.output);
}

#[test]
fn jobs_limit_serializes() {
    let fake = Fake::new();
    let steps = [step("a", "x", &[]), step("b", "y", &[])];
    rt().block_on(run(&fake, &steps, 1));
    let log = fake.log.lock().unwrap();
    assert!(log[1].2 >= log[0].3, "with one job the second starts after the first ends: {log:?}");
}

#[test]
fn only_a_refusal_is_retried_a_tier_up_not_a_failure_or_a_max_tokens_stop() {
    let fake = Fake::new();
    let steps = [step("a", "flaky", &[]), step("b", "short", &[]), step("c", "shy", &[])];
    let results = rt().block_on(run(&fake, &steps, 2));
    let got: Vec<_> = results.iter().map(|r| (r.id.as_str(), r.status, r.attempts, r.tier.as_str())).collect();
    assert_eq!(
        got,
        vec![("a", Status::Failed, 1, "haiku"), ("b", Status::Failed, 1, "haiku"), ("c", Status::Ok, 2, "sonnet")]
    );
    assert!(results[0].error.as_deref().unwrap().contains("overloaded"), "the original error is kept");
    assert_eq!(results[1].output, "partial", "a max_tokens stop keeps what it wrote");
}

#[test]
fn a_lasting_failure_skips_dependents_and_the_rest_finish() {
    let fake = Fake::new();
    let steps = [step("a", "broken", &[]), step("b", "x", &["a"]), step("c", "y", &["b"]), step("d", "z", &[])];
    let results = rt().block_on(run(&fake, &steps, 2));
    let status: Vec<_> = results.iter().map(|r| (r.id.as_str(), r.status, r.attempts)).collect();
    assert_eq!(
        status,
        vec![("a", Status::Failed, 1), ("b", Status::Skipped, 0), ("c", Status::Skipped, 0), ("d", Status::Ok, 1)]
    );
    assert!(results[1].error.as_deref().unwrap().contains("`a`"));
    assert!(results[0].error.as_deref().unwrap().contains("server error"));
}

#[test]
fn every_step_ends_with_the_outcome_learning_reads() {
    let fake = Fake::new();
    let steps = [
        step("ok", "x", &[]),
        step("up", "shy", &[]),
        step("refused", "stubborn", &[]),
        step("error", "flaky", &[]),
        step("short", "short", &[]),
        step("blocked", "capped", &[]),
        step("after", "y", &["blocked"]),
    ];
    let results = rt().block_on(run(&fake, &steps, 2));
    let got: Vec<_> = results.iter().map(|r| (r.id.as_str(), r.outcome, r.tier.as_str())).collect();
    assert_eq!(
        got,
        vec![
            ("ok", outcome::OK, "haiku"),
            ("up", outcome::UPGRADED, "sonnet"),
            ("refused", outcome::FAILED, "sonnet"),
            ("error", outcome::ERROR, "haiku"),
            ("short", outcome::MAX_TOKENS, "haiku"),
            ("blocked", outcome::BLOCKED, "haiku"),
            ("after", outcome::SKIPPED, "haiku"),
        ]
    );
}
