//! When to retry and how long to wait, as the official SDKs do (Python `_base_client.py`):
//! connection errors, timeouts and 408/409/429/5xx are retried; `x-should-retry` overrides that;
//! the server's `retry-after-ms` / `retry-after` is honoured when it is between 0 and 60 s, and
//! otherwise the wait is `min(base·2^n, cap)` times a jitter factor in (0.75, 1].
//!
//! One deliberate difference: a 429 with no `retry-after` is how the API reports a monthly spend
//! cap, which keeps failing until the billing period turns, so it is not retried blindly.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// Waits the server asks for beyond this are ignored in favour of our own backoff (SDK rule).
pub(crate) const MAX_HONOURED_RETRY_AFTER: Duration = Duration::from_secs(60);

/// How many times to retry and how fast to back off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (SDK default: 2).
    pub max_retries: u32,
    /// First backoff step (SDK: 0.5 s); tests shrink it to keep runs fast.
    pub base: Duration,
    /// Longest backoff step (SDK: 8 s).
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_retries: 2, base: Duration::from_millis(500), cap: Duration::from_secs(8) }
    }
}

/// What the server said about retrying, read from a response's headers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetryHints {
    /// `x-should-retry: true|false`.
    pub should_retry: Option<bool>,
    /// `retry-after-ms`, else `retry-after` in seconds (the HTTP-date form is not parsed and
    /// falls back to backoff).
    pub retry_after: Option<Duration>,
}

impl RetryHints {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let seconds = |raw: &str, scale: f64| {
            let value = raw.trim().parse::<f64>().ok()?;
            Duration::try_from_secs_f64(value / scale).ok()
        };
        let should_retry = match text("x-should-retry") {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ => None,
        };
        let retry_after = text("retry-after-ms")
            .and_then(|ms| seconds(ms, 1000.0))
            .or_else(|| text("retry-after").and_then(|s| seconds(s, 1.0)));
        Self { should_retry, retry_after }
    }
}

/// Whether an HTTP error status is worth another attempt. `x-should-retry` wins; without it a
/// 429 lacking `retry-after` is a spend cap (futile), and otherwise the SDKs' status list applies.
pub fn status_is_retryable(status: StatusCode, hints: &RetryHints) -> bool {
    if let Some(verdict) = hints.should_retry {
        return verdict;
    }
    match status.as_u16() {
        429 => hints.retry_after.is_some(),
        408 | 409 => true,
        code => code >= 500,
    }
}

impl RetryPolicy {
    /// The wait before retry number `retries_so_far + 1`.
    pub fn delay(&self, retries_so_far: u32, hints: &RetryHints) -> Duration {
        let honoured = hints.retry_after.filter(|wait| !wait.is_zero() && *wait <= MAX_HONOURED_RETRY_AFTER);
        if let Some(wait) = honoured {
            return wait;
        }
        let doubling = 2u32.saturating_pow(retries_so_far.min(31));
        let step = self.base.saturating_mul(doubling).min(self.cap);
        step.mul_f64(jitter())
    }
}

/// A factor in (0.75, 1], so that many clients backing off together do not retry in lockstep.
/// `RandomState` is randomly seeded per instance, which is all the randomness this needs.
fn jitter() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u8(0);
    // 53 random bits give a uniform fraction in [0, 1).
    #[expect(clippy::cast_precision_loss)]
    let unit = (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64;
    1.0 - 0.25 * unit
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn hints(pairs: &[(&'static str, &'static str)]) -> RetryHints {
        let mut headers = HeaderMap::new();
        for (k, v) in pairs {
            headers.insert(*k, HeaderValue::from_static(v));
        }
        RetryHints::from_headers(&headers)
    }

    fn status(code: u16) -> StatusCode {
        StatusCode::from_u16(code).unwrap()
    }

    #[test]
    fn sdk_status_list_with_should_retry_override() {
        let none = RetryHints::default();
        for code in [408, 409, 500, 502, 503, 504, 529] {
            assert!(status_is_retryable(status(code), &none), "{code}");
        }
        for code in [400, 401, 403, 404, 413] {
            assert!(!status_is_retryable(status(code), &none), "{code}");
        }
        let no = hints(&[("x-should-retry", "false")]);
        assert!(!status_is_retryable(status(529), &no));
        let yes = hints(&[("x-should-retry", "true")]);
        assert!(status_is_retryable(status(400), &yes));
    }

    #[test]
    fn a_429_without_retry_after_is_a_spend_cap_not_retried() {
        assert!(!status_is_retryable(status(429), &RetryHints::default()));
        assert!(status_is_retryable(status(429), &hints(&[("retry-after", "3")])));
        assert!(status_is_retryable(status(429), &hints(&[("retry-after-ms", "250")])));
    }

    #[test]
    fn retry_after_ms_wins_and_is_honoured_only_up_to_60_s() {
        let policy = RetryPolicy::default();
        let both = hints(&[("retry-after-ms", "1500"), ("retry-after", "9")]);
        assert_eq!(policy.delay(0, &both), Duration::from_millis(1500));
        assert_eq!(policy.delay(1, &hints(&[("retry-after", "60")])), Duration::from_secs(60));
        for ignored in ["61", "0", "-3", "Wed, 21 Oct 2015 07:28:00 GMT"] {
            let h = hints(&[("retry-after", ignored)]);
            assert!(policy.delay(0, &h) <= Duration::from_millis(500), "{ignored}");
        }
    }

    #[test]
    fn backoff_doubles_to_the_cap_with_jitter_in_range() {
        let policy = RetryPolicy::default();
        let none = RetryHints::default();
        for (n, full) in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0), (99, 8.0)] {
            for _ in 0..50 {
                let wait = policy.delay(n, &none).as_secs_f64();
                assert!(wait > full * 0.75 - 1e-9 && wait <= full + 1e-9, "{n}: {wait}");
            }
        }
    }
}
