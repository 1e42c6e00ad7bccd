//! Finding the few agents a task needs from the index alone: BM25F over weighted fields of
//! each agent (SQLite FTS5 with Porter stemming), on the task's own words and, at a lower
//! weight, on the vocabulary a thesaurus associates with them. Only the chosen agents' full
//! text is ever needed afterwards.

pub mod eval;
mod lexicon;
pub mod query;
pub mod rerank;
mod table;
pub mod vectors;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde::Serialize;

use crate::agents::AgentSummary;
use crate::embed::Model;
use crate::store::{IndexPart, Library, Store, VectorMatrix};
use table::SignalTable;

/// Column weights of the profile part: name (id and title), description, capabilities,
/// example requests. The author's own routing text counts most.
const PROFILE_WEIGHTS: [f64; 4] = [3.0, 2.0, 1.0, 1.0];
/// Column weights of the body part: headings, body.
const BODY_WEIGHTS: [f64; 2] = [1.0, 1.0];

/// BM25 hits kept per search when fusing; agents past it count as no match.
pub const SIGNAL_POOL: usize = 500;

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
    /// Time spent embedding the task (part of the ranking's time).
    pub query_embedding: Duration,
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

/// The embedding side of ranking: the model and the library's vectors under it.
pub struct Semantic<'a> {
    pub model: &'a Model,
    pub vectors: &'a VectorMatrix,
}

/// The evidence for one agent, before fusion.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Signals {
    /// BM25F of the task's words on the profile fields, and on the body.
    pub profile: f64,
    pub body_words: f64,
    /// BM25F of the thesaurus's additions on the profile fields.
    pub thesaurus: f64,
    /// Cosine of the task with the agent's description, and with its body.
    pub description: f64,
    pub body_meaning: f64,
}

impl Signals {
    /// The signal of column `k`, in [`Fusion`]'s weight order.
    fn column(&self, k: usize) -> f64 {
        match k {
            0 => self.profile,
            1 => self.body_words,
            2 => self.thesaurus,
            3 => self.description,
            _ => self.body_meaning,
        }
    }
}

/// How the signals are weighed. Without embeddings, each BM25 score is scaled to its best hit
/// and the weights summed (the ranking devteam had before embeddings); with them, every
/// signal becomes a z-score over the library first, so that no scale dominates.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Fusion {
    pub profile: f64,
    pub body_words: f64,
    pub thesaurus: f64,
    pub description: f64,
    pub body_meaning: f64,
}

impl Fusion {
    /// Lexical only, as before embeddings.
    pub const LEXICAL: Self =
        Self { profile: 1.0, body_words: 0.6, thesaurus: 0.5, description: 0.0, body_meaning: 0.0 };
    /// Chosen by `scripts/discovery/choose-fusion.py` on the demo labels and the three public
    /// libraries together; the same search with each public library left out chose these
    /// weights twice and near ones once, and the README's held-out table comes from those runs.
    /// The thesaurus stays, at a low weight: without it, held-out figures dropped.
    pub const HYBRID: Self =
        Self { profile: 0.25, body_words: 0.5, thesaurus: 0.25, description: 0.5, body_meaning: 0.5 };

    fn weights(&self) -> [f64; 5] {
        [self.profile, self.body_words, self.thesaurus, self.description, self.body_meaning]
    }
}

/// Every signal for every agent that has one, for `task`.
pub fn signals(
    store: &Store,
    library: &Library,
    task: &str,
    semantic: Option<&Semantic>,
    pool: usize,
) -> Result<(query::Terms, HashMap<String, Signals>)> {
    let (terms, table, _) = signal_table(store, library, task, semantic, pool)?;
    Ok((terms, table.into_map()))
}

/// [`signals`] as a table: one row per agent with vectors, then BM25 hits without.
fn signal_table<'a>(
    store: &Store,
    library: &Library,
    task: &str,
    semantic: Option<&Semantic<'a>>,
    pool: usize,
) -> Result<(query::Terms, SignalTable<'a>, Duration)> {
    let terms = query::terms(task);
    let mut table = SignalTable::new(semantic.map(|s| s.vectors));
    // The task is embedded on a second core while SQLite searches: at 10,000 agents each
    // takes about as long as the other.
    let (lexical, embedded) = std::thread::scope(|scope| {
        let embedding = semantic.map(|sem| {
            scope.spawn(move || {
                let started = Instant::now();
                (sem.model.embed(task), started.elapsed())
            })
        });
        let lexical = lexical_hits(store, library, &terms, pool);
        (lexical, embedding.map(|e| e.join()))
    });
    for (slot, hits) in lexical? {
        for (id, score) in hits {
            let s = table.row_mut(id);
            match slot {
                Slot::Profile => s.profile = score,
                Slot::Body => s.body_words = score,
                Slot::Thesaurus => s.thesaurus = score,
            }
        }
    }
    let mut query_embedding = Duration::ZERO;
    if let Some(embedded) = embedded {
        let (q, took) = embedded.map_err(|_| anyhow::anyhow!("embedding the task panicked"))?;
        query_embedding = took;
        table.set_cosines(&q);
    }
    Ok((terms, table, query_embedding))
}

/// One search's agent ids and BM25 scores, best first.
type Hits = Vec<(String, f64)>;

/// Which lexical signal a search fills.
#[derive(Clone, Copy)]
enum Slot {
    Profile,
    Body,
    Thesaurus,
}

/// The three BM25 searches: the task's own words on the profile and the body, and the
/// thesaurus' words on the profile.
fn lexical_hits(store: &Store, library: &Library, terms: &query::Terms, pool: usize) -> Result<Vec<(Slot, Hits)>> {
    let searches = [
        (Slot::Profile, IndexPart::Profile, &terms.own, &PROFILE_WEIGHTS[..]),
        (Slot::Body, IndexPart::Body, &terms.own, &BODY_WEIGHTS[..]),
        (Slot::Thesaurus, IndexPart::Profile, &terms.expanded, &PROFILE_WEIGHTS[..]),
    ];
    searches
        .into_iter()
        .map(|(slot, part, words, columns)| Ok((slot, store.index().search(library.id, part, words, columns, pool)?)))
        .collect()
}

/// Ranks the library's agents for `task`, returning the best `top` from a shortlist of
/// `shortlist` cards. With `semantic`, embeddings join BM25 (see [`Fusion::HYBRID`]).
pub fn discover(
    store: &Store,
    library: &Library,
    task: &str,
    top: usize,
    shortlist: usize,
    semantic: Option<&Semantic>,
) -> Result<Discovery> {
    // The same pool as the fusion was chosen with (`eval discovery --signals`).
    let pool = if semantic.is_some() { SIGNAL_POOL } else { shortlist.max(top) * 2 };
    let (terms, mut table, query_embedding) = signal_table(store, library, task, semantic, pool)?;
    if !has_evidence(&table.rows) {
        // Z-scores rank any text against the library, gibberish included: with no word of the
        // task in any agent and no agent close in meaning, nothing matched.
        table.clear();
    }
    let fusion = if semantic.is_some() { Fusion::HYBRID } else { Fusion::LEXICAL };
    let order = table.best(fusion.weights(), semantic.is_some(), shortlist.max(top));
    let ids: Vec<String> = order.iter().map(|(id, _)| id.clone()).collect();
    let summaries = store.index().agent_summaries(library.id, &ids)?;
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
    Ok(Discovery { ranked, terms, cards_consulted, shortlist, card_tokens, chosen_full_tokens, query_embedding })
}

/// Cosine below which an agent is not close in meaning to a task on that alone. MiniLM puts
/// unrelated sentences near 0 and paraphrases above 0.5.
const MEANING_FLOOR: f64 = 0.3;

/// Whether any agent has a lexical hit, or is close in meaning to the task.
fn has_evidence(signals: &[Signals]) -> bool {
    signals.iter().any(|s| {
        s.profile > 0.0
            || s.body_words > 0.0
            || s.thesaurus > 0.0
            || s.description >= MEANING_FLOOR
            || s.body_meaning >= MEANING_FLOOR
    })
}

/// Task words that appear (by a shared five-letter stem) in the card.
fn matched_words(own: &[String], card: &str) -> Vec<String> {
    let card_words = query::words(card);
    let stem = |w: &str| w.chars().take(5).collect::<String>();
    own.iter().filter(|w| w.len() > 2 && card_words.iter().any(|c| stem(c) == stem(w))).take(5).cloned().collect()
}
