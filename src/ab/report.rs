//! `ab report`: each variant against the first (the control). Cost per task by Welch's t-test
//! or, with `--cost-test bootstrap`, a studentized bootstrap (`learn::bootstrap`); latency by
//! Welch's t-test; success and upgrade rates by Fisher's exact test. A recommendation is made
//! only when cost or success differs significantly; the two are tested at alpha/2 each
//! (Bonferroni), so a test with no real difference recommends something at most alpha of the time.

use serde::Serialize;

use super::AbRun;
use crate::learn::bootstrap;
use crate::learn::stats::{fisher_two_sided, mean_var, welch};
use crate::usage::to_usd;

/// One variant's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantSummary {
    pub key: String,
    pub runs: usize,
    pub cost_per_task_usd: f64,
    pub success_rate: f64,
    pub upgrade_rate: f64,
    pub latency_ms: f64,
}

/// How cost per task is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CostTest {
    #[default]
    Welch,
    /// Resampled, seeded by the test's name so the same runs give the same report.
    Bootstrap,
}

/// A variant against the control.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub key: String,
    pub against: String,
    /// Two-sided p-values; `None` where a side has too few runs.
    pub cost_p: Option<f64>,
    /// The test behind `cost_p`.
    pub cost_test: CostTest,
    pub success_p: Option<f64>,
    pub upgrade_p: Option<f64>,
    pub latency_p: Option<f64>,
    /// 1 - the smaller of the cost and success p-values.
    pub confidence: f64,
    /// `significant` or `not significant`, at the test's level.
    pub verdict: String,
    pub recommendation: Option<String>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AbReport {
    pub name: String,
    pub alpha: f64,
    pub active: bool,
    pub variants: Vec<VariantSummary>,
    pub comparisons: Vec<Comparison>,
}

/// Builds the report for `keys` (control first) from the test's runs, cost by Welch's t-test.
pub fn report(name: &str, alpha: f64, active: bool, keys: &[String], runs: &[AbRun]) -> AbReport {
    report_with(name, alpha, active, keys, runs, CostTest::Welch)
}

/// The report with cost compared by `cost_test`.
pub fn report_with(
    name: &str,
    alpha: f64,
    active: bool,
    keys: &[String],
    runs: &[AbRun],
    cost_test: CostTest,
) -> AbReport {
    let of = |key: &str| runs.iter().filter(|r| r.variant == key).collect::<Vec<_>>();
    let variants: Vec<VariantSummary> = keys.iter().map(|k| summary(k, &of(k))).collect();
    let control = keys.first().cloned().unwrap_or_default();
    let cost_p = |b: &[f64], a: &[f64], key: &str| match cost_test {
        CostTest::Welch => welch(b, a).map(|w| w.2),
        CostTest::Bootstrap => {
            let seed = xxhash_rust::xxh3::xxh3_64(format!("{name}\0{key}").as_bytes());
            bootstrap::mean_difference_p(a, b, bootstrap::RESAMPLES, seed)
        }
    };
    let comparisons = keys
        .iter()
        .skip(1)
        .map(|k| compare(k, &control, &of(k), &of(&control), alpha, (cost_test, &|b, a| cost_p(b, a, k))))
        .collect();
    AbReport { name: name.to_string(), alpha, active, variants, comparisons }
}

fn summary(key: &str, runs: &[&AbRun]) -> VariantSummary {
    let n = runs.len().max(1) as f64;
    VariantSummary {
        key: key.to_string(),
        runs: runs.len(),
        cost_per_task_usd: to_usd(runs.iter().map(|r| r.cost_micros).sum::<i64>()) / n,
        success_rate: runs.iter().filter(|r| r.success).count() as f64 / n,
        upgrade_rate: runs.iter().filter(|r| r.upgraded).count() as f64 / n,
        latency_ms: runs.iter().map(|r| r.latency_ms as f64).sum::<f64>() / n,
    }
}

/// The cost test and its p-value of (variant costs, control costs).
type CostP<'a> = (CostTest, &'a dyn Fn(&[f64], &[f64]) -> Option<f64>);

fn compare(key: &str, control: &str, b: &[&AbRun], a: &[&AbRun], alpha: f64, cost: CostP<'_>) -> Comparison {
    let costs = |rs: &[&AbRun]| rs.iter().map(|r| r.cost_micros as f64).collect::<Vec<_>>();
    let latency = |rs: &[&AbRun]| rs.iter().map(|r| r.latency_ms as f64).collect::<Vec<_>>();
    let rate_p = |f: &dyn Fn(&AbRun) -> bool| {
        if a.is_empty() || b.is_empty() {
            return None;
        }
        let (ka, kb) = (a.iter().filter(|r| f(r)).count() as u64, b.iter().filter(|r| f(r)).count() as u64);
        Some(fisher_two_sided(kb, b.len() as u64 - kb, ka, a.len() as u64 - ka))
    };
    let cost_p = (cost.1)(&costs(b), &costs(a));
    let success_p = rate_p(&|r| r.success);
    let each = alpha / 2.0;
    let cost_sig = cost_p.is_some_and(|p| p < each);
    let success_sig = success_p.is_some_and(|p| p < each);
    let (mb, ma) = (mean_var(&costs(b)).0, mean_var(&costs(a)).0);
    let success = |rs: &[&AbRun]| rs.iter().filter(|r| r.success).count() as f64 / rs.len().max(1) as f64;
    let recommendation = match (cost_sig, success_sig) {
        (_, true) if success(b) > success(a) => Some(format!(
            "{key}: it succeeds more often ({:.0} % against {:.0} %)",
            success(b) * 100.0,
            success(a) * 100.0
        )),
        (_, true) => Some(format!(
            "{control}: {key} succeeds less often ({:.0} % against {:.0} %)",
            success(b) * 100.0,
            success(a) * 100.0
        )),
        (true, false) if mb < ma => Some(format!(
            "{key}: it costs {:.0} % less per task, with no significant loss of success",
            (1.0 - mb / ma) * 100.0
        )),
        (true, false) => Some(format!("{control}: {key} costs {:.0} % more per task", (mb / ma - 1.0) * 100.0)),
        (false, false) => None,
    };
    let best_p = cost_p.unwrap_or(1.0).min(success_p.unwrap_or(1.0));
    Comparison {
        key: key.to_string(),
        against: control.to_string(),
        cost_p,
        cost_test: cost.0,
        success_p,
        upgrade_p: rate_p(&|r| r.upgraded),
        latency_p: welch(&latency(b), &latency(a)).map(|w| w.2),
        confidence: 1.0 - best_p,
        verdict: if recommendation.is_some() { "significant" } else { "not significant" }.to_string(),
        recommendation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learn::stats::Rng;

    /// `n` runs per variant; B's cost is A's times `cost_ratio`, its success rate `success_b`.
    fn synthetic(seed: u64, n: usize, cost_ratio: f64, success_a: f64, success_b: f64) -> Vec<AbRun> {
        let mut rng = Rng::new(seed);
        let mut runs = Vec::new();
        for (key, ratio, success) in [("a", 1.0, success_a), ("b", cost_ratio, success_b)] {
            for i in 0..n {
                // Task costs vary a lot (log-normal around 2 cents).
                let cost = 20_000.0 * (0.6 * rng.normal()).exp() * ratio;
                runs.push(AbRun {
                    run_id: format!("{key}{i}"),
                    variant: key.into(),
                    cost_micros: cost as i64,
                    success: rng.unit() < success,
                    upgraded: rng.unit() < 0.1,
                    latency_ms: (3000.0 + 500.0 * rng.normal()) as i64,
                });
            }
        }
        runs
    }

    fn keys() -> Vec<String> {
        vec!["a".into(), "b".into()]
    }

    #[test]
    fn a_known_saving_is_found_and_recommended() {
        let r = report("t", 0.05, true, &keys(), &synthetic(1, 200, 0.7, 0.9, 0.9));
        let c = &r.comparisons[0];
        assert_eq!(c.verdict, "significant", "{c:?}");
        assert!(c.recommendation.as_deref().is_some_and(|s| s.starts_with("b: it costs")), "{c:?}");
        assert!(c.confidence > 0.99);
        let worse = report("t", 0.05, true, &keys(), &synthetic(2, 300, 1.0, 0.9, 0.7));
        assert!(worse.comparisons[0].recommendation.as_deref().is_some_and(|s| s.starts_with("a:")), "{worse:?}");
    }

    #[test]
    fn no_difference_is_not_significant() {
        // Twenty tests with no difference: at alpha 0.05 one may come out significant by chance.
        let verdicts: Vec<Comparison> = (0..20)
            .map(|s| report("t", 0.05, true, &keys(), &synthetic(s, 200, 1.0, 0.9, 0.9)).comparisons[0].clone())
            .collect();
        let quiet = verdicts.iter().filter(|c| c.verdict == "not significant").count();
        assert!(quiet >= 18, "{quiet} of 20: {verdicts:?}");
        assert!(verdicts.iter().all(|c| (c.verdict == "not significant") == c.recommendation.is_none()));
    }

    #[test]
    fn the_false_positive_rate_is_near_alpha() {
        let seeds = 1000;
        let hits = (0..seeds)
            .filter(|s| {
                report("t", 0.05, true, &keys(), &synthetic(100 + s, 60, 1.0, 0.8, 0.8)).comparisons[0]
                    .recommendation
                    .is_some()
            })
            .count();
        let rate = hits as f64 / seeds as f64;
        eprintln!("false-positive rate over {seeds} seeds at alpha 0.05: {rate:.3}");
        // At most alpha (Bonferroni over two tests, Fisher's exact is conservative), and not
        // so far below that the tests have no power.
        assert!((0.015..=0.065).contains(&rate), "{rate}");
    }

    /// Share of `seeds` tests whose cost alone is significant at alpha/2, by `test`.
    fn cost_hits(test: CostTest, seeds: u64, n: usize, cost_ratio: f64) -> f64 {
        let hits = (0..seeds)
            .filter(|s| {
                let runs = synthetic(5000 + s, n, cost_ratio, 0.8, 0.8);
                let c = &report_with("t", 0.05, true, &keys(), &runs, test).comparisons[0];
                assert_eq!(c.cost_test, test);
                c.cost_p.is_some_and(|p| p < 0.025)
            })
            .count();
        hits as f64 / seeds as f64
    }

    #[test]
    fn the_bootstrap_holds_its_false_positive_rate_and_finds_a_known_saving() {
        // Log-normal costs, no difference: the cost test alone fires at about alpha/2.
        let (boot, welch) = (cost_hits(CostTest::Bootstrap, 300, 60, 1.0), cost_hits(CostTest::Welch, 300, 60, 1.0));
        eprintln!(
            "cost-only false-positive rate over 300 seeds at alpha/2 = 0.025: bootstrap {boot:.3}, Welch {welch:.3}"
        );
        assert!(boot <= 0.05, "{boot}");
        // A 30 % saving with 60 runs a side is found nearly always, as with Welch.
        let (boot, welch) = (cost_hits(CostTest::Bootstrap, 40, 60, 0.7), cost_hits(CostTest::Welch, 40, 60, 0.7));
        eprintln!("power for a 30 % saving over 40 seeds: bootstrap {boot:.3}, Welch {welch:.3}");
        assert!(boot >= 0.8, "{boot}");
        let r = report_with("t", 0.05, true, &keys(), &synthetic(1, 200, 0.7, 0.9, 0.9), CostTest::Bootstrap);
        assert!(r.comparisons[0].recommendation.as_deref().is_some_and(|s| s.starts_with("b: it costs")), "{r:?}");
    }
}
