//! One attempt at a request, and the retry loops around attempts. An attempt ends in a value or
//! a [`Failure`] that says whether another attempt is worth making and what the server asked
//! us to wait.

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;

use crate::api::error::{ApiError, ErrorReply, scrub};
use crate::api::retry::{RetryHints, status_is_retryable};
use crate::api::sse::{SseParser, StreamFault, StreamState};
use crate::api::types::Message;
use crate::api::{ApiClient, Progress};

/// A failed attempt: the error to report, and `Some(hints)` when it may be retried.
pub(crate) struct Failure {
    error: ApiError,
    retry: Option<RetryHints>,
}

/// A 2xx reply read in full.
pub(crate) struct Received {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// A request to make: where, what, and (for Messages endpoints) which model, so a 404 can say
/// which model id was not found.
pub(crate) struct Call<'a> {
    pub method: Method,
    pub url: Url,
    pub body: Option<&'a [u8]>,
    pub model: Option<&'a str>,
}

impl ApiClient {
    /// What follows a failed attempt: the wait before the next one, or the final error once
    /// the failure is not retryable or the retry budget is spent.
    fn next_wait(&self, failure: Failure, retries: u32) -> Result<Duration, ApiError> {
        match failure.retry {
            Some(hints) if retries < self.policy.max_retries => Ok(self.policy.delay(retries, &hints)),
            _ => Err(failure.error.with_retries(retries)),
        }
    }

    // The two retry loops below are spelled out rather than sharing a generic helper over an
    // async closure: rustc cannot yet prove such futures `Send`, which the orchestrator needs.

    /// Sends a non-streaming request with retries; returns the 2xx reply and the retry count.
    pub(crate) async fn send(&self, call: &Call<'_>) -> Result<(Received, u32), ApiError> {
        let mut retries = 0;
        loop {
            match self.send_once(call).await {
                Ok(received) => return Ok((received, retries)),
                Err(failure) => tokio::time::sleep(self.next_wait(failure, retries)?).await,
            }
            retries += 1;
        }
    }

    /// Streams with retries; see [`ApiClient::stream_once`] for when a stream may be retried.
    pub(crate) async fn stream_with_retries(
        &self,
        call: &Call<'_>,
        on_text: &mut (dyn FnMut(&str) + Send),
        watch: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<(Message, HeaderMap, u32), ApiError> {
        let mut retries = 0;
        loop {
            match self.stream_once(call, on_text, watch).await {
                Ok((message, headers)) => return Ok((message, headers, retries)),
                Err(failure) => tokio::time::sleep(self.next_wait(failure, retries)?).await,
            }
            retries += 1;
        }
    }

    async fn send_once(&self, call: &Call<'_>) -> Result<Received, Failure> {
        let response = self.request(call).send().await.map_err(|e| self.transport(&call.url, e, true))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = match response.bytes().await {
            Ok(body) => body.to_vec(),
            // A 2xx that began was billed: re-sending would bill it twice, so the caller hears it
            // as an unreadable reply (and charges it), not as a transport error to retry.
            Err(e) if status.is_success() => {
                return Err(Failure {
                    error: ApiError::Decode {
                        what: "reply",
                        reason: format!("the connection dropped while the reply was read: {e}"),
                        request_id: request_id(&headers),
                    },
                    retry: None,
                });
            }
            Err(e) => return Err(self.transport(&call.url, e, true)),
        };
        if !status.is_success() {
            return Err(self.status_failure(status, &headers, &body, call.model));
        }
        Ok(Received { headers, body })
    }

    fn request(&self, call: &Call<'_>) -> reqwest::RequestBuilder {
        let builder = self.http.request(call.method.clone(), call.url.clone());
        match call.body {
            Some(body) => {
                builder.header(CONTENT_TYPE, HeaderValue::from_static("application/json")).body(body.to_vec())
            }
            None => builder,
        }
    }

    /// One streaming attempt. It may be retried only while no event has arrived: after that,
    /// text has reached `on_text` and the input has been billed.
    async fn stream_once(
        &self,
        call: &Call<'_>,
        on_text: &mut (dyn FnMut(&str) + Send),
        watch: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<(Message, HeaderMap), Failure> {
        let mut response = self.request(call).send().await.map_err(|e| self.transport(&call.url, e, true))?;
        let status = response.status();
        let headers = response.headers().clone();
        if !status.is_success() {
            let body = response.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            return Err(self.status_failure(status, &headers, &body, call.model));
        }
        let mut parser = SseParser::default();
        let mut state = StreamState::default();
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                // After the first event the call is billed and part of the reply shown: not a
                // connection problem to retry but a reply cut short.
                Err(e) if state.started() => {
                    return Err(Failure {
                        error: ApiError::Decode {
                            what: "reply stream",
                            reason: format!("the connection dropped after the reply began: {}", e.without_url()),
                            request_id: request_id(&headers),
                        },
                        retry: None,
                    });
                }
                Err(e) => return Err(self.transport(&call.url, e, true)),
            };
            for event in parser.push(&chunk) {
                let applied = state.apply(&event, on_text);
                applied.map_err(|fault| self.stream_failure(fault, &headers, state.started()))?;
                if matches!(event.name.as_str(), "message_start" | "message_delta") {
                    report(&state, &headers, watch);
                }
            }
        }
        let message = state.finish().map_err(|fault| self.stream_failure(fault, &headers, true))?;
        Ok((message, headers))
    }

    fn status_failure(&self, status: StatusCode, headers: &HeaderMap, body: &[u8], model: Option<&str>) -> Failure {
        let reply = ErrorReply::parse(status.as_u16(), headers, body, self.credential.secret());
        let hints = RetryHints::from_headers(headers);
        Failure {
            retry: status_is_retryable(status, &hints).then_some(hints),
            error: ApiError::from_reply(reply, self.credential.variable(), model),
        }
    }

    fn stream_failure(&self, fault: StreamFault, headers: &HeaderMap, started: bool) -> Failure {
        let request_id = request_id(headers);
        match fault {
            StreamFault::ErrorEvent(error_type, message) => {
                let reply = ErrorReply {
                    status: 200,
                    message: scrub(&message, self.credential.secret()),
                    request_id,
                    retry_after: None,
                    should_retry: None,
                    error_code: None,
                    retries: 0,
                    error_type,
                };
                let error = ApiError::Stream(Box::new(reply));
                // An error before any other event cost nothing and showed nothing: safe to resend.
                let retry = (!started && error.is_retryable()).then(RetryHints::default);
                Failure { error, retry }
            }
            StreamFault::Malformed(reason) => {
                Failure { error: ApiError::Decode { what: "reply stream", reason, request_id }, retry: None }
            }
        }
    }

    fn transport(&self, url: &Url, source: reqwest::Error, retryable: bool) -> Failure {
        // A builder error is our own bug (e.g. a bad header), which no retry fixes.
        let retryable = retryable && !source.is_builder();
        Failure {
            // The URL may carry a key as `user:password@` (ANTHROPIC_BASE_URL): never print it.
            error: ApiError::Transport {
                url: crate::api::redact_url(url.as_str()),
                retries: 0,
                timed_out: source.is_timeout(),
                source: source.without_url(),
            },
            retry: retryable.then(RetryHints::default),
        }
    }
}

/// Tells `watch` the usage reported so far.
fn report(state: &StreamState, headers: &HeaderMap, watch: &mut (dyn FnMut(&Progress) + Send)) {
    if let (Some(usage), Some(message_id)) = (state.usage(), state.message_id()) {
        let usage_final = state.usage_final();
        watch(&Progress { usage, usage_final, message_id: message_id.to_string(), request_id: request_id(headers) });
    }
}

/// The `request-id` header.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    headers.get("request-id").and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// Parses a 2xx JSON body; `what` names it in the error.
pub(crate) fn decode<T: DeserializeOwned>(what: &'static str, received: &Received) -> Result<T, ApiError> {
    serde_json::from_slice(&received.body).map_err(|e| ApiError::Decode {
        what,
        reason: e.to_string(),
        request_id: request_id(&received.headers),
    })
}
