//! Orchestrated runs: runs, subtasks, messages and outputs.

use anyhow::{Context as _, Result};
use rusqlite::{OptionalExtension, Row, params};

use super::Db;
use crate::records::run::{MessageRecord, RunListing, RunRecord, Status, SubtaskRecord};

const SUBTASK_COLUMNS: &str = "run_id, id, title, agent, depends_on, tier, model, status, attempts, summary, summary_tokens, \
     output_id, cost_micros, started_ms, finished_ms, error";

impl Db<'_> {
    /// Creates or replaces a run's row.
    pub fn save_run(&self, r: &RunRecord) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO runs (id, ts_ms, task, project, status, planned, plan, note, final_output_id, wall_ms, cost_micros)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (id) DO UPDATE SET status = ?5, planned = ?6, plan = ?7, note = ?8, final_output_id = ?9,
                 wall_ms = ?10, cost_micros = ?11",
                params![
                    r.id,
                    r.ts_ms,
                    r.task,
                    r.project,
                    r.status.as_str(),
                    r.planned,
                    r.plan,
                    r.note,
                    r.final_output_id,
                    r.wall_ms,
                    r.cost_micros
                ],
            )
            .context("storing run")?;
        Ok(())
    }

    /// Stores a full output and returns its reference.
    pub fn save_output(&self, run_id: &str, subtask_id: Option<&str>, text: &str) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO outputs (run_id, subtask_id, text, tokens, bytes) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![run_id, subtask_id, text, crate::tokens::estimate(text) as i64, text.len() as i64],
            )
            .context("storing output")?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Creates or replaces a subtask's row.
    pub fn save_subtask(&self, s: &SubtaskRecord) -> Result<()> {
        self.conn
            .execute(
                &format!(
                    "INSERT OR REPLACE INTO subtasks ({SUBTASK_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
                ),
                params![
                    s.run_id,
                    s.id,
                    s.title,
                    s.agent,
                    serde_json::to_string(&s.depends_on)?,
                    s.tier,
                    s.model,
                    s.status.as_str(),
                    s.attempts,
                    s.summary,
                    s.summary_tokens as i64,
                    s.output_id,
                    s.cost_micros,
                    s.started_ms,
                    s.finished_ms,
                    s.error
                ],
            )
            .context("storing subtask")?;
        Ok(())
    }

    /// Records a hand-over between subtasks.
    pub fn save_message(&self, m: &MessageRecord) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO messages (run_id, from_subtask, to_subtask, summary, summary_tokens, output_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![m.run_id, m.from, m.to, m.summary, m.summary_tokens as i64, m.output_id],
            )
            .context("storing message")?;
        Ok(())
    }

    /// The most recent runs, newest first.
    pub fn list_runs(&self, limit: usize) -> Result<Vec<RunListing>> {
        let mut stmt = self.conn.prepare(
            "SELECT r.id, r.ts_ms, r.task, r.status, (SELECT COUNT(*) FROM subtasks s WHERE s.run_id = r.id), r.cost_micros,
             r.wall_ms FROM runs r ORDER BY r.ts_ms DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(RunListing {
                id: r.get(0)?,
                ts_ms: r.get(1)?,
                task: r.get(2)?,
                status: Status::parse(&r.get::<_, String>(3)?),
                subtasks: r.get::<_, i64>(4)? as usize,
                cost_micros: r.get(5)?,
                wall_ms: r.get(6)?,
            })
        })?;
        rows.collect::<rusqlite::Result<_>>().context("listing runs")
    }

    /// Ids of the runs whose id starts with `prefix` (the exact id first), at most `limit`.
    /// Compared with `substr`, not `LIKE`, so `_` and `%` in the prefix are plain characters.
    pub fn run_ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT id FROM runs WHERE substr(id, 1, length(?1)) = ?1 ORDER BY id = ?1 DESC, ts_ms DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(rusqlite::params![prefix, limit as i64], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>().context("finding runs by id prefix")
    }

    /// One run, by its exact id.
    pub fn run(&self, id: &str) -> Result<Option<RunRecord>> {
        self.conn
            .query_row(
                "SELECT id, ts_ms, task, project, status, planned, plan, note, final_output_id, wall_ms, cost_micros
                 FROM runs WHERE id = ?1",
                [id],
                |r| {
                    Ok(RunRecord {
                        id: r.get(0)?,
                        ts_ms: r.get(1)?,
                        task: r.get(2)?,
                        project: r.get(3)?,
                        status: Status::parse(&r.get::<_, String>(4)?),
                        planned: r.get(5)?,
                        plan: r.get(6)?,
                        note: r.get(7)?,
                        final_output_id: r.get(8)?,
                        wall_ms: r.get(9)?,
                        cost_micros: r.get(10)?,
                    })
                },
            )
            .optional()
            .context("reading run")
    }

    /// A run's subtasks in the order they were planned.
    pub fn subtasks(&self, run_id: &str) -> Result<Vec<SubtaskRecord>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {SUBTASK_COLUMNS} FROM subtasks WHERE run_id = ?1 ORDER BY COALESCE(started_ms, 0), id"
        ))?;
        let rows = stmt.query_map([run_id], subtask_from_row)?;
        rows.collect::<rusqlite::Result<_>>().context("reading subtasks")
    }

    /// A run's messages.
    pub fn messages(&self, run_id: &str) -> Result<Vec<MessageRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT run_id, from_subtask, to_subtask, summary, summary_tokens, output_id FROM messages WHERE run_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([run_id], |r| {
            Ok(MessageRecord {
                run_id: r.get(0)?,
                from: r.get(1)?,
                to: r.get(2)?,
                summary: r.get(3)?,
                summary_tokens: r.get::<_, i64>(4)? as usize,
                output_id: r.get(5)?,
            })
        })?;
        rows.collect::<rusqlite::Result<_>>().context("reading messages")
    }

    /// A full output by reference.
    pub fn output(&self, id: i64) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT text FROM outputs WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .context("reading output")
    }

    /// Total bytes of a run's full outputs.
    pub fn output_bytes(&self, run_id: &str) -> Result<i64> {
        self.conn
            .query_row("SELECT COALESCE(SUM(bytes), 0) FROM outputs WHERE run_id = ?1", [run_id], |r| r.get(0))
            .context("sizing outputs")
    }
}

fn subtask_from_row(r: &Row<'_>) -> rusqlite::Result<SubtaskRecord> {
    Ok(SubtaskRecord {
        run_id: r.get(0)?,
        id: r.get(1)?,
        title: r.get(2)?,
        agent: r.get(3)?,
        depends_on: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or_default(),
        tier: r.get(5)?,
        model: r.get(6)?,
        status: Status::parse(&r.get::<_, String>(7)?),
        attempts: r.get(8)?,
        summary: r.get(9)?,
        summary_tokens: r.get::<_, i64>(10)? as usize,
        output_id: r.get(11)?,
        cost_micros: r.get(12)?,
        started_ms: r.get(13)?,
        finished_ms: r.get(14)?,
        error: r.get(15)?,
    })
}
