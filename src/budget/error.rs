//! The refusal a caller branches on: which budget, how much, and when it resets. The types are
//! in `crate::error` (with the exit codes that branch on them); how they are made and shown is here.

use jiff::Timestamp;

use super::{Budget, BudgetState, Policy, format_usd};
pub use crate::error::{BudgetError, Exceeded, Unit};
use crate::records::window::{human_duration, local};

impl Exceeded {
    /// The refusal for `unit` of `state`, when a call of `requested` does not fit.
    pub fn check(state: &BudgetState, unit: Unit, requested: i64, policy: &Policy, now: Timestamp) -> Option<Self> {
        let budget = &state.budget;
        let (limit, spent, reserved) = match unit {
            Unit::Usd => (budget.limit_micros?, state.spent.micros, state.reserved.micros),
            Unit::Tokens => (budget.limit_tokens?, state.spent.tokens, state.reserved.tokens),
        };
        let cap = policy.thresholds.cap(limit);
        if spent.saturating_add(reserved).saturating_add(requested) <= cap {
            return None;
        }
        Some(Self::new(budget, unit, [spent, reserved, requested, limit, cap], state, policy, now))
    }

    fn new(
        budget: &Budget,
        unit: Unit,
        amounts: [i64; 5],
        state: &BudgetState,
        policy: &Policy,
        now: Timestamp,
    ) -> Self {
        let [spent, reserved, requested, limit, cap] = amounts;
        Self {
            budget: budget.name(),
            project: budget.project.clone(),
            window: budget.window,
            unit,
            spent,
            reserved,
            requested,
            limit,
            cap,
            resets_at: state.bounds.end,
            resets_local: local(state.bounds.end, &policy.timezone),
            resets_in_ms: state.bounds.end_ms() - now.as_millisecond(),
        }
    }

    pub(super) fn amount(&self, value: i64) -> String {
        match self.unit {
            Unit::Usd => format_usd(value),
            Unit::Tokens => format!("{value} tokens"),
        }
    }
}

impl std::fmt::Display for Exceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "over budget: the {} budget has {} spent and {} reserved by calls in flight, of {}",
            self.budget,
            self.amount(self.spent),
            self.amount(self.reserved),
            self.amount(self.limit)
        )?;
        if self.cap < self.limit {
            write!(f, " (calls stop at {})", self.amount(self.cap))?;
        }
        write!(
            f,
            "; this call needs up to {}. It resets at {} (in {}). Raise it with `devteam budget set {}`, \
             or pass --allow-over-budget to proceed anyway",
            self.amount(self.requested),
            self.resets_local,
            human_duration(self.resets_in_ms),
            self.window.as_str()
        )
    }
}

impl std::error::Error for Exceeded {}
