//! Measuring routing on labeled tasks: accuracy, the confusion matrix, how often a task went
//! too low (and how far), and what the routed set costs against two baselines: everything on
//! Sonnet, and every task on its labeled tier.

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::meaning::{self, Classifier, Params};
use super::{Pressure, Router, TaskContext, Tier, TierCost};

/// The fixed token profile costs are computed with: one task, one request, no caching.
pub const TASK_PROFILE: TokenProfile = TokenProfile { input_tokens: 6_000, output_tokens: 1_500 };

/// Tokens per task assumed by the cost comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TokenProfile {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// One labeled task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabeledTask {
    pub line: usize,
    pub label: Tier,
    pub task: String,
}

/// Reads `tier<TAB>task` lines after a header row. Errors name the file and line.
pub fn read_labels(path: &Path) -> Result<Vec<LabeledTask>> {
    const SHAPE: &str = "haiku|sonnet|opus<TAB>task";
    let mut tasks = Vec::new();
    for row in crate::labels::read(path, SHAPE)? {
        let bad = |why: String| crate::labels::error(path, row.line, &why, SHAPE);
        let label = Tier::parse(&row.first).ok_or_else(|| bad(format!("unknown tier {:?}", row.first)))?;
        if row.second.is_empty() {
            return Err(bad("empty task".into()).into());
        }
        tasks.push(LabeledTask { line: row.line, label, task: row.second });
    }
    Ok(tasks)
}

/// A value per tier, for JSON that names its columns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PerTier<T> {
    pub haiku: T,
    pub sonnet: T,
    pub opus: T,
}

impl<T> PerTier<T> {
    pub fn get(&self, tier: Tier) -> &T {
        match tier {
            Tier::Haiku => &self.haiku,
            Tier::Sonnet => &self.sonnet,
            Tier::Opus => &self.opus,
        }
    }

    fn get_mut(&mut self, tier: Tier) -> &mut T {
        match tier {
            Tier::Haiku => &mut self.haiku,
            Tier::Sonnet => &mut self.sonnet,
            Tier::Opus => &mut self.opus,
        }
    }
}

/// Dollars for the whole labeled set under three policies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SetCost {
    pub routed: f64,
    pub all_sonnet: f64,
    pub labels: f64,
}

/// A task routed to another tier than its label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoutingMiss {
    pub line: usize,
    pub task: String,
    pub label: Tier,
    pub routed: Tier,
    pub score: f64,
}

/// How the routed tiers were obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// The hand-weighted feature score (embeddings off).
    FeatureScore,
    /// The classifier by meaning, each task routed by one trained on the other folds.
    ClassifierCv,
    /// The router as `run` uses it (the shipped classifier when embeddings are on).
    AsRun,
}

/// The measurements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoutingEvalReport {
    pub tasks: usize,
    pub method: Method,
    /// Folds of the cross-validation (0 when not cross-validated).
    pub folds: usize,
    pub pressure: Pressure,
    pub accuracy: f64,
    /// Rows are labeled tiers, columns routed tiers.
    pub confusion: PerTier<PerTier<usize>>,
    /// Opus-labeled tasks routed to Haiku: the failure that matters most.
    pub opus_to_haiku: usize,
    /// Tasks routed two or more tiers below their label.
    pub two_tiers_low: usize,
    /// Tasks routed below their label, by any amount.
    pub routed_low: usize,
    /// Tasks routed above their label, by any amount.
    pub routed_high: usize,
    pub token_profile: TokenProfile,
    /// Dollars for one task on each tier under the token profile.
    pub task_cost: PerTier<f64>,
    pub cost: SetCost,
    /// Routed cost over the cost of sending every task to Sonnet.
    pub cost_vs_all_sonnet: f64,
    /// Routed cost over the cost of sending each task to its labeled tier.
    pub cost_vs_labels: f64,
    pub misses: Vec<RoutingMiss>,
}

/// Routes every task and compares with its label.
pub fn evaluate(
    router: &Router,
    tasks: &[LabeledTask],
    pressure: Pressure,
    costs: &impl TierCost,
) -> RoutingEvalReport {
    let routed: Vec<(Tier, f64)> = tasks
        .iter()
        .map(|task| {
            let d = router.decide(&task.task, &TaskContext::default(), pressure);
            (d.tier, d.score)
        })
        .collect();
    let method = if router.by_meaning() { Method::AsRun } else { Method::FeatureScore };
    report(tasks, &routed, (method, 0), pressure, costs)
}

/// Compares routed `(tier, score)` pairs, one per task, with the labels.
pub fn report(
    tasks: &[LabeledTask],
    routed: &[(Tier, f64)],
    (method, folds): (Method, usize),
    pressure: Pressure,
    costs: &impl TierCost,
) -> RoutingEvalReport {
    let mut t = Tally::default();
    for (task, (tier, score)) in tasks.iter().zip(routed) {
        t.add(task, *tier, *score, costs);
    }
    let n = tasks.len() as f64;
    RoutingEvalReport {
        tasks: tasks.len(),
        method,
        folds,
        pressure,
        accuracy: ratio(n - t.misses.len() as f64, n),
        opus_to_haiku: *t.confusion.opus.get(Tier::Haiku),
        confusion: t.confusion,
        two_tiers_low: t.two_low,
        routed_low: t.low,
        routed_high: t.high,
        token_profile: TASK_PROFILE,
        task_cost: PerTier {
            haiku: costs.task_cost(Tier::Haiku),
            sonnet: costs.task_cost(Tier::Sonnet),
            opus: costs.task_cost(Tier::Opus),
        },
        cost_vs_all_sonnet: ratio(t.cost.routed, t.cost.all_sonnet),
        cost_vs_labels: ratio(t.cost.routed, t.cost.labels),
        cost: t.cost,
        misses: t.misses,
    }
}

/// The classifier's rows for `tasks`: inputs built from each embedding and feature score.
fn rows(router: &Router, tasks: &[LabeledTask], embeddings: &[Vec<f32>], params: Params) -> Vec<(Vec<f64>, Tier)> {
    tasks
        .iter()
        .zip(embeddings)
        .map(|(task, e)| {
            let s =
                super::score::score(&super::features::extract(&task.task, &TaskContext::default()), &router.weights);
            (meaning::inputs(e, s.value, &s.contributions, params.feature_scale), task.label)
        })
        .collect()
}

/// Routes each task with a classifier trained on the other `k` - 1 folds (stratified, see
/// [`meaning::folds`]), with the safe-tier floor and score ranges `run` applies.
pub fn cross_validate(
    router: &Router,
    tasks: &[LabeledTask],
    embeddings: &[Vec<f32>],
    k: usize,
    params: Params,
    pressure: Pressure,
) -> Result<Vec<(Tier, f64)>> {
    let rows = rows(router, tasks, embeddings, params);
    let labels: Vec<Tier> = tasks.iter().map(|t| t.label).collect();
    let fold = meaning::folds(&labels, k);
    let mut routed = vec![(Tier::Sonnet, 0.0); tasks.len()];
    for f in 0..k {
        let train: Vec<(Vec<f64>, Tier)> =
            rows.iter().zip(&fold).filter(|(_, g)| **g != f).map(|(r, _)| r.clone()).collect();
        if train.is_empty() {
            continue;
        }
        let c = Classifier::train(&train, params, "").map_err(anyhow::Error::msg)?;
        for i in (0..tasks.len()).filter(|i| fold[*i] == f) {
            let s = super::score::score(
                &super::features::extract(&tasks[i].task, &TaskContext::default()),
                &router.weights,
            );
            let (score, _) = super::classify(&c, &embeddings[i], &s, router.thresholds);
            routed[i] = (router.thresholds.tier(score, pressure), score);
        }
    }
    Ok(routed)
}

/// A classifier trained on every task, for shipping (`--write-classifier`).
pub fn train(
    router: &Router,
    tasks: &[LabeledTask],
    embeddings: &[Vec<f32>],
    params: Params,
    model_id: &str,
) -> Result<Classifier> {
    Classifier::train(&rows(router, tasks, embeddings, params), params, model_id).map_err(anyhow::Error::msg)
}

/// Running counts while tasks are routed.
#[derive(Default)]
struct Tally {
    confusion: PerTier<PerTier<usize>>,
    two_low: usize,
    low: usize,
    high: usize,
    cost: SetCost,
    misses: Vec<RoutingMiss>,
}

impl Tally {
    fn add(&mut self, task: &LabeledTask, routed: Tier, score: f64, costs: &impl TierCost) {
        let label = task.label;
        *self.confusion.get_mut(label).get_mut(routed) += 1;
        self.cost.routed += costs.task_cost(routed);
        self.cost.all_sonnet += costs.task_cost(Tier::Sonnet);
        self.cost.labels += costs.task_cost(label);
        if routed == label {
            return;
        }
        self.low += usize::from(routed < label);
        self.high += usize::from(routed > label);
        self.two_low += usize::from(label.rank() >= routed.rank() + 2);
        self.misses.push(RoutingMiss { line: task.line, task: task.task.clone(), label, routed, score });
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.tsv");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn labels_name_the_file_and_line() {
        let (_d, path) = write("tier\ttask\nhaiku\tfix a typo\ngpt\tdo things\n");
        let err = read_labels(&path).unwrap_err().to_string();
        assert!(err.contains("r.tsv:3") && err.contains("gpt"), "{err}");
        let (_d, path) = write("tier\ttask\n\nOpus\tdesign it\n");
        let tasks = read_labels(&path).unwrap();
        assert_eq!(tasks[0].label, Tier::Opus);
        assert_eq!(tasks[0].line, 3);
    }

    /// Orthogonal embeddings carry nothing from one task to another: a classifier that has
    /// seen a task fits it, one trained without it can only guess. Cross-validation must be the
    /// second (so the eval cannot report training-set accuracy).
    #[test]
    fn cross_validation_routes_each_task_without_having_seen_it() {
        let tiers = [Tier::Haiku, Tier::Sonnet, Tier::Opus];
        let tasks: Vec<LabeledTask> = (0..30)
            .map(|i| LabeledTask { line: i + 2, label: tiers[(i * 7 + i / 3) % 3], task: "Look at it".into() })
            .collect();
        let embeddings: Vec<Vec<f32>> =
            (0..30).map(|i| (0..30).map(|j| if i == j { 1.0 } else { 0.0 }).collect()).collect();
        let router = Router::default();
        let params = Params { lambda: 0.01, feature_scale: 1.0 };
        let seen = train(&router, &tasks, &embeddings, params, "m").unwrap();
        let routed_by = |c: &Classifier, task: &LabeledTask, e: &[f32]| {
            let signals = super::super::features::extract(&task.task, &TaskContext::default());
            let s = super::super::score::score(&signals, &router.weights);
            router.thresholds.tier(super::super::classify(c, e, &s, router.thresholds).0, Pressure::Normal)
        };
        let fit = tasks.iter().zip(&embeddings).filter(|(t, e)| routed_by(&seen, t, e) == t.label).count();
        let cv = cross_validate(&router, &tasks, &embeddings, 5, params, Pressure::Normal).unwrap();
        let right = tasks.iter().zip(&cv).filter(|(t, (tier, _))| *tier == t.label).count();
        assert!(fit >= 25, "trained on them: {fit} of 30");
        assert!(right <= 15, "cross-validated: {right} of 30");
    }

    #[test]
    fn counts_and_costs_add_up() {
        let tasks = vec![
            LabeledTask { line: 2, label: Tier::Haiku, task: "Fix the typo in README.md".into() },
            LabeledTask { line: 3, label: Tier::Opus, task: "Fix the typo in CHANGELOG.md".into() },
        ];
        let cost = |t: Tier| (t.rank() * 2 + 1) as f64;
        let r = evaluate(&Router::default(), &tasks, Pressure::Normal, &cost);
        assert_eq!((r.tasks, r.opus_to_haiku, r.two_tiers_low), (2, 1, 1));
        assert_eq!(r.confusion.haiku.haiku, 1);
        assert!((r.accuracy - 0.5).abs() < 1e-9);
        assert!((r.cost.labels - 6.0).abs() < 1e-9);
        assert!((r.cost_vs_all_sonnet - 2.0 / 6.0).abs() < 1e-9);
        assert_eq!(r.misses[0].line, 3);
    }
}
