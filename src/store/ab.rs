//! A/B tests and the runs assigned to them.

use anyhow::{Context as _, Result};
use rusqlite::params;

use super::Db;
use crate::records::ab::{AbRun, AbTest};

impl Db<'_> {
    /// Creates a test; `false` when one of that name exists.
    pub fn ab_start(&self, t: &AbTest) -> Result<bool> {
        let n = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO ab_tests (name, started_ms, stopped_ms, alpha, variants) VALUES (?1, ?2, NULL, ?3, ?4)",
                params![t.name, t.started_ms, t.alpha, serde_json::to_string(&t.variants)?],
            )
            .context("starting an A/B test")?;
        Ok(n == 1)
    }

    /// Stops a running test; `false` when there is no running test of that name.
    pub fn ab_stop(&self, name: &str, now_ms: i64) -> Result<bool> {
        let n = self
            .conn
            .execute(
                "UPDATE ab_tests SET stopped_ms = ?2 WHERE name = ?1 AND stopped_ms IS NULL",
                params![name, now_ms],
            )
            .context("stopping an A/B test")?;
        Ok(n == 1)
    }

    /// Every test, newest first.
    pub fn ab_tests(&self) -> Result<Vec<AbTest>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, started_ms, stopped_ms, alpha, variants FROM ab_tests ORDER BY started_ms DESC")?;
        let rows = stmt.query_map([], |r| {
            let variants: String = r.get(4)?;
            Ok(AbTest {
                name: r.get(0)?,
                started_ms: r.get(1)?,
                stopped_ms: r.get(2)?,
                alpha: r.get(3)?,
                variants: serde_json::from_str(&variants).unwrap_or_default(),
            })
        })?;
        rows.collect::<rusqlite::Result<_>>().context("reading A/B tests")
    }

    /// The test that assigns new runs, if any (at most one runs at a time).
    pub fn ab_active(&self) -> Result<Option<AbTest>> {
        Ok(self.ab_tests()?.into_iter().find(|t| t.stopped_ms.is_none() && t.variants.len() >= 2))
    }

    /// Records that `run_id` ran under `variant` of `test`.
    pub fn ab_assign(&self, test: &str, run_id: &str, variant: &str, ts_ms: i64) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO ab_assignments (test, run_id, variant, ts_ms) VALUES (?1, ?2, ?3, ?4)",
                params![test, run_id, variant, ts_ms],
            )
            .context("recording an A/B assignment")?;
        Ok(())
    }

    /// The runs of `test` that made at least one call or got a verdict, with their cost,
    /// success (the latest verdict, else no failed decision and no failed run), upgrades and
    /// latency (wall time of planned runs, else the calls' time).
    pub fn ab_runs(&self, test: &str) -> Result<Vec<AbRun>> {
        let mut stmt = self.conn.prepare(
            "SELECT a.run_id, a.variant,
               (SELECT COALESCE(SUM(cost_micros), 0) FROM calls c WHERE c.run_id = a.run_id),
               (SELECT v.good FROM verdicts v WHERE v.run_id = a.run_id ORDER BY v.ts_ms DESC, v.id DESC LIMIT 1),
               (SELECT COUNT(*) FROM routing_decisions d WHERE d.run_id = a.run_id AND d.outcome = 'failed'),
               (SELECT status FROM runs r WHERE r.id = a.run_id),
               (SELECT COUNT(*) FROM routing_decisions d WHERE d.run_id = a.run_id AND d.outcome = 'upgraded'),
               COALESCE((SELECT wall_ms FROM runs r WHERE r.id = a.run_id),
                        (SELECT COALESCE(SUM(latency_ms), 0) FROM calls c WHERE c.run_id = a.run_id)),
               (SELECT COUNT(*) FROM calls c WHERE c.run_id = a.run_id)
             FROM ab_assignments a WHERE a.test = ?1 ORDER BY a.ts_ms",
        )?;
        let rows = stmt.query_map([test], |r| {
            let verdict: Option<bool> = r.get(3)?;
            let status: Option<String> = r.get(5)?;
            let failed = r.get::<_, i64>(4)? > 0 || matches!(status.as_deref(), Some("failed" | "cancelled"));
            let calls: i64 = r.get(8)?;
            let run = AbRun {
                run_id: r.get(0)?,
                variant: r.get(1)?,
                cost_micros: r.get(2)?,
                success: verdict.unwrap_or(!failed),
                upgraded: r.get::<_, i64>(6)? > 0,
                latency_ms: r.get(7)?,
            };
            Ok((calls > 0 || verdict.is_some()).then_some(run))
        })?;
        let rows: Vec<Option<AbRun>> = rows.collect::<rusqlite::Result<_>>().context("reading A/B runs")?;
        Ok(rows.into_iter().flatten().collect())
    }
}
