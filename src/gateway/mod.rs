//! Billed model calls: turns a laid-out prompt into an API request for the tier's model, makes
//! the call, prices the usage the API reports with the price table, and records the call in the
//! store. Everything that spends money goes through here.

mod batch;
mod billing;
mod inflight;
mod request;

use std::time::Instant;

use anyhow::Result;

use crate::api::{ApiClient, ApiError, ErrorKind, StopReason, Usage};
use crate::budget::{BudgetError, Guard, Request, Reservation};
use crate::clock::Clock;
use crate::orchestrator::llm::{Llm, LlmCall, LlmError, LlmFuture, LlmReply, Stop};
use crate::pricing::{PriceTable, TokenUsage};
use crate::prompt::outcome;
use crate::store::Store;
use crate::usage::{CallRecord, Source, to_micros};

use inflight::{Ending, InFlight};

pub use batch::{BatchQueue, BatchTiming};
pub use billing::{Billing, NoClient, word_no_client};
pub use request::{block_count_request, build_request, worst_case_cost};

/// Where streamed text goes (the printer's stdout).
pub type TextSink = dyn Fn(&str) + Send + Sync;

/// Makes and records billed calls.
pub struct Gateway<'a> {
    api: &'a ApiClient,
    prices: &'a PriceTable,
    /// The store (`Send + Sync`: its backend pools connections), shared by every task.
    store: Store,
    project: String,
    sink: &'a TextSink,
    /// Batch mode: calls go through the Message Batches API at half price.
    batch: Option<BatchQueue>,
    /// Every call reserves its worst case first and settles to its actual cost.
    guard: Guard,
    allow_over_budget: bool,
    /// Who the recorded calls are from.
    source: Source,
    /// Stamps the calls and dates their reservations.
    clock: Clock,
}

impl<'a> Gateway<'a> {
    pub fn new(
        api: &'a ApiClient,
        prices: &'a PriceTable,
        store: Store,
        project: String,
        sink: &'a TextSink,
        guard: Guard,
        clock: Clock,
    ) -> Self {
        Self {
            api,
            prices,
            store,
            project,
            sink,
            batch: None,
            guard,
            allow_over_budget: false,
            source: Source::Devteam,
            clock,
        }
    }

    /// Records calls as made by `source` (e.g. `warm-cache`) instead of `devteam`.
    #[must_use]
    pub fn with_source(mut self, source: Source) -> Self {
        self.source = source;
        self
    }

    /// Lets calls proceed past a budget's limit (a person's explicit decision, recorded).
    #[must_use]
    pub fn allow_over_budget(mut self, allow: bool) -> Self {
        self.allow_over_budget = allow;
        self
    }

    /// Sends every call through the Message Batches API (no streaming; half price).
    #[must_use]
    pub fn batched(mut self, timing: BatchTiming) -> Self {
        self.batch = Some(BatchQueue::new(timing));
        self
    }

    async fn call_inner(&self, call: LlmCall) -> Result<LlmReply, LlmError> {
        let model = self.prices.model(&call.tier).map_err(|e| LlmError::Failed(format!("{e:#}")))?;
        let request = build_request(&call, model);
        let template = self.template(&call, &model.id);
        let reservation = self.reserve(&call, &model.id, &template)?;
        let mut flight = InFlight::new(self, reservation, template, call.max_tokens);
        let started = Instant::now();
        let (message, request_id, latency) = match &self.batch {
            Some(queue) => {
                let label = format!("{}-{}", call.run_id, call.subtask_id.as_deref().unwrap_or("call"));
                let message = match queue.send(self.api, &label, request).await {
                    Ok(message) => message,
                    Err(e) => {
                        flight.release_unbilled();
                        return Err(LlmError::Failed(e));
                    }
                };
                if call.stream {
                    (self.sink)(&message.text());
                }
                (message, None, started.elapsed())
            }
            None => {
                let response = if call.stream {
                    let mut forward = |text: &str| (self.sink)(text);
                    let mut watch = |p: &crate::api::Progress| flight.observe(p);
                    self.api.stream_watched(&request, &mut forward, &mut watch).await
                } else {
                    self.api.create(&request).await
                };
                match response {
                    Ok(response) => (response.message, response.request_id, response.latency),
                    Err(e) => {
                        let ending = if matches!(e, ApiError::Stream(_)) { Ending::StreamError } else { Ending::Cut };
                        flight.fail(&e, ending);
                        return Err(failure(&e));
                    }
                }
            }
        };
        let tokens = token_usage(&message.usage);
        let stop = match message.stop_reason {
            Some(StopReason::MaxTokens) => Stop::MaxTokens,
            Some(StopReason::Refusal) => Stop::Refusal,
            _ => Stop::Done,
        };
        let record = self.priced(flight.record(), &message, request_id, latency, tokens, &stop)?;
        let Some(record) = record else {
            flight.fail(
                &ApiError::Decode { what: "reply usage", reason: "implausible".into(), request_id: None },
                Ending::Cut,
            );
            return Err(LlmError::Failed(format!(
                "the API reported implausible usage ({tokens:?}); charged the reservation"
            )));
        };
        if let Some(call_id) = flight.settle(&record) {
            self.record_blocks(call_id, &call, &tokens);
        }
        Ok(LlmReply { text: message.text(), stop, model: model.id.clone(), cost_micros: record.cost_micros })
    }

    /// The record for a reply, or `None` when its usage is not believable.
    fn priced(
        &self,
        template: &CallRecord,
        message: &crate::api::Message,
        request_id: Option<String>,
        latency: std::time::Duration,
        tokens: TokenUsage,
        stop: &Stop,
    ) -> Result<Option<CallRecord>, LlmError> {
        if !inflight::plausible(&tokens) {
            return Ok(None);
        }
        let cost = self
            .prices
            .cost(&template.model, &tokens, template.batch)
            .map_err(|e| LlmError::Failed(format!("{e:#}")))?;
        Ok(Some(CallRecord {
            tokens,
            cost_micros: to_micros(cost.total),
            latency_ms: Some(i64::try_from(latency.as_millis()).unwrap_or(i64::MAX)),
            request_id,
            message_id: Some(message.id.clone()),
            outcome: outcome(stop).to_string(),
            ..template.clone()
        }))
    }

    /// The call as it will be recorded, before any usage is known.
    fn template(&self, call: &LlmCall, model: &str) -> CallRecord {
        CallRecord {
            ts_ms: self.clock.now_ms(),
            source: self.source,
            project: self.project.clone(),
            run_id: Some(call.run_id.clone()),
            subtask_id: call.subtask_id.clone(),
            task: shorten(&call.task, 200),
            agent: call.agent.clone(),
            model: model.to_string(),
            tier: call.tier.clone(),
            tokens: TokenUsage::default(),
            cost_micros: 0,
            batch: self.batch.is_some(),
            latency_ms: None,
            request_id: None,
            message_id: None,
            session_id: None,
            is_sidechain: false,
            outcome: "pending".to_string(),
        }
    }

    /// Holds the call's worst case against every budget that applies, writing the call's
    /// pending record in the same transaction.
    fn reserve(&self, call: &LlmCall, model: &str, template: &CallRecord) -> Result<Reservation, LlmError> {
        let worst = worst_case_cost(self.prices, model, call).map_err(|e| LlmError::Failed(format!("{e:#}")))?;
        let tokens = call
            .layout
            .system
            .iter()
            .chain(&call.layout.user)
            .map(|b| crate::tokens::estimate(&b.text) as u64)
            .sum::<u64>()
            + u64::from(call.max_tokens);
        let worst_micros = to_micros(if self.batch.is_some() { worst / 2.0 } else { worst });
        let label = format!("{:?} {} {}", call.purpose, call.agent, call.subtask_id.as_deref().unwrap_or(""));
        let request = Request {
            project: &self.project,
            worst_case_micros: worst_micros.max(1),
            tokens,
            label: &label,
            allow_over_budget: self.allow_over_budget,
            pending: Some(template),
            min_ttl: self.api.longest_call(),
        };
        self.guard.reserve(self.store.shared(), self.clock.now(), &request).map_err(|e| match e {
            BudgetError::Exceeded(exceeded) => LlmError::Budget(exceeded),
            // Not a failure a bigger model could fix, and nothing was sent.
            BudgetError::Store(e) => LlmError::Fatal(format!("{e:#}")),
        })
    }

    /// Runs `f` on the gateway's store.
    fn with_store<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        f(&self.store)
    }

    fn warn(&self, text: &str) {
        self.guard.warn(text);
    }

    /// Which blocks the cache served; a failure here loses a statistic, never the call.
    fn record_blocks(&self, call_id: i64, call: &LlmCall, t: &TokenUsage) {
        let written = t.cache_write_5m + t.cache_write_1h;
        let blocks = outcome::attribute(&call.layout, t.total_input(), t.cache_read, written);
        let _ = self.store.insert_call_blocks(call_id, &blocks);
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

/// A failed call, sorted by whether a bigger model could help.
fn failure(e: &ApiError) -> LlmError {
    match e.kind() {
        ErrorKind::Config
        | ErrorKind::Authentication
        | ErrorKind::Permission
        | ErrorKind::SpendCap
        | ErrorKind::ModelNotFound => LlmError::Fatal(describe(e)),
        _ => LlmError::Failed(describe(e)),
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
