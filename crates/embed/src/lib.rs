//! Sentence embeddings in pure Rust: a BERT encoder (all-MiniLM-L6-v2 by default, its float16
//! weights compiled into the binary so that nothing is fetched at build or run time) with
//! mean pooling and unit length, as sentence-transformers computes them.
//!
//! `Model::embed(text)` is the whole API most callers need; vectors of one model compare by
//! dot product (they are unit length).

mod bert;
mod linear;
pub mod tokenizer;
mod weights;

use std::path::Path;

use anyhow::{Context, Result};

use bert::{Config, Encoder};
use tokenizer::Tokenizer;

/// The model compiled in: `models/all-MiniLM-L6-v2/` (see PROVENANCE.md there).
pub const BUILTIN_NAME: &str = "all-MiniLM-L6-v2";
static BUILTIN_WEIGHTS: &[u8] = include_bytes!("../../../models/all-MiniLM-L6-v2/model.safetensors");
static BUILTIN_VOCAB: &str = include_str!("../../../models/all-MiniLM-L6-v2/vocab.txt");
static BUILTIN_CONFIG: &str = include_str!("../../../models/all-MiniLM-L6-v2/config.json");
/// [`model_id`]'s hash of the compiled-in weights and vocabulary, computed by `build.rs`.
const BUILTIN_HASH: &str = include_str!(concat!(env!("OUT_DIR"), "/builtin_hash.txt"));

/// Tokens per sequence, as the model was trained (sentence-transformers' `max_seq_length`).
pub const MAX_TOKENS: usize = 256;

/// A loaded sentence-embedding model.
pub struct Model {
    tokenizer: Tokenizer,
    encoder: Encoder,
    id: String,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model").field("id", &self.id).finish_non_exhaustive()
    }
}

impl Model {
    /// The compiled-in model, or the one in `dir` (with `model.safetensors`, `vocab.txt` and
    /// `config.json`, as `scripts/model/regen-minilm.py` writes them).
    pub fn load(dir: Option<&Path>) -> Result<Self> {
        match dir {
            None => Self::from_parts(builtin_id(), BUILTIN_WEIGHTS, BUILTIN_VOCAB, BUILTIN_CONFIG),
            Some(dir) => {
                let read = |name: &str| {
                    let path = dir.join(name);
                    std::fs::read(&path).with_context(|| format!("reading model file {}", path.display()))
                };
                let weights = read("model.safetensors")?;
                let vocab = String::from_utf8(read("vocab.txt")?).context("vocab.txt is not UTF-8")?;
                let config = String::from_utf8(read("config.json")?).context("config.json is not UTF-8")?;
                // The model lives as long as the process that loaded it; its word table is
                // read in place rather than copied.
                let weights: &'static [u8] = Box::leak(weights.into_boxed_slice());
                let name = dir.file_name().map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into());
                Self::from_parts(model_id(&name, weights, &vocab), weights, &vocab, &config)
                    .with_context(|| format!("loading the model in {}", dir.display()))
            }
        }
    }

    fn from_parts(id: String, weights: &'static [u8], vocab: &str, config: &str) -> Result<Self> {
        let cfg: Config = serde_json::from_str(config).context("config.json")?;
        let tokenizer = Tokenizer::from_vocab(vocab)?;
        let encoder = Encoder::load(cfg, weights).context("model.safetensors")?;
        Ok(Self { tokenizer, encoder, id })
    }

    /// The id [`Model::load`] would give, without decoding the weights: enough to tell
    /// whether stored vectors are current.
    pub fn id_of(dir: Option<&Path>) -> Result<String> {
        match dir {
            None => Ok(builtin_id()),
            Some(dir) => {
                let read = |name: &str| {
                    let path = dir.join(name);
                    std::fs::read(&path).with_context(|| format!("reading model file {}", path.display()))
                };
                let vocab = String::from_utf8(read("vocab.txt")?).context("vocab.txt is not UTF-8")?;
                let name = dir.file_name().map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into());
                Ok(model_id(&name, &read("model.safetensors")?, &vocab))
            }
        }
    }

    /// Names the model and its exact weights: vectors from different ids do not compare.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn dim(&self) -> usize {
        self.encoder.hidden()
    }

    /// The embedding of `text`'s first [`MAX_TOKENS`] tokens, unit length.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        let ids = self.tokenizer.encode(text, MAX_TOKENS.min(self.encoder.max_len()));
        self.pool(&ids)
    }

    /// The mean of the embeddings of `text` cut into `chunk`-token pieces (at most
    /// `max_chunks` of them), unit length: long text, all of it counted.
    pub fn embed_long(&self, text: &str, chunk: usize, max_chunks: usize) -> Vec<f32> {
        let pieces = self.tokenizer.pieces(text);
        let chunk = chunk.clamp(8, MAX_TOKENS) - 2;
        let mut sum = vec![0.0f32; self.dim()];
        for part in pieces.chunks(chunk).take(max_chunks.max(1)) {
            let mut ids = Vec::with_capacity(part.len() + 2);
            ids.push(self.tokenizer.cls);
            ids.extend_from_slice(part);
            ids.push(self.tokenizer.sep);
            for (s, v) in sum.iter_mut().zip(self.pool(&ids)) {
                *s += v;
            }
        }
        if pieces.is_empty() {
            return self.embed(text);
        }
        normalize(&mut sum);
        sum
    }

    /// Number of word pieces in `text` (what embedding it costs).
    pub fn count_tokens(&self, text: &str) -> usize {
        self.tokenizer.pieces(text).len()
    }

    /// Token ids as the model sees `text` (with `[CLS]` and `[SEP]`).
    #[cfg(test)]
    pub fn token_ids(&self, text: &str) -> Vec<u32> {
        self.tokenizer.encode(text, MAX_TOKENS)
    }

    fn pool(&self, ids: &[u32]) -> Vec<f32> {
        let states = self.encoder.forward(ids);
        let mut mean = states.mean_axis(ndarray::Axis(0)).map_or_else(|| vec![0.0; self.dim()], |m| m.to_vec());
        normalize(&mut mean);
        mean
    }
}

/// The compiled-in model's id, as [`model_id`] computes it, without reading its weights.
fn builtin_id() -> String {
    format!("{BUILTIN_NAME}@{}", BUILTIN_HASH.trim())
}

/// Stored vectors are keyed by the exact weights and vocabulary that made them.
fn model_id(name: &str, weights: &[u8], vocab: &str) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(weights);
    h.update(vocab.as_bytes());
    format!("{name}@{:016x}", h.digest())
}

/// Scales `v` to unit length (a zero vector stays zero).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Dot product: the cosine of two unit vectors.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Token ids and float32 embeddings from `scripts/model/reference-embeddings.py`.
    const REFERENCE: &str = include_str!("../../../fixtures/embed/reference.json");

    #[test]
    fn matches_the_python_reference() {
        let model = Model::load(None).unwrap();
        let reference: serde_json::Value = serde_json::from_str(REFERENCE).unwrap();
        for case in reference["cases"].as_array().unwrap() {
            let text = case["text"].as_str().unwrap();
            let ids: Vec<u32> = serde_json::from_value(case["ids"].clone()).unwrap();
            assert_eq!(model.token_ids(text), ids, "token ids of {text:?}");
            let want: Vec<f32> = serde_json::from_value(case["embedding"].clone()).unwrap();
            let cosine = dot(&model.embed(text), &want);
            assert!(cosine >= 0.999, "cosine {cosine} for {text:?}");
        }
    }

    /// Vectors this crate computed before its matrix products were rewritten for speed
    /// (`fixtures/embed/before-speed.json`, written at commit c0f5da5): the faster code must
    /// compute the same embeddings, not merely similar ones.
    const BEFORE_SPEED: &str = include_str!("../../../fixtures/embed/before-speed.json");

    #[test]
    fn matches_the_vectors_computed_before_the_speed_work() {
        let model = Model::load(None).unwrap();
        let pinned: serde_json::Value = serde_json::from_str(BEFORE_SPEED).unwrap();
        let cases = pinned["cases"].as_array().unwrap();
        assert!(cases.len() >= 7, "the pinned file lost cases");
        for case in cases {
            let text = case["text"].as_str().unwrap();
            let want: Vec<f32> = serde_json::from_value(case["embedding"].clone()).unwrap();
            let got = match case["chunk"].as_u64() {
                Some(chunk) => model.embed_long(text, chunk as usize, case["max_chunks"].as_u64().unwrap() as usize),
                None => model.embed(text),
            };
            assert_eq!(got.len(), want.len());
            let worst = got.iter().zip(&want).map(|(g, w)| (g - w).abs()).fold(0.0, f32::max);
            let cosine = dot(&got, &want);
            assert!(worst <= 1e-5 && cosine >= 0.99999, "{text:?}: max difference {worst}, cosine {cosine}");
        }
    }

    #[test]
    fn the_build_time_id_is_the_hash_of_the_compiled_in_files() {
        assert_eq!(builtin_id(), model_id(BUILTIN_NAME, BUILTIN_WEIGHTS, BUILTIN_VOCAB));
        assert_eq!(Model::load(None).unwrap().id(), builtin_id());
    }

    #[test]
    fn related_text_is_closer_than_unrelated() {
        let model = Model::load(None).unwrap();
        let q = model.embed("the database query is slow");
        let near = model.embed("optimize SQL indexes and query plans");
        let far = model.embed("design a logo for a bakery");
        assert!(dot(&q, &near) > dot(&q, &far) + 0.1);
        let long = model.embed_long(&"tune postgres indexes. ".repeat(200), 128, 4);
        assert!((dot(&long, &long) - 1.0).abs() < 1e-4);
    }
}
