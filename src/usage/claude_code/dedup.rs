//! Deduplication of usage lines into API calls, following the reference's rules: a call is a
//! `message.id` + `requestId` (or `message.id` alone when a gateway omits `requestId`); of its
//! lines the one with the largest token total wins; a sidechain line that replays a message
//! under another `requestId` (a `/btw` aside) loses to the non-sidechain line. Ties go to the
//! line read first (paths sorted by bytes, then line order), whatever order threads deliver in.

use std::hash::BuildHasher;

use anyhow::{Result, bail};
use hashbrown::HashTable;

use super::scan::Rec;
use crate::pricing::{ModelInfo, PriceTable, TokenUsage};

const NONE: u32 = u32::MAX;

/// One distinct call so far: the winning line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Offsets into [`Dedup::text`].
    pub key: (u32, u32),
    pub request_id: Option<(u32, u32)>,
    pub model: u16,
    pub file: u32,
    pub line: u64,
    pub ts_ms: i64,
    pub tokens: TokenUsage,
    pub sidechain: bool,
    pub has_speed: bool,
    pub api_error: bool,
    /// The next entry with the same key, or `NONE`.
    next: u32,
}

/// The calls found in this import, in first-seen order.
pub struct Dedup<'p> {
    text: String,
    pub entries: Vec<Entry>,
    heads: HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
    /// Model names; index `u16::MAX` means no model.
    pub models: Vec<String>,
    /// Each model's prices, `None` when the table has none.
    priced: Vec<Option<&'p ModelInfo>>,
    prices: &'p PriceTable,
    /// Usage lines that merged into another line's call.
    pub merged: u64,
}

/// What a line did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// It is a call not seen before: entry `n`.
    New(u32),
    /// It replaced the line of entry `index` (it was larger); `before` is the line it replaced.
    Replaced { index: u32, before: Entry },
    /// Another line of a call already seen won.
    Kept,
}

/// Who wins between two lines of one call. `existing_first` says the existing line was read
/// first, which decides an exact tie.
pub fn candidate_wins(c: &Side, e: &Side, existing_first: bool) -> bool {
    if c.sidechain != e.sidechain {
        return e.sidechain;
    }
    let (ct, et) = (total(&c.tokens), total(&e.tokens));
    if ct != et {
        return ct > et;
    }
    if c.cost_micros != e.cost_micros {
        return c.cost_micros > e.cost_micros;
    }
    if c.has_speed != e.has_speed {
        return c.has_speed;
    }
    !existing_first
}

/// What [`candidate_wins`] compares.
#[derive(Debug, Clone, Copy)]
pub struct Side {
    pub tokens: TokenUsage,
    pub cost_micros: i64,
    pub sidechain: bool,
    pub has_speed: bool,
}

/// The token total ccusage compares duplicates by.
pub fn total(t: &TokenUsage) -> u64 {
    t.input + t.output + t.cache_write_5m + t.cache_write_1h + t.cache_read
}

impl<'p> Dedup<'p> {
    /// A table with room for about `calls` calls (reserved, not touched, up front).
    pub fn with_capacity(prices: &'p PriceTable, calls: usize) -> Self {
        Self {
            text: String::with_capacity(calls * 64),
            entries: Vec::with_capacity(calls),
            heads: HashTable::with_capacity(calls),
            hasher: hashbrown::DefaultHashBuilder::default(),
            models: Vec::new(),
            priced: Vec::new(),
            prices,
            merged: 0,
        }
    }

    pub fn str(&self, (start, len): (u32, u32)) -> &str {
        &self.text[start as usize..(start + len) as usize]
    }

    pub fn model(&self, e: &Entry) -> Option<&str> {
        self.models.get(usize::from(e.model)).map(String::as_str)
    }

    /// Merges one usage line of `file` (its strings in `arena`). Fails only past the table's
    /// limits (4 GiB of ids, 4 billion calls or 65,534 model names in one import).
    pub fn add(&mut self, file: u32, rec: &Rec, arena: &str) -> Result<Added> {
        let key = rec.key.get(arena);
        let request_id = rec.request_id.map(|s| s.get(arena));
        if self.text.len() + key.len() + request_id.map_or(0, str::len) >= u32::MAX as usize
            || self.entries.len() >= NONE as usize - 1
        {
            bail!("too many calls for one import: import the folders one at a time");
        }
        let model = match rec.model {
            Some(m) => self.intern_model(m.get(arena))?,
            None => u16::MAX,
        };
        let hash = self.hasher.hash_one(key);
        let head = self.heads.find(hash, |&i| self.str(self.entries[i as usize].key) == key).copied();
        let candidate = Entry {
            key: (0, 0),
            request_id: None,
            model,
            file,
            line: rec.line,
            ts_ms: rec.ts_ms,
            tokens: rec.tokens,
            sidechain: rec.sidechain,
            has_speed: rec.has_speed,
            api_error: rec.api_error,
            next: NONE,
        };
        if let Some(i) = head.and_then(|h| self.matching(h, request_id, rec.sidechain)) {
            self.merged += 1;
            if self.wins(&candidate, i) {
                let old = &self.entries[i as usize];
                let (key, next, old_rid) = (old.key, old.next, old.request_id);
                // The winner's requestId differs only for a sidechain replay; reuse the text otherwise.
                let rid = match (request_id, old_rid) {
                    (Some(r), Some(o)) if self.str(o) == r => Some(o),
                    (Some(r), _) => Some(put(&mut self.text, r)),
                    (None, _) => None,
                };
                let before =
                    std::mem::replace(&mut self.entries[i as usize], Entry { key, request_id: rid, next, ..candidate });
                return Ok(Added::Replaced { index: i, before });
            }
            return Ok(Added::Kept);
        }
        let index = self.entries.len() as u32;
        let key_span = put(&mut self.text, key);
        let rid = request_id.map(|r| put(&mut self.text, r));
        self.entries.push(Entry { key: key_span, request_id: rid, ..candidate });
        match head {
            Some(h) => self.append(h, index),
            None => {
                let entries = &self.entries;
                let text = &self.text;
                let hasher = &self.hasher;
                self.heads.insert_unique(hash, index, |&i| {
                    let (s, l) = entries[i as usize].key;
                    hasher.hash_one(&text[s as usize..(s + l) as usize])
                });
            }
        }
        Ok(Added::New(index))
    }

    /// The entry this line merges into: same `requestId`, else (for a sidechain on either side)
    /// the first entry of the same message.
    fn matching(&self, head: u32, request_id: Option<&str>, sidechain: bool) -> Option<u32> {
        let chain =
            || std::iter::successors(Some(head), |&i| Some(self.entries[i as usize].next).filter(|&n| n != NONE));
        chain()
            .find(|&i| self.entries[i as usize].request_id.map(|r| self.str(r)) == request_id)
            .or_else(|| chain().find(|&i| sidechain || self.entries[i as usize].sidechain))
    }

    fn append(&mut self, head: u32, index: u32) {
        let mut i = head;
        while self.entries[i as usize].next != NONE {
            i = self.entries[i as usize].next;
        }
        self.entries[i as usize].next = index;
    }

    fn wins(&self, c: &Entry, i: u32) -> bool {
        let e = &self.entries[i as usize];
        let existing_first = (e.file, e.line) <= (c.file, c.line);
        // Cost only breaks a tie of totals between different usages, so it is priced only then.
        let priced = total(&c.tokens) == total(&e.tokens) && (c.tokens != e.tokens || c.model != e.model);
        let side = |x: &Entry| Side {
            tokens: x.tokens,
            cost_micros: if priced { self.cost_micros(x).unwrap_or(0) } else { 0 },
            sidechain: x.sidechain,
            has_speed: x.has_speed,
        };
        candidate_wins(&side(c), &side(e), existing_first)
    }

    /// Whether a model (by name) has no price.
    pub fn is_unpriced(&self, model: &str) -> bool {
        self.models.iter().position(|m| m == model).is_none_or(|i| self.priced[i].is_none())
    }

    /// A call's cost from the price table, `None` when its model has no price.
    pub fn cost_micros(&self, e: &Entry) -> Option<i64> {
        let info = (*self.priced.get(usize::from(e.model))?)?;
        Some(crate::usage::to_micros(info.cost(&e.tokens, false).total))
    }

    fn intern_model(&mut self, name: &str) -> Result<u16> {
        if let Some(i) = self.models.iter().position(|m| m == name) {
            return Ok(i as u16);
        }
        if self.models.len() >= usize::from(u16::MAX) - 1 {
            bail!("more than {} model names in one import: these are not Claude Code logs", u16::MAX - 1);
        }
        self.models.push(name.to_string());
        self.priced.push(self.prices.find(name));
        Ok((self.models.len() - 1) as u16)
    }
}

fn put(text: &mut String, s: &str) -> (u32, u32) {
    let span = (text.len() as u32, s.len() as u32);
    text.push_str(s);
    span
}

#[cfg(test)]
mod tests;
