//! Typed Messages API bodies: the request (with prompt-cache breakpoints), the response, and the
//! `usage` object with every field pricing needs. Missing or `null` numbers read as 0 and unknown
//! enum values as `Other`, because the API adds fields and values over time and a new one must
//! not turn a paid-for reply into a decode error.

use serde::{Deserialize, Deserializer, Serialize};

/// Lifetime of a cache breakpoint; the API's default is 5 minutes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CacheTtl {
    #[default]
    #[serde(rename = "5m")]
    FiveMinutes,
    #[serde(rename = "1h")]
    OneHour,
}

/// `"ephemeral"` is the only cache type the API has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheType {
    #[default]
    Ephemeral,
}

/// `{"type":"ephemeral","ttl":"5m"|"1h"}`. The TTL is always sent, so what was asked for is
/// visible on the wire rather than left to a server default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheControl {
    #[serde(rename = "type")]
    pub kind: CacheType,
    #[serde(default)]
    pub ttl: CacheTtl,
}

impl CacheControl {
    pub fn ephemeral(ttl: CacheTtl) -> Self {
        Self { kind: CacheType::Ephemeral, ttl }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum TextType {
    #[default]
    Text,
}

/// A text block in `system` or in a message; with `cache_control` it is a cache breakpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextBlock {
    #[serde(rename = "type")]
    kind: TextType,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
}

impl TextBlock {
    pub fn new(text: impl Into<String>) -> Self {
        Self { kind: TextType::Text, text: text.into(), cache_control: None }
    }

    /// Makes this block a cache breakpoint: everything up to and including it is cached.
    #[must_use]
    pub fn cached(mut self, ttl: CacheTtl) -> Self {
        self.cache_control = Some(CacheControl::ephemeral(ttl));
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

/// One turn of the conversation sent to the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputMessage {
    pub role: Role,
    pub content: Vec<TextBlock>,
}

/// Request metadata; `user_id` is an opaque id for abuse tracking, never personal data.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

/// Body of `POST /v1/messages`. There is no `stream` field: `ApiClient::create` and
/// `ApiClient::stream` add it, so a request cannot ask for the wrong response shape, and the
/// same value is valid as Message Batches `params`, which must not stream.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessagesRequest {
    pub model: String,
    pub max_tokens: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub system: Vec<TextBlock>,
    pub messages: Vec<InputMessage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// The wire form of a Messages request, with the stream flag chosen by the client method.
#[derive(Serialize)]
pub(crate) struct WireRequest<'a> {
    #[serde(flatten)]
    pub request: &'a MessagesRequest,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stream: bool,
}

/// Body of `POST /v1/messages/count_tokens`: a Messages request without `max_tokens` or
/// sampling parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountTokensRequest {
    pub model: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub system: Vec<TextBlock>,
    pub messages: Vec<InputMessage>,
}

impl From<&MessagesRequest> for CountTokensRequest {
    fn from(request: &MessagesRequest) -> Self {
        Self { model: request.model.clone(), system: request.system.clone(), messages: request.messages.clone() }
    }
}

/// A generated content block. Block types this client does not use are kept as `Other`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        #[serde(default)]
        input: serde_json::Value,
    },
    #[serde(other)]
    Other,
}

/// Why generation stopped. `MaxTokens` means the reply was cut short; `Refusal` means the model
/// declined and the content may be empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    EndTurn,
    MaxTokens,
    StopSequence,
    ToolUse,
    PauseTurn,
    Refusal,
    #[serde(other)]
    Other,
}

/// The tier that served the request; `Batch` for Message Batches items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceTier {
    Standard,
    Priority,
    Batch,
    #[serde(other)]
    Other,
}

/// Cache writes split by TTL; the two parts are priced differently (1.25x and 2x input).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct CacheCreation {
    #[serde(deserialize_with = "null_as_default")]
    pub ephemeral_5m_input_tokens: u64,
    #[serde(deserialize_with = "null_as_default")]
    pub ephemeral_1h_input_tokens: u64,
}

/// Billed tokens. `input_tokens` is only the uncached input after the last breakpoint; see
/// [`Usage::total_input_tokens`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Usage {
    #[serde(deserialize_with = "null_as_default")]
    pub input_tokens: u64,
    #[serde(deserialize_with = "null_as_default")]
    pub output_tokens: u64,
    #[serde(deserialize_with = "null_as_default")]
    pub cache_creation_input_tokens: u64,
    #[serde(deserialize_with = "null_as_default")]
    pub cache_read_input_tokens: u64,
    #[serde(deserialize_with = "null_as_default")]
    pub cache_creation: CacheCreation,
    pub service_tier: Option<ServiceTier>,
}

impl Usage {
    /// Everything the prompt cost in tokens: uncached input, cache writes and cache reads.
    #[cfg(test)]
    pub fn total_input_tokens(&self) -> u64 {
        self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens
    }
}

/// A complete reply from `POST /v1/messages` (or assembled from a stream).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Message {
    pub id: String,
    pub model: String,
    #[serde(default)]
    pub content: Vec<ContentBlock>,
    #[serde(default)]
    pub stop_reason: Option<StopReason>,
    #[serde(default)]
    pub stop_sequence: Option<String>,
    #[serde(default)]
    pub usage: Usage,
}

impl Message {
    /// The text blocks joined, which is the whole answer for a text-only request.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|block| match block {
                ContentBlock::Text { text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// A JSON `null` reads as the type's default, like a missing field does.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
#[path = "types_tests.rs"]
mod tests;
