//! `POST /v1/messages` and `POST /v1/messages/count_tokens`.

use std::time::Duration;

use serde::Serialize;

use crate::errors::ApiError;
use crate::pipeline::{self, Billing, fault_error, prepare};
use crate::script::Fault;
use crate::server::{Body, Ctx, Dropped, Outcome, authenticate, error_response, json_response, sse_response};
use crate::sse;
use crate::state::lock;

/// Why a create produced no normal reply.
enum Failure {
    Api(ApiError),
    Drop,
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Api(e)
    }
}

pub(crate) async fn create(ctx: Ctx) -> Outcome {
    match create_reply(&ctx).await {
        Ok(response) => Ok(response),
        Err(Failure::Api(e)) => Ok(error_response(&e, &ctx.request_id)),
        Err(Failure::Drop) => Err(Dropped),
    }
}

async fn create_reply(ctx: &Ctx) -> Result<http::Response<Body>, Failure> {
    let key_hash = authenticate(ctx)?;
    let p = prepare(&ctx.body, true)?;
    let action = lock(&ctx.shared.script).choose(&p.req);
    if action.fault == Some(Fault::DropConnection) {
        return Err(Failure::Drop);
    }
    if let Some(err) = fault_error(action.fault.as_ref(), p.req.stream) {
        return Err(err.into());
    }
    let billing = Billing { request_id: &ctx.request_id, key_hash: &key_hash, started: ctx.started, batch: None };
    let pending = pipeline::plan(&ctx.shared, &p, &action, &billing);
    // The delay sits before the response begins, so requests arriving meanwhile miss the cache
    // entries this one is about to write, exactly like parallel requests on the real API.
    if let Some(Fault::Slow { delay_ms }) = action.fault {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    }
    let broken = action.fault == Some(Fault::StreamError);
    pipeline::commit(&ctx.shared, &pending, !broken);
    let response = if !p.req.stream {
        json_response(200, serde_json::to_string(&pending.message).unwrap_or_default())
    } else if broken {
        sse_response(sse::broken_stream(&pending.message, &ApiError::overloaded(), &ctx.request_id))
    } else {
        sse_response(sse::stream(&pending.message))
    };
    Ok(response)
}

#[derive(Serialize)]
struct TokenCount {
    input_tokens: u32,
}

/// Free and unbilled; the same count a create would bill as total input. Scripted faults do not
/// apply here, since they model generation failures.
pub(crate) fn count_tokens(ctx: &Ctx) -> http::Response<Body> {
    let counted = authenticate(ctx).and_then(|_| prepare(&ctx.body, false));
    match counted {
        Ok(p) => {
            let body = TokenCount { input_tokens: p.prefix.total_tokens };
            json_response(200, serde_json::to_string(&body).unwrap_or_default())
        }
        Err(e) => error_response(&e, &ctx.request_id),
    }
}
