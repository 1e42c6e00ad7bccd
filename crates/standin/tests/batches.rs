//! Message Batches over HTTP, with the virtual clock ending them.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};

fn item(id: &str, model: &str, user: &str) -> Value {
    json!({"custom_id": id, "params": simple(model, user)})
}

fn create(h: &devteam_standin::Handle, items: Vec<Value>) -> Value {
    let r = post(h, "/v1/messages/batches", &json!({"requests": items}));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

/// Creates the three-item batch the tests below share and returns its id.
fn mixed_batch(h: &devteam_standin::Handle) -> String {
    let batch = create(
        h,
        vec![
            item("first", "claude-haiku-4-5", "one"),
            item("second", "claude-sonnet-4-6", "two"),
            item("bad", "claude-unknown", "three"),
        ],
    );
    assert_eq!(batch["processing_status"], "in_progress");
    assert_eq!(batch["request_counts"]["processing"], 3);
    assert!(batch["results_url"].is_null());
    let id = batch["id"].as_str().unwrap();
    assert!(id.starts_with("msgbatch_"));
    id.to_string()
}

#[test]
fn batch_ends_after_the_virtual_delay_and_bills_half() {
    let h = start();
    let id = mixed_batch(&h);
    assert!(h.ledger().is_empty());
    h.advance(Duration::from_secs(61));
    let done = get(&h, &format!("/v1/messages/batches/{id}")).json();
    assert_eq!(done["processing_status"], "ended");
    assert_eq!(done["request_counts"]["succeeded"], 2);
    assert_eq!(done["request_counts"]["errored"], 1);
    let url = done["results_url"].as_str().unwrap();
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with("/results"));
    let ledger = h.ledger();
    assert_eq!(ledger.len(), 2);
    assert!(ledger.iter().all(|e| e.batch && e.price_multiplier == 0.5));
    assert!(ledger.iter().all(|e| e.batch_id.as_deref() == Some(id.as_str())));
    // Observing again does not bill again.
    get(&h, &format!("/v1/messages/batches/{id}/results"));
    assert_eq!(h.ledger().len(), 2);
}

#[test]
fn results_are_jsonl_matched_by_custom_id() {
    let h = start();
    let id = mixed_batch(&h);
    h.advance(Duration::from_secs(61));
    let results = get(&h, &format!("/v1/messages/batches/{id}/results"));
    let lines: Vec<Value> = results.body.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let by_id = |cid: &str| lines.iter().find(|l| l["custom_id"] == cid).unwrap()["result"].clone();
    assert_eq!(by_id("first")["type"], "succeeded");
    assert_eq!(by_id("first")["message"]["usage"]["service_tier"], "batch");
    assert_eq!(by_id("bad")["type"], "errored");
    assert_eq!(by_id("bad")["error"]["error"]["type"], "not_found_error");
    assert_ne!(lines[0]["custom_id"], "first", "results come in no promised order");
}

#[test]
fn cancel_before_the_end_cancels_every_item() {
    let h = start();
    let id = create(&h, vec![item("a", "claude-haiku-4-5", "x")])["id"].as_str().unwrap().to_string();
    let canceling = post(&h, &format!("/v1/messages/batches/{id}/cancel"), &json!({})).json();
    assert_eq!(canceling["processing_status"], "canceling");
    let ended = get(&h, &format!("/v1/messages/batches/{id}")).json();
    assert_eq!(ended["processing_status"], "ended");
    assert_eq!(ended["request_counts"]["canceled"], 1);
    let results = get(&h, &format!("/v1/messages/batches/{id}/results")).body;
    assert!(results.contains(r#""type":"canceled""#), "{results}");
    assert!(h.ledger().is_empty(), "canceled requests are not billed");
}

#[test]
fn batch_validation_and_lookup_errors() {
    let h = start();
    let bad_id = post(&h, "/v1/messages/batches", &json!({"requests": [item("has space", "claude-haiku-4-5", "x")]}));
    assert_eq!(bad_id.status, 400);
    let dup = post(
        &h,
        "/v1/messages/batches",
        &json!({"requests": [
        item("a", "claude-haiku-4-5", "x"), item("a", "claude-haiku-4-5", "y")]}),
    );
    assert_eq!(dup.status, 400);
    assert_eq!(get(&h, "/v1/messages/batches/msgbatch_nope").status, 404);
    let id = create(&h, vec![item("a", "claude-haiku-4-5", "x")])["id"].as_str().unwrap().to_string();
    assert_eq!(get(&h, &format!("/v1/messages/batches/{id}/results")).status, 400, "not ended yet");
    let other = [("x-api-key", "someone-else"), ("anthropic-version", "2023-06-01")];
    let r = send(h.addr(), "GET", &format!("/v1/messages/batches/{id}"), &other, "").unwrap();
    assert_eq!(r.status, 404, "batches are scoped to their key");
}
