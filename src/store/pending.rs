//! In-flight calls made durable. A reservation row doubles as the pending record of its call:
//! the call as it will be recorded (JSON of a [`CallRecord`], updated with the API's usage as
//! soon as `message_start` arrives) and the process that holds it. Any process that finds a
//! reservation whose holder died, or that outlived its lifetime, turns it into a charge: at the
//! usage the API reported when that was final, else at the reservation's amount (never less than
//! the usage seen), marked `unsettled`. A settle that comes later corrects that charge in place.

use anyhow::{Context as _, Result};
use rusqlite::{OptionalExtension, params};

use super::{Db, SqliteLedger};
use crate::records::usage::CallRecord;

/// Who holds a reservation, so other processes can tell whether it is still alive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub host: String,
    /// The process's start time (Linux `/proc/<pid>/stat`), so a reused pid is not mistaken
    /// for the holder; empty where unknown.
    pub start: String,
}

/// The outcome recorded for a call whose usage was not known in full.
pub const UNSETTLED: &str = "unsettled";

/// A reservation turned into a charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    pub pending_key: String,
    pub cost_micros: i64,
    pub outcome: String,
}

struct Orphan {
    id: i64,
    created_ms: i64,
    expires_ms: i64,
    project: String,
    amount_micros: i64,
    label: String,
    pid: Option<u32>,
    holder: Holder,
    call_json: Option<String>,
    usage_final: bool,
    pending_key: String,
}

impl SqliteLedger<'_> {
    /// Ties a just-inserted reservation to its holder and the call it is for.
    pub fn attach_pending(&self, id: i64, holder: &Holder, key: &str, call: Option<&CallRecord>) -> Result<()> {
        let json = call.map(serde_json::to_string).transpose().context("encoding a pending call")?;
        self.conn()
            .prepare_cached(
                "UPDATE reservations SET host = ?2, proc_start = ?3, pending_key = ?4, call_json = ?5 WHERE id = ?1",
            )?
            .execute(params![id, holder.host, holder.start, key, json])
            .context("recording a pending call")?;
        Ok(())
    }

    /// Turns every reservation whose holder is dead (as `alive` judges) or whose lifetime is
    /// over into a recorded charge. Returns what was charged.
    pub fn recover_orphans(&self, now_ms: i64, alive: &dyn Fn(u32, &Holder) -> bool) -> Result<Vec<Recovered>> {
        let mut out = Vec::new();
        for orphan in self.orphans()? {
            let dead = orphan.expires_ms <= now_ms || orphan.pid.is_some_and(|pid| !alive(pid, &orphan.holder));
            if dead {
                out.push(self.charge(&orphan)?);
            }
        }
        Ok(out)
    }

    fn orphans(&self) -> Result<Vec<Orphan>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, created_ms, expires_ms, project, amount_micros, label, pid, host, proc_start, call_json,
                    usage_final, pending_key FROM reservations",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Orphan {
                id: r.get(0)?,
                created_ms: r.get(1)?,
                expires_ms: r.get(2)?,
                project: r.get(3)?,
                amount_micros: r.get(4)?,
                label: r.get(5)?,
                pid: r.get(6)?,
                holder: Holder { pid: r.get::<_, Option<u32>>(6)?.unwrap_or(0), host: r.get(7)?, start: r.get(8)? },
                call_json: r.get(9)?,
                usage_final: r.get(10)?,
                pending_key: r.get(11)?,
            })
        })?;
        rows.collect::<rusqlite::Result<_>>().context("reading reservations")
    }

    /// Records an orphan as a call and deletes its reservation.
    fn charge(&self, o: &Orphan) -> Result<Recovered> {
        let mut call = o
            .call_json
            .as_deref()
            .and_then(|j| serde_json::from_str::<CallRecord>(j).ok())
            .unwrap_or_else(|| CallRecord::unattributed(o.created_ms, &o.project, &o.label));
        if !o.usage_final {
            // What the API billed is unknown: charge what it could have billed, at most.
            call.cost_micros = call.cost_micros.max(o.amount_micros);
            call.outcome = UNSETTLED.to_string();
        }
        self.record_new(&call, &o.pending_key)?;
        self.delete_reservation(o.id, o.created_ms)?;
        Ok(Recovered { pending_key: o.pending_key.clone(), cost_micros: call.cost_micros, outcome: call.outcome })
    }

    /// Records a call tied to a pending key; when that key was already charged (its reservation
    /// was recovered while the call still ran), corrects the charge in place instead.
    pub fn record_keyed(&self, call: &CallRecord, key: Option<&str>) -> Result<i64> {
        if let Some(key) = key
            && let Some(id) = self.charged(key)?
        {
            self.correct(id, call)?;
            return Ok(id);
        }
        match key {
            Some(key) => self.record_new(call, key),
            None => self.insert_call(call),
        }
    }

    /// Records a call with its pending key (its reservation was still held: no charge exists).
    pub fn record_new(&self, call: &CallRecord, key: &str) -> Result<i64> {
        let id = self.insert_call(call)?;
        if !key.is_empty() {
            self.conn().execute("UPDATE calls SET pending_key = ?2 WHERE id = ?1", params![id, key])?;
        }
        Ok(id)
    }

    fn charged(&self, key: &str) -> Result<Option<i64>> {
        let id = self.conn().query_row("SELECT id FROM calls WHERE pending_key = ?1", [key], |r| r.get(0));
        id.optional().context("looking up a pending call")
    }

    fn correct(&self, id: i64, c: &CallRecord) -> Result<()> {
        let t = &c.tokens;
        self.conn()
            .execute(
                "UPDATE calls SET input_tokens = ?2, output_tokens = ?3, cache_write_5m_tokens = ?4,
                 cache_write_1h_tokens = ?5, cache_read_tokens = ?6, cost_micros = ?7, outcome = ?8,
                 request_id = ?9, message_id = ?10, latency_ms = ?11 WHERE id = ?1",
                params![
                    id,
                    t.input as i64,
                    t.output as i64,
                    t.cache_write_5m as i64,
                    t.cache_write_1h as i64,
                    t.cache_read as i64,
                    c.cost_micros,
                    c.outcome,
                    c.request_id,
                    c.message_id,
                    c.latency_ms,
                ],
            )
            .context("correcting a recovered call")?;
        Ok(())
    }
}

impl Db<'_> {
    /// Saves what is known of an in-flight call (usage from `message_start`, later the final
    /// usage) on its reservation, so a crash cannot lose it. False when the reservation is gone.
    pub fn update_pending(&self, key: &str, call: &CallRecord, usage_final: bool) -> Result<bool> {
        let json = serde_json::to_string(call).context("encoding a pending call")?;
        let n = self
            .conn
            .prepare_cached("UPDATE reservations SET call_json = ?2, usage_final = ?3 WHERE pending_key = ?1")?
            .execute(params![key, json, usage_final])
            .context("saving an in-flight call's usage")?;
        Ok(n > 0)
    }

    /// Whether any reservation may need recovering (a read: never waits for a writer).
    pub fn has_reservations(&self) -> Result<bool> {
        let n: i64 = self.conn.query_row("SELECT COUNT(*) FROM reservations", [], |r| r.get(0))?;
        Ok(n > 0)
    }
}

#[cfg(test)]
#[path = "pending_tests.rs"]
mod tests;
