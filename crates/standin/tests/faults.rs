//! Every scripted fault kind, as seen on the wire.

mod common;

use std::time::{Duration, Instant};

use common::*;
use devteam_standin::{Fault, Reply, Rule, Script, Times};
use serde_json::json;

fn faulted(fault: Fault) -> devteam_standin::Handle {
    let h = start();
    h.push_rule(Rule::any().when_user_contains("boom").fault(fault).times(Times::Once)).unwrap();
    h
}

#[test]
fn http_error_faults_have_the_documented_status_type_and_headers() {
    let cases = [
        (Fault::RateLimit { retry_after_secs: 7 }, 429, "rate_limit_error"),
        (Fault::SpendCap, 429, "rate_limit_error"),
        (Fault::Overloaded, 529, "overloaded_error"),
        (Fault::ServerError, 500, "api_error"),
        (Fault::RequestTimeout, 408, "timeout_error"),
        (Fault::Conflict, 409, "conflict_error"),
    ];
    for (fault, status, kind) in cases {
        let h = faulted(fault.clone());
        let r = post(&h, "/v1/messages", &simple("claude-sonnet-4-6", "boom"));
        assert_eq!((r.status, r.json()["error"]["type"].as_str()), (status, Some(kind)), "{fault:?}");
        assert!(r.header("request-id").is_some());
        match fault {
            Fault::RateLimit { .. } => assert_eq!(r.header("retry-after"), Some("7")),
            Fault::SpendCap => {
                assert_eq!(r.header("retry-after"), None);
                assert_eq!(r.header("x-should-retry"), Some("false"));
            }
            _ => assert_eq!(r.header("retry-after"), None),
        }
        // "once": the retry succeeds, and only it is billed.
        assert_eq!(post(&h, "/v1/messages", &simple("claude-sonnet-4-6", "boom")).status, 200);
        assert_eq!(h.ledger().len(), 1);
    }
}

#[test]
fn dropped_connection_sends_no_response() {
    let h = faulted(Fault::DropConnection);
    let body = simple("claude-sonnet-4-6", "boom").to_string();
    let r = send(h.addr(), "POST", "/v1/messages", &auth(), &body);
    assert!(r.is_err(), "expected no response");
    assert!(h.ledger().is_empty());
    assert_eq!(post(&h, "/v1/messages", &simple("claude-sonnet-4-6", "boom")).status, 200);
}

#[test]
fn stream_error_arrives_after_http_200() {
    let h = faulted(Fault::StreamError);
    let mut body = simple("claude-sonnet-4-6", "boom with a longer reply");
    body["stream"] = json!(true);
    let r = post(&h, "/v1/messages", &body);
    assert_eq!(r.status, 200);
    let events = r.events();
    assert_eq!(events[0].0, "message_start");
    let (name, data) = events.last().unwrap();
    assert_eq!((name.as_str(), data["error"]["type"].as_str()), ("error", Some("overloaded_error")));
    let entry = &h.ledger()[0];
    assert!(!entry.completed && entry.stream);
}

#[test]
fn stream_error_on_a_non_streaming_request_is_a_529() {
    let h = faulted(Fault::StreamError);
    assert_eq!(post(&h, "/v1/messages", &simple("claude-sonnet-4-6", "boom")).status, 529);
}

#[test]
fn slow_reply_waits_before_answering() {
    let h = faulted(Fault::Slow { delay_ms: 250 });
    let t = Instant::now();
    let r = post(&h, "/v1/messages", &simple("claude-sonnet-4-6", "boom"));
    assert_eq!(r.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(250));
}

#[test]
fn max_tokens_and_refusal_stop_reasons() {
    let h = start();
    h.script(Script {
        rules: vec![
            Rule::any().when_user_contains("long").fault(Fault::MaxTokens),
            Rule::any().when_user_contains("bad").fault(Fault::Refusal),
        ],
        default_reply: Some(Reply::text("fine").with_output_tokens(12)),
    })
    .unwrap();
    let long = post(&h, "/v1/messages", &simple("claude-sonnet-4-6", "long")).json();
    assert_eq!(
        (long["stop_reason"].as_str(), long["usage"]["output_tokens"].as_u64()),
        (Some("max_tokens"), Some(256))
    );
    let bad = post(&h, "/v1/messages", &simple("claude-sonnet-4-6", "bad")).json();
    assert_eq!(bad["stop_reason"], "refusal");
    let fine = post(&h, "/v1/messages", &simple("claude-sonnet-4-6", "other")).json();
    assert_eq!(
        (fine["content"][0]["text"].as_str(), fine["usage"]["output_tokens"].as_u64()),
        (Some("fine"), Some(12))
    );
}

#[test]
fn script_endpoint_installs_rules_and_rejects_bad_ones() {
    let h = start();
    let script =
        json!({"rules": [{"match": {"model": "claude-haiku-4-5"}, "fault": {"kind": "overloaded"}, "times": 2}]});
    assert_eq!(post(&h, "/_standin/script", &script).status, 200);
    let statuses: Vec<u16> =
        (0..3).map(|_| post(&h, "/v1/messages", &simple("claude-haiku-4-5", "x")).status).collect();
    assert_eq!(statuses, vec![529, 529, 200]);
    let bad = json!({"rules": [{"match": {"user_regex": "("}}]});
    assert_eq!(post(&h, "/_standin/script", &bad).status, 400);
    let rule = json!({"reply": {"text": "appended"}});
    assert_eq!(post(&h, "/_standin/rule", &rule).status, 200);
    let r = post(&h, "/v1/messages", &simple("claude-sonnet-4-6", "x")).json();
    assert_eq!(r["content"][0]["text"], "appended");
}

#[test]
fn binary_prints_its_address_and_loads_a_script() {
    use std::io::BufRead;
    let dir = std::env::temp_dir().join(format!("standin-script-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("script.json");
    std::fs::write(&path, r#"{"default_reply": {"text": "from file"}}"#).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_standin"))
        .args(["--script", path.to_str().unwrap(), "--api-key", KEY])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("listening on http://").expect("first line").to_string();
    let r = send(url.parse().unwrap(), "POST", "/v1/messages", &auth(), &simple("claude-sonnet-4-6", "x").to_string());
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(r.unwrap().json()["content"][0]["text"], "from file");
}
