//! Streaming replies: a server-sent-events parser that accepts bytes in any chunking, and the
//! state that turns Messages stream events into a [`Message`].
//!
//! Usage rules (streaming docs): `message_start` carries the input-side counts and a placeholder
//! `output_tokens`; every `message_delta.usage` is CUMULATIVE, so only the last one counts (adding
//! them up would over-bill). An `event: error` can arrive after HTTP 200. Unknown event types are
//! ignored, as the API promises to add new ones.

use serde::Deserialize;

use crate::api::error::ErrorDetail;
use crate::api::types::{CacheCreation, ContentBlock, Message, ServiceTier, StopReason, Usage};

/// One dispatched event: the `event:` name and the joined `data:` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    pub name: String,
    pub data: String,
}

/// Incremental SSE framing. Lines are only decoded once complete, so a multi-byte character
/// split across chunks is never mangled (a newline byte never occurs inside one).
#[derive(Debug, Default)]
pub(crate) struct SseParser {
    pending: Vec<u8>,
    name: String,
    data: Vec<String>,
}

impl SseParser {
    /// Feeds bytes; returns every event completed by them.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        self.pending.extend_from_slice(chunk);
        let mut events = Vec::new();
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let raw: Vec<u8> = self.pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&raw);
            let line = line.trim_end_matches(['\n', '\r']);
            if let Some(event) = self.line(line) {
                events.push(event);
            }
        }
        events
    }

    fn line(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            let name = std::mem::take(&mut self.name);
            let data = std::mem::take(&mut self.data).join("\n");
            return (!data.is_empty() || !name.is_empty()).then_some(SseEvent { name, data });
        }
        if line.starts_with(':') {
            return None; // comment / keep-alive
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => self.name = value.to_string(),
            "data" => self.data.push(value.to_string()),
            _ => {} // `id`, `retry` and unknown fields mean nothing for this API
        }
        None
    }
}

/// Stream events this client acts on; anything else is `Unknown` and skipped.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Event {
    MessageStart {
        message: Message,
    },
    ContentBlockStart {
        index: usize,
        content_block: ContentBlock,
    },
    ContentBlockDelta {
        index: usize,
        delta: Fragment,
    },
    ContentBlockStop {
        index: usize,
    },
    MessageDelta {
        delta: StopDelta,
        #[serde(default)]
        usage: DeltaUsage,
    },
    MessageStop,
    Ping,
    Error {
        error: ErrorDetail,
    },
    #[serde(other)]
    Unknown,
}

/// `content_block_delta.delta`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Fragment {
    TextDelta {
        text: String,
    },
    InputJsonDelta {
        partial_json: String,
    },
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
struct StopDelta {
    #[serde(default)]
    stop_reason: Option<StopReason>,
    #[serde(default)]
    stop_sequence: Option<String>,
}

/// `message_delta.usage`: output is always there; input-side fields only sometimes.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
struct DeltaUsage {
    output_tokens: Option<u64>,
    input_tokens: Option<u64>,
    cache_creation_input_tokens: Option<u64>,
    cache_read_input_tokens: Option<u64>,
    cache_creation: Option<CacheCreation>,
    service_tier: Option<ServiceTier>,
}

/// Why a stream could not be turned into a message.
#[derive(Debug)]
pub(crate) enum StreamFault {
    /// `event: error`; `(error.type, error.message)`.
    ErrorEvent(String, String),
    /// A known event whose data did not parse, or a stream that ended early.
    Malformed(String),
}

/// The message being assembled.
#[derive(Debug, Default)]
pub(crate) struct StreamState {
    message: Option<Message>,
    /// Partial JSON of tool_use inputs, by block index.
    json: Vec<(usize, String)>,
    last_usage: Option<DeltaUsage>,
    started: bool,
    stopped: bool,
}

impl StreamState {
    /// True once any event other than an error arrived; from then on the request is not re-sent.
    pub fn started(&self) -> bool {
        self.started
    }

    /// Applies one event, passing any text delta to `on_text`.
    pub fn apply(&mut self, event: &SseEvent, on_text: &mut dyn FnMut(&str)) -> Result<(), StreamFault> {
        let parsed = match serde_json::from_str::<Event>(&event.data) {
            Ok(parsed) => parsed,
            Err(_) if !is_known(&event.name) => return Ok(()),
            Err(e) => {
                return Err(StreamFault::Malformed(format!("`{}` event: {e}", event.name)));
            }
        };
        if let Event::Error { error } = parsed {
            return Err(StreamFault::ErrorEvent(error.kind, error.message));
        }
        self.started = true;
        match parsed {
            Event::MessageStart { message } => self.message = Some(message),
            Event::ContentBlockStart { index, content_block } => self.start_block(index, content_block),
            Event::ContentBlockDelta { index, delta } => self.delta(index, delta, on_text),
            Event::ContentBlockStop { index } => self.stop_block(index),
            Event::MessageDelta { delta, usage } => {
                if let Some(message) = self.message.as_mut() {
                    message.stop_reason = delta.stop_reason.or(message.stop_reason);
                    message.stop_sequence = delta.stop_sequence.or(message.stop_sequence.take());
                }
                // Cumulative: replace, never add.
                self.last_usage = Some(usage);
            }
            Event::MessageStop => self.stopped = true,
            Event::Ping | Event::Unknown | Event::Error { .. } => {}
        }
        Ok(())
    }

    fn blocks(&mut self) -> Option<&mut Vec<ContentBlock>> {
        self.message.as_mut().map(|m| &mut m.content)
    }

    fn start_block(&mut self, index: usize, block: ContentBlock) {
        if let Some(blocks) = self.blocks() {
            if blocks.len() <= index {
                blocks.resize(index + 1, ContentBlock::Other);
            }
            blocks[index] = block;
        }
    }

    fn delta(&mut self, index: usize, delta: Fragment, on_text: &mut dyn FnMut(&str)) {
        match delta {
            Fragment::TextDelta { text } => {
                on_text(&text);
                if let Some(ContentBlock::Text { text: so_far }) = self.blocks().and_then(|b| b.get_mut(index)) {
                    so_far.push_str(&text);
                }
            }
            Fragment::InputJsonDelta { partial_json } => match self.json.iter_mut().find(|(i, _)| *i == index) {
                Some((_, buf)) => buf.push_str(&partial_json),
                None => self.json.push((index, partial_json)),
            },
            Fragment::Other => {}
        }
    }

    fn stop_block(&mut self, index: usize) {
        let Some(pos) = self.json.iter().position(|(i, _)| *i == index) else {
            return;
        };
        let (_, raw) = self.json.swap_remove(pos);
        if let Some(ContentBlock::ToolUse { input, .. }) = self.blocks().and_then(|b| b.get_mut(index)) {
            // An unparsable fragment leaves the input as the start event gave it.
            if let Ok(value) = serde_json::from_str(&raw) {
                *input = value;
            }
        }
    }

    /// The usage reported so far: `message_start`'s, with the last cumulative delta over it.
    /// `None` before `message_start`.
    pub fn usage(&self) -> Option<Usage> {
        let mut usage = self.message.as_ref()?.usage;
        if let Some(last) = self.last_usage {
            merge(&mut usage, &last);
        }
        Some(usage)
    }

    /// The message id from `message_start`.
    pub fn message_id(&self) -> Option<&str> {
        self.message.as_ref().map(|m| m.id.as_str())
    }

    /// True once a `message_delta` carried the stop reason: the usage is final.
    pub fn usage_final(&self) -> bool {
        self.last_usage.is_some() && self.message.as_ref().is_some_and(|m| m.stop_reason.is_some())
    }

    /// The finished message, with the last cumulative usage merged over `message_start`'s.
    pub fn finish(self) -> Result<Message, StreamFault> {
        let Some(mut message) = self.message else {
            return Err(StreamFault::Malformed("the stream had no message_start".into()));
        };
        if !self.stopped {
            return Err(StreamFault::Malformed("the stream ended before message_stop".into()));
        }
        if let Some(last) = self.last_usage {
            merge(&mut message.usage, &last);
        }
        Ok(message)
    }
}

fn merge(usage: &mut Usage, last: &DeltaUsage) {
    usage.output_tokens = last.output_tokens.unwrap_or(usage.output_tokens);
    usage.input_tokens = last.input_tokens.unwrap_or(usage.input_tokens);
    usage.cache_creation_input_tokens = last.cache_creation_input_tokens.unwrap_or(usage.cache_creation_input_tokens);
    usage.cache_read_input_tokens = last.cache_read_input_tokens.unwrap_or(usage.cache_read_input_tokens);
    usage.cache_creation = last.cache_creation.unwrap_or(usage.cache_creation);
    usage.service_tier = last.service_tier.or(usage.service_tier);
}

fn is_known(name: &str) -> bool {
    matches!(
        name,
        "message_start"
            | "content_block_start"
            | "content_block_delta"
            | "content_block_stop"
            | "message_delta"
            | "message_stop"
            | "error"
    )
}

#[cfg(test)]
#[path = "sse_tests.rs"]
mod tests;
