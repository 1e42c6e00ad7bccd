//! Building a [`MessagesRequest`] per model. Newer models (Opus 4.7+, Sonnet 5, Haiku 5.5) answer
//! 400 to non-default `temperature`, `top_p` or `top_k`, so a request built for such a model
//! leaves them out; which models those are is model data owned elsewhere, passed in as
//! [`ModelRules`].

use crate::api::types::{InputMessage, MessagesRequest, Metadata, Role, TextBlock};

/// What the model table says about a model that changes how its request body is built.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ModelRules {
    /// The model rejects non-default sampling parameters with a 400.
    pub rejects_sampling_params: bool,
}

/// Accumulates a request; [`MessagesRequestBuilder::build`] applies the model's rules.
#[derive(Debug, Clone)]
#[must_use]
pub struct MessagesRequestBuilder {
    request: MessagesRequest,
}

impl MessagesRequest {
    pub fn builder(model: impl Into<String>, max_tokens: u32) -> MessagesRequestBuilder {
        MessagesRequestBuilder {
            request: MessagesRequest {
                model: model.into(),
                max_tokens,
                system: Vec::new(),
                messages: Vec::new(),
                temperature: None,
                top_p: None,
                top_k: None,
                metadata: None,
            },
        }
    }
}

impl MessagesRequestBuilder {
    /// Appends a system block (system blocks come before messages in the cached prefix).
    pub fn system(mut self, block: TextBlock) -> Self {
        self.request.system.push(block);
        self
    }

    /// Appends a turn.
    pub fn message(mut self, role: Role, content: Vec<TextBlock>) -> Self {
        self.request.messages.push(InputMessage { role, content });
        self
    }

    /// Appends a user turn of one uncached text block.
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "request-builder API: commands send none of these yet; the builder tests cover them"
        )
    )]
    pub fn user(self, text: impl Into<String>) -> Self {
        self.message(Role::User, vec![TextBlock::new(text)])
    }

    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "request-builder API: commands send none of these yet; the builder tests cover them"
        )
    )]
    pub fn temperature(mut self, value: f64) -> Self {
        self.request.temperature = Some(value);
        self
    }

    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "request-builder API: commands send none of these yet; the builder tests cover them"
        )
    )]
    pub fn top_p(mut self, value: f64) -> Self {
        self.request.top_p = Some(value);
        self
    }

    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "request-builder API: commands send none of these yet; the builder tests cover them"
        )
    )]
    pub fn top_k(mut self, value: u32) -> Self {
        self.request.top_k = Some(value);
        self
    }

    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "request-builder API: commands send none of these yet; the builder tests cover them"
        )
    )]
    pub fn user_id(mut self, id: impl Into<String>) -> Self {
        self.request.metadata = Some(Metadata { user_id: Some(id.into()) });
        self
    }

    /// The request for a model with these rules. For a model that rejects sampling parameters
    /// all three are dropped: an absent parameter means the model's default, which is the only
    /// value such a model accepts, so dropping loses nothing the model would honour.
    pub fn build(self, rules: ModelRules) -> MessagesRequest {
        let mut request = self.request;
        if rules.rejects_sampling_params {
            request.temperature = None;
            request.top_p = None;
            request.top_k = None;
        }
        request
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::CacheTtl;

    fn sampled() -> MessagesRequestBuilder {
        MessagesRequest::builder("m", 64)
            .system(TextBlock::new("sys").cached(CacheTtl::OneHour))
            .user("hi")
            .temperature(0.2)
            .top_p(0.9)
            .top_k(5)
    }

    #[test]
    fn flagged_models_get_no_sampling_params() {
        let req = sampled().build(ModelRules { rejects_sampling_params: true });
        assert_eq!((req.temperature, req.top_p, req.top_k), (None, None, None));
        let json = serde_json::to_string(&req).unwrap();
        assert!(!json.contains("temperature") && !json.contains("top_"), "{json}");
    }

    #[test]
    fn other_models_keep_them() {
        let req = sampled().user_id("u-1").build(ModelRules::default());
        assert_eq!((req.temperature, req.top_p, req.top_k), (Some(0.2), Some(0.9), Some(5)));
        assert_eq!(req.system.len(), 1);
        assert_eq!(req.messages[0].role, Role::User);
    }
}
