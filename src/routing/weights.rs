//! The complexity weights: a YAML file bundled into the binary (`data/complexity-weights.yaml`)
//! that the config key `complexity-weights` can replace. Every key is required and unknown
//! keys are refused, so an edited copy cannot silently drop or misspell a weight.

use std::path::Path;

use serde::Deserialize;

use super::features::Feature;

/// The bundled weights, as shipped.
pub const BUNDLED: &str = include_str!("../../data/complexity-weights.yaml");

/// Every weight of the scoring model. Field docs live in the YAML file, which users read.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Weights {
    pub base: f64,
    pub cues: CueWeights,
    pub scope: ScopeWeights,
    pub risk: RiskWeights,
    pub ambiguity: AmbiguityWeights,
    pub kind: KindWeights,
    pub size: SizeWeights,
    pub context: ContextWeights,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CueWeights {
    pub repeat: f64,
    pub cap: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ScopeWeights {
    pub single_target: f64,
    pub many_parts: f64,
    pub whole_system: f64,
    pub large_migration: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RiskWeights {
    pub security: f64,
    pub auth: f64,
    pub payments: f64,
    pub production: f64,
    pub compliance: f64,
    pub irreversible: f64,
    pub concurrency: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AmbiguityWeights {
    pub open_question: f64,
    pub unknown_cause: f64,
    pub trade_off: f64,
    pub constraints: f64,
    pub exact_spec: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct KindWeights {
    pub small_edit: f64,
    pub snippet: f64,
    pub value_change: f64,
    pub build: f64,
    pub bug_fix: f64,
    pub design: f64,
    pub migration: f64,
    pub review: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SizeWeights {
    pub words_free: f64,
    pub per_word: f64,
    pub words_max: f64,
    pub entities_free: f64,
    pub per_entity: f64,
    pub entities_max: f64,
    pub magnitude: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ContextWeights {
    pub per_file: f64,
    pub per_agent: f64,
    pub per_subtask: f64,
    pub max: f64,
}

impl Default for Weights {
    fn default() -> Self {
        // The bundled file is checked by a unit test, so this cannot fail in a release.
        Self::parse(BUNDLED).expect("bundled complexity weights parse")
    }
}

impl Weights {
    /// Parses weights from YAML text; the error names the field (the YAML path) at fault.
    pub fn parse(text: &str) -> Result<Self, String> {
        let weights: Weights = crate::yaml::from_str(text).map_err(|e| e.message)?;
        weights.check()?;
        Ok(weights)
    }

    /// Reads a weights file; the error names the file and the field.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = crate::bounded_read::read_text(path, "complexity weights", crate::bounded_read::SETTINGS_FILE_LIMIT)
            .map_err(|e| format!("{e:#}"))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The weight of a cue feature; size and context features have their own scales.
    pub fn of(&self, feature: Feature) -> f64 {
        use Feature as F;
        match feature {
            F::SingleTarget => self.scope.single_target,
            F::ManyParts => self.scope.many_parts,
            F::WholeSystem => self.scope.whole_system,
            F::LargeMigration => self.scope.large_migration,
            F::Security => self.risk.security,
            F::Auth => self.risk.auth,
            F::Payments => self.risk.payments,
            F::Production => self.risk.production,
            F::Compliance => self.risk.compliance,
            F::Irreversible => self.risk.irreversible,
            F::Concurrency => self.risk.concurrency,
            F::OpenQuestion => self.ambiguity.open_question,
            F::UnknownCause => self.ambiguity.unknown_cause,
            F::TradeOff => self.ambiguity.trade_off,
            F::Constraints => self.ambiguity.constraints,
            F::ExactSpec => self.ambiguity.exact_spec,
            F::SmallEdit => self.kind.small_edit,
            F::Snippet => self.kind.snippet,
            F::ValueChange => self.kind.value_change,
            F::Build => self.kind.build,
            F::BugFix => self.kind.bug_fix,
            F::Design => self.kind.design,
            F::Migration => self.kind.migration,
            F::Review => self.kind.review,
            F::Length | F::Entities | F::Magnitude | F::Files | F::Agents | F::Subtasks => 0.0,
        }
    }

    /// Rules serde cannot express: limits that keep the arithmetic meaningful.
    fn check(&self) -> Result<(), String> {
        let non_negative = [
            ("cues.repeat", self.cues.repeat),
            ("cues.cap", self.cues.cap),
            ("size.words-free", self.size.words_free),
            ("size.per-word", self.size.per_word),
            ("size.words-max", self.size.words_max),
            ("size.entities-free", self.size.entities_free),
            ("size.per-entity", self.size.per_entity),
            ("size.entities-max", self.size.entities_max),
            ("size.magnitude", self.size.magnitude),
            ("context.per-file", self.context.per_file),
            ("context.per-agent", self.context.per_agent),
            ("context.per-subtask", self.context.per_subtask),
            ("context.max", self.context.max),
        ];
        for (field, value) in non_negative {
            if !(value.is_finite() && value >= 0.0) {
                return Err(format!("{field}: {value} must be a number of 0 or more"));
            }
        }
        if self.cues.cap < 1.0 {
            return Err(format!("cues.cap: {} must be at least 1 (one cue)", self.cues.cap));
        }
        if !self.base.is_finite() {
            return Err("base: must be a number".to_string());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_file_parses_and_covers_every_feature() {
        let w = Weights::parse(BUNDLED).unwrap();
        assert_eq!(w, Weights::default());
        for feature in Feature::ALL {
            assert!(w.of(feature).is_finite(), "{feature:?}");
        }
    }

    /// The bundled file with the line of `key` (first match) replaced, or removed on `None`.
    fn edit(key: &str, line: Option<&str>) -> String {
        let mut done = false;
        let lines: Vec<String> = BUNDLED
            .lines()
            .filter_map(|l| {
                let indent = &l[..l.len() - l.trim_start().len()];
                if done || !l.trim_start().starts_with(&format!("{key}:")) {
                    return Some(l.to_string());
                }
                done = true;
                line.map(|new| format!("{indent}{new}"))
            })
            .collect();
        assert!(done, "no key {key}");
        lines.join("\n")
    }

    #[test]
    fn a_misspelled_key_is_named() {
        let err = Weights::parse(&edit("security", Some("securty: 1.0"))).unwrap_err();
        assert!(err.contains("securty") && err.contains("risk"), "{err}");
    }

    #[test]
    fn a_missing_or_mistyped_key_is_named() {
        let err = Weights::parse(&edit("trade-off", None)).unwrap_err();
        assert!(err.contains("trade-off"), "{err}");
        let err = Weights::parse(&edit("magnitude", Some("magnitude: lots"))).unwrap_err();
        assert!(err.contains("size.magnitude"), "{err}");
    }

    #[test]
    fn limits_are_checked_and_the_file_is_named() {
        let err = Weights::parse(&edit("cap", Some("cap: 0.5"))).unwrap_err();
        assert!(err.starts_with("cues.cap"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.yaml");
        std::fs::write(&path, edit("per-word", Some("per-word: -1"))).unwrap();
        let err = Weights::load(&path).unwrap_err();
        assert!(err.contains("w.yaml") && err.contains("size.per-word"), "{err}");
    }
}
