//! SSE framing and stream assembly, fed in awkward chunkings.

use super::*;
use crate::api::types::Usage;

const STREAM: &str = concat!(
    ": keep-alive comment\r\n",
    "event: message_start\r\n",
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":50,\"output_tokens\":1,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":2000,\"cache_creation\":{\"ephemeral_5m_input_tokens\":0,\"ephemeral_1h_input_tokens\":0},\"service_tier\":\"standard\"}}}\r\n",
    "\r\n",
    "event: ping\ndata: {\"type\": \"ping\"}\n\n",
    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Héllo\"}}\n\n",
    "event: brand_new_event\ndata: {\"type\":\"brand_new_event\",\"x\":1}\n\n",
    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\", world\"}}\n\n",
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"read\",\"input\":{}}}\n\n",
    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"path\\\":\"}}\n\n",
    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"a.rs\\\"}\"}}\n\n",
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n",
    "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":null},\"usage\":{\"output_tokens\":7}}\n\n",
    "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}\n\n",
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
);

fn run(chunks: &[&[u8]]) -> (Result<Message, StreamFault>, String) {
    let mut parser = SseParser::default();
    let mut state = StreamState::default();
    let mut seen = String::new();
    for chunk in chunks {
        for event in parser.push(chunk) {
            if let Err(fault) = state.apply(&event, &mut |t| seen.push_str(t)) {
                return (Err(fault), seen);
            }
        }
    }
    (state.finish(), seen)
}

#[test]
fn assembles_text_tool_input_and_last_cumulative_usage_in_any_chunking() {
    let bytes = STREAM.as_bytes();
    let whole = [bytes];
    let byte_by_byte: Vec<&[u8]> = bytes.chunks(1).collect();
    let odd: Vec<&[u8]> = bytes.chunks(7).collect();
    for chunks in [&whole[..], &byte_by_byte, &odd] {
        let (message, seen) = run(chunks);
        let message = message.expect("complete stream");
        assert_eq!(seen, "Héllo, world");
        assert_eq!(message.text(), "Héllo, world");
        assert_eq!(message.stop_reason, Some(StopReason::ToolUse));
        let ContentBlock::ToolUse { input, .. } = &message.content[1] else {
            panic!("tool block: {:?}", message.content);
        };
        assert_eq!(input, &serde_json::json!({"path": "a.rs"}));
        let expected = Usage {
            input_tokens: 50,
            output_tokens: 15, // the last delta, not 1 + 7 + 15
            cache_read_input_tokens: 2000,
            service_tier: Some(ServiceTier::Standard),
            ..Usage::default()
        };
        assert_eq!(message.usage, expected);
    }
}

#[test]
fn an_error_event_is_a_fault_and_a_truncated_stream_is_malformed() {
    let cut = STREAM.find("event: message_delta").unwrap();
    let broken = format!(
        "{}event: error\ndata: {{\"type\":\"error\",\"error\":{{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}}}\n\n",
        &STREAM[..cut]
    );
    let (result, seen) = run(&[broken.as_bytes()]);
    assert!(matches!(result, Err(StreamFault::ErrorEvent(ref t, _)) if t == "overloaded_error"), "{result:?}");
    assert_eq!(seen, "Héllo, world");
    let (result, _) = run(&[&STREAM.as_bytes()[..cut]]);
    assert!(matches!(result, Err(StreamFault::Malformed(ref m)) if m.contains("message_stop")));
}

#[test]
fn started_only_after_a_non_error_event_and_bad_known_events_are_malformed() {
    let mut state = StreamState::default();
    let mut parser = SseParser::default();
    let events = parser.push(b"event: content_block_delta\ndata: {not json}\n\n");
    assert!(!state.started());
    assert!(matches!(state.apply(&events[0], &mut |_| {}), Err(StreamFault::Malformed(_))));
    let events = parser.push(b"event: ping\ndata: {\"type\":\"ping\"}\n\n");
    state.apply(&events[0], &mut |_| {}).unwrap();
    assert!(state.started());
}

#[test]
fn multi_line_data_is_joined_and_fields_without_space_parse() {
    let mut parser = SseParser::default();
    let events = parser.push(b"event:x\ndata:a\ndata: b\nid: 7\n\n\n");
    assert_eq!(events, vec![SseEvent { name: "x".into(), data: "a\nb".into() }]);
}
