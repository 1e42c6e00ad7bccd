//! Test-only control endpoints under `/_standin/`, for benchmarks and the `standin` binary:
//!
//! | Method and path | Body | Effect |
//! |---|---|---|
//! | `GET /_standin/ledger` | | every billed request ([`crate::LedgerEntry`] list) |
//! | `GET /_standin/requests` | | every `/v1/` request as received ([`crate::RecordedRequest`] list) |
//! | `POST /_standin/reset` | | empty cache, ledger, request log and batches; initial script; real time |
//! | `GET /_standin/clock` | | `{"offset_secs", "now"}` |
//! | `POST /_standin/clock` | `{"advance_secs": N}` | moves virtual time forward |
//! | `POST /_standin/script` | a [`crate::Script`] | replaces the script |
//! | `POST /_standin/rule` | a [`crate::Rule`] | appends one rule |

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::clock::rfc3339;
use crate::errors::ApiError;
use crate::script::{Rule, Script};
use crate::server::{Body, Ctx, error_response, json_response};
use crate::state::lock;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    advance_secs: f64,
}

#[derive(Serialize)]
struct ClockState {
    offset_secs: f64,
    now: String,
}

#[derive(Serialize)]
struct Done {
    ok: bool,
}

pub(crate) fn route(ctx: &Ctx, rest: &[&str]) -> http::Response<Body> {
    let result = match (ctx.method.as_str(), rest) {
        ("GET", ["ledger"]) => Ok(to_json(&lock(&ctx.shared.records).ledger)),
        ("GET", ["requests"]) => Ok(to_json(&lock(&ctx.shared.records).requests)),
        ("POST", ["reset"]) => {
            ctx.shared.reset();
            Ok(to_json(&Done { ok: true }))
        }
        ("GET", ["clock"]) => Ok(clock_state(ctx)),
        ("POST", ["clock"]) => advance(ctx),
        ("POST", ["script"]) => set_script(ctx),
        ("POST", ["rule"]) => push_rule(ctx),
        _ => Err(ApiError::not_found(format!("{} {} not found", ctx.method, ctx.path))),
    };
    match result {
        Ok(body) => json_response(200, body),
        Err(e) => error_response(&e, &ctx.request_id),
    }
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn parse<'a, T: Deserialize<'a>>(ctx: &'a Ctx) -> Result<T, ApiError> {
    serde_json::from_slice(&ctx.body).map_err(|e| ApiError::invalid_request(e.to_string()))
}

fn clock_state(ctx: &Ctx) -> String {
    to_json(&ClockState { offset_secs: ctx.shared.clock.offset().as_secs_f64(), now: rfc3339(ctx.shared.clock.now()) })
}

fn advance(ctx: &Ctx) -> Result<String, ApiError> {
    let body: Advance = parse(ctx)?;
    let by = Duration::try_from_secs_f64(body.advance_secs)
        .map_err(|_| ApiError::invalid_request("advance_secs must be a finite number >= 0"))?;
    ctx.shared.clock.advance(by);
    Ok(clock_state(ctx))
}

fn set_script(ctx: &Ctx) -> Result<String, ApiError> {
    let script: Script = parse(ctx)?;
    ctx.shared.set_script(&script).map_err(|e| ApiError::invalid_request(e.to_string()))?;
    Ok(to_json(&Done { ok: true }))
}

fn push_rule(ctx: &Ctx) -> Result<String, ApiError> {
    let rule: Rule = parse(ctx)?;
    lock(&ctx.shared.script).push(&rule).map_err(|e| ApiError::invalid_request(e.to_string()))?;
    Ok(to_json(&Done { ok: true }))
}
