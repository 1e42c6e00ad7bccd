//! Calls, the blocks the cache served, and routing decisions on the shared store.

use anyhow::{Context as _, Result};
use tokio_postgres::Row;

use super::{Params, PgStore};
use crate::prompt::outcome::BlockOutcome;
use crate::usage::{CallRecord, RoutingRecord};

/// Runs one statement, on a pooled connection or inside a ledger's transaction.
pub(super) type Query<'a> = dyn Fn(&str, Params<'_>) -> Result<Vec<Row>> + 'a;

pub(super) const INSERT_CALL: &str = "INSERT INTO calls (ts_ms, source, project, run_id, subtask_id, task, agent,
    model, tier, input_tokens, output_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens,
    cost_micros, batch, latency_ms, request_id, message_id, session_id, is_sidechain, outcome, pending_key)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
    RETURNING id";

/// Records one call (with its pending key, if any) and returns its id.
pub(super) fn insert_call(query: &Query<'_>, c: &CallRecord, pending_key: Option<&str>) -> Result<i64> {
    let t = &c.tokens;
    let tokens = [t.input, t.output, t.cache_write_5m, t.cache_write_1h, t.cache_read].map(|n| n as i64);
    let rows = query(
        INSERT_CALL,
        &[
            &c.ts_ms,
            &c.source.as_str(),
            &c.project,
            &c.run_id,
            &c.subtask_id,
            &c.task,
            &c.agent,
            &c.model,
            &c.tier,
            &tokens[0],
            &tokens[1],
            &tokens[2],
            &tokens[3],
            &tokens[4],
            &c.cost_micros,
            &c.batch,
            &c.latency_ms,
            &c.request_id,
            &c.message_id,
            &c.session_id,
            &c.is_sidechain,
            &c.outcome,
            &pending_key,
        ],
    )
    .context("recording a call")?;
    Ok(rows[0].get(0))
}

impl PgStore {
    /// Records one call and returns its id.
    pub fn insert_call(&self, c: &CallRecord) -> Result<i64> {
        insert_call(&|sql, params| self.query(sql, params), c, None)
    }

    /// Records which blocks of a call's prompt the cache served.
    pub fn insert_call_blocks(&self, call_id: i64, blocks: &[BlockOutcome]) -> Result<()> {
        for b in blocks {
            self.execute(
                "INSERT INTO call_blocks (call_id, kind, tokens, outcome) VALUES ($1, $2, $3, $4)",
                &[&call_id, &b.kind.as_str(), &(b.tokens as i64), &b.outcome.as_str()],
            )?;
        }
        Ok(())
    }

    /// How `model`'s last `last` calls fared with one block kind (see the SQLite store).
    pub fn block_outcomes(&self, model: &str, kind: &str, last: usize) -> Result<(u64, u64, Option<u64>)> {
        let rows = self.query(
            "SELECT (SELECT b.outcome FROM call_blocks b WHERE b.call_id = c.id AND b.kind = $2 LIMIT 1)
             FROM calls c WHERE c.model = $1 AND c.source = 'devteam' ORDER BY c.id DESC LIMIT $3",
            &[&model, &kind, &(last as i64)],
        )?;
        let (mut read, mut written, mut since) = (0, 0, None);
        for (i, row) in rows.iter().enumerate() {
            match row.get::<_, Option<&str>>(0) {
                Some("read") => read += 1,
                Some("written") => written += 1,
                _ => continue,
            }
            since.get_or_insert(i as u64);
        }
        Ok((read, written, since))
    }

    /// Tokens by block kind and cache outcome over calls since `since_ms`.
    pub fn cache_by_block(&self, since_ms: i64) -> Result<Vec<(String, String, i64, i64)>> {
        let rows = self
            .query(
                "SELECT b.kind, b.outcome, SUM(b.tokens)::BIGINT, COUNT(*) FROM call_blocks b JOIN calls c ON c.id = b.call_id
                 WHERE c.ts_ms >= $1 GROUP BY b.kind, b.outcome ORDER BY b.kind, b.outcome",
                &[&since_ms],
            )
            .context("reading cache outcomes")?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect())
    }

    /// Records a routing decision and returns its id.
    pub fn insert_routing_decision(&self, d: &RoutingRecord) -> Result<i64> {
        let rows = self
            .query(
                "INSERT INTO routing_decisions (ts_ms, run_id, subtask_id, task, score, tier, model, pressure, features,
                 outcome, upgraded_to) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                &[
                    &d.ts_ms,
                    &d.run_id,
                    &d.subtask_id,
                    &d.task,
                    &d.score,
                    &d.tier,
                    &d.model,
                    &d.pressure,
                    &d.features,
                    &d.outcome,
                    &d.upgraded_to,
                ],
            )
            .context("recording a routing decision")?;
        Ok(rows[0].get(0))
    }

    /// The agents devteam called most since `since_ms`, at most `limit`, sorted by id.
    pub fn popular_agents(&self, since_ms: i64, limit: usize) -> Result<Vec<String>> {
        let rows = self
            .query(
                "SELECT agent FROM (SELECT agent, COUNT(*) AS n FROM calls WHERE source = 'devteam' AND agent <> ''
                 AND ts_ms >= $1 GROUP BY agent ORDER BY n DESC, agent LIMIT $2) top ORDER BY agent",
                &[&since_ms, &(limit as i64)],
            )
            .context("reading popular agents")?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// When devteam last called `agent` on `model` (a run or a warm-up, in any project).
    pub fn last_agent_call(&self, agent: &str, model: &str) -> Result<Option<i64>> {
        let rows = self
            .query(
                "SELECT MAX(ts_ms) FROM calls WHERE agent = $1 AND model = $2 AND NOT batch
                 AND source IN ('devteam', 'warm-cache')",
                &[&agent, &model],
            )
            .context("reading an agent's last call")?;
        Ok(rows[0].get(0))
    }

    /// What a run's calls cost so far, in micro-dollars.
    pub fn run_cost(&self, run_id: &str) -> Result<i64> {
        let rows = self
            .query("SELECT COALESCE(SUM(cost_micros), 0)::BIGINT FROM calls WHERE run_id = $1", &[&run_id])
            .context("summing a run's calls")?;
        Ok(rows[0].get(0))
    }

    /// Number of calls recorded.
    pub fn call_count(&self) -> Result<i64> {
        Ok(self.query("SELECT COUNT(*) FROM calls", &[]).context("counting calls")?[0].get(0))
    }
}
