//! Batch mode: calls made at about the same time (the ready subtasks of a graph) are sent
//! together through the Message Batches API at half price, polled with backoff, and matched
//! back to their callers by `custom_id`. The first caller of a wave leads: it waits a moment
//! for the others, submits, polls, and hands each caller its result.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::oneshot;

use crate::api::{ApiClient, BatchItem, BatchResult, Message, MessagesRequest, ProcessingStatus};

/// How long a leader waits for the rest of a wave, and how polling backs off.
#[derive(Debug, Clone, Copy)]
pub struct BatchTiming {
    pub window: Duration,
    pub first_poll: Duration,
    pub max_poll: Duration,
}

impl Default for BatchTiming {
    fn default() -> Self {
        Self {
            window: Duration::from_millis(100),
            first_poll: Duration::from_secs(2),
            max_poll: Duration::from_secs(60),
        }
    }
}

type Reply = Result<Message, String>;

struct Pending {
    custom_id: String,
    request: MessagesRequest,
    reply: oneshot::Sender<Reply>,
}

/// Calls waiting for a batch, and whether a leader is at work.
pub struct BatchQueue {
    state: Mutex<(Vec<Pending>, bool)>,
    counter: AtomicU64,
    timing: BatchTiming,
}

impl BatchQueue {
    pub fn new(timing: BatchTiming) -> Self {
        Self { state: Mutex::new((Vec::new(), false)), counter: AtomicU64::new(0), timing }
    }

    /// Sends `request` in the next batch and waits for its result.
    pub async fn send(&self, api: &ApiClient, label: &str, request: MessagesRequest) -> Reply {
        let (tx, rx) = oneshot::channel();
        let custom_id = self.custom_id(label);
        let lead = {
            let mut state = self.state.lock().map_err(|_| "batch queue poisoned".to_string())?;
            state.0.push(Pending { custom_id, request, reply: tx });
            !std::mem::replace(&mut state.1, true)
        };
        if lead {
            self.lead(api).await;
        }
        rx.await.map_err(|_| "the batch leader stopped before answering".to_string())?
    }

    /// `custom_id` must match `^[a-zA-Z0-9_-]{1,64}$` and be unique within a batch.
    fn custom_id(&self, label: &str) -> String {
        let clean: String =
            label.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').take(48).collect();
        format!("{clean}-{}", self.counter.fetch_add(1, Ordering::Relaxed))
    }

    /// Submits waves until no caller is waiting.
    async fn lead(&self, api: &ApiClient) {
        loop {
            tokio::time::sleep(self.timing.window).await;
            let wave = match self.state.lock() {
                Ok(mut state) if state.0.is_empty() => {
                    state.1 = false;
                    return;
                }
                Ok(mut state) => std::mem::take(&mut state.0),
                Err(_) => return,
            };
            self.submit(api, wave).await;
        }
    }

    async fn submit(&self, api: &ApiClient, wave: Vec<Pending>) {
        let items: Vec<BatchItem> =
            wave.iter().map(|p| BatchItem { custom_id: p.custom_id.clone(), params: p.request.clone() }).collect();
        let mut results = match self.run_batch(api, &items).await {
            Ok(results) => results,
            Err(e) => {
                for p in wave {
                    let _ = p.reply.send(Err(e.clone()));
                }
                return;
            }
        };
        for p in wave {
            let reply = match results.remove(&p.custom_id) {
                Some(BatchResult::Succeeded(message)) => Ok(message),
                Some(BatchResult::Errored { error_type, message }) => {
                    Err(format!("batch item failed: {error_type}: {message}"))
                }
                Some(BatchResult::Canceled) => Err("batch item was canceled".to_string()),
                Some(BatchResult::Expired) => Err("batch item expired before it ran".to_string()),
                Some(BatchResult::Other) | None => Err("batch returned no result for this item".to_string()),
            };
            let _ = p.reply.send(reply);
        }
    }

    async fn run_batch(
        &self,
        api: &ApiClient,
        items: &[BatchItem],
    ) -> Result<std::collections::BTreeMap<String, BatchResult>, String> {
        let batch = api.create_batch(items).await.map_err(|e| e.to_string())?;
        let mut wait = self.timing.first_poll;
        loop {
            let status = api.get_batch(&batch.id).await.map_err(|e| e.to_string())?;
            if status.processing_status == ProcessingStatus::Ended {
                break;
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(self.timing.max_poll);
        }
        api.batch_results(&batch.id).await.map_err(|e| e.to_string())
    }
}
