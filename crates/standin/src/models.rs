//! The model table: every model id the stand-in accepts and the per-model facts that change how a
//! request is handled. Kept as one const table so adding a model is one line of data.
//!
//! Minimums come from the prompt-caching page as summarised in `shared/reference/anthropic-api.md`
//! (2026 column). They are test data for the stand-in, not the product's price table.

/// One known model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelInfo {
    /// The id the API reports back in `model`; also the cache scope (caches are model-scoped).
    pub id: &'static str,
    /// Other ids that resolve to this model (alias of a dated snapshot).
    pub aliases: &'static [&'static str],
    /// Shortest prefix, in tokens, that a breakpoint may cache. A shorter prefix is not cached and
    /// the request still succeeds, as the real API does.
    pub min_cacheable_tokens: u32,
    /// Opus 4.7 and later answer 400 to non-default `temperature`, `top_p` or `top_k`.
    pub rejects_sampling_params: bool,
}

const fn model(
    id: &'static str,
    aliases: &'static [&'static str],
    min_cacheable_tokens: u32,
    rejects_sampling_params: bool,
) -> ModelInfo {
    ModelInfo { id, aliases, min_cacheable_tokens, rejects_sampling_params }
}

/// Every model the stand-in knows. Anything else is a 404 `not_found_error`, as on the real API.
pub const MODELS: &[ModelInfo] = &[
    model("claude-haiku-4-5-20251001", &["claude-haiku-4-5"], 4096, false),
    model("claude-sonnet-4-5-20250929", &["claude-sonnet-4-5"], 1024, false),
    model("claude-opus-4-5-20251101", &["claude-opus-4-5"], 4096, false),
    model("claude-sonnet-4-6", &[], 1024, false),
    model("claude-opus-4-6", &[], 4096, false),
    model("claude-opus-4-7", &[], 2048, true),
    model("claude-opus-4-8", &[], 1024, true),
    model("claude-sonnet-5", &[], 1024, true),
    model("claude-opus-5", &[], 512, true),
    model("claude-opus-5-5", &[], 512, true),
    // The reference lists no minimum for Sonnet 5.5 or Haiku 5.5; these follow Sonnet 5 and are
    // an assumption to revisit when the official table is read.
    model("claude-sonnet-5-5", &[], 1024, true),
    model("claude-haiku-5-5", &[], 1024, true),
];

/// Finds a model by id or alias.
pub fn lookup_model(id: &str) -> Option<&'static ModelInfo> {
    MODELS.iter().find(|m| m.id == id || m.aliases.contains(&id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve_to_the_dated_snapshot() {
        let m = lookup_model("claude-sonnet-4-5").unwrap();
        assert_eq!(m.id, "claude-sonnet-4-5-20250929");
        assert_eq!(m.min_cacheable_tokens, 1024);
    }

    #[test]
    fn required_models_are_present_with_reference_minimums() {
        let expect = [
            ("claude-haiku-4-5", 4096, false),
            ("claude-sonnet-4-5", 1024, false),
            ("claude-sonnet-4-6", 1024, false),
            ("claude-opus-4-5", 4096, false),
            ("claude-opus-4-7", 2048, true),
            ("claude-sonnet-5", 1024, true),
            ("claude-opus-5-5", 512, true),
        ];
        for (id, min, rejects) in expect {
            let m = lookup_model(id).unwrap_or_else(|| panic!("{id} missing"));
            assert_eq!((m.min_cacheable_tokens, m.rejects_sampling_params), (min, rejects));
        }
        assert!(lookup_model("claude-haiku-5-5").is_some());
        assert!(lookup_model("claude-sonnet-5-5").is_some());
        assert!(lookup_model("claude-3-opus").is_none());
    }
}
