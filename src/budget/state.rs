//! Where each budget stands now: its current window, settled spend, live reservations, the
//! alerts it has sent, and the mode that follows.

use anyhow::Result;
use jiff::Timestamp;

use super::{Bounds, Budget, Mode, Policy, Scope, Thresholds, Totals, pct};
use crate::store::{Ledger, SharedStore};

/// One budget, now.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetState {
    pub budget: Budget,
    pub bounds: Bounds,
    /// Settled calls in the window, from every source.
    pub spent: Totals,
    /// Live reservations: calls in flight.
    pub reserved: Totals,
    /// Thresholds already alerted on in this window.
    pub alerted: Vec<u8>,
}

impl BudgetState {
    /// Percent of the limit that settled spend plus reservations fill (the larger of the money
    /// and token shares).
    pub fn used_pct(&self) -> f64 {
        self.share(self.spent.plus(self.reserved))
    }

    /// Percent of the limit that settled spend alone fills.
    pub fn spent_pct(&self) -> f64 {
        self.share(self.spent)
    }

    fn share(&self, used: Totals) -> f64 {
        let money = self.budget.limit_micros.map_or(0.0, |limit| pct(used.micros, limit));
        let tokens = self.budget.limit_tokens.map_or(0.0, |limit| pct(used.tokens, limit));
        money.max(tokens)
    }

    /// The mode this budget imposes. In-flight reservations count: eight agents each holding
    /// a reservation are real pressure on the next call.
    pub fn mode(&self, thresholds: &Thresholds) -> Mode {
        thresholds.mode(self.used_pct())
    }
}

/// The state of every budget in scope at `now`.
pub fn evaluate(ledger: &dyn Ledger, policy: &Policy, now: Timestamp, scope: Scope<'_>) -> Result<Vec<BudgetState>> {
    let now_ms = now.as_millisecond();
    let mut states = Vec::new();
    for budget in ledger.budgets(scope)? {
        let bounds = budget.window.bounds(now, &policy.timezone)?;
        let project = budget.project.as_deref();
        states.push(BudgetState {
            spent: ledger.spent(project, &bounds)?,
            reserved: ledger.reserved(project, now_ms)?,
            alerted: ledger.alerts(budget.id, bounds.start_ms())?,
            budget,
            bounds,
        });
    }
    Ok(states)
}

/// The mode in force for a call of `project` (`""`: no project): the most restricted of the
/// budgets it counts against. The router reads this before choosing a model.
pub fn pressure(store: &dyn SharedStore, policy: &Policy, now: Timestamp, project: &str) -> Result<Mode> {
    let states = store.budget_read(|ledger| evaluate(ledger, policy, now, Scope::Project(project)))?;
    Ok(states.iter().map(|s| s.mode(&policy.thresholds)).max().unwrap_or(Mode::Normal))
}
