//! Embedding a library's agents at index time: one vector for what the agent is for (its
//! name and description) and one for what it knows (the mean over 128-token chunks of its
//! indexed body). Vectors are cached by the hash of the text embedded, so an unchanged agent
//! is never embedded twice, whatever else changed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Result;

use crate::embed::Model;
use crate::store::{AgentTexts, AgentVectorRow, Library, Store};

/// Tokens per body chunk, and how many chunks of a body count: the start of an agent file
/// says what it is about, and index time grows with every chunk.
pub const CHUNK_TOKENS: usize = 128;
pub const MAX_CHUNKS: usize = 8;

/// What one refresh did.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct VectorReport {
    /// Agents whose vectors were (re)computed or re-linked.
    pub agents: usize,
    /// Texts embedded this run (a text found in the cache is not).
    pub embedded: usize,
    /// Word pieces embedded this run.
    pub tokens: usize,
}

/// The text that says what an agent is for.
pub fn description_text(name: &str, description: &str) -> String {
    format!("{name}: {description}")
}

/// Brings `library`'s vectors under `model` up to date, embedding on all cores.
/// `on_agent` is called as agents are done (for progress bars), with the total first.
/// The model is only asked for (`load`) when something needs embedding.
pub fn refresh(
    store: &Store,
    library: &Library,
    model_id: &str,
    load: &dyn Fn() -> Result<&'static Model>,
    on_agent: &(dyn Fn(usize, usize) + Sync),
) -> Result<VectorReport> {
    let work = store.index().agents_needing_vectors(library.id, model_id)?;
    if work.is_empty() {
        return Ok(VectorReport::default());
    }
    let model = load()?;
    // Hash each text and look it up first: only texts never seen are embedded.
    let mut rows = Vec::with_capacity(work.len());
    let mut todo: HashMap<String, Job> = HashMap::new();
    for agent in &work {
        let (d, b) = texts(agent);
        let (dh, bh) = (hash(&d), hash(&b));
        for (h, text, long) in [(&dh, d, false), (&bh, b, true)] {
            if !todo.contains_key(h) && store.index().cached_vector(model.id(), h)?.is_none() {
                todo.insert(h.clone(), Job { text, long });
            }
        }
        rows.push(AgentVectorRow {
            id: agent.id.clone(),
            content_hash: agent.content_hash.clone(),
            description_hash: dh,
            body_hash: bh,
        });
    }
    let jobs: Vec<(String, Job)> = todo.into_iter().collect();
    let tokens = jobs
        .iter()
        .map(|(_, j)| model.count_tokens(&j.text).min(if j.long { CHUNK_TOKENS * MAX_CHUNKS } else { 256 }))
        .sum();
    let vectors = embed_all(model, &jobs, on_agent);
    store.index().save_vectors(library.id, model.id(), &vectors, &rows)?;
    Ok(VectorReport { agents: rows.len(), embedded: vectors.len(), tokens })
}

struct Job {
    text: String,
    long: bool,
}

fn texts(agent: &AgentTexts) -> (String, String) {
    let description = description_text(&agent.name, &agent.description);
    let body = if agent.body.trim().is_empty() { description.clone() } else { agent.body.clone() };
    (description, body)
}

fn hash(text: &str) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
}

/// Embeds every job, the longest first so that the cores finish together.
fn embed_all(
    model: &Model,
    jobs: &[(String, Job)],
    on_done: &(dyn Fn(usize, usize) + Sync),
) -> Vec<(String, Vec<f32>)> {
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(jobs[i].1.text.len()));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, usize::from).min(jobs.len()).max(1);
    on_done(0, jobs.len());
    let mut out: Vec<(String, Vec<f32>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&i) = order.get(k) else { break };
                        let (hash, job) = &jobs[i];
                        let v = if job.long {
                            model.embed_long(&job.text, CHUNK_TOKENS, MAX_CHUNKS)
                        } else {
                            model.embed(&job.text)
                        };
                        mine.push((hash.clone(), v));
                        on_done(done.fetch_add(1, Ordering::Relaxed) + 1, jobs.len());
                    }
                    mine
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_default()).collect()
    });
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}
