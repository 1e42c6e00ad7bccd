//! The facts `usage suggest` reads, aggregated over a period.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result};
use rusqlite::params;

use super::Db;
use crate::records::suggest::{AgentCache, ContextUse, Facts, PlanningUse, PrefixCall, PrefixUse, WarmUse};

/// A warmed prefix counts as used when a call reads the cache this soon after the warm-up.
const WARM_WINDOW_MS: i64 = 300_000;

/// One call, as the rules see it.
pub(super) struct Call {
    pub(super) agent: String,
    pub(super) model: String,
    pub(super) project: String,
    pub(super) ts_ms: i64,
    pub(super) written_5m: u64,
    pub(super) written_1h: u64,
    pub(super) read: u64,
    pub(super) cost_micros: i64,
}

/// What each backend reads from its own tables before the facts are put together.
pub(super) struct Gathered {
    pub(super) runs: Vec<Call>,
    pub(super) warm_calls: Vec<Call>,
    pub(super) context: ContextUse,
    pub(super) planning: PlanningUse,
}

/// The facts from what a backend gathered; `count` runs a `SELECT COUNT(*)` whose `$1` is the
/// period's start. The routing fields are left for the caller (they need the learner).
pub(super) fn facts(
    days: u32,
    library_agents: &[String],
    g: Gathered,
    count: impl Fn(&str) -> Result<u64>,
) -> Result<Facts> {
    let used: std::collections::HashSet<&str> = g.runs.iter().map(|c| c.agent.as_str()).collect();
    Ok(Facts {
        days,
        agents: agent_caching(&g.runs),
        prefixes: prefix_use(&g.runs),
        warm: warm_use(&g.warm_calls, &g.runs),
        context: g.context,
        planning: g.planning,
        blocked: count("SELECT COUNT(*) FROM routing_decisions WHERE outcome = 'blocked' AND ts_ms >= $1")?,
        overrides: count("SELECT COUNT(*) FROM overrides WHERE ts_ms >= $1")?,
        decisions: count("SELECT COUNT(*) FROM routing_decisions WHERE ts_ms >= $1")?,
        never_chosen: library_agents.iter().filter(|a| !used.contains(a.as_str())).cloned().collect(),
        calls: g.runs.len() as u64,
        routing_down: 0,
        routing_saving_micros: 0,
    })
}

impl Db<'_> {
    /// Facts since `since_ms`; `library_agents` are the ids of the agents that could be chosen.
    /// The routing fields are left for the caller (they need the learner).
    pub fn suggest_facts(&self, since_ms: i64, days: u32, library_agents: &[String]) -> Result<Facts> {
        let gathered = Gathered {
            runs: self.calls_of("devteam", since_ms)?,
            warm_calls: self.calls_of("warm-cache", since_ms)?,
            context: self.context_use(since_ms)?,
            planning: self.planning_use(since_ms)?,
        };
        facts(days, library_agents, gathered, |sql| {
            let sql = sql.replace('$', "?");
            let n: i64 =
                self.conn.query_row(&sql, [since_ms], |r| r.get(0)).with_context(|| format!("reading {sql}"))?;
            Ok(n as u64)
        })
    }

    fn calls_of(&self, source: &str, since_ms: i64) -> Result<Vec<Call>> {
        let mut stmt = self.conn.prepare(
            "SELECT agent, model, project, ts_ms, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, cost_micros
             FROM calls WHERE source = ?1 AND agent != '' AND ts_ms >= ?2 ORDER BY agent, ts_ms, id",
        )?;
        let rows = stmt.query_map(params![source, since_ms], |r| {
            Ok(Call {
                agent: r.get(0)?,
                model: r.get(1)?,
                project: r.get(2)?,
                ts_ms: r.get(3)?,
                written_5m: r.get::<_, i64>(4)? as u64,
                written_1h: r.get::<_, i64>(5)? as u64,
                read: r.get::<_, i64>(6)? as u64,
                cost_micros: r.get(7)?,
            })
        })?;
        rows.collect::<rusqlite::Result<_>>().context("reading calls for suggestions")
    }

    fn context_use(&self, since_ms: i64) -> Result<ContextUse> {
        let mut c = ContextUse::default();
        let mut stmt = self.conn.prepare(
            "SELECT b.outcome, SUM(b.tokens), COUNT(DISTINCT b.call_id) FROM call_blocks b JOIN calls c ON c.id = b.call_id
             WHERE b.kind = 'project' AND c.ts_ms >= ?1 GROUP BY b.outcome",
        )?;
        let rows =
            stmt.query_map([since_ms], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))?;
        for row in rows {
            let (outcome, tokens, calls) = row?;
            c.calls = c.calls.max(calls as u64);
            match outcome.as_str() {
                "read" => c.read += tokens as u64,
                "written" => c.written += tokens as u64,
                _ => c.uncached += tokens as u64,
            }
        }
        c.model = self
            .conn
            .query_row(
                "SELECT c.model FROM call_blocks b JOIN calls c ON c.id = b.call_id WHERE b.kind = 'project' AND c.ts_ms >= ?1
                 GROUP BY c.model ORDER BY COUNT(*) DESC LIMIT 1",
                [since_ms],
                |r| r.get(0),
            )
            .unwrap_or_default();
        Ok(c)
    }

    fn planning_use(&self, since_ms: i64) -> Result<PlanningUse> {
        let (planned_runs, planned_cost): (i64, i64) = self.conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(cost_micros), 0) FROM runs WHERE planned = 1 AND ts_ms >= ?1",
            [since_ms],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let (single_runs, single_cost): (i64, i64) = self.conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM((SELECT SUM(c.cost_micros) FROM calls c WHERE c.run_id = d.run_id)), 0)
             FROM routing_decisions d WHERE d.tier = 'opus' AND d.outcome = 'ok' AND d.ts_ms >= ?1
             AND d.run_id NOT IN (SELECT id FROM runs WHERE planned = 1)",
            [since_ms],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(PlanningUse {
            planned_runs: planned_runs as u64,
            planned_cost_micros: planned_cost,
            single_top_runs: single_runs as u64,
            single_top_cost_micros: single_cost,
        })
    }
}

/// Per agent: calls, cache tokens, the model most used, the median gap between calls.
fn agent_caching(calls: &[Call]) -> Vec<AgentCache> {
    let mut by: BTreeMap<&str, Vec<&Call>> = BTreeMap::new();
    for c in calls {
        by.entry(c.agent.as_str()).or_default().push(c);
    }
    by.into_iter()
        .map(|(agent, cs)| {
            let mut gaps: Vec<i64> = cs.windows(2).map(|w| w[1].ts_ms - w[0].ts_ms).collect();
            gaps.sort_unstable();
            AgentCache {
                agent: agent.to_string(),
                model: most_used(cs.iter().map(|c| c.model.as_str())),
                calls: cs.len() as u64,
                written: cs.iter().map(|c| c.written_5m + c.written_1h).sum(),
                read: cs.iter().map(|c| c.read).sum(),
                median_gap_ms: gaps.get(gaps.len() / 2).copied().unwrap_or(0),
            }
        })
        .collect()
}

/// Every agent's calls per model, oldest first (`calls` is ordered by agent and time).
fn prefix_use(calls: &[Call]) -> Vec<PrefixUse> {
    let mut by: BTreeMap<(&str, &str), Vec<PrefixCall>> = BTreeMap::new();
    for c in calls {
        by.entry((c.agent.as_str(), c.model.as_str())).or_default().push(PrefixCall {
            ts_ms: c.ts_ms,
            project: c.project.clone(),
            written_5m: c.written_5m,
            written_1h: c.written_1h,
            read: c.read,
        });
    }
    by.into_iter()
        .map(|((agent, model), calls)| PrefixUse { agent: agent.to_string(), model: model.to_string(), calls })
        .collect()
}

/// Per warmed agent: warm-ups, their cost, and the cache reads of calls shortly after them.
fn warm_use(warm: &[Call], runs: &[Call]) -> Vec<WarmUse> {
    let mut by: BTreeMap<&str, Vec<&Call>> = BTreeMap::new();
    for c in warm {
        by.entry(c.agent.as_str()).or_default().push(c);
    }
    by.into_iter()
        .map(|(agent, ws)| {
            let reads_after = runs
                .iter()
                .filter(|r| {
                    r.agent == agent && ws.iter().any(|w| r.ts_ms > w.ts_ms && r.ts_ms - w.ts_ms <= WARM_WINDOW_MS)
                })
                .map(|r| r.read)
                .sum();
            WarmUse {
                agent: agent.to_string(),
                model: most_used(ws.iter().map(|c| c.model.as_str())),
                warm_calls: ws.len() as u64,
                warm_cost_micros: ws.iter().map(|c| c.cost_micros).sum(),
                reads_after,
            }
        })
        .collect()
}

fn most_used<'a>(models: impl Iterator<Item = &'a str>) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for m in models {
        *counts.entry(m).or_default() += 1;
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(m, _)| m.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn planning_is_compared_with_single_top_tier_runs_only() {
        let store = Store::open_in_memory().unwrap();
        let sql = |s: &str| store.db(|db| db.conn.execute_batch(s)).unwrap();
        sql("INSERT INTO runs (id, ts_ms, task, status, planned, cost_micros) VALUES ('p1', 10, 't', 'ok', 1, 90000), ('p2', 10, 't', 'ok', 1, 70000);
             INSERT INTO routing_decisions (ts_ms, run_id, score, tier, model, outcome) VALUES
               (10, 's1', 7.0, 'opus', 'm', 'ok'), (10, 's2', 7.5, 'opus', 'm', 'ok'), (10, 'p1', 8.0, 'opus', 'm', 'ok'),
               (10, 's3', 2.0, 'haiku', 'm', 'ok'), (10, 's4', 7.0, 'opus', 'm', 'failed');
             INSERT INTO calls (ts_ms, source, run_id, model, cost_micros) VALUES
               (10, 'devteam', 's1', 'm', 30000), (10, 'devteam', 's2', 'm', 50000), (10, 'devteam', 's3', 'm', 1000),
               (10, 'devteam', 'p1', 'm', 90000), (10, 'devteam', 's4', 'm', 8000);");
        let p = store.db(|db| db.planning_use(0)).unwrap();
        assert_eq!(
            p,
            PlanningUse {
                planned_runs: 2,
                planned_cost_micros: 160_000,
                single_top_runs: 2,
                single_top_cost_micros: 80_000
            }
        );
        assert_eq!(store.db(|db| db.planning_use(11)).unwrap().planned_runs, 0);
    }
}
