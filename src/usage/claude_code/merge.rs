//! Writing an import: this import's calls merged with the calls already stored, by the same
//! rules as within one import (a stored call counts as read first), the rollup, and the new
//! file offsets, all in one transaction.

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;

use super::Unpriced;
use super::dedup::{Dedup, Entry, Side, candidate_wins};
use super::paths::Transcript;
use crate::pricing::TokenUsage;
use crate::store::{BUCKET_MS, ImportFile, ImportTx, ImportedCall, SlotSums, Store, StoredCall};
use crate::usage::Source;

/// What the write did.
#[derive(Debug, Default)]
pub struct Written {
    pub added: u64,
    pub updated: u64,
    /// Calls read again (or a smaller line of them) that the store already held.
    pub kept_stored: u64,
    pub unpriced: Vec<Unpriced>,
}

#[derive(Debug, PartialEq, Eq)]
enum Decision {
    Insert,
    Replace(i64),
    Keep,
}

/// Writes an import in one transaction, opened before reading starts.
pub struct Writer<'s> {
    tx: Box<dyn ImportTx + 's>,
    /// No call of this source is stored yet, so there is nothing to merge with: calls are
    /// inserted as soon as their file is read (overlapping the reading of the rest), and
    /// rewritten at the end if a later file held a winning line of them.
    bulk: bool,
    /// Row id of each entry written so far (0: not yet).
    rows: Vec<i64>,
    /// Entries replaced after they were written: the entry as written.
    written_as: HashMap<u32, Entry>,
    /// Sums of the calls inserted, per rollup slot, model and file.
    slots: HashMap<(i64, u16, u32), Sum>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Sum {
    calls: u64,
    tokens: TokenUsage,
    cost_micros: i64,
}

impl<'s> Writer<'s> {
    /// Locks the store for writing. `expected` is a guess of the number of calls.
    pub fn begin(store: &'s Store, expected: usize) -> Result<Self> {
        let mut tx = store.begin_import()?;
        let bulk = !tx.has_calls(Source::ClaudeCode)?;
        if bulk && expected as u64 > tx.calls_estimate()? {
            tx.expect_bulk_load()?;
        }
        Ok(Self { tx, bulk, rows: Vec::new(), written_as: HashMap::new(), slots: HashMap::new() })
    }

    /// A later line replaced entry `i`, which was `before`.
    pub fn replaced(&mut self, i: u32, before: Entry) {
        if self.rows.get(i as usize).is_some_and(|&id| id != 0) {
            self.written_as.entry(i).or_insert(before);
        }
    }

    /// The entries first seen in a file that has been read to its end.
    pub fn file_done(&mut self, calls: &Dedup<'_>, files: &[Transcript], new: &[u32]) -> Result<()> {
        if !self.bulk {
            return Ok(());
        }
        self.rows.resize(calls.entries.len(), 0);
        for &i in new {
            let e = &calls.entries[i as usize];
            self.rows[i as usize] = self.tx.insert_call(&call_of(calls, e, files))?;
            self.add(calls, e, 1);
        }
        Ok(())
    }

    /// Writes what is left, the rollup and the file offsets, and commits.
    pub fn finish(mut self, calls: &Dedup<'_>, files: &[Transcript], offsets: &[ImportFile]) -> Result<Written> {
        let mut written = Written::default();
        if self.bulk {
            self.rows.resize(calls.entries.len(), 0);
            for (&i, before) in &std::mem::take(&mut self.written_as) {
                let after = &calls.entries[i as usize];
                if changed(before, after, files) {
                    self.tx.replace_call(self.rows[i as usize], &call_of(calls, after, files))?;
                    self.add(calls, before, -1);
                    self.add(calls, after, 1);
                }
            }
            for i in 0..calls.entries.len() {
                if self.rows[i] == 0 {
                    self.tx.insert_call(&call_of(calls, &calls.entries[i], files))?;
                    self.add(calls, &calls.entries[i], 1);
                }
            }
            written.added = calls.entries.len() as u64;
        } else {
            self.merge(calls, files, &mut written)?;
        }
        let (slots, unpriced) = self.rollup(calls, files);
        self.tx.add_to_rollup(&slots)?;
        for row in offsets {
            self.tx.save_file(Source::ClaudeCode, row)?;
        }
        self.tx.commit()?;
        written.unpriced = unpriced;
        Ok(written)
    }

    /// Merges every entry with the stored calls, oldest first.
    fn merge(&mut self, calls: &Dedup<'_>, files: &[Transcript], written: &mut Written) -> Result<()> {
        let mut order: Vec<u32> = (0..calls.entries.len() as u32).collect();
        order.sort_unstable_by_key(|&i| {
            let e = &calls.entries[i as usize];
            (e.ts_ms, e.file, e.line)
        });
        for i in order {
            let e = &calls.entries[i as usize];
            let call = call_of(calls, e, files);
            let stored = self.tx.calls_with_message(Source::ClaudeCode, call.message_id)?;
            match decide(&stored, &call, e.has_speed) {
                Decision::Insert => {
                    self.tx.insert_call(&call)?;
                    self.add(calls, e, 1);
                    written.added += 1;
                }
                Decision::Replace(id) => {
                    self.tx.replace_call(id, &call)?;
                    written.updated += 1;
                }
                Decision::Keep => written.kept_stored += 1,
            }
        }
        Ok(())
    }

    /// Adds (or with `sign` -1 takes away) an entry's call from the inserted sums.
    fn add(&mut self, calls: &Dedup<'_>, e: &Entry, sign: i8) {
        let slot = self.slots.entry((e.ts_ms.div_euclid(BUCKET_MS), e.model, e.file)).or_default();
        let step = |total: &mut u64, n: u64| *total = if sign > 0 { *total + n } else { total.saturating_sub(n) };
        step(&mut slot.calls, 1);
        let t = &mut slot.tokens;
        step(&mut t.input, e.tokens.input);
        step(&mut t.output, e.tokens.output);
        step(&mut t.cache_write_5m, e.tokens.cache_write_5m);
        step(&mut t.cache_write_1h, e.tokens.cache_write_1h);
        step(&mut t.cache_read, e.tokens.cache_read);
        slot.cost_micros += i64::from(sign) * calls.cost_micros(e).unwrap_or(0);
    }

    /// The inserted sums per slot, model and project, and the models without a price.
    fn rollup<'a>(&self, calls: &'a Dedup<'_>, files: &'a [Transcript]) -> (Vec<SlotSums<'a>>, Vec<Unpriced>) {
        let mut merged: HashMap<(i64, u16, &str), SlotSums<'a>> = HashMap::new();
        let mut unpriced: BTreeMap<String, u64> = BTreeMap::new();
        for (&(bucket, model_index, file), sum) in self.slots.iter().filter(|(_, s)| s.calls > 0) {
            let model = calls.models.get(usize::from(model_index)).map_or("", String::as_str);
            let project = files[file as usize].project.as_str();
            let slot = merged.entry((bucket, model_index, project)).or_insert_with(|| SlotSums {
                source: Source::ClaudeCode,
                bucket,
                model,
                project,
                calls: 0,
                tokens: TokenUsage::default(),
                cost_micros: 0,
            });
            slot.calls += sum.calls;
            let (t, s) = (&mut slot.tokens, &sum.tokens);
            t.input += s.input;
            t.output += s.output;
            t.cache_write_5m += s.cache_write_5m;
            t.cache_write_1h += s.cache_write_1h;
            t.cache_read += s.cache_read;
            slot.cost_micros += sum.cost_micros;
            if calls.is_unpriced(model) {
                let name = if model.is_empty() { "(no model)" } else { model };
                *unpriced.entry(name.to_string()).or_default() += sum.calls;
            }
        }
        let unpriced = unpriced.into_iter().map(|(model, calls)| Unpriced { model, calls }).collect();
        (merged.into_values().collect(), unpriced)
    }
}

/// Whether the stored row of a call changes when its winning line goes from `a` to `b` (a tie
/// between two copies of one line moves nothing but the line's position).
fn changed(a: &Entry, b: &Entry, files: &[Transcript]) -> bool {
    let (fa, fb) = (&files[a.file as usize], &files[b.file as usize]);
    (a.ts_ms, a.tokens, a.model, a.request_id, a.sidechain, a.api_error)
        != (b.ts_ms, b.tokens, b.model, b.request_id, b.sidechain, b.api_error)
        || fa.project != fb.project
        || fa.session != fb.session
}

/// An entry as a call to store.
fn call_of<'a>(calls: &'a Dedup<'_>, e: &Entry, files: &'a [Transcript]) -> ImportedCall<'a> {
    let t = &files[e.file as usize];
    let model = calls.model(e).unwrap_or("");
    ImportedCall {
        ts_ms: e.ts_ms,
        source: Source::ClaudeCode,
        project: &t.project,
        session_id: &t.session,
        model,
        tier: tier_of(model),
        tokens: e.tokens,
        cost_micros: calls.cost_micros(e).unwrap_or(0),
        request_id: e.request_id.map(|r| calls.str(r)),
        message_id: calls.str(e.key),
        is_sidechain: e.sidechain,
        outcome: if e.api_error { "error" } else { "ok" },
    }
}

/// The stored call a line belongs to (same `requestId`, else, for a sidechain on either side,
/// the first stored call of the message), and whether the line replaces it.
fn decide(stored: &[StoredCall], call: &ImportedCall<'_>, has_speed: bool) -> Decision {
    let same = stored
        .iter()
        .find(|s| s.request_id.as_deref() == call.request_id)
        .or_else(|| stored.iter().find(|s| call.is_sidechain || s.is_sidechain));
    let Some(s) = same else { return Decision::Insert };
    let candidate =
        Side { tokens: call.tokens, cost_micros: call.cost_micros, sidechain: call.is_sidechain, has_speed };
    let existing = Side { tokens: s.tokens, cost_micros: s.cost_micros, sidechain: s.is_sidechain, has_speed: false };
    if candidate_wins(&candidate, &existing, true) { Decision::Replace(s.id) } else { Decision::Keep }
}

/// The routing tier a model belongs to, from its family name.
fn tier_of(model: &str) -> &'static str {
    ["haiku", "sonnet", "opus"].into_iter().find(|t| model.contains(t)).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(id: i64, rid: &str, sidechain: bool, output: u64) -> StoredCall {
        StoredCall {
            id,
            request_id: Some(rid.into()),
            is_sidechain: sidechain,
            tokens: TokenUsage { output, ..TokenUsage::default() },
            cost_micros: 0,
        }
    }

    fn call(rid: &'static str, sidechain: bool, output: u64) -> ImportedCall<'static> {
        ImportedCall {
            ts_ms: 0,
            source: Source::ClaudeCode,
            project: "p",
            session_id: "s",
            model: "m",
            tier: "",
            tokens: TokenUsage { output, ..TokenUsage::default() },
            cost_micros: 0,
            request_id: Some(rid),
            message_id: "msg",
            is_sidechain: sidechain,
            outcome: "ok",
        }
    }

    #[test]
    fn a_larger_line_of_a_stored_call_replaces_it_and_a_smaller_one_does_not() {
        let s = [stored(1, "r", false, 10)];
        assert_eq!(decide(&s, &call("r", false, 11), false), Decision::Replace(1));
        assert_eq!(decide(&s, &call("r", false, 10), false), Decision::Keep);
        assert_eq!(decide(&s, &call("r", false, 3), false), Decision::Keep);
        assert_eq!(decide(&s, &call("other", false, 3), false), Decision::Insert);
    }

    #[test]
    fn sidechain_replays_lose_to_the_stored_parent_and_replace_a_stored_replay() {
        let parent = [stored(1, "r1", false, 10)];
        assert_eq!(decide(&parent, &call("r2", true, 500), false), Decision::Keep);
        let replay = [stored(2, "r2", true, 500)];
        assert_eq!(decide(&replay, &call("r1", false, 10), false), Decision::Replace(2));
    }

    #[test]
    fn tiers_come_from_the_family_name() {
        assert_eq!(tier_of("claude-sonnet-4-5-20250929"), "sonnet");
        assert_eq!(tier_of("<synthetic>"), "");
    }
}
