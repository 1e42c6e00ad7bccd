//! The one thing the orchestrator needs from the outside world: make a model call. Behind this
//! trait the real implementation reserves budget, talks to the API and records the call; tests
//! put a scripted fake here.

use std::future::Future;
use std::pin::Pin;

use crate::prompt::Layout;

/// Why a call is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Model-assisted discovery.
    Rerank,
    Plan,
    Subtask,
    Synthesis,
}

/// A call the orchestrator wants made.
#[derive(Debug, Clone)]
pub struct LlmCall {
    pub run_id: String,
    pub subtask_id: Option<String>,
    pub purpose: Purpose,
    pub agent: String,
    /// Short description for the usage record.
    pub task: String,
    pub tier: String,
    pub layout: Layout,
    pub max_tokens: u32,
    /// Stream text to stdout as it arrives (the final answer does).
    pub stream: bool,
}

/// How a reply ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    Done,
    MaxTokens,
    Refusal,
}

/// A successful reply.
#[derive(Debug, Clone)]
pub struct LlmReply {
    pub text: String,
    pub stop: Stop,
    pub model: String,
    pub cost_micros: i64,
}

/// A call that did not produce a reply.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LlmError {
    /// A budget refused the reservation: no point trying a bigger model.
    #[error(transparent)]
    Budget(Box<crate::budget::Exceeded>),
    /// The call failed after the client's retries.
    #[error("{0}")]
    Failed(String),
    /// A failure no bigger model would fix (bad key, no permission, spend cap, a request the
    /// API refuses): not retried a tier up.
    #[error("{0}")]
    Fatal(String),
}

pub type LlmFuture<'a> = Pin<Box<dyn Future<Output = Result<LlmReply, LlmError>> + Send + 'a>>;

/// Makes model calls.
pub trait Llm: Send + Sync {
    fn call(&self, call: LlmCall) -> LlmFuture<'_>;
}
