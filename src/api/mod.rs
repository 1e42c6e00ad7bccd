//! The Claude API client, and the only place devteam speaks HTTP.
//!
//! One `reqwest::Client` carries the credential, `anthropic-version` and user agent as default
//! headers, with connect and overall timeouts. Every call goes through the retry loop in
//! `transport.rs` (the official SDKs' rules, see `retry.rs`) and fails with a typed [`ApiError`].

mod batches;
mod builder;
mod config;
mod error;
mod limits;
mod retry;
mod sse;
mod transport;
mod types;

#[cfg(test)]
mod tests;

use std::fmt;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde::{Deserialize, Serialize};

pub use batches::{BatchItem, BatchResult, ProcessingStatus};
pub use builder::ModelRules;
pub use config::{ApiConfig, Credential, redact_url};
pub use error::{ApiError, ErrorKind};
pub use limits::RateLimits;
pub use retry::RetryPolicy;
pub use types::{CacheTtl, CountTokensRequest, Message, MessagesRequest, Role, StopReason, TextBlock, Usage};

use transport::{Call, decode, request_id};
use types::WireRequest;

/// The API version header; 2023-06-01 is still the current one.
const API_VERSION: &str = "2023-06-01";
const USER_AGENT: &str = concat!("devteam/", env!("CARGO_PKG_VERSION"));

/// A client for one base URL and credential. Cheap to share by reference; it pools connections.
pub struct ApiClient {
    http: reqwest::Client,
    base: Url,
    credential: Credential,
    policy: RetryPolicy,
    timeout: Duration,
    connect_timeout: Duration,
}

/// The usage a stream has reported so far.
#[derive(Debug, Clone)]
pub struct Progress {
    pub usage: Usage,
    /// True once the stop reason arrived with the last cumulative usage.
    pub usage_final: bool,
    pub message_id: String,
    pub request_id: Option<String>,
}

/// A reply from `create` or `stream`, with what the caller needs to account for it.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    pub message: Message,
    /// The `request-id` header, for support and for matching the store to the API's records.
    pub request_id: Option<String>,
    /// Wall time of the whole call as the caller experienced it, retries and waits included.
    pub latency: Duration,
    /// Retries made before the reply that succeeded.
    #[cfg_attr(not(test), expect(dead_code, reason = "diagnostics for callers; the API tests check them"))]
    pub retries: u32,
    #[cfg_attr(not(test), expect(dead_code, reason = "diagnostics for callers; the API tests check them"))]
    pub rate_limits: RateLimits,
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &config::redact_url(self.base.as_str()))
            .field("credential", &self.credential)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// A `reqwest` client builder with rustls on ring installed as the process's crypto provider
/// (reqwest is built without one, to keep aws-lc-rs out of the build). Every HTTP client in
/// devteam is built through here.
pub fn client_builder() -> reqwest::ClientBuilder {
    // Fails only when a provider is installed already, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

impl ApiClient {
    /// Builds the client; refuses missing or conflicting credentials and unusable base URLs
    /// before anything is sent.
    pub fn new(config: &ApiConfig) -> Result<Self, ApiError> {
        let base = parse_base_url(&config.base_url)?;
        let http = client_builder()
            .default_headers(default_headers(&config.credential)?)
            .user_agent(USER_AGENT)
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .build()
            .map_err(ApiError::Client)?;
        Ok(Self {
            http,
            base,
            credential: config.credential.clone(),
            policy: config.retry,
            timeout: config.timeout,
            connect_timeout: config.connect_timeout,
        })
    }

    /// `POST /v1/messages`, waiting for the whole reply.
    pub async fn create(&self, request: &MessagesRequest) -> Result<ApiResponse, ApiError> {
        let started = Instant::now();
        let body = encode(&WireRequest { request, stream: false })?;
        let call = self.messages_call(&["v1", "messages"], &body, &request.model);
        let (received, retries) = self.send(&call).await?;
        let message = decode("reply", &received)?;
        Ok(ApiResponse::new(message, &received.headers, started, retries))
    }

    /// `POST /v1/messages` with `stream: true`; each text delta goes to `on_text` as it arrives.
    /// The request is re-sent only if it failed before any event arrived, so `on_text` never
    /// sees the same text twice. `on_text` is `Send` so that the returned future is, as the
    /// orchestrator's `Llm` seam requires.
    #[cfg(test)]
    pub async fn stream(
        &self,
        request: &MessagesRequest,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<ApiResponse, ApiError> {
        self.stream_watched(request, on_text, &mut |_| {}).await
    }

    /// [`ApiClient::stream`], also telling `watch` the usage the API reports as it arrives: once
    /// at `message_start` (from then on the call is billed) and at each `message_delta`. A caller
    /// that records spend uses it to make the usage durable before anything can lose it.
    pub async fn stream_watched(
        &self,
        request: &MessagesRequest,
        on_text: &mut (dyn FnMut(&str) + Send),
        watch: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<ApiResponse, ApiError> {
        let started = Instant::now();
        let body = encode(&WireRequest { request, stream: true })?;
        let call = self.messages_call(&["v1", "messages"], &body, &request.model);
        let (message, headers, retries) = self.stream_with_retries(&call, on_text, watch).await?;
        Ok(ApiResponse::new(message, &headers, started, retries))
    }

    /// The longest one call can take, every attempt timing out and every wait the longest the
    /// server may ask for: what a budget reservation must outlive.
    pub fn longest_call(&self) -> Duration {
        let attempts = self.policy.max_retries.saturating_add(1);
        let attempt = self.timeout.saturating_add(self.connect_timeout);
        let waits = retry::MAX_HONOURED_RETRY_AFTER.max(self.policy.cap).saturating_mul(self.policy.max_retries);
        attempt.saturating_mul(attempts).saturating_add(waits)
    }

    /// `POST /v1/messages/count_tokens`: the API's own (free, estimated) count of the prompt.
    pub async fn count_tokens(&self, request: &CountTokensRequest) -> Result<u64, ApiError> {
        #[derive(Deserialize)]
        struct TokenCount {
            input_tokens: u64,
        }
        let body = encode(request)?;
        let call = self.messages_call(&["v1", "messages", "count_tokens"], &body, &request.model);
        let (received, _) = self.send(&call).await?;
        let count: TokenCount = decode("token count", &received)?;
        Ok(count.input_tokens)
    }

    fn messages_call<'a>(&self, path: &[&str], body: &'a [u8], model: &'a str) -> Call<'a> {
        Call { method: Method::POST, url: self.endpoint(path), body: Some(body), model: Some(model) }
    }

    /// The base URL with `path` appended, each segment percent-encoded (batch ids come from
    /// outside, so they must not be able to change the path).
    fn endpoint(&self, path: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(path);
        }
        url
    }
}

impl ApiResponse {
    fn new(message: Message, headers: &HeaderMap, started: Instant, retries: u32) -> Self {
        Self {
            message,
            request_id: request_id(headers),
            latency: started.elapsed(),
            retries,
            rate_limits: RateLimits::from_headers(headers),
        }
    }
}

fn encode(body: &impl Serialize) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(body).map_err(ApiError::Encode)
}

fn parse_base_url(raw: &str) -> Result<Url, ApiError> {
    let bad = |reason: &str| ApiError::BadBaseUrl { url: config::redact_url(raw), reason: reason.to_string() };
    let url = Url::parse(raw).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(bad("expected http:// or https:// and a host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("a base URL takes no ?query or #fragment"));
    }
    Ok(url)
}

/// Version and credential headers sent on every request. The credential header is marked
/// sensitive so that even reqwest's and hyper's own debug output hides it.
fn default_headers(credential: &Credential) -> Result<HeaderMap, ApiError> {
    let (name, value) = match credential {
        Credential::ApiKey(key) => (HeaderName::from_static("x-api-key"), key.expose().to_string()),
        Credential::AuthToken(token) => (AUTHORIZATION, format!("Bearer {}", token.expose())),
        Credential::Missing => return Err(ApiError::MissingCredentials),
        Credential::Conflicting => return Err(ApiError::ConflictingCredentials),
    };
    let mut value =
        HeaderValue::from_str(&value).map_err(|_| ApiError::UnusableCredential { variable: credential.variable() })?;
    value.set_sensitive(true);
    let mut headers = HeaderMap::new();
    headers.insert(name, value);
    headers.insert("anthropic-version", HeaderValue::from_static(API_VERSION));
    Ok(headers)
}
