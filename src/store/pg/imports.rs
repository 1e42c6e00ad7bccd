//! Claude Code imports into the shared store. New calls are buffered and sent with `COPY` into a
//! temporary staging table, then moved into `calls` with `ON CONFLICT DO NOTHING`: COPY is the
//! fast path for a first import of millions of lines, and the staging step lets a message another
//! host already imported from the same logs count once instead of failing the whole load. Ids
//! come from the `calls` sequence in blocks, so the importer can still replace a buffered call
//! by id when a later line of the same message wins.
//!
//! Imports take a transaction-scoped advisory lock: two imports at once (on any hosts) cannot
//! both insert one call. Progress per file is kept per host, since the same path on two
//! machines is two files.

use std::fmt::Write as _;

use anyhow::{Context as _, Result};
use futures_util::SinkExt as _;

use super::PgStore;
use super::ledger::PgLedger;
use crate::records::usage::{Source, TokenUsage};
use crate::store::{ImportFile, ImportedCall, StoredCall};

const IMPORT_LOCK: i64 = 0x6465_7674_6561_6d01;
/// Calls buffered before a COPY.
const FLUSH_AT: usize = 20_000;
/// Ids taken from the sequence at once.
const ID_BLOCK: i64 = 1_000;

const COLUMNS: &str = "id, ts_ms, source, project, session_id, model, tier, input_tokens, output_tokens, \
    cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, cost_micros, request_id, message_id, \
    is_sidechain, outcome";

/// A buffered call, owned.
#[derive(Debug, Clone)]
struct Buffered {
    id: i64,
    ts_ms: i64,
    source: Source,
    project: String,
    session_id: String,
    model: String,
    tier: String,
    tokens: TokenUsage,
    cost_micros: i64,
    request_id: Option<String>,
    message_id: String,
    is_sidechain: bool,
    outcome: String,
}

/// An open import: one transaction holding the import lock.
pub struct PgImport<'a> {
    ledger: PgLedger<'a>,
    host: String,
    buffer: std::cell::RefCell<Vec<Buffered>>,
    ids: std::cell::RefCell<std::ops::Range<i64>>,
}

impl PgStore {
    /// Every file this host imported from `source`.
    pub fn import_files(&self, source: Source) -> Result<Vec<ImportFile>> {
        let rows = self
            .query(
                r#"SELECT path, device, inode, size, "offset", mtime_ns, lines, skipped_lines FROM import_files
                   WHERE host = $1 AND source = $2"#,
                &[&crate::budget::holder::current().host, &source.as_str()],
            )
            .context("reading import state")?;
        Ok(rows
            .iter()
            .map(|r| ImportFile {
                path: r.get(0),
                device: r.get::<_, i64>(1) as u64,
                inode: r.get::<_, i64>(2) as u64,
                size: r.get::<_, i64>(3) as u64,
                offset: r.get::<_, i64>(4) as u64,
                mtime_ns: r.get(5),
                lines: r.get::<_, i64>(6) as u64,
                skipped_lines: r.get::<_, i64>(7) as u64,
            })
            .collect())
    }

    /// Starts an import; another import (from any host) waits until this one commits.
    pub fn begin_import(&self) -> Result<PgImport<'_>> {
        let ledger = self.open_tx()?;
        ledger.execute("SELECT pg_advisory_xact_lock($1)", &[&IMPORT_LOCK]).context("locking imports")?;
        ledger.batch(
            "CREATE TEMP TABLE IF NOT EXISTS import_stage (LIKE calls INCLUDING DEFAULTS) ON COMMIT DELETE ROWS",
        )?;
        Ok(PgImport {
            ledger,
            host: crate::budget::holder::current().host.clone(),
            buffer: Default::default(),
            ids: std::cell::RefCell::new(0..0),
        })
    }
}

impl PgImport<'_> {
    /// Whether any call from `source` is stored.
    pub fn has_calls(&self, source: Source) -> Result<bool> {
        if self.buffer.borrow().iter().any(|c| c.source == source) {
            return Ok(true);
        }
        let rows = self.ledger.query("SELECT EXISTS (SELECT 1 FROM calls WHERE source = $1)", &[&source.as_str()])?;
        Ok(rows[0].get(0))
    }

    /// Roughly how many calls the store holds.
    pub fn calls_estimate(&self) -> Result<u64> {
        let rows = self.ledger.query("SELECT COALESCE(MAX(id), 0) FROM calls", &[])?;
        Ok(rows[0].get::<_, i64>(0) as u64 + self.buffer.borrow().len() as u64)
    }

    /// The stored (or buffered) calls of `source` with this message id, oldest first.
    pub fn calls_with_message(&self, source: Source, message_id: &str) -> Result<Vec<StoredCall>> {
        let rows = self.ledger.query(
            "SELECT id, request_id, is_sidechain, input_tokens, output_tokens, cache_write_5m_tokens,
                    cache_write_1h_tokens, cache_read_tokens, cost_micros
             FROM calls WHERE message_id = $1 AND source = $2 ORDER BY id",
            &[&message_id, &source.as_str()],
        )?;
        let mut found: Vec<StoredCall> = rows
            .iter()
            .map(|r| StoredCall {
                id: r.get(0),
                request_id: r.get(1),
                is_sidechain: r.get(2),
                tokens: TokenUsage {
                    input: r.get::<_, i64>(3) as u64,
                    output: r.get::<_, i64>(4) as u64,
                    cache_write_5m: r.get::<_, i64>(5) as u64,
                    cache_write_1h: r.get::<_, i64>(6) as u64,
                    cache_read: r.get::<_, i64>(7) as u64,
                },
                cost_micros: r.get(8),
            })
            .collect();
        let buffer = self.buffer.borrow();
        found.extend(buffer.iter().filter(|c| c.source == source && c.message_id == message_id).map(|c| StoredCall {
            id: c.id,
            request_id: c.request_id.clone(),
            is_sidechain: c.is_sidechain,
            tokens: c.tokens,
            cost_micros: c.cost_micros,
        }));
        found.sort_by_key(|c| c.id);
        Ok(found)
    }

    /// Adds a call (buffered for the next COPY) and returns its id.
    pub fn insert_call(&self, c: &ImportedCall<'_>) -> Result<i64> {
        let id = self.next_id()?;
        self.buffer.borrow_mut().push(owned(id, c));
        if self.buffer.borrow().len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(id)
    }

    /// Replaces a stored or buffered call with a later line of the same call.
    pub fn replace_call(&self, id: i64, c: &ImportedCall<'_>) -> Result<()> {
        if let Some(slot) = self.buffer.borrow_mut().iter_mut().find(|b| b.id == id) {
            *slot = owned(id, c);
            return Ok(());
        }
        let t = &c.tokens;
        let tokens = [t.input, t.output, t.cache_write_5m, t.cache_write_1h, t.cache_read].map(|n| n as i64);
        self.ledger
            .execute(
                "UPDATE calls SET ts_ms = $1, source = $2, project = $3, session_id = $4, model = $5, tier = $6,
                 input_tokens = $7, output_tokens = $8, cache_write_5m_tokens = $9, cache_write_1h_tokens = $10,
                 cache_read_tokens = $11, cost_micros = $12, request_id = $13, message_id = $14, is_sidechain = $15,
                 outcome = $16 WHERE id = $17",
                &[
                    &c.ts_ms,
                    &c.source.as_str(),
                    &c.project,
                    &c.session_id,
                    &c.model,
                    &c.tier,
                    &tokens[0],
                    &tokens[1],
                    &tokens[2],
                    &tokens[3],
                    &tokens[4],
                    &c.cost_micros,
                    &c.request_id,
                    &c.message_id,
                    &c.is_sidechain,
                    &c.outcome,
                    &id,
                ],
            )
            .context("updating an imported call")?;
        Ok(())
    }

    /// Records how far a file has been imported (on this host).
    pub fn save_file(&self, source: Source, f: &ImportFile) -> Result<()> {
        let n = |v: u64| v as i64;
        self.ledger
            .execute(
                r#"INSERT INTO import_files (host, path, source, device, inode, size, "offset", mtime_ns, lines, skipped_lines)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                   ON CONFLICT (host, path) DO UPDATE SET source = excluded.source, device = excluded.device,
                   inode = excluded.inode, size = excluded.size, "offset" = excluded."offset",
                   mtime_ns = excluded.mtime_ns, lines = excluded.lines, skipped_lines = excluded.skipped_lines"#,
                &[
                    &self.host,
                    &f.path,
                    &source.as_str(),
                    &n(f.device),
                    &n(f.inode),
                    &n(f.size),
                    &n(f.offset),
                    &f.mtime_ns,
                    &n(f.lines),
                    &n(f.skipped_lines),
                ],
            )
            .with_context(|| format!("recording import progress of {}", f.path))?;
        Ok(())
    }

    /// Sends what is buffered, then commits.
    pub fn commit(self) -> Result<()> {
        self.flush()?;
        self.ledger.commit()
    }

    fn next_id(&self) -> Result<i64> {
        let mut ids = self.ids.borrow_mut();
        if ids.is_empty() {
            let rows = self.ledger.query(
                "SELECT nextval(pg_get_serial_sequence('calls', 'id')) FROM generate_series(1, $1::BIGINT)",
                &[&ID_BLOCK],
            )?;
            let got: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
            // Concurrent inserts elsewhere may interleave: use the contiguous run from the first.
            let first = got[0];
            let run = got.iter().enumerate().take_while(|(i, v)| **v == first + *i as i64).count() as i64;
            *ids = first..first + run;
        }
        Ok(ids.next().unwrap_or_default())
    }

    /// COPY the buffer into the staging table and move it into `calls`, skipping messages
    /// already there (imported by another host).
    fn flush(&self) -> Result<()> {
        let rows = std::mem::take(&mut *self.buffer.borrow_mut());
        if rows.is_empty() {
            return Ok(());
        }
        let mut text = String::with_capacity(rows.len() * 160);
        for c in &rows {
            let t = &c.tokens;
            let _ = writeln!(
                text,
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                c.id,
                c.ts_ms,
                c.source.as_str(),
                escape(&c.project),
                escape(&c.session_id),
                escape(&c.model),
                escape(&c.tier),
                t.input,
                t.output,
                t.cache_write_5m,
                t.cache_write_1h,
                t.cache_read,
                c.cost_micros,
                c.request_id.as_deref().map_or_else(|| "\\N".to_string(), escape),
                escape(&c.message_id),
                if c.is_sidechain { "t" } else { "f" },
                escape(&c.outcome),
            );
        }
        let copy = format!("COPY import_stage ({COLUMNS}) FROM STDIN");
        self.ledger.copy_in(&copy, bytes::Bytes::from(text)).context("sending imported calls (COPY)")?;
        self.ledger
            .execute(
                &format!("INSERT INTO calls ({COLUMNS}) SELECT {COLUMNS} FROM import_stage ON CONFLICT DO NOTHING"),
                &[],
            )
            .context("moving imported calls into place")?;
        self.ledger.execute("TRUNCATE import_stage", &[])?;
        Ok(())
    }
}

impl PgLedger<'_> {
    /// `COPY ... FROM STDIN` with one block of text-format data.
    pub(super) fn copy_in(&self, sql: &str, data: bytes::Bytes) -> Result<u64> {
        let client = self.client();
        self.store()
            .block(async {
                let sink = client.copy_in(sql).await?;
                futures_util::pin_mut!(sink);
                sink.send(data).await?;
                sink.finish().await
            })
            .map_err(|e| anyhow::anyhow!("shared store {}: {}", self.store().shown, super::describe(&e)))
    }
}

fn owned(id: i64, c: &ImportedCall<'_>) -> Buffered {
    Buffered {
        id,
        ts_ms: c.ts_ms,
        source: c.source,
        project: c.project.to_string(),
        session_id: c.session_id.to_string(),
        model: c.model.to_string(),
        tier: c.tier.to_string(),
        tokens: c.tokens,
        cost_micros: c.cost_micros,
        request_id: c.request_id.map(str::to_string),
        message_id: c.message_id.to_string(),
        is_sidechain: c.is_sidechain,
        outcome: c.outcome.to_string(),
    }
}

/// A value in COPY's text format: backslash, tab, newline and carriage return escaped.
pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}
