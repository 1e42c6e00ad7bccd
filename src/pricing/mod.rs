//! Prices and model facts as data: a bundled table (`data/models.yaml`), overridden or extended
//! by a file the user names (this format, or LiteLLM's price JSON), and the one function that
//! turns a call's usage into dollars.

mod litellm;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

use crate::error::UserError;
pub use crate::records::usage::TokenUsage;

const BUNDLED: &str = include_str!("../../data/models.yaml");

/// USD per million tokens for each kind of token.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rates {
    pub input: f64,
    pub output: f64,
    pub cache_write_5m: f64,
    pub cache_write_1h: f64,
    pub cache_read: f64,
}

/// A whole-request price tier for long prompts.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LongContext {
    /// Above this many input tokens (uncached + cache writes + cache reads), every token of the
    /// request is billed at `rates`.
    pub above_input_tokens: u64,
    pub rates: Rates,
}

/// What devteam knows about one model.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModelInfo {
    #[serde(skip_deserializing)]
    pub id: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub rates: Rates,
    #[serde(default)]
    pub long_context: Option<LongContext>,
    /// Fraction of the price a Message Batches request pays (0.5: half price).
    #[serde(default = "half")]
    pub batch_discount: f64,
    /// Below this many prefix tokens nothing is cached (and nothing fails).
    #[serde(default = "default_min_cacheable")]
    pub min_cacheable_tokens: u64,
    /// Newer models answer 400 to non-default temperature, top_p or top_k.
    #[serde(default)]
    pub rejects_sampling_params: bool,
    /// Retirement date, when announced (YYYY-MM-DD).
    #[serde(default)]
    pub retires: Option<String>,
}

fn half() -> f64 {
    0.5
}

fn default_min_cacheable() -> u64 {
    1024
}

/// A call's cost in USD, by kind of token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Cost {
    pub input: f64,
    pub cache_write_5m: f64,
    pub cache_write_1h: f64,
    pub cache_read: f64,
    pub output: f64,
    pub total: f64,
}

/// The effective price table.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceTable {
    models: BTreeMap<String, ModelInfo>,
    tiers: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    #[serde(default)]
    tiers: BTreeMap<String, String>,
    #[serde(default)]
    models: BTreeMap<String, ModelInfo>,
}

#[cfg(test)]
impl PriceTable {
    /// The bundled table with the sonnet and opus tiers at Sonnet 4.6 and Opus 4.6: for tests
    /// whose figures are arithmetic at those rates, so that moving a tier default in
    /// `data/models.yaml` is not a change there.
    pub fn pinned_4_6() -> Self {
        let mut t = Self::load(None).expect("bundled table");
        t.tiers.insert("sonnet".into(), "claude-sonnet-4-6".into());
        t.tiers.insert("opus".into(), "claude-opus-4-6".into());
        t
    }
}

impl PriceTable {
    /// The bundled table with the overrides in `file` (YAML in the bundled format, or
    /// LiteLLM's JSON when the name ends in `.json`) applied on top.
    pub fn load(file: Option<&Path>) -> Result<Self> {
        let mut table = Self::parse(BUNDLED).context("bundled data/models.yaml is invalid")?;
        if let Some(path) = file {
            let text = crate::bounded_read::read_text(path, "prices file", crate::bounded_read::SETTINGS_FILE_LIMIT)?;
            let overrides = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
                litellm::parse(&text, &table)
            } else {
                Self::parse(&text)
            }
            .map_err(|e| UserError::new(format!("prices file {}: {e:#}", path.display())))?;
            table.merge(overrides);
        }
        table.check_tiers()?;
        Ok(table)
    }

    fn parse(text: &str) -> Result<Self> {
        let file: TableFile = crate::yaml::from_str(text)?;
        let models = file.models.into_iter().map(|(id, info)| (id.clone(), ModelInfo { id, ..info })).collect();
        Ok(Self { models, tiers: file.tiers })
    }

    fn merge(&mut self, other: Self) {
        self.models.extend(other.models);
        self.tiers.extend(other.tiers);
    }

    fn check_tiers(&self) -> Result<()> {
        for (tier, model) in &self.tiers {
            self.model(model).with_context(|| format!("tier `{tier}` names model `{model}`"))?;
        }
        Ok(())
    }

    /// A model by id, alias or tier name (`haiku`, `sonnet`, `opus`). An unknown model is an
    /// error: a cost of zero would hide spend.
    pub fn model(&self, name: &str) -> Result<&ModelInfo> {
        self.find(name).ok_or_else(|| {
            UserError::new(format!(
                "no price for model `{name}`: add it to a prices file (config `prices-file`), or use one of: {}",
                self.models.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
            .into()
        })
    }

    /// A model by id, alias or tier name, if the table has it.
    pub fn find(&self, name: &str) -> Option<&ModelInfo> {
        let name = self.tiers.get(name).map_or(name, String::as_str);
        self.models.get(name).or_else(|| self.models.values().find(|m| m.aliases.iter().any(|a| a == name)))
    }

    /// Tier name to model id, as configured.
    pub fn tiers(&self) -> &BTreeMap<String, String> {
        &self.tiers
    }

    /// Every model, by id.
    pub fn models(&self) -> impl Iterator<Item = &ModelInfo> {
        self.models.values()
    }

    /// The cost of one call (see [`ModelInfo::cost`]); an unknown model is an error.
    pub fn cost(&self, model: &str, usage: &TokenUsage, batch: bool) -> Result<Cost> {
        Ok(self.model(model)?.cost(usage, batch))
    }
}

impl ModelInfo {
    /// Whether the model is retired on `today` (its `retires` date has come): never routed to,
    /// still priced so that history costs what it cost.
    pub fn retired_on(&self, today: jiff::civil::Date) -> bool {
        self.retires.as_deref().and_then(|d| d.parse::<jiff::civil::Date>().ok()).is_some_and(|d| d <= today)
    }

    /// The cost of one call on this model. Batch calls pay the model's batch fraction; the
    /// long-context tier applies per request, to all of its tokens, when its input crosses the
    /// threshold.
    pub fn cost(&self, usage: &TokenUsage, batch: bool) -> Cost {
        let rates = match self.long_context {
            Some(long) if usage.total_input() > long.above_input_tokens => long.rates,
            _ => self.rates,
        };
        let factor = if batch { self.batch_discount } else { 1.0 };
        let price = |tokens: u64, per_million: f64| tokens as f64 * per_million / 1_000_000.0 * factor;
        let mut cost = Cost {
            input: price(usage.input, rates.input),
            cache_write_5m: price(usage.cache_write_5m, rates.cache_write_5m),
            cache_write_1h: price(usage.cache_write_1h, rates.cache_write_1h),
            cache_read: price(usage.cache_read, rates.cache_read),
            output: price(usage.output, rates.output),
            total: 0.0,
        };
        cost.total = cost.input + cost.cache_write_5m + cost.cache_write_1h + cost.cache_read + cost.output;
        cost
    }
}

#[cfg(test)]
mod tests;
