//! Indexing a library into the store, incrementally: files whose content hash is unchanged are
//! not parsed again, removed agents are dropped, and a change in the set of agent ids (which
//! every agent's index text depends on) rebuilds the whole index.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Result;

use super::card;
use super::keywords::Common;
use super::parse::{self, Outcome};
use super::scan::{self, Skipped, SourceFile};
use crate::store::{IndexChanges, IndexedFile, Library, Store};

/// Bumped when cards are rendered differently, which rebuilds every stored index once.
const CARD_FORMAT: &str = "cards-2: library-wide keyword filter";

/// What an index run did.
#[derive(Debug, Default)]
pub struct IndexReport {
    pub library: Option<Library>,
    /// Files parsed this run.
    pub parsed: usize,
    /// Files skipped because their hash was unchanged.
    pub unchanged: usize,
    /// Agents removed since the last run.
    pub removed: usize,
    /// Every file that is not indexed, with the reason (this run's and still-broken old ones).
    pub skipped: Vec<Skipped>,
    /// Non-fatal notes about indexed agents, as (relative path, message).
    pub warnings: Vec<(String, String)>,
    /// Whether the whole index was rebuilt.
    pub rebuilt: bool,
}

/// Options of an index run.
#[derive(Debug, Clone, Copy)]
pub struct IndexOptions {
    pub card_max_tokens: usize,
    pub force: bool,
}

/// What an index run reports as it goes, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexProgress {
    /// The library holds this many agent files (sent once, after the walk).
    Files(u64),
    /// This many more files were looked at (sent from the worker threads).
    Read(u64),
}

/// Brings the store's index of `root` up to date, telling `progress` how far it got.
pub fn index_library(
    store: &Store,
    root: &Path,
    options: IndexOptions,
    progress: &(dyn Fn(IndexProgress) + Sync),
) -> Result<IndexReport> {
    let scan = scan::scan(root)?;
    progress(IndexProgress::Files(scan.files.len() as u64));
    let ids: HashSet<String> = scan.files.iter().map(|f| f.id.to_ascii_lowercase()).collect();
    // The card format is part of the hash, so that a store indexed by an older format is
    // rebuilt once instead of keeping stale cards.
    let sorted = ids.iter().collect::<BTreeSet<_>>().into_iter().cloned().collect::<Vec<_>>().join("\n");
    let id_set_hash = parse::hash(format!("{CARD_FORMAT}\n{sorted}").as_bytes());
    let previous = store.index().library(root)?;
    let rebuild = options.force
        || previous
            .as_ref()
            .is_none_or(|lib| lib.id_set_hash != id_set_hash || lib.card_max_tokens != options.card_max_tokens);
    let known = match (&previous, rebuild) {
        (Some(lib), false) => store.index().indexed_files(lib.id)?,
        _ => HashMap::new(),
    };
    let mut report = IndexReport { rebuilt: rebuild, skipped: scan.skipped, ..IndexReport::default() };
    let mut changes = IndexChanges {
        id_set_hash,
        card_max_tokens: options.card_max_tokens,
        rebuild,
        indexed_at: now(),
        ..IndexChanges::default()
    };
    let read = read_all(&scan.files, &known, &ids, options.card_max_tokens, progress);
    for (file, result) in scan.files.iter().zip(read) {
        record(file, result, &mut report, &mut changes);
    }
    let previous_ids: HashSet<String> = match &previous {
        Some(lib) => store.index().agent_ids(lib.id)?.into_iter().collect(),
        None => HashSet::new(),
    };
    let keep: HashSet<&String> = changes.keep_ids.iter().collect();
    report.removed = previous_ids.iter().filter(|id| !keep.contains(id)).count();
    if rebuild || !changes.upserts.is_empty() || report.removed > 0 {
        let Some(common) = library_common(store, previous.as_ref().filter(|_| !rebuild), &changes, &keep)? else {
            // The change moved which terms are common, so cards of unchanged agents are stale.
            return index_library(store, root, IndexOptions { force: true, ..options }, progress);
        };
        for agent in &mut changes.upserts {
            card::finish(agent, options.card_max_tokens, &common);
        }
    }
    report.library = match previous {
        // Nothing changed: a read-only command should not write to the store.
        Some(lib)
            if !rebuild && changes.upserts.is_empty() && report.removed == 0 && same_files(&known, &changes.files) =>
        {
            Some(lib)
        }
        _ => Some(store.index().save_index(root, &changes)?),
    };
    Ok(report)
}

/// The library's common keywords after this run's changes: from the parsed agents on a
/// rebuild, else from the store's candidates of unchanged agents and the parsed ones. `None`
/// when that differs from the set the stored cards were rendered with.
fn library_common(
    store: &Store,
    previous: Option<&Library>,
    changes: &IndexChanges,
    keep: &HashSet<&String>,
) -> Result<Option<Common>> {
    let parsed = changes.upserts.iter().map(|a| a.keywords.as_slice());
    let Some(lib) = previous else {
        return Ok(Some(Common::of(parsed)));
    };
    let stored = store.index().agent_keywords(lib.id)?;
    let before = Common::of(stored.values().map(Vec::as_slice));
    let upserted: HashSet<&str> = changes.upserts.iter().map(|a| a.id.as_str()).collect();
    let unchanged = stored.iter().filter(|(id, _)| keep.contains(id) && !upserted.contains(id.as_str()));
    let now = Common::of(unchanged.map(|(_, k)| k.as_slice()).chain(parsed));
    Ok((now == before).then_some(now))
}

fn same_files(known: &HashMap<String, IndexedFile>, now: &[(String, IndexedFile)]) -> bool {
    known.len() == now.len() && now.iter().all(|(rel, file)| known.get(rel) == Some(file))
}

/// What happened to one file.
enum FileResult {
    /// Hash unchanged since the last run: nothing to parse.
    Unchanged(IndexedFile),
    Parsed {
        seen: IndexedFile,
        outcome: Outcome,
    },
    Unreadable(String),
}

/// Reads and parses files on all cores; parsing dominates a cold run of a large library.
fn read_all(
    files: &[SourceFile],
    known: &HashMap<String, IndexedFile>,
    ids: &HashSet<String>,
    card_max: usize,
    progress: &(dyn Fn(IndexProgress) + Sync),
) -> Vec<FileResult> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from).min(8);
    let chunk = files.len().div_ceil(threads).max(1);
    let results: Vec<Vec<FileResult>> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let read = |f| {
                        let result = read_one(f, known, ids, card_max);
                        progress(IndexProgress::Read(1));
                        result
                    };
                    part.iter().map(read).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    results.into_iter().flatten().collect()
}

fn read_one(
    file: &SourceFile,
    known: &HashMap<String, IndexedFile>,
    ids: &HashSet<String>,
    card_max: usize,
) -> FileResult {
    let (size, mtime_ns) = stat(&file.path);
    let old = known.get(&file.rel_path);
    // Same size and mtime as when hashed: trust the stored hash, as git and rsync do.
    if let Some(old) = old.filter(|o| o.size == size && o.mtime_ns == mtime_ns && mtime_ns != 0) {
        return FileResult::Unchanged(old.clone());
    }
    let bytes = match parse::read(file) {
        Ok(bytes) => bytes,
        Err(reason) => return FileResult::Unreadable(reason),
    };
    let content_hash = parse::hash(&bytes);
    let seen = IndexedFile { content_hash, size, mtime_ns, skip_reason: None };
    match old {
        Some(old) if old.content_hash == seen.content_hash => {
            FileResult::Unchanged(IndexedFile { skip_reason: old.skip_reason.clone(), ..seen })
        }
        _ => FileResult::Parsed { outcome: parse::parse(file, &bytes, ids, card_max), seen },
    }
}

fn stat(path: &std::path::Path) -> (u64, i64) {
    let Ok(meta) = std::fs::metadata(path) else {
        return (0, 0);
    };
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(0));
    (meta.len(), mtime)
}

fn record(file: &SourceFile, result: FileResult, report: &mut IndexReport, changes: &mut IndexChanges) {
    let rel = file.rel_path.clone();
    let skip =
        |report: &mut IndexReport, reason: String| report.skipped.push(Skipped { rel_path: rel.clone(), reason });
    match result {
        FileResult::Unreadable(reason) => skip(report, reason),
        FileResult::Unchanged(file_state) => {
            report.unchanged += 1;
            match &file_state.skip_reason {
                Some(reason) if reason.is_empty() => {}
                Some(reason) => skip(report, reason.clone()),
                None => changes.keep_ids.push(file.id.clone()),
            }
            changes.files.push((rel.clone(), file_state));
        }
        FileResult::Parsed { seen, outcome } => {
            report.parsed += 1;
            let skip_reason = match outcome {
                Outcome::Agent(agent) => {
                    report.warnings.extend(agent.warnings.iter().map(|w| (rel.clone(), w.clone())));
                    changes.keep_ids.push(agent.id.clone());
                    changes.upserts.push(*agent);
                    None
                }
                Outcome::Skipped(reason) => {
                    skip(report, reason.clone());
                    Some(reason)
                }
                // Remembered with an empty reason so that an unchanged note is not re-read.
                Outcome::NotAnAgent => Some(String::new()),
            };
            changes.files.push((rel.clone(), IndexedFile { skip_reason, ..seen }));
        }
    }
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
#[path = "index_tests.rs"]
mod tests;
