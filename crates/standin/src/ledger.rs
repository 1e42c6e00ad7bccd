//! What tests assert on: every billed request with its usage, and every raw request body.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::reply::Usage;

/// One billed request. Errors (4xx/5xx, dropped connections) are not billed and not listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub request_id: String,
    /// The resolved model id (an alias is reported as its dated snapshot).
    pub model: String,
    pub usage: Usage,
    pub stream: bool,
    pub batch: bool,
    pub batch_id: Option<String>,
    pub custom_id: Option<String>,
    /// Multiplier on list prices: 0.5 for Message Batches, else 1.0.
    pub price_multiplier: f64,
    /// First 16 hex digits of the SHA-256 of the API key: enough to tell keys apart in a test
    /// without the ledger ever holding a key.
    pub api_key_hash: String,
    pub stop_reason: Option<String>,
    /// False when a stream broke with `event: error` after HTTP 200; its input was still billed.
    pub completed: bool,
    /// Virtual time the request started, RFC 3339 and Unix milliseconds.
    pub time: String,
    pub unix_ms: u64,
}

/// One request as received on a `/v1/` path, before any validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub request_id: String,
    pub method: String,
    pub path: String,
    pub api_key_hash: Option<String>,
    pub anthropic_version: Option<String>,
    pub anthropic_beta: Option<String>,
    /// The body as JSON, or as a JSON string when it did not parse.
    pub body: Value,
    pub unix_ms: u64,
}

/// Both logs, cleared together by reset.
#[derive(Debug, Default)]
pub struct Records {
    pub ledger: Vec<LedgerEntry>,
    pub requests: Vec<RecordedRequest>,
}

/// Stable short fingerprint of an API key.
pub fn key_hash(key: &str) -> String {
    Sha256::digest(key.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Parses a body for the request log without ever failing.
pub fn body_value(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_hash_is_short_stable_and_distinct() {
        assert_eq!(key_hash("a"), key_hash("a"));
        assert_ne!(key_hash("a"), key_hash("b"));
        assert_eq!(key_hash("a").len(), 16);
        assert_eq!(key_hash("abc"), "ba7816bf8f01cfea");
    }

    #[test]
    fn unparsable_bodies_are_kept_as_strings() {
        assert_eq!(body_value(b"{\"a\":1}")["a"], 1);
        assert_eq!(body_value(b"not json"), Value::String("not json".into()));
    }
}
