//! The HTTP surface: validation, headers, usage, caching and streaming over real sockets.

mod common;

use std::time::Duration;

use common::*;
use devteam_standin::{Config, StandIn};
use serde_json::json;

type Headers<'a> = &'a [(&'a str, &'a str)];

#[test]
fn authentication_and_version_are_checked_like_the_api() {
    let h = StandIn::start(Config { api_key: Some(KEY.into()), ..Config::default() }).unwrap();
    let body = simple("claude-sonnet-4-6", "hi").to_string();
    let v = ("anthropic-version", "2023-06-01");
    let cases: [(Headers, u16, &str); 5] = [
        (&[v], 401, "authentication_error"),
        (&[v, ("x-api-key", "wrong")], 401, "authentication_error"),
        (&[v, ("x-api-key", KEY), ("authorization", "Bearer sk-test-key")], 401, "authentication_error"),
        (&[("x-api-key", KEY)], 400, "invalid_request_error"),
        (&[v, ("authorization", "Bearer sk-test-key")], 200, ""),
    ];
    for (headers, status, kind) in cases {
        let r = send(h.addr(), "POST", "/v1/messages", headers, &body).unwrap();
        assert_eq!(r.status, status, "{headers:?}: {}", r.body);
        if status != 200 {
            let e = r.json();
            assert_eq!((e["type"].as_str(), e["error"]["type"].as_str()), (Some("error"), Some(kind)));
            assert_eq!(e["request_id"].as_str(), r.header("request-id"));
        }
    }
}

#[test]
fn request_validation_errors() {
    let h = start();
    let mut no_max = simple("claude-sonnet-4-6", "x");
    no_max.as_object_mut().unwrap().remove("max_tokens");
    let blocks: Vec<_> = (0..5)
        .map(|i| json!({"type": "text", "text": format!("b{i}"), "cache_control": {"type": "ephemeral"}}))
        .collect();
    let five =
        json!({"model": "claude-sonnet-4-6", "max_tokens": 5, "messages": [{"role": "user", "content": blocks}]});
    let mixed = json!({"model": "claude-sonnet-4-6", "max_tokens": 5,
        "system": [{"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}}],
        "messages": [{"role": "user", "content": [{"type": "text", "text": "b",
            "cache_control": {"type": "ephemeral", "ttl": "1h"}}]}]});
    let mut hot = simple("claude-opus-4-7", "x");
    hot["temperature"] = json!(0.3);
    let cases = [
        (simple("claude-nonexistent", "x"), 404, "not_found_error"),
        (no_max, 400, "invalid_request_error"),
        (five, 400, "invalid_request_error"),
        (mixed, 400, "invalid_request_error"),
        (hot, 400, "invalid_request_error"),
    ];
    for (body, status, kind) in cases {
        let r = post(&h, "/v1/messages", &body);
        assert_eq!((r.status, r.json()["error"]["type"].as_str()), (status, Some(kind)), "{body}");
    }
    assert!(h.ledger().is_empty(), "errors are not billed");
}

#[test]
fn every_response_carries_request_id_and_rate_limit_headers() {
    let h = start();
    let ok = post(&h, "/v1/messages", &simple("claude-haiku-4-5", "hi"));
    let err = post(&h, "/v1/messages", &simple("nope", "hi"));
    for r in [&ok, &err] {
        assert!(r.header("request-id").unwrap().starts_with("req_"));
        for kind in ["requests", "tokens", "input-tokens", "output-tokens"] {
            for field in ["limit", "remaining", "reset"] {
                assert!(r.header(&format!("anthropic-ratelimit-{kind}-{field}")).is_some(), "{kind}-{field}");
            }
        }
    }
    assert_ne!(ok.header("request-id"), err.header("request-id"));
    assert_eq!(ok.json()["model"], "claude-haiku-4-5-20251001");
}

#[test]
fn count_tokens_equals_total_billed_input() {
    let h = start();
    let body = cached("claude-sonnet-4-6", 1500, "5m", "question");
    let counted = post(&h, "/v1/messages/count_tokens", &body).json()["input_tokens"].as_u64().unwrap();
    for _ in 0..2 {
        let u = post(&h, "/v1/messages", &body).json()["usage"].clone();
        let total = ["input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"]
            .iter()
            .map(|k| u[k].as_u64().unwrap())
            .sum::<u64>();
        assert_eq!(total, counted);
    }
    assert_eq!(h.ledger().len(), 2, "count_tokens is free");
}

#[test]
fn caching_over_http_with_the_control_clock() {
    let h = start();
    let usage =
        |user: &str| post(&h, "/v1/messages", &cached("claude-sonnet-4-6", 2000, "5m", user)).json()["usage"].clone();
    let first = usage("a");
    assert_eq!(first["cache_creation_input_tokens"], 2000);
    assert_eq!(first["cache_creation"]["ephemeral_5m_input_tokens"], 2000);
    assert_eq!(first["cache_read_input_tokens"], 0);
    assert_eq!(usage("b")["cache_read_input_tokens"], 2000);
    let clock = post(&h, "/_standin/clock", &json!({"advance_secs": 301}));
    assert_eq!(clock.status, 200);
    assert!(clock.json()["offset_secs"].as_f64().unwrap() >= 301.0);
    let expired = usage("c");
    assert_eq!(
        (expired["cache_read_input_tokens"].as_u64(), expired["cache_creation_input_tokens"].as_u64()),
        (Some(0), Some(2000))
    );
    // Another API key has its own cache.
    let other = [("x-api-key", "other-key"), ("anthropic-version", "2023-06-01")];
    let body = cached("claude-sonnet-4-6", 2000, "5m", "d").to_string();
    let r = send(h.addr(), "POST", "/v1/messages", &other, &body).unwrap();
    assert_eq!(r.json()["usage"]["cache_read_input_tokens"], 0);
}

#[test]
fn streaming_sends_cumulative_usage() {
    let h = start();
    let mut body = cached("claude-sonnet-4-6", 2000, "1h", "stream please");
    body["stream"] = json!(true);
    let r = post(&h, "/v1/messages", &body);
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/event-stream"));
    let events = r.events();
    let start = &events[0].1["message"]["usage"];
    assert_eq!(start["cache_creation"]["ephemeral_1h_input_tokens"], 2000);
    let deltas: Vec<u64> = events
        .iter()
        .filter(|(n, _)| n == "message_delta")
        .map(|(_, d)| d["usage"]["output_tokens"].as_u64().unwrap())
        .collect();
    let billed = h.ledger()[0].usage.output_tokens as u64;
    assert_eq!(*deltas.last().unwrap(), billed);
    assert!(deltas.len() >= 2 && deltas.windows(2).all(|w| w[0] <= w[1]));
    assert!(h.ledger()[0].stream);
    assert_eq!(events.last().unwrap().0, "message_stop");
}

#[test]
fn parallel_identical_requests_all_miss() {
    let h = start();
    h.push_rule(
        devteam_standin::Rule::any()
            .fault(devteam_standin::Fault::Slow { delay_ms: 300 })
            .times(devteam_standin::Times::Count(2)),
    )
    .unwrap();
    let body = cached("claude-sonnet-4-6", 2000, "5m", "same").to_string();
    let addr = h.addr();
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let body = body.clone();
            std::thread::spawn(move || send(addr, "POST", "/v1/messages", &auth(), &body).unwrap().json())
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap()["usage"]["cache_creation_input_tokens"], 2000);
    }
    let after = post(&h, "/v1/messages", &cached("claude-sonnet-4-6", 2000, "5m", "same"));
    assert_eq!(after.json()["usage"]["cache_read_input_tokens"], 2000);
    assert_eq!(h.cache_entries(), 1);
}

#[test]
fn ledger_requests_and_reset_endpoints() {
    let h = start();
    post(&h, "/v1/messages", &simple("claude-opus-4-5", "remember me"));
    post(&h, "/v1/messages", &simple("missing-model", "x"));
    let ledger = get(&h, "/_standin/ledger").json();
    assert_eq!(ledger.as_array().unwrap().len(), 1);
    let entry = &ledger[0];
    assert_eq!(entry["model"], "claude-opus-4-5-20251101");
    assert_eq!((entry["stream"].as_bool(), entry["batch"].as_bool()), (Some(false), Some(false)));
    assert_eq!(entry["api_key_hash"].as_str().unwrap().len(), 16);
    assert!(entry["usage"]["cache_creation"].is_object());
    let requests = get(&h, "/_standin/requests").json();
    assert_eq!(requests.as_array().unwrap().len(), 2, "failed requests are recorded too");
    assert_eq!(requests[0]["body"]["messages"][0]["content"], "remember me");
    assert_eq!(post(&h, "/_standin/reset", &json!({})).status, 200);
    assert!(h.ledger().is_empty() && h.requests().is_empty());
}

#[test]
fn handle_advance_drives_the_same_clock() {
    let h = start();
    let before = h.now();
    h.advance(Duration::from_secs(7200));
    let now = get(&h, "/_standin/clock").json();
    assert!(now["offset_secs"].as_f64().unwrap() >= 7200.0);
    assert!(h.now().duration_since(before).unwrap() >= Duration::from_secs(7200));
}
