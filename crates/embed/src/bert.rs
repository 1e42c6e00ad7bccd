//! The BERT encoder's forward pass (post-layer-norm, GELU, absolute positions), as
//! all-MiniLM-L6-v2 and its relatives use it, on one sequence at a time (so no padding).

use anyhow::{Result, bail};
use ndarray::{Array2, Axis, Slice};

use super::linear::Linear;
use super::weights::{Rows, Tensors};

/// The sizes read from `config.json`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Config {
    pub hidden_size: usize,
    pub num_attention_heads: usize,
    pub num_hidden_layers: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub vocab_size: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f32,
    #[serde(default)]
    pub hidden_act: Option<String>,
}

fn default_eps() -> f32 {
    1e-12
}

struct Norm {
    g: Vec<f32>,
    b: Vec<f32>,
}

impl Norm {
    fn load(t: &Tensors, name: &str, n: usize) -> Result<Self> {
        Ok(Self { g: t.f32(&format!("{name}.weight"), &[n])?, b: t.f32(&format!("{name}.bias"), &[n])? })
    }

    fn apply(&self, x: &mut Array2<f32>, eps: f32) {
        for mut row in x.rows_mut() {
            let n = row.len() as f32;
            let mean = row.sum() / n;
            let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
            let inv = 1.0 / (var + eps).sqrt();
            for ((v, g), b) in row.iter_mut().zip(&self.g).zip(&self.b) {
                *v = (*v - mean) * inv * g + b;
            }
        }
    }
}

struct Layer {
    qkv: Linear,
    attn_out: Linear,
    norm1: Norm,
    up: Linear,
    down: Linear,
    norm2: Norm,
}

impl Layer {
    fn load(t: &Tensors, cfg: &Config, i: usize) -> Result<Self> {
        let (h, inter) = (cfg.hidden_size, cfg.intermediate_size);
        let p = format!("encoder.layer.{i}");
        let name = |n: &str| format!("{p}.{n}");
        let (q, k, v) = (name("attention.self.query"), name("attention.self.key"), name("attention.self.value"));
        Ok(Self {
            // One product for queries, keys and values.
            qkv: Linear::load(t, &[(&q, h), (&k, h), (&v, h)], h)?,
            attn_out: Linear::load(t, &[(&name("attention.output.dense"), h)], h)?,
            norm1: Norm::load(t, &name("attention.output.LayerNorm"), h)?,
            up: Linear::load(t, &[(&name("intermediate.dense"), inter)], h)?,
            down: Linear::load(t, &[(&name("output.dense"), h)], inter)?,
            norm2: Norm::load(t, &name("output.LayerNorm"), h)?,
        })
    }
}

/// The encoder's weights, with the word embeddings left in their stored form.
pub struct Encoder {
    cfg: Config,
    words: Rows<'static>,
    positions: Array2<f32>,
    token_type: Vec<f32>,
    norm: Norm,
    layers: Vec<Layer>,
}

impl Encoder {
    pub fn load(cfg: Config, bytes: &'static [u8]) -> Result<Self> {
        if cfg.hidden_act.as_deref().is_some_and(|a| a != "gelu") {
            bail!("hidden_act {:?}: only gelu is implemented", cfg.hidden_act);
        }
        if cfg.hidden_size.checked_rem(cfg.num_attention_heads) != Some(0) {
            bail!("hidden_size {} does not split into {} heads", cfg.hidden_size, cfg.num_attention_heads);
        }
        let t = Tensors::parse(bytes)?;
        let h = cfg.hidden_size;
        let pos = t.f32("embeddings.position_embeddings.weight", &[cfg.max_position_embeddings, h])?;
        let types = t.f32("embeddings.token_type_embeddings.weight", &[2, h])?;
        // The layers decode on all cores: loading is most of a short command's time.
        let (tensors, config) = (&t, &cfg);
        let layers = std::thread::scope(|scope| {
            let loading: Vec<_> =
                (0..cfg.num_hidden_layers).map(|i| scope.spawn(move || Layer::load(tensors, config, i))).collect();
            loading
                .into_iter()
                .map(|l| l.join().map_err(|_| anyhow::anyhow!("loading a layer panicked"))?)
                .collect::<Result<Vec<_>>>()
        })?;
        Ok(Self {
            words: t.rows("embeddings.word_embeddings.weight", [cfg.vocab_size, h])?,
            positions: Array2::from_shape_vec((cfg.max_position_embeddings, h), pos)?,
            token_type: types[..h].to_vec(),
            norm: Norm::load(&t, "embeddings.LayerNorm", h)?,
            layers,
            cfg,
        })
    }

    pub fn max_len(&self) -> usize {
        self.cfg.max_position_embeddings
    }

    pub fn hidden(&self) -> usize {
        self.cfg.hidden_size
    }

    /// The last layer's hidden states, `[ids.len(), hidden]`.
    pub fn forward(&self, ids: &[u32]) -> Array2<f32> {
        let h = self.cfg.hidden_size;
        let n = ids.len().min(self.max_len());
        let mut x = Array2::<f32>::zeros((n, h));
        for (i, &id) in ids.iter().take(n).enumerate() {
            let mut row = x.row_mut(i);
            let out = row.as_slice_mut().expect("rows of a fresh array are contiguous");
            let id = (id as usize).min(self.words.count - 1);
            self.words.add_row(id, out);
            for ((o, p), t) in out.iter_mut().zip(self.positions.row(i)).zip(&self.token_type) {
                *o += p + t;
            }
        }
        self.norm.apply(&mut x, self.cfg.layer_norm_eps);
        for layer in &self.layers {
            x = self.layer(layer, x);
        }
        x
    }

    fn layer(&self, l: &Layer, x: Array2<f32>) -> Array2<f32> {
        let (h, heads) = (self.cfg.hidden_size, self.cfg.num_attention_heads);
        let d = h / heads;
        let qkv = l.qkv.apply(&x.view());
        let scale = 1.0 / (d as f32).sqrt();
        let mut ctx = Array2::<f32>::zeros((x.nrows(), h));
        for head in 0..heads {
            let q = qkv.slice_axis(Axis(1), Slice::from(head * d..(head + 1) * d));
            let k = qkv.slice_axis(Axis(1), Slice::from(h + head * d..h + (head + 1) * d));
            let v = qkv.slice_axis(Axis(1), Slice::from(2 * h + head * d..2 * h + (head + 1) * d));
            let mut scores = q.dot(&k.t());
            for mut row in scores.rows_mut() {
                let max = row.iter().fold(f32::NEG_INFINITY, |m, v| m.max(*v * scale));
                let mut sum = 0.0;
                row.mapv_inplace(|v| {
                    let e = (v * scale - max).exp();
                    sum += e;
                    e
                });
                row.mapv_inplace(|v| v / sum);
            }
            ctx.slice_axis_mut(Axis(1), Slice::from(head * d..(head + 1) * d)).assign(&scores.dot(&v));
        }
        let mut x1 = l.attn_out.apply(&ctx.view()) + &x;
        l.norm1.apply(&mut x1, self.cfg.layer_norm_eps);
        let mut up = l.up.apply(&x1.view());
        up.mapv_inplace(gelu);
        let mut x2 = l.down.apply(&up.view()) + &x1;
        l.norm2.apply(&mut x2, self.cfg.layer_norm_eps);
        x2
    }
}

/// GELU with the exact error function, as BERT's "gelu" is.
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x / std::f32::consts::SQRT_2))
}

/// The error function to within 1.2e-7 (Numerical Recipes' erfc by Chebyshev fitting).
fn erf(x: f32) -> f32 {
    let z = f64::from(x.abs());
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * poly.exp();
    let r = (1.0 - erfc) as f32;
    if x >= 0.0 { r } else { -r }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_known_values() {
        for (x, want) in [(0.0, 0.0), (0.5, 0.520_499_9), (1.0, 0.842_700_8), (-2.0, -0.995_322_3), (3.5, 0.999_999_3)]
        {
            assert!((erf(x) - want).abs() < 2e-7, "erf({x}) = {} not {want}", erf(x));
        }
    }
}
