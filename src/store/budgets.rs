//! Budgets, reservations, alerts and overrides. Everything that must not race goes through a
//! ledger inside one transaction: a write takes SQLite's write lock at BEGIN (IMMEDIATE), so
//! no other process can record spend or reserve between a check and its insert.

use anyhow::{Context as _, Result};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};

use super::Db;
use super::api::{Ledger, TxMode};
use crate::records::budget::{Budget, Scope, Totals};
use crate::records::usage::CallRecord;
use crate::records::window::{Bounds, Window};

/// A reservation to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReservation<'a> {
    pub created_ms: i64,
    pub expires_ms: i64,
    pub project: &'a str,
    pub amount_micros: i64,
    pub tokens: i64,
    pub pid: u32,
    pub label: &'a str,
}

/// The budget tables seen from inside one transaction, on the connection that holds it.
pub struct SqliteLedger<'a> {
    db: Db<'a>,
}

impl Db<'_> {
    /// Runs `f` inside one transaction on this connection and commits when it returns `Ok`;
    /// an `Err` rolls everything back. A write is IMMEDIATE: SQLite's write lock is taken at
    /// BEGIN, so no other process can record spend or reserve between a check and its insert.
    pub(super) fn ledger_tx(&self, mode: TxMode, f: &mut dyn FnMut(&dyn Ledger) -> Result<()>) -> Result<()> {
        let behavior = match mode {
            TxMode::Write => TransactionBehavior::Immediate,
            TxMode::Read => TransactionBehavior::Deferred,
        };
        let tx = Transaction::new_unchecked(self.conn, behavior).context("starting a store transaction")?;
        f(&SqliteLedger { db: *self })?;
        tx.commit().context("committing a store transaction")
    }
}

const BUDGET_COLUMNS: &str = "id, project, window, limit_micros, limit_tokens";
const TOKENS_SUM: &str =
    "input_tokens + output_tokens + cache_write_5m_tokens + cache_write_1h_tokens + cache_read_tokens";

impl SqliteLedger<'_> {
    pub(super) fn conn(&self) -> &Connection {
        self.db.conn
    }

    /// The budgets in scope, global ones first, then by project and window length.
    pub fn budgets(&self, scope: Scope<'_>) -> Result<Vec<Budget>> {
        let (sql, project) = match scope {
            Scope::All => (format!("SELECT {BUDGET_COLUMNS} FROM budgets"), None),
            Scope::Project(p) => (format!("SELECT {BUDGET_COLUMNS} FROM budgets WHERE project IN ('', ?1)"), Some(p)),
        };
        let mut stmt = self.db.conn.prepare_cached(&sql)?;
        let rows = match project {
            Some(p) => stmt.query_map([p], budget_from_row)?.collect::<rusqlite::Result<Vec<_>>>(),
            None => stmt.query_map([], budget_from_row)?.collect(),
        };
        let mut budgets: Vec<Budget> = rows.context("reading budgets")?.into_iter().flatten().collect();
        budgets.sort_by(|a, b| (&a.project, a.window).cmp(&(&b.project, b.window)));
        Ok(budgets)
    }

    /// One budget by project (`None`: global) and window.
    pub fn budget(&self, project: Option<&str>, window: Window) -> Result<Option<Budget>> {
        let sql = format!("SELECT {BUDGET_COLUMNS} FROM budgets WHERE project = ?1 AND window = ?2");
        let row = self
            .db
            .conn
            .query_row(&sql, params![project.unwrap_or(""), window.as_str()], budget_from_row)
            .optional()
            .context("reading a budget")?;
        Ok(row.flatten())
    }

    /// Creates or replaces the budget for a project (`None`: global) and window.
    pub fn set_budget(
        &self,
        project: Option<&str>,
        window: Window,
        micros: Option<i64>,
        tokens: Option<i64>,
    ) -> Result<()> {
        self.db
            .conn
            .execute(
                "INSERT INTO budgets (project, window, limit_micros, limit_tokens) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (project, window) DO UPDATE SET limit_micros = ?3, limit_tokens = ?4",
                params![project.unwrap_or(""), window.as_str(), micros, tokens],
            )
            .context("saving a budget")?;
        Ok(())
    }

    /// Removes a budget and its alerts.
    pub fn remove_budget(&self, id: i64) -> Result<bool> {
        Ok(self.db.conn.execute("DELETE FROM budgets WHERE id = ?1", [id]).context("removing a budget")? > 0)
    }

    /// Settled spend in a window, over every project (`None`) or one.
    pub fn spent(&self, project: Option<&str>, window: &Bounds) -> Result<Totals> {
        // TOTAL never fails on overflow (SUM does, which once made every budget unreadable);
        // the cast back to an integer saturates.
        let base =
            format!("SELECT CAST(TOTAL(cost_micros) AS INTEGER), CAST(TOTAL({TOKENS_SUM}) AS INTEGER) FROM calls");
        let (start, end) = (window.start_ms(), window.end_ms());
        let totals = match project {
            None => self
                .db
                .conn
                .prepare_cached(&format!("{base} WHERE ts_ms >= ?1 AND ts_ms < ?2"))?
                .query_row(params![start, end], totals_from_row),
            Some(p) => self
                .db
                .conn
                .prepare_cached(&format!("{base} WHERE project = ?3 AND ts_ms >= ?1 AND ts_ms < ?2"))?
                .query_row(params![start, end, p], totals_from_row),
        };
        totals.context("summing spend")
    }

    /// Reservations held, over every project (`None`) or one. An expired one still counts: its
    /// call may have been billed, so it stays held until it is settled or recovered as a charge
    /// (see `pending.rs`), never silently dropped.
    pub fn reserved(&self, project: Option<&str>, _now_ms: i64) -> Result<Totals> {
        let base = "SELECT CAST(TOTAL(amount_micros) AS INTEGER), CAST(TOTAL(tokens) AS INTEGER) FROM reservations";
        let totals = match project {
            None => self.db.conn.prepare_cached(base)?.query_row([], totals_from_row),
            Some(p) => {
                self.db.conn.prepare_cached(&format!("{base} WHERE project = ?1"))?.query_row([p], totals_from_row)
            }
        };
        totals.context("summing reservations")
    }

    pub fn insert_reservation(&self, r: &NewReservation<'_>) -> Result<i64> {
        self.db
            .conn
            .prepare_cached(
                "INSERT INTO reservations (created_ms, expires_ms, project, amount_micros, tokens, pid, label)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![r.created_ms, r.expires_ms, r.project, r.amount_micros, r.tokens, r.pid, r.label])
            .context("recording a reservation")?;
        Ok(self.db.conn.last_insert_rowid())
    }

    /// Deletes one reservation; false when it was already gone (expired and swept). Row ids
    /// are reused once the highest row is deleted, so the creation time is matched too: a
    /// late settle must not delete a newer reservation that inherited its id.
    pub fn delete_reservation(&self, id: i64, created_ms: i64) -> Result<bool> {
        let n = self
            .db
            .conn
            .prepare_cached("DELETE FROM reservations WHERE id = ?1 AND created_ms = ?2")?
            .execute([id, created_ms]);
        Ok(n.context("deleting a reservation")? > 0)
    }

    /// Deletes every reservation, of one project or all; returns how many.
    pub fn drop_reservations(&self, project: Option<&str>) -> Result<usize> {
        let n = match project {
            None => self.db.conn.execute("DELETE FROM reservations", []),
            Some(p) => self.db.conn.execute("DELETE FROM reservations WHERE project = ?1", [p]),
        };
        n.context("dropping reservations")
    }

    /// Records a settled call.
    pub fn insert_call(&self, call: &CallRecord) -> Result<i64> {
        self.db.insert_call(call)
    }

    /// Records that a person overrode a limit (`kind`), with what was overridden.
    pub fn record_override(&self, ts_ms: i64, kind: &str, detail: &str) -> Result<i64> {
        self.db
            .conn
            .execute("INSERT INTO overrides (ts_ms, kind, detail) VALUES (?1, ?2, ?3)", params![ts_ms, kind, detail])
            .context("recording an override")?;
        Ok(self.db.conn.last_insert_rowid())
    }

    /// Every recorded override, oldest first: `(ts_ms, kind, detail)`.
    pub fn overrides(&self) -> Result<Vec<(i64, String, String)>> {
        let mut stmt = self.db.conn.prepare_cached("SELECT ts_ms, kind, detail FROM overrides ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>().context("reading overrides")
    }
}

/// A budget row; `None` for a window name this version does not know (a newer devteam wrote
/// it), which is then ignored rather than fatal.
fn budget_from_row(r: &Row<'_>) -> rusqlite::Result<Option<Budget>> {
    let project: String = r.get(1)?;
    let Some(window) = Window::parse(&r.get::<_, String>(2)?) else {
        return Ok(None);
    };
    Ok(Some(Budget {
        id: r.get(0)?,
        project: (!project.is_empty()).then_some(project),
        window,
        limit_micros: r.get(3)?,
        limit_tokens: r.get(4)?,
    }))
}

fn totals_from_row(r: &Row<'_>) -> rusqlite::Result<Totals> {
    Ok(Totals { micros: r.get(0)?, tokens: r.get(1)? })
}

impl super::alert_rows::IntSql for SqliteLedger<'_> {
    fn exec_ints(&self, sql: &str, params: &[i64]) -> Result<u64> {
        let mut stmt = self.db.conn.prepare_cached(&sql.replace('$', "?"))?;
        Ok(stmt.execute(rusqlite::params_from_iter(params))? as u64)
    }

    fn query_ints(&self, sql: &str, params: &[i64]) -> Result<Vec<i64>> {
        let mut stmt = self.db.conn.prepare_cached(&sql.replace('$', "?"))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| r.get::<_, i64>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
