//! Figures from a replayed day: what the stand-in billed (its ledger and the requests as sent,
//! counted with its own tokenizer), split by model and stage; the prompt parts from the blocks
//! devteam recorded per call; and the floor.

use std::collections::{BTreeMap, HashMap, HashSet};

use anyhow::{Context as _, Result};
use devteam_standin::tokens::text_tokens;
use serde::Serialize;
use serde_json::Value;

use super::prices::{Prices, Tokens};
use super::replay::Replayed;

/// One billed request as the stand-in saw it.
#[derive(Debug, Clone)]
pub struct Billed {
    pub model: String,
    pub stage: &'static str,
    pub tokens: Tokens,
    /// Tokens of each system block (the stable part devteam lays out for caching).
    pub system_blocks: Vec<(u64, String)>,
    pub cost: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ModelFigures {
    pub calls: u64,
    pub cost_usd: f64,
    pub tokens: Tokens,
    /// Tokens of the stable blocks sent (system blocks): what could be read from the cache.
    pub cacheable_tokens: u64,
    /// Cache reads / cacheable tokens.
    pub cache_hit_rate: f64,
    /// Stable tokens whose prefix (whole system blocks, reaching the model's minimum) the model
    /// had been sent before that day: what a cache that never expired could have served.
    pub repeated_tokens: u64,
    /// Cache reads / repeated tokens: how much of what could be read was read.
    pub repeat_hit_rate: f64,
    /// Cache reads / (cache reads + cache writes): of the tokens in a prefix marked for caching,
    /// the share read (`usage`'s cache hit rate; blocks sent unmarked are not counted).
    pub marked_hit_rate: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct StageFigures {
    pub calls: u64,
    pub cost_usd: f64,
    pub tokens: Tokens,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PartFigures {
    pub tokens: u64,
    pub cost_usd: f64,
}

/// Every billed request of a replay, in order.
pub fn billed(r: &Replayed, prices: &Prices) -> Result<Vec<Billed>> {
    let bodies: HashMap<&str, &Value> =
        r.requests.iter().filter(|q| q.path == "/v1/messages").map(|q| (q.request_id.as_str(), &q.body)).collect();
    let warm_ids = warm_request_ids(r)?;
    let mut out = Vec::new();
    for e in &r.ledger {
        let body = bodies.get(e.request_id.as_str()).copied().unwrap_or(&Value::Null);
        let u = &e.usage;
        let tokens = Tokens {
            input: u.input_tokens.into(),
            cache_write_5m: u.cache_creation.ephemeral_5m_input_tokens.into(),
            cache_write_1h: u.cache_creation.ephemeral_1h_input_tokens.into(),
            cache_read: u.cache_read_input_tokens.into(),
            output: u.output_tokens.into(),
        };
        let model = prices.model(&e.model).with_context(|| format!("no price for {}", e.model))?;
        let cost = tokens.cost(&model.rates) * e.price_multiplier;
        let stage = if warm_ids.contains(e.request_id.as_str()) { "warm-ups" } else { stage(body, &tokens) };
        out.push(Billed {
            model: canonical(prices, &e.model),
            stage,
            tokens,
            system_blocks: system_blocks(body),
            cost,
        });
    }
    Ok(out)
}

fn canonical(prices: &Prices, id: &str) -> String {
    if prices.models.contains_key(id) {
        return id.to_string();
    }
    prices.models.iter().find(|(_, m)| m.aliases.iter().any(|a| a == id)).map_or(id.to_string(), |(k, _)| k.clone())
}

/// Request ids devteam recorded as warm-ups.
fn warm_request_ids(r: &Replayed) -> Result<HashSet<String>> {
    let db = rusqlite::Connection::open(&r.db).context("opening the day's store")?;
    let mut stmt = db.prepare("SELECT request_id FROM calls WHERE source = 'warm-cache' AND request_id IS NOT NULL")?;
    let ids = stmt.query_map([], |row| row.get::<_, String>(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks.iter().filter_map(|b| b["text"].as_str()).collect::<Vec<_>>().join("\n"),
        _ => String::new(),
    }
}

fn system_blocks(body: &Value) -> Vec<(u64, String)> {
    match &body["system"] {
        Value::String(s) => vec![(text_tokens(s).into(), s.clone())],
        Value::Array(blocks) => blocks
            .iter()
            .filter_map(|b| b["text"].as_str())
            .map(|t| (u64::from(text_tokens(t)), t.to_string()))
            .collect(),
        _ => vec![],
    }
}

/// Which part of devteam made a request, from what it says.
fn stage(body: &Value, tokens: &Tokens) -> &'static str {
    let system = text_of(&body["system"]);
    let user = body["messages"].as_array().and_then(|m| m.first()).map(|m| text_of(&m["content"])).unwrap_or_default();
    if system.contains("You are the planner") {
        "planner"
    } else if system.contains("You choose which specialist agents") {
        // The unoptimized way sends every agent's full text to choose one.
        if tokens.total_input() > 50_000 { "discovery" } else { "rerank" }
    } else if user.contains("\n\nYour team's results (summaries):") {
        "synthesis"
    } else {
        "subtasks"
    }
}

pub fn by_model(billed: &[Billed]) -> BTreeMap<String, ModelFigures> {
    let mut out: BTreeMap<String, ModelFigures> = BTreeMap::new();
    for b in billed {
        let m = out.entry(b.model.clone()).or_default();
        m.calls += 1;
        m.cost_usd += b.cost;
        m.tokens.add(&b.tokens);
        m.cacheable_tokens += b.system_blocks.iter().map(|(t, _)| t).sum::<u64>();
    }
    for m in out.values_mut() {
        m.cache_hit_rate = ratio(m.tokens.cache_read, m.cacheable_tokens);
        let t = &m.tokens;
        m.marked_hit_rate = ratio(t.cache_read, t.cache_read + t.cache_write_5m + t.cache_write_1h);
    }
    out
}

/// Fills each model's repeated tokens: per call, the longest run of whole system blocks that
/// reaches the model's minimum and that an earlier call of the same model sent too.
pub fn add_repeats(billed: &[Billed], prices: &Prices, models: &mut BTreeMap<String, ModelFigures>) -> Result<()> {
    let mut seen: HashSet<(String, u64)> = HashSet::new();
    for b in billed {
        let min = prices.model(&b.model).with_context(|| format!("no price for {}", b.model))?.min_cacheable_tokens;
        let keys = prefix_keys(b);
        let (mut prefix, mut repeated) = (0u64, 0u64);
        for ((tokens, _), key) in b.system_blocks.iter().zip(&keys) {
            prefix += tokens;
            if prefix >= min && seen.contains(key) {
                repeated = prefix;
            }
        }
        seen.extend(keys);
        if let Some(m) = models.get_mut(&b.model) {
            m.repeated_tokens += repeated;
        }
    }
    for m in models.values_mut() {
        m.repeat_hit_rate = ratio(m.tokens.cache_read, m.repeated_tokens);
    }
    Ok(())
}

pub fn by_stage(billed: &[Billed]) -> BTreeMap<&'static str, StageFigures> {
    let mut out: BTreeMap<&'static str, StageFigures> = BTreeMap::new();
    for s in ["discovery", "rerank", "planner", "subtasks", "synthesis", "warm-ups"] {
        out.insert(s, StageFigures::default());
    }
    for b in billed {
        let s = out.entry(b.stage).or_default();
        s.calls += 1;
        s.cost_usd += b.cost;
        s.tokens.add(&b.tokens);
    }
    out
}

pub fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Cost by prompt part, from the blocks devteam recorded per call (block sizes are devteam's
/// estimates scaled to the billed input, so parts are an attribution, not a bill).
pub fn by_part(r: &Replayed, prices: &Prices) -> Result<BTreeMap<String, PartFigures>> {
    let db = rusqlite::Connection::open(&r.db).context("opening the day's store")?;
    let mut out: BTreeMap<String, PartFigures> = BTreeMap::new();
    for p in ["foundation", "project context", "agent static", "agent dynamic", "cards", "hand-overs", "task", "output"]
    {
        out.insert(p.to_string(), PartFigures::default());
    }
    let mut calls = db.prepare(
        "SELECT id, model, run_id, subtask_id, output_tokens, cache_write_5m_tokens, cache_write_1h_tokens FROM calls",
    )?;
    let rows = calls.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
        ))
    })?;
    let mut blocks = db.prepare("SELECT kind, tokens, outcome FROM call_blocks WHERE call_id = ?1")?;
    for row in rows {
        let (id, model, run_id, subtask, output, w5, w1h) = row?;
        let Some(m) = prices.model(&model) else { continue };
        let role = call_role(run_id.as_deref(), subtask.as_deref());
        let write_rate = if w5 + w1h == 0 {
            m.rates.cache_write_5m
        } else {
            (w5 as f64 * m.rates.cache_write_5m + w1h as f64 * m.rates.cache_write_1h) / (w5 + w1h) as f64
        };
        let list =
            blocks.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?)))?;
        for b in list {
            let (kind, tokens, outcome) = b?;
            let rate = match outcome.as_str() {
                "read" => m.rates.cache_read,
                "written" => write_rate,
                _ => m.rates.input,
            };
            add(&mut out, part(role, &kind), tokens as u64, tokens as f64 * rate / 1e6);
        }
        add(&mut out, "output", output as u64, output as f64 * m.rates.output / 1e6);
    }
    Ok(out)
}

fn add(out: &mut BTreeMap<String, PartFigures>, part: &str, tokens: u64, cost: f64) {
    let p = out.entry(part.to_string()).or_default();
    p.tokens += tokens;
    p.cost_usd += cost;
}

#[derive(Clone, Copy)]
enum Role {
    Rerank,
    Planner,
    Synthesis,
    Agent,
}

fn call_role(run_id: Option<&str>, subtask: Option<&str>) -> Role {
    match (run_id, subtask) {
        (Some(r), _) if r.starts_with("rerank-") => Role::Rerank,
        (_, Some("plan")) => Role::Planner,
        (_, Some("synthesis")) => Role::Synthesis,
        _ => Role::Agent,
    }
}

/// The part a recorded block is: the planner's and synthesis's instructions are their static
/// part, the cards they and the rerank read are `cards`, summaries handed on are `hand-overs`.
fn part(role: Role, kind: &str) -> &'static str {
    match (role, kind) {
        (Role::Rerank, _) => "cards",
        (Role::Planner, "task") | (_, "cards") => "cards",
        (Role::Synthesis, "task") | (_, "hand-overs") => "hand-overs",
        (_, "foundation") => "foundation",
        (_, "project") => "project context",
        (_, "agent-static") => "agent static",
        (_, "agent-dynamic") => "agent dynamic",
        (Role::Planner | Role::Synthesis, _) => "agent static",
        _ => "task",
    }
}

/// The floor: each task once (the floor replay's requests: one call per task on the tier its
/// work needs, on discovery's agent, devteam's layout), every repeated prefix read from cache.
/// A prefix is a run of whole system blocks. The longest prefix a model saw before is read; the
/// rest of the stable part is written (at the cheapest, 5-minute rate) only when a later call
/// of the day reads it and the prefix reaches the model's minimum, and is plain input otherwise.
/// Also by model: the floor's own hit rates say how high a day's can be (what is sent once is
/// never read).
pub fn floor(billed: &[Billed], prices: &Prices) -> Result<(f64, Tokens, BTreeMap<String, ModelFigures>)> {
    let keys: Vec<Vec<(String, u64)>> = billed.iter().map(prefix_keys).collect();
    let mut seen: HashSet<(String, u64)> = HashSet::new();
    let mut calls = Vec::with_capacity(billed.len());
    for (i, b) in billed.iter().enumerate() {
        let m = prices.model(&b.model).with_context(|| format!("no price for {}", b.model))?;
        let later: HashSet<&(String, u64)> = keys[i + 1..].iter().flatten().collect();
        let tokens = floor_call(b, &keys[i], m.min_cacheable_tokens, &seen, &later);
        seen.extend(keys[i].iter().cloned());
        calls.push(Billed { cost: tokens.cost(&m.rates), tokens, ..b.clone() });
    }
    let mut total = Tokens::default();
    calls.iter().for_each(|c| total.add(&c.tokens));
    let mut models = by_model(&calls);
    // Every stable prefix the floor sends again is read: its repeats are its reads.
    add_repeats(&calls, prices, &mut models)?;
    Ok((calls.iter().map(|c| c.cost).sum(), total, models))
}

/// A key per system-block prefix of a call: the model and a hash of the blocks up to it.
fn prefix_keys(b: &Billed) -> Vec<(String, u64)> {
    let mut hash = 0u64;
    b.system_blocks
        .iter()
        .map(|(_, text)| {
            hash = xxhash_rust::xxh3::xxh3_64_with_seed(text.as_bytes(), hash);
            (b.model.clone(), hash)
        })
        .collect()
}

fn floor_call(
    b: &Billed,
    keys: &[(String, u64)],
    min: u64,
    seen: &HashSet<(String, u64)>,
    later: &HashSet<&(String, u64)>,
) -> Tokens {
    let (mut prefix, mut read, mut reused) = (0u64, 0u64, 0u64);
    for ((tokens, _), key) in b.system_blocks.iter().zip(keys) {
        prefix += tokens;
        if prefix < min {
            continue;
        }
        if seen.contains(key) {
            read = prefix;
        }
        if later.contains(key) {
            reused = prefix;
        }
    }
    let written = reused.saturating_sub(read);
    Tokens {
        input: b.tokens.total_input() - read - written,
        cache_write_5m: written,
        cache_write_1h: 0,
        cache_read: read,
        output: b.tokens.output,
    }
}
