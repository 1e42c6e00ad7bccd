//! `ApiError`: every way a call to the Claude API can fail, worded as what to do about it.
//! Callers branch on [`ApiError::kind`] and [`ApiError::is_retryable`] (the router upgrades the
//! model on some failures); people read the `Display`. No message ever contains the credential:
//! server-provided text is scrubbed of it before it is stored here.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::Deserialize;

use crate::api::config::Secret;
use crate::api::retry::RetryHints;

/// Longest server-provided message kept; a proxy's HTML error page is not worth more.
const MAX_MESSAGE_CHARS: usize = 500;

/// An HTTP error reply (or a mid-stream `event: error`), as the API described it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorReply {
    /// HTTP status; 200 for an error event inside a stream that had started.
    pub status: u16,
    /// The body's `error.type` (`overloaded_error`, ...); empty when the body was not the API's.
    pub error_type: String,
    /// The body's `error.message`, or the start of a non-API body.
    pub message: String,
    /// `request-id` header, else the body's `request_id`.
    pub request_id: Option<String>,
    pub retry_after: Option<Duration>,
    /// `x-should-retry`, which overrides our own judgement.
    pub should_retry: Option<bool>,
    /// `error.details.error_code`, e.g. `enforced_spend_limit_reached`.
    pub error_code: Option<String>,
    /// Retries made before giving up.
    pub retries: u32,
}

/// What kind of failure, for callers that branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Credentials or base URL unusable; nothing was sent.
    Config,
    Authentication,
    Permission,
    InvalidRequest,
    ModelNotFound,
    NotFound,
    RateLimited,
    SpendCap,
    Overloaded,
    Server,
    /// Any other HTTP status (402 billing, 408, 409, ...).
    Status,
    Transport,
    Decode,
    /// The stream broke after it had started.
    Stream,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no Claude API credentials: set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN for a bearer token)")]
    MissingCredentials,
    #[error(
        "both ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN are set: unset one of them (the API refuses requests that carry both)"
    )]
    ConflictingCredentials,
    #[error("ANTHROPIC_BASE_URL={url:?} is not a usable http(s) URL: {reason}")]
    BadBaseUrl { url: String, reason: String },
    #[error("{variable} contains characters that cannot be sent in an HTTP header: set it to the key alone")]
    UnusableCredential { variable: &'static str },
    #[error("cannot set up the HTTP client")]
    Client(#[source] reqwest::Error),
    #[error("cannot encode the request as JSON")]
    Encode(#[source] serde_json::Error),
    #[error("the API rejected the credentials (HTTP 401): check that {variable} holds a valid, active key{}", rid(.reply))]
    Authentication { variable: &'static str, reply: Box<ErrorReply> },
    #[error("the credentials in {variable} may not do this (HTTP 403): {}{}", .reply.message, rid(.reply))]
    Permission { variable: &'static str, reply: Box<ErrorReply> },
    #[error("the API rejected the request (HTTP {}): {}{}", .0.status, .0.message, rid(.0))]
    InvalidRequest(Box<ErrorReply>),
    #[error("model {model:?} was not found (HTTP 404: {}): check the model id; it may have been retired{}", .reply.message, rid(.reply))]
    ModelNotFound { model: String, reply: Box<ErrorReply> },
    #[error("not found (HTTP 404): {}{}", .0.message, rid(.0))]
    NotFound(Box<ErrorReply>),
    #[error("rate limited by the API (HTTP 429), {}: {}; lower concurrency or try again later{}", retried(.0), .0.message, rid(.0))]
    RateLimited(Box<ErrorReply>),
    #[error("the spend cap or usage limit was hit (HTTP 429 with no retry-after), so it was not retried: {}; raise the limit in the Claude Console or wait until access resumes{}", .0.message, rid(.0))]
    SpendCap(Box<ErrorReply>),
    #[error("the API is overloaded (HTTP 529), {}; try again later or use another model{}", retried(.0), rid(.0))]
    Overloaded(Box<ErrorReply>),
    #[error("the API failed (HTTP {}), {}: {}; try again later{}", .0.status, retried(.0), .0.message, rid(.0))]
    Server(Box<ErrorReply>),
    #[error("the API answered HTTP {} ({}), {}: {}{}", .0.status, .0.error_type, retried(.0), .0.message, rid(.0))]
    Status(Box<ErrorReply>),
    #[error("could not reach the API at {url} ({}), {}: check the network and ANTHROPIC_BASE_URL", if *.timed_out { "timed out" } else { "connection failed" }, retried_n(*.retries))]
    Transport {
        url: String,
        retries: u32,
        timed_out: bool,
        #[source]
        source: reqwest::Error,
    },
    #[error("could not read the API's {what}: {reason}{}", rid_opt(.request_id.as_deref()))]
    Decode { what: &'static str, reason: String, request_id: Option<String> },
    #[error("the reply stream broke after it had started ({}): {}; not retried because part of the reply had already arrived{}", .0.error_type, .0.message, rid(.0))]
    Stream(Box<ErrorReply>),
}

impl ApiError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::MissingCredentials
            | Self::ConflictingCredentials
            | Self::BadBaseUrl { .. }
            | Self::UnusableCredential { .. }
            | Self::Client(_) => ErrorKind::Config,
            Self::Encode(_) => ErrorKind::InvalidRequest,
            Self::Authentication { .. } => ErrorKind::Authentication,
            Self::Permission { .. } => ErrorKind::Permission,
            Self::InvalidRequest(_) => ErrorKind::InvalidRequest,
            Self::ModelNotFound { .. } => ErrorKind::ModelNotFound,
            Self::NotFound(_) => ErrorKind::NotFound,
            Self::RateLimited(_) => ErrorKind::RateLimited,
            Self::SpendCap(_) => ErrorKind::SpendCap,
            Self::Overloaded(_) => ErrorKind::Overloaded,
            Self::Server(_) => ErrorKind::Server,
            Self::Status(_) => ErrorKind::Status,
            Self::Transport { .. } => ErrorKind::Transport,
            Self::Decode { .. } => ErrorKind::Decode,
            Self::Stream(_) => ErrorKind::Stream,
        }
    }

    /// Whether the same request might succeed if sent again later. The server's
    /// `x-should-retry` decides when it was given. A broken stream counts when its error type is
    /// a transient one, though the client itself never re-sends a stream that had started.
    pub fn is_retryable(&self) -> bool {
        if let Some(verdict) = self.reply().and_then(|r| r.should_retry) {
            return verdict;
        }
        match self {
            Self::Transport { .. } | Self::RateLimited(_) | Self::Overloaded(_) | Self::Server(_) => true,
            Self::Status(r) => matches!(r.status, 408 | 409),
            Self::Stream(r) => {
                matches!(r.error_type.as_str(), "overloaded_error" | "api_error" | "rate_limit_error" | "timeout_error")
            }
            _ => false,
        }
    }

    /// The API's request id, for support tickets and logs.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Decode { request_id, .. } => request_id.as_deref(),
            _ => self.reply().and_then(|r| r.request_id.as_deref()),
        }
    }

    /// Retries made before this error was returned.
    #[cfg_attr(not(test), expect(dead_code, reason = "diagnostics for callers; the API tests check it"))]
    pub fn retries(&self) -> u32 {
        match self {
            Self::Transport { retries, .. } => *retries,
            _ => self.reply().map_or(0, |r| r.retries),
        }
    }

    /// The HTTP error reply behind this error, if there was one.
    pub fn reply(&self) -> Option<&ErrorReply> {
        match self {
            Self::Authentication { reply, .. } | Self::Permission { reply, .. } | Self::ModelNotFound { reply, .. } => {
                Some(reply.as_ref())
            }
            Self::InvalidRequest(r)
            | Self::NotFound(r)
            | Self::RateLimited(r)
            | Self::SpendCap(r)
            | Self::Overloaded(r)
            | Self::Server(r)
            | Self::Status(r)
            | Self::Stream(r) => Some(r.as_ref()),
            _ => None,
        }
    }

    /// Records how many retries preceded this error.
    pub(crate) fn with_retries(mut self, n: u32) -> Self {
        match &mut self {
            Self::Transport { retries, .. } => *retries = n,
            other => {
                if let Some(reply) = other.reply_mut() {
                    reply.retries = n;
                }
            }
        }
        self
    }

    fn reply_mut(&mut self) -> Option<&mut ErrorReply> {
        match self {
            Self::Authentication { reply, .. } | Self::Permission { reply, .. } | Self::ModelNotFound { reply, .. } => {
                Some(reply.as_mut())
            }
            Self::InvalidRequest(r)
            | Self::NotFound(r)
            | Self::RateLimited(r)
            | Self::SpendCap(r)
            | Self::Overloaded(r)
            | Self::Server(r)
            | Self::Status(r)
            | Self::Stream(r) => Some(r.as_mut()),
            _ => None,
        }
    }

    /// Classifies an HTTP error reply. `variable` names the credential in use; `model` is set
    /// for Messages endpoints, where a 404 almost always means an unknown or retired model.
    pub(crate) fn from_reply(reply: ErrorReply, variable: &'static str, model: Option<&str>) -> Self {
        let spend_cap = reply.error_code.as_deref() == Some("enforced_spend_limit_reached")
            || (reply.retry_after.is_none() && reply.should_retry != Some(true));
        // Boxed so that `Result<_, ApiError>` stays small on the happy path.
        let reply = Box::new(reply);
        match (reply.status, model) {
            (401, _) => Self::Authentication { variable, reply },
            (403, _) => Self::Permission { variable, reply },
            (404, Some(model)) => Self::ModelNotFound { model: model.to_string(), reply },
            (404, None) => Self::NotFound(reply),
            (429, _) if spend_cap => Self::SpendCap(reply),
            (429, _) => Self::RateLimited(reply),
            (529, _) => Self::Overloaded(reply),
            (500..=599, _) => Self::Server(reply),
            (400 | 413 | 422, _) => Self::InvalidRequest(reply),
            _ => Self::Status(reply),
        }
    }
}

impl ErrorReply {
    /// Reads an error response. Any occurrence of `secret` in server text is replaced, in case a
    /// proxy echoes the request's headers back.
    pub(crate) fn parse(status: u16, headers: &HeaderMap, body: &[u8], secret: Option<&Secret>) -> Self {
        let hints = RetryHints::from_headers(headers);
        let header_id = headers.get("request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
        let envelope = serde_json::from_slice::<Envelope>(body).ok();
        let (error_type, message, error_code, body_id) = match envelope {
            Some(Envelope { error: Some(detail), request_id }) => {
                (detail.kind, detail.message, detail.details.and_then(|d| d.error_code), request_id)
            }
            _ => (String::new(), String::from_utf8_lossy(body).into_owned(), None, None),
        };
        Self {
            status,
            error_type,
            message: scrub(&message, secret),
            request_id: header_id.or(body_id),
            retry_after: hints.retry_after,
            should_retry: hints.should_retry,
            error_code,
            retries: 0,
        }
    }
}

/// `{"type":"error","error":{"type":..,"message":..,"details":{"error_code":..}},"request_id":..}`,
/// used by HTTP errors, stream error events and errored batch items alike.
#[derive(Debug, Deserialize)]
pub(crate) struct Envelope {
    #[serde(default)]
    pub error: Option<ErrorDetail>,
    #[serde(default)]
    pub request_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorDetail {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    details: Option<Details>,
}

#[derive(Debug, Default, Deserialize)]
struct Details {
    #[serde(default)]
    error_code: Option<String>,
}

/// Removes the credential from server text and bounds its length.
pub(crate) fn scrub(text: &str, secret: Option<&Secret>) -> String {
    let text = match secret.map(Secret::expose) {
        Some(s) if !s.is_empty() => text.replace(s, "[redacted]"),
        _ => text.to_string(),
    };
    let text = text.trim();
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}

fn rid(reply: &ErrorReply) -> String {
    rid_opt(reply.request_id.as_deref())
}

fn rid_opt(request_id: Option<&str>) -> String {
    request_id.map_or_else(String::new, |id| format!(" [request-id {id}]"))
}

fn retried(reply: &ErrorReply) -> String {
    retried_n(reply.retries)
}

fn retried_n(retries: u32) -> String {
    match retries {
        0 => "not retried".to_string(),
        1 => "gave up after 1 retry".to_string(),
        n => format!("gave up after {n} retries"),
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
