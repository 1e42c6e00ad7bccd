//! Every retry path against the stand-in's injected faults: what is retried, how often, how
//! long we wait, and the error when we give up.

use std::time::Instant;

use devteam_standin::{Fault, Rule, Times};

use super::*;

fn fault(fault: Fault, times: Times) -> Rule {
    Rule::any().fault(fault).times(times)
}

#[tokio::test]
async fn a_429_with_retry_after_waits_that_long_then_succeeds() {
    let server = server_with(vec![fault(Fault::RateLimit { retry_after_secs: 1 }, Times::Once)]);
    let started = Instant::now();
    let response = client(&server).create(&request("hi")).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "retry-after was honoured");
    assert_eq!(response.retries, 1);
    assert_eq!(attempts(&server).len(), 2);
    assert_eq!(server.ledger().len(), 1, "only the success is billed");
}

#[tokio::test]
async fn a_retry_after_beyond_60_s_is_ignored_for_our_own_backoff() {
    let rule = fault(Fault::RateLimit { retry_after_secs: 3600 }, Times::Once);
    let server = server_with(vec![rule]);
    let started = Instant::now();
    let response = client(&server).create(&request("hi")).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(response.retries, 1);
}

#[tokio::test]
async fn overloaded_twice_then_success_uses_both_retries() {
    let server = server_with(vec![fault(Fault::Overloaded, Times::Count(2))]);
    let response = client(&server).create(&request("hi")).await.unwrap();
    assert_eq!(response.retries, 2);
    assert_eq!(attempts(&server).len(), 3);
}

#[tokio::test]
async fn server_errors_timeouts_and_conflicts_are_retried() {
    for f in [Fault::ServerError, Fault::RequestTimeout, Fault::Conflict] {
        let server = server_with(vec![fault(f.clone(), Times::Once)]);
        let response = client(&server).create(&request("hi")).await.unwrap();
        assert_eq!(response.retries, 1, "{f:?}");
    }
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_create_and_for_a_stream_not_yet_begun() {
    let drop_once = |user: &str| fault(Fault::DropConnection, Times::Once).when_user_contains(user);
    let server = server_with(vec![drop_once("create"), drop_once("stream")]);
    let client = client(&server);
    assert_eq!(client.create(&request("create")).await.unwrap().retries, 1);
    let (result, seen) = stream_collect(&client, &request("stream")).await;
    let response = result.unwrap();
    assert_eq!(response.retries, 1);
    assert_eq!(seen, response.message.text(), "text delivered exactly once");
}

#[tokio::test]
async fn a_stream_that_fails_before_its_first_event_is_retried() {
    let server = server_with(vec![fault(Fault::Overloaded, Times::Once)]);
    let (result, seen) = stream_collect(&client(&server), &request("hi")).await;
    let response = result.unwrap();
    assert_eq!(response.retries, 1);
    assert_eq!(seen, response.message.text());
}

#[tokio::test]
async fn a_mid_stream_error_is_returned_not_retried() {
    let reply = "Sixteen chars in. Then the stream breaks.";
    let rule = fault(Fault::StreamError, Times::Once).reply(devteam_standin::Reply::text(reply));
    let server = server_with(vec![rule]);
    let (result, seen) = stream_collect(&client(&server), &request("hi")).await;
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Stream);
    assert_eq!(err.retries(), 0);
    assert!(err.is_retryable(), "overloaded_error: the caller may try again");
    assert!(err.to_string().contains("overloaded_error"), "{err}");
    assert!(!seen.is_empty() && reply.starts_with(&seen), "partial text: {seen:?}");
    assert_eq!(attempts(&server).len(), 1);
    assert_eq!(err.request_id(), Some(attempts(&server)[0].request_id.as_str()));
}

#[tokio::test]
async fn a_stream_error_fault_on_create_is_a_retried_529() {
    let server = server_with(vec![fault(Fault::StreamError, Times::Once)]);
    assert_eq!(client(&server).create(&request("hi")).await.unwrap().retries, 1);
}

#[tokio::test]
async fn giving_up_after_max_retries_reports_the_last_error_and_count() {
    let server = server_with(vec![fault(Fault::Overloaded, Times::Always)]);
    let err = client(&server).create(&request("hi")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Overloaded);
    assert_eq!(err.retries(), 2);
    assert!(err.is_retryable());
    assert!(err.to_string().contains("gave up after 2 retries"), "{err}");
    let sent = attempts(&server);
    assert_eq!(sent.len(), 3);
    assert_eq!(err.request_id(), Some(sent[2].request_id.as_str()));
    let server = server_with(vec![fault(Fault::ServerError, Times::Always)]);
    let err = client_with(&server, 0).create(&request("hi")).await.unwrap_err();
    assert_eq!((err.kind(), err.retries()), (ErrorKind::Server, 0));
    assert!(err.to_string().contains("not retried"), "{err}");
    assert_eq!(attempts(&server).len(), 1);
}

#[tokio::test]
async fn a_spend_cap_429_is_not_retried() {
    let server = server_with(vec![fault(Fault::SpendCap, Times::Always)]);
    let err = client(&server).create(&request("hi")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SpendCap);
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("spend cap"), "{err}");
    assert_eq!(attempts(&server).len(), 1);
}

#[tokio::test]
async fn a_rate_limit_that_persists_says_so_with_the_retry_count() {
    let rule = fault(Fault::RateLimit { retry_after_secs: 0 }, Times::Always);
    let server = server_with(vec![rule]);
    let err = client_with(&server, 1).create(&request("hi")).await.unwrap_err();
    assert_eq!((err.kind(), err.retries()), (ErrorKind::RateLimited, 1));
    assert!(err.to_string().contains("rate limited"), "{err}");
}

#[tokio::test]
async fn connection_refused_and_timeouts_are_transport_errors_retried() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let credential = Credential::ApiKey(Secret::new(KEY));
    let client = ApiClient::new(&config(&url, credential.clone(), 2)).unwrap();
    let err = client.create(&request("hi")).await.unwrap_err();
    assert_eq!((err.kind(), err.retries()), (ErrorKind::Transport, 2));
    assert!(err.is_retryable());

    let server = server_with(vec![fault(Fault::Slow { delay_ms: 2000 }, Times::Once)]);
    let mut impatient = config(&server.base_url(), credential, 2);
    impatient.timeout = Duration::from_millis(300);
    let response = ApiClient::new(&impatient).unwrap().create(&request("hi")).await.unwrap();
    assert_eq!(response.retries, 1);
}
