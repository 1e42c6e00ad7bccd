//! One billed call between its reservation and its record. The reservation row is the call's
//! durable pending record (see `store/pending.rs`); this keeps it up to date with the usage the
//! API reports and decides, however the call ends, what is recorded:
//!
//! - a reply: its usage, settled in place of the reservation;
//! - a failure before the API reported any usage (an error status, a refused connection): not
//!   billed, so the reservation is released;
//! - a failure after `message_start` (the API billed the input): the usage seen, with output at
//!   `max_tokens` (the most it can have billed) unless the API ended the stream itself;
//! - a reply that could not be read after a 2xx began: charged at the reservation, `unsettled`;
//! - the call's future dropped (Ctrl-C, SIGTERM): as a failure after what was seen, `cancelled`.
//!
//! Settling never re-issues the call: a busy store is waited out and retried a bounded number of
//! times; if it stays busy the reservation is left in place for the next process to charge.

use std::time::Duration;

use crate::api::{ApiError, Progress, Usage};
use crate::budget::Reservation;
use crate::pricing::TokenUsage;
use crate::store::UNSETTLED;
use crate::usage::{CallRecord, to_micros};

use super::{Gateway, token_usage};

/// Attempts at settling before the record is left to recovery; each waits out the store's busy
/// timeout first.
const SETTLE_ATTEMPTS: u32 = 5;
/// Any one token count beyond this in a reply is not believed (a corrupt or hostile reply).
pub const MAX_TOKENS_PER_CALL: u64 = 1_000_000_000;

/// How a call without a reply ended, for its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The API ended the stream with `event: error`: its usage is as last reported.
    StreamError,
    /// The stream was cut, timed out, or did not parse: output unknown.
    Cut,
    /// The caller gave up (Ctrl-C, SIGTERM).
    Cancelled,
}

pub struct InFlight<'g, 'a> {
    gateway: &'g Gateway<'a>,
    reservation: Option<Reservation>,
    /// The call as it will be recorded, usage filled in as it is reported.
    record: CallRecord,
    max_tokens: u32,
    seen: Option<Progress>,
    warned: bool,
}

impl<'g, 'a> InFlight<'g, 'a> {
    pub fn new(gateway: &'g Gateway<'a>, reservation: Reservation, record: CallRecord, max_tokens: u32) -> Self {
        Self { gateway, reservation: Some(reservation), record, max_tokens, seen: None, warned: false }
    }

    /// The call as it will be recorded.
    pub fn record(&self) -> &CallRecord {
        &self.record
    }

    /// Gives the reservation back: the call failed before the API could bill it.
    pub fn release_unbilled(mut self) {
        if let Some(reservation) = self.reservation.take() {
            let _ = self.gateway.with_store(|store| self.gateway.guard.release(store.shared(), reservation));
        }
    }

    /// Saves the usage just reported on the pending record. A failure here loses nothing yet
    /// (the reservation still holds the worst case), so it warns and goes on.
    pub fn observe(&mut self, progress: &Progress) {
        self.seen = Some(progress.clone());
        let Some(key) = self.reservation.as_ref().map(|r| r.pending_key.clone()) else { return };
        let Some(record) = self.priced(&progress.usage, Some(progress), false) else { return };
        let saved = self.gateway.with_store(|store| store.update_pending(&key, &record, progress.usage_final));
        if let Err(e) = saved
            && !self.warned
        {
            self.warned = true;
            self.gateway.warn(&format!("could not save the call's usage yet ({e:#}); it is still reserved"));
        }
    }

    /// Records a reply as billed; returns the call's row id, `None` when the store stayed busy.
    pub fn settle(mut self, record: &CallRecord) -> Option<i64> {
        let reservation = self.reservation.take()?;
        self.settle_with(reservation, record)
    }

    /// Records a call that produced no reply, or releases it when the API billed nothing.
    pub fn fail(mut self, error: &ApiError, ending: Ending) {
        self.finish_unreplied(Some(error), ending);
    }

    fn finish_unreplied(&mut self, error: Option<&ApiError>, ending: Ending) {
        let Some(reservation) = self.reservation.take() else { return };
        let record = match (&self.seen, error) {
            (Some(seen), _) => {
                let seen = seen.clone();
                let reported = ending == Ending::StreamError || seen.usage_final;
                let Some(mut record) = self.priced(&seen.usage, Some(&seen), !reported) else {
                    return self.charge_reserved(reservation, "rejected usage");
                };
                record.outcome = match ending {
                    Ending::StreamError => "stream_error",
                    Ending::Cancelled => "cancelled",
                    Ending::Cut if reported => "cut",
                    Ending::Cut => UNSETTLED,
                }
                .to_string();
                record
            }
            // A 2xx reply that could not be read: billed, usage unknown.
            (None, Some(ApiError::Decode { .. })) => return self.charge_reserved(reservation, UNSETTLED),
            (None, _) => {
                let _ = self.gateway.with_store(|store| self.gateway.guard.release(store.shared(), reservation));
                return;
            }
        };
        self.settle_with(reservation, &record);
    }

    fn charge_reserved(&mut self, reservation: Reservation, outcome: &str) {
        let mut record = self.record.clone();
        record.cost_micros = reservation.worst_case_micros;
        record.outcome = outcome.to_string();
        self.settle_with(reservation, &record);
    }

    /// The record at `usage`; with `output_unknown`, output is charged at `max_tokens`. `None`
    /// when the usage is absurd (then the reservation is charged instead, and a warning says so).
    fn priced(&self, usage: &Usage, seen: Option<&Progress>, output_unknown: bool) -> Option<CallRecord> {
        let mut tokens = token_usage(usage);
        if output_unknown {
            tokens.output = tokens.output.max(u64::from(self.max_tokens));
        }
        if !plausible(&tokens) {
            self.gateway.warn(&format!("the API reported implausible usage ({tokens:?}); charging the reservation"));
            return None;
        }
        let cost = self.gateway.prices.cost(&self.record.model, &tokens, self.record.batch).ok()?;
        let mut record = self.record.clone();
        record.tokens = tokens;
        record.cost_micros = to_micros(cost.total);
        if let Some(seen) = seen {
            record.message_id = Some(seen.message_id.clone());
            record.request_id.clone_from(&seen.request_id);
        }
        Some(record)
    }

    fn settle_with(&mut self, reservation: Reservation, record: &CallRecord) -> Option<i64> {
        let g = self.gateway;
        for attempt in 1..=SETTLE_ATTEMPTS {
            let now = g.clock.now();
            match g.with_store(|store| g.guard.settle(store.shared(), now, reservation.clone(), record)) {
                Ok(id) => return Some(id),
                Err(e) if crate::store::is_busy(&e) && attempt < SETTLE_ATTEMPTS => {
                    g.warn(&format!(
                        "the store is busy (another devteam is writing); waiting to record the call \
                         (attempt {attempt} of {SETTLE_ATTEMPTS}); the call is not made again"
                    ));
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => {
                    g.warn(&format!(
                        "could not record the call ({e:#}); it stays reserved and the next devteam to open \
                         the store charges it"
                    ));
                    return None;
                }
            }
        }
        None
    }
}

impl Drop for InFlight<'_, '_> {
    /// The call's future was dropped mid-call (Ctrl-C, SIGTERM, a sibling's failure): what was
    /// billed is recorded now, the rest released.
    fn drop(&mut self) {
        self.finish_unreplied(None, Ending::Cancelled);
    }
}

/// Every count within what one call can use.
pub fn plausible(t: &TokenUsage) -> bool {
    [t.input, t.output, t.cache_write_5m, t.cache_write_1h, t.cache_read].iter().all(|&n| n <= MAX_TOKENS_PER_CALL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_over_a_billion_are_not_believed() {
        let fine = TokenUsage { input: MAX_TOKENS_PER_CALL, output: 5, ..TokenUsage::default() };
        assert!(plausible(&fine));
        for bad in [
            TokenUsage { output: u64::MAX, ..fine },
            TokenUsage { cache_read: MAX_TOKENS_PER_CALL + 1, ..fine },
            TokenUsage { cache_write_1h: 9_223_372_036_854_775_807, ..fine },
        ] {
            assert!(!plausible(&bad), "{bad:?}");
        }
    }
}
