//! Counterfactual calls: what the unoptimized system would have sent where devteam sent
//! nothing (the whole-library discovery call), recorded per run for savings reports.

use anyhow::{Context as _, Result};
use rusqlite::params;

use super::Db;
use crate::records::groups::CallFilter;

/// One counterfactual call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counterfactual {
    pub ts_ms: i64,
    pub project: String,
    pub run_id: String,
    /// `discovery`.
    pub stage: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// Counterfactual calls of one stage in a scope, summed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CounterfactualSums {
    pub calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl Db<'_> {
    pub fn insert_counterfactual(&self, c: &Counterfactual) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO counterfactuals (ts_ms, project, run_id, stage, input_tokens, output_tokens)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![c.ts_ms, c.project, c.run_id, c.stage, c.input_tokens as i64, c.output_tokens as i64],
            )
            .context("recording a counterfactual call")?;
        Ok(())
    }

    /// The API-reported input (fresh, written and read) of a run's first call, if it has one.
    pub fn first_call_input(&self, run_id: &str) -> Result<Option<u64>> {
        let total: Option<i64> = self
            .conn
            .query_row(
                "SELECT input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + cache_read_tokens
                 FROM calls WHERE run_id = ?1 ORDER BY id LIMIT 1",
                params![run_id],
                |r| r.get(0),
            )
            .map(Some)
            .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })?;
        Ok(total.map(|t| t.max(0) as u64))
    }

    /// One stage's counterfactual calls within a scope (devteam's own calls only: imported
    /// logs have none).
    pub fn counterfactual_sums(&self, stage: &str, filter: &CallFilter) -> Result<CounterfactualSums> {
        if filter.source.is_some_and(|s| s != crate::records::usage::Source::Devteam) {
            return Ok(CounterfactualSums::default());
        }
        let (calls, input, output): (i64, i64, i64) = self.conn.query_row(
            "SELECT count(*), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0) FROM counterfactuals
             WHERE stage = ?1 AND (?2 IS NULL OR ts_ms >= ?2) AND (?3 IS NULL OR ts_ms < ?3)
             AND (?4 IS NULL OR project = ?4)",
            params![stage, filter.since_ms, filter.until_ms, filter.project],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(CounterfactualSums { calls: calls as u64, input_tokens: input as u64, output_tokens: output as u64 })
    }
}
