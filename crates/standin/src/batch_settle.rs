//! Processing a batch's items once it ends: each goes through the Messages pipeline at the
//! batch's end time, billed at half price; bad items become `errored` results.

use std::time::SystemTime;

use serde::Serialize;

use crate::batches::{Batch, BatchRequest, RequestCounts};
use crate::errors::{ApiError, ErrorBody};
use crate::pipeline::{self, Billing, fault_error, prepare};
use crate::reply::MessageResponse;
use crate::state::{Shared, lock};

enum ItemResult {
    Succeeded(MessageResponse),
    Errored(ApiError, String),
    Canceled,
    Expired,
}

#[derive(Serialize)]
struct Line<'a> {
    custom_id: &'a str,
    result: ResultJson<'a>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ResultJson<'a> {
    Succeeded { message: &'a MessageResponse },
    Errored { error: ErrorBody<'a> },
    Canceled,
    Expired,
}

/// Computes every item's result, bills the successes, and stores the JSONL lines.
pub(crate) fn settle(shared: &Shared, batch: &mut Batch) {
    let canceled = batch.cancel_initiated_at.is_some_and(|c| c < batch.ends_at);
    let expired = batch.ends_at >= batch.expires_at();
    let started = batch.ended_at();
    let mut counts = RequestCounts::default();
    let mut lines: Vec<String> = batch
        .requests
        .iter()
        .map(|item| {
            let result = match (canceled, expired) {
                (true, _) => ItemResult::Canceled,
                (false, true) => ItemResult::Expired,
                (false, false) => process(shared, &batch.id, &batch.key_hash, started, item),
            };
            count(&mut counts, &result);
            line(&item.custom_id, &result)
        })
        .collect();
    // Reverse order on purpose: results come in no promised order.
    lines.reverse();
    batch.results = Some(lines);
    batch.counts = counts;
}

fn process(shared: &Shared, batch_id: &str, key_hash: &str, started: SystemTime, item: &BatchRequest) -> ItemResult {
    let request_id = shared.new_id("req");
    let body = serde_json::to_vec(&item.params).unwrap_or_default();
    let p = match prepare(&body, true) {
        Ok(p) => p,
        Err(e) => return ItemResult::Errored(e, request_id),
    };
    if p.req.stream {
        let e = ApiError::invalid_request("stream: streaming is not supported for batch requests");
        return ItemResult::Errored(e, request_id);
    }
    let action = lock(&shared.script).choose(&p.req);
    // Faults that answer with an HTTP error become errored items; transport faults (drops,
    // delays) have no meaning inside a batch and are ignored.
    if let Some(e) = fault_error(action.fault.as_ref(), false) {
        return ItemResult::Errored(e, request_id);
    }
    let billing = Billing { request_id: &request_id, key_hash, started, batch: Some((batch_id, &item.custom_id)) };
    let pending = pipeline::plan(shared, &p, &action, &billing);
    pipeline::commit(shared, &pending, true);
    ItemResult::Succeeded(pending.message)
}

fn count(counts: &mut RequestCounts, result: &ItemResult) {
    match result {
        ItemResult::Succeeded(_) => counts.succeeded += 1,
        ItemResult::Errored(..) => counts.errored += 1,
        ItemResult::Canceled => counts.canceled += 1,
        ItemResult::Expired => counts.expired += 1,
    }
}

fn line(custom_id: &str, result: &ItemResult) -> String {
    let result = match result {
        ItemResult::Succeeded(message) => ResultJson::Succeeded { message },
        ItemResult::Errored(e, request_id) => ResultJson::Errored { error: e.envelope(request_id) },
        ItemResult::Canceled => ResultJson::Canceled,
        ItemResult::Expired => ResultJson::Expired,
    };
    serde_json::to_string(&Line { custom_id, result }).unwrap_or_default()
}
