//! What the API client is built from: base URL, credential, timeouts and retry policy. Plain
//! data, resolved once by `settings.rs` from the captured environment; no HTTP here.

use std::fmt;
use std::time::Duration;

use crate::api::retry::RetryPolicy;

/// The public API; tests and gateways override it with `ANTHROPIC_BASE_URL`.
pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
/// Same as the official SDKs: a slow TCP/TLS handshake is a transport error worth retrying.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Same as the official SDKs (10 minutes): the API itself refuses longer non-streaming calls.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// A URL fit to print: any `user:password@` part (some gateways take a key there) is replaced by
/// `[redacted]@`. Text that does not parse as a URL is cut at its last `@` before the path.
pub fn redact_url(raw: &str) -> String {
    if let Ok(mut url) = reqwest::Url::parse(raw) {
        if url.username().is_empty() && url.password().is_none() {
            return url.to_string();
        }
        let _ = url.set_password(None);
        let _ = url.set_username("redacted");
        return url.to_string().replacen("redacted@", "[redacted]@", 1);
    }
    let scheme_end = raw.find("://").map_or(0, |i| i + 3);
    let authority_end = raw[scheme_end..].find('/').map_or(raw.len(), |i| scheme_end + i);
    match raw[scheme_end..authority_end].rfind('@') {
        Some(at) => format!("{}[redacted]{}", &raw[..scheme_end], &raw[scheme_end + at..]),
        None => raw.to_string(),
    }
}

/// A credential that must never be shown: `Debug` prints `[redacted]`, and there is deliberately
/// no `Display` or `Serialize`, so it cannot end up in output, logs or the store by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value, for the one place that puts it in a request header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Which credential the environment provided. Conflicts and absence are kept as values rather
/// than failing settings resolution, so commands that never call the API still run; the client
/// refuses them when it is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// `ANTHROPIC_API_KEY`, sent as `x-api-key`.
    ApiKey(Secret),
    /// `ANTHROPIC_AUTH_TOKEN`, sent as `Authorization: Bearer`.
    AuthToken(Secret),
    /// Neither variable is set.
    Missing,
    /// Both are set; the API answers 401 to a request carrying both, so we send neither.
    Conflicting,
}

impl Credential {
    /// From the two variables' values (empty counts as unset upstream).
    pub fn from_vars(api_key: Option<&str>, auth_token: Option<&str>) -> Self {
        match (api_key, auth_token) {
            (Some(key), None) => Self::ApiKey(Secret::new(key)),
            (None, Some(token)) => Self::AuthToken(Secret::new(token)),
            (None, None) => Self::Missing,
            (Some(_), Some(_)) => Self::Conflicting,
        }
    }

    /// The variable a user should check when the API rejects this credential.
    pub fn variable(&self) -> &'static str {
        match self {
            Self::AuthToken(_) => crate::env::ANTHROPIC_AUTH_TOKEN,
            _ => crate::env::ANTHROPIC_API_KEY,
        }
    }

    pub(crate) fn secret(&self) -> Option<&Secret> {
        match self {
            Self::ApiKey(s) | Self::AuthToken(s) => Some(s),
            Self::Missing | Self::Conflicting => None,
        }
    }
}

/// Everything `ApiClient::new` needs.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Scheme, host and optional path prefix; `/v1/...` is appended.
    pub base_url: String,
    pub credential: Credential,
    pub connect_timeout: Duration,
    /// Whole-request limit, including reading a streamed body.
    pub timeout: Duration,
    pub retry: RetryPolicy,
}

impl ApiConfig {
    /// Defaults for everything but the credential and base URL.
    pub fn new(base_url: Option<&str>, credential: Credential) -> Self {
        Self {
            base_url: base_url.unwrap_or(DEFAULT_BASE_URL).to_string(),
            credential,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_secret() {
        let config = ApiConfig::new(None, Credential::from_vars(Some("sk-ant-SECRET-1"), None));
        let shown = format!("{config:?} {config:#?}");
        assert!(!shown.contains("sk-ant-SECRET-1"), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
    }

    #[test]
    fn the_longest_call_covers_every_attempt_and_wait() {
        let config = ApiConfig::new(Some("http://127.0.0.1:1"), Credential::from_vars(Some("k"), None));
        let longest = crate::api::ApiClient::new(&config).unwrap().longest_call();
        // 3 attempts of 600 s + 5 s connect, and 2 waits of up to 60 s: over the old 900 s TTL.
        assert_eq!(longest, Duration::from_secs(3 * 605 + 2 * 60));
    }

    #[test]
    fn urls_are_printed_without_their_userinfo() {
        assert_eq!(redact_url("http://user:sk-KEY@host:8080/p"), "http://[redacted]@host:8080/p");
        assert_eq!(redact_url("https://api.anthropic.com"), "https://api.anthropic.com/");
        assert_eq!(redact_url("not a url user:KEY@host/x"), "[redacted]@host/x");
        assert!(!redact_url("http://:KEY@h").contains("KEY"));
    }

    #[test]
    fn both_variables_conflict_and_name_the_right_variable() {
        assert_eq!(Credential::from_vars(Some("a"), Some("b")), Credential::Conflicting);
        assert_eq!(Credential::from_vars(None, None), Credential::Missing);
        let bearer = Credential::from_vars(None, Some("t"));
        assert_eq!(bearer.variable(), "ANTHROPIC_AUTH_TOKEN");
        assert_eq!(bearer.secret().map(Secret::expose), Some("t"));
    }
}
