//! Message Batches: half-price, asynchronous Messages requests. Create a batch, poll it until
//! `processing_status` is `ended`, then read the results, which come as JSON Lines in no
//! promised order and are therefore keyed by `custom_id`.

use std::collections::BTreeMap;

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::api::error::{Envelope, scrub};
use crate::api::transport::{Call, Received, decode, request_id};
use crate::api::types::{Message, MessagesRequest};
use crate::api::{ApiClient, ApiError, encode};

/// One request in a batch. `custom_id` must match `^[a-zA-Z0-9_-]{1,64}$` and be unique in the
/// batch; `params` never streams (the request type has no stream flag).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchItem {
    pub custom_id: String,
    pub params: MessagesRequest,
}

#[derive(Serialize)]
struct CreateBatch<'a> {
    requests: &'a [BatchItem],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessingStatus {
    InProgress,
    Canceling,
    Ended,
    #[serde(other)]
    Other,
}

/// How many items are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct RequestCounts {
    pub processing: u64,
    pub succeeded: u64,
    pub errored: u64,
    pub canceled: u64,
    pub expired: u64,
}

/// A batch as the API reports it. Times are RFC 3339 strings, as sent.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MessageBatch {
    pub id: String,
    pub processing_status: ProcessingStatus,
    #[serde(default)]
    pub request_counts: RequestCounts,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub ended_at: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
    #[serde(default)]
    pub cancel_initiated_at: Option<String>,
    #[serde(default)]
    pub results_url: Option<String>,
}

/// The outcome of one item. Only `Succeeded` is billed.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchResult {
    Succeeded(Message),
    Errored {
        error_type: String,
        message: String,
    },
    Canceled,
    Expired,
    /// A result type newer than this client.
    Other,
}

#[derive(Deserialize)]
struct ResultLine {
    custom_id: String,
    result: RawResult,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum RawResult {
    Succeeded {
        message: Message,
    },
    Errored {
        error: Envelope,
    },
    Canceled,
    Expired,
    #[serde(other)]
    Other,
}

impl ApiClient {
    /// `POST /v1/messages/batches`.
    pub async fn create_batch(&self, items: &[BatchItem]) -> Result<MessageBatch, ApiError> {
        let body = encode(&CreateBatch { requests: items })?;
        let call = Call {
            method: Method::POST,
            url: self.endpoint(&["v1", "messages", "batches"]),
            body: Some(&body),
            model: None,
        };
        let (received, _) = self.send(&call).await?;
        decode("batch", &received)
    }

    /// `GET /v1/messages/batches/{id}`: poll this until `processing_status` is `Ended`.
    pub async fn get_batch(&self, id: &str) -> Result<MessageBatch, ApiError> {
        let received = self.batch_call(Method::GET, &[id]).await?;
        decode("batch", &received)
    }

    /// `POST /v1/messages/batches/{id}/cancel`. Items not yet processed end as `Canceled`.
    #[cfg_attr(not(test), expect(dead_code, reason = "part of the batch API; tested, not yet used by a command"))]
    pub async fn cancel_batch(&self, id: &str) -> Result<MessageBatch, ApiError> {
        let received = self.batch_call(Method::POST, &[id, "cancel"]).await?;
        decode("batch", &received)
    }

    /// `GET /v1/messages/batches/{id}/results`, keyed by `custom_id`. The API answers 400 until
    /// the batch has ended.
    pub async fn batch_results(&self, id: &str) -> Result<BTreeMap<String, BatchResult>, ApiError> {
        let received = self.batch_call(Method::GET, &[id, "results"]).await?;
        self.parse_results(&received)
    }

    async fn batch_call(&self, method: Method, tail: &[&str]) -> Result<Received, ApiError> {
        let path: Vec<&str> = ["v1", "messages", "batches"].iter().chain(tail).copied().collect();
        let call = Call { method, url: self.endpoint(&path), body: None, model: None };
        Ok(self.send(&call).await?.0)
    }

    fn parse_results(&self, received: &Received) -> Result<BTreeMap<String, BatchResult>, ApiError> {
        let bad = |reason: String| ApiError::Decode {
            what: "batch results",
            reason,
            request_id: request_id(&received.headers),
        };
        let text = String::from_utf8_lossy(&received.body);
        let mut results = BTreeMap::new();
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let parsed: ResultLine = serde_json::from_str(line).map_err(|e| bad(format!("line {}: {e}", n + 1)))?;
            let result = self.result(parsed.result);
            if results.insert(parsed.custom_id.clone(), result).is_some() {
                return Err(bad(format!("custom_id {:?} appears twice", parsed.custom_id)));
            }
        }
        Ok(results)
    }

    fn result(&self, raw: RawResult) -> BatchResult {
        match raw {
            RawResult::Succeeded { message } => BatchResult::Succeeded(message),
            RawResult::Errored { error } => {
                let detail = error.error.unwrap_or_default();
                BatchResult::Errored {
                    error_type: detail.kind,
                    message: scrub(&detail.message, self.credential.secret()),
                }
            }
            RawResult::Canceled => BatchResult::Canceled,
            RawResult::Expired => BatchResult::Expired,
            RawResult::Other => BatchResult::Other,
        }
    }
}
