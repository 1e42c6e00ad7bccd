use serde_json::Value;

use super::*;
use crate::cache::CacheUsage;

fn message(text: &str, output_tokens: u32) -> MessageResponse {
    MessageResponse {
        id: "msg_1".into(),
        kind: "message",
        role: "assistant",
        content: vec![OutBlock::Text { text: text.into() }],
        model: "claude-sonnet-4-6".into(),
        stop_reason: Some("end_turn"),
        stop_sequence: None,
        usage: Usage::new(5000, CacheUsage { read: 4000, write_5m: 500, write_1h: 0 }, output_tokens, false),
    }
}

fn parse(stream: &str) -> Vec<(String, Value)> {
    stream
        .split("\n\n")
        .filter(|f| !f.is_empty())
        .map(|f| {
            let mut lines = f.lines();
            let event = lines.next().unwrap().strip_prefix("event: ").unwrap().to_string();
            let data = lines.next().unwrap().strip_prefix("data: ").unwrap();
            (event, serde_json::from_str(data).unwrap())
        })
        .collect()
}

#[test]
fn events_come_in_the_documented_order() {
    let events = parse(&stream(&message("a reply that is longer than one delta", 9)));
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names[..3], ["message_start", "ping", "content_block_start"]);
    assert_eq!(names[names.len() - 4..], ["content_block_stop", "message_delta", "message_delta", "message_stop"]);
    for (name, data) in &events {
        assert_eq!(data["type"], name.as_str());
    }
    let text: String = events
        .iter()
        .filter(|(n, _)| n == "content_block_delta")
        .map(|(_, d)| d["delta"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(text, "a reply that is longer than one delta");
}

#[test]
fn message_start_has_input_usage_and_placeholder_output() {
    let events = parse(&stream(&message("hi", 9)));
    let usage = &events[0].1["message"]["usage"];
    assert_eq!(usage["input_tokens"], 500);
    assert_eq!(usage["cache_read_input_tokens"], 4000);
    assert_eq!(usage["cache_creation_input_tokens"], 500);
    assert_eq!(usage["output_tokens"], 1);
    assert!(events[0].1["message"]["stop_reason"].is_null());
}

#[test]
fn message_delta_usage_is_cumulative() {
    let events = parse(&stream(&message("hi", 9)));
    let deltas: Vec<&Value> = events.iter().filter(|(n, _)| n == "message_delta").map(|(_, d)| d).collect();
    let outputs: Vec<u64> = deltas.iter().map(|d| d["usage"]["output_tokens"].as_u64().unwrap()).collect();
    assert_eq!(outputs, vec![4, 9]);
    // The last one is the total; summing them would over-count.
    assert!(outputs.iter().sum::<u64>() > 9);
    assert!(deltas[0]["delta"]["stop_reason"].is_null());
    assert_eq!(deltas[1]["delta"]["stop_reason"], "end_turn");
    assert_eq!(deltas[1]["usage"]["input_tokens"], 500);
}

#[test]
fn broken_stream_ends_with_an_error_event() {
    let text = broken_stream(&message("some text here", 9), &ApiError::overloaded(), "req_1");
    let events = parse(&text);
    let (last_name, last) = events.last().unwrap();
    assert_eq!(last_name, "error");
    assert_eq!(last["error"]["type"], "overloaded_error");
    assert!(!events.iter().any(|(n, _)| n == "message_stop"));
}
