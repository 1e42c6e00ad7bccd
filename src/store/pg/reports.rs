//! Usage reports on the shared store. The server aggregates (`GROUP BY`, hash aggregation over
//! the whole team's calls) and sends back groups, not calls: a report over a million calls moves
//! a few thousand rows over the network. There is no rollup table to keep in step: PostgreSQL
//! aggregates a million narrow rows in well under a second (README, "Shared store").

use anyhow::{Context as _, Result};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::PgStore;
use crate::records::groups::{BudgetLine, CallFilter, Group, GroupBy, Key, KeyValue, STAGE_SQL, Totals};
use crate::records::suggest::{ContextUse, Facts, PlanningUse};
use crate::records::usage::{Source, TokenUsage};
use crate::records::warm::PastCall;
use crate::store::suggest::{Call, Gathered, facts};
use crate::store::{BUCKET_MS, CallFilter as SlotFilter, Sums};

type Owned = Vec<Box<dyn ToSql + Sync + Send>>;

const SUMS: &str = "COUNT(*), SUM(input_tokens)::BIGINT, SUM(output_tokens)::BIGINT, SUM(cache_write_5m_tokens)::BIGINT, \
    SUM(cache_write_1h_tokens)::BIGINT, SUM(cache_read_tokens)::BIGINT, SUM(cost_micros)::BIGINT";

impl PgStore {
    fn owned_query(&self, sql: &str, params: &Owned) -> Result<Vec<Row>> {
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect();
        self.query(sql, &refs)
    }

    pub(super) fn pg_usage_scan(
        &self,
        filter: &CallFilter,
        specs: &[GroupBy],
        bands: &[u64],
    ) -> Result<Vec<Vec<Group>>> {
        let band = if bands.is_empty() {
            "0".to_string()
        } else {
            bands
                .iter()
                .map(|b| {
                    format!(
                        "(input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + cache_read_tokens > {b})::INT"
                    )
                })
                .collect::<Vec<_>>()
                .join(" + ")
        };
        specs.iter().map(|spec| self.scan_one(filter, spec, &band)).collect()
    }

    fn scan_one(&self, filter: &CallFilter, spec: &GroupBy, band: &str) -> Result<Vec<Group>> {
        let (conds, mut params) = conditions(filter);
        let mut keys = Vec::new();
        for key in &spec.keys {
            keys.push(match key {
                Key::Source => "source".to_string(),
                Key::Tier => "tier".to_string(),
                Key::Agent => "agent".to_string(),
                Key::Project => "project".to_string(),
                Key::Task => "task".to_string(),
                // NULL for devteam's own calls: grouped as the empty session, as SQLite reads it.
                Key::Session => "COALESCE(session_id, '')".to_string(),
                Key::Stage => STAGE_SQL.to_string(),
                Key::Time(bounds) => {
                    params.push(Box::new(bounds.clone()));
                    format!("width_bucket(ts_ms, ${}::BIGINT[])", params.len())
                }
            });
        }
        let n = keys.len();
        keys.extend(["model".to_string(), "batch".to_string(), format!("({band})")]);
        let list = keys.join(", ");
        // By position: a constant band (`0`) would read as a position itself.
        let by = (1..=keys.len()).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
        let sql = format!("SELECT {list}, {SUMS} FROM calls {conds} GROUP BY {by}");
        let rows = self.owned_query(&sql, &params)?;
        Ok(rows
            .iter()
            .map(|r| Group {
                keys: spec
                    .keys
                    .iter()
                    .enumerate()
                    .map(|(i, k)| match k {
                        Key::Time(_) => KeyValue::Bucket(r.get::<_, i32>(i).max(0) as usize),
                        _ => KeyValue::Text(r.get(i)),
                    })
                    .collect(),
                model: r.get(n),
                batch: r.get(n + 1),
                band: r.get::<_, i32>(n + 2).clamp(0, 255) as u8,
                totals: totals(r, n + 3),
            })
            .collect())
    }

    pub(super) fn pg_usage_span(&self, filter: &CallFilter) -> Result<Option<(i64, i64)>> {
        let (conds, params) = conditions(filter);
        let rows = self
            .owned_query(&format!("SELECT MIN(ts_ms), MAX(ts_ms) FROM calls {conds}"), &params)
            .context("finding the first and last call")?;
        Ok(rows[0].get::<_, Option<i64>>(0).zip(rows[0].get::<_, Option<i64>>(1)))
    }

    pub(super) fn pg_budget_lines(&self) -> Result<Vec<BudgetLine>> {
        let rows = self.query(
            r#"SELECT project, "window", limit_micros, limit_tokens FROM budgets ORDER BY project, "window""#,
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| BudgetLine { project: r.get(0), window: r.get(1), limit_micros: r.get(2), limit_tokens: r.get(3) })
            .collect())
    }

    /// Sums per slot and model, straight from the calls (bounds are whole slots).
    pub(super) fn pg_sums_by_slot(&self, f: &SlotFilter<'_>) -> Result<Vec<Sums>> {
        self.sums(f, &format!("(ts_ms / {BUCKET_MS})"), BUCKET_MS)
    }

    pub(super) fn pg_sums_by_call(&self, f: &SlotFilter<'_>) -> Result<Vec<Sums>> {
        self.sums(f, "ts_ms", 1)
    }

    fn sums(&self, f: &SlotFilter<'_>, unit: &str, unit_ms: i64) -> Result<Vec<Sums>> {
        let sql = format!(
            "SELECT {unit} AS u, model, {SUMS} FROM calls
             WHERE ($1::TEXT IS NULL OR source = $1) AND ($2::TEXT IS NULL OR project = $2) AND ts_ms >= $3 AND ts_ms < $4
             GROUP BY u, model ORDER BY u, model"
        );
        let (from, to) = (f.from_ms.unwrap_or(i64::MIN), f.to_ms.unwrap_or(i64::MAX));
        let rows =
            self.query(&sql, &[&f.source.map(Source::as_str), &f.project, &from, &to]).context("summing calls")?;
        Ok(rows
            .iter()
            .map(|r| {
                let t = totals(r, 2);
                Sums {
                    ts_ms: r.get::<_, i64>(0) * unit_ms,
                    model: r.get(1),
                    calls: t.calls,
                    tokens: t.tokens,
                    cost_micros: t.cost_micros,
                }
            })
            .collect())
    }

    pub(super) fn pg_suggest_facts(&self, since_ms: i64, days: u32, library_agents: &[String]) -> Result<Facts> {
        let gathered = Gathered {
            runs: self.calls_of("devteam", since_ms)?,
            warm_calls: self.calls_of("warm-cache", since_ms)?,
            context: self.context_use(since_ms)?,
            planning: self.planning_use(since_ms)?,
        };
        facts(days, library_agents, gathered, |sql| Ok(self.query(sql, &[&since_ms])?[0].get::<_, i64>(0) as u64))
    }

    fn calls_of(&self, source: &str, since_ms: i64) -> Result<Vec<Call>> {
        let rows = self.query(
            "SELECT agent, model, project, ts_ms, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, cost_micros
             FROM calls WHERE source = $1 AND agent <> '' AND ts_ms >= $2 ORDER BY agent, ts_ms, id",
            &[&source, &since_ms],
        )?;
        Ok(rows
            .iter()
            .map(|r| Call {
                agent: r.get(0),
                model: r.get(1),
                project: r.get(2),
                ts_ms: r.get(3),
                written_5m: r.get::<_, i64>(4) as u64,
                written_1h: r.get::<_, i64>(5) as u64,
                read: r.get::<_, i64>(6) as u64,
                cost_micros: r.get(7),
            })
            .collect())
    }

    fn context_use(&self, since_ms: i64) -> Result<ContextUse> {
        let mut c = ContextUse::default();
        let rows = self.query(
            "SELECT b.outcome, SUM(b.tokens)::BIGINT, COUNT(DISTINCT b.call_id) FROM call_blocks b JOIN calls c ON c.id = b.call_id
             WHERE b.kind = 'project' AND c.ts_ms >= $1 GROUP BY b.outcome",
            &[&since_ms],
        )?;
        for r in &rows {
            let (outcome, tokens, calls): (&str, i64, i64) = (r.get(0), r.get(1), r.get(2));
            c.calls = c.calls.max(calls as u64);
            match outcome {
                "read" => c.read += tokens as u64,
                "written" => c.written += tokens as u64,
                _ => c.uncached += tokens as u64,
            }
        }
        let model = self.query(
            "SELECT c.model FROM call_blocks b JOIN calls c ON c.id = b.call_id WHERE b.kind = 'project' AND c.ts_ms >= $1
             GROUP BY c.model ORDER BY COUNT(*) DESC LIMIT 1",
            &[&since_ms],
        )?;
        c.model = model.first().map(|r| r.get(0)).unwrap_or_default();
        Ok(c)
    }

    fn planning_use(&self, since_ms: i64) -> Result<PlanningUse> {
        let planned = self.query(
            "SELECT COUNT(*), COALESCE(SUM(cost_micros), 0)::BIGINT FROM runs WHERE planned AND ts_ms >= $1",
            &[&since_ms],
        )?;
        let single = self.query(
            "SELECT COUNT(*), COALESCE(SUM((SELECT SUM(c.cost_micros) FROM calls c WHERE c.run_id = d.run_id)), 0)::BIGINT
             FROM routing_decisions d WHERE d.tier = 'opus' AND d.outcome = 'ok' AND d.ts_ms >= $1
             AND d.run_id NOT IN (SELECT id FROM runs WHERE planned)",
            &[&since_ms],
        )?;
        Ok(PlanningUse {
            planned_runs: planned[0].get::<_, i64>(0) as u64,
            planned_cost_micros: planned[0].get(1),
            single_top_runs: single[0].get::<_, i64>(0) as u64,
            single_top_cost_micros: single[0].get(1),
        })
    }

    pub(super) fn pg_cache_history(&self, since_ms: i64, project: Option<&str>) -> Result<Vec<PastCall>> {
        let (runs, warm_ups) = (Source::Devteam.as_str(), Source::WarmCache.as_str());
        let rows = self
            .query(
                "SELECT ts_ms, agent, model, source FROM calls WHERE ts_ms >= $1 AND ($2::TEXT IS NULL OR project = $2) AND NOT batch
                 AND agent <> '' AND source IN ($3, $4) ORDER BY ts_ms, id",
                &[&since_ms, &project, &runs, &warm_ups],
            )
            .context("reading the call history")?;
        Ok(rows
            .iter()
            .map(|r| PastCall {
                ts_ms: r.get(0),
                agent: r.get(1),
                model: r.get(2),
                warm_up: r.get::<_, &str>(3) == warm_ups,
            })
            .collect())
    }
}

/// The filter's conditions as a WHERE clause with numbered parameters.
fn conditions(filter: &CallFilter) -> (String, Owned) {
    let mut conds: Vec<String> = Vec::new();
    let mut params: Owned = Vec::new();
    if let Some(since) = filter.since_ms {
        params.push(Box::new(since));
        conds.push(format!("ts_ms >= ${}", params.len()));
    }
    if let Some(until) = filter.until_ms {
        params.push(Box::new(until));
        conds.push(format!("ts_ms < ${}", params.len()));
    }
    if let Some(project) = &filter.project {
        params.push(Box::new(project.clone()));
        conds.push(format!("project = ${}", params.len()));
    }
    if let Some(source) = filter.source {
        params.push(Box::new(source.as_str()));
        conds.push(format!("source = ${}", params.len()));
    }
    let clause = if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) };
    (clause, params)
}

/// Calls, tokens and cost from seven columns starting at `at`.
fn totals(r: &Row, at: usize) -> Totals {
    let n = |i: usize| r.get::<_, Option<i64>>(at + i).unwrap_or(0).max(0) as u64;
    Totals {
        calls: n(0),
        tokens: TokenUsage { input: n(1), output: n(2), cache_write_5m: n(3), cache_write_1h: n(4), cache_read: n(5) },
        cost_micros: r.get::<_, Option<i64>>(at + 6).unwrap_or(0),
    }
}
