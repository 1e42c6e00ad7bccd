//! From a laid-out prompt to the API's request, and the most such a request can cost.

use crate::api::{CacheTtl, CountTokensRequest, MessagesRequest, ModelRules, Role, TextBlock};
use crate::orchestrator::llm::LlmCall;
use crate::pricing::{ModelInfo, PriceTable, TokenUsage};
use crate::prompt::{Block, Ttl};
use crate::tokens;

/// The request for `call` on `model`: system blocks then one user turn, breakpoints where the
/// layout put them, sampling parameters dropped where the model rejects them.
pub fn build_request(call: &LlmCall, model: &ModelInfo) -> MessagesRequest {
    let mut builder = MessagesRequest::builder(model.id.clone(), call.max_tokens);
    for block in &call.layout.system {
        builder = builder.system(text_block(block));
    }
    let user: Vec<TextBlock> = call.layout.user.iter().map(text_block).collect();
    builder.message(Role::User, user).build(ModelRules { rejects_sampling_params: model.rejects_sampling_params })
}

/// A `count_tokens` request of `system` alone (or of nothing) before a one-character turn: the
/// difference of the two counts is the block's own size on `model`.
pub fn block_count_request(model: &ModelInfo, system: Option<&str>) -> CountTokensRequest {
    let mut builder = MessagesRequest::builder(model.id.clone(), 1);
    if let Some(text) = system {
        builder = builder.system(TextBlock::new(text));
    }
    let request = builder
        .message(Role::User, vec![TextBlock::new(".")])
        .build(ModelRules { rejects_sampling_params: model.rejects_sampling_params });
    (&request).into()
}

fn text_block(block: &Block) -> TextBlock {
    let text = TextBlock::new(block.text.clone());
    match block.cache {
        Some(Ttl::OneHour) => text.cached(CacheTtl::OneHour),
        Some(Ttl::FiveMinutes) => text.cached(CacheTtl::FiveMinutes),
        None => text,
    }
}

/// The most `call` can cost on `model`, for budget reservations: input estimated high and
/// priced as if every token before a breakpoint were written to the cache at that breakpoint's
/// TTL (a write costs more than fresh input), plus `max_tokens` of output.
pub fn worst_case_cost(prices: &PriceTable, model: &str, call: &LlmCall) -> anyhow::Result<f64> {
    let mut usage = TokenUsage { output: u64::from(call.max_tokens), ..TokenUsage::default() };
    let mut pending = 0u64;
    for block in call.layout.system.iter().chain(&call.layout.user) {
        pending += tokens::estimate(&block.text) as u64;
        match block.cache {
            Some(Ttl::OneHour) => usage.cache_write_1h += std::mem::take(&mut pending),
            Some(Ttl::FiveMinutes) => usage.cache_write_5m += std::mem::take(&mut pending),
            None => {}
        }
    }
    usage.input = pending;
    Ok(prices.cost(model, &usage, false)?.total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orchestrator::llm::Purpose;
    use crate::prompt::{BlockKind, Layout};

    fn call(cache: Option<Ttl>) -> LlmCall {
        LlmCall {
            run_id: "r".into(),
            subtask_id: None,
            purpose: Purpose::Subtask,
            agent: "a".into(),
            task: "t".into(),
            tier: "sonnet".into(),
            layout: Layout {
                system: vec![Block { kind: BlockKind::AgentStatic, text: "x ".repeat(3500), cache }],
                user: vec![Block { kind: BlockKind::Task, text: "do it".into(), cache: None }],
            },
            max_tokens: 1000,
            stream: false,
        }
    }

    #[test]
    fn requests_keep_breakpoints_and_model_rules() {
        let prices = PriceTable::load(None).unwrap();
        let req = build_request(&call(Some(Ttl::OneHour)), prices.model("claude-opus-4-7").unwrap());
        let json = serde_json::to_value(&req).unwrap();
        assert_eq!(json["system"][0]["cache_control"]["ttl"], "1h");
        assert_eq!(json["messages"][0]["role"], "user");
        assert!(json.get("temperature").is_none());
    }

    #[test]
    fn worst_case_covers_cache_writes_and_max_output() {
        let prices = PriceTable::load(None).unwrap();
        let model = prices.model("sonnet").unwrap().id.clone();
        let plain = worst_case_cost(&prices, &model, &call(None)).unwrap();
        let cached = worst_case_cost(&prices, &model, &call(Some(Ttl::OneHour))).unwrap();
        assert!(cached > plain, "a 1h write costs 2x input");
        // 1000 output tokens at $15/M alone is $0.015.
        assert!(plain > 0.015);
    }
}
