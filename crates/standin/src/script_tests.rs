use serde_json::json;

use super::*;

fn req(system: &str, user: &str, model: &str) -> MessagesRequest {
    let v = json!({"model": model, "max_tokens": 10, "system": system,
        "messages": [{"role": "user", "content": "earlier"}, {"role": "assistant", "content": "a"},
                     {"role": "user", "content": user}]});
    MessagesRequest::parse(v.to_string().as_bytes()).unwrap()
}

fn state(v: serde_json::Value) -> ScriptState {
    let script: Script = serde_json::from_value(v).unwrap();
    ScriptState::install(&script).unwrap()
}

#[test]
fn parses_the_documented_json_shape() {
    let script: Script = serde_json::from_value(json!({"rules": [
        {"match": {"user_contains": "x"}, "fault": {"kind": "rate_limit", "retry_after_secs": 3}, "times": "once"},
        {"fault": {"kind": "slow", "delay_ms": 50}, "times": 2},
        {"reply": {"text": "hi", "output_tokens": 7, "tool_use": {"name": "t", "input": {"a": 1}}}}
    ], "default_reply": {"text": "d"}}))
    .unwrap();
    assert_eq!(script.rules[0].times, Times::Once);
    assert_eq!(script.rules[0].fault, Some(Fault::RateLimit { retry_after_secs: 3 }));
    assert_eq!(script.rules[1].times, Times::Count(2));
    assert_eq!(script.rules[2].times, Times::Always);
    let back: Script = serde_json::from_value(serde_json::to_value(&script).unwrap()).unwrap();
    assert_eq!(back, script);
}

#[test]
fn unknown_fields_and_bad_regexes_are_rejected() {
    assert!(serde_json::from_value::<Script>(json!({"rules": [{"mtch": {}}]})).is_err());
    let bad = Script { rules: vec![Rule::any().when_user_regex("(")], default_reply: None };
    assert!(ScriptState::install(&bad).is_err());
}

#[test]
fn matches_on_system_last_user_message_and_model() {
    let mut s = state(json!({"rules": [
        {"match": {"system_regex": "^You are a reviewer"}, "reply": {"text": "review"}},
        {"match": {"user_contains": "deploy"}, "reply": {"text": "deploying"}},
        {"match": {"model": "claude-haiku-4-5"}, "reply": {"text": "haiku"}}
    ], "default_reply": {"text": "default"}}));
    let text = |a: Action| a.reply.text.unwrap();
    assert_eq!(text(s.choose(&req("You are a reviewer.", "x", "claude-sonnet-4-6"))), "review");
    assert_eq!(text(s.choose(&req("sys", "please deploy", "claude-sonnet-4-6"))), "deploying");
    // Only the last user message counts: "earlier" is not it.
    assert_eq!(text(s.choose(&req("sys", "earlier", "claude-haiku-4-5"))), "haiku");
    assert_eq!(text(s.choose(&req("sys", "x", "claude-sonnet-4-6"))), "default");
}

#[test]
fn once_n_times_and_always() {
    let mut s = state(json!({"rules": [
        {"match": {"user_contains": "a"}, "fault": {"kind": "overloaded"}, "times": "once"},
        {"match": {"user_contains": "b"}, "fault": {"kind": "server_error"}, "times": 2},
        {"match": {"user_contains": "c"}, "fault": {"kind": "conflict"}}
    ]}));
    let fault = |s: &mut ScriptState, u: &str| s.choose(&req("", u, "m")).fault;
    assert_eq!(fault(&mut s, "a"), Some(Fault::Overloaded));
    assert_eq!(fault(&mut s, "a"), None);
    assert_eq!(fault(&mut s, "b"), Some(Fault::ServerError));
    assert_eq!(fault(&mut s, "b"), Some(Fault::ServerError));
    assert_eq!(fault(&mut s, "b"), None);
    for _ in 0..5 {
        assert_eq!(fault(&mut s, "c"), Some(Fault::Conflict));
    }
}

#[test]
fn builder_matches_json() {
    let built = Rule::any().when_user_contains("x").fault(Fault::SpendCap).times(Times::Once);
    let parsed: Rule = serde_json::from_value(json!(
        {"match": {"user_contains": "x"}, "fault": {"kind": "spend_cap"}, "times": "once"}))
    .unwrap();
    assert_eq!(built, parsed);
    assert!(Rule::any().matcher.is_empty());
}
