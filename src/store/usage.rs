//! Calls: one row per billed API call.

use anyhow::{Context as _, Result};
use rusqlite::params;

use super::Db;
use crate::records::prompt::BlockOutcome;
use crate::records::usage::{CallRecord, RoutingRecord};

impl Db<'_> {
    /// Records one call and returns its row id.
    pub fn insert_call(&self, c: &CallRecord) -> Result<i64> {
        let t = &c.tokens;
        self.conn
            .prepare_cached(
                "INSERT INTO calls (ts_ms, source, project, run_id, subtask_id, task, agent, model, tier, input_tokens,
                 output_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, cost_micros, batch,
                 latency_ms, request_id, message_id, session_id, is_sidechain, outcome)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
            )?
            .execute(params![
                c.ts_ms,
                c.source.as_str(),
                c.project,
                c.run_id,
                c.subtask_id,
                c.task,
                c.agent,
                c.model,
                c.tier,
                t.input as i64,
                t.output as i64,
                t.cache_write_5m as i64,
                t.cache_write_1h as i64,
                t.cache_read as i64,
                c.cost_micros,
                c.batch,
                c.latency_ms,
                c.request_id,
                c.message_id,
                c.session_id,
                c.is_sidechain,
                c.outcome,
            ])
            .context("recording a call")?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records which blocks of a call's prompt the cache served.
    pub fn insert_call_blocks(&self, call_id: i64, blocks: &[BlockOutcome]) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached("INSERT INTO call_blocks (call_id, kind, tokens, outcome) VALUES (?1, ?2, ?3, ?4)")?;
        for b in blocks {
            stmt.execute(params![call_id, b.kind.as_str(), b.tokens as i64, b.outcome.as_str()])?;
        }
        Ok(())
    }

    /// How `model`'s last `last` calls fared with one block kind: how many times it was read
    /// from the cache, how many times written, and how many calls ago it was last marked
    /// (read or written; `None` when it never was). Newest calls first, by id.
    pub fn block_outcomes(&self, model: &str, kind: &str, last: usize) -> Result<(u64, u64, Option<u64>)> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT (SELECT b.outcome FROM call_blocks b WHERE b.call_id = c.id AND b.kind = ?2 LIMIT 1)
             FROM calls c WHERE c.model = ?1 AND c.source = 'devteam' ORDER BY c.id DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![model, kind, last as i64], |r| r.get::<_, Option<String>>(0))?;
        let (mut read, mut written, mut since) = (0, 0, None);
        for (i, outcome) in rows.enumerate() {
            match outcome?.as_deref() {
                Some("read") => read += 1,
                Some("written") => written += 1,
                _ => continue,
            }
            since.get_or_insert(i as u64);
        }
        Ok((read, written, since))
    }

    /// Tokens by block kind and cache outcome over calls since `since_ms`, largest first.
    pub fn cache_by_block(&self, since_ms: i64) -> Result<Vec<(String, String, i64, i64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT b.kind, b.outcome, SUM(b.tokens), COUNT(*) FROM call_blocks b JOIN calls c ON c.id = b.call_id
             WHERE c.ts_ms >= ?1 GROUP BY b.kind, b.outcome ORDER BY b.kind, b.outcome",
        )?;
        let rows = stmt.query_map([since_ms], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect::<rusqlite::Result<_>>().context("reading cache outcomes")
    }

    /// Records a routing decision (for later learning) and returns its row id.
    pub fn insert_routing_decision(&self, d: &RoutingRecord) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO routing_decisions (ts_ms, run_id, subtask_id, task, score, tier, model, pressure, features, outcome, upgraded_to)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![d.ts_ms, d.run_id, d.subtask_id, d.task, d.score, d.tier, d.model, d.pressure, d.features, d.outcome, d.upgraded_to],
            )
            .context("recording a routing decision")?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The agents devteam called most over the last `days`, at most `limit`, sorted by id so
    /// that prompts listing them keep a stable order as counts shift.
    pub fn popular_agents(&self, since_ms: i64, limit: usize) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT agent FROM (SELECT agent, COUNT(*) AS n FROM calls WHERE source = 'devteam' AND agent != ''
             AND ts_ms >= ?1 GROUP BY agent ORDER BY n DESC, agent LIMIT ?2) ORDER BY agent",
        )?;
        let rows = stmt.query_map(params![since_ms, limit as i64], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>().context("reading popular agents")
    }

    /// When devteam last called `agent` on `model` (a run or a warm-up, in any project), if it
    /// ever did. Batch calls do not count: batches do not share the prompt cache dependably.
    pub fn last_agent_call(&self, agent: &str, model: &str) -> Result<Option<i64>> {
        self.conn
            .query_row(
                "SELECT MAX(ts_ms) FROM calls WHERE agent = ?1 AND model = ?2 AND batch = 0
                 AND source IN ('devteam', 'warm-cache')",
                params![agent, model],
                |r| r.get(0),
            )
            .context("reading an agent's last call")
    }

    /// What a run's calls cost so far, in micro-dollars.
    pub fn run_cost(&self, run_id: &str) -> Result<i64> {
        self.conn
            .query_row("SELECT COALESCE(SUM(cost_micros), 0) FROM calls WHERE run_id = ?1", [run_id], |r| r.get(0))
            .context("summing a run's calls")
    }

    /// Number of calls recorded.
    pub fn call_count(&self) -> Result<i64> {
        self.conn.query_row("SELECT COUNT(*) FROM calls", [], |r| r.get(0)).context("counting calls")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::usage::Source;
    use crate::store::Store;

    #[test]
    fn calls_round_trip() {
        let store = Store::open_in_memory().unwrap();
        let call = CallRecord::for_test().at(1).project("p").task("t").agent("a").tokens(10, 5).cost_micros(35);
        let call = call.latency_ms(12).request_id("req_1");
        assert_eq!(store.insert_call(&call).unwrap(), 1);
        assert_eq!(store.call_count().unwrap(), 1);
    }

    /// Runs on PostgreSQL too in CI (DEVTEAM_TEST_BACKEND=postgres): its `batch` is a boolean.
    #[test]
    fn an_agents_last_call_skips_batches_imports_and_other_models() {
        let store = Store::open_in_memory().unwrap();
        let call = |ts_ms: i64, source: Source, model: &str, batch: bool| {
            let call = CallRecord::for_test().at(ts_ms).source(source).project("p").task("t").agent("a");
            call.model(model).cost_micros(1).batch(batch)
        };
        assert_eq!(store.shared().last_agent_call("a", "m").unwrap(), None);
        store.insert_call(&call(10, Source::Devteam, "m", false)).unwrap();
        store.insert_call(&call(20, Source::WarmCache, "m", false)).unwrap();
        store.insert_call(&call(30, Source::Devteam, "m", true)).unwrap();
        store.insert_call(&call(40, Source::Devteam, "other", false)).unwrap();
        store.insert_call(&call(50, Source::ClaudeCode, "m", false)).unwrap();
        assert_eq!(store.shared().last_agent_call("a", "m").unwrap(), Some(20));
        assert_eq!(store.shared().last_agent_call("b", "m").unwrap(), None);
    }
}
