//! The stand-in's script for a day: every answer is a function of the workload alone, so every
//! set-up sees the same answers. Answers have the length the workload gives (the stand-in bills
//! a reply at a token per four characters) and end with the `## Summary` the orchestrator hands on.
//!
//! Quality is held equal across set-ups: a model of a tier below what a task (or subtask) needs
//! declines it (the stand-in's refusal), so a set-up that routes too low pays for the attempt
//! and for the upgrade the orchestrator then makes, as it would pay for rework, and a task that
//! no upgrade rescues counts as failed. Without this, sending everything to a cheap tier would
//! look like a saving.

use devteam_standin::{Fault, Matcher, Reply, Rule, Script};
use serde_json::json;

use super::workload::{Task, Workload};

/// What discovery returned for a task on a set-up's library: its ranked agent ids.
pub type Shortlist = Vec<String>;

/// Output tokens of a refusal: a few sentences saying the work is beyond the model.
const REFUSAL_TOKENS: u32 = 40;

/// The script for a day on one library (`shortlists[i]` is task `i`'s ranking there);
/// `tiers` lists each tier's name and model id, cheapest first.
pub fn script(w: &Workload, shortlists: &[Shortlist], tiers: &[(String, String)]) -> Script {
    let mut rules = Vec::new();
    for (t, shortlist) in w.tasks.iter().zip(shortlists) {
        rules.extend(task_rules(t, shortlist, tiers));
    }
    Script { rules, default_reply: Some(reply(&answer("an unscripted request", 200))) }
}

fn task_rules(t: &Task, shortlist: &Shortlist, tiers: &[(String, String)]) -> Vec<Rule> {
    let first = shortlist.first().cloned().unwrap_or_default();
    let mut rules = vec![
        // Model-assisted discovery (the rerank, or every agent's text unoptimized): the agent
        // the local ranking put first, so that every set-up runs the task on the same agent.
        rule(
            Matcher { system_contains: Some("You choose which specialist agents".into()), ..task_in_user(t) },
            &json!({"agents": [{"id": first, "why": "closest match"}]}).to_string(),
        ),
        rule(
            Matcher { system_contains: Some("You are the planner".into()), ..task_in_user(t) },
            &plan_json(t, shortlist),
        ),
        rule(
            Matcher { user_contains: Some(format!("Task:\n{}\n\nYour team's results", t.task)), ..Matcher::default() },
            &answer(&format!("synthesis of {}", t.task), t.out),
        ),
    ];
    // A subtask's prompt may quote its parent task: its rules come first.
    for s in &t.subtasks {
        let part = Matcher { user_contains: Some(format!("Your part: {}\n", s.title)), ..Matcher::default() };
        rules.extend(refusals(&part, &s.needs, tiers));
        rules.push(rule(part, &answer(&s.title, s.out)));
    }
    rules.extend(refusals(&task_in_user(t), &t.needs, tiers));
    rules.push(rule(task_in_user(t), &answer(&t.task, t.out)));
    rules
}

/// Refusals of `matcher`'s work on every model of a tier below `needs`.
fn refusals(matcher: &Matcher, needs: &str, tiers: &[(String, String)]) -> Vec<Rule> {
    let below = tiers.iter().position(|(name, _)| name == needs).unwrap_or(0);
    tiers[..below]
        .iter()
        .map(|(_, model)| Rule {
            matcher: Matcher { model: Some(model.clone()), ..matcher.clone() },
            reply: Some(Reply { output_tokens: Some(REFUSAL_TOKENS), ..Reply::default() }),
            fault: Some(Fault::Refusal),
            ..Rule::default()
        })
        .collect()
}

fn task_in_user(t: &Task) -> Matcher {
    Matcher { user_contains: Some(t.task.clone()), ..Matcher::default() }
}

fn rule(matcher: Matcher, text: &str) -> Rule {
    Rule { matcher, reply: Some(reply(text)), ..Rule::default() }
}

fn reply(text: &str) -> Reply {
    Reply { text: Some(text.to_string()), ..Reply::default() }
}

/// The planner's answer: the workload's subtasks, on the shortlist's agents in order (a task
/// without subtasks gets one, on the first agent), each with the tier the workload says it needs.
fn plan_json(t: &Task, shortlist: &Shortlist) -> String {
    let agent = |k: usize| shortlist.get(k % shortlist.len().max(1)).cloned().unwrap_or_default();
    let subtasks: Vec<_> = if t.subtasks.is_empty() {
        vec![json!({"id": "s0", "title": t.task, "agent": agent(0), "depends_on": [], "returns": "the answer",
                    "tier": t.needs})]
    } else {
        t.subtasks
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let deps: Vec<String> = s.after.iter().map(|d| format!("s{d}")).collect();
                json!({"id": format!("s{k}"), "title": s.title, "agent": agent(k), "depends_on": deps,
                       "returns": "findings and decisions", "tier": s.needs})
            })
            .collect()
    };
    json!({ "subtasks": subtasks }).to_string()
}

/// A realistic answer of about `tokens` output tokens (four characters each), ending in a summary.
pub fn answer(topic: &str, tokens: u32) -> String {
    let target = tokens as usize * 4;
    let summary = format!(
        "\n\n## Summary\nDone: {topic}. Changed the affected files, kept the public behaviour, added tests for the \
         edge cases found, and noted one follow-up for review."
    );
    let mut body = format!("# {topic}\n\n");
    let mut step = 1;
    while body.len() + summary.len() < target {
        body.push_str(&format!(
            "{step}. Looked at the code path involved, checked how it behaves today, and changed it so that the \
             case is handled; the reason is written next to the change.\n"
        ));
        step += 1;
    }
    body.push_str(&summary);
    body
}
