//! The `anthropic-ratelimit-*` response headers, so callers can pace themselves before the API
//! has to say 429.

use reqwest::header::HeaderMap;

/// One limit family (`requests`, `tokens`, `input-tokens`, `output-tokens`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limit {
    pub limit: Option<u64>,
    /// Token values are rounded to the nearest thousand by the API.
    pub remaining: Option<u64>,
    /// When the bucket is full again, RFC 3339, as sent.
    pub reset: Option<String>,
}

impl Limit {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Every rate-limit header of one response; a family the response lacked is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateLimits {
    pub requests: Option<Limit>,
    /// The most restrictive token limit in effect.
    pub tokens: Option<Limit>,
    pub input_tokens: Option<Limit>,
    pub output_tokens: Option<Limit>,
}

impl RateLimits {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let family = |name: &str| {
            let text = |part: &str| {
                headers.get(format!("anthropic-ratelimit-{name}-{part}")).and_then(|v| v.to_str().ok()).map(str::trim)
            };
            let number = |part: &str| text(part).and_then(|v| v.parse::<u64>().ok());
            let limit = Limit {
                limit: number("limit"),
                remaining: number("remaining"),
                reset: text("reset").map(str::to_string),
            };
            (!limit.is_empty()).then_some(limit)
        };
        Self {
            requests: family("requests"),
            tokens: family("tokens"),
            input_tokens: family("input-tokens"),
            output_tokens: family("output-tokens"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn reads_present_families_and_skips_absent_ones() {
        let mut headers = HeaderMap::new();
        for (k, v) in [
            ("anthropic-ratelimit-requests-limit", "50"),
            ("anthropic-ratelimit-requests-remaining", "49"),
            ("anthropic-ratelimit-requests-reset", "2026-11-24T10:00:00Z"),
            ("anthropic-ratelimit-tokens-remaining", "not a number"),
            ("anthropic-ratelimit-output-tokens-limit", "8000"),
        ] {
            headers.insert(k, HeaderValue::from_static(v));
        }
        let limits = RateLimits::from_headers(&headers);
        let requests = limits.requests.unwrap();
        assert_eq!((requests.limit, requests.remaining), (Some(50), Some(49)));
        assert_eq!(requests.reset.as_deref(), Some("2026-11-24T10:00:00Z"));
        assert_eq!(limits.tokens, None);
        assert_eq!(limits.input_tokens, None);
        assert_eq!(limits.output_tokens.unwrap().limit, Some(8000));
    }
}
