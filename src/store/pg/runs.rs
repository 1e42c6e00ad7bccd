//! Orchestrated runs on the shared store: runs, subtasks, messages and outputs.

use anyhow::{Context as _, Result};
use tokio_postgres::Row;

use super::PgStore;
use crate::records::run::{MessageRecord, RunListing, RunRecord, Status, SubtaskRecord};

const SUBTASK_COLUMNS: &str = "run_id, id, title, agent, depends_on, tier, model, status, attempts, summary, \
    summary_tokens, output_id, cost_micros, started_ms, finished_ms, error";

impl PgStore {
    pub(super) fn pg_save_run(&self, r: &RunRecord) -> Result<()> {
        self.execute(
            "INSERT INTO runs (id, ts_ms, task, project, status, planned, plan, note, final_output_id, wall_ms, cost_micros)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (id) DO UPDATE SET status = $5, planned = $6, plan = $7, note = $8, final_output_id = $9,
             wall_ms = $10, cost_micros = $11",
            &[
                &r.id,
                &r.ts_ms,
                &r.task,
                &r.project,
                &r.status.as_str(),
                &r.planned,
                &r.plan,
                &r.note,
                &r.final_output_id,
                &r.wall_ms,
                &r.cost_micros,
            ],
        )
        .context("storing run")?;
        Ok(())
    }

    pub(super) fn pg_save_output(&self, run_id: &str, subtask_id: Option<&str>, text: &str) -> Result<i64> {
        let rows = self
            .query(
                "INSERT INTO outputs (run_id, subtask_id, text, tokens, bytes) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[&run_id, &subtask_id, &text, &(crate::tokens::estimate(text) as i64), &(text.len() as i64)],
            )
            .context("storing output")?;
        Ok(rows[0].get(0))
    }

    pub(super) fn pg_save_subtask(&self, s: &SubtaskRecord) -> Result<()> {
        let depends = serde_json::to_string(&s.depends_on)?;
        self.execute(
            &format!(
                "INSERT INTO subtasks ({SUBTASK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                 ON CONFLICT (run_id, id) DO UPDATE SET title = $3, agent = $4, depends_on = $5, tier = $6, model = $7,
                 status = $8, attempts = $9, summary = $10, summary_tokens = $11, output_id = $12, cost_micros = $13,
                 started_ms = $14, finished_ms = $15, error = $16"
            ),
            &[
                &s.run_id,
                &s.id,
                &s.title,
                &s.agent,
                &depends,
                &s.tier,
                &s.model,
                &s.status.as_str(),
                &i64::from(s.attempts),
                &s.summary,
                &(s.summary_tokens as i64),
                &s.output_id,
                &s.cost_micros,
                &s.started_ms,
                &s.finished_ms,
                &s.error,
            ],
        )
        .context("storing subtask")?;
        Ok(())
    }

    pub(super) fn pg_save_message(&self, m: &MessageRecord) -> Result<()> {
        self.execute(
            "INSERT INTO messages (run_id, from_subtask, to_subtask, summary, summary_tokens, output_id)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&m.run_id, &m.from, &m.to, &m.summary, &(m.summary_tokens as i64), &m.output_id],
        )
        .context("storing message")?;
        Ok(())
    }

    pub(super) fn pg_list_runs(&self, limit: usize) -> Result<Vec<RunListing>> {
        let rows = self
            .query(
                "SELECT r.id, r.ts_ms, r.task, r.status, (SELECT COUNT(*) FROM subtasks s WHERE s.run_id = r.id),
                 r.cost_micros, r.wall_ms FROM runs r ORDER BY r.ts_ms DESC LIMIT $1",
                &[&(limit as i64)],
            )
            .context("listing runs")?;
        Ok(rows
            .iter()
            .map(|r| RunListing {
                id: r.get(0),
                ts_ms: r.get(1),
                task: r.get(2),
                status: Status::parse(r.get::<_, &str>(3)),
                subtasks: r.get::<_, i64>(4) as usize,
                cost_micros: r.get(5),
                wall_ms: r.get(6),
            })
            .collect())
    }

    pub(super) fn pg_run_ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<String>> {
        let rows = self
            .query(
                "SELECT id FROM runs WHERE left(id, length($1)) = $1 ORDER BY id = $1 DESC, ts_ms DESC LIMIT $2",
                &[&prefix, &(limit as i64)],
            )
            .context("finding runs by id prefix")?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    pub(super) fn pg_run(&self, id: &str) -> Result<Option<RunRecord>> {
        let rows = self
            .query(
                "SELECT id, ts_ms, task, project, status, planned, plan, note, final_output_id, wall_ms, cost_micros
                 FROM runs WHERE id = $1",
                &[&id],
            )
            .context("reading run")?;
        Ok(rows.first().map(|r| RunRecord {
            id: r.get(0),
            ts_ms: r.get(1),
            task: r.get(2),
            project: r.get(3),
            status: Status::parse(r.get::<_, &str>(4)),
            planned: r.get(5),
            plan: r.get(6),
            note: r.get(7),
            final_output_id: r.get(8),
            wall_ms: r.get(9),
            cost_micros: r.get(10),
        }))
    }

    pub(super) fn pg_subtasks(&self, run_id: &str) -> Result<Vec<SubtaskRecord>> {
        let rows = self
            .query(
                &format!(
                    "SELECT {SUBTASK_COLUMNS} FROM subtasks WHERE run_id = $1 ORDER BY COALESCE(started_ms, 0), id"
                ),
                &[&run_id],
            )
            .context("reading subtasks")?;
        Ok(rows.iter().map(subtask_from_row).collect())
    }

    pub(super) fn pg_messages(&self, run_id: &str) -> Result<Vec<MessageRecord>> {
        let rows = self
            .query(
                "SELECT run_id, from_subtask, to_subtask, summary, summary_tokens, output_id FROM messages
                 WHERE run_id = $1 ORDER BY id",
                &[&run_id],
            )
            .context("reading messages")?;
        Ok(rows
            .iter()
            .map(|r| MessageRecord {
                run_id: r.get(0),
                from: r.get(1),
                to: r.get(2),
                summary: r.get(3),
                summary_tokens: r.get::<_, i64>(4) as usize,
                output_id: r.get(5),
            })
            .collect())
    }

    pub(super) fn pg_output(&self, id: i64) -> Result<Option<String>> {
        let rows = self.query("SELECT text FROM outputs WHERE id = $1", &[&id]).context("reading output")?;
        Ok(rows.first().map(|r| r.get(0)))
    }

    pub(super) fn pg_output_bytes(&self, run_id: &str) -> Result<i64> {
        let rows = self
            .query("SELECT COALESCE(SUM(bytes), 0)::BIGINT FROM outputs WHERE run_id = $1", &[&run_id])
            .context("sizing outputs")?;
        Ok(rows[0].get(0))
    }
}

fn subtask_from_row(r: &Row) -> SubtaskRecord {
    SubtaskRecord {
        run_id: r.get(0),
        id: r.get(1),
        title: r.get(2),
        agent: r.get(3),
        depends_on: serde_json::from_str(r.get::<_, &str>(4)).unwrap_or_default(),
        tier: r.get(5),
        model: r.get(6),
        status: Status::parse(r.get::<_, &str>(7)),
        attempts: u32::try_from(r.get::<_, i64>(8)).unwrap_or(u32::MAX),
        summary: r.get(9),
        summary_tokens: r.get::<_, i64>(10) as usize,
        output_id: r.get(11),
        cost_micros: r.get(12),
        started_ms: r.get(13),
        finished_ms: r.get(14),
        error: r.get(15),
    }
}
