//! The Messages request model, typed. Content blocks and tool definitions keep their
//! type-specific fields in a flattened map because the API's set of block and tool types is
//! open-ended; everything the stand-in acts on is a typed field.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::errors::ApiError;
use crate::models::ModelInfo;

/// Body of `POST /v1/messages` and `POST /v1/messages/count_tokens`.
#[derive(Debug, Clone, Deserialize)]
pub struct MessagesRequest {
    pub model: String,
    /// Required by create, absent from count_tokens; checked in [`MessagesRequest::validate`] so
    /// the error reads like the API's.
    #[serde(default)]
    pub max_tokens: Option<u32>,
    pub messages: Vec<Message>,
    #[serde(default)]
    pub system: Option<Content>,
    #[serde(default)]
    pub tools: Vec<Tool>,
    /// Open-ended object; only its identity matters (it invalidates the messages cache).
    #[serde(default)]
    pub tool_choice: Option<Value>,
    /// Open-ended object; only its identity matters (it invalidates the messages cache).
    #[serde(default)]
    pub thinking: Option<Value>,
    #[serde(default)]
    pub stream: bool,
    #[serde(default)]
    pub temperature: Option<f64>,
    #[serde(default)]
    pub top_p: Option<f64>,
    #[serde(default)]
    pub top_k: Option<u32>,
    /// Top-level automatic caching: a breakpoint on the last cacheable block.
    #[serde(default)]
    pub cache_control: Option<CacheControl>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: Content,
}

/// `system` and message `content` are either a plain string or a list of blocks.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Content {
    Text(String),
    Blocks(Vec<ContentBlock>),
}

/// One content block. `cache_control` is skipped when serializing because the serialized form
/// is the block's cache identity, and moving a breakpoint must not change the prefix.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ContentBlock {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing)]
    pub cache_control: Option<CacheControl>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// A tool definition (client or server tool; the shapes differ, hence the open map).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Tool {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing)]
    pub cache_control: Option<CacheControl>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// `{"type":"ephemeral","ttl":"5m"|"1h"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub struct CacheControl {
    #[serde(rename = "type")]
    pub kind: CacheType,
    #[serde(default)]
    pub ttl: Ttl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheType {
    Ephemeral,
}

/// Cache lifetime. 5 minutes unless the breakpoint asks for an hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, Serialize)]
pub enum Ttl {
    #[default]
    #[serde(rename = "5m")]
    FiveMinutes,
    #[serde(rename = "1h")]
    OneHour,
}

impl Ttl {
    pub fn duration(self) -> std::time::Duration {
        match self {
            Ttl::FiveMinutes => std::time::Duration::from_secs(300),
            Ttl::OneHour => std::time::Duration::from_secs(3600),
        }
    }
}

impl CacheControl {
    pub fn ephemeral(ttl: Ttl) -> Self {
        Self { kind: CacheType::Ephemeral, ttl }
    }
}

impl MessagesRequest {
    /// Parses a body, turning serde's complaint into the API's 400.
    pub fn parse(body: &[u8]) -> Result<Self, ApiError> {
        serde_json::from_slice(body).map_err(|e| ApiError::invalid_request(e.to_string()))
    }

    /// Checks what the API checks before doing any work. `create` is false for count_tokens,
    /// which takes no `max_tokens` and no sampling parameters.
    pub fn validate(&self, model: &ModelInfo, create: bool) -> Result<(), ApiError> {
        if create && self.max_tokens.is_none() {
            return Err(ApiError::invalid_request("max_tokens: Field required"));
        }
        if create && self.max_tokens == Some(0) {
            return Err(ApiError::invalid_request("max_tokens: must be greater than or equal to 1"));
        }
        if self.messages.is_empty() {
            return Err(ApiError::invalid_request("messages: at least one message is required"));
        }
        if create && model.rejects_sampling_params {
            self.check_sampling_defaults()?;
        }
        Ok(())
    }

    /// Newer models reject sampling parameters at anything but their defaults. `temperature` and
    /// `top_p` default to 1.0; `top_k` has no default, so any value is rejected.
    fn check_sampling_defaults(&self) -> Result<(), ApiError> {
        let deprecated = |name: &str| ApiError::invalid_request(format!("`{name}` is deprecated for this model."));
        if self.temperature.is_some_and(|t| t != 1.0) {
            return Err(deprecated("temperature"));
        }
        if self.top_p.is_some_and(|p| p != 1.0) {
            return Err(deprecated("top_p"));
        }
        if self.top_k.is_some() {
            return Err(deprecated("top_k"));
        }
        Ok(())
    }

    /// The system prompt as plain text, for script matching.
    pub fn system_text(&self) -> String {
        self.system.as_ref().map(Content::plain_text).unwrap_or_default()
    }

    /// The last user message as plain text, for script matching.
    pub fn last_user_text(&self) -> String {
        self.messages.iter().rev().find(|m| m.role == Role::User).map(|m| m.content.plain_text()).unwrap_or_default()
    }
}

impl Content {
    /// Concatenated `text` of the text blocks (or the string itself).
    pub fn plain_text(&self) -> String {
        match self {
            Content::Text(s) => s.clone(),
            Content::Blocks(blocks) => blocks.iter().filter_map(|b| b.text.as_deref()).collect::<Vec<_>>().join("\n"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::lookup_model;

    fn parse(v: Value) -> Result<MessagesRequest, ApiError> {
        MessagesRequest::parse(v.to_string().as_bytes())
    }

    #[test]
    fn parses_string_and_block_content() {
        let r = parse(serde_json::json!({
            "model": "claude-sonnet-4-6", "max_tokens": 10,
            "system": [{"type": "text", "text": "sys", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
            "messages": [{"role": "user", "content": "hi"}]
        }))
        .unwrap();
        assert_eq!(r.system_text(), "sys");
        assert_eq!(r.last_user_text(), "hi");
        let Some(Content::Blocks(b)) = &r.system else { panic!("blocks") };
        assert_eq!(b[0].cache_control, Some(CacheControl::ephemeral(Ttl::OneHour)));
    }

    #[test]
    fn rejects_bad_ttl_and_missing_max_tokens() {
        let bad_ttl = serde_json::json!({"model": "m", "messages": [{"role": "user", "content": [
            {"type": "text", "text": "x", "cache_control": {"type": "ephemeral", "ttl": "2h"}}]}]});
        assert_eq!(parse(bad_ttl).unwrap_err().status, 400);
        let r = parse(serde_json::json!({"model": "m", "messages": [{"role": "user", "content": "x"}]}));
        let model = lookup_model("claude-sonnet-4-6").unwrap();
        let err = r.unwrap().validate(model, true).unwrap_err();
        assert_eq!(err.message, "max_tokens: Field required");
    }

    #[test]
    fn sampling_params_only_rejected_on_flagged_models_when_not_default() {
        let req = |t: f64| {
            parse(serde_json::json!({"model": "m", "max_tokens": 5, "temperature": t,
                "messages": [{"role": "user", "content": "x"}]}))
            .unwrap()
        };
        let opus47 = lookup_model("claude-opus-4-7").unwrap();
        let sonnet45 = lookup_model("claude-sonnet-4-5").unwrap();
        assert_eq!(req(0.2).validate(opus47, true).unwrap_err().status, 400);
        assert!(req(1.0).validate(opus47, true).is_ok());
        assert!(req(0.2).validate(sonnet45, true).is_ok());
    }
}
