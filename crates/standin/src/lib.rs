//! A loopback-only stand-in for the Anthropic Messages API, for `devteam`'s tests and benchmarks.
//!
//! Tests must never reach the real API, yet the product's whole point is spending little on it, so
//! this server reproduces the parts of the wire format and billing rules that decide what a request
//! costs: `usage` fields, prompt caching (breakpoints, lookback, TTLs, per-model minimums), batches
//! at half price, streaming with cumulative usage, and the API's error shapes and headers.
//!
//! Start it with [`StandIn::start`] (own runtime thread) or [`StandIn::spawn`] (caller's runtime);
//! drive its clock with [`Handle::advance`], script replies and faults with [`Handle::script`],
//! and read what was billed with [`Handle::ledger`].
//!
//! Token counting is deterministic; see [`tokens`] for the exact function.

mod batch_settle;
mod batches;
mod cache;
mod clock;
mod control;
mod errors;
mod handle;
mod ledger;
mod messages;
mod models;
mod pipeline;
mod prefix;
mod reply;
mod request;
mod script;
mod script_build;
mod server;
mod sse;
mod state;
pub mod tokens;

pub use cache::{CacheScope, CacheUsage, PromptCache};
pub use clock::Clock;
pub use handle::{Config, Handle, StandIn};
pub use ledger::{LedgerEntry, RecordedRequest};
pub use models::{MODELS, ModelInfo, lookup_model};
pub use prefix::{Prefix, PrefixBlock};
pub use reply::{CacheCreation, Usage};
pub use request::{CacheControl, MessagesRequest, Ttl};
pub use script::{Fault, Matcher, Reply, Rule, Script, ScriptError, Times, ToolUseReply};
