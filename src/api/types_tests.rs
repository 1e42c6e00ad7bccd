//! Wire-format tests for `types.rs`: what we send byte for byte, and what we accept.

use serde_json::json;

use super::*;

#[test]
fn request_serializes_cache_breakpoints_and_omits_unset_fields() {
    let request = MessagesRequest {
        model: "claude-sonnet-4-6".into(),
        max_tokens: 100,
        system: vec![TextBlock::new("rules").cached(CacheTtl::OneHour)],
        messages: vec![InputMessage {
            role: Role::User,
            content: vec![TextBlock::new("context").cached(CacheTtl::FiveMinutes), TextBlock::new("question")],
        }],
        temperature: None,
        top_p: None,
        top_k: None,
        metadata: None,
    };
    let wire = WireRequest { request: &request, stream: false };
    let expected = json!({
        "model": "claude-sonnet-4-6",
        "max_tokens": 100,
        "system": [{"type": "text", "text": "rules",
                    "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "context", "cache_control": {"type": "ephemeral", "ttl": "5m"}},
            {"type": "text", "text": "question"}
        ]}]
    });
    assert_eq!(serde_json::to_value(&wire).unwrap(), expected);
    let streamed = serde_json::to_value(WireRequest { request: &request, stream: true }).unwrap();
    assert_eq!(streamed.get("stream"), Some(&json!(true)));
}

#[test]
fn usage_reads_every_field_and_defaults_missing_or_null_ones() {
    let full: Usage = serde_json::from_value(json!({
        "input_tokens": 10, "output_tokens": 20,
        "cache_creation_input_tokens": 30, "cache_read_input_tokens": 40,
        "cache_creation": {"ephemeral_5m_input_tokens": 12, "ephemeral_1h_input_tokens": 18},
        "service_tier": "batch", "server_tool_use": {"web_search_requests": 1}
    }))
    .unwrap();
    assert_eq!(full.cache_creation.ephemeral_1h_input_tokens, 18);
    assert_eq!(full.service_tier, Some(ServiceTier::Batch));
    assert_eq!(full.total_input_tokens(), 80);
    let sparse: Usage = serde_json::from_value(json!({
        "input_tokens": 5, "cache_creation_input_tokens": null, "cache_creation": null,
        "service_tier": "some_future_tier"
    }))
    .unwrap();
    assert_eq!(sparse.output_tokens, 0);
    assert_eq!(sparse.cache_creation, CacheCreation::default());
    assert_eq!(sparse.service_tier, Some(ServiceTier::Other));
}

#[test]
fn response_keeps_known_blocks_and_tolerates_new_ones() {
    let message: Message = serde_json::from_value(json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "m",
        "content": [
            {"type": "text", "text": "Hello", "citations": null},
            {"type": "thinking", "thinking": "...", "signature": "s"},
            {"type": "tool_use", "id": "t1", "name": "read", "input": {"path": "a"}},
            {"type": "text", "text": " world"}
        ],
        "stop_reason": "refusal", "stop_sequence": null,
        "usage": {"input_tokens": 1, "output_tokens": 2}
    }))
    .unwrap();
    assert_eq!(message.text(), "Hello world");
    assert_eq!(message.content[1], ContentBlock::Other);
    assert!(matches!(&message.content[2], ContentBlock::ToolUse { name, .. } if name == "read"));
    assert_eq!(message.stop_reason, Some(StopReason::Refusal));
    let cut: StopReason = serde_json::from_value(json!("max_tokens")).unwrap();
    assert_eq!(cut, StopReason::MaxTokens);
    let novel: StopReason = serde_json::from_value(json!("model_context_window_exceeded")).unwrap();
    assert_eq!(novel, StopReason::Other);
}

#[test]
fn count_tokens_request_drops_generation_fields() {
    let request = MessagesRequest::builder("m", 9)
        .system(TextBlock::new("s"))
        .user("u")
        .temperature(0.5)
        .build(crate::api::ModelRules::default());
    let value = serde_json::to_value(CountTokensRequest::from(&request)).unwrap();
    assert_eq!(
        value,
        json!({"model": "m", "system": [{"type": "text", "text": "s"}],
               "messages": [{"role": "user", "content": [{"type": "text", "text": "u"}]}]})
    );
}
