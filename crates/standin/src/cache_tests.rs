//! Caching arithmetic, checked against hand-computed token counts.

use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use super::*;
use crate::request::MessagesRequest;
use crate::tokens::MESSAGE_OVERHEAD_TOKENS as OVERHEAD;

const MIN: u32 = 1024;

/// A text block of exactly `tokens` tokens, optionally marked with a TTL.
fn block(tokens: u32, tag: &str, ttl: Option<&str>) -> Value {
    let text = format!("{tag}{}", "x".repeat(tokens as usize * 4 - tag.len()));
    match ttl {
        Some(ttl) => {
            json!({"type": "text", "text": text, "cache_control": {"type": "ephemeral", "ttl": ttl}})
        }
        None => json!({"type": "text", "text": text}),
    }
}

fn prefix(system: Vec<Value>, user: Vec<Value>) -> Prefix {
    let v = json!({"model": "m", "system": system, "messages": [{"role": "user", "content": user}]});
    Prefix::build(&MessagesRequest::parse(v.to_string().as_bytes()).unwrap()).unwrap()
}

fn scope(model: &str, key: &str) -> CacheScope {
    CacheScope { workspace: key.into(), model: model.into() }
}

fn run(cache: &mut PromptCache, scope: &CacheScope, p: &Prefix, now: SystemTime) -> CacheUsage {
    let plan = cache.plan(scope, p, MIN, now);
    cache.commit(&plan);
    plan.usage
}

fn usage(read: u32, write_5m: u32, write_1h: u32) -> CacheUsage {
    CacheUsage { read, write_5m, write_1h }
}

#[test]
fn write_then_read() {
    let mut cache = PromptCache::new();
    let s = scope("claude-sonnet-4-6", "k");
    let t0 = SystemTime::now();
    let p = prefix(vec![block(2000, "sys", Some("5m"))], vec![block(10, "q1", None)]);
    assert_eq!(p.total_tokens, 2000 + 10 + OVERHEAD);
    let first = run(&mut cache, &s, &p, t0);
    assert_eq!(first, usage(0, 2000, 0));
    assert_eq!(first.uncached_input(p.total_tokens), 10 + OVERHEAD);

    let p2 = prefix(vec![block(2000, "sys", Some("5m"))], vec![block(30, "q2", None)]);
    let second = run(&mut cache, &s, &p2, t0 + Duration::from_secs(10));
    assert_eq!(second, usage(2000, 0, 0));
    assert_eq!(second.uncached_input(p2.total_tokens), 30 + OVERHEAD);
}

#[test]
fn below_minimum_nothing_is_cached_and_nothing_fails() {
    let mut cache = PromptCache::new();
    let s = scope("claude-sonnet-4-6", "k");
    let p = prefix(vec![block(1000, "sys", Some("5m"))], vec![block(10, "q", None)]);
    let t0 = SystemTime::now();
    assert_eq!(run(&mut cache, &s, &p, t0), usage(0, 0, 0));
    assert_eq!(run(&mut cache, &s, &p, t0), usage(0, 0, 0));
    assert!(cache.is_empty(t0));
}

#[test]
fn ttl_expires_and_a_hit_refreshes_it() {
    let mut cache = PromptCache::new();
    let s = scope("claude-sonnet-4-6", "k");
    let p = prefix(vec![block(2000, "sys", Some("5m"))], vec![block(10, "q", None)]);
    let t0 = SystemTime::now();
    let at = |secs| t0 + Duration::from_secs(secs);
    assert_eq!(run(&mut cache, &s, &p, at(0)), usage(0, 2000, 0));
    // 4 minutes later: a hit, which restarts the 5 minutes from this request's start.
    assert_eq!(run(&mut cache, &s, &p, at(240)), usage(2000, 0, 0));
    // 8 minutes after the write but 4 after the refresh: still a hit.
    assert_eq!(run(&mut cache, &s, &p, at(480)), usage(2000, 0, 0));
    // More than 5 minutes after the last hit: expired, written again.
    assert_eq!(run(&mut cache, &s, &p, at(480 + 301)), usage(0, 2000, 0));
}

#[test]
fn one_hour_entries_outlive_five_minute_ones() {
    let mut cache = PromptCache::new();
    let s = scope("claude-sonnet-4-6", "k");
    let t0 = SystemTime::now();
    let p = prefix(vec![block(2000, "sys", Some("1h"))], vec![block(1500, "doc", Some("5m"))]);
    let doc = 1500 + OVERHEAD;
    assert_eq!(run(&mut cache, &s, &p, t0), usage(0, doc, 2000));
    assert_eq!(run(&mut cache, &s, &p, t0 + Duration::from_secs(60)), usage(2000 + doc, 0, 0));
    // 30 minutes on, the 5m entry is gone and the 1h one is not: A = 2000, no 1h after A, C - A.
    let later = t0 + Duration::from_secs(1800);
    assert_eq!(run(&mut cache, &s, &p, later), usage(2000, doc, 0));
}

#[test]
fn mixed_ttl_billing_splits_b_minus_a_and_c_minus_b() {
    let mut cache = PromptCache::new();
    let s = scope("claude-sonnet-4-6", "k");
    let t0 = SystemTime::now();
    let base = vec![block(1200, "tools-ish", Some("1h"))];
    assert_eq!(run(&mut cache, &s, &prefix(base.clone(), vec![block(5, "hi", None)]), t0).write_1h, 1200);
    // A = 1200 (hit), B = 1200 + 800 (second 1h breakpoint), C = B + 600 + overhead (5m).
    let system = vec![block(1200, "tools-ish", Some("1h")), block(800, "rules", Some("1h"))];
    let p = prefix(system, vec![block(600, "history", Some("5m")), block(7, "new", None)]);
    let got = run(&mut cache, &s, &p, t0 + Duration::from_secs(5));
    assert_eq!(got, usage(1200, 600 + OVERHEAD, 800));
    assert_eq!(got.uncached_input(p.total_tokens), 7);
}

#[test]
fn lookback_reaches_twenty_blocks_and_no_further() {
    let mut cache = PromptCache::new();
    let s = scope("claude-sonnet-4-6", "k");
    let t0 = SystemTime::now();
    let head = vec![block(2000, "sys", Some("5m"))];
    run(&mut cache, &s, &prefix(head.clone(), vec![block(5, "q", None)]), t0);
    // The breakpoint moves to the end of the conversation; the system entry sits `n` blocks back.
    let turn = |n: usize| {
        let mut user: Vec<Value> = (0..n - 1).map(|i| block(2, &format!("m{i}"), None)).collect();
        user.push(block(2, "last", Some("5m")));
        let mut system = head.clone();
        system[0].as_object_mut().unwrap().remove("cache_control");
        prefix(system, user)
    };
    // 19 new blocks: the system block is the 20th counting the breakpoint, so it is found.
    assert_eq!(run(&mut cache, &s, &turn(19), t0).read, 2000);
    // 20 new blocks: the system block is the 21st, out of reach; the whole prefix is written.
    let far = turn(20);
    let got = run(&mut cache, &s, &far, t0);
    assert_eq!(got.read, 0);
    assert_eq!(got.write_5m, far.blocks.last().unwrap().cumulative);
}

#[test]
fn caches_are_per_model_and_per_workspace() {
    let mut cache = PromptCache::new();
    let p = prefix(vec![block(5000, "sys", Some("5m"))], vec![block(5, "q", None)]);
    let t0 = SystemTime::now();
    run(&mut cache, &scope("claude-sonnet-4-6", "k"), &p, t0);
    assert_eq!(run(&mut cache, &scope("claude-sonnet-4-5-20250929", "k"), &p, t0).read, 0);
    assert_eq!(run(&mut cache, &scope("claude-sonnet-4-6", "other"), &p, t0).read, 0);
    assert_eq!(run(&mut cache, &scope("claude-sonnet-4-6", "k"), &p, t0).read, 5000);
}

#[test]
fn parallel_requests_all_miss_until_a_response_begins() {
    let mut cache = PromptCache::new();
    let s = scope("claude-sonnet-4-6", "k");
    let p = prefix(vec![block(2000, "sys", Some("5m"))], vec![block(5, "q", None)]);
    let t0 = SystemTime::now();
    let first = cache.plan(&s, &p, MIN, t0);
    let second = cache.plan(&s, &p, MIN, t0);
    assert_eq!((first.usage, second.usage), (usage(0, 2000, 0), usage(0, 2000, 0)));
    cache.commit(&first);
    cache.commit(&second);
    assert_eq!(cache.len(t0), 1);
    assert_eq!(run(&mut cache, &s, &p, t0).read, 2000);
}
