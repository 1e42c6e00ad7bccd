//! API errors in the exact shape the real API sends, so SDKs map them to the right exception.

use serde::Serialize;

/// An error response: HTTP status, the body's `error.type`, and the headers some errors carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub kind: &'static str,
    pub message: String,
    /// Seconds for the `retry-after` header (rate limits); absent for a spend cap.
    pub retry_after: Option<u64>,
    /// Value for `x-should-retry`, which overrides the SDKs' own retry choice.
    pub should_retry: Option<bool>,
    /// `error.details.error_code`, which newer SDKs map to a specific exception subclass.
    pub error_code: Option<&'static str>,
}

/// `{"type":"error","error":{"type":..,"message":..},"request_id":..}`.
#[derive(Debug, Serialize)]
pub struct ErrorBody<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub error: ErrorDetail<'a>,
    pub request_id: &'a str,
}

#[derive(Debug, Serialize)]
pub struct ErrorDetail<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<ErrorCode>,
}

#[derive(Debug, Serialize)]
pub struct ErrorCode {
    pub error_code: &'static str,
}

impl ApiError {
    fn new(status: u16, kind: &'static str, message: impl Into<String>) -> Self {
        Self { status, kind, message: message.into(), retry_after: None, should_retry: None, error_code: None }
    }

    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(400, "invalid_request_error", message)
    }

    pub fn authentication(message: impl Into<String>) -> Self {
        Self::new(401, "authentication_error", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "not_found_error", message)
    }

    pub fn request_too_large() -> Self {
        Self::new(413, "request_too_large", "Request exceeds the maximum allowed size.")
    }

    /// A per-minute limit: retryable after `retry_after` seconds.
    pub fn rate_limit(retry_after: u64) -> Self {
        let mut e = Self::new(429, "rate_limit_error", "Number of requests has exceeded your rate limit.");
        e.retry_after = Some(retry_after);
        e
    }

    /// A monthly spend cap: a 429 with no `retry-after` that keeps failing, so retrying is futile.
    /// The error code is the one the SDK (anthropic 2.x) maps to `EnforcedSpendLimitReachedError`.
    pub fn spend_cap() -> Self {
        let mut e = Self::new(
            429,
            "rate_limit_error",
            "You have reached your monthly usage limit. Access resumes at the next billing period.",
        );
        e.should_retry = Some(false);
        e.error_code = Some("enforced_spend_limit_reached");
        e
    }

    pub fn overloaded() -> Self {
        Self::new(529, "overloaded_error", "Overloaded")
    }

    pub fn internal() -> Self {
        Self::new(500, "api_error", "Internal server error")
    }

    pub fn request_timeout() -> Self {
        Self::new(408, "timeout_error", "Request timed out")
    }

    pub fn conflict() -> Self {
        Self::new(409, "conflict_error", "Conflict")
    }

    /// The error envelope, borrowing from `self`.
    pub fn envelope<'a>(&'a self, request_id: &'a str) -> ErrorBody<'a> {
        ErrorBody {
            kind: "error",
            error: ErrorDetail {
                kind: self.kind,
                message: &self.message,
                details: self.error_code.map(|error_code| ErrorCode { error_code }),
            },
            request_id,
        }
    }

    /// The JSON body for this error.
    pub fn body(&self, request_id: &str) -> String {
        serde_json::to_string(&self.envelope(request_id)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_the_documented_shape() {
        let v: serde_json::Value = serde_json::from_str(&ApiError::not_found("model: x").body("req_1")).unwrap();
        assert_eq!(v["type"], "error");
        assert_eq!(v["error"]["type"], "not_found_error");
        assert_eq!(v["error"]["message"], "model: x");
        assert_eq!(v["request_id"], "req_1");
    }

    #[test]
    fn spend_cap_has_no_retry_after_and_says_do_not_retry() {
        let e = ApiError::spend_cap();
        assert_eq!((e.status, e.retry_after, e.should_retry), (429, None, Some(false)));
        assert_eq!(ApiError::rate_limit(7).retry_after, Some(7));
        let v: serde_json::Value = serde_json::from_str(&e.body("r")).unwrap();
        assert_eq!(v["error"]["details"]["error_code"], "enforced_spend_limit_reached");
        let plain: serde_json::Value = serde_json::from_str(&ApiError::overloaded().body("r")).unwrap();
        assert!(plain["error"].get("details").is_none());
    }
}
