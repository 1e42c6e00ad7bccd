//! Finding the few agents a task needs from the index alone: BM25F over weighted fields of
//! each agent (SQLite FTS5 with Porter stemming), on the task's own words and, at a lower
//! weight, on the vocabulary a thesaurus associates with them. Only the chosen agents' full
//! text is ever needed afterwards.

pub mod eval;
mod lexicon;
pub mod query;
pub mod rerank;

use std::collections::HashMap;

use anyhow::Result;
use serde::Serialize;

use crate::agents::AgentSummary;
use crate::store::{IndexPart, Library, Store};

/// Column weights of the profile part: name (id and title), description, capabilities,
/// example requests. The author's own routing text counts most.
const PROFILE_WEIGHTS: [f64; 4] = [3.0, 2.0, 1.0, 1.0];
/// Column weights of the body part: headings, body.
const BODY_WEIGHTS: [f64; 2] = [1.0, 1.0];
/// How much each (part, terms) search counts: the profile says what an agent is for, the
/// body what it knows; the task's own words count more than the thesaurus's.
const BLEND: [(IndexPart, bool, f64); 3] =
    [(IndexPart::Profile, true, 1.0), (IndexPart::Body, true, 0.6), (IndexPart::Profile, false, 0.5)];

/// One ranked agent.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    pub id: String,
    pub score: f64,
    /// Task words found in the agent's card, as a short reason for the choice.
    pub matched: Vec<String>,
    /// The reranker's one-line reason, when a model chose this agent.
    pub why: Option<String>,
    #[serde(skip)]
    pub summary: AgentSummary,
}

/// A ranking and what it cost to compute.
#[derive(Debug, Clone)]
pub struct Discovery {
    pub ranked: Vec<Ranked>,
    /// The words searched for, and the thesaurus's additions.
    pub terms: query::Terms,
    /// Cards read to rank (the shortlist).
    pub cards_consulted: usize,
    /// The consulted cards in ranking order: what a reranker is shown.
    pub shortlist: Vec<AgentSummary>,
    pub card_tokens: usize,
    /// Full text of the agents returned, the only full text a run would load.
    pub chosen_full_tokens: usize,
}

impl Discovery {
    /// Puts a reranker's picks first (in its order, with its reasons), then the rest of the
    /// local ranking, keeping `top` agents.
    pub fn apply_picks(&mut self, picks: &[rerank::Pick], top: usize) {
        let mut ranked: Vec<Ranked> = Vec::with_capacity(top);
        for pick in picks {
            let local = self.ranked.iter().find(|r| r.id == pick.id).cloned();
            let from_shortlist = || {
                let summary = self.shortlist.iter().find(|s| s.id == pick.id)?.clone();
                Some(Ranked { id: summary.id.clone(), score: 0.0, matched: Vec::new(), why: None, summary })
            };
            if let Some(mut r) = local.or_else(from_shortlist) {
                r.why = Some(pick.why.clone());
                ranked.push(r);
            }
        }
        let rest: Vec<Ranked> = self.ranked.iter().filter(|r| !ranked.iter().any(|k| k.id == r.id)).cloned().collect();
        ranked.extend(rest);
        ranked.truncate(top);
        self.chosen_full_tokens = ranked.iter().map(|r| r.summary.full_tokens).sum();
        self.ranked = ranked;
    }
}

/// Ranks the library's agents for `task`, returning the best `top` from a shortlist of
/// `shortlist` cards.
pub fn discover(store: &Store, library: &Library, task: &str, top: usize, shortlist: usize) -> Result<Discovery> {
    let terms = query::terms(task);
    let pool = shortlist.max(top) * 2;
    let mut scores: HashMap<String, f64> = HashMap::new();
    // Each search's scores are scaled to its best hit, so that one rare but irrelevant word in
    // the task cannot outweigh what the thesaurus recognised in it.
    for (part, own, weight) in BLEND {
        let Some(expr) = query::any_of(if own { &terms.own } else { &terms.expanded }) else {
            continue;
        };
        let columns: &[f64] = match part {
            IndexPart::Profile => &PROFILE_WEIGHTS,
            IndexPart::Body => &BODY_WEIGHTS,
        };
        let hits = store.search(library.id, part, &expr, columns, pool)?;
        let best = hits.first().map_or(1.0, |h| h.1.max(f64::EPSILON));
        for (id, score) in hits {
            *scores.entry(id).or_default() += weight * score / best;
        }
    }
    let mut order: Vec<(String, f64)> = scores.into_iter().collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    order.truncate(shortlist.max(top));
    let ids: Vec<String> = order.iter().map(|(id, _)| id.clone()).collect();
    let summaries = store.agent_summaries(library.id, &ids)?;
    let card_tokens = summaries.iter().map(|s| s.card_tokens).sum();
    let cards_consulted = summaries.len();
    let mut by_id: HashMap<String, AgentSummary> = summaries.iter().map(|s| (s.id.clone(), s.clone())).collect();
    let shortlist: Vec<AgentSummary> =
        order.iter().filter_map(|(id, _)| summaries.iter().find(|s| &s.id == id)).cloned().collect();
    let ranked: Vec<Ranked> = order
        .into_iter()
        .filter_map(|(id, score)| {
            let summary = by_id.remove(&id)?;
            Some(Ranked { matched: matched_words(&terms.own, &summary.card), why: None, id, score, summary })
        })
        .take(top)
        .collect();
    let chosen_full_tokens = ranked.iter().map(|r| r.summary.full_tokens).sum();
    Ok(Discovery { ranked, terms, cards_consulted, shortlist, card_tokens, chosen_full_tokens })
}

/// Task words that appear (by a shared five-letter stem) in the card.
fn matched_words(own: &[String], card: &str) -> Vec<String> {
    let card_words = query::words(card);
    let stem = |w: &str| w.chars().take(5).collect::<String>();
    own.iter().filter(|w| w.len() > 2 && card_words.iter().any(|c| stem(c) == stem(w))).take(5).cloned().collect()
}
