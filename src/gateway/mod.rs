//! Billed model calls: turns a laid-out prompt into an API request for the tier's model, makes
//! the call, prices the usage the API reports with the price table, and records the call in the
//! store. Everything that spends money goes through here.

mod request;

use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context as _, Result};

use crate::api::{ApiClient, ApiError, StopReason, Usage};
use crate::orchestrator::llm::{Llm, LlmCall, LlmError, LlmFuture, LlmReply, Stop};
use crate::pricing::{PriceTable, TokenUsage};
use crate::store::Store;
use crate::usage::{CallRecord, Source, to_micros};

pub use request::{build_request, worst_case_cost};

/// Where streamed text goes (the printer's stdout).
pub type TextSink = dyn Fn(&str) + Send + Sync;

/// Makes and records billed calls.
pub struct Gateway<'a> {
    api: &'a ApiClient,
    prices: &'a PriceTable,
    /// A connection of the gateway's own: SQLite connections are not shared across tasks.
    store: Mutex<Store>,
    project: String,
    sink: &'a TextSink,
    /// Who the recorded calls are from.
    source: Source,
}

impl<'a> Gateway<'a> {
    pub fn new(api: &'a ApiClient, prices: &'a PriceTable, store: Store, project: String, sink: &'a TextSink) -> Self {
        Self { api, prices, store: Mutex::new(store), project, sink, source: Source::Devteam }
    }

    /// Records calls as made by `source` (e.g. `warm-cache`) instead of `devteam`.
    pub fn with_source(mut self, source: Source) -> Self {
        self.source = source;
        self
    }

    async fn call_inner(&self, call: LlmCall) -> Result<LlmReply, LlmError> {
        let model = self.prices.model(&call.tier).map_err(|e| LlmError::Failed(format!("{e:#}")))?;
        let request = build_request(&call, model);
        let started_ms = jiff::Timestamp::now().as_millisecond();
        let started = Instant::now();
        let response = if call.stream {
            let mut forward = |text: &str| (self.sink)(text);
            self.api.stream(&request, &mut forward).await
        } else {
            self.api.create(&request).await
        };
        let response = response.map_err(|e| LlmError::Failed(describe(&e)))?;
        let message = &response.message;
        let tokens = token_usage(&message.usage);
        let cost = self.prices.cost(&model.id, &tokens, false).map_err(|e| LlmError::Failed(format!("{e:#}")))?;
        let stop = match message.stop_reason {
            Some(StopReason::MaxTokens) => Stop::MaxTokens,
            Some(StopReason::Refusal) => Stop::Refusal,
            _ => Stop::Done,
        };
        let record = CallRecord {
            ts_ms: started_ms,
            source: self.source,
            project: self.project.clone(),
            run_id: Some(call.run_id.clone()),
            subtask_id: call.subtask_id.clone(),
            task: shorten(&call.task, 200),
            agent: call.agent.clone(),
            model: model.id.clone(),
            tier: call.tier.clone(),
            tokens,
            cost_micros: to_micros(cost.total),
            batch: false,
            latency_ms: Some(i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)),
            request_id: response.request_id.clone(),
            message_id: Some(message.id.clone()),
            session_id: None,
            is_sidechain: false,
            outcome: outcome(&stop).to_string(),
        };
        self.record(&record).map_err(|e| LlmError::Failed(format!("{e:#}")))?;
        Ok(LlmReply { text: message.text(), stop, model: model.id.clone(), cost_micros: record.cost_micros })
    }

    fn record(&self, record: &CallRecord) -> Result<i64> {
        let store = self.store.lock().map_err(|_| anyhow::anyhow!("store lock poisoned"))?;
        store.insert_call(record).context("recording the call")
    }
}

impl Llm for Gateway<'_> {
    fn call(&self, call: LlmCall) -> LlmFuture<'_> {
        Box::pin(self.call_inner(call))
    }
}

/// The API's usage in the price table's terms. Cache writes without a TTL split are 5-minute
/// writes, the API's default.
pub fn token_usage(u: &Usage) -> TokenUsage {
    let split = u.cache_creation.ephemeral_5m_input_tokens + u.cache_creation.ephemeral_1h_input_tokens;
    let (w5, w1h) = if split == 0 {
        (u.cache_creation_input_tokens, 0)
    } else {
        (u.cache_creation.ephemeral_5m_input_tokens, u.cache_creation.ephemeral_1h_input_tokens)
    };
    TokenUsage {
        input: u.input_tokens,
        output: u.output_tokens,
        cache_write_5m: w5,
        cache_write_1h: w1h,
        cache_read: u.cache_read_input_tokens,
    }
}

fn outcome(stop: &Stop) -> &'static str {
    match stop {
        Stop::Done => "ok",
        Stop::MaxTokens => "max_tokens",
        Stop::Refusal => "refusal",
    }
}

fn describe(e: &ApiError) -> String {
    match e.request_id() {
        Some(id) => format!("{e} (request {id})"),
        None => e.to_string(),
    }
}

fn shorten(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_string(),
    }
}
