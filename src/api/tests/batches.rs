//! Message Batches end to end: create, poll, results keyed by `custom_id`, cancel.

use devteam_standin::{Reply, Rule};

use super::*;

fn item(custom_id: &str, model: &str, user: &str) -> BatchItem {
    BatchItem {
        custom_id: custom_id.into(),
        params: MessagesRequest::builder(model, 64).user(user).build(ModelRules::default()),
    }
}

#[tokio::test]
async fn create_poll_then_read_results_by_custom_id() {
    let server = server_with(vec![Rule::any().when_user_contains("alpha").reply(Reply::text("A"))]);
    let client = client(&server);
    let items =
        [item("task-alpha", MODEL, "alpha"), item("task_beta", MODEL, "beta"), item("gone", "claude-2.1", "gamma")];
    let batch = client.create_batch(&items).await.unwrap();
    assert_eq!(batch.processing_status, ProcessingStatus::InProgress);
    assert_eq!(batch.request_counts.processing, 3);
    let early = client.batch_results(&batch.id).await.unwrap_err();
    assert_eq!(early.kind(), ErrorKind::InvalidRequest, "{early}");

    server.advance(Duration::from_secs(61));
    let ended = client.get_batch(&batch.id).await.unwrap();
    assert_eq!(ended.processing_status, ProcessingStatus::Ended);
    assert_eq!((ended.request_counts.succeeded, ended.request_counts.errored), (2, 1));
    assert!(ended.results_url.is_some() && ended.ended_at.is_some());

    let results = client.batch_results(&batch.id).await.unwrap();
    assert_eq!(results.len(), 3);
    let Some(BatchResult::Succeeded(alpha)) = results.get("task-alpha") else {
        panic!("{results:?}");
    };
    assert_eq!(alpha.text(), "A");
    assert_eq!(alpha.usage.service_tier, Some(ServiceTier::Batch));
    assert!(matches!(results.get("task_beta"), Some(BatchResult::Succeeded(_))));
    assert!(matches!(
        results.get("gone"),
        Some(BatchResult::Errored { error_type, .. }) if error_type == "not_found_error"
    ));
    assert_eq!(server.ledger().iter().filter(|e| e.batch).count(), 2);
}

#[tokio::test]
async fn a_canceled_batch_ends_with_every_item_canceled() {
    let server = server();
    let client = client(&server);
    let batch = client.create_batch(&[item("one", MODEL, "x"), item("two", MODEL, "y")]).await.unwrap();
    let canceling = client.cancel_batch(&batch.id).await.unwrap();
    assert_eq!(canceling.processing_status, ProcessingStatus::Canceling);
    assert!(canceling.cancel_initiated_at.is_some());
    let ended = client.get_batch(&batch.id).await.unwrap();
    assert_eq!(ended.processing_status, ProcessingStatus::Ended);
    assert_eq!(ended.request_counts.canceled, 2);
    let results = client.batch_results(&batch.id).await.unwrap();
    assert!(results.values().all(|r| *r == BatchResult::Canceled), "{results:?}");
    assert!(server.ledger().is_empty(), "canceled items are not billed");
}

#[tokio::test]
async fn unknown_or_path_like_batch_ids_are_not_found() {
    let server = server();
    let client = client(&server);
    for id in ["msgbatch_nope", "x/cancel", "../../messages"] {
        let err = client.get_batch(id).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{id}: {err}");
        assert!(err.request_id().is_some());
    }
    let bad = client.create_batch(&[item("no spaces allowed", MODEL, "x")]).await.unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::InvalidRequest);
    assert!(bad.to_string().contains("custom_id"), "{bad}");
}
