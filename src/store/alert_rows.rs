//! The alerts table, written once for both backends: a budget alerts once per threshold per
//! window, on whichever host crosses it first. Each backend only says how it runs a statement
//! with integer parameters (`IntSql`); the statements are portable SQL with `$N` placeholders
//! (SQLite's are rewritten to `?N`).

use anyhow::{Context as _, Result};

/// How a backend runs a statement whose parameters and results are integers.
pub(crate) trait IntSql {
    /// Runs `sql`; the number of rows changed.
    fn exec_ints(&self, sql: &str, params: &[i64]) -> Result<u64>;
    /// The first column of each row of `sql`.
    fn query_ints(&self, sql: &str, params: &[i64]) -> Result<Vec<i64>>;
}

/// The `Ledger` trait's alert methods, for a backend's ledger that implements [`IntSql`].
macro_rules! ledger_alert_methods {
    () => {
        fn record_alert(
            &self,
            budget_id: i64,
            window_start_ms: i64,
            threshold: u8,
            ts_ms: i64,
            spent: i64,
        ) -> anyhow::Result<bool> {
            $crate::store::alert_rows::record(self, budget_id, window_start_ms, threshold, ts_ms, spent)
        }

        fn alerts(&self, budget_id: i64, window_start_ms: i64) -> anyhow::Result<Vec<u8>> {
            $crate::store::alert_rows::thresholds(self, budget_id, window_start_ms)
        }

        fn clear_alerts(&self, budget_id: i64, window_start_ms: i64) -> anyhow::Result<usize> {
            $crate::store::alert_rows::clear(self, budget_id, window_start_ms)
        }
    };
}
pub(crate) use ledger_alert_methods;

/// Records that a budget crossed a threshold in a window; false when it already had.
pub(crate) fn record(
    db: &dyn IntSql,
    budget_id: i64,
    window_start_ms: i64,
    threshold: u8,
    ts_ms: i64,
    spent: i64,
) -> Result<bool> {
    let n = db
        .exec_ints(
            "INSERT INTO alerts (budget_id, window_start_ms, threshold_pct, ts_ms, spent_micros)
             VALUES ($1, $2, CAST($3 AS BIGINT), $4, $5) ON CONFLICT DO NOTHING",
            &[budget_id, window_start_ms, i64::from(threshold), ts_ms, spent],
        )
        .context("recording an alert")?;
    Ok(n > 0)
}

/// Thresholds a budget has already alerted on in a window, lowest first.
pub(crate) fn thresholds(db: &dyn IntSql, budget_id: i64, window_start_ms: i64) -> Result<Vec<u8>> {
    let rows = db
        .query_ints(
            "SELECT CAST(threshold_pct AS BIGINT) FROM alerts WHERE budget_id = $1 AND window_start_ms = $2
             ORDER BY threshold_pct",
            &[budget_id, window_start_ms],
        )
        .context("reading alerts")?;
    Ok(rows.into_iter().map(|t| u8::try_from(t).unwrap_or(u8::MAX)).collect())
}

/// Forgets a window's alerts so they fire again; returns how many.
pub(crate) fn clear(db: &dyn IntSql, budget_id: i64, window_start_ms: i64) -> Result<usize> {
    let n = db
        .exec_ints("DELETE FROM alerts WHERE budget_id = $1 AND window_start_ms = $2", &[budget_id, window_start_ms])
        .context("clearing alerts")?;
    Ok(n as usize)
}
