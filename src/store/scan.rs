//! The row loop of a usage scan: reads only the columns the groupings need, straight from
//! SQLite's buffers, and sums each row into every grouping's hash map.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use anyhow::{Context as _, Result};
use rusqlite::Connection;
use rusqlite::types::{ToSql, ValueRef};

use crate::records::groups::{Dim, Group, GroupBy, Key, KeyValue, Totals};

/// Index of the first optional column in the SELECT (after model, batch and six sums).
pub(super) const FIRST_OPTIONAL: usize = 8;

/// Runs `sql` and sums its rows into one accumulator per spec.
pub(super) fn scan_rows<'s>(
    conn: &Connection,
    sql: &str,
    params: &[Box<dyn ToSql + Send + Sync>],
    specs: &'s [GroupBy],
    dims: &[Dim],
    bands: &[u64],
) -> Result<Vec<Accumulator<'s>>> {
    let mut stmt = conn.prepare(sql).context("preparing usage scan")?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter().map(|p| p as &dyn ToSql)))?;
    let mut accs: Vec<Accumulator> = specs.iter().map(|s| Accumulator::new(s, dims)).collect();
    while let Some(row) = rows.next().context("scanning calls")? {
        let model = row.get_ref(0)?.as_bytes().unwrap_or_default();
        let batch = int(row.get_ref(1)?) != 0;
        let sums: [i64; 6] = std::array::from_fn(|i| row.get_ref(2 + i).map(int).unwrap_or(0));
        let total_input = sums[0] + sums[2] + sums[3] + sums[4];
        let band = bands.iter().filter(|b| total_input > **b as i64).count() as u8;
        // At most one column per `Dim`, so a fixed array holds them without allocating.
        let mut text: [&[u8]; 8] = [&[]; 8];
        let mut ts = 0;
        for (i, dim) in dims.iter().enumerate() {
            let value = row.get_ref(FIRST_OPTIONAL + i)?;
            if *dim == Dim::Time {
                ts = int(value);
            } else {
                text[i] = value.as_bytes().unwrap_or_default();
            }
        }
        let call = Call { model, batch, band, sums: &sums, text: &text, ts };
        for acc in &mut accs {
            acc.add(&call);
        }
    }
    Ok(accs)
}

fn int(value: ValueRef<'_>) -> i64 {
    match value {
        ValueRef::Integer(i) => i,
        ValueRef::Real(f) => f as i64,
        _ => 0,
    }
}

/// One row of the scan, borrowed from SQLite.
struct Call<'a> {
    model: &'a [u8],
    batch: bool,
    band: u8,
    sums: &'a [i64; 6],
    /// Text of each optional column, in `dims` order (empty for time).
    text: &'a [&'a [u8]],
    ts: i64,
}

/// A hasher for short byte keys: one-shot xxh3 per write, cheaper than a streaming hasher
/// for the one key a row hashes.
#[derive(Default)]
struct OneShot(u64);

impl Hasher for OneShot {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = self.0.rotate_left(5) ^ xxhash_rust::xxh3::xxh3_64(bytes);
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = self.0.rotate_left(5) ^ n as u64;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Sums for one spec: groups keyed by the spec's key bytes plus model, batch and band.
pub(super) struct Accumulator<'s> {
    spec: &'s GroupBy,
    /// Where each of the spec's keys sits among the optional columns.
    slots: Vec<usize>,
    index: HashMap<Box<[u8]>, usize, BuildHasherDefault<OneShot>>,
    groups: Vec<Group>,
    key: Vec<u8>,
}

impl<'s> Accumulator<'s> {
    fn new(spec: &'s GroupBy, dims: &[Dim]) -> Self {
        let slots = spec.keys.iter().map(|k| dims.iter().position(|d| *d == k.dim()).unwrap_or(0)).collect();
        Self { spec, slots, index: HashMap::default(), groups: Vec::new(), key: Vec::with_capacity(64) }
    }

    fn add(&mut self, call: &Call<'_>) {
        self.key.clear();
        for (key, slot) in self.spec.keys.iter().zip(&self.slots) {
            match key {
                Key::Time(bounds) => {
                    let bucket = bounds.partition_point(|b| *b <= call.ts) as u32;
                    self.key.extend_from_slice(&bucket.to_le_bytes());
                }
                _ => {
                    self.key.extend_from_slice(call.text[*slot]);
                    // 0xFF never occurs in UTF-8, so keys cannot run into each other.
                    self.key.push(0xFF);
                }
            }
        }
        self.key.extend_from_slice(call.model);
        self.key.extend_from_slice(&[0xFF, u8::from(call.batch), call.band]);
        let at = match self.index.get(self.key.as_slice()) {
            Some(at) => *at,
            None => self.insert(call),
        };
        self.groups[at].totals.add(call.sums);
    }

    fn insert(&mut self, call: &Call<'_>) -> usize {
        let keys = self
            .spec
            .keys
            .iter()
            .zip(&self.slots)
            .map(|(key, slot)| match key {
                Key::Time(bounds) => KeyValue::Bucket(bounds.partition_point(|b| *b <= call.ts)),
                _ => KeyValue::Text(String::from_utf8_lossy(call.text[*slot]).into_owned()),
            })
            .collect();
        self.groups.push(Group {
            keys,
            model: String::from_utf8_lossy(call.model).into_owned(),
            batch: call.batch,
            band: call.band,
            totals: Totals::default(),
        });
        self.index.insert(self.key.clone().into_boxed_slice(), self.groups.len() - 1);
        self.groups.len() - 1
    }

    /// Adds another part's sums (a scan split over threads) into this one.
    pub(super) fn merge(&mut self, other: Accumulator<'_>) {
        let mut groups: Vec<Option<Group>> = other.groups.into_iter().map(Some).collect();
        for (key, at) in other.index {
            let Some(group) = groups[at].take() else { continue };
            match self.index.get(&key) {
                Some(mine) => self.groups[*mine].totals.merge(&group.totals),
                None => {
                    self.groups.push(group);
                    self.index.insert(key, self.groups.len() - 1);
                }
            }
        }
    }

    pub(super) fn finish(self) -> Vec<Group> {
        self.groups
    }
}
