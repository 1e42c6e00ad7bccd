//! Learned adjustments: a separate layer applied after the base router's score. `devteam route
//! learn --apply` writes them as data (`learned-routing.json` beside the store); settings read
//! the file once. Each adjustment adds points to the score of tasks where one feature fired,
//! and carries the evidence it was learned from, so `route learn` and dry runs can say why.
//!
//! Safety rules the layer enforces whatever the file says: points are bounded, and a learned
//! adjustment moves a task at most one tier below where the base router put it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::features::Feature;
use super::score::Contribution;
use super::tier::{MAX_SCORE, Pressure, Thresholds, Tier};

/// Largest learned points for one feature, either way.
pub const MAX_POINTS: f64 = 2.0;

/// The cue learned contributions carry, so the learner can tell them from base ones.
pub const LEARNED_CUE: &str = "learned";

/// The learned-weights file: adjustments and when they were learned.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Learned {
    /// Format version (1).
    pub version: u32,
    /// When they were learned, Unix milliseconds.
    pub learned_at_ms: i64,
    /// Routing decisions they were learned from.
    pub decisions: usize,
    pub adjustments: Vec<Adjustment>,
}

/// Points added to the score of every task where `feature` fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    pub feature: Feature,
    pub points: f64,
    /// One line for people: what the outcomes showed.
    pub why: String,
}

impl Learned {
    /// Reads the file; the error names it.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let learned: Learned = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        learned.check().map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(learned)
    }

    fn check(&self) -> Result<(), String> {
        if self.version != 1 {
            return Err(format!("version {} is not one this devteam reads (1)", self.version));
        }
        for a in &self.adjustments {
            if !(a.points.is_finite() && a.points.abs() <= MAX_POINTS) {
                return Err(format!(
                    "{}: points {} outside [-{MAX_POINTS}, {MAX_POINTS}]",
                    super::feature_name(a.feature),
                    a.points
                ));
            }
        }
        Ok(())
    }

    /// The learned points for a task whose base contributions are `base`: one contribution per
    /// adjusted feature that fired.
    pub fn contributions(&self, base: &[Contribution]) -> Vec<Contribution> {
        self.adjustments
            .iter()
            .filter(|a| base.iter().any(|c| c.feature == a.feature && !is_learned(c)))
            .map(|a| Contribution { feature: a.feature, cues: vec![LEARNED_CUE.to_string()], points: a.points })
            .collect()
    }

    /// The score and tier after the adjustments, never more than one tier below `base_tier`.
    pub fn adjust(
        &self,
        base_score: f64,
        base: &[Contribution],
        thresholds: Thresholds,
        pressure: Pressure,
    ) -> (f64, Tier, Vec<Contribution>) {
        let extra = self.contributions(base);
        let base_tier = thresholds.tier(base_score, pressure);
        let total: f64 = extra.iter().map(|c| c.points).sum();
        let score = round((base_score + total).clamp(0.0, MAX_SCORE));
        let tier = thresholds.tier(score, pressure).max(base_tier.down().unwrap_or(Tier::Haiku));
        (score, tier, extra)
    }
}

/// Whether a stored contribution came from the learned layer.
pub fn is_learned(c: &Contribution) -> bool {
    c.cues.len() == 1 && c.cues[0] == LEARNED_CUE
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contribution(feature: Feature, points: f64) -> Contribution {
        Contribution { feature, cues: vec!["x".into()], points }
    }

    fn learned(feature: Feature, points: f64) -> Learned {
        Learned {
            version: 1,
            learned_at_ms: 0,
            decisions: 100,
            adjustments: vec![Adjustment { feature, points, why: String::new() }],
        }
    }

    #[test]
    fn adjustments_apply_only_where_their_feature_fired() {
        let l = learned(Feature::Concurrency, 1.5);
        let base = [contribution(Feature::Concurrency, 1.0)];
        let (score, tier, extra) = l.adjust(5.5, &base, Thresholds::default(), Pressure::Normal);
        assert_eq!((score, tier, extra.len()), (7.0, Tier::Opus, 1));
        let other = [contribution(Feature::Review, 1.0)];
        let (score, tier, extra) = l.adjust(5.5, &other, Thresholds::default(), Pressure::Normal);
        assert_eq!((score, tier, extra.len()), (5.5, Tier::Sonnet, 0));
    }

    #[test]
    fn a_task_never_drops_more_than_one_tier() {
        let l = learned(Feature::Review, -2.0);
        let base = [contribution(Feature::Review, 1.0)];
        // 7.0 is Opus; minus 2 would be Sonnet (5.0): one tier, allowed.
        assert_eq!(l.adjust(7.0, &base, Thresholds::default(), Pressure::Normal).1, Tier::Sonnet);
        // 4.0 with a file asking for -5 stays within one tier even if the bound were ignored.
        let wild = Learned {
            adjustments: vec![Adjustment { feature: Feature::Review, points: -9.0, why: String::new() }],
            ..l
        };
        assert_eq!(wild.adjust(7.0, &base, Thresholds::default(), Pressure::Normal).1, Tier::Sonnet);
        assert!(wild.check().is_err());
    }

    #[test]
    fn the_file_is_checked_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("learned-routing.json");
        std::fs::write(&path, serde_json::to_string(&learned(Feature::Auth, 3.0)).unwrap()).unwrap();
        let err = Learned::load(&path).unwrap_err();
        assert!(err.contains("learned-routing.json") && err.contains("risk.auth"), "{err}");
        std::fs::write(&path, serde_json::to_string(&learned(Feature::Auth, 1.0)).unwrap()).unwrap();
        assert_eq!(Learned::load(&path).unwrap(), learned(Feature::Auth, 1.0));
    }
}
