//! Message Batches: create, retrieve, results (JSONL), cancel.
//!
//! A batch ends a configurable virtual delay after creation; its items are processed when it is
//! first observed after that (retrieve or results), at the virtual time the batch ended, through
//! the same pipeline as `/v1/messages` (cache, script, ledger) but billed at half price. Results
//! are written in reverse submission order, because the API promises no order and clients must
//! match on `custom_id`.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::rfc3339;
use crate::errors::ApiError;
use crate::server::{Body, Ctx, authenticate, error_response, json_response};
use crate::state::{Shared, lock};

/// Batches expire 24 hours after creation.
const EXPIRY: Duration = Duration::from_secs(24 * 3600);
/// The API's cap on requests per batch.
const MAX_REQUESTS: usize = 100_000;

#[derive(Debug, Deserialize)]
struct CreateBatch {
    requests: Vec<BatchRequest>,
}

/// One item. `params` stays untyped until processing because the API reports a bad item as an
/// `errored` result rather than failing the whole batch.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct BatchRequest {
    pub custom_id: String,
    pub params: Value,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub(crate) struct RequestCounts {
    pub processing: u32,
    pub succeeded: u32,
    pub errored: u32,
    pub canceled: u32,
    pub expired: u32,
}

#[derive(Debug)]
pub(crate) struct Batch {
    pub id: String,
    pub key_hash: String,
    pub created_at: SystemTime,
    pub ends_at: SystemTime,
    pub cancel_initiated_at: Option<SystemTime>,
    pub requests: Vec<BatchRequest>,
    /// JSONL lines once ended.
    pub results: Option<Vec<String>>,
    pub counts: RequestCounts,
}

#[derive(Debug, Default)]
pub(crate) struct BatchStore {
    pub batches: HashMap<String, Batch>,
}

#[derive(Serialize)]
struct BatchObject {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    processing_status: &'static str,
    request_counts: RequestCounts,
    ended_at: Option<String>,
    created_at: String,
    expires_at: String,
    cancel_initiated_at: Option<String>,
    archived_at: Option<String>,
    results_url: Option<String>,
}

pub(crate) fn create(ctx: &Ctx) -> http::Response<Body> {
    match create_batch(ctx) {
        Ok(batch) => batch,
        Err(e) => error_response(&e, &ctx.request_id),
    }
}

fn create_batch(ctx: &Ctx) -> Result<http::Response<Body>, ApiError> {
    let key_hash = authenticate(ctx)?;
    let body: CreateBatch = serde_json::from_slice(&ctx.body).map_err(|e| ApiError::invalid_request(e.to_string()))?;
    check_requests(&body.requests)?;
    let batch = Batch {
        id: ctx.shared.new_id("msgbatch"),
        key_hash,
        created_at: ctx.started,
        ends_at: ctx.started + ctx.shared.batch_delay,
        cancel_initiated_at: None,
        counts: RequestCounts {
            processing: u32::try_from(body.requests.len()).unwrap_or(u32::MAX),
            ..RequestCounts::default()
        },
        requests: body.requests,
        results: None,
    };
    let response = json_response(200, object(&batch, host(ctx)));
    lock(&ctx.shared.batches).batches.insert(batch.id.clone(), batch);
    Ok(response)
}

fn check_requests(requests: &[BatchRequest]) -> Result<(), ApiError> {
    if requests.is_empty() || requests.len() > MAX_REQUESTS {
        return Err(ApiError::invalid_request(format!("requests: a batch holds 1 to {MAX_REQUESTS} requests")));
    }
    let mut seen = std::collections::HashSet::new();
    for r in requests {
        let valid = (1..=64).contains(&r.custom_id.len())
            && r.custom_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid {
            return Err(ApiError::invalid_request(format!(
                "custom_id '{}' must match ^[a-zA-Z0-9_-]{{1,64}}$",
                r.custom_id
            )));
        }
        if !seen.insert(r.custom_id.as_str()) {
            return Err(ApiError::invalid_request(format!("duplicate custom_id '{}'", r.custom_id)));
        }
    }
    Ok(())
}

pub(crate) fn retrieve(ctx: &Ctx, id: &str) -> http::Response<Body> {
    with_batch(ctx, id, |batch, host| Ok(json_response(200, object(batch, host))))
}

pub(crate) fn cancel(ctx: &Ctx, id: &str) -> http::Response<Body> {
    with_batch(ctx, id, |batch, host| {
        if batch.results.is_none() && batch.cancel_initiated_at.is_none() {
            batch.cancel_initiated_at = Some(ctx.started);
        }
        Ok(json_response(200, object(batch, host)))
    })
}

pub(crate) fn results(ctx: &Ctx, id: &str) -> http::Response<Body> {
    with_batch(ctx, id, |batch, _| {
        let Some(lines) = &batch.results else {
            return Err(ApiError::invalid_request(format!(
                "Batch {id} has not ended; results are available once processing_status is \"ended\"."
            )));
        };
        let mut body = lines.join("\n");
        body.push('\n');
        let mut response = json_response(200, body);
        let jsonl = http::HeaderValue::from_static("application/x-jsonl");
        response.headers_mut().insert(http::header::CONTENT_TYPE, jsonl);
        Ok(response)
    })
}

/// Authenticates, finds the caller's batch, settles it if due, and runs `f` on it.
fn with_batch(
    ctx: &Ctx,
    id: &str,
    f: impl FnOnce(&mut Batch, String) -> Result<http::Response<Body>, ApiError>,
) -> http::Response<Body> {
    let run = || {
        let key_hash = authenticate(ctx)?;
        // Held across settling so two observers cannot process (and bill) a batch twice.
        let mut store = lock(&ctx.shared.batches);
        let batch = store
            .batches
            .get_mut(id)
            .filter(|b| b.key_hash == key_hash)
            .ok_or_else(|| ApiError::not_found(format!("message batch {id} not found")))?;
        settle_if_due(&ctx.shared, batch, ctx.started);
        f(batch, host(ctx))
    };
    run().unwrap_or_else(|e| error_response(&e, &ctx.request_id))
}

fn settle_if_due(shared: &Shared, batch: &mut Batch, now: SystemTime) {
    if batch.results.is_none() && (now >= batch.ends_at || batch.cancel_initiated_at.is_some()) {
        crate::batch_settle::settle(shared, batch);
    }
}

fn host(ctx: &Ctx) -> String {
    ctx.headers.get(http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_string()
}

fn object(batch: &Batch, host: String) -> String {
    let ended = batch.results.is_some();
    let status = match (ended, batch.cancel_initiated_at.is_some()) {
        (true, _) => "ended",
        (false, true) => "canceling",
        (false, false) => "in_progress",
    };
    let obj = BatchObject {
        id: batch.id.clone(),
        kind: "message_batch",
        processing_status: status,
        request_counts: batch.counts,
        ended_at: ended.then(|| rfc3339(batch.ended_at())),
        created_at: rfc3339(batch.created_at),
        expires_at: rfc3339(batch.created_at + EXPIRY),
        cancel_initiated_at: batch.cancel_initiated_at.map(rfc3339),
        archived_at: None,
        results_url: ended.then(|| format!("http://{host}/v1/messages/batches/{}/results", batch.id)),
    };
    serde_json::to_string(&obj).unwrap_or_default()
}

impl Batch {
    /// When processing finished: at cancellation, or at the scheduled end.
    pub fn ended_at(&self) -> SystemTime {
        self.cancel_initiated_at.unwrap_or(self.ends_at).min(self.ends_at)
    }

    pub fn expires_at(&self) -> SystemTime {
        self.created_at + EXPIRY
    }
}
