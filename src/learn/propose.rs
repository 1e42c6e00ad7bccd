//! `route learn`: bounded per-feature adjustments from stored outcomes.
//!
//! The method, per feature of the base router ("tasks like it" are tasks where it fired):
//! - **Raise** when most such tasks sent to a tier needed more: the one-sided 95 % Wilson lower
//!   bound of their too-low rate (upgraded, failed, or judged bad) is above `raise_rate`, with
//!   at least `min_class` of them. The points lift three quarters of the too-low ones over the
//!   next threshold.
//! - **Lower** only with evidence that the lower tier succeeds on such tasks: at least
//!   `min_class` of them ran on the tier below (under budget economy, an A/B test, or near a
//!   threshold) and the Wilson lower bound of their success rate is at least `lower_success`.
//!   The points are then shrunk so that no task with the feature on a tier *without* such
//!   evidence crosses down.
//!
//! Nothing changes below `min_decisions` usable outcomes. Points are bounded by `MAX_POINTS`,
//! and the layer itself never moves a task more than one tier below the base router.

use serde::Serialize;

use super::record::{Label, OutcomeRow};
use super::stats::wilson_lower;
use crate::routing::learned::{Adjustment, Learned, MAX_POINTS};
use crate::routing::{Feature, Pressure, Thresholds, Tier, feature_name};

/// One-sided 95 %.
const Z: f64 = 1.645;

/// How much evidence learning asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// Usable outcomes before anything is learned.
    pub min_decisions: usize,
    /// Outcomes of one feature on one tier before it counts as evidence.
    pub min_class: usize,
    /// Lower bound of the too-low rate above which a feature is raised.
    pub raise_rate: f64,
    /// Lower bound of the lower tier's success rate needed to lower a feature.
    pub lower_success: f64,
}

impl Default for Policy {
    fn default() -> Self {
        Self { min_decisions: 50, min_class: 15, raise_rate: 0.5, lower_success: 0.85 }
    }
}

/// What one feature's outcomes showed and what was made of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureEvidence {
    pub feature: String,
    /// Per tier: (outcomes, too low).
    pub haiku: (usize, usize),
    pub sonnet: (usize, usize),
    pub opus: (usize, usize),
    /// `raise`, `lower` or `keep`.
    pub action: String,
    pub points: f64,
    pub why: String,
}

/// What learning proposes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    /// Routing decisions read, and those whose outcome says something about the tier.
    pub decisions: usize,
    pub usable: usize,
    /// Empty when nothing is proposed; `why_none` then says why.
    pub adjustments: Vec<Adjustment>,
    pub why_none: Option<String>,
    pub features: Vec<FeatureEvidence>,
    /// Past decisions whose tier the adjustments would change.
    pub effect: Effect,
}

/// How the adjustments would have routed the past decisions.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Effect {
    /// Moved up, and of those how many had been too low.
    pub up: usize,
    pub up_needed: usize,
    /// Moved down, and of those how many had been too low (should be none).
    pub down: usize,
    pub down_were_too_low: usize,
}

/// Learns from `rows` routed with `thresholds`.
pub fn propose(rows: &[OutcomeRow], thresholds: Thresholds, policy: Policy, now_ms: i64) -> Proposal {
    let usable: Vec<&OutcomeRow> = rows.iter().filter(|r| r.label() != Label::Unknown && r.tier().is_some()).collect();
    let mut proposal = Proposal {
        decisions: rows.len(),
        usable: usable.len(),
        adjustments: Vec::new(),
        why_none: None,
        features: Vec::new(),
        effect: Effect::default(),
    };
    if usable.len() < policy.min_decisions {
        proposal.why_none = Some(format!(
            "{} usable outcome(s); learning needs at least {} before it changes anything",
            usable.len(),
            policy.min_decisions
        ));
        return proposal;
    }
    for feature in Feature::ALL {
        let class: Vec<&OutcomeRow> = usable.iter().copied().filter(|r| r.features().any(|f| f == feature)).collect();
        if class.is_empty() {
            continue;
        }
        let evidence = weigh(feature, &class, thresholds, policy);
        if evidence.points != 0.0 {
            proposal.adjustments.push(Adjustment { feature, points: evidence.points, why: evidence.why.clone() });
        }
        proposal.features.push(evidence);
    }
    if proposal.adjustments.is_empty() {
        proposal.why_none = Some("no feature's outcomes clear the evidence bar; the router stays as it is".into());
    }
    let learned = as_learned(&proposal, now_ms);
    proposal.effect = effect(&usable, &learned, thresholds);
    proposal
}

/// The proposal as the learned-weights file.
pub fn as_learned(p: &Proposal, now_ms: i64) -> Learned {
    Learned { version: 1, learned_at_ms: now_ms, decisions: p.usable, adjustments: p.adjustments.clone() }
}

fn weigh(feature: Feature, class: &[&OutcomeRow], thresholds: Thresholds, policy: Policy) -> FeatureEvidence {
    let on = |tier: Tier| -> Vec<&OutcomeRow> { class.iter().copied().filter(|r| r.tier() == Some(tier)).collect() };
    let count = |rows: &[&OutcomeRow]| (rows.len(), rows.iter().filter(|r| r.label() == Label::TooLow).count());
    let mut e = FeatureEvidence {
        feature: feature_name(feature),
        haiku: count(&on(Tier::Haiku)),
        sonnet: count(&on(Tier::Sonnet)),
        opus: count(&on(Tier::Opus)),
        action: "keep".into(),
        points: 0.0,
        why: String::new(),
    };
    // Raising first: quality before savings.
    for tier in [Tier::Haiku, Tier::Sonnet] {
        let rows = on(tier);
        let (n, low) = count(&rows);
        if n < policy.min_class || wilson_lower(low, n, Z) <= policy.raise_rate {
            continue;
        }
        let gaps: Vec<f64> = rows
            .iter()
            .filter(|r| r.label() == Label::TooLow)
            .map(|r| next_threshold(thresholds, pressure(r), tier) - r.base_score())
            .collect();
        let points = round_up(quantile(&gaps, 0.75) + 0.01).clamp(0.05, MAX_POINTS);
        if points > e.points {
            e.points = points;
            e.action = "raise".into();
            e.why = format!(
                "{low} of {n} sent to {tier} needed a higher tier; +{points:.2} lifts most over the next threshold"
            );
        }
    }
    if e.points > 0.0 {
        return e;
    }
    lower(class, thresholds, policy, e)
}

/// The lowering rule. Tasks "like" those the base router sends to a tier are those with the
/// feature that it sends there under normal pressure; evidence that the tier below succeeds on
/// them comes from those of them that ran one tier down (budget economy, an A/B variant).
fn lower(class: &[&OutcomeRow], thresholds: Thresholds, policy: Policy, mut e: FeatureEvidence) -> FeatureEvidence {
    let normal = |r: &OutcomeRow| thresholds.tier(r.base_score(), Pressure::Normal);
    let placed = |tier: Tier| -> Vec<&OutcomeRow> { class.iter().copied().filter(|r| normal(r) == tier).collect() };
    let backed = |tier: Tier| -> Option<(usize, usize)> {
        let down = tier.down()?;
        let below: Vec<&OutcomeRow> = placed(tier).into_iter().filter(|r| r.tier() == Some(down)).collect();
        let ok = below.iter().filter(|r| r.label() == Label::Enough).count();
        (below.len() >= policy.min_class && wilson_lower(ok, below.len(), Z) >= policy.lower_success)
            .then_some((ok, below.len()))
    };
    for tier in [Tier::Opus, Tier::Sonnet] {
        let Some((ok, below_n)) = backed(tier) else { continue };
        let margins: Vec<f64> = placed(tier).iter().map(|r| r.base_score() - own_threshold(thresholds, tier)).collect();
        let mut points = -(round_up(quantile(&margins, 0.75) + 0.01)).min(MAX_POINTS);
        // Tasks with the feature on a tier whose lower neighbour lacks evidence must not cross.
        for other in [Tier::Sonnet, Tier::Opus] {
            if backed(other).is_some() {
                continue;
            }
            for r in placed(other) {
                let margin = r.base_score() - own_threshold(thresholds, other);
                points = points.max(-(margin - 0.01).max(0.0));
            }
        }
        let points = (points * 100.0).trunc() / 100.0;
        if points <= -0.05 && points < e.points {
            e.points = points;
            e.action = "lower".into();
            let lower_tier = tier.down().unwrap_or(Tier::Haiku);
            e.why = format!(
                "{ok} of {below_n} such {tier} tasks that ran on {lower_tier} succeeded; {points:.2} moves them down"
            );
        }
    }
    if e.points == 0.0 {
        e.why = "not enough evidence either way".into();
    }
    e
}

/// How `learned` would route the usable past decisions, against how they were routed.
pub fn effect(rows: &[&OutcomeRow], learned: &Learned, thresholds: Thresholds) -> Effect {
    let mut effect = Effect::default();
    for r in rows {
        let base: Vec<_> =
            r.contributions.iter().filter(|c| !crate::routing::learned::is_learned(c)).cloned().collect();
        let base_tier = thresholds.tier(r.base_score(), pressure(r));
        let (_, after, _) = learned.adjust(r.base_score(), &base, thresholds, pressure(r));
        // Against what the base router does: past learned points are not the question.
        let before = base_tier;
        let too_low = r.label() == Label::TooLow;
        if after > before {
            effect.up += 1;
            effect.up_needed += usize::from(too_low);
        } else if after < before {
            effect.down += 1;
            effect.down_were_too_low += usize::from(too_low);
        }
    }
    effect
}

/// The past decisions `learned` would send a tier lower than the base router did, with the
/// tier before and after.
pub fn moved_down<'a>(
    rows: &'a [OutcomeRow],
    learned: &Learned,
    thresholds: Thresholds,
) -> Vec<(&'a OutcomeRow, Tier, Tier)> {
    rows.iter()
        .filter(|r| r.label() != Label::Unknown)
        .filter_map(|r| {
            let base: Vec<_> =
                r.contributions.iter().filter(|c| !crate::routing::learned::is_learned(c)).cloned().collect();
            let before = thresholds.tier(r.base_score(), pressure(r));
            let (_, after, _) = learned.adjust(r.base_score(), &base, thresholds, pressure(r));
            (after < before).then_some((r, before, after))
        })
        .collect()
}

fn pressure(r: &OutcomeRow) -> Pressure {
    if r.pressure == "economy" { Pressure::Economy } else { Pressure::Normal }
}

fn next_threshold(t: Thresholds, p: Pressure, tier: Tier) -> f64 {
    let t = t.under(p);
    if tier == Tier::Haiku { t.sonnet } else { t.opus }
}

fn own_threshold(t: Thresholds, tier: Tier) -> f64 {
    match tier {
        Tier::Haiku => 0.0,
        Tier::Sonnet => t.sonnet,
        Tier::Opus => t.opus,
    }
}

fn quantile(xs: &[f64], q: f64) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

fn round_up(x: f64) -> f64 {
    (x * 100.0).ceil() / 100.0
}
