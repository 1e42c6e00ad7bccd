//! Deterministic token counting.
//!
//! The real tokenizer is not public, and tests need exact, predictable numbers, so the stand-in
//! counts with a documented function of the text instead:
//!
//! * A `text` block, a string `system` or string message content costs `ceil(chars / 4)` tokens,
//!   where `chars` counts Unicode scalar values.
//! * Any other content block (`thinking`, `tool_use`, `tool_result`, `document`, ...) costs
//!   `ceil(chars / 4)` of its compact JSON with `type`, `text` and `cache_control` removed (object
//!   keys in sorted order), plus `ceil(chars / 4)` of its `text` field if it has one.
//! * An `image` block costs a flat [`IMAGE_TOKENS`], since its base64 length says nothing useful.
//! * A tool definition costs `ceil(chars / 4)` of its compact JSON without `cache_control`.
//! * Each message adds [`MESSAGE_OVERHEAD_TOKENS`] for its role framing; the overhead is charged to
//!   the message's first block so it sits inside the cacheable prefix like the real framing does.
//!
//! `count_tokens` returns exactly this sum, and for `/v1/messages` the same sum equals
//! `input_tokens + cache_creation_input_tokens + cache_read_input_tokens`.
//!
//! Output tokens of a reply default to `max(1, ceil(chars / 4))` of the reply text.

/// Tokens added per message for role framing.
pub const MESSAGE_OVERHEAD_TOKENS: u32 = 3;

/// Flat cost of one image block.
pub const IMAGE_TOKENS: u32 = 1600;

/// `ceil(chars / 4)` with `chars` counted in Unicode scalar values.
pub fn text_tokens(text: &str) -> u32 {
    let chars = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
    chars.div_ceil(4)
}

/// Output tokens for a reply text: like [`text_tokens`] but never 0, since every reply bills at
/// least one output token.
pub fn output_tokens(text: &str) -> u32 {
    text_tokens(text).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_up_per_four_chars() {
        assert_eq!(text_tokens(""), 0);
        assert_eq!(text_tokens("a"), 1);
        assert_eq!(text_tokens("abcd"), 1);
        assert_eq!(text_tokens("abcde"), 2);
        assert_eq!(text_tokens(&"x".repeat(4000)), 1000);
    }

    #[test]
    fn counts_scalar_values_not_bytes() {
        assert_eq!(text_tokens("ééééé"), 2);
        assert_eq!(output_tokens(""), 1);
    }
}
