//! What cache warming plans from: devteam's own calls (runs and warm-ups) for one project.

use anyhow::{Context as _, Result};
use rusqlite::params;

use super::Db;
use crate::records::usage::Source;
use crate::records::warm::PastCall;

impl Db<'_> {
    /// Calls devteam made for `project` (every project's when `None`) since `since_ms`, oldest
    /// first: runs (usage to predict from) and warm-ups (they keep cache entries alive). Batch calls are left out: batches do
    /// not share the prompt cache dependably. Calls without an agent (reranking) are left out.
    pub fn cache_history(&self, since_ms: i64, project: Option<&str>) -> Result<Vec<PastCall>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT ts_ms, agent, model, source FROM calls WHERE ts_ms >= ?1 AND (?2 IS NULL OR project = ?2) AND batch = 0
             AND agent != '' AND source IN (?3, ?4) ORDER BY ts_ms, id",
        )?;
        let (runs, warm_ups) = (Source::Devteam.as_str(), Source::WarmCache.as_str());
        let rows = stmt.query_map(params![since_ms, project, runs, warm_ups], |r| {
            Ok(PastCall {
                ts_ms: r.get(0)?,
                agent: r.get(1)?,
                model: r.get(2)?,
                warm_up: r.get::<_, String>(3)? == warm_ups,
            })
        })?;
        rows.collect::<rusqlite::Result<_>>().context("reading the call history")
    }
}
