//! The price table the benchmark prices the floor and prompt parts with: `data/models.yaml`,
//! the same data devteam prices its calls with.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context as _, Result};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Rates {
    pub input: f64,
    pub output: f64,
    pub cache_write_5m: f64,
    pub cache_write_1h: f64,
    pub cache_read: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Model {
    pub rates: Rates,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub min_cacheable_tokens: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Prices {
    pub tiers: HashMap<String, String>,
    pub models: HashMap<String, Model>,
}

impl Prices {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        serde_yaml_ng::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }

    /// A model by id, alias or tier name.
    pub fn model(&self, id: &str) -> Option<&Model> {
        let id = self.tiers.get(id).map_or(id, String::as_str);
        self.models.get(id).or_else(|| self.models.values().find(|m| m.aliases.iter().any(|a| a == id)))
    }
}

/// Tokens of a call by kind.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Tokens {
    pub input: u64,
    pub cache_write_5m: u64,
    pub cache_write_1h: u64,
    pub cache_read: u64,
    pub output: u64,
}

impl Tokens {
    pub fn add(&mut self, o: &Tokens) {
        self.input += o.input;
        self.cache_write_5m += o.cache_write_5m;
        self.cache_write_1h += o.cache_write_1h;
        self.cache_read += o.cache_read;
        self.output += o.output;
    }

    pub fn total_input(&self) -> u64 {
        self.input + self.cache_write_5m + self.cache_write_1h + self.cache_read
    }

    pub fn cost(&self, r: &Rates) -> f64 {
        (self.input as f64 * r.input
            + self.cache_write_5m as f64 * r.cache_write_5m
            + self.cache_write_1h as f64 * r.cache_write_1h
            + self.cache_read as f64 * r.cache_read
            + self.output as f64 * r.output)
            / 1e6
    }
}
