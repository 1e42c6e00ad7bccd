//! Routing decisions as stored and what became of them: the features that fired, how the
//! call ended, and the verdicts given after. The routing and learning code adds behaviour
//! (tiers, labels, weights) to these types where it lives.

use serde::{Deserialize, Serialize};

/// How a routed call ended, as recorded when it ended.
pub mod outcome {
    /// Succeeded on the tier it was routed to.
    pub const OK: &str = "ok";
    /// Refused on its first tier and answered one tier up.
    pub const UPGRADED: &str = "upgraded";
    /// Did not produce an answer, even after an upgrade.
    pub const FAILED: &str = "failed";
    /// A budget refused it: says nothing about the tier.
    pub const BLOCKED: &str = "blocked";
    /// The model refused and no tier up could be tried (a budget, an API error).
    pub const REFUSED: &str = "refused";
    /// Stopped at `max_tokens`: the output budget was short, which says nothing about the tier.
    pub const MAX_TOKENS: &str = "max_tokens";
    /// An API error after the client's retries (transient, 4xx): nothing about the tier.
    pub const ERROR: &str = "error";
    /// Interrupted (Ctrl-C, SIGTERM) before it ended.
    pub const CANCELLED: &str = "cancelled";
    /// A planned subtask not run because a subtask it depends on failed.
    pub const SKIPPED: &str = "skipped";
    /// A planned subtask recorded when the run started and not ended yet: a run killed
    /// outright leaves it so, which says nothing about the tier.
    pub const RUNNING: &str = "running";
}

/// A verdict given to a run after it ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub run_id: String,
    pub ts_ms: i64,
    pub good: bool,
    /// `person` (`runs feedback`) or `check` (`run --check`).
    pub source: String,
    pub note: String,
    pub command: Option<String>,
    pub exit_code: Option<i32>,
}

/// One routing decision and everything known about how it went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeRow {
    pub id: i64,
    pub ts_ms: i64,
    pub run_id: Option<String>,
    pub task: String,
    /// The score routed on (learned points included).
    pub score: f64,
    pub tier: String,
    pub pressure: String,
    pub contributions: Vec<Contribution>,
    pub outcome: String,
    pub upgraded_to: Option<String>,
    pub upgrade_reason: Option<String>,
    /// The run's latest verdict, if any.
    pub verdict: Option<bool>,
    /// What the run's calls cost, micro-dollars.
    pub cost_micros: i64,
}

/// One feature of the scoring model. The serialized name is the weight's path in the
/// weights file (`risk.security`), so an explanation points straight at the knob.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Feature {
    #[serde(rename = "scope.single-target")]
    SingleTarget,
    #[serde(rename = "scope.many-parts")]
    ManyParts,
    #[serde(rename = "scope.whole-system")]
    WholeSystem,
    #[serde(rename = "scope.large-migration")]
    LargeMigration,
    #[serde(rename = "risk.security")]
    Security,
    #[serde(rename = "risk.auth")]
    Auth,
    #[serde(rename = "risk.payments")]
    Payments,
    #[serde(rename = "risk.production")]
    Production,
    #[serde(rename = "risk.compliance")]
    Compliance,
    #[serde(rename = "risk.irreversible")]
    Irreversible,
    #[serde(rename = "risk.concurrency")]
    Concurrency,
    #[serde(rename = "ambiguity.open-question")]
    OpenQuestion,
    #[serde(rename = "ambiguity.unknown-cause")]
    UnknownCause,
    #[serde(rename = "ambiguity.trade-off")]
    TradeOff,
    #[serde(rename = "ambiguity.constraints")]
    Constraints,
    #[serde(rename = "ambiguity.exact-spec")]
    ExactSpec,
    #[serde(rename = "kind.small-edit")]
    SmallEdit,
    #[serde(rename = "kind.snippet")]
    Snippet,
    #[serde(rename = "kind.value-change")]
    ValueChange,
    #[serde(rename = "kind.build")]
    Build,
    #[serde(rename = "kind.bug-fix")]
    BugFix,
    #[serde(rename = "kind.design")]
    Design,
    #[serde(rename = "kind.migration")]
    Migration,
    #[serde(rename = "kind.review")]
    Review,
    #[serde(rename = "size.length")]
    Length,
    #[serde(rename = "size.entities")]
    Entities,
    #[serde(rename = "size.magnitude")]
    Magnitude,
    #[serde(rename = "context.files")]
    Files,
    #[serde(rename = "context.agents")]
    Agents,
    #[serde(rename = "context.subtasks")]
    Subtasks,
}

/// One feature's part in a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub feature: Feature,
    /// What in the task fired it.
    pub cues: Vec<String>,
    /// Points added (negative: taken away).
    pub points: f64,
}
