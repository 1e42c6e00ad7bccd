//! The stand-in's script for a day: every answer is a function of the workload alone, so every
//! set-up sees the same answers. Answers have the length the workload gives (the stand-in bills
//! a reply at a token per four characters) and end with the `## Summary` the orchestrator hands on.

use devteam_standin::{Matcher, Reply, Rule, Script};
use serde_json::json;

use super::workload::{Task, Workload};

/// What discovery returned for a task on a set-up's library: its ranked agent ids.
pub type Shortlist = Vec<String>;

/// The script for a day on one library (`shortlists[i]` is task `i`'s ranking there).
pub fn script(w: &Workload, shortlists: &[Shortlist]) -> Script {
    let mut rules = Vec::new();
    for (t, shortlist) in w.tasks.iter().zip(shortlists) {
        rules.extend(task_rules(t, shortlist));
    }
    Script { rules, default_reply: Some(reply(&answer("an unscripted request", 200))) }
}

fn task_rules(t: &Task, shortlist: &Shortlist) -> Vec<Rule> {
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
    for s in &t.subtasks {
        rules.push(rule(
            Matcher { user_contains: Some(format!("Your part: {}\n", s.title)), ..Matcher::default() },
            &answer(&s.title, s.out),
        ));
    }
    rules.push(rule(task_in_user(t), &answer(&t.task, t.out)));
    rules
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
