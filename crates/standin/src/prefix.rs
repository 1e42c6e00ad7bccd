//! Flattens a request into the ordered block list that prompt caching works on.
//!
//! The cache prefix runs tools -> system -> messages. Each block carries its token count, the
//! running total up to and including it, a hash of the whole prefix up to it (its cache key), and
//! its breakpoint if it has one. Section changes fold in the request fields that invalidate later
//! sections only: `tool_choice` and `thinking` change the messages cache but not tools or system.

use std::hash::{DefaultHasher, Hasher};

use crate::errors::ApiError;
use crate::request::{CacheControl, Content, ContentBlock, MessagesRequest, Tool, Ttl};
use crate::tokens::{IMAGE_TOKENS, MESSAGE_OVERHEAD_TOKENS, text_tokens};

/// The API's limit on `cache_control` markers per request.
pub const MAX_BREAKPOINTS: usize = 4;

/// One cacheable unit of the prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefixBlock {
    pub tokens: u32,
    /// Tokens from the start of the prompt up to and including this block.
    pub cumulative: u32,
    /// Identity of the prefix ending at this block (independent of where breakpoints sit).
    pub hash: u64,
    pub breakpoint: Option<Ttl>,
    /// Thinking blocks and empty text blocks cannot carry a breakpoint.
    pub cacheable: bool,
}

/// A request's prompt as prompt caching sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Prefix {
    pub blocks: Vec<PrefixBlock>,
    /// Every input token of the request, including framing after the last block.
    pub total_tokens: u32,
}

#[derive(Default)]
struct Builder {
    blocks: Vec<PrefixBlock>,
    /// Tokens and identity bytes waiting for the next block (message framing, section changes).
    pending_tokens: u32,
    pending_salt: Vec<u8>,
}

impl Prefix {
    /// Builds the prefix and checks the breakpoint rules (count, TTL order, placement).
    pub fn build(req: &MessagesRequest) -> Result<Self, ApiError> {
        let mut b = Builder::default();
        for tool in &req.tools {
            b.push_tool(tool)?;
        }
        b.salt(b"\x00system");
        if let Some(system) = &req.system {
            b.push_content(system)?;
        }
        b.salt(b"\x00messages");
        for field in [&req.tool_choice, &req.thinking] {
            b.salt(field.as_ref().map(|v| v.to_string()).unwrap_or_default().as_bytes());
        }
        for message in &req.messages {
            b.pending_tokens += MESSAGE_OVERHEAD_TOKENS;
            b.salt(if message.role == crate::request::Role::User { b"\x00user" } else { b"\x00assistant" });
            b.push_content(&message.content)?;
        }
        b.finish(req.cache_control)
    }

    /// Breakpoints in prompt order: (block index, TTL).
    pub fn breakpoints(&self) -> impl Iterator<Item = (usize, Ttl)> + '_ {
        self.blocks.iter().enumerate().filter_map(|(i, b)| b.breakpoint.map(|ttl| (i, ttl)))
    }
}

impl Builder {
    fn salt(&mut self, bytes: &[u8]) {
        self.pending_salt.extend_from_slice(bytes);
    }

    fn push_tool(&mut self, tool: &Tool) -> Result<(), ApiError> {
        let json = serde_json::to_string(tool).unwrap_or_default();
        self.push(text_tokens(&json), json.as_bytes(), tool.cache_control, true);
        Ok(())
    }

    fn push_content(&mut self, content: &Content) -> Result<(), ApiError> {
        match content {
            Content::Text(text) => {
                // Same identity as a one-block list, so both spellings share a cache entry.
                let block = ContentBlock {
                    kind: "text".into(),
                    text: Some(text.clone()),
                    cache_control: None,
                    rest: Default::default(),
                };
                self.push_block(&block)
            }
            Content::Blocks(blocks) => blocks.iter().try_for_each(|b| self.push_block(b)),
        }
    }

    fn push_block(&mut self, block: &ContentBlock) -> Result<(), ApiError> {
        let empty_text = block.kind == "text" && block.text.as_deref().unwrap_or("").is_empty();
        let cacheable = block.kind != "thinking" && block.kind != "redacted_thinking" && !empty_text;
        if block.cache_control.is_some() && !cacheable {
            return Err(ApiError::invalid_request(format!(
                "cache_control cannot be set for {} blocks",
                if empty_text { "empty text" } else { "thinking" }
            )));
        }
        let json = serde_json::to_string(block).unwrap_or_default();
        self.push(block_tokens(block), json.as_bytes(), block.cache_control, cacheable);
        Ok(())
    }

    fn push(&mut self, tokens: u32, identity: &[u8], cc: Option<CacheControl>, cacheable: bool) {
        let prev = self.blocks.last();
        let mut h = DefaultHasher::new();
        h.write_u64(prev.map_or(0, |b| b.hash));
        h.write(&self.pending_salt);
        h.write(identity);
        let tokens = tokens + std::mem::take(&mut self.pending_tokens);
        self.pending_salt.clear();
        self.blocks.push(PrefixBlock {
            tokens,
            cumulative: prev.map_or(0, |b| b.cumulative) + tokens,
            hash: h.finish(),
            breakpoint: cc.map(|c| c.ttl),
            cacheable,
        });
    }

    fn finish(mut self, automatic: Option<CacheControl>) -> Result<Prefix, ApiError> {
        if let Some(cc) = automatic {
            self.place_automatic(cc.ttl)?;
        }
        let prefix = Prefix {
            total_tokens: self.blocks.last().map_or(0, |b| b.cumulative) + self.pending_tokens,
            blocks: self.blocks,
        };
        check_breakpoints(&prefix)?;
        Ok(prefix)
    }

    /// Top-level `cache_control`: a breakpoint on the last cacheable block, using one slot.
    fn place_automatic(&mut self, ttl: Ttl) -> Result<(), ApiError> {
        let explicit = self.blocks.iter().filter(|b| b.breakpoint.is_some()).count();
        let Some(last) = self.blocks.iter_mut().rev().find(|b| b.cacheable) else {
            return Ok(());
        };
        match last.breakpoint {
            Some(existing) if existing == ttl => Ok(()),
            Some(_) => Err(ApiError::invalid_request(
                "cache_control: the last block already has cache_control with a different ttl",
            )),
            None if explicit >= MAX_BREAKPOINTS => Err(ApiError::invalid_request(format!(
                "A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided; automatic caching needs a free slot."
            ))),
            None => {
                last.breakpoint = Some(ttl);
                Ok(())
            }
        }
    }
}

/// At most four breakpoints, and every 1h breakpoint must come before any 5m one.
fn check_breakpoints(prefix: &Prefix) -> Result<(), ApiError> {
    let count = prefix.breakpoints().count();
    if count > MAX_BREAKPOINTS {
        return Err(ApiError::invalid_request(format!(
            "A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. Found {count}."
        )));
    }
    let mut seen_5m = false;
    for (_, ttl) in prefix.breakpoints() {
        match ttl {
            Ttl::FiveMinutes => seen_5m = true,
            Ttl::OneHour if seen_5m => {
                return Err(ApiError::invalid_request(
                    "a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block",
                ));
            }
            Ttl::OneHour => {}
        }
    }
    Ok(())
}

/// Token cost of one content block (see the [`crate::tokens`] module docs).
fn block_tokens(block: &ContentBlock) -> u32 {
    let text = block.text.as_deref().map_or(0, text_tokens);
    match block.kind.as_str() {
        "image" => IMAGE_TOKENS,
        "text" => text,
        _ => text + text_tokens(&serde_json::to_string(&block.rest).unwrap_or_default()),
    }
}

#[cfg(test)]
#[path = "prefix_tests.rs"]
mod tests;
