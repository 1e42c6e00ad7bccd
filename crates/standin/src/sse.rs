//! Server-sent events for `stream: true`, in the documented order:
//! `message_start` (input-side usage, placeholder `output_tokens`), `ping`, per block
//! `content_block_start` / `content_block_delta`... / `content_block_stop`, then `message_delta`
//! events whose usage is CUMULATIVE, then `message_stop`.
//!
//! Two `message_delta` events are sent when the reply has at least two output tokens, so a client
//! that adds them up instead of taking the last one double-counts and its tests fail.

use serde::Serialize;

use crate::errors::ApiError;
use crate::reply::{MessageResponse, OutBlock, Usage};

/// Placeholder `output_tokens` in `message_start`, as the real API sends a small non-final count.
const PLACEHOLDER_OUTPUT_TOKENS: u32 = 1;

/// Characters per text delta: small enough that multi-delta assembly is exercised.
const DELTA_CHARS: usize = 16;

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Event<'a> {
    MessageStart { message: MessageResponse },
    Ping,
    ContentBlockStart { index: usize, content_block: OutBlock },
    ContentBlockDelta { index: usize, delta: Delta },
    ContentBlockStop { index: usize },
    MessageDelta { delta: StopDelta, usage: &'a Usage },
    MessageStop,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Delta {
    TextDelta { text: String },
    InputJsonDelta { partial_json: String },
}

#[derive(Serialize)]
struct StopDelta {
    stop_reason: Option<&'static str>,
    stop_sequence: Option<String>,
}

impl Event<'_> {
    fn name(&self) -> &'static str {
        match self {
            Event::MessageStart { .. } => "message_start",
            Event::Ping => "ping",
            Event::ContentBlockStart { .. } => "content_block_start",
            Event::ContentBlockDelta { .. } => "content_block_delta",
            Event::ContentBlockStop { .. } => "content_block_stop",
            Event::MessageDelta { .. } => "message_delta",
            Event::MessageStop => "message_stop",
        }
    }
}

fn frame(out: &mut String, event: &Event<'_>) {
    let data = serde_json::to_string(event).unwrap_or_default();
    out.push_str(&format!("event: {}\ndata: {data}\n\n", event.name()));
}

/// The full event stream for a finished message.
pub fn stream(message: &MessageResponse) -> String {
    let mut out = String::new();
    frame(&mut out, &start_event(message));
    frame(&mut out, &Event::Ping);
    for (index, block) in message.content.iter().enumerate() {
        for event in block_events(index, block) {
            frame(&mut out, &event);
        }
    }
    let usages = delta_usages(&message.usage);
    let last = usages.len() - 1;
    for (i, usage) in usages.iter().enumerate() {
        // Only the final delta carries the stop reason; earlier ones report progress.
        let stop_reason = if i == last { message.stop_reason } else { None };
        let delta = StopDelta { stop_reason, stop_sequence: None };
        frame(&mut out, &Event::MessageDelta { delta, usage });
    }
    frame(&mut out, &Event::MessageStop);
    out
}

/// A stream that starts normally after HTTP 200 and then breaks with `event: error`.
pub fn broken_stream(message: &MessageResponse, error: &ApiError, request_id: &str) -> String {
    let mut out = String::new();
    frame(&mut out, &start_event(message));
    frame(&mut out, &Event::Ping);
    if let Some(first) = message.content.first() {
        let events = block_events(0, first);
        for event in events.into_iter().take(2) {
            frame(&mut out, &event);
        }
    }
    out.push_str(&format!("event: error\ndata: {}\n\n", error.body(request_id)));
    out
}

fn start_event(message: &MessageResponse) -> Event<'static> {
    let mut start = message.clone();
    start.content.clear();
    start.stop_reason = None;
    start.usage.output_tokens = PLACEHOLDER_OUTPUT_TOKENS.min(message.usage.output_tokens);
    Event::MessageStart { message: start }
}

fn block_events(index: usize, block: &OutBlock) -> Vec<Event<'static>> {
    let (shell, deltas) = match block {
        OutBlock::Text { text } => (
            OutBlock::Text { text: String::new() },
            chunks(text).into_iter().map(|text| Delta::TextDelta { text }).collect::<Vec<_>>(),
        ),
        OutBlock::ToolUse { id, name, input } => (
            OutBlock::ToolUse { id: id.clone(), name: name.clone(), input: serde_json::json!({}) },
            chunks(&input.to_string()).into_iter().map(|partial_json| Delta::InputJsonDelta { partial_json }).collect(),
        ),
    };
    let mut events = vec![Event::ContentBlockStart { index, content_block: shell }];
    events.extend(deltas.into_iter().map(|delta| Event::ContentBlockDelta { index, delta }));
    events.push(Event::ContentBlockStop { index });
    events
}

fn chunks(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(DELTA_CHARS).map(|c| c.iter().collect()).collect()
}

/// Cumulative usages for the `message_delta` events: half-way, then final.
fn delta_usages(final_usage: &Usage) -> Vec<Usage> {
    let total = final_usage.output_tokens;
    let mut usages = Vec::new();
    if total >= 2 {
        usages.push(Usage { output_tokens: total / 2, ..final_usage.clone() });
    }
    usages.push(final_usage.clone());
    usages
}

#[cfg(test)]
#[path = "sse_tests.rs"]
mod tests;
