use serde_json::json;

use super::*;

fn build(v: serde_json::Value) -> Result<Prefix, ApiError> {
    Prefix::build(&MessagesRequest::parse(v.to_string().as_bytes()).unwrap())
}

fn text(t: &str) -> serde_json::Value {
    json!({"type": "text", "text": t})
}

fn marked(t: &str, ttl: &str) -> serde_json::Value {
    json!({"type": "text", "text": t, "cache_control": {"type": "ephemeral", "ttl": ttl}})
}

#[test]
fn counts_blocks_in_tools_system_messages_order() {
    let p = build(json!({
        "model": "m",
        "tools": [{"name": "t", "input_schema": {"type": "object"}}],
        "system": "12345678",
        "messages": [{"role": "user", "content": "abcd"}]
    }))
    .unwrap();
    let tool_json = r#"{"input_schema":{"type":"object"},"name":"t"}"#;
    let tool = text_tokens(tool_json);
    assert_eq!(p.blocks.len(), 3);
    assert_eq!(p.blocks[0].tokens, tool);
    assert_eq!(p.blocks[1].tokens, 2);
    assert_eq!(p.blocks[2].tokens, 1 + MESSAGE_OVERHEAD_TOKENS);
    assert_eq!(p.total_tokens, tool + 2 + 1 + MESSAGE_OVERHEAD_TOKENS);
}

#[test]
fn string_and_block_spellings_share_identity_and_breakpoints_do_not_change_it() {
    let a = build(json!({"model": "m", "messages": [{"role": "user", "content": "hello"}]})).unwrap();
    let b = build(json!({"model": "m", "messages": [{"role": "user", "content": [marked("hello", "5m")]}]})).unwrap();
    assert_eq!(a.blocks[0].hash, b.blocks[0].hash);
    assert_eq!(b.blocks[0].breakpoint, Some(Ttl::FiveMinutes));
}

#[test]
fn tool_choice_changes_messages_but_not_system_identity() {
    let req = |choice: serde_json::Value| {
        build(json!({"model": "m", "system": "s", "tool_choice": choice,
            "messages": [{"role": "user", "content": "u"}]}))
        .unwrap()
    };
    let auto = req(json!({"type": "auto"}));
    let any = req(json!({"type": "any"}));
    assert_eq!(auto.blocks[0].hash, any.blocks[0].hash);
    assert_ne!(auto.blocks[1].hash, any.blocks[1].hash);
}

#[test]
fn more_than_four_breakpoints_is_400() {
    let blocks: Vec<_> = (0..5).map(|i| marked(&format!("b{i}"), "5m")).collect();
    let err = build(json!({"model": "m", "messages": [{"role": "user", "content": blocks}]})).unwrap_err();
    assert_eq!(err.status, 400);
    assert!(err.message.contains("Found 5"), "{}", err.message);
}

#[test]
fn one_hour_after_five_minutes_is_400_but_before_is_fine() {
    let bad = json!({"model": "m", "system": [marked("s", "5m")],
        "messages": [{"role": "user", "content": [marked("u", "1h")]}]});
    assert_eq!(build(bad).unwrap_err().status, 400);
    let good = json!({"model": "m", "system": [marked("s", "1h")],
        "messages": [{"role": "user", "content": [marked("u", "5m")]}]});
    assert!(build(good).is_ok());
}

#[test]
fn cache_control_on_empty_text_is_400() {
    let v = json!({"model": "m", "messages": [{"role": "user", "content": [marked("", "5m")]}]});
    assert_eq!(build(v).unwrap_err().status, 400);
}

#[test]
fn automatic_caching_marks_last_block_and_uses_a_slot() {
    let p = build(json!({"model": "m", "cache_control": {"type": "ephemeral"},
        "messages": [{"role": "user", "content": [text("a"), text("b")]}]}))
    .unwrap();
    let bps: Vec<_> = p.breakpoints().collect();
    assert_eq!(bps, vec![(1, Ttl::FiveMinutes)]);

    let four: Vec<_> = (0..4).map(|i| marked(&format!("b{i}"), "5m")).chain([text("tail")]).collect();
    let full = json!({"model": "m", "cache_control": {"type": "ephemeral"},
        "messages": [{"role": "user", "content": four}]});
    assert_eq!(build(full).unwrap_err().status, 400);

    let clash = json!({"model": "m", "cache_control": {"type": "ephemeral"},
        "messages": [{"role": "user", "content": [marked("a", "1h")]}]});
    assert_eq!(build(clash).unwrap_err().status, 400);
}
