//! Threshold alerts: recorded once per budget, window and threshold (the `alerts` table's
//! unique key) in the same transaction that moved the spend, and delivered only after it
//! commits, so a failed delivery never loses the record.

use anyhow::Result;
use jiff::Timestamp;
use serde::Serialize;

use super::{BudgetState, Exceeded, Mode, Policy, Scope, evaluate, format_usd};
use crate::records::window::{local, rfc3339};
use crate::store::Ledger;

/// One alert, as printed, posted and piped to the configured command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// One line for people (the webhook's `text`).
    pub text: String,
    /// `warn`, `economy` or `blocked`.
    pub level: Mode,
    pub threshold_pct: u8,
    /// Percent of the limit settled spend fills.
    pub used_pct: f64,
    pub budget: String,
    pub project: Option<String>,
    pub window: &'static str,
    pub spent_usd: f64,
    pub limit_usd: Option<f64>,
    pub spent_tokens: i64,
    pub limit_tokens: Option<i64>,
    pub window_start: String,
    pub resets_at: String,
}

/// Records every threshold the budget's settled spend has reached in this window; returns an
/// alert for the highest one not recorded before (a jump across two thresholds sends one).
pub(super) fn crossed(
    ledger: &dyn Ledger,
    state: &BudgetState,
    policy: &Policy,
    now: Timestamp,
) -> Result<Option<Alert>> {
    let used = state.spent_pct();
    let t = policy.thresholds;
    let mut newest = None;
    for (level, threshold) in [(Mode::Warn, t.warn), (Mode::Economy, t.economy), (Mode::Blocked, t.block)] {
        if used >= f64::from(threshold) && record(ledger, state, threshold, now)? {
            newest = Some((level, threshold));
        }
    }
    Ok(newest.map(|(level, threshold)| {
        let text = format!(
            "devteam: the {} budget is at {:.0}% ({}){}; the window resets at {}",
            state.budget.name(),
            used,
            amounts(state),
            consequence(level),
            local(state.bounds.end, &policy.timezone)
        );
        alert(state, level, threshold, used, text, policy)
    }))
}

/// Records that a budget refused a call; an alert when it had not blocked in this window yet.
pub(super) fn refused(
    ledger: &dyn Ledger,
    state: &BudgetState,
    why: &Exceeded,
    policy: &Policy,
    now: Timestamp,
) -> Result<Option<Alert>> {
    let threshold = policy.thresholds.block;
    if !record(ledger, state, threshold, now)? {
        return Ok(None);
    }
    let text = format!(
        "devteam: the {} budget blocked a call ({} spent, {} in flight, {} needed); calls are refused until {}",
        state.budget.name(),
        why.amount(why.spent),
        why.amount(why.reserved),
        why.amount(why.requested),
        why.resets_local
    );
    Ok(Some(alert(state, Mode::Blocked, threshold, state.spent_pct(), text, policy)))
}

/// Records alerts for every budget in scope whose settled spend crossed a threshold without a
/// call settling (imported Claude Code usage, or a threshold lowered in the config); returns the
/// new alerts and the budgets' states, alerts included.
pub fn scan(
    ledger: &dyn Ledger,
    policy: &Policy,
    now: Timestamp,
    scope: Scope<'_>,
) -> Result<(Vec<Alert>, Vec<BudgetState>)> {
    let mut alerts = Vec::new();
    let mut states = evaluate(ledger, policy, now, scope)?;
    for state in &mut states {
        if let Some(alert) = crossed(ledger, state, policy, now)? {
            state.alerted = ledger.alerts(state.budget.id, state.bounds.start_ms())?;
            alerts.push(alert);
        }
    }
    Ok((alerts, states))
}

fn record(ledger: &dyn Ledger, state: &BudgetState, threshold: u8, now: Timestamp) -> Result<bool> {
    ledger.record_alert(state.budget.id, state.bounds.start_ms(), threshold, now.as_millisecond(), state.spent.micros)
}

fn consequence(level: Mode) -> &'static str {
    match level {
        Mode::Normal | Mode::Warn => "",
        Mode::Economy => ": economy mode (cheaper models, capped output, optional agents dropped)",
        Mode::Blocked => ": calls are refused",
    }
}

/// `$4.30 of $5.00`, and the tokens when the budget limits them.
fn amounts(state: &BudgetState) -> String {
    let b = &state.budget;
    let money = b.limit_micros.map(|l| format!("{} of {}", format_usd(state.spent.micros), format_usd(l)));
    let tokens = b.limit_tokens.map(|l| format!("{} of {l} tokens", state.spent.tokens));
    money.into_iter().chain(tokens).collect::<Vec<_>>().join(", ")
}

fn alert(state: &BudgetState, level: Mode, threshold: u8, used_pct: f64, text: String, policy: &Policy) -> Alert {
    let b = &state.budget;
    let usd = |m: i64| m as f64 / 1_000_000.0;
    Alert {
        text,
        level,
        threshold_pct: threshold,
        used_pct: (used_pct * 10.0).round() / 10.0,
        budget: b.name(),
        project: b.project.clone(),
        window: b.window.as_str(),
        spent_usd: usd(state.spent.micros),
        limit_usd: b.limit_micros.map(usd),
        spent_tokens: state.spent.tokens,
        limit_tokens: b.limit_tokens,
        window_start: rfc3339(state.bounds.start, &policy.timezone),
        resets_at: rfc3339(state.bounds.end, &policy.timezone),
    }
}
