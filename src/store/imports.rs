//! Imports of other tools' usage logs: per-file progress (`import_files`) and the calls they
//! add, written in one immediate transaction so that two imports at once cannot both insert a
//! call, and a killed import leaves nothing half-done.

use anyhow::{Context as _, Result};
use rusqlite::{OptionalExtension, params};

use super::pool::Pooled;
use super::{Db, SqliteStore};
use crate::records::usage::Source;
use crate::records::usage::TokenUsage;

/// How far a log file has been imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFile {
    pub path: String,
    pub device: u64,
    pub inode: u64,
    pub size: u64,
    /// Bytes imported: the next import starts here.
    pub offset: u64,
    pub mtime_ns: i64,
    /// Lines imported so far.
    pub lines: u64,
    /// Lines skipped as malformed or invalid so far.
    pub skipped_lines: u64,
}

/// A call read from a log, its strings borrowed from the importer.
#[derive(Debug, Clone)]
pub struct ImportedCall<'a> {
    pub ts_ms: i64,
    pub source: Source,
    pub project: &'a str,
    pub session_id: &'a str,
    pub model: &'a str,
    pub tier: &'a str,
    pub tokens: TokenUsage,
    pub cost_micros: i64,
    pub request_id: Option<&'a str>,
    pub message_id: &'a str,
    pub is_sidechain: bool,
    pub outcome: &'a str,
}

/// What the store holds for a message id, to merge a newly read line with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCall {
    pub id: i64,
    pub request_id: Option<String>,
    pub is_sidechain: bool,
    pub tokens: TokenUsage,
    pub cost_micros: i64,
}

/// Sums of the calls an import added to one rollup slot.
#[derive(Debug, Clone)]
pub struct SlotSums<'a> {
    pub source: Source,
    /// `ts_ms / BUCKET_MS`.
    pub bucket: i64,
    pub model: &'a str,
    pub project: &'a str,
    pub calls: u64,
    pub tokens: TokenUsage,
    pub cost_micros: i64,
}

/// An open import: one immediate transaction on a connection of its own (dropped without
/// `commit`, the pool rolls it back when the connection returns).
pub struct SqliteImportTx<'a> {
    tx: Pooled<'a>,
    /// The SQL of the indexes dropped for a bulk load, to rebuild at commit.
    suspended: Vec<String>,
}

impl Db<'_> {
    /// Every file imported from `source`.
    pub fn import_files(&self, source: Source) -> Result<Vec<ImportFile>> {
        let mut stmt = self.conn.prepare(
            "SELECT path, device, inode, size, offset, mtime_ns, lines, skipped_lines FROM import_files WHERE source = ?1",
        )?;
        let rows = stmt.query_map([source.as_str()], |r| {
            Ok(ImportFile {
                path: r.get(0)?,
                device: r.get::<_, i64>(1)? as u64,
                inode: r.get::<_, i64>(2)? as u64,
                size: r.get::<_, i64>(3)? as u64,
                offset: r.get::<_, i64>(4)? as u64,
                mtime_ns: r.get(5)?,
                lines: r.get::<_, i64>(6)? as u64,
                skipped_lines: r.get::<_, i64>(7)? as u64,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>().context("reading import state")
    }
}

impl SqliteStore {
    /// Starts writing an import; other writers wait until it commits. Calls not yet in the
    /// rollup are folded in first, so that the calls this import adds are the only ones left.
    pub(super) fn begin_sqlite_import(&self) -> Result<SqliteImportTx<'_>> {
        let conn = self.connection()?;
        conn.execute_batch("BEGIN IMMEDIATE").context("locking the store")?;
        super::daily::fold_pending(&conn).context("folding new calls into the rollup")?;
        Ok(SqliteImportTx { tx: conn, suspended: Vec::new() })
    }
}

impl SqliteImportTx<'_> {
    /// Whether any call from `source` is stored (a first import needs no merging).
    pub fn has_calls(&self, source: Source) -> Result<bool> {
        let found: Option<i64> = self
            .tx
            .query_row("SELECT 1 FROM calls WHERE source = ?1 LIMIT 1", [source.as_str()], |r| r.get(0))
            .optional()?;
        Ok(found.is_some())
    }

    /// Roughly how many calls the store holds (the largest id).
    pub fn calls_estimate(&self) -> Result<u64> {
        let max: i64 = self.tx.query_row("SELECT IFNULL(MAX(id), 0) FROM calls", [], |r| r.get(0))?;
        Ok(max as u64)
    }

    /// Drops the indexes of `calls` until commit, which rebuilds them: for a load larger than
    /// the table, building an index once from sorted keys is several times faster than
    /// inserting into it row by row (at random, for message ids). Lookups are slow meanwhile.
    pub fn expect_bulk_load(&mut self) -> Result<()> {
        let mut stmt = self.tx.prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' AND sql IS NOT NULL",
        )?;
        let indexes = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        drop(stmt);
        for (name, sql) in indexes {
            self.tx.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
            self.suspended.push(sql);
        }
        Ok(())
    }

    /// Adds the sums of the calls this import inserted to the rollup, and marks every call
    /// as folded. Call after the last insert.
    pub fn add_to_rollup(&self, slots: &[SlotSums<'_>]) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "INSERT INTO call_buckets VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT DO UPDATE SET {}",
            super::daily::ADD
        ))?;
        for s in slots {
            let t = &s.tokens;
            stmt.execute(params![
                s.source.as_str(),
                s.bucket,
                s.model,
                s.project,
                s.calls as i64,
                t.input as i64,
                t.output as i64,
                t.cache_write_5m as i64,
                t.cache_write_1h as i64,
                t.cache_read as i64,
                s.cost_micros,
            ])?;
        }
        self.tx.execute("UPDATE rollup_state SET calls_upto = (SELECT IFNULL(MAX(id), 0) FROM calls)", [])?;
        Ok(())
    }

    /// The stored calls of `source` with this message id, oldest first.
    pub fn calls_with_message(&self, source: Source, message_id: &str) -> Result<Vec<StoredCall>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT id, request_id, is_sidechain, input_tokens, output_tokens, cache_write_5m_tokens,
                    cache_write_1h_tokens, cache_read_tokens, cost_micros
             FROM calls WHERE message_id = ?1 AND source = ?2 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![message_id, source.as_str()], |r| {
            Ok(StoredCall {
                id: r.get(0)?,
                request_id: r.get(1)?,
                is_sidechain: r.get(2)?,
                tokens: TokenUsage {
                    input: r.get::<_, i64>(3)? as u64,
                    output: r.get::<_, i64>(4)? as u64,
                    cache_write_5m: r.get::<_, i64>(5)? as u64,
                    cache_write_1h: r.get::<_, i64>(6)? as u64,
                    cache_read: r.get::<_, i64>(7)? as u64,
                },
                cost_micros: r.get(8)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>().context("looking up imported calls")
    }

    /// Adds a call and returns its row id.
    pub fn insert_call(&self, c: &ImportedCall<'_>) -> Result<i64> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO calls (ts_ms, source, project, session_id, model, tier, input_tokens, output_tokens,
                 cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, cost_micros, request_id, message_id,
                 is_sidechain, outcome)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?;
        stmt.execute(call_params(c)).context("recording an imported call")?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Replaces a stored call with a larger (or winning) line of the same call.
    pub fn replace_call(&self, id: i64, c: &ImportedCall<'_>) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(
            "UPDATE calls SET ts_ms = ?1, source = ?2, project = ?3, session_id = ?4, model = ?5, tier = ?6,
                 input_tokens = ?7, output_tokens = ?8, cache_write_5m_tokens = ?9, cache_write_1h_tokens = ?10,
                 cache_read_tokens = ?11, cost_micros = ?12, request_id = ?13, message_id = ?14, is_sidechain = ?15,
                 outcome = ?16
             WHERE id = ?17",
        )?;
        let p = call_params(c);
        stmt.execute(params![p.0, p.1, p.2, p.3, p.4, p.5, p.6, p.7, p.8, p.9, p.10, p.11, p.12, p.13, p.14, p.15, id])
            .context("updating an imported call")?;
        Ok(())
    }

    /// Records how far a file has been imported.
    pub fn save_file(&self, source: Source, f: &ImportFile) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT OR REPLACE INTO import_files (path, source, device, inode, size, offset, mtime_ns, lines, skipped_lines)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        stmt.execute(params![
            f.path,
            source.as_str(),
            f.device as i64,
            f.inode as i64,
            f.size as i64,
            f.offset as i64,
            f.mtime_ns,
            f.lines as i64,
            f.skipped_lines as i64,
        ])
        .with_context(|| format!("recording import progress of {}", f.path))?;
        Ok(())
    }

    pub fn commit(self) -> Result<()> {
        if !self.suspended.is_empty() {
            // SQLite may merge sorted runs on a second thread while it builds the indexes.
            self.tx.pragma_update(None, "threads", 2)?;
        }
        for sql in &self.suspended {
            self.tx.execute_batch(sql).context("rebuilding the indexes of calls")?;
        }
        self.tx.execute_batch("COMMIT").context("committing the import")
    }
}

type CallParams<'a> = (
    i64,
    &'static str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    Option<&'a str>,
    &'a str,
    bool,
    &'a str,
);

fn call_params<'a>(c: &ImportedCall<'a>) -> CallParams<'a> {
    let t = &c.tokens;
    (
        c.ts_ms,
        c.source.as_str(),
        c.project,
        c.session_id,
        c.model,
        c.tier,
        t.input as i64,
        t.output as i64,
        t.cache_write_5m as i64,
        t.cache_write_1h as i64,
        t.cache_read as i64,
        c.cost_micros,
        c.request_id,
        c.message_id,
        c.is_sidechain,
        c.outcome,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn call<'a>(message_id: &'a str, output: u64) -> ImportedCall<'a> {
        ImportedCall {
            ts_ms: 1_000_000_000_000,
            source: Source::ClaudeCode,
            project: "p",
            session_id: "s",
            model: "claude-haiku-4-5",
            tier: "haiku",
            tokens: TokenUsage { input: 1, output, ..TokenUsage::default() },
            cost_micros: 5,
            request_id: Some("r"),
            message_id,
            is_sidechain: false,
            outcome: "ok",
        }
    }

    #[test]
    fn calls_are_found_by_message_and_replaced_in_place() {
        let store = Store::open_in_memory().unwrap();
        let tx = store.begin_import().unwrap();
        assert!(!tx.has_calls(Source::ClaudeCode).unwrap());
        tx.insert_call(&call("m1", 2)).unwrap();
        let found = tx.calls_with_message(Source::ClaudeCode, "m1").unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].request_id.as_deref(), Some("r"));
        tx.replace_call(found[0].id, &call("m1", 9)).unwrap();
        assert_eq!(tx.calls_with_message(Source::ClaudeCode, "m1").unwrap()[0].tokens.output, 9);
        assert!(tx.calls_with_message(Source::Devteam, "m1").unwrap().is_empty());
        tx.commit().unwrap();
        assert_eq!(store.call_count().unwrap(), 1);
    }

    #[test]
    fn a_bulk_load_rebuilds_the_message_index_and_the_rollup_counts_each_call_once() {
        let store = Store::open_in_memory().unwrap();
        let mut tx = store.begin_import().unwrap();
        tx.expect_bulk_load().unwrap();
        tx.insert_call(&call("m1", 2)).unwrap();
        let slot = SlotSums {
            source: Source::ClaudeCode,
            bucket: call("m1", 2).ts_ms / crate::store::BUCKET_MS,
            model: "claude-haiku-4-5",
            project: "p",
            calls: 1,
            tokens: call("m1", 2).tokens,
            cost_micros: 5,
        };
        tx.add_to_rollup(std::slice::from_ref(&slot)).unwrap();
        tx.commit().unwrap();
        let plan: String = store
            .db(|db| {
                db.conn.query_row("EXPLAIN QUERY PLAN SELECT id FROM calls WHERE message_id = 'm1'", [], |r| r.get(3))
            })
            .unwrap();
        assert!(plan.contains("calls_message"), "{plan}");
        let sums = store.sums_by_slot(&crate::store::CallFilter::default()).unwrap();
        assert_eq!((sums.len(), sums[0].calls, sums[0].tokens.output), (1, 1, 2));
        // A second import folds nothing twice.
        store.begin_import().unwrap().commit().unwrap();
        assert_eq!(store.sums_by_slot(&crate::store::CallFilter::default()).unwrap()[0].calls, 1);
    }

    #[test]
    fn file_progress_round_trips() {
        let store = Store::open_in_memory().unwrap();
        let f = ImportFile {
            path: "/x/a.jsonl".into(),
            device: 1,
            inode: 2,
            size: 30,
            offset: 20,
            mtime_ns: 7,
            lines: 3,
            skipped_lines: 1,
        };
        let tx = store.begin_import().unwrap();
        tx.save_file(Source::ClaudeCode, &f).unwrap();
        tx.save_file(Source::ClaudeCode, &ImportFile { offset: 30, ..f.clone() }).unwrap();
        tx.commit().unwrap();
        assert_eq!(store.import_files(Source::ClaudeCode).unwrap(), vec![ImportFile { offset: 30, ..f }]);
        assert!(store.import_files(Source::Devteam).unwrap().is_empty());
    }
}
