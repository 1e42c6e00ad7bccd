//! `devteam store migrate --to postgres://...`: copies one host's SQLite history into the shared
//! store. Every copied row carries the local store's identity (`origin`, made once per SQLite file
//! by its migration 12) and its local row id (`origin_id`), unique together on the server, and each
//! batch commits together with how far it got (`migrated_stores`): run again, or after a
//! failure, it copies only what is missing. Claude Code calls imported on several hosts from the
//! same logs are one call on the server (unique message and request ids).
//!
//! Reservations are not copied: they are in-flight calls of this host, recovered into charges
//! when the local store is opened; one still held makes the copy stop with a clear message.

use anyhow::{Context as _, Result, bail};
use rusqlite::types::Value;
use serde::Serialize;
use tokio_postgres::types::ToSql;

use super::PgStore;
use super::ledger::PgLedger;
use crate::store::SqliteStore;

/// Runs `f` on a connection of the local store.
fn on<T>(local: &SqliteStore, f: impl FnOnce(&rusqlite::Connection) -> Result<T>) -> Result<T> {
    local.with(|db| f(db.conn))
}

/// Rows per batch (and per commit).
const BATCH: usize = 500;

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

#[derive(Clone, Copy)]
enum Kind {
    Int,
    Bool,
    Real,
    Text,
    /// A local id of a row of that table, mapped to its id on the server through `origin_id`.
    Ref(&'static str),
}

/// A table to copy: its columns (the local row id is `origin_id` when `by_rowid`).
struct Table {
    name: &'static str,
    cols: &'static [(&'static str, Kind)],
    /// Paged by rowid and tagged with origin; otherwise (tables keyed by name) copied whole,
    /// idempotent through their natural key.
    by_rowid: bool,
    /// A column that must map (a reference to a row the server refused as a duplicate skips
    /// the row that refers to it).
    required: Option<&'static str>,
    conflict: &'static str,
}

use Kind::{Bool, Int, Real, Ref, Text};

const TABLES: &[Table] = &[
    Table {
        name: "calls",
        cols: &[
            ("ts_ms", Int),
            ("source", Text),
            ("project", Text),
            ("run_id", Text),
            ("subtask_id", Text),
            ("task", Text),
            ("agent", Text),
            ("model", Text),
            ("tier", Text),
            ("input_tokens", Int),
            ("output_tokens", Int),
            ("cache_write_5m_tokens", Int),
            ("cache_write_1h_tokens", Int),
            ("cache_read_tokens", Int),
            ("cost_micros", Int),
            ("batch", Bool),
            ("latency_ms", Int),
            ("request_id", Text),
            ("message_id", Text),
            ("session_id", Text),
            ("is_sidechain", Bool),
            ("outcome", Text),
            ("pending_key", Text),
        ],
        by_rowid: true,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "call_blocks",
        cols: &[("call_id", Ref("calls")), ("kind", Text), ("tokens", Int), ("outcome", Text)],
        by_rowid: true,
        required: Some("call_id"),
        conflict: "",
    },
    Table {
        name: "overrides",
        cols: &[("ts_ms", Int), ("kind", Text), ("detail", Text)],
        by_rowid: true,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "budgets",
        cols: &[("project", Text), ("window", Text), ("limit_micros", Int), ("limit_tokens", Int)],
        by_rowid: false,
        required: None,
        // A budget the team already set on the server wins over a host's local one.
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "runs",
        cols: &[
            ("id", Text),
            ("ts_ms", Int),
            ("task", Text),
            ("project", Text),
            ("status", Text),
            ("planned", Bool),
            ("plan", Text),
            ("note", Text),
            ("wall_ms", Int),
            ("cost_micros", Int),
        ],
        by_rowid: false,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "outputs",
        cols: &[("run_id", Text), ("subtask_id", Text), ("text", Text), ("tokens", Int), ("bytes", Int)],
        by_rowid: true,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "subtasks",
        cols: &[
            ("run_id", Text),
            ("id", Text),
            ("title", Text),
            ("agent", Text),
            ("depends_on", Text),
            ("tier", Text),
            ("model", Text),
            ("status", Text),
            ("attempts", Int),
            ("summary", Text),
            ("summary_tokens", Int),
            ("output_id", Ref("outputs")),
            ("cost_micros", Int),
            ("started_ms", Int),
            ("finished_ms", Int),
            ("error", Text),
        ],
        by_rowid: false,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "messages",
        cols: &[
            ("run_id", Text),
            ("from_subtask", Text),
            ("to_subtask", Text),
            ("summary", Text),
            ("summary_tokens", Int),
            ("output_id", Ref("outputs")),
        ],
        by_rowid: true,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "routing_decisions",
        cols: &[
            ("ts_ms", Int),
            ("run_id", Text),
            ("subtask_id", Text),
            ("task", Text),
            ("score", Real),
            ("tier", Text),
            ("model", Text),
            ("pressure", Text),
            ("features", Text),
            ("outcome", Text),
            ("upgraded_to", Text),
            ("upgrade_reason", Text),
            ("call_id", Ref("calls")),
        ],
        by_rowid: true,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "verdicts",
        cols: &[
            ("run_id", Text),
            ("ts_ms", Int),
            ("good", Bool),
            ("source", Text),
            ("note", Text),
            ("command", Text),
            ("exit_code", Int),
        ],
        by_rowid: true,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "ab_tests",
        cols: &[("name", Text), ("started_ms", Int), ("stopped_ms", Int), ("alpha", Real), ("variants", Text)],
        by_rowid: false,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "ab_assignments",
        cols: &[("test", Text), ("run_id", Text), ("variant", Text), ("ts_ms", Int)],
        by_rowid: false,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
    Table {
        name: "counterfactuals",
        cols: &[
            ("ts_ms", Int),
            ("project", Text),
            ("run_id", Text),
            ("stage", Text),
            ("input_tokens", Int),
            ("output_tokens", Int),
        ],
        by_rowid: true,
        required: None,
        conflict: "ON CONFLICT DO NOTHING",
    },
];

/// Copies the local store into the shared one; safe to run again and to resume.
pub fn migrate_sqlite(local: &SqliteStore, shared: &PgStore) -> Result<MigrateReport> {
    let held: i64 = on(local, |c| Ok(c.query_row("SELECT COUNT(*) FROM reservations", [], |r| r.get(0))?))?;
    if held > 0 {
        bail!(
            "the local store still holds {held} reservation(s) of calls in flight; let them finish (or run any devteam command once their processes are gone, which charges them) and migrate again"
        );
    }
    let origin: String = on(local, |c| Ok(c.query_row("SELECT id FROM store_identity", [], |r| r.get(0))?))
        .context("reading the local store's identity")?;
    let mut report = MigrateReport { origin: origin.clone(), tables: Vec::new() };
    for table in TABLES {
        let copy = copy_table(local, shared, &origin, table).with_context(|| format!("copying {}", table.name))?;
        report.tables.push(copy);
    }
    // Runs were copied before their outputs: point them at their final outputs now.
    fix_final_outputs(local, shared, &origin)?;
    Ok(report)
}

fn copy_table(local: &SqliteStore, shared: &PgStore, origin: &str, t: &Table) -> Result<TableCopy> {
    let mut copy = TableCopy { table: t.name.to_string(), ..TableCopy::default() };
    let names: Vec<&str> = t.cols.iter().map(|c| c.0).collect();
    let select = format!(
        "SELECT {}{} FROM {} {} LIMIT {BATCH}",
        if t.by_rowid { "rowid, " } else { "" },
        names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", "),
        t.name,
        if t.by_rowid { "WHERE rowid > ?1 ORDER BY rowid" } else { "ORDER BY 1, 2" },
    ) + if t.by_rowid { "" } else { " OFFSET ?1" };
    let mut upto = if t.by_rowid { progress(shared, origin, t.name)? } else { 0 };
    loop {
        let rows = read_batch(local, &select, upto, t.cols.len() + usize::from(t.by_rowid))?;
        if rows.is_empty() {
            return Ok(copy);
        }
        copy.read += rows.len() as u64;
        let last = if t.by_rowid { as_int(&rows[rows.len() - 1][0]) } else { upto + rows.len() as i64 };
        copy.inserted += shared.transaction(|l| -> Result<u64> {
            let n = insert_batch(l, origin, t, &rows)?;
            if t.by_rowid {
                l.execute(
                    "INSERT INTO migrated_stores (origin, tbl, upto) VALUES ($1, $2, $3)
                     ON CONFLICT (origin, tbl) DO UPDATE SET upto = excluded.upto",
                    &[&origin, &t.name, &last],
                )?;
            }
            Ok(n)
        })?;
        upto = last;
        if rows.len() < BATCH {
            return Ok(copy);
        }
    }
}

fn progress(shared: &PgStore, origin: &str, table: &str) -> Result<i64> {
    let rows = shared.query("SELECT upto FROM migrated_stores WHERE origin = $1 AND tbl = $2", &[&origin, &table])?;
    Ok(rows.first().map_or(0, |r| r.get(0)))
}

fn read_batch(local: &SqliteStore, sql: &str, after: i64, width: usize) -> Result<Vec<Vec<Value>>> {
    on(local, |c| {
        let mut stmt = c.prepare(sql)?;
        let rows = stmt
            .query_map([after], |r| (0..width).map(|i| r.get::<_, Value>(i)).collect::<rusqlite::Result<Vec<_>>>())?;
        rows.collect::<rusqlite::Result<_>>().context("reading the local store")
    })
}

/// Inserts one batch as `INSERT ... SELECT FROM (VALUES ...)`, with references mapped through
/// `origin_id` and rows whose required reference did not map left out.
fn insert_batch(l: &PgLedger<'_>, origin: &str, t: &Table, rows: &[Vec<Value>]) -> Result<u64> {
    let offset = usize::from(t.by_rowid);
    let mut params: Vec<Box<dyn ToSql + Sync + Send>> = vec![Box::new(origin.to_string())];
    let mut tuples = Vec::with_capacity(rows.len());
    for row in rows {
        let mut cells = Vec::new();
        if t.by_rowid {
            params.push(Box::new(as_int(&row[0])));
            cells.push(format!("${}::BIGINT", params.len()));
        }
        for (i, (_, kind)) in t.cols.iter().enumerate() {
            let (value, cast) = to_param(&row[i + offset], *kind);
            params.push(value);
            cells.push(format!("${}::{cast}", params.len()));
        }
        tuples.push(format!("({})", cells.join(", ")));
    }
    let q = |n: &str| format!("\"{n}\"");
    let mut targets: Vec<String> = t.cols.iter().map(|c| q(c.0)).collect();
    let mut sources: Vec<String> = t
        .cols
        .iter()
        .map(|(n, kind)| match kind {
            Ref(table) => format!("(SELECT x.id FROM {table} x WHERE x.origin = $1 AND x.origin_id = v.{})", q(n)),
            _ => format!("v.{}", q(n)),
        })
        .collect();
    let mut aliases: Vec<String> = t.cols.iter().map(|c| q(c.0)).collect();
    if t.by_rowid {
        targets.extend(["origin".into(), "origin_id".into()]);
        sources.extend(["$1".into(), "v.origin_id".into()]);
        aliases.insert(0, "origin_id".into());
    }
    let filter = match t.required {
        Some(col) => format!("WHERE {} IS NOT NULL", sources[t.cols.iter().position(|c| c.0 == col).unwrap_or(0)]),
        None => String::new(),
    };
    let sql = format!(
        "INSERT INTO {} ({}) SELECT {} FROM (VALUES {}) AS v({}) {filter} {}",
        t.name,
        targets.join(", "),
        sources.join(", "),
        tuples.join(", "),
        aliases.join(", "),
        t.conflict,
    );
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect();
    l.execute(&sql, &refs)
}

fn to_param(v: &Value, kind: Kind) -> (Box<dyn ToSql + Sync + Send>, &'static str) {
    let int = || match v {
        Value::Integer(i) => Some(*i),
        Value::Real(f) => Some(*f as i64),
        _ => None,
    };
    match kind {
        Int | Ref(_) => (Box::new(int()), "BIGINT"),
        Bool => (Box::new(int().map(|i| i != 0)), "BOOLEAN"),
        Real => (
            Box::new(match v {
                Value::Real(f) => Some(*f),
                Value::Integer(i) => Some(*i as f64),
                _ => None,
            }),
            "DOUBLE PRECISION",
        ),
        Text => (
            Box::new(match v {
                Value::Text(s) => Some(s.clone()),
                Value::Integer(i) => Some(i.to_string()),
                Value::Real(f) => Some(f.to_string()),
                Value::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
                Value::Null => None,
            }),
            "TEXT",
        ),
    }
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
