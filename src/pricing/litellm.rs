//! Import of LiteLLM's `model_prices_and_context_window.json`: per-token USD prices keyed by
//! model name. Only Anthropic's entries are taken; fields LiteLLM lacks fall back to the
//! bundled entry of the same model, then to the published multipliers of the input rate.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use serde::Deserialize;

use super::{LongContext, ModelInfo, PriceTable, Rates};

#[derive(Deserialize)]
struct Entry {
    litellm_provider: Option<String>,
    input_cost_per_token: Option<f64>,
    output_cost_per_token: Option<f64>,
    cache_creation_input_token_cost: Option<f64>,
    cache_creation_input_token_cost_above_1hr: Option<f64>,
    cache_read_input_token_cost: Option<f64>,
    input_cost_per_token_above_200k_tokens: Option<f64>,
    output_cost_per_token_above_200k_tokens: Option<f64>,
    cache_creation_input_token_cost_above_200k_tokens: Option<f64>,
    cache_read_input_token_cost_above_200k_tokens: Option<f64>,
    input_cost_per_token_batches: Option<f64>,
}

const PER_MILLION: f64 = 1_000_000.0;

/// Parses the JSON into a table of overrides.
pub fn parse(text: &str, bundled: &PriceTable) -> Result<PriceTable> {
    // The file mixes entry shapes (and a "sample_spec" entry), so read entries one by one.
    let raw: BTreeMap<String, serde_json::Value> = serde_json::from_str(text)?;
    let mut models = BTreeMap::new();
    for (name, value) in raw {
        let Ok(entry) = serde_json::from_value::<Entry>(value) else { continue };
        let anthropic = entry.litellm_provider.as_deref() == Some("anthropic");
        let (Some(input), Some(output)) = (entry.input_cost_per_token, entry.output_cost_per_token) else { continue };
        if !anthropic || !name.starts_with("claude") {
            continue;
        }
        let known = bundled.model(&name).ok();
        models.insert(name.clone(), model_info(&name, &entry, input, output, known));
    }
    if models.is_empty() {
        bail!("no Anthropic model with input and output prices found (is this LiteLLM's price JSON?)");
    }
    Ok(PriceTable { models, tiers: BTreeMap::new() })
}

fn model_info(name: &str, e: &Entry, input: f64, output: f64, known: Option<&ModelInfo>) -> ModelInfo {
    let fallback = known.map(|k| k.rates);
    let rates = Rates {
        input: input * PER_MILLION,
        output: output * PER_MILLION,
        cache_write_5m: e.cache_creation_input_token_cost.map_or(input * 1.25 * PER_MILLION, |c| c * PER_MILLION),
        cache_write_1h: e
            .cache_creation_input_token_cost_above_1hr
            .map_or(input * 2.0 * PER_MILLION, |c| c * PER_MILLION),
        cache_read: e
            .cache_read_input_token_cost
            .map(|c| c * PER_MILLION)
            .or(fallback.map(|f| f.cache_read))
            .unwrap_or(input * 0.1 * PER_MILLION),
    };
    let long_context = match (e.input_cost_per_token_above_200k_tokens, e.output_cost_per_token_above_200k_tokens) {
        (Some(li), Some(lo)) => Some(LongContext {
            above_input_tokens: 200_000,
            rates: Rates {
                input: li * PER_MILLION,
                output: lo * PER_MILLION,
                cache_write_5m: e
                    .cache_creation_input_token_cost_above_200k_tokens
                    .map_or(li * 1.25 * PER_MILLION, |c| c * PER_MILLION),
                cache_write_1h: li * 2.0 * PER_MILLION,
                cache_read: e
                    .cache_read_input_token_cost_above_200k_tokens
                    .map_or(li * 0.1 * PER_MILLION, |c| c * PER_MILLION),
            },
        }),
        _ => known.and_then(|k| k.long_context),
    };
    ModelInfo {
        id: name.to_string(),
        aliases: Vec::new(),
        rates,
        long_context,
        batch_discount: e.input_cost_per_token_batches.map_or(0.5, |b| b / input),
        min_cacheable_tokens: known.map_or(1024, |k| k.min_cacheable_tokens),
        rejects_sampling_params: known.is_some_and(|k| k.rejects_sampling_params),
        retires: known.and_then(|k| k.retires.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
        "sample_spec": {"max_tokens": "set to max_output_tokens if provider specifies it"},
        "claude-sonnet-4-5": {"litellm_provider": "anthropic", "mode": "chat",
            "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
            "cache_creation_input_token_cost": 3.75e-06, "cache_read_input_token_cost": 3e-07,
            "input_cost_per_token_above_200k_tokens": 6e-06, "output_cost_per_token_above_200k_tokens": 2.25e-05,
            "input_cost_per_token_batches": 1.5e-06},
        "claude-new-model": {"litellm_provider": "anthropic", "input_cost_per_token": 1e-06, "output_cost_per_token": 4e-06},
        "gpt-4o": {"litellm_provider": "openai", "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05},
        "bedrock/anthropic.claude": {"litellm_provider": "bedrock", "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06}
    }"#;

    #[test]
    fn imports_anthropic_entries_only() {
        let bundled = PriceTable::load(None).unwrap();
        let t = parse(SAMPLE, &bundled).unwrap();
        let ids: Vec<_> = t.models.keys().cloned().collect();
        assert_eq!(ids, vec!["claude-new-model", "claude-sonnet-4-5"]);
        let s = &t.models["claude-sonnet-4-5"];
        assert!((s.rates.input - 3.0).abs() < 1e-9 && (s.rates.cache_read - 0.3).abs() < 1e-9);
        assert!((s.long_context.unwrap().rates.output - 22.5).abs() < 1e-9);
        assert!((s.batch_discount - 0.5).abs() < 1e-9);
        assert_eq!(s.min_cacheable_tokens, 1024);
        let n = &t.models["claude-new-model"];
        assert!((n.rates.cache_write_1h - 2.0).abs() < 1e-9 && (n.rates.cache_read - 0.1).abs() < 1e-9);
    }

    #[test]
    fn a_file_without_anthropic_models_is_an_error() {
        let bundled = PriceTable::load(None).unwrap();
        assert!(parse(r#"{"gpt-4o": {"litellm_provider": "openai"}}"#, &bundled).is_err());
        assert!(parse("not json", &bundled).is_err());
    }
}
