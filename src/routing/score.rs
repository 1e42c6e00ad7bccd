//! Weighing signals into a 0-10 complexity score, keeping each feature's contribution so the
//! score explains itself.

pub use crate::records::routing::Contribution;

use super::features::{Feature, Signal};
use super::tier::MAX_SCORE;
use super::weights::Weights;

/// A complexity score and its explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// 0-10, rounded to hundredths (routing uses the rounded value, so what is shown is what
    /// was routed on).
    pub value: f64,
    /// Features with non-zero points, largest effect first.
    pub contributions: Vec<Contribution>,
}

/// Weighs the signals: `base` plus every feature's points, clamped to the scale.
pub fn score(signals: &[Signal], weights: &Weights) -> Score {
    let mut contributions: Vec<Contribution> = signals
        .iter()
        .map(|s| Contribution { feature: s.feature, cues: s.cues.clone(), points: round(points(s, weights)) })
        .filter(|c| c.points != 0.0)
        .collect();
    contributions.sort_by(|a, b| b.points.abs().total_cmp(&a.points.abs()));
    let total = weights.base + contributions.iter().map(|c| c.points).sum::<f64>();
    Score { value: round(total.clamp(0.0, MAX_SCORE)), contributions }
}

fn points(signal: &Signal, w: &Weights) -> f64 {
    let n = signal.measure;
    let beyond = |free: f64| (n - free).max(0.0);
    match signal.feature {
        f if f.is_cue() => {
            let strength = (1.0 + w.cues.repeat * (n - 1.0).max(0.0)).min(w.cues.cap);
            w.of(f) * strength
        }
        Feature::Length => (w.size.per_word * beyond(w.size.words_free)).min(w.size.words_max),
        Feature::Entities => (w.size.per_entity * beyond(w.size.entities_free)).min(w.size.entities_max),
        // Orders of magnitude from 10,000 (nothing) to 10 million (the full weight).
        Feature::Magnitude => w.size.magnitude * ((n.max(1.0).log10() - 4.0) / 3.0).clamp(0.0, 1.0),
        Feature::Files => (w.context.per_file * beyond(1.0)).min(w.context.max),
        Feature::Agents => (w.context.per_agent * beyond(1.0)).min(w.context.max),
        Feature::Subtasks => (w.context.per_subtask * beyond(1.0)).min(w.context.max),
        _ => 0.0,
    }
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signal(feature: Feature, measure: f64) -> Signal {
        Signal { feature, cues: vec!["x".into()], measure }
    }

    #[test]
    fn repeated_cues_add_a_share_up_to_the_cap() {
        let w = Weights::default();
        let one = score(&[signal(Feature::Security, 1.0)], &w);
        let two = score(&[signal(Feature::Security, 2.0)], &w);
        let many = score(&[signal(Feature::Security, 9.0)], &w);
        let weight = w.risk.security;
        assert!((one.contributions[0].points - weight).abs() < 0.01);
        assert!((two.contributions[0].points - weight * (1.0 + w.cues.repeat)).abs() < 0.01);
        assert!((many.contributions[0].points - weight * w.cues.cap).abs() < 0.01);
    }

    #[test]
    fn size_scales_and_the_total_is_clamped() {
        let w = Weights::default();
        let short = score(&[signal(Feature::Length, w.size.words_free)], &w);
        assert!(short.contributions.is_empty());
        assert!((short.value - w.base).abs() < 0.01);
        let huge = score(&[signal(Feature::Magnitude, 1e9)], &w);
        assert!((huge.contributions[0].points - w.size.magnitude).abs() < 0.01);
        let small = score(&[signal(Feature::Magnitude, 5_000.0)], &w);
        assert!(small.contributions.is_empty());
        let pile: Vec<Signal> = Feature::ALL.iter().filter(|f| w.of(**f) > 0.0).map(|f| signal(*f, 5.0)).collect();
        assert_eq!(score(&pile, &w).value, MAX_SCORE);
        let neg: Vec<Signal> = Feature::ALL.iter().filter(|f| w.of(**f) < 0.0).map(|f| signal(*f, 5.0)).collect();
        assert_eq!(score(&neg, &w).value, 0.0);
    }

    #[test]
    fn context_counts_beyond_the_first() {
        let w = Weights::default();
        assert!(score(&[signal(Feature::Files, 1.0)], &w).contributions.is_empty());
        let many = score(&[signal(Feature::Agents, 50.0)], &w);
        assert!((many.contributions[0].points - w.context.max).abs() < 0.01);
    }
}
