//! A/B tests and their runs as stored.

use serde::{Deserialize, Serialize};

/// One setting a variant changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "key", content = "value")]
pub enum Setting {
    SonnetFrom(f64),
    OpusFrom(f64),
    CacheStrategy(String),
    MaxTokens(u32),
    Planning(bool),
    LearnedRouting(bool),
}

/// A variant of a test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    pub key: String,
    pub settings: Vec<Setting>,
    /// Its share of new runs, relative to the others'.
    pub weight: f64,
}

/// A test as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbTest {
    pub name: String,
    pub started_ms: i64,
    pub stopped_ms: Option<i64>,
    pub alpha: f64,
    pub variants: Vec<Variant>,
}

/// One run of a test: what it cost and how it went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AbRun {
    pub run_id: String,
    pub variant: String,
    pub cost_micros: i64,
    pub success: bool,
    pub upgraded: bool,
    /// Milliseconds the run's calls took.
    pub latency_ms: i64,
}
