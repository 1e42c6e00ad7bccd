//! Model-assisted discovery: the local ranking's shortlist of compact cards (never the whole
//! library) goes to the haiku tier, which picks the agents for the task and says why. Cards of
//! the library's most-used agents come first in a fixed order, so that part of the prompt is
//! the same for every task and can be cached.

use std::collections::HashSet;

use serde::Deserialize;

use crate::agents::AgentSummary;
use crate::orchestrator::llm::{Llm, LlmCall, LlmError, Purpose};
use crate::prompt::{Block, BlockKind, Layout, Ttl};

/// The reranker's instructions.
const INSTRUCTIONS: &str = "You choose which specialist agents should handle a task. You get agent cards (id, \
description, capabilities). Pick the agents that fit the task best, best first, at most the number asked for, \
and say in one line each why. Answer with JSON only: {\"agents\": [{\"id\": \"agent-id\", \"why\": \"one line\"}]}";

/// A pick and its reason.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Pick {
    pub id: String,
    #[serde(default)]
    pub why: String,
}

#[derive(Deserialize)]
struct Reply {
    agents: Vec<Pick>,
}

/// The rerank prompt. `popular` are the most-used agents' cards (stable across tasks; the
/// layout marks them for caching when they are long enough), `rest` the task's other
/// shortlisted cards.
pub fn layout(task: &str, popular: &[AgentSummary], rest: &[AgentSummary], top: usize, min_cacheable: u64) -> Layout {
    let stable = format!("{INSTRUCTIONS}\n\nAgents:\n{}", cards(popular));
    let cache = (crate::prompt::reach_estimate(&stable) >= min_cacheable).then_some(Ttl::FiveMinutes);
    let mut user = String::new();
    if !rest.is_empty() {
        user.push_str(&format!("More agents:\n{}\n\n", cards(rest)));
    }
    user.push_str(&format!("Task:\n{task}\n\nPick at most {top} agents."));
    Layout {
        system: vec![Block { kind: BlockKind::Foundation, text: stable, cache }],
        user: vec![Block { kind: BlockKind::Task, text: user, cache: None }],
    }
}

fn cards(list: &[AgentSummary]) -> String {
    list.iter().map(|a| format!("[{}]\n{}\n", a.id, a.card)).collect::<Vec<_>>().join("\n")
}

/// Splits a shortlist into the popular part (in the fixed order of `popular_ids`) and the rest
/// (in ranking order).
pub fn split_shortlist(shortlist: &[AgentSummary], popular_ids: &[String]) -> (Vec<AgentSummary>, Vec<AgentSummary>) {
    let popular: Vec<AgentSummary> =
        popular_ids.iter().filter_map(|id| shortlist.iter().find(|a| &a.id == id)).cloned().collect();
    let taken: HashSet<&str> = popular.iter().map(|a| a.id.as_str()).collect();
    let rest = shortlist.iter().filter(|a| !taken.contains(a.id.as_str())).cloned().collect();
    (popular, rest)
}

/// The picks in a reply, keeping only agents that were offered. `None` when the reply is not
/// usable, in which case the local ranking stands.
pub fn parse(reply: &str, offered: &[AgentSummary]) -> Option<Vec<Pick>> {
    let start = reply.find('{')?;
    let end = reply.rfind('}')?;
    let parsed: Reply = serde_json::from_str(reply.get(start..=end)?).ok()?;
    let ids: HashSet<&str> = offered.iter().map(|a| a.id.as_str()).collect();
    let picks: Vec<Pick> = parsed.agents.into_iter().filter(|p| ids.contains(p.id.as_str())).collect();
    (!picks.is_empty()).then_some(picks)
}

/// What the reranker chose and what it cost.
#[derive(Debug, Clone)]
pub struct Reranked {
    pub picks: Vec<Pick>,
    pub model: String,
    pub request_tokens: usize,
    pub cost_micros: i64,
}

/// Asks a model on `tier` to choose, recorded under `run_id`. `Ok(None)` when the reply could
/// not be used.
#[expect(clippy::too_many_arguments, reason = "the call's inputs, each a plain value; a struct would only rename them")]
pub async fn ask(
    llm: &dyn Llm,
    run_id: &str,
    tier: &str,
    task: &str,
    shortlist: &[AgentSummary],
    popular_ids: &[String],
    top: usize,
    min_cacheable: u64,
) -> Result<Option<Reranked>, LlmError> {
    let (popular, rest) = split_shortlist(shortlist, popular_ids);
    let layout = layout(task, &popular, &rest, top, min_cacheable);
    let request_tokens = layout.system.iter().chain(&layout.user).map(|b| crate::tokens::estimate(&b.text)).sum();
    let call = LlmCall {
        run_id: run_id.to_string(),
        subtask_id: None,
        purpose: Purpose::Rerank,
        agent: String::new(),
        task: task.to_string(),
        tier: tier.to_string(),
        layout,
        max_tokens: 600,
        stream: false,
    };
    let reply = llm.call(call).await?;
    Ok(parse(&reply.text, shortlist).map(|picks| Reranked {
        picks,
        model: reply.model,
        request_tokens,
        cost_micros: reply.cost_micros,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::Layout as AgentLayout;

    fn card(id: &str) -> AgentSummary {
        AgentSummary {
            id: id.into(),
            name: id.into(),
            description: String::new(),
            rel_path: String::new(),
            layout: AgentLayout::Folder,
            model_hint: None,
            tools: vec![],
            card: format!("{id} does things"),
            card_tokens: 5,
            full_tokens: 100,
            warnings: vec![],
        }
    }

    #[test]
    fn popular_cards_come_first_in_a_fixed_order() {
        let shortlist = vec![card("c"), card("a"), card("b")];
        let (popular, rest) = split_shortlist(&shortlist, &["b".into(), "a".into(), "z".into()]);
        assert_eq!(popular.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), vec!["b", "a"]);
        assert_eq!(rest.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), vec!["c"]);
        let l = layout("t", &popular, &rest, 3, 1_000_000);
        assert!(l.system[0].text.starts_with("You choose") && l.system[0].cache.is_none());
        assert!(l.user[0].text.contains("[c]") && l.user[0].text.ends_with("Pick at most 3 agents."));
        assert_eq!(layout("t", &popular, &rest, 3, 10).system[0].cache, Some(Ttl::FiveMinutes));
    }

    #[test]
    fn replies_are_parsed_and_filtered() {
        let offered = vec![card("a"), card("b")];
        let picks =
            parse("Sure: {\"agents\": [{\"id\": \"b\", \"why\": \"fits\"}, {\"id\": \"ghost\"}]}", &offered).unwrap();
        assert_eq!(picks, vec![Pick { id: "b".into(), why: "fits".into() }]);
        assert!(parse("no json", &offered).is_none());
        assert!(parse("{\"agents\": [{\"id\": \"ghost\"}]}", &offered).is_none());
    }
}
