//! The HTTP/1.1 server: accept loop, routing, authentication and the headers every response has.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::clock::{rfc3339, unix_millis};
use crate::errors::ApiError;
use crate::ledger::{RecordedRequest, body_value, key_hash};
use crate::state::{Shared, lock};
use crate::{batches, control, messages};

pub(crate) type Body = Full<Bytes>;

/// Returned by a handler to close the connection without answering (the dropped-connection
/// fault). Hyper closes the connection when the service fails.
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

pub(crate) type Outcome = Result<Response<Body>, Dropped>;

/// One request, fully read.
pub(crate) struct Ctx {
    pub shared: Arc<Shared>,
    pub request_id: String,
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Virtual time at arrival: cache lifetimes count from here.
    pub started: SystemTime,
}

/// The API's per-request size limit for Messages.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Accepts connections until `stop` fires.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>, mut stop: oneshot::Receiver<()>) {
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(shared.clone(), req));
                    // Connection errors (including our own drops) only end that connection.
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        }
    }
}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Outcome {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map_err(|_| Dropped)?.to_bytes();
    let ctx = Ctx {
        request_id: shared.new_id("req"),
        started: shared.clock.now(),
        shared,
        method: parts.method,
        path: parts.uri.path().to_string(),
        headers: parts.headers,
        body,
    };
    let (request_id, started) = (ctx.request_id.clone(), ctx.started);
    if ctx.path.starts_with("/v1/") {
        record(&ctx);
    }
    let mut response = if ctx.body.len() > MAX_BODY_BYTES {
        error_response(&ApiError::request_too_large(), &request_id)
    } else {
        route(ctx).await?
    };
    decorate(response.headers_mut(), &request_id, started);
    Ok(response)
}

async fn route(ctx: Ctx) -> Outcome {
    let path = ctx.path.clone();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let response = match (&ctx.method, segments.as_slice()) {
        (&Method::POST, ["v1", "messages"]) => return messages::create(ctx).await,
        (&Method::POST, ["v1", "messages", "count_tokens"]) => messages::count_tokens(&ctx),
        (&Method::POST, ["v1", "messages", "batches"]) => batches::create(&ctx),
        (&Method::GET, ["v1", "messages", "batches", id]) => batches::retrieve(&ctx, id),
        (&Method::GET, ["v1", "messages", "batches", id, "results"]) => batches::results(&ctx, id),
        (&Method::POST, ["v1", "messages", "batches", id, "cancel"]) => batches::cancel(&ctx, id),
        (_, ["_standin", rest @ ..]) => control::route(&ctx, rest),
        _ => error_response(&ApiError::not_found(format!("{} {path} not found", ctx.method)), &ctx.request_id),
    };
    Ok(response)
}

fn record(ctx: &Ctx) {
    let header = |name: &str| ctx.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let entry = RecordedRequest {
        request_id: ctx.request_id.clone(),
        method: ctx.method.to_string(),
        path: ctx.path.clone(),
        api_key_hash: presented_key(&ctx.headers).map(|k| key_hash(&k)),
        anthropic_version: header("anthropic-version"),
        anthropic_beta: header("anthropic-beta"),
        body: body_value(&ctx.body),
        unix_ms: unix_millis(ctx.started),
    };
    lock(&ctx.shared.records).requests.push(entry);
}

/// The key from `x-api-key` or `Authorization: Bearer`, whichever is present.
fn presented_key(headers: &HeaderMap) -> Option<String> {
    let api_key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    api_key.or(bearer).map(str::to_string)
}

/// Checks credentials and the version header like the API; returns the key's hash (the cache
/// and ledger scope).
pub(crate) fn authenticate(ctx: &Ctx) -> Result<String, ApiError> {
    let has_api_key = ctx.headers.contains_key("x-api-key");
    let has_auth = ctx.headers.contains_key("authorization");
    if has_api_key && has_auth {
        return Err(ApiError::authentication("Both x-api-key and Authorization headers were provided; send only one."));
    }
    let key = presented_key(&ctx.headers).filter(|k| !k.is_empty());
    let Some(key) = key else {
        return Err(ApiError::authentication("x-api-key header is required"));
    };
    if ctx.shared.api_key.as_deref().is_some_and(|expected| expected != key) {
        return Err(ApiError::authentication("invalid x-api-key"));
    }
    if !ctx.headers.contains_key("anthropic-version") {
        return Err(ApiError::invalid_request("anthropic-version: header is required"));
    }
    Ok(key_hash(&key))
}

pub(crate) fn json_response(status: u16, body: String) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
    let ct = HeaderValue::from_static("application/json");
    response.headers_mut().insert(http::header::CONTENT_TYPE, ct);
    response
}

pub(crate) fn sse_response(body: String) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    let headers = response.headers_mut();
    headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(http::header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

pub(crate) fn error_response(err: &ApiError, request_id: &str) -> Response<Body> {
    let mut response = json_response(err.status, err.body(request_id));
    let headers = response.headers_mut();
    if let Some(secs) = err.retry_after {
        headers.insert("retry-after", HeaderValue::from(secs));
    }
    if let Some(retry) = err.should_retry {
        headers.insert("x-should-retry", HeaderValue::from_static(if retry { "true" } else { "false" }));
    }
    response
}

/// `request-id` and the `anthropic-ratelimit-*` family on every response.
fn decorate(headers: &mut HeaderMap, request_id: &str, now: SystemTime) {
    const LIMITS: [(&str, u64); 4] =
        [("requests", 4_000), ("tokens", 2_400_000), ("input-tokens", 2_000_000), ("output-tokens", 400_000)];
    let limited = headers.contains_key("retry-after") || headers.contains_key("x-should-retry");
    let reset = rfc3339(now + Duration::from_secs(60));
    for (name, limit) in LIMITS {
        let remaining = if limited {
            0
        } else if name == "requests" {
            limit - 1
        } else {
            limit
        };
        put(headers, format!("anthropic-ratelimit-{name}-limit"), &limit.to_string());
        put(headers, format!("anthropic-ratelimit-{name}-remaining"), &remaining.to_string());
        put(headers, format!("anthropic-ratelimit-{name}-reset"), &reset);
    }
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("request-id", v);
    }
    headers.insert("anthropic-organization-id", HeaderValue::from_static("standin-org"));
}

fn put(headers: &mut HeaderMap, name: String, value: &str) {
    if let (Ok(name), Ok(value)) = (http::HeaderName::try_from(name), HeaderValue::from_str(value)) {
        headers.insert(name, value);
    }
}
