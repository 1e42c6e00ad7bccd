//! Turns the script's decision into a Messages API response: content, stop reason, usage.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cache::CacheUsage;
use crate::script::{Action, Fault};
use crate::tokens::{output_tokens, text_tokens};

/// `usage.cache_creation`: the write tokens split by TTL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheCreation {
    pub ephemeral_5m_input_tokens: u32,
    pub ephemeral_1h_input_tokens: u32,
}

/// The response `usage` object (also recorded in the ledger).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Input tokens after the last breakpoint: neither read from nor written to the cache.
    pub input_tokens: u32,
    pub output_tokens: u32,
    pub cache_creation_input_tokens: u32,
    pub cache_read_input_tokens: u32,
    pub cache_creation: CacheCreation,
    /// "standard", or "batch" for Message Batches requests.
    pub service_tier: String,
}

impl Usage {
    pub fn new(total_input: u32, cache: CacheUsage, output_tokens: u32, batch: bool) -> Self {
        Self {
            input_tokens: cache.uncached_input(total_input),
            output_tokens,
            cache_creation_input_tokens: cache.creation(),
            cache_read_input_tokens: cache.read,
            cache_creation: CacheCreation {
                ephemeral_5m_input_tokens: cache.write_5m,
                ephemeral_1h_input_tokens: cache.write_1h,
            },
            service_tier: if batch { "batch" } else { "standard" }.into(),
        }
    }
}

/// One content block of a reply.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutBlock {
    Text { text: String },
    ToolUse { id: String, name: String, input: Value },
}

/// A complete `message` object.
#[derive(Debug, Clone, Serialize)]
pub struct MessageResponse {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub role: &'static str,
    pub content: Vec<OutBlock>,
    pub model: String,
    pub stop_reason: Option<&'static str>,
    pub stop_sequence: Option<String>,
    pub usage: Usage,
}

/// What the model "generated", before usage is attached.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub content: Vec<OutBlock>,
    pub stop_reason: &'static str,
    pub output_tokens: u32,
}

/// The reply text when the script gives none: short and deterministic.
pub fn default_text(model: &str) -> String {
    format!("Stand-in reply from {model}.")
}

/// Builds the generated content for an action, honouring `max_tokens` like the real API: output
/// beyond it is cut and the stop reason says so.
pub fn outcome(action: &Action, model: &str, max_tokens: u32, tool_use_id: String) -> Outcome {
    if action.fault == Some(Fault::Refusal) {
        return Outcome {
            content: Vec::new(),
            stop_reason: "refusal",
            output_tokens: action.reply.output_tokens.unwrap_or(1),
        };
    }
    let reply = &action.reply;
    let text = reply.text.clone().unwrap_or_else(|| default_text(model));
    let tool = reply.tool_use.as_ref().map(|t| OutBlock::ToolUse {
        id: tool_use_id,
        name: t.name.clone(),
        input: t.input.clone(),
    });
    let tool_tokens = reply.tool_use.as_ref().map_or(0, |t| text_tokens(&t.name) + text_tokens(&t.input.to_string()));
    let natural = reply.output_tokens.unwrap_or(output_tokens(&text) + tool_tokens);
    if action.fault == Some(Fault::MaxTokens) || natural > max_tokens {
        return cut_at_max_tokens(&text, max_tokens);
    }
    let stop_reason = if tool.is_some() { "tool_use" } else { "end_turn" };
    Outcome {
        content: std::iter::once(OutBlock::Text { text }).chain(tool).collect(),
        stop_reason,
        output_tokens: natural,
    }
}

/// Generation stopped by `max_tokens`: the text is cut where that many tokens end, any tool
/// call is lost, and exactly `max_tokens` are billed.
fn cut_at_max_tokens(text: &str, max_tokens: u32) -> Outcome {
    let cut: String = text.chars().take(max_tokens as usize * 4).collect();
    Outcome { content: vec![OutBlock::Text { text: cut }], stop_reason: "max_tokens", output_tokens: max_tokens }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::{Reply, ToolUseReply};

    fn action(reply: Reply, fault: Option<Fault>) -> Action {
        Action { reply, fault }
    }

    #[test]
    fn default_reply_is_deterministic_and_counted() {
        let o = outcome(&action(Reply::default(), None), "claude-sonnet-4-6", 100, "t".into());
        let text = default_text("claude-sonnet-4-6");
        assert_eq!(o.content, vec![OutBlock::Text { text: text.clone() }]);
        assert_eq!((o.stop_reason, o.output_tokens), ("end_turn", output_tokens(&text)));
    }

    #[test]
    fn max_tokens_cuts_the_reply() {
        let long = Reply::text(&"word ".repeat(100));
        let o = outcome(&action(long, None), "m", 10, "t".into());
        assert_eq!((o.stop_reason, o.output_tokens), ("max_tokens", 10));
        let forced = outcome(&action(Reply::text("hi"), Some(Fault::MaxTokens)), "m", 64, "t".into());
        assert_eq!((forced.stop_reason, forced.output_tokens), ("max_tokens", 64));
    }

    #[test]
    fn refusal_and_tool_use_stop_reasons() {
        let r = outcome(&action(Reply::default(), Some(Fault::Refusal)), "m", 10, "t".into());
        assert_eq!((r.stop_reason, r.content.len()), ("refusal", 0));
        let tool = Reply {
            tool_use: Some(ToolUseReply { name: "read".into(), input: serde_json::json!({"p": 1}) }),
            ..Reply::text("calling")
        };
        let t = outcome(&action(tool, None), "m", 100, "toolu_1".into());
        assert_eq!(t.stop_reason, "tool_use");
        assert_eq!(t.content.len(), 2);
    }

    #[test]
    fn usage_splits_input_and_cache_fields() {
        let cache = CacheUsage { read: 100, write_5m: 20, write_1h: 30 };
        let u = Usage::new(200, cache, 7, true);
        assert_eq!(u.input_tokens, 50);
        assert_eq!(u.cache_creation_input_tokens, 50);
        assert_eq!(u.cache_creation.ephemeral_1h_input_tokens, 30);
        assert_eq!(u.service_tier, "batch");
    }
}
