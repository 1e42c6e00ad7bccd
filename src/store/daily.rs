//! Aggregates for daily reports: sums per 15-minute slot and model from the `call_buckets`
//! rollup (a few thousand rows however many calls), or per call for the rare time zone whose
//! offset is not a whole number of slots.

use anyhow::{Context as _, Result};
use rusqlite::params;

use super::Db;
use crate::records::usage::Source;
use crate::records::usage::TokenUsage;

/// Length of a rollup slot.
pub const BUCKET_MS: i64 = 15 * 60 * 1000;

/// Which calls to sum.
#[derive(Debug, Clone, Default)]
pub struct CallFilter<'a> {
    /// `None`: every source.
    pub source: Option<Source>,
    pub project: Option<&'a str>,
    /// Start, inclusive, Unix ms.
    pub from_ms: Option<i64>,
    /// End, exclusive, Unix ms.
    pub to_ms: Option<i64>,
}

/// Sums for one slot (or one call) and model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sums {
    /// Start of the slot (or the call's time), Unix ms.
    pub ts_ms: i64,
    pub model: String,
    pub calls: u64,
    pub tokens: TokenUsage,
    pub cost_micros: i64,
}

impl Db<'_> {
    /// Sums per 15-minute slot and model, slots in order: the rollup, plus the calls not yet
    /// folded into it. Bounds must be whole slots (the rollup's are rounded down).
    pub fn sums_by_slot(&self, f: &CallFilter<'_>) -> Result<Vec<Sums>> {
        let pending: bool = self.conn.query_row(
            "SELECT (SELECT IFNULL(MAX(id), 0) FROM calls) > (SELECT calls_upto FROM rollup_state)",
            [],
            |r| r.get(0),
        )?;
        let (from_ms, to_ms) = (f.from_ms.unwrap_or(i64::MIN), f.to_ms.unwrap_or(i64::MAX));
        let (from, to) = (from_ms.div_euclid(BUCKET_MS), to_ms.div_euclid(BUCKET_MS));
        if !pending {
            // The common case: everything is folded, and the rollup's key order is the grouping's.
            // A literal `source = ?1` (rather than `?1 IS NULL OR ...`) lets SQLite walk the key.
            let source = if f.source.is_some() { "source = ?1" } else { "?1 IS NULL" };
            let sql = format!(
                "SELECT bucket, model, SUM(calls), SUM(input_tokens), SUM(output_tokens),
                    SUM(cache_write_5m_tokens), SUM(cache_write_1h_tokens), SUM(cache_read_tokens), SUM(cost_micros)
                 FROM call_buckets
                 WHERE {source} AND (?2 IS NULL OR project = ?2) AND bucket >= ?3 AND bucket < ?4
                 GROUP BY bucket, model HAVING SUM(calls) > 0 ORDER BY bucket, model"
            );
            return self.sums(&sql, params![f.source.map(Source::as_str), f.project, from, to], BUCKET_MS);
        }
        let sql = format!(
            "SELECT bucket, model, SUM(n), SUM(i), SUM(o), SUM(w5), SUM(w1), SUM(r), SUM(c) FROM (
                 SELECT bucket, model, calls AS n, input_tokens AS i, output_tokens AS o, cache_write_5m_tokens AS w5,
                        cache_write_1h_tokens AS w1, cache_read_tokens AS r, cost_micros AS c
                 FROM call_buckets
                 WHERE (?1 IS NULL OR source = ?1) AND (?2 IS NULL OR project = ?2) AND bucket >= ?3 AND bucket < ?4
                 UNION ALL
                 SELECT ts_ms / {BUCKET_MS}, model, 1, input_tokens, output_tokens, cache_write_5m_tokens,
                        cache_write_1h_tokens, cache_read_tokens, cost_micros
                 FROM calls
                 WHERE id > (SELECT calls_upto FROM rollup_state) AND (?1 IS NULL OR source = ?1)
                   AND (?2 IS NULL OR project = ?2) AND ts_ms >= ?5 AND ts_ms < ?6)
             GROUP BY bucket, model HAVING SUM(n) > 0 ORDER BY bucket, model"
        );
        let params = params![f.source.map(Source::as_str), f.project, from, to, from_ms, to_ms];
        self.sums(&sql, params, BUCKET_MS)
    }

    /// Sums per call (no rollup): for time zones whose offsets are not whole slots.
    pub fn sums_by_call(&self, f: &CallFilter<'_>) -> Result<Vec<Sums>> {
        let sql = "SELECT ts_ms, model, COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cache_write_5m_tokens),
                   SUM(cache_write_1h_tokens), SUM(cache_read_tokens), SUM(cost_micros) FROM calls
             WHERE (?1 IS NULL OR source = ?1) AND (?2 IS NULL OR project = ?2) AND ts_ms >= ?3 AND ts_ms < ?4
             GROUP BY ts_ms, model ORDER BY ts_ms, model";
        let (from, to) = (f.from_ms.unwrap_or(i64::MIN), f.to_ms.unwrap_or(i64::MAX));
        self.sums(sql, params![f.source.map(Source::as_str), f.project, from, to], 1)
    }

    fn sums(&self, sql: &str, params: impl rusqlite::Params, unit_ms: i64) -> Result<Vec<Sums>> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map(params, |r| {
            let n = |i: usize| r.get::<_, i64>(i).map(|v| v.max(0) as u64);
            Ok(Sums {
                ts_ms: r.get::<_, i64>(0)? * unit_ms,
                model: r.get(1)?,
                calls: n(2)?,
                tokens: TokenUsage {
                    input: n(3)?,
                    output: n(4)?,
                    cache_write_5m: n(5)?,
                    cache_write_1h: n(6)?,
                    cache_read: n(7)?,
                },
                cost_micros: r.get(8)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>().context("summing calls")
    }
}

impl Db<'_> {
    /// Folds the calls added since the last fold into the rollup when there are more than
    /// `threshold` of them, so that reports stay fast on stores that are never imported into.
    /// A store busy with another writer is left as it is (reports add those calls on the fly).
    pub fn fold_rollup_if_behind(&self, threshold: u64) -> Result<()> {
        let behind: i64 = self.conn.query_row(
            "SELECT (SELECT IFNULL(MAX(id), 0) FROM calls) - (SELECT calls_upto FROM rollup_state)",
            [],
            |r| r.get(0),
        )?;
        if behind <= threshold as i64 {
            return Ok(());
        }
        self.conn.busy_timeout(std::time::Duration::from_millis(50))?;
        let folded = (|| -> rusqlite::Result<()> {
            let tx = rusqlite::Transaction::new_unchecked(self.conn, rusqlite::TransactionBehavior::Immediate)?;
            fold_pending(&tx)?;
            tx.commit()
        })();
        self.conn.busy_timeout(super::busy_timeout())?;
        match folded {
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DatabaseBusy => Ok(()),
            other => other.context("folding new calls into the rollup"),
        }
    }
}

/// Folds every call newer than the mark into the rollup (inside the caller's transaction).
pub(super) fn fold_pending(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute_batch(&format!(
        "INSERT INTO call_buckets
         SELECT source, ts_ms / {BUCKET_MS}, model, project, COUNT(*), SUM(input_tokens), SUM(output_tokens),
                SUM(cache_write_5m_tokens), SUM(cache_write_1h_tokens), SUM(cache_read_tokens), SUM(cost_micros)
         FROM calls WHERE id > (SELECT calls_upto FROM rollup_state) GROUP BY 1, 2, 3, 4
         ON CONFLICT DO UPDATE SET {ADD};
         UPDATE rollup_state SET calls_upto = (SELECT IFNULL(MAX(id), 0) FROM calls);"
    ))
}

/// Adds `excluded`'s sums to a bucket row (the upsert's update clause).
pub(super) const ADD: &str = "calls = calls + excluded.calls,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cache_write_5m_tokens = cache_write_5m_tokens + excluded.cache_write_5m_tokens,
    cache_write_1h_tokens = cache_write_1h_tokens + excluded.cache_write_1h_tokens,
    cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
    cost_micros = cost_micros + excluded.cost_micros";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ImportedCall;
    use crate::store::Store;

    fn call(ts_ms: i64, model: &str, project: &str, output: u64) -> ImportedCall<'static> {
        let (model, project) = (model.to_string().leak(), project.to_string().leak());
        ImportedCall {
            ts_ms,
            source: Source::ClaudeCode,
            project,
            session_id: "s",
            model,
            tier: "",
            tokens: TokenUsage { output, ..TokenUsage::default() },
            cost_micros: output as i64,
            request_id: None,
            message_id: "m",
            is_sidechain: false,
            outcome: "ok",
        }
    }

    fn add(store: &Store, calls: &[ImportedCall<'_>]) {
        let tx = store.begin_import().unwrap();
        for c in calls {
            tx.insert_call(c).unwrap();
        }
        tx.commit().unwrap();
    }

    fn slots(store: &Store) -> Vec<(i64, String, u64, u64)> {
        let all = store.sums_by_slot(&CallFilter::default()).unwrap();
        all.into_iter().map(|s| (s.ts_ms, s.model, s.calls, s.tokens.output)).collect()
    }

    #[test]
    fn pending_and_folded_calls_sum_the_same_and_folded_ones_follow_updates_and_deletes() {
        let store = Store::open_in_memory().unwrap();
        add(&store, &[call(10, "a", "p", 5), call(20, "a", "p", 7), call(BUCKET_MS + 1, "b", "q", 1)]);
        let pending = slots(&store);
        assert_eq!(pending, vec![(0, "a".into(), 2, 12), (BUCKET_MS, "b".into(), 1, 1)]);
        store.db(|db| fold_pending(db.conn)).unwrap();
        assert_eq!(slots(&store), pending);
        store
            .db(|db| db.conn.execute("UPDATE calls SET output_tokens = 100, model = 'b' WHERE ts_ms = 20", []))
            .unwrap();
        store.db(|db| db.conn.execute("DELETE FROM calls WHERE ts_ms = 10", [])).unwrap();
        assert_eq!(slots(&store), vec![(0, "b".into(), 1, 100), (BUCKET_MS, "b".into(), 1, 1)]);
        // The newest call deleted, its id comes back: the new call must still count.
        store.db(|db| db.conn.execute("DELETE FROM calls WHERE ts_ms = ?1", [BUCKET_MS + 1])).unwrap();
        add(&store, &[call(BUCKET_MS + 2, "c", "q", 3)]);
        assert_eq!(slots(&store), vec![(0, "b".into(), 1, 100), (BUCKET_MS, "c".into(), 1, 3)]);
    }

    #[test]
    fn filters_apply_to_both_halves_and_the_exact_path_agrees() {
        let store = Store::open_in_memory().unwrap();
        add(&store, &[call(10, "a", "p", 5), call(BUCKET_MS * 4, "a", "q", 7)]);
        store.db(|db| fold_pending(db.conn)).unwrap();
        add(&store, &[call(BUCKET_MS * 2, "a", "q", 1)]);
        let q = CallFilter { project: Some("q"), from_ms: Some(BUCKET_MS), ..CallFilter::default() };
        let got: Vec<_> = store.sums_by_slot(&q).unwrap().into_iter().map(|s| s.tokens.output).collect();
        assert_eq!(got, vec![1, 7]);
        let exact: Vec<_> = store.sums_by_call(&q).unwrap().into_iter().map(|s| s.tokens.output).collect();
        assert_eq!(exact, vec![1, 7]);
        let none = CallFilter { source: Some(Source::Devteam), ..CallFilter::default() };
        assert!(store.sums_by_slot(&none).unwrap().is_empty());
    }

    #[test]
    fn a_store_far_behind_is_folded_by_the_report_and_sums_do_not_change() {
        let store = Store::open_in_memory().unwrap();
        add(&store, &[call(10, "a", "p", 5), call(20, "a", "p", 7), call(BUCKET_MS, "b", "q", 1)]);
        let before = slots(&store);
        store.fold_rollup_if_behind(5).unwrap();
        let upto: i64 =
            store.db(|db| db.conn.query_row("SELECT calls_upto FROM rollup_state", [], |r| r.get(0))).unwrap();
        assert_eq!(upto, 0, "under the threshold nothing is folded");
        store.fold_rollup_if_behind(2).unwrap();
        let upto: i64 =
            store.db(|db| db.conn.query_row("SELECT calls_upto FROM rollup_state", [], |r| r.get(0))).unwrap();
        assert_eq!(upto, 3);
        assert_eq!(slots(&store), before);
    }
}
