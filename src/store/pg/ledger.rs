//! Budgets, reservations (with each in-flight call's durable pending record), alerts and
//! overrides on the shared store.
//!
//! Race-freedom across hosts: a write transaction starts by taking the row lock of the one row
//! of `ledger_lock` (`SELECT ... FOR UPDATE`), then reads spent and reserved under READ
//! COMMITTED, where each statement sees everything committed before it began. So a second
//! host's check waits until the first host's reservation is committed, then sees it: the same
//! one-writer-at-a-time rule SQLite's `BEGIN IMMEDIATE` gives, across machines, and only for
//! the transactions that can change what a budget admits (reports and other writes never wait).
//! One row rather than the budget rows themselves: every reservation is checked against the
//! global budgets too, so writers would queue on those rows anyway, and the ledger must also
//! serialize when no budget row exists (recovering orphans, settling). Row locks were chosen
//! over SERIALIZABLE with retry because a retried transaction re-runs the caller's closure
//! (which may send alerts), and because under contention serializable transactions on one hot
//! aggregate abort most of the time; a lock queue is fair and needs no retry loop. A lock held
//! by a host that dies is released by the server when its connection drops.
//!
//! Turning an orphaned reservation into a charge claims it with `DELETE ... RETURNING` first:
//! two hosts recovering the same orphan at once cannot both charge it.

use anyhow::{Context as _, Result};
use deadpool_postgres::Object;
use tokio_postgres::Row;

use super::{Params, PgStore, execute_on, query_on};
use crate::budget::{Bounds, Budget, Scope, Totals, Window};
use crate::store::{Holder, NewReservation, Recovered, UNSETTLED};
use crate::usage::CallRecord;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Locked,
    Plain,
    Read,
}

/// The budget tables inside one transaction on one pooled connection.
pub struct PgLedger<'a> {
    store: &'a PgStore,
    client: Object,
    /// Until committed; dropped open (an error on the way), it is rolled back before the
    /// connection goes back to the pool.
    open: std::cell::Cell<bool>,
}

impl Drop for PgLedger<'_> {
    fn drop(&mut self) {
        if self.open.get() {
            // If the connection is gone the server has rolled back already; the pool then
            // discards the broken connection.
            let _ = self.batch("ROLLBACK");
        }
    }
}

impl PgStore {
    /// Runs `f` in one transaction that holds the budget rows' locks; commits on `Ok`, rolls back
    /// on `Err` (and the server rolls back by itself if this process dies meanwhile).
    pub fn budget_write<T, E: From<anyhow::Error>>(
        &self,
        f: impl FnOnce(&PgLedger<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.in_tx(Mode::Locked, f)
    }

    /// Runs `f` in one plain transaction (no budget lock: for writes that cannot change what a
    /// budget admits, such as copying history in).
    pub fn transaction<T, E: From<anyhow::Error>>(
        &self,
        f: impl FnOnce(&PgLedger<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.in_tx(Mode::Plain, f)
    }

    /// Runs `f` on one consistent snapshot (REPEATABLE READ, read only).
    pub fn budget_read<T, E: From<anyhow::Error>>(
        &self,
        f: impl FnOnce(&PgLedger<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.in_tx(Mode::Read, f)
    }

    fn in_tx<T, E: From<anyhow::Error>>(
        &self,
        mode: Mode,
        f: impl FnOnce(&PgLedger<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let ledger = self.begin(mode)?;
        let out = f(&ledger)?;
        ledger.commit()?;
        Ok(out)
    }

    /// Opens a plain transaction for a caller that commits it itself (an import).
    pub(super) fn open_tx(&self) -> Result<PgLedger<'_>> {
        self.begin(Mode::Plain)
    }

    fn begin(&self, mode: Mode) -> Result<PgLedger<'_>> {
        let ledger = PgLedger { store: self, client: self.client()?, open: std::cell::Cell::new(true) };
        let begin = if mode == Mode::Read { "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" } else { "BEGIN" };
        ledger.batch(begin).context("starting a shared-store transaction")?;
        if mode == Mode::Locked {
            ledger.query("SELECT only_row FROM ledger_lock FOR UPDATE", &[]).context("locking the ledger")?;
        }
        Ok(ledger)
    }

    /// Saves what is known of an in-flight call on its reservation. False when it is gone.
    pub fn update_pending(&self, key: &str, call: &CallRecord, usage_final: bool) -> Result<bool> {
        let json = serde_json::to_string(call).context("encoding a pending call")?;
        let n = self
            .execute(
                "UPDATE reservations SET call_json = $2, usage_final = $3 WHERE pending_key = $1",
                &[&key, &json, &usage_final],
            )
            .context("saving an in-flight call's usage")?;
        Ok(n > 0)
    }

    /// Whether any reservation may need recovering.
    pub fn has_reservations(&self) -> Result<bool> {
        let rows = self.query("SELECT EXISTS (SELECT 1 FROM reservations)", &[])?;
        Ok(rows[0].get(0))
    }
}

const BUDGET_COLUMNS: &str = r#"id, project, "window", limit_micros, limit_tokens"#;
const TOKENS_SUM: &str =
    "input_tokens + output_tokens + cache_write_5m_tokens + cache_write_1h_tokens + cache_read_tokens";
/// Sums saturate instead of failing on overflow, as the SQLite store's `TOTAL` does.
const MAX: &str = "9223372036854775807";

impl PgLedger<'_> {
    pub(crate) fn query(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
        query_on(self.store, &self.client, sql, params)
    }

    pub(crate) fn execute(&self, sql: &str, params: Params<'_>) -> Result<u64> {
        execute_on(self.store, &self.client, sql, params)
    }

    pub(super) fn commit(&self) -> Result<()> {
        self.open.set(false);
        self.batch("COMMIT").context("committing a shared-store transaction")
    }

    pub(super) fn client(&self) -> &Object {
        &self.client
    }

    pub(super) fn store(&self) -> &PgStore {
        self.store
    }

    pub(super) fn batch(&self, sql: &str) -> Result<()> {
        self.store.block(self.client.batch_execute(sql)).with_context(|| format!("shared store {}", self.store.shown))
    }

    /// The budgets in scope, global ones first, then by project and window length.
    pub fn budgets(&self, scope: Scope<'_>) -> Result<Vec<Budget>> {
        let rows = match scope {
            Scope::All => self.query(&format!("SELECT {BUDGET_COLUMNS} FROM budgets"), &[]),
            Scope::Project(p) => {
                self.query(&format!("SELECT {BUDGET_COLUMNS} FROM budgets WHERE project IN ('', $1)"), &[&p])
            }
        };
        let mut budgets: Vec<Budget> = rows.context("reading budgets")?.iter().filter_map(budget_from_row).collect();
        budgets.sort_by(|a, b| (&a.project, a.window).cmp(&(&b.project, b.window)));
        Ok(budgets)
    }

    /// One budget by project (`None`: global) and window.
    pub fn budget(&self, project: Option<&str>, window: Window) -> Result<Option<Budget>> {
        let sql = format!(r#"SELECT {BUDGET_COLUMNS} FROM budgets WHERE project = $1 AND "window" = $2"#);
        let rows = self.query(&sql, &[&project.unwrap_or(""), &window.as_str()]).context("reading a budget")?;
        Ok(rows.first().and_then(budget_from_row))
    }

    /// Creates or replaces the budget for a project (`None`: global) and window.
    pub fn set_budget(
        &self,
        project: Option<&str>,
        window: Window,
        micros: Option<i64>,
        tokens: Option<i64>,
    ) -> Result<()> {
        self.execute(
            r#"INSERT INTO budgets (project, "window", limit_micros, limit_tokens) VALUES ($1, $2, $3, $4)
               ON CONFLICT (project, "window") DO UPDATE SET limit_micros = $3, limit_tokens = $4"#,
            &[&project.unwrap_or(""), &window.as_str(), &micros, &tokens],
        )
        .context("saving a budget")?;
        Ok(())
    }

    /// Removes a budget and its alerts.
    pub fn remove_budget(&self, id: i64) -> Result<bool> {
        Ok(self.execute("DELETE FROM budgets WHERE id = $1", &[&id]).context("removing a budget")? > 0)
    }

    /// Settled spend in a window, over every project (`None`) or one.
    pub fn spent(&self, project: Option<&str>, window: &Bounds) -> Result<Totals> {
        let base = format!(
            "SELECT LEAST(COALESCE(SUM(cost_micros), 0), {MAX})::BIGINT, LEAST(COALESCE(SUM({TOKENS_SUM}), 0), {MAX})::BIGINT
             FROM calls WHERE ts_ms >= $1 AND ts_ms < $2"
        );
        let (start, end) = (window.start_ms(), window.end_ms());
        let rows = match project {
            None => self.query(&base, &[&start, &end]),
            Some(p) => self.query(&format!("{base} AND project = $3"), &[&start, &end, &p]),
        };
        Ok(totals(&rows.context("summing spend")?[0]))
    }

    /// Reservations held, over every project (`None`) or one; an expired one still counts until
    /// it is settled or recovered as a charge.
    pub fn reserved(&self, project: Option<&str>, _now_ms: i64) -> Result<Totals> {
        let base = format!(
            "SELECT LEAST(COALESCE(SUM(amount_micros), 0), {MAX})::BIGINT, LEAST(COALESCE(SUM(tokens), 0), {MAX})::BIGINT
             FROM reservations"
        );
        let rows = match project {
            None => self.query(&base, &[]),
            Some(p) => self.query(&format!("{base} WHERE project = $1"), &[&p]),
        };
        Ok(totals(&rows.context("summing reservations")?[0]))
    }

    pub fn insert_reservation(&self, r: &NewReservation<'_>) -> Result<i64> {
        let rows = self
            .query(
                "INSERT INTO reservations (created_ms, expires_ms, project, amount_micros, tokens, pid, label)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                &[&r.created_ms, &r.expires_ms, &r.project, &r.amount_micros, &r.tokens, &i64::from(r.pid), &r.label],
            )
            .context("recording a reservation")?;
        Ok(rows[0].get(0))
    }

    /// Deletes one reservation; false when it was already gone (recovered by another process).
    pub fn delete_reservation(&self, id: i64, created_ms: i64) -> Result<bool> {
        let n = self.execute("DELETE FROM reservations WHERE id = $1 AND created_ms = $2", &[&id, &created_ms]);
        Ok(n.context("deleting a reservation")? > 0)
    }

    /// Deletes every reservation, of one project or all; returns how many.
    pub fn drop_reservations(&self, project: Option<&str>) -> Result<usize> {
        let n = match project {
            None => self.execute("DELETE FROM reservations", &[]),
            Some(p) => self.execute("DELETE FROM reservations WHERE project = $1", &[&p]),
        };
        Ok(n.context("dropping reservations")? as usize)
    }

    /// Records a settled call.
    pub fn insert_call(&self, call: &CallRecord) -> Result<i64> {
        super::calls::insert_call(&|sql, params| self.query(sql, params), call, None)
    }

    /// Records that a person overrode a limit (`kind`), with what was overridden.
    pub fn record_override(&self, ts_ms: i64, kind: &str, detail: &str) -> Result<i64> {
        let rows = self
            .query(
                "INSERT INTO overrides (ts_ms, kind, detail) VALUES ($1, $2, $3) RETURNING id",
                &[&ts_ms, &kind, &detail],
            )
            .context("recording an override")?;
        Ok(rows[0].get(0))
    }

    /// Every recorded override, oldest first: `(ts_ms, kind, detail)`.
    pub fn overrides(&self) -> Result<Vec<(i64, String, String)>> {
        let rows = self.query("SELECT ts_ms, kind, detail FROM overrides ORDER BY id", &[])?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
    }

    /// Ties a just-inserted reservation to its holder and the call it is for.
    pub fn attach_pending(&self, id: i64, holder: &Holder, key: &str, call: Option<&CallRecord>) -> Result<()> {
        let json = call.map(serde_json::to_string).transpose().context("encoding a pending call")?;
        self.execute(
            "UPDATE reservations SET host = $2, proc_start = $3, pending_key = $4, call_json = $5 WHERE id = $1",
            &[&id, &holder.host, &holder.start, &key, &json],
        )
        .context("recording a pending call")?;
        Ok(())
    }

    /// Turns every reservation whose holder is dead (as `alive` judges: only holders on this
    /// host can be judged, see `budget::holder`) or whose lifetime is over into a charge.
    pub fn recover_orphans(&self, now_ms: i64, alive: &dyn Fn(u32, &Holder) -> bool) -> Result<Vec<Recovered>> {
        let rows = self
            .query("SELECT id, created_ms, expires_ms, pid, host, proc_start FROM reservations ORDER BY id", &[])
            .context("reading reservations")?;
        let mut out = Vec::new();
        for r in &rows {
            let pid = r.get::<_, Option<i64>>(3).and_then(|p| u32::try_from(p).ok());
            let holder = Holder { pid: pid.unwrap_or(0), host: r.get(4), start: r.get(5) };
            let dead = r.get::<_, i64>(2) <= now_ms || pid.is_some_and(|pid| !alive(pid, &holder));
            if dead && let Some(charged) = self.charge(r.get(0), r.get(1))? {
                out.push(charged);
            }
        }
        Ok(out)
    }

    /// Claims an orphan (deleting it) and records it as a call; `None` when another process
    /// claimed it first.
    fn charge(&self, id: i64, created_ms: i64) -> Result<Option<Recovered>> {
        let rows = self.query(
            "DELETE FROM reservations WHERE id = $1 AND created_ms = $2
             RETURNING project, amount_micros, label, call_json, usage_final, pending_key",
            &[&id, &created_ms],
        )?;
        let Some(o) = rows.first() else { return Ok(None) };
        let (project, amount, label): (String, i64, String) = (o.get(0), o.get(1), o.get(2));
        let (json, usage_final, key): (Option<String>, bool, String) = (o.get(3), o.get(4), o.get(5));
        let mut call = json
            .as_deref()
            .and_then(|j| serde_json::from_str::<CallRecord>(j).ok())
            .unwrap_or_else(|| CallRecord::unattributed(created_ms, &project, &label));
        if !usage_final {
            call.cost_micros = call.cost_micros.max(amount);
            call.outcome = UNSETTLED.to_string();
        }
        self.record_new(&call, &key)?;
        Ok(Some(Recovered { pending_key: key, cost_micros: call.cost_micros, outcome: call.outcome }))
    }

    /// Records a call tied to a pending key; when that key was already charged (recovered while
    /// the call still ran), corrects the charge in place instead.
    pub fn record_keyed(&self, call: &CallRecord, key: Option<&str>) -> Result<i64> {
        if let Some(key) = key {
            let found = self.query("SELECT id FROM calls WHERE pending_key = $1", &[&key])?;
            if let Some(row) = found.first() {
                let id: i64 = row.get(0);
                self.correct(id, call)?;
                return Ok(id);
            }
            return self.record_new(call, key);
        }
        self.insert_call(call)
    }

    /// Records a call with its pending key.
    pub fn record_new(&self, call: &CallRecord, key: &str) -> Result<i64> {
        let key = (!key.is_empty()).then_some(key);
        super::calls::insert_call(&|sql, params| self.query(sql, params), call, key)
    }

    fn correct(&self, id: i64, c: &CallRecord) -> Result<()> {
        let t = &c.tokens;
        let tokens = [t.input, t.output, t.cache_write_5m, t.cache_write_1h, t.cache_read].map(|n| n as i64);
        self.execute(
            "UPDATE calls SET input_tokens = $2, output_tokens = $3, cache_write_5m_tokens = $4,
             cache_write_1h_tokens = $5, cache_read_tokens = $6, cost_micros = $7, outcome = $8,
             request_id = $9, message_id = $10, latency_ms = $11 WHERE id = $1",
            &[
                &id,
                &tokens[0],
                &tokens[1],
                &tokens[2],
                &tokens[3],
                &tokens[4],
                &c.cost_micros,
                &c.outcome,
                &c.request_id,
                &c.message_id,
                &c.latency_ms,
            ],
        )
        .context("correcting a recovered call")?;
        Ok(())
    }
}

/// A budget row; `None` for a window name this version does not know.
fn budget_from_row(r: &Row) -> Option<Budget> {
    let project: String = r.get(1);
    Some(Budget {
        id: r.get(0),
        project: (!project.is_empty()).then_some(project),
        window: Window::parse(r.get::<_, &str>(2))?,
        limit_micros: r.get(3),
        limit_tokens: r.get(4),
    })
}

fn totals(r: &Row) -> Totals {
    Totals { micros: r.get(0), tokens: r.get(1) }
}

impl crate::store::alert_rows::IntSql for PgLedger<'_> {
    fn exec_ints(&self, sql: &str, params: &[i64]) -> Result<u64> {
        let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        self.execute(sql, &refs)
    }

    fn query_ints(&self, sql: &str, params: &[i64]) -> Result<Vec<i64>> {
        let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        Ok(self.query(sql, &refs)?.iter().map(|r| r.get::<_, i64>(0)).collect())
    }
}
