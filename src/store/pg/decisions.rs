//! Routing decisions and what became of them on the shared store: outcomes, verdicts,
//! counterfactuals and A/B tests.

use anyhow::{Context as _, Result};

use super::PgStore;
use crate::records::ab::{AbRun, AbTest};
use crate::records::groups::CallFilter;
use crate::records::routing::{OutcomeRow, Verdict};
use crate::store::{Counterfactual, CounterfactualSums};

impl PgStore {
    pub(super) fn pg_set_upgrade_reason(&self, decision_id: i64, reason: &str) -> Result<()> {
        self.execute("UPDATE routing_decisions SET upgrade_reason = $2 WHERE id = $1", &[&decision_id, &reason])
            .context("recording why a call was upgraded")?;
        Ok(())
    }

    pub(super) fn pg_end_routing_decision(
        &self,
        id: i64,
        outcome: &str,
        upgraded_to: Option<&str>,
        reason: Option<&str>,
    ) -> Result<()> {
        self.execute(
            "UPDATE routing_decisions SET outcome = $2, upgraded_to = $3, upgrade_reason = $4 WHERE id = $1",
            &[&id, &outcome, &upgraded_to, &reason],
        )
        .context("ending a routing decision")?;
        Ok(())
    }

    pub(super) fn pg_end_running_decisions(&self, run_id: &str, outcome: &str) -> Result<usize> {
        let n = self
            .execute(
                "UPDATE routing_decisions SET outcome = $2 WHERE run_id = $1 AND outcome = 'running'",
                &[&run_id, &outcome],
            )
            .context("ending a run's routing decisions")?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub(super) fn pg_insert_verdict(&self, v: &Verdict) -> Result<()> {
        self.execute(
            "INSERT INTO verdicts (run_id, ts_ms, good, source, note, command, exit_code) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&v.run_id, &v.ts_ms, &v.good, &v.source, &v.note, &v.command, &v.exit_code],
        )
        .context("recording a verdict")?;
        Ok(())
    }

    pub(super) fn pg_known_run_id(&self, id: &str) -> Result<Option<String>> {
        let rows = self.query(
            "SELECT id FROM (SELECT id FROM runs UNION SELECT run_id FROM routing_decisions WHERE run_id IS NOT NULL
             UNION SELECT run_id FROM calls WHERE run_id IS NOT NULL) ids
             WHERE id = $1 OR left(id, length($1)) = $1 ORDER BY id = $1 DESC LIMIT 2",
            &[&id],
        )?;
        let ids: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        Ok(match ids.as_slice() {
            [exact, ..] if exact == id => Some(exact.clone()),
            [only] => Some(only.clone()),
            _ => None,
        })
    }

    pub(super) fn pg_verdicts(&self, run_id: &str) -> Result<Vec<Verdict>> {
        let rows = self
            .query(
                "SELECT run_id, ts_ms, good, source, note, command, exit_code FROM verdicts WHERE run_id = $1 ORDER BY ts_ms, id",
                &[&run_id],
            )
            .context("reading verdicts")?;
        Ok(rows
            .iter()
            .map(|r| Verdict {
                run_id: r.get(0),
                ts_ms: r.get(1),
                good: r.get(2),
                source: r.get(3),
                note: r.get(4),
                command: r.get(5),
                exit_code: r.get(6),
            })
            .collect())
    }

    pub(super) fn pg_routing_outcomes(&self, since_ms: i64) -> Result<Vec<OutcomeRow>> {
        let rows = self
            .query(
                "SELECT d.id, d.ts_ms, d.run_id, d.task, d.score, d.tier, d.pressure, d.features, d.outcome, d.upgraded_to,
                        d.upgrade_reason,
                        (SELECT v.good FROM verdicts v WHERE v.run_id = d.run_id ORDER BY v.ts_ms DESC, v.id DESC LIMIT 1),
                        (SELECT COALESCE(SUM(c.cost_micros), 0)::BIGINT FROM calls c WHERE c.run_id = d.run_id)
                 FROM routing_decisions d WHERE d.ts_ms >= $1 ORDER BY d.ts_ms, d.id",
                &[&since_ms],
            )
            .context("reading routing outcomes")?;
        Ok(rows
            .iter()
            .map(|r| OutcomeRow {
                id: r.get(0),
                ts_ms: r.get(1),
                run_id: r.get(2),
                task: r.get(3),
                score: r.get(4),
                tier: r.get(5),
                pressure: r.get(6),
                contributions: serde_json::from_str(r.get::<_, &str>(7)).unwrap_or_default(),
                outcome: r.get(8),
                upgraded_to: r.get(9),
                upgrade_reason: r.get(10),
                verdict: r.get(11),
                cost_micros: r.get(12),
            })
            .collect())
    }

    pub(super) fn pg_insert_counterfactual(&self, c: &Counterfactual) -> Result<()> {
        self.execute(
            "INSERT INTO counterfactuals (ts_ms, project, run_id, stage, input_tokens, output_tokens)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&c.ts_ms, &c.project, &c.run_id, &c.stage, &(c.input_tokens as i64), &(c.output_tokens as i64)],
        )
        .context("recording a counterfactual call")?;
        Ok(())
    }

    pub(super) fn pg_first_call_input(&self, run_id: &str) -> Result<Option<u64>> {
        let rows = self.query(
            "SELECT input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + cache_read_tokens
             FROM calls WHERE run_id = $1 ORDER BY id LIMIT 1",
            &[&run_id],
        )?;
        Ok(rows.first().map(|r| r.get::<_, i64>(0).max(0) as u64))
    }

    pub(super) fn pg_counterfactual_sums(&self, stage: &str, filter: &CallFilter) -> Result<CounterfactualSums> {
        if filter.source.is_some_and(|s| s != crate::records::usage::Source::Devteam) {
            return Ok(CounterfactualSums::default());
        }
        let rows = self.query(
            "SELECT COUNT(*), COALESCE(SUM(input_tokens), 0)::BIGINT, COALESCE(SUM(output_tokens), 0)::BIGINT
             FROM counterfactuals WHERE stage = $1 AND ($2::BIGINT IS NULL OR ts_ms >= $2)
             AND ($3::BIGINT IS NULL OR ts_ms < $3) AND ($4::TEXT IS NULL OR project = $4)",
            &[&stage, &filter.since_ms, &filter.until_ms, &filter.project],
        )?;
        let r = &rows[0];
        Ok(CounterfactualSums {
            calls: r.get::<_, i64>(0) as u64,
            input_tokens: r.get::<_, i64>(1) as u64,
            output_tokens: r.get::<_, i64>(2) as u64,
        })
    }

    pub(super) fn pg_ab_start(&self, t: &AbTest) -> Result<bool> {
        let n = self
            .execute(
                "INSERT INTO ab_tests (name, started_ms, stopped_ms, alpha, variants) VALUES ($1, $2, NULL, $3, $4)
                 ON CONFLICT DO NOTHING",
                &[&t.name, &t.started_ms, &t.alpha, &serde_json::to_string(&t.variants)?],
            )
            .context("starting an A/B test")?;
        Ok(n == 1)
    }

    pub(super) fn pg_ab_stop(&self, name: &str, now_ms: i64) -> Result<bool> {
        let n = self
            .execute("UPDATE ab_tests SET stopped_ms = $2 WHERE name = $1 AND stopped_ms IS NULL", &[&name, &now_ms])
            .context("stopping an A/B test")?;
        Ok(n == 1)
    }

    pub(super) fn pg_ab_tests(&self) -> Result<Vec<AbTest>> {
        let rows = self
            .query("SELECT name, started_ms, stopped_ms, alpha, variants FROM ab_tests ORDER BY started_ms DESC", &[])
            .context("reading A/B tests")?;
        Ok(rows
            .iter()
            .map(|r| AbTest {
                name: r.get(0),
                started_ms: r.get(1),
                stopped_ms: r.get(2),
                alpha: r.get(3),
                variants: serde_json::from_str(r.get::<_, &str>(4)).unwrap_or_default(),
            })
            .collect())
    }

    pub(super) fn pg_ab_active(&self) -> Result<Option<AbTest>> {
        Ok(self.pg_ab_tests()?.into_iter().find(|t| t.stopped_ms.is_none() && t.variants.len() >= 2))
    }

    pub(super) fn pg_ab_assign(&self, test: &str, run_id: &str, variant: &str, ts_ms: i64) -> Result<()> {
        self.execute(
            "INSERT INTO ab_assignments (test, run_id, variant, ts_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (test, run_id) DO UPDATE SET variant = $3, ts_ms = $4",
            &[&test, &run_id, &variant, &ts_ms],
        )
        .context("recording an A/B assignment")?;
        Ok(())
    }

    pub(super) fn pg_ab_runs(&self, test: &str) -> Result<Vec<AbRun>> {
        let rows = self
            .query(
                "SELECT a.run_id, a.variant,
                   (SELECT COALESCE(SUM(cost_micros), 0)::BIGINT FROM calls c WHERE c.run_id = a.run_id),
                   (SELECT v.good FROM verdicts v WHERE v.run_id = a.run_id ORDER BY v.ts_ms DESC, v.id DESC LIMIT 1),
                   (SELECT COUNT(*) FROM routing_decisions d WHERE d.run_id = a.run_id AND d.outcome = 'failed'),
                   (SELECT status FROM runs r WHERE r.id = a.run_id),
                   (SELECT COUNT(*) FROM routing_decisions d WHERE d.run_id = a.run_id AND d.outcome = 'upgraded'),
                   COALESCE((SELECT wall_ms FROM runs r WHERE r.id = a.run_id),
                            (SELECT COALESCE(SUM(latency_ms), 0)::BIGINT FROM calls c WHERE c.run_id = a.run_id)),
                   (SELECT COUNT(*) FROM calls c WHERE c.run_id = a.run_id)
                 FROM ab_assignments a WHERE a.test = $1 ORDER BY a.ts_ms",
                &[&test],
            )
            .context("reading A/B runs")?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let verdict: Option<bool> = r.get(3);
                let status: Option<&str> = r.get(5);
                let failed = r.get::<_, i64>(4) > 0 || matches!(status, Some("failed" | "cancelled"));
                let calls: i64 = r.get(8);
                (calls > 0 || verdict.is_some()).then(|| AbRun {
                    run_id: r.get(0),
                    variant: r.get(1),
                    cost_micros: r.get(2),
                    success: verdict.unwrap_or(!failed),
                    upgraded: r.get::<_, i64>(6) > 0,
                    latency_ms: r.get(7),
                })
            })
            .collect())
    }
}
