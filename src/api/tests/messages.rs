//! Create, stream and count_tokens on the happy path, plus the errors a caller must be able to
//! act on without seeing the credential.

use devteam_standin::{Config, Fault, Reply, Rule, StandIn};

use super::*;

#[tokio::test]
async fn create_returns_text_usage_request_id_and_rate_limits() {
    let server = server_with(vec![Rule::any().reply(Reply::text("Forty-two.").with_output_tokens(9))]);
    let response = client(&server).create(&request("the answer?")).await.unwrap();
    assert_eq!(response.message.text(), "Forty-two.");
    assert_eq!(response.message.stop_reason, Some(StopReason::EndTurn));
    let billed = server.ledger();
    assert_eq!(billed.len(), 1);
    let usage = response.message.usage;
    assert_eq!(usage.output_tokens, 9);
    assert_eq!(usage.input_tokens, u64::from(billed[0].usage.input_tokens));
    assert_eq!(usage.cache_read_input_tokens, 0);
    assert_eq!(usage.service_tier, Some(ServiceTier::Standard));
    assert_eq!(response.request_id.as_deref(), Some(billed[0].request_id.as_str()));
    assert_eq!(response.retries, 0);
    assert!(response.latency > Duration::ZERO);
    let requests = response.rate_limits.requests.expect("requests limit header");
    assert!(requests.limit.is_some() && requests.reset.is_some());
    let sent = &attempts(&server)[0];
    assert_eq!(sent.anthropic_version.as_deref(), Some("2023-06-01"));
    assert!(sent.api_key_hash.is_some());
    assert!(sent.body.get("stream").is_none());
}

#[tokio::test]
async fn stream_delivers_text_and_the_last_cumulative_usage() {
    let text = "A reply long enough to arrive in several text deltas.";
    let server = server_with(vec![Rule::any().reply(Reply::text(text).with_output_tokens(40))]);
    let (result, seen) = stream_collect(&client(&server), &request("talk")).await;
    let response = result.unwrap();
    assert_eq!(seen, text);
    assert_eq!(response.message.text(), text);
    // The stand-in sends two message_delta events (20 then 40): summing would give 60.
    assert_eq!(response.message.usage.output_tokens, 40);
    let billed = server.ledger();
    assert!(billed[0].stream);
    assert_eq!(response.message.usage.input_tokens, u64::from(billed[0].usage.input_tokens));
    assert_eq!(response.request_id.as_deref(), Some(billed[0].request_id.as_str()));
    assert_eq!(attempts(&server)[0].body.get("stream"), Some(&serde_json::json!(true)));
}

#[tokio::test]
async fn count_tokens_matches_what_a_create_bills_as_input() {
    let server = server();
    let client = client(&server);
    let req = request("count me");
    let counted = client.count_tokens(&CountTokensRequest::from(&req)).await.unwrap();
    let response = client.create(&req).await.unwrap();
    assert!(counted > 0);
    assert_eq!(counted, response.message.usage.total_input_tokens());
}

#[tokio::test]
async fn cache_breakpoints_write_then_read_with_the_asked_ttl() {
    let server = server();
    let client = client(&server);
    // Above Sonnet 4.6's 1024-token minimum, so the prefix is actually cached.
    let long = "Project rules: keep functions short and errors typed. ".repeat(120);
    let req = MessagesRequest::builder(MODEL, 64)
        .system(TextBlock::new(long).cached(CacheTtl::OneHour))
        .user("first task")
        .build(ModelRules::default());
    let first = client.create(&req).await.unwrap().message.usage;
    assert!(first.cache_creation.ephemeral_1h_input_tokens > 1024, "{first:?}");
    assert_eq!(first.cache_creation.ephemeral_5m_input_tokens, 0);
    assert_eq!(first.cache_creation_input_tokens, first.cache_creation.ephemeral_1h_input_tokens);
    let second = client.create(&req).await.unwrap().message.usage;
    assert_eq!(second.cache_read_input_tokens, first.cache_creation_input_tokens);
    assert_eq!(second.cache_creation_input_tokens, 0);
}

#[tokio::test]
async fn max_tokens_and_refusal_stop_reasons_come_through() {
    let server = server_with(vec![
        Rule::any().when_user_contains("long").fault(Fault::MaxTokens),
        Rule::any().when_user_contains("bad").fault(Fault::Refusal),
    ]);
    let client = client(&server);
    let cut = client.create(&request("long essay")).await.unwrap().message;
    assert_eq!(cut.stop_reason, Some(StopReason::MaxTokens));
    assert_eq!(cut.usage.output_tokens, 256);
    let (refused, _) = stream_collect(&client, &request("bad idea")).await;
    assert_eq!(refused.unwrap().message.stop_reason, Some(StopReason::Refusal));
}

#[tokio::test]
async fn sampling_params_are_dropped_for_models_that_reject_them() {
    let server = server();
    let client = client(&server);
    let sampled = || MessagesRequest::builder("claude-opus-4-7", 32).user("hi").temperature(0.2).top_k(5);
    let err = client.create(&sampled().build(ModelRules::default())).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("`temperature` is deprecated"), "{err}");
    let last = attempts(&server).pop().unwrap();
    assert_eq!(err.request_id(), Some(last.request_id.as_str()));
    assert!(err.to_string().contains(&last.request_id), "{err}");
    let rules = ModelRules { rejects_sampling_params: true };
    client.create(&sampled().build(rules)).await.unwrap();
}

#[tokio::test]
async fn an_unknown_model_names_the_model_and_says_it_may_be_retired() {
    let server = server();
    let req = MessagesRequest::builder("claude-3-opus-20240229", 16).user("hi").build(ModelRules::default());
    let err = client(&server).create(&req).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ModelNotFound);
    let text = err.to_string();
    assert!(text.contains("claude-3-opus-20240229") && text.contains("retired"), "{text}");
    assert!(!err.is_retryable());
    assert!(err.request_id().is_some());
}

#[tokio::test]
async fn a_rejected_key_names_the_variable_and_never_shows_the_key() {
    let server =
        StandIn::start(Config { api_key: Some("sk-ant-api03-the-right-one".into()), ..Config::default() }).unwrap();
    for (credential, variable) in [
        (Credential::ApiKey(Secret::new(KEY)), "ANTHROPIC_API_KEY"),
        (Credential::AuthToken(Secret::new(KEY)), "ANTHROPIC_AUTH_TOKEN"),
    ] {
        let config = config(&server.base_url(), credential, 2);
        let client = ApiClient::new(&config).unwrap();
        let err = client.create(&request("hi")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Authentication);
        assert_eq!(err.retries(), 0, "401 is not retried");
        let shown = [
            err.to_string(),
            format!("{err:?}"),
            format!("{:#}", anyhow::Error::new(err)),
            format!("{client:?}"),
            format!("{config:?}"),
        ];
        assert!(shown[0].contains(variable), "{}", shown[0]);
        for text in shown {
            assert!(!text.contains(KEY) && !text.contains("TEST-secret"), "{text}");
        }
    }
}

#[tokio::test]
async fn unusable_credentials_and_base_urls_are_refused_before_sending() {
    let server = server();
    let url = server.base_url();
    let refused = |credential, url: &str| ApiClient::new(&config(url, credential, 0)).expect_err("refused").kind();
    assert_eq!(refused(Credential::Conflicting, &url), ErrorKind::Config);
    assert_eq!(refused(Credential::Missing, &url), ErrorKind::Config);
    let newline = Credential::ApiKey(Secret::new("sk-ant\nsecret"));
    let err = ApiClient::new(&config(&url, newline, 0)).unwrap_err();
    assert!(err.to_string().contains("ANTHROPIC_API_KEY") && !err.to_string().contains("secret"));
    for bad in ["not a url", "ftp://example.com", "http://h/?q=1"] {
        let err = ApiClient::new(&config(bad, Credential::ApiKey(Secret::new(KEY)), 0)).unwrap_err();
        assert!(err.to_string().contains("ANTHROPIC_BASE_URL"), "{err}");
    }
    let both = ApiClient::new(&config(&url, Credential::Conflicting, 0)).unwrap_err();
    assert!(both.to_string().contains("unset one"), "{both}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix_is_kept() {
    let server = server();
    let prefixed = format!("{}/gateway/", server.base_url());
    let client = ApiClient::new(&config(&prefixed, Credential::ApiKey(Secret::new(KEY)), 0)).unwrap();
    let err = client.create(&request("hi")).await.unwrap_err();
    // The stand-in serves no /gateway prefix and says which path it was asked for; the 404's
    // own message is shown, so a wrong base URL is visible even though it reads as a model 404.
    assert_eq!(err.kind(), ErrorKind::ModelNotFound);
    assert!(err.to_string().contains("POST /gateway/v1/messages not found"), "{err}");
}
