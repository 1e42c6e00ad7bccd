//! The steps every Messages request goes through, shared by `/v1/messages` and batch items:
//! parse and validate, look up the cache, build the reply, then commit (make cache writes
//! readable and bill) once the response begins.

use std::time::SystemTime;

use crate::cache::{CachePlan, CacheScope};
use crate::clock::{rfc3339, unix_millis};
use crate::errors::ApiError;
use crate::ledger::LedgerEntry;
use crate::models::{ModelInfo, lookup_model};
use crate::prefix::Prefix;
use crate::reply::{self, MessageResponse, Usage};
use crate::request::MessagesRequest;
use crate::script::{Action, Fault};
use crate::state::{Shared, lock};

/// A validated request with its cache prefix.
pub(crate) struct Prepared {
    pub req: MessagesRequest,
    pub model: &'static ModelInfo,
    pub prefix: Prefix,
}

/// Parses and validates a body. `create` is false for count_tokens.
pub(crate) fn prepare(body: &[u8], create: bool) -> Result<Prepared, ApiError> {
    let req = MessagesRequest::parse(body)?;
    let model = lookup_model(&req.model).ok_or_else(|| ApiError::not_found(format!("model: {}", req.model)))?;
    req.validate(model, create)?;
    let prefix = Prefix::build(&req)?;
    Ok(Prepared { req, model, prefix })
}

/// The error a fault answers with instead of a reply, if it is that kind of fault. A stream error
/// on a non-streaming request has no stream to break, so it becomes the equivalent 529.
pub(crate) fn fault_error(fault: Option<&Fault>, stream: bool) -> Option<ApiError> {
    Some(match fault? {
        Fault::RateLimit { retry_after_secs } => ApiError::rate_limit(*retry_after_secs),
        Fault::SpendCap => ApiError::spend_cap(),
        Fault::Overloaded => ApiError::overloaded(),
        Fault::ServerError => ApiError::internal(),
        Fault::RequestTimeout => ApiError::request_timeout(),
        Fault::Conflict => ApiError::conflict(),
        Fault::StreamError if !stream => ApiError::overloaded(),
        _ => return None,
    })
}

/// Who is billed for what, and how.
pub(crate) struct Billing<'a> {
    pub request_id: &'a str,
    pub key_hash: &'a str,
    pub started: SystemTime,
    /// `(batch_id, custom_id)` for batch items, which are billed at half price.
    pub batch: Option<(&'a str, &'a str)>,
}

/// A reply whose usage is known and whose cache writes wait for [`commit`].
pub(crate) struct Pending {
    pub message: MessageResponse,
    plan: CachePlan,
    entry: LedgerEntry,
}

/// Looks up the cache and builds the reply, changing nothing yet.
pub(crate) fn plan(shared: &Shared, p: &Prepared, action: &Action, billing: &Billing<'_>) -> Pending {
    let plan = look_up(shared, p, billing);
    let limit = p.req.max_tokens.unwrap_or(u32::MAX);
    let outcome = reply::outcome(action, p.model.id, limit, shared.new_id("toolu"));
    let usage = Usage::new(p.prefix.total_tokens, plan.usage, outcome.output_tokens, billing.batch.is_some());
    let message = MessageResponse {
        id: shared.new_id("msg"),
        kind: "message",
        role: "assistant",
        content: outcome.content,
        model: p.model.id.to_string(),
        stop_reason: Some(outcome.stop_reason),
        stop_sequence: None,
        usage: usage.clone(),
    };
    let entry = ledger_entry(p, billing, usage, outcome.stop_reason);
    Pending { message, plan, entry }
}

/// Cache lookup in the caller's scope: caches are per API key and per model.
fn look_up(shared: &Shared, p: &Prepared, billing: &Billing<'_>) -> CachePlan {
    let scope = CacheScope { workspace: billing.key_hash.to_string(), model: p.model.id.to_string() };
    let min = p.model.min_cacheable_tokens;
    lock(&shared.cache).plan(&scope, &p.prefix, min, billing.started)
}

/// The ledger line for a request that completes normally; `commit` adjusts a broken stream.
fn ledger_entry(p: &Prepared, billing: &Billing<'_>, usage: Usage, stop_reason: &str) -> LedgerEntry {
    LedgerEntry {
        request_id: billing.request_id.to_string(),
        model: p.model.id.to_string(),
        usage,
        stream: p.req.stream,
        batch: billing.batch.is_some(),
        batch_id: billing.batch.map(|b| b.0.to_string()),
        custom_id: billing.batch.map(|b| b.1.to_string()),
        price_multiplier: if billing.batch.is_some() { 0.5 } else { 1.0 },
        api_key_hash: billing.key_hash.to_string(),
        stop_reason: Some(stop_reason.to_string()),
        completed: true,
        time: rfc3339(billing.started),
        unix_ms: unix_millis(billing.started),
    }
}

/// The response has begun: cache writes become readable, the hit is refreshed, and the request
/// is billed. A stream that breaks with an error event still bills its input; its output is the
/// placeholder count sent before the break.
pub(crate) fn commit(shared: &Shared, pending: &Pending, completed: bool) {
    lock(&shared.cache).commit(&pending.plan);
    let mut entry = pending.entry.clone();
    if !completed {
        entry.completed = false;
        entry.stop_reason = None;
        entry.usage.output_tokens = entry.usage.output_tokens.min(1);
    }
    lock(&shared.records).ledger.push(entry);
}
