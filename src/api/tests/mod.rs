//! The client against the project's stand-in API server (`crates/standin`), which speaks the
//! real wire format, bills into a ledger and injects the API's faults on script. Retry waits are
//! shrunk through `RetryPolicy` so the whole suite stays fast.

mod batches;
mod messages;
mod retries;

use std::time::Duration;

use devteam_standin::{Config, Handle, RecordedRequest, Rule, StandIn};

use super::*;
pub(super) use crate::api::config::Secret;
pub(super) use crate::api::types::ServiceTier;

/// Looks like a real key, so a leak would be recognisable in any output.
const KEY: &str = "sk-ant-api03-TEST-secret-0123456789";
const MODEL: &str = "claude-sonnet-4-6";

fn server() -> Handle {
    StandIn::start(Config::default()).expect("stand-in starts")
}

/// A server that runs `rules` first, then answers normally.
fn server_with(rules: Vec<Rule>) -> Handle {
    let server = server();
    for rule in rules {
        server.push_rule(rule).expect("rule installs");
    }
    server
}

fn config(base_url: &str, credential: Credential, max_retries: u32) -> ApiConfig {
    let mut config = ApiConfig::new(Some(base_url), credential);
    config.retry = RetryPolicy { max_retries, base: Duration::from_millis(1), cap: Duration::from_millis(10) };
    config.timeout = Duration::from_secs(20);
    config
}

fn client(server: &Handle) -> ApiClient {
    client_with(server, 2)
}

fn client_with(server: &Handle, max_retries: u32) -> ApiClient {
    let credential = Credential::ApiKey(Secret::new(KEY));
    ApiClient::new(&config(&server.base_url(), credential, max_retries)).expect("client builds")
}

fn request(user: &str) -> MessagesRequest {
    MessagesRequest::builder(MODEL, 256)
        .system(TextBlock::new("You are terse."))
        .user(user)
        .build(ModelRules::default())
}

/// Requests the server received on `/v1/messages`: one per attempt.
fn attempts(server: &Handle) -> Vec<RecordedRequest> {
    server.requests().into_iter().filter(|r| r.path == "/v1/messages").collect()
}

/// The orchestrator runs calls behind a `Send + Sync` trait returning `Send` futures.
#[test]
fn the_client_and_its_futures_are_send() {
    fn send<T: Send>(_: &T) {}
    fn shared<T: Send + Sync>() {}
    shared::<ApiClient>();
    shared::<ApiError>();
    let client = ApiClient::new(&config("http://127.0.0.1:9", Credential::ApiKey(Secret::new(KEY)), 0)).unwrap();
    let req = request("x");
    send(&client.create(&req));
    let mut sink = |_: &str| {};
    send(&client.stream(&req, &mut sink));
    send(&client.count_tokens(&CountTokensRequest::from(&req)));
    send(&client.batch_results("b"));
}

/// Streams `request`, returning the result and the text seen by the callback.
async fn stream_collect(client: &ApiClient, request: &MessagesRequest) -> (Result<ApiResponse, ApiError>, String) {
    let mut seen = String::new();
    let result = client.stream(request, &mut |t| seen.push_str(t)).await;
    (result, seen)
}
