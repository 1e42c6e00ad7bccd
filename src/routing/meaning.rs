//! Routing by meaning: a classifier over the task's sentence embedding (the built-in MiniLM)
//! and the hand-weighted features, trained on labeled tasks.
//!
//! Two ridge-regression classifiers, ordinal: one separates Haiku tasks from the rest ("needs
//! at least Sonnet"), one separates Opus tasks from the rest. A task goes to Opus when the
//! second says so (whatever the first says: the safe reading of a disagreement), to Sonnet
//! when only the first does, else to Haiku. Inputs: the unit-length embedding, then the
//! feature score and each feature's points at fixed scales, then a constant for the bias.
//! Ridge in its dual form is one n x n solve, so training and k-fold cross-validation take
//! milliseconds and give the same result on every machine.
//!
//! The trained weights are data (`data/routing-classifier.json`, written by `devteam eval
//! routing fixtures/labels/routing.tsv --write-classifier FILE`), tied to the embedding
//! model's id: with another model, or embeddings off, routing falls back to the feature
//! score. The classifier's verdict becomes a score in the tier's range of the 0-10 scale, so
//! thresholds, budget pressure and the learned layer work on it as on the feature score.

use serde::{Deserialize, Serialize};

use super::features::Feature;
use super::score::Contribution;
use super::tier::{MAX_SCORE, Thresholds, Tier};

/// The classifier shipped with devteam, trained on `fixtures/labels/routing.tsv`.
pub const BUNDLED: &str = include_str!("../../data/routing-classifier.json");

/// Format version of the classifier file.
pub const VERSION: u32 = 1;

/// Training settings. Fixed beforehand, not searched per data set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Ridge penalty.
    pub lambda: f64,
    /// Multiplier of the feature block against the unit-length embedding.
    pub feature_scale: f64,
}

impl Default for Params {
    fn default() -> Self {
        Self { lambda: 0.3, feature_scale: 1.0 }
    }
}

/// A trained classifier: weights over [`inputs`] for each of the two questions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Classifier {
    pub version: u32,
    /// The embedding model the weights belong to ([`crate::embed::Model::id`]).
    pub model_id: String,
    pub params: Params,
    /// Labeled tasks trained on, per tier.
    pub trained_on: TierCounts,
    /// "Needs at least Sonnet" weights.
    pub at_least_sonnet: Vec<f32>,
    /// "Needs Opus" weights.
    pub opus: Vec<f32>,
}

/// Tasks per tier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierCounts {
    pub haiku: usize,
    pub sonnet: usize,
    pub opus: usize,
}

/// What the classifier says about one task.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    /// Signed margin of "needs at least Sonnet" (positive: yes).
    pub at_least_sonnet: f64,
    /// Signed margin of "needs Opus".
    pub opus: f64,
}

impl Verdict {
    /// The tier the margins pick.
    pub fn tier(self) -> Tier {
        if self.opus >= 0.0 {
            Tier::Opus
        } else if self.at_least_sonnet >= 0.0 {
            Tier::Sonnet
        } else {
            Tier::Haiku
        }
    }

    /// A 0-10 score inside `tier`'s range under `t`, placed by the deciding margin, so the
    /// thresholds give back `tier` and budget pressure moves it as it moves any score.
    pub fn score(self, tier: Tier, t: Thresholds) -> f64 {
        let squash = |m: f64| 1.0 / (1.0 + (-2.0 * m).exp());
        let round = |x: f64| (x * 100.0).round() / 100.0;
        match tier {
            Tier::Haiku => round(t.sonnet * 2.0 * squash(self.at_least_sonnet.min(0.0))).min(t.sonnet - 0.01).max(0.0),
            Tier::Sonnet => {
                round(t.sonnet + (t.opus - t.sonnet) * 2.0 * squash(self.opus.min(0.0))).clamp(t.sonnet, t.opus - 0.01)
            }
            Tier::Opus => {
                round(t.opus + (MAX_SCORE - t.opus) * (2.0 * squash(self.opus.max(0.0)) - 1.0)).clamp(t.opus, MAX_SCORE)
            }
        }
    }
}

/// Width of the input vector for an embedding of `dim` values.
pub fn width(dim: usize) -> usize {
    dim + 1 + Feature::ALL.len() + 1
}

/// The classifier's inputs for a task: its embedding, its feature score (/10) and each
/// feature's points (/3), both times `feature_scale`, and a constant 1 for the bias.
pub fn inputs(embedding: &[f32], score: f64, contributions: &[Contribution], feature_scale: f64) -> Vec<f64> {
    let mut x: Vec<f64> = embedding.iter().map(|&v| f64::from(v)).collect();
    x.push(feature_scale * score / MAX_SCORE);
    for f in Feature::ALL {
        let points: f64 = contributions.iter().filter(|c| c.feature == f).map(|c| c.points).sum();
        x.push(feature_scale * points / 3.0);
    }
    x.push(1.0);
    x
}

impl Classifier {
    /// The bundled classifier.
    pub fn bundled() -> Result<Self, String> {
        Self::parse(BUNDLED).map_err(|e| format!("data/routing-classifier.json: {e}"))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let c: Classifier = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if c.version != VERSION {
            return Err(format!("version {} is not one this devteam reads ({VERSION})", c.version));
        }
        if c.at_least_sonnet.len() != c.opus.len() || c.opus.len() < width(0) {
            return Err("the two weight vectors differ in length or are too short".into());
        }
        Ok(c)
    }

    /// The embedding width the weights expect.
    pub fn dim(&self) -> usize {
        self.opus.len() - width(0)
    }

    /// Trains on `rows` (inputs from [`inputs`], label).
    pub fn train(rows: &[(Vec<f64>, Tier)], params: Params, model_id: &str) -> Result<Self, String> {
        let (at_least_sonnet, opus) = fit(rows, params.lambda)?;
        let mut trained_on = TierCounts::default();
        for (_, tier) in rows {
            match tier {
                Tier::Haiku => trained_on.haiku += 1,
                Tier::Sonnet => trained_on.sonnet += 1,
                Tier::Opus => trained_on.opus += 1,
            }
        }
        let f32s = |w: Vec<f64>| w.into_iter().map(|v| v as f32).collect();
        Ok(Self {
            version: VERSION,
            model_id: model_id.to_string(),
            params,
            trained_on,
            at_least_sonnet: f32s(at_least_sonnet),
            opus: f32s(opus),
        })
    }

    /// The margins for one task's inputs.
    pub fn verdict(&self, x: &[f64]) -> Verdict {
        let dot = |w: &[f32]| w.iter().zip(x).map(|(w, x)| f64::from(*w) * x).sum::<f64>();
        Verdict { at_least_sonnet: dot(&self.at_least_sonnet), opus: dot(&self.opus) }
    }
}

/// Ridge weights for both questions: `w = Xᵀ (X Xᵀ + λI)⁻¹ y` with `y` in {-1, +1}.
fn fit(rows: &[(Vec<f64>, Tier)], lambda: f64) -> Result<(Vec<f64>, Vec<f64>), String> {
    let n = rows.len();
    if n == 0 {
        return Err("no labeled tasks to train on".into());
    }
    let mut gram = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let k: f64 = rows[i].0.iter().zip(&rows[j].0).map(|(a, b)| a * b).sum();
            gram[i * n + j] = k;
            gram[j * n + i] = k;
        }
        gram[i * n + i] += lambda;
    }
    let chol = cholesky(&mut gram, n)?;
    let sign = |yes: bool| if yes { 1.0 } else { -1.0 };
    let solve = |target: &dyn Fn(Tier) -> bool| {
        let y: Vec<f64> = rows.iter().map(|(_, t)| sign(target(*t))).collect();
        let alpha = solve_cholesky(chol, n, &y);
        let mut w = vec![0.0; rows[0].0.len()];
        for (a, (x, _)) in alpha.iter().zip(rows) {
            for (w, x) in w.iter_mut().zip(x) {
                *w += a * x;
            }
        }
        w
    };
    Ok((solve(&|t| t >= Tier::Sonnet), solve(&|t| t == Tier::Opus)))
}

/// In-place lower Cholesky factor of a symmetric positive definite n x n matrix.
fn cholesky(a: &mut [f64], n: usize) -> Result<&[f64], String> {
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if d <= 0.0 {
            return Err("the training matrix is not positive definite (lambda must be > 0)".into());
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / d;
        }
    }
    Ok(a)
}

fn solve_cholesky(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut y = b.to_vec();
    for i in 0..n {
        for k in 0..i {
            y[i] -= l[i * n + k] * y[k];
        }
        y[i] /= l[i * n + i];
    }
    for i in (0..n).rev() {
        for k in i + 1..n {
            y[i] -= l[k * n + i] * y[k];
        }
        y[i] /= l[i * n + i];
    }
    y
}

/// Stratified fold of each row: the i-th task of each tier (in file order) goes to fold
/// `i % folds`, so every fold holds each tier in proportion and the split is reproducible.
pub fn folds(labels: &[Tier], folds: usize) -> Vec<usize> {
    let mut seen = [0usize; 3];
    labels
        .iter()
        .map(|t| {
            let i = seen[t.rank()];
            seen[t.rank()] += 1;
            i % folds.max(1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows on a line: the label follows the first coordinate.
    fn toy() -> Vec<(Vec<f64>, Tier)> {
        (0..30)
            .map(|i| {
                let x = i as f64 / 30.0;
                let tier = if x < 0.33 {
                    Tier::Haiku
                } else if x < 0.66 {
                    Tier::Sonnet
                } else {
                    Tier::Opus
                };
                (vec![x, 1.0], tier)
            })
            .collect()
    }

    #[test]
    fn ridge_separates_an_ordered_toy_set() {
        let rows = toy();
        let c = Classifier::train(&rows, Params { lambda: 1e-3, feature_scale: 1.0 }, "m").unwrap();
        let right = rows.iter().filter(|(x, t)| c.verdict(x).tier() == *t).count();
        assert!(right >= 26, "{right} of 30");
        assert_eq!(c.trained_on, TierCounts { haiku: 10, sonnet: 10, opus: 10 });
        let back: Classifier = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn folds_are_stratified() {
        let labels = [Tier::Haiku, Tier::Opus, Tier::Haiku, Tier::Haiku, Tier::Opus];
        assert_eq!(folds(&labels, 2), vec![0, 0, 1, 0, 1]);
    }

    #[test]
    fn scores_land_in_the_tier_range() {
        let t = Thresholds::default();
        for (s, o) in [(-3.0, -3.0), (-0.01, -2.0), (0.5, -0.2), (2.0, -0.001), (1.0, 0.0), (3.0, 5.0), (-1.0, 1.0)] {
            let v = Verdict { at_least_sonnet: s, opus: o };
            for tier in Tier::ALL {
                let score = v.score(tier, t);
                assert_eq!(t.tier(score, super::super::Pressure::Normal), tier, "{s} {o} {tier} {score}");
            }
        }
        assert_eq!(Verdict { at_least_sonnet: -1.0, opus: 0.2 }.tier(), Tier::Opus);
    }

    #[test]
    fn the_bundled_classifier_parses() {
        let c = Classifier::bundled().unwrap();
        assert_eq!(c.dim(), 384);
        assert!(c.trained_on.haiku > 0 && c.trained_on.opus > 0);
    }

    #[test]
    fn a_bad_file_is_refused() {
        assert!(Classifier::parse("{}").is_err());
        let mut c = Classifier::bundled().unwrap();
        c.version = 9;
        assert!(Classifier::parse(&serde_json::to_string(&c).unwrap()).unwrap_err().contains("version 9"));
    }
}
