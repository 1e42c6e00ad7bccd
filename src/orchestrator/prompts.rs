//! The words the orchestrator sends: to the planner, to each subtask's agent, and to the
//! synthesis. Kept together so that the protocol between them (a JSON plan; a closing
//! `## Summary` section) is defined in one place.

use std::fmt::Write as _;

use super::execute::{Handover, StepResult};
use super::plan::{PlannedSubtask, Problem};
use super::record::Status;
use crate::agents::AgentSummary;
use crate::tokens;

/// The planner's instructions: stable, so they are cached with the foundation.
pub const PLANNER_SYSTEM: &str = "You are the planner of a team of specialist AI agents. Split the user's task into the \
fewest subtasks that let specialists work independently, each assigned to exactly one agent from the list given. \
Use dependencies only when a subtask truly needs another's result; independent subtasks run at the same time. \
Give each subtask the cheapest model tier that can do that part well: haiku for mechanical edits and summaries, \
sonnet for ordinary engineering, opus only for the part that needs deep design or security judgment. \
Answer with JSON only, no prose, in this shape:\n\
{\"subtasks\": [{\"id\": \"short-id\", \"title\": \"what to do, in one sentence\", \"agent\": \"agent-id\", \
\"depends_on\": [\"other-id\"], \"returns\": \"what this subtask must hand back\", \"tier\": \"sonnet\"}]}";

/// The user turn for the planner: the task and the shortlisted agents' cards.
pub fn planner_user(task: &str, cards: &[AgentSummary], max_subtasks: usize) -> String {
    let mut out = format!("Task:\n{task}\n\nAgents you may assign (id, then card):\n");
    for card in cards {
        let _ = writeln!(out, "\n[{}]\n{}", card.id, card.card);
    }
    let _ = write!(out, "\nUse at most {max_subtasks} subtasks.");
    out
}

/// Asks the planner to fix its plan, naming what was wrong.
pub fn repair_user(previous: &str, problems: &[Problem]) -> String {
    let mut out = String::from("Your plan cannot be used:\n");
    for p in problems {
        let _ = writeln!(out, "- {p}");
    }
    let _ = write!(out, "\nYour reply was:\n{previous}\n\nReply with the corrected JSON plan only.");
    out
}

/// The user turn of a subtask: its assignment, what its dependencies handed over, and the
/// closing summary the next agent and the synthesis will read instead of the whole output.
pub fn subtask_user(task: &str, step: &PlannedSubtask, handovers: &[Handover], summary_words: usize) -> String {
    let mut out = format!("Overall task (for context):\n{task}\n\nYour part: {}\n", step.title);
    if !step.returns.is_empty() {
        let _ = writeln!(out, "Hand back: {}", step.returns);
    }
    for h in handovers {
        let _ = write!(out, "\nFrom `{}` (summary):\n{}\n", h.from, h.summary);
    }
    let _ = write!(
        out,
        "\nEnd your answer with a section `## Summary` of at most {summary_words} words: what the next agent or the \
         final answer needs from your work."
    );
    out
}

/// The synthesis turn: the task and each subtask's summary; missing parts named.
pub fn synthesis_user(task: &str, results: &[StepResult], titles: &[(String, String)]) -> String {
    let mut out = format!("Task:\n{task}\n\nYour team's results (summaries):\n");
    for r in results {
        let title = titles.iter().find(|(id, _)| *id == r.id).map_or("", |(_, t)| t.as_str());
        match r.status {
            Status::Ok => {
                let _ = write!(out, "\n### {} ({title})\n{}\n", r.id, r.summary);
            }
            _ => {
                let _ =
                    write!(out, "\n### {} ({title}): MISSING, {}\n", r.id, r.error.as_deref().unwrap_or("not done"));
            }
        }
    }
    out.push_str(
        "\nWrite the final answer for the user in Markdown, from these results. If a part is missing, say what is \
         missing and what it means for the answer.",
    );
    out
}

/// The `## Summary` section of an output (else its beginning), cut to `max_tokens`.
pub fn summarize(output: &str, max_tokens: usize) -> String {
    let body = output
        .rfind("## Summary")
        .map(|at| output[at + "## Summary".len()..].trim())
        .filter(|s| !s.is_empty())
        .unwrap_or(output.trim());
    let mut out = String::new();
    for word in body.split_whitespace() {
        if tokens::estimate(&out) + tokens::estimate(word) + 1 > max_tokens {
            out.push_str(" ...");
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_section_is_preferred_and_bounded() {
        let out = "Long analysis here.\n\n## Summary\nUse an index on orders(customer_id).";
        assert_eq!(summarize(out, 100), "Use an index on orders(customer_id).");
        let long = format!("## Summary\n{}", "word ".repeat(1000));
        assert!(tokens::estimate(&summarize(&long, 60)) <= 60);
        assert_eq!(summarize("no section at all", 100), "no section at all");
    }

    #[test]
    fn prompts_carry_the_protocol() {
        let step = PlannedSubtask {
            id: "a".into(),
            title: "Do A".into(),
            agent: "x".into(),
            depends_on: vec![],
            returns: "a list".into(),
            tier: None,
        };
        let user = subtask_user("T", &step, &[Handover { from: "b".into(), summary: "B said".into() }], 80);
        assert!(
            user.contains("Do A")
                && user.contains("From `b`")
                && user.contains("## Summary")
                && user.contains("80 words")
        );
        assert!(PLANNER_SYSTEM.contains("\"subtasks\""));
        let repair = repair_user("{}", &[Problem::Empty]);
        assert!(repair.contains("no subtasks"));
    }
}
