//! `devteam store migrate --to postgres://...`: copies one host's SQLite history into the shared
//! store. Every copied row carries the local store's identity (`origin`, made once per SQLite file
//! by its migration 12) and its local row id (`origin_id`), unique together on the server, and each
//! batch commits together with how far it got (`migrated_stores`): run again, or after a
//! failure, it copies only what is missing. Claude Code calls imported on several hosts from the
//! same logs are one call on the server (unique message and request ids).
//!
//! Each batch goes by `COPY ... FROM STDIN` into a temporary staging table and from there into
//! place with one `INSERT ... SELECT` (references mapped, duplicates skipped), as the Claude Code
//! import does. Alerts (merged per team budget, window and threshold) and this host's import
//! progress are copied last.
//!
//! Reservations are not copied: they are in-flight calls of this host, recovered into charges
//! when the local store is opened; one still held makes the copy stop with a clear message.

use anyhow::{Context as _, Result, bail};
use rusqlite::types::Value;
use serde::Serialize;

use super::PgStore;
use super::ledger::PgLedger;
use super::migrate_tables::{Bool, Int, Kind, Real, Ref, SIDE_TABLES, SideTable, TABLES, Table, Text};
use crate::store::SqliteStore;

/// Runs `f` on a connection of the local store.
fn on<T>(local: &SqliteStore, f: impl FnOnce(&rusqlite::Connection) -> Result<T>) -> Result<T> {
    local.with(|db| f(db.conn))
}

/// Rows per batch (one COPY and one commit each).
const BATCH: usize = 20_000;

/// What a copy did, per table: rows read from the local store and rows new on the server.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct MigrateReport {
    pub origin: String,
    pub tables: Vec<TableCopy>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct TableCopy {
    pub table: String,
    pub read: u64,
    pub inserted: u64,
}

/// How a copy goes: rows per batch (one COPY and one commit each) and, for tests, a number of
/// batches after which it stops with an error, as if the process had been killed there.
#[derive(Debug, Clone, Copy)]
pub struct MigrateOptions {
    pub batch_rows: usize,
    pub stop_after_batches: Option<usize>,
}

impl Default for MigrateOptions {
    fn default() -> Self {
        Self { batch_rows: BATCH, stop_after_batches: None }
    }
}

/// Copies the local store into the shared one; safe to run again and to resume.
pub fn migrate_sqlite(local: &SqliteStore, shared: &PgStore) -> Result<MigrateReport> {
    migrate_sqlite_with(local, shared, MigrateOptions::default())
}

/// [`migrate_sqlite`] with explicit batching.
pub fn migrate_sqlite_with(local: &SqliteStore, shared: &PgStore, opts: MigrateOptions) -> Result<MigrateReport> {
    let held: i64 = on(local, |c| Ok(c.query_row("SELECT COUNT(*) FROM reservations", [], |r| r.get(0))?))?;
    if held > 0 {
        bail!(
            "the local store still holds {held} reservation(s) of calls in flight; let them finish (or run any devteam command once their processes are gone, which charges them) and migrate again"
        );
    }
    let origin: String = on(local, |c| Ok(c.query_row("SELECT id FROM store_identity", [], |r| r.get(0))?))
        .context("reading the local store's identity")?;
    let mut report = MigrateReport { origin: origin.clone(), tables: Vec::new() };
    let mut batches = Batches { opts, done: 0 };
    for table in TABLES {
        let copy = copy_table(local, shared, &origin, table, &mut batches)
            .with_context(|| format!("copying {}", table.name))?;
        report.tables.push(copy);
    }
    // Runs were copied before their outputs: point them at their final outputs now.
    fix_final_outputs(local, shared, &origin)?;
    for side in SIDE_TABLES {
        let copy = copy_side(local, shared, side).with_context(|| format!("copying {}", side.name))?;
        report.tables.push(copy);
    }
    Ok(report)
}

/// Counts committed batches against the test stop.
struct Batches {
    opts: MigrateOptions,
    done: usize,
}

impl Batches {
    fn committed(&mut self) -> Result<()> {
        self.done += 1;
        match self.opts.stop_after_batches {
            Some(stop) if self.done >= stop => bail!("stopped after {stop} batch(es), as asked"),
            _ => Ok(()),
        }
    }
}

fn copy_table(
    local: &SqliteStore,
    shared: &PgStore,
    origin: &str,
    t: &Table,
    batches: &mut Batches,
) -> Result<TableCopy> {
    let mut copy = TableCopy { table: t.name.to_string(), ..TableCopy::default() };
    let names: Vec<&str> = t.cols.iter().map(|c| c.0).collect();
    let limit = batches.opts.batch_rows.max(1);
    let select = format!(
        "SELECT {}{} FROM {} {} LIMIT {limit}",
        if t.by_rowid { "rowid, " } else { "" },
        names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", "),
        t.name,
        if t.by_rowid { "WHERE rowid > ?1 ORDER BY rowid" } else { "ORDER BY 1, 2" },
    ) + if t.by_rowid { "" } else { " OFFSET ?1" };
    let mut upto = if t.by_rowid { progress(shared, origin, t.name)? } else { 0 };
    let mut stage_cols: Vec<(&str, Kind)> = t.cols.to_vec();
    if t.by_rowid {
        stage_cols.insert(0, ("origin_id", Int));
    }
    loop {
        let rows = read_batch(local, &select, Some(upto), stage_cols.len())?;
        if rows.is_empty() {
            return Ok(copy);
        }
        copy.read += rows.len() as u64;
        let last = if t.by_rowid { as_int(&rows[rows.len() - 1][0]) } else { upto + rows.len() as i64 };
        copy.inserted += shared.transaction(|l| -> Result<u64> {
            let stage = stage(l, t.name, &stage_cols, &rows)?;
            let n = l.execute(&insert_sql(t, &stage), &[&origin])?;
            if t.by_rowid {
                l.execute(
                    "INSERT INTO migrated_stores (origin, tbl, upto) VALUES ($1, $2, $3)
                     ON CONFLICT (origin, tbl) DO UPDATE SET upto = excluded.upto",
                    &[&origin, &t.name, &last],
                )?;
            }
            Ok(n)
        })?;
        batches.committed()?;
        upto = last;
        if rows.len() < limit {
            return Ok(copy);
        }
    }
}

fn progress(shared: &PgStore, origin: &str, table: &str) -> Result<i64> {
    let rows = shared.query("SELECT upto FROM migrated_stores WHERE origin = $1 AND tbl = $2", &[&origin, &table])?;
    Ok(rows.first().map_or(0, |r| r.get(0)))
}

fn read_batch(local: &SqliteStore, sql: &str, after: Option<i64>, width: usize) -> Result<Vec<Vec<Value>>> {
    on(local, |c| {
        let mut stmt = c.prepare(sql)?;
        let row =
            |r: &rusqlite::Row<'_>| (0..width).map(|i| r.get::<_, Value>(i)).collect::<rusqlite::Result<Vec<_>>>();
        let rows = match after {
            Some(after) => stmt.query_map([after], row)?.collect::<rusqlite::Result<_>>(),
            None => stmt.query_map([], row)?.collect::<rusqlite::Result<_>>(),
        };
        rows.context("reading the local store")
    })
}

/// Sends `rows` by `COPY ... FROM STDIN` into a temporary staging table named after `table`
/// (emptied at commit) and returns its name: the rows then move into place with one
/// `INSERT ... SELECT`, which maps references and skips what the server already has.
fn stage(l: &PgLedger<'_>, table: &str, cols: &[(&str, Kind)], rows: &[Vec<Value>]) -> Result<String> {
    let name = format!("migrate_stage_{table}");
    let ddl: Vec<String> = cols.iter().map(|(n, kind)| format!("\"{n}\" {}", sql_type(*kind))).collect();
    l.batch(&format!("CREATE TEMP TABLE IF NOT EXISTS {name} ({}) ON COMMIT DELETE ROWS", ddl.join(", ")))?;
    let mut text = String::with_capacity(rows.len() * 24 * cols.len());
    for row in rows {
        for (i, (_, kind)) in cols.iter().enumerate() {
            if i > 0 {
                text.push('\t');
            }
            copy_text(&mut text, &row[i], *kind);
        }
        text.push('\n');
    }
    let list: Vec<String> = cols.iter().map(|c| format!("\"{}\"", c.0)).collect();
    l.copy_in(&format!("COPY {name} ({}) FROM STDIN", list.join(", ")), bytes::Bytes::from(text))
        .context("sending rows (COPY)")?;
    Ok(name)
}

/// `INSERT ... SELECT` from the staging table, with references mapped through `origin_id` and
/// rows whose required reference did not map left out; `$1` is the origin.
fn insert_sql(t: &Table, stage: &str) -> String {
    let q = |n: &str| format!("\"{n}\"");
    let mut targets: Vec<String> = t.cols.iter().map(|c| q(c.0)).collect();
    let mut sources: Vec<String> = t
        .cols
        .iter()
        .map(|(n, kind)| match kind {
            Ref(table) => {
                format!("(SELECT x.id FROM {table} x WHERE x.origin = $1::TEXT AND x.origin_id = v.{})", q(n))
            }
            _ => format!("v.{}", q(n)),
        })
        .collect();
    if t.tagged {
        targets.extend(["origin".into(), "origin_id".into()]);
        sources.extend(["$1::TEXT".into(), "v.origin_id".into()]);
    }
    let filter = match t.required {
        Some(col) => format!("WHERE {} IS NOT NULL", sources[t.cols.iter().position(|c| c.0 == col).unwrap_or(0)]),
        // `$1` must appear for the parameter's type to be known.
        None => "WHERE $1::TEXT IS NOT NULL".to_string(),
    };
    format!(
        "INSERT INTO {} ({}) SELECT {} FROM {stage} AS v {filter} {}",
        t.name,
        targets.join(", "),
        sources.join(", "),
        t.conflict,
    )
}

fn copy_side(local: &SqliteStore, shared: &PgStore, t: &SideTable) -> Result<TableCopy> {
    let rows = read_batch(local, t.local_select, None, t.cols.len())?;
    let mut copy = TableCopy { table: t.name.to_string(), read: rows.len() as u64, inserted: 0 };
    if rows.is_empty() {
        return Ok(copy);
    }
    let host = crate::budget::holder::current().host.clone();
    copy.inserted = shared.transaction(|l| -> Result<u64> {
        let stage = stage(l, t.name, t.cols, &rows)?;
        l.execute(&t.insert.replace("{stage}", &stage), &[&host])
    })?;
    Ok(copy)
}

fn sql_type(kind: Kind) -> &'static str {
    match kind {
        Int | Ref(_) => "BIGINT",
        Bool => "BOOLEAN",
        Real => "DOUBLE PRECISION",
        Text => "TEXT",
    }
}

/// Appends `v` in COPY's text format, converted as the column's kind wants (SQLite's columns
/// are loosely typed; PostgreSQL's are not).
fn copy_text(out: &mut String, v: &Value, kind: Kind) {
    use std::fmt::Write as _;
    let int = match v {
        Value::Integer(i) => Some(*i),
        Value::Real(f) => Some(*f as i64),
        _ => None,
    };
    let _ = match (kind, v) {
        (_, Value::Null) => write!(out, "\\N"),
        (Int | Ref(_), _) => match int {
            Some(i) => write!(out, "{i}"),
            None => write!(out, "\\N"),
        },
        (Bool, _) => match int {
            Some(i) => write!(out, "{}", if i != 0 { 't' } else { 'f' }),
            None => write!(out, "\\N"),
        },
        (Real, Value::Real(f)) => write!(out, "{f}"),
        (Real, Value::Integer(i)) => write!(out, "{i}"),
        (Real, _) => write!(out, "\\N"),
        (Text, Value::Text(s)) => write!(out, "{}", super::imports::escape(s)),
        (Text, Value::Integer(i)) => write!(out, "{i}"),
        (Text, Value::Real(f)) => write!(out, "{f}"),
        (Text, Value::Blob(b)) => write!(out, "{}", super::imports::escape(&String::from_utf8_lossy(b))),
    };
}

fn as_int(v: &Value) -> i64 {
    match v {
        Value::Integer(i) => *i,
        _ => 0,
    }
}

fn fix_final_outputs(local: &SqliteStore, shared: &PgStore, origin: &str) -> Result<()> {
    let pairs: Vec<(String, i64)> = on(local, |c| {
        let mut stmt = c.prepare("SELECT id, final_output_id FROM runs WHERE final_output_id IS NOT NULL")?;
        Ok(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?)
    })?;
    shared.transaction(|l| -> Result<()> {
        for (run, output) in &pairs {
            l.execute(
                "UPDATE runs SET final_output_id = (SELECT id FROM outputs WHERE origin = $2 AND origin_id = $3)
                 WHERE id = $1 AND final_output_id IS NULL",
                &[run, &origin, output],
            )?;
        }
        Ok(())
    })
}
