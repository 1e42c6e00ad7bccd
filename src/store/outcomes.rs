//! Outcomes of routing decisions and the verdicts runs get afterwards.

use anyhow::{Context as _, Result};
use rusqlite::params;

use super::Db;
use crate::records::routing::{OutcomeRow, Verdict};

impl Db<'_> {
    /// Notes why a decision's call was retried a tier up.
    pub fn set_upgrade_reason(&self, decision_id: i64, reason: &str) -> Result<()> {
        self.conn
            .execute("UPDATE routing_decisions SET upgrade_reason = ?2 WHERE id = ?1", params![decision_id, reason])
            .context("recording why a call was upgraded")?;
        Ok(())
    }

    /// Records a verdict on a run.
    pub fn insert_verdict(&self, v: &Verdict) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO verdicts (run_id, ts_ms, good, source, note, command, exit_code)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![v.run_id, v.ts_ms, v.good, v.source, v.note, v.command, v.exit_code],
            )
            .context("recording a verdict")?;
        Ok(())
    }

    /// The full id of a run known to the store, by id or unique prefix: planned runs have a row
    /// in `runs`; single-call runs are known by their routing decision or their calls.
    pub fn known_run_id(&self, id: &str) -> Result<Option<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT id FROM (SELECT id FROM runs UNION SELECT run_id FROM routing_decisions WHERE run_id IS NOT NULL
             UNION SELECT run_id FROM calls WHERE run_id IS NOT NULL)
             WHERE id = ?1 OR id LIKE ?1 || '%' ORDER BY id = ?1 DESC LIMIT 2",
        )?;
        let ids: Vec<String> = stmt.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(match ids.as_slice() {
            [exact, ..] if exact == id => Some(exact.clone()),
            [only] => Some(only.clone()),
            _ => None,
        })
    }

    /// Ends a decision recorded as `running`: its outcome, the tier it ended on and why.
    pub fn end_routing_decision(
        &self,
        id: i64,
        outcome: &str,
        upgraded_to: Option<&str>,
        reason: Option<&str>,
    ) -> Result<()> {
        self.conn
            .execute(
                "UPDATE routing_decisions SET outcome = ?2, upgraded_to = ?3, upgrade_reason = ?4 WHERE id = ?1",
                params![id, outcome, upgraded_to, reason],
            )
            .context("ending a routing decision")?;
        Ok(())
    }

    /// Marks a run's decisions still `running` as `outcome` (an interrupted run's subtasks).
    pub fn end_running_decisions(&self, run_id: &str, outcome: &str) -> Result<usize> {
        self.conn
            .execute(
                "UPDATE routing_decisions SET outcome = ?2 WHERE run_id = ?1 AND outcome = 'running'",
                params![run_id, outcome],
            )
            .context("ending a run's routing decisions")
    }

    /// A run's verdicts, oldest first.
    pub fn verdicts(&self, run_id: &str) -> Result<Vec<Verdict>> {
        let mut stmt = self.conn.prepare(
            "SELECT run_id, ts_ms, good, source, note, command, exit_code FROM verdicts WHERE run_id = ?1 ORDER BY ts_ms, id",
        )?;
        let rows = stmt.query_map([run_id], |r| {
            Ok(Verdict {
                run_id: r.get(0)?,
                ts_ms: r.get(1)?,
                good: r.get(2)?,
                source: r.get(3)?,
                note: r.get(4)?,
                command: r.get(5)?,
                exit_code: r.get(6)?,
            })
        })?;
        rows.collect::<rusqlite::Result<_>>().context("reading verdicts")
    }

    /// Every routing decision since `since_ms` with its outcome, the run's latest verdict and
    /// the run's cost, oldest first.
    pub fn routing_outcomes(&self, since_ms: i64) -> Result<Vec<OutcomeRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT d.id, d.ts_ms, d.run_id, d.task, d.score, d.tier, d.pressure, d.features, d.outcome, d.upgraded_to,
                    d.upgrade_reason,
                    (SELECT v.good FROM verdicts v WHERE v.run_id = d.run_id ORDER BY v.ts_ms DESC, v.id DESC LIMIT 1),
                    (SELECT COALESCE(SUM(c.cost_micros), 0) FROM calls c WHERE c.run_id = d.run_id)
             FROM routing_decisions d WHERE d.ts_ms >= ?1 ORDER BY d.ts_ms, d.id",
        )?;
        let rows = stmt.query_map([since_ms], |r| {
            let features: String = r.get(7)?;
            Ok(OutcomeRow {
                id: r.get(0)?,
                ts_ms: r.get(1)?,
                run_id: r.get(2)?,
                task: r.get(3)?,
                score: r.get(4)?,
                tier: r.get(5)?,
                pressure: r.get(6)?,
                // A row another version wrote in a shape this one cannot read still counts, featureless.
                contributions: serde_json::from_str(&features).unwrap_or_default(),
                outcome: r.get(8)?,
                upgraded_to: r.get(9)?,
                upgrade_reason: r.get(10)?,
                verdict: r.get(11)?,
                cost_micros: r.get(12)?,
            })
        })?;
        rows.collect::<rusqlite::Result<_>>().context("reading routing outcomes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::usage::RoutingRecord;
    use crate::store::Store;

    #[test]
    fn outcomes_carry_the_latest_verdict_and_the_reason() {
        let store = Store::open_in_memory().unwrap();
        let id = store
            .insert_routing_decision(&RoutingRecord {
                ts_ms: 5,
                run_id: Some("r1".into()),
                subtask_id: None,
                task: "t".into(),
                score: 2.0,
                tier: "haiku".into(),
                model: "m".into(),
                pressure: "normal".into(),
                features: "[]".into(),
                outcome: "upgraded".into(),
                upgraded_to: Some("sonnet".into()),
            })
            .unwrap();
        store.set_upgrade_reason(id, "stopped-at-max-tokens").unwrap();
        let verdict = |ts_ms, good| Verdict {
            run_id: "r1".into(),
            ts_ms,
            good,
            source: "person".into(),
            note: String::new(),
            command: None,
            exit_code: None,
        };
        store.insert_verdict(&verdict(10, true)).unwrap();
        store.insert_verdict(&verdict(20, false)).unwrap();
        let rows = store.routing_outcomes(0).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].verdict, Some(false));
        assert_eq!(rows[0].upgrade_reason.as_deref(), Some("stopped-at-max-tokens"));
        assert_eq!(store.verdicts("r1").unwrap().len(), 2);
        assert!(store.routing_outcomes(6).unwrap().is_empty());
    }
}
