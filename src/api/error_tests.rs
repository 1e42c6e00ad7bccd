//! Classification and wording of `ApiError`, without a server.

use reqwest::header::{HeaderMap, HeaderValue};

use super::*;

fn reply(status: u16, body: &str, headers: &[(&'static str, &'static str)]) -> ErrorReply {
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        map.insert(*k, HeaderValue::from_static(v));
    }
    ErrorReply::parse(status, &map, body.as_bytes(), None)
}

fn api_body(kind: &str, message: &str) -> String {
    serde_json::json!({"type": "error", "error": {"type": kind, "message": message},
                       "request_id": "req_body"})
    .to_string()
}

#[test]
fn parses_the_envelope_and_prefers_the_header_request_id() {
    let r = reply(529, &api_body("overloaded_error", "Overloaded"), &[("request-id", "req_hdr")]);
    assert_eq!((r.error_type.as_str(), r.message.as_str()), ("overloaded_error", "Overloaded"));
    assert_eq!(r.request_id.as_deref(), Some("req_hdr"));
    let r = reply(500, &api_body("api_error", "boom"), &[]);
    assert_eq!(r.request_id.as_deref(), Some("req_body"));
    let html = reply(502, "<html>Bad gateway</html>", &[]);
    assert_eq!((html.error_type.as_str(), html.message.as_str()), ("", "<html>Bad gateway</html>"));
}

#[test]
fn statuses_map_to_kinds() {
    let cases = [
        (401, None, ErrorKind::Authentication),
        (403, None, ErrorKind::Permission),
        (404, Some("claude-x"), ErrorKind::ModelNotFound),
        (404, None, ErrorKind::NotFound),
        (400, None, ErrorKind::InvalidRequest),
        (413, None, ErrorKind::InvalidRequest),
        (529, None, ErrorKind::Overloaded),
        (500, None, ErrorKind::Server),
        (504, None, ErrorKind::Server),
        (402, None, ErrorKind::Status),
        (409, None, ErrorKind::Status),
    ];
    for (status, model, kind) in cases {
        let e = ApiError::from_reply(reply(status, "{}", &[]), "ANTHROPIC_API_KEY", model);
        assert_eq!(e.kind(), kind, "{status}");
    }
    let limited = reply(429, "{}", &[("retry-after", "5")]);
    let e = ApiError::from_reply(limited, "ANTHROPIC_API_KEY", None);
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.is_retryable());
}

#[test]
fn a_429_without_retry_after_is_a_spend_cap() {
    let e = ApiError::from_reply(
        reply(429, &api_body("rate_limit_error", "monthly limit"), &[]),
        "ANTHROPIC_API_KEY",
        None,
    );
    assert_eq!(e.kind(), ErrorKind::SpendCap);
    assert!(!e.is_retryable());
    let msg = e.to_string();
    assert!(msg.contains("spend cap") && msg.contains("monthly limit"), "{msg}");
}

#[test]
fn x_should_retry_decides_is_retryable() {
    let no = reply(500, "{}", &[("x-should-retry", "false")]);
    assert!(!ApiError::from_reply(no, "ANTHROPIC_API_KEY", None).is_retryable());
    let yes = reply(400, "{}", &[("x-should-retry", "true")]);
    assert!(ApiError::from_reply(yes, "ANTHROPIC_API_KEY", None).is_retryable());
}

#[test]
fn messages_read_as_instructions() {
    let auth = ApiError::from_reply(reply(401, "{}", &[("request-id", "req_1")]), "ANTHROPIC_AUTH_TOKEN", None);
    let text = auth.to_string();
    assert!(text.contains("ANTHROPIC_AUTH_TOKEN") && text.contains("req_1"), "{text}");
    let gone = ApiError::from_reply(reply(404, "{}", &[]), "ANTHROPIC_API_KEY", Some("claude-3-opus"));
    assert!(gone.to_string().contains("\"claude-3-opus\"") && gone.to_string().contains("retired"));
    let busy = ApiError::from_reply(reply(529, "{}", &[]), "ANTHROPIC_API_KEY", None).with_retries(2);
    assert!(busy.to_string().contains("gave up after 2 retries"), "{busy}");
    assert_eq!(busy.retries(), 2);
    let bad = ApiError::from_reply(
        reply(400, &api_body("invalid_request_error", "max_tokens: Field required"), &[]),
        "ANTHROPIC_API_KEY",
        None,
    );
    assert!(bad.to_string().contains("max_tokens: Field required"), "{bad}");
}

#[test]
fn server_text_is_scrubbed_of_the_secret_and_bounded() {
    let secret = Secret::new("sk-ant-api03-very-secret");
    let body = api_body("authentication_error", "bad key sk-ant-api03-very-secret given");
    let r = ErrorReply::parse(401, &HeaderMap::new(), body.as_bytes(), Some(&secret));
    assert_eq!(r.message, "bad key [redacted] given");
    let e = ApiError::from_reply(r, "ANTHROPIC_API_KEY", None);
    for shown in [e.to_string(), format!("{e:?}")] {
        assert!(!shown.contains("very-secret"), "{shown}");
    }
    let long = scrub(&"é".repeat(2000), None);
    assert_eq!(long.chars().count(), MAX_MESSAGE_CHARS + 3);
}
