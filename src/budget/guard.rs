//! The guard every API call goes through: `reserve` before, `settle` (or `release`) after.
//!
//! ```text
//! let guard = ctx.guard();
//! let held = guard.reserve(store, Timestamp::now(), &Request { project, worst_case_micros, tokens, label, allow_over_budget })?;
//! match call_the_api().await {
//!     Ok(usage) => guard.settle(store, Timestamp::now(), held, &call_record)?,
//!     Err(e) => { guard.release(store, held)?; ... }
//! }
//! ```

use std::time::Duration;

use anyhow::{Result, bail};
use jiff::{SignedDuration, Timestamp};

use super::alerts::{self, Alert};
use super::error::Unit;
use super::holder;
use super::{BudgetError, BudgetState, Exceeded, Notifier, Policy, Scope, evaluate};
use crate::store::{Ledger, NewReservation, Recovered, SharedStore};
use crate::usage::CallRecord;

/// What a call asks to reserve.
#[derive(Debug, Clone, PartialEq)]
pub struct Request<'a> {
    /// The project the call is for (`""`: none; only global budgets apply).
    pub project: &'a str,
    /// The most the call can cost: its input at the model's rates (cache writes at write rates)
    /// plus `max_tokens` of output at the output rate, from the price table.
    pub worst_case_micros: i64,
    /// The most tokens it can use (input plus `max_tokens`), for budgets with a token limit.
    pub tokens: u64,
    /// What the call is, for people reading the reservations table.
    pub label: &'a str,
    /// Proceed even when a budget has no room; recorded in the `overrides` table.
    pub allow_over_budget: bool,
    /// The call as it will be recorded if its process dies before settling (usage still zero):
    /// stored with the reservation, which is the call's durable pending record.
    pub pending: Option<&'a CallRecord>,
    /// The longest the call can take (timeouts and retries): the reservation lives at least
    /// this long, whatever `budget-reservation-ttl` says.
    pub min_ttl: Duration,
}

/// Budget held for one call in flight. Settle or release it; one that is dropped is held
/// until it expires.
#[must_use = "settle or release a reservation; an abandoned one holds budget until it expires"]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    pub id: i64,
    pub project: String,
    pub worst_case_micros: i64,
    pub tokens: i64,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// True when it was granted over a limit because the request allowed that.
    pub over_budget: bool,
    /// Ties the reservation, its pending record and the call recorded for it together.
    pub pending_key: String,
}

/// Reserves, settles and releases, and delivers the alerts that result.
#[derive(Debug, Clone)]
pub struct Guard {
    policy: Policy,
    notifier: Notifier,
}

impl Guard {
    pub fn new(policy: Policy, notifier: Notifier) -> Self {
        Self { policy, notifier }
    }

    #[expect(dead_code, reason = "called by `devteam run`, wired in at merge")]
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Holds the call's worst case against every budget that applies, or refuses with
    /// `BudgetError::Exceeded` naming the budget that has no room. The checks and the insert
    /// are one immediate transaction, so concurrent callers cannot both take the last room.
    pub fn reserve(
        &self,
        store: &dyn SharedStore,
        now: Timestamp,
        req: &Request<'_>,
    ) -> Result<Reservation, BudgetError> {
        if req.worst_case_micros < 0 {
            return Err(
                anyhow::anyhow!("a reservation cannot be negative ({} micro-dollars)", req.worst_case_micros).into()
            );
        }
        let (granted, alerts) = store.budget_write(|ledger| self.try_reserve(ledger, now, req))?;
        self.notifier.deliver(&alerts);
        match granted {
            Granted::Yes(reservation) => Ok(reservation),
            Granted::OverBudget(reservation, why) => {
                self.notifier.warn(&format!("proceeding with --allow-over-budget (recorded): {why}"));
                Ok(reservation)
            }
            Granted::No(why) => Err(BudgetError::Exceeded(why)),
        }
    }

    fn try_reserve(&self, ledger: &dyn Ledger, now: Timestamp, req: &Request<'_>) -> Result<(Granted, Vec<Alert>)> {
        self.recover_in(ledger, now)?;
        let states = evaluate(ledger, &self.policy, now, Scope::Project(req.project))?;
        let tokens = i64::try_from(req.tokens).unwrap_or(i64::MAX);
        let refusals = self.refusals(&states, req.worst_case_micros, tokens, now);
        let Some((_, why)) = refusals.iter().max_by_key(|(_, why)| why.resets_at) else {
            return Ok((Granted::Yes(self.insert(ledger, now, req, tokens, false)?), Vec::new()));
        };
        let why = Box::new(why.clone());
        if req.allow_over_budget {
            let reservation = self.insert(ledger, now, req, tokens, true)?;
            ledger.record_override(now.as_millisecond(), "allow-over-budget", &override_detail(&why, req))?;
            return Ok((Granted::OverBudget(reservation, why), Vec::new()));
        }
        let mut alerts = Vec::new();
        for (state, why) in &refusals {
            alerts.extend(alerts::refused(ledger, state, why, &self.policy, now)?);
        }
        Ok((Granted::No(why), alerts))
    }

    /// Every limit the call would break, with the budget it belongs to.
    fn refusals<'s>(
        &self,
        states: &'s [BudgetState],
        micros: i64,
        tokens: i64,
        now: Timestamp,
    ) -> Vec<(&'s BudgetState, Exceeded)> {
        let mut out = Vec::new();
        for state in states {
            for (unit, requested) in [(Unit::Usd, micros), (Unit::Tokens, tokens)] {
                if let Some(why) = Exceeded::check(state, unit, requested, &self.policy, now) {
                    out.push((state, why));
                }
            }
        }
        out
    }

    fn insert(
        &self,
        ledger: &dyn Ledger,
        now: Timestamp,
        req: &Request<'_>,
        tokens: i64,
        over: bool,
    ) -> Result<Reservation> {
        let ttl = SignedDuration::try_from(self.policy.reservation_ttl.max(req.min_ttl))?;
        let expires_at = now.checked_add(ttl)?;
        let id = ledger.insert_reservation(&NewReservation {
            created_ms: now.as_millisecond(),
            expires_ms: expires_at.as_millisecond(),
            project: req.project,
            amount_micros: req.worst_case_micros,
            tokens,
            pid: std::process::id(),
            label: req.label,
        })?;
        let me = holder::current();
        let pending_key = unique_key(me, id);
        ledger.attach_pending(id, me, &pending_key, req.pending)?;
        Ok(Reservation {
            id,
            project: req.project.to_string(),
            worst_case_micros: req.worst_case_micros,
            tokens,
            created_at: now,
            expires_at,
            over_budget: over,
            pending_key,
        })
    }

    /// Replaces the reservation by the call as billed, in one transaction, and returns the
    /// call's row id. Alerts for thresholds the spend now crosses are recorded and delivered.
    pub fn settle(
        &self,
        store: &dyn SharedStore,
        now: Timestamp,
        reservation: Reservation,
        call: &CallRecord,
    ) -> Result<i64> {
        if call.cost_micros < 0 {
            bail!("a call cannot cost less than nothing ({} micro-dollars)", call.cost_micros);
        }
        let (id, held, alerts) = store.budget_write(|ledger| -> Result<_> {
            // Keyed: when the reservation was recovered as a charge meanwhile, that charge is
            // corrected in place rather than recorded twice.
            let held = ledger.delete_reservation(reservation.id, reservation.created_at.as_millisecond())?;
            let id = if held {
                ledger.record_new(call, &reservation.pending_key)?
            } else {
                ledger.record_keyed(call, Some(&reservation.pending_key))?
            };
            let mut alerts = Vec::new();
            for state in evaluate(ledger, &self.policy, now, Scope::Project(&call.project))? {
                alerts.extend(alerts::crossed(ledger, &state, &self.policy, now)?);
            }
            Ok((id, held, alerts))
        })?;
        if !held {
            self.notifier.warn(&format!(
                "a call settled after its reservation was recovered as a charge (it took longer than {}s, \
                 or its process looked dead); the charge was corrected to the call's usage",
                self.policy.reservation_ttl.as_secs()
            ));
        }
        self.notifier.deliver(&alerts);
        Ok(id)
    }

    /// Gives a reservation back without recording a call (the call failed before billing).
    pub fn release(&self, store: &dyn SharedStore, reservation: Reservation) -> Result<()> {
        let created_ms = reservation.created_at.as_millisecond();
        store.budget_write(|ledger| ledger.delete_reservation(reservation.id, created_ms).map(drop))
    }

    /// The mode in force for a call of `project`; see [`super::pressure`].
    pub fn pressure(&self, store: &dyn SharedStore, now: Timestamp, project: &str) -> Result<super::Mode> {
        super::pressure(store, &self.policy, now, project)
    }

    /// Prints a warning on stderr (the notifier's printer).
    pub fn warn(&self, text: &str) {
        self.notifier.warn(text);
    }

    /// Turns reservations of dead processes, and expired ones, into charges (see
    /// `store/pending.rs`), warning about each. Cheap when there are none: the check is a read.
    pub fn recover(&self, store: &dyn SharedStore, now: Timestamp) -> Result<Vec<Recovered>> {
        if !store.has_reservations()? {
            return Ok(Vec::new());
        }
        store.budget_write(|ledger| self.recover_in(ledger, now))
    }

    fn recover_in(&self, ledger: &dyn Ledger, now: Timestamp) -> Result<Vec<Recovered>> {
        let recovered = ledger.recover_orphans(now.as_millisecond(), &holder::alive)?;
        for r in &recovered {
            self.notifier.warn(&format!(
                "charged ${:.6} for a call whose process ended before recording it ({}; reservation {})",
                crate::usage::to_usd(r.cost_micros),
                r.outcome,
                r.pending_key
            ));
        }
        Ok(recovered)
    }

    /// Where every budget in scope stands, after recording and delivering alerts for spend
    /// that crossed a threshold without a call settling here (imported usage, a lowered
    /// threshold).
    pub fn status(&self, store: &dyn SharedStore, now: Timestamp, scope: Scope<'_>) -> Result<Vec<BudgetState>> {
        let (alerts, states) = store.budget_write(|ledger| {
            self.recover_in(ledger, now)?;
            alerts::scan(ledger, &self.policy, now, scope)
        })?;
        self.notifier.deliver(&alerts);
        Ok(states)
    }
}

/// A key no other reservation ever had: row ids are reused and clocks repeat, so it also
/// carries this process's identity, a per-process counter and the wall clock in nanoseconds.
fn unique_key(me: &crate::store::Holder, id: i64) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{}:{}:{}:{nanos}:{n}:{id}", me.host, me.pid, me.start)
}

enum Granted {
    Yes(Reservation),
    OverBudget(Reservation, Box<Exceeded>),
    No(Box<Exceeded>),
}

fn override_detail(why: &Exceeded, req: &Request<'_>) -> String {
    serde_json::json!({
        "budget": why.budget,
        "unit": why.unit,
        "spent": why.spent,
        "reserved": why.reserved,
        "requested": why.requested,
        "limit": why.limit,
        "label": req.label,
        "pid": std::process::id(),
    })
    .to_string()
}

#[cfg(test)]
#[path = "guard_tests.rs"]
pub(crate) mod tests;
