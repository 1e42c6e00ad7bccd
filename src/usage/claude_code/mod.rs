//! Import of Claude Code's JSONL transcripts into the store's `calls`, incrementally: each
//! file's identity (device, inode), size and imported offset are kept in `import_files`, so a
//! second import reads only appended bytes, and a file that was replaced or truncated is read
//! again from the start (deduplication keeps that harmless). Calls stay in the store after
//! Claude Code deletes its old transcripts.

mod dedup;
mod line;

/// For the property tests: parses one line; true when it is a usage record.
#[cfg(test)]
pub fn fuzz_line(bytes: &[u8]) -> bool {
    matches!(line::parse(bytes), line::Line::Usage(_))
}
mod merge;
mod paths;
mod scan;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;

use anyhow::Result;
use serde::Serialize;

pub use paths::project_roots;

use crate::pricing::PriceTable;
use crate::store::{ImportFile, Store};
use crate::usage::Source;
use paths::Transcript;
use scan::{FileEnd, Job};

/// What an import will read.
pub struct Plan {
    files: Vec<Transcript>,
    stats: Vec<Option<FileStat>>,
    previous: Vec<Option<ImportFile>>,
    jobs: Vec<Job>,
    /// Bytes to read.
    pub bytes: u64,
    walk_errors: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStat {
    device: u64,
    inode: u64,
    size: u64,
    mtime_ns: i64,
}

/// The outcome of an import.
#[derive(Debug, Serialize)]
pub struct ImportReport {
    pub files: usize,
    pub files_read: usize,
    pub files_unchanged: usize,
    /// Files read again from the start: replaced (new inode) or truncated since the last import.
    pub files_reread: usize,
    pub bytes_read: u64,
    pub lines_read: u64,
    pub usage_lines: u64,
    /// Usage lines that were another line of a call already counted.
    pub duplicate_lines: u64,
    pub malformed_lines: u64,
    pub invalid_lines: u64,
    /// Files ending in a line without a newline; it is read again next time.
    pub incomplete_tails: u64,
    pub calls_added: u64,
    /// Stored calls replaced by a larger line of the same call.
    pub calls_updated: u64,
    /// Models without a price: their tokens count, their cost is 0.
    pub unpriced: Vec<Unpriced>,
    /// The first few skipped lines and why.
    pub skipped: Vec<Skipped>,
    /// Files or folders that could not be read.
    pub errors: Vec<String>,
    /// Time spent reading and deduplicating, and writing to the store.
    pub read_ms: u128,
    pub write_ms: u128,
}

/// A model with no price in the table.
#[derive(Debug, Clone, Serialize)]
pub struct Unpriced {
    pub model: String,
    pub calls: u64,
}

/// A skipped line.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub path: String,
    pub line: u64,
    pub reason: String,
}

/// Lists the transcripts under `roots` and decides where to start reading each.
pub fn plan(store: &Store, roots: &[PathBuf]) -> Result<Plan> {
    let (files, walk_errors) = paths::transcripts(roots);
    let mut known: HashMap<String, ImportFile> =
        store.import_files(Source::ClaudeCode)?.into_iter().map(|f| (f.path.clone(), f)).collect();
    let mut plan =
        Plan { files: Vec::new(), stats: Vec::new(), previous: Vec::new(), jobs: Vec::new(), bytes: 0, walk_errors };
    for (index, t) in files.into_iter().enumerate() {
        let stat = stat(&t.path);
        let previous = known.remove(&t.path.to_string_lossy().into_owned());
        if let Some(s) = stat
            && let Some((start, first_line)) = start_of(&s, previous.as_ref())
        {
            plan.bytes += s.size.saturating_sub(start);
            plan.jobs.push(Job { file: index as u32, path: t.path.clone(), start, first_line });
        }
        plan.files.push(t);
        plan.stats.push(stat);
        plan.previous.push(previous);
    }
    Ok(plan)
}

/// Where to start reading a file, or `None` when nothing changed: from the saved offset when the
/// file is the same one and has not shrunk; from the start when it is new, replaced or cut.
fn start_of(now: &FileStat, before: Option<&ImportFile>) -> Option<(u64, u64)> {
    let Some(b) = before else { return Some((0, 1)) };
    let same_file = (b.device, b.inode) == (now.device, now.inode);
    if !same_file || now.size < b.offset || (now.size == b.offset && now.mtime_ns != b.mtime_ns) {
        return Some((0, 1));
    }
    (now.size > b.offset).then_some((b.offset, b.lines + 1))
}

fn stat(path: &std::path::Path) -> Option<FileStat> {
    let m = std::fs::metadata(path).ok()?;
    let mtime_ns = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
    #[cfg(unix)]
    let (device, inode) = {
        use std::os::unix::fs::MetadataExt;
        (m.dev(), m.ino())
    };
    #[cfg(not(unix))]
    let (device, inode) = (0, 0);
    Some(FileStat { device, inode, size: m.len(), mtime_ns })
}

/// Reads what the plan says, merges it with the store and commits. `progress` gets the bytes
/// read so far.
pub fn run(store: &Store, prices: &PriceTable, plan: Plan, progress: &dyn Fn(u64)) -> Result<ImportReport> {
    let started = std::time::Instant::now();
    let threads = std::thread::available_parallelism().map_or(1, usize::from).min(plan.jobs.len()).max(1);
    // About one call per 6 KB of transcript; the reservation is only touched as it fills.
    let expected = usize::try_from(plan.bytes / 6000).unwrap_or(0);
    let mut writer = merge::Writer::begin(store, expected)?;
    let mut calls = dedup::Dedup::with_capacity(prices, expected);
    let mut state = ReadState { ends: vec![None; plan.files.len()], ..ReadState::default() };
    let read = AtomicU64::new(0);
    scan::scan(&plan.jobs, threads, &read, |batch| {
        if state.failure.is_none()
            && let Err(e) = take_batch(batch, &mut calls, &mut writer, &plan.files, &mut state)
        {
            state.failure = Some(e);
        }
        progress(read.load(std::sync::atomic::Ordering::Relaxed));
    });
    if let Some(e) = state.failure {
        return Err(e);
    }
    let read_ms = started.elapsed().as_millis();
    let written = writer.finish(&calls, &plan.files, &file_rows(&plan, &state.ends))?;
    let write_ms = started.elapsed().as_millis() - read_ms;
    Ok(ImportReport { read_ms, write_ms, ..report(&plan, &state.ends, state.usage_lines, &calls, written) })
}

#[derive(Default)]
struct ReadState {
    ends: Vec<Option<FileEnd>>,
    /// Entries first seen in each file still being read.
    fresh: HashMap<u32, Vec<u32>>,
    usage_lines: u64,
    failure: Option<anyhow::Error>,
}

fn take_batch(
    mut batch: scan::Batch,
    calls: &mut dedup::Dedup<'_>,
    writer: &mut merge::Writer<'_>,
    files: &[Transcript],
    state: &mut ReadState,
) -> Result<()> {
    state.usage_lines += batch.records.len() as u64;
    let fresh = state.fresh.entry(batch.file).or_default();
    for rec in &batch.records {
        match calls.add(batch.file, rec, &batch.arena)? {
            dedup::Added::New(i) => fresh.push(i),
            dedup::Added::Replaced { index, before } => writer.replaced(index, before),
            dedup::Added::Kept => {}
        }
    }
    if let Some(end) = batch.end.take() {
        let fresh = state.fresh.remove(&batch.file).unwrap_or_default();
        writer.file_done(calls, files, &fresh)?;
        state.ends[batch.file as usize] = Some(end);
    }
    Ok(())
}

/// The new `import_files` rows of the files read.
fn file_rows(plan: &Plan, ends: &[Option<FileEnd>]) -> Vec<ImportFile> {
    let mut rows = Vec::new();
    for job in &plan.jobs {
        let i = job.file as usize;
        let (Some(end), Some(stat)) = (&ends[i], plan.stats[i]) else { continue };
        if end.vanished {
            continue;
        }
        let (lines, skipped) = match (&plan.previous[i], job.start) {
            (Some(p), start) if start > 0 => (p.lines, p.skipped_lines),
            _ => (0, 0),
        };
        rows.push(ImportFile {
            path: job.path.to_string_lossy().into_owned(),
            device: stat.device,
            inode: stat.inode,
            size: stat.size.max(end.offset),
            offset: end.offset,
            mtime_ns: stat.mtime_ns,
            lines: lines + end.lines,
            skipped_lines: skipped + end.malformed + end.invalid,
        });
    }
    rows
}

fn report(
    plan: &Plan,
    ends: &[Option<FileEnd>],
    usage_lines: u64,
    calls: &dedup::Dedup<'_>,
    w: merge::Written,
) -> ImportReport {
    let done: Vec<(usize, &FileEnd)> = ends.iter().enumerate().filter_map(|(i, e)| Some((i, e.as_ref()?))).collect();
    let sum = |f: fn(&FileEnd) -> u64| done.iter().map(|(_, e)| f(e)).sum::<u64>();
    let path = |i: usize| plan.files[i].path.display().to_string();
    let skipped = done
        .iter()
        .flat_map(|(i, e)| {
            e.notes.iter().map(move |(line, reason)| Skipped { path: path(*i), line: *line, reason: reason.clone() })
        })
        .take(10)
        .collect();
    let mut errors = plan.walk_errors.clone();
    errors.extend(done.iter().filter_map(|(i, e)| Some(format!("{}: {}", path(*i), e.error.as_ref()?))));
    ImportReport {
        files: plan.files.len(),
        files_read: plan.jobs.len(),
        files_unchanged: plan.files.len() - plan.jobs.len(),
        files_reread: plan
            .jobs
            .iter()
            .filter(|j| j.start == 0 && plan.previous[j.file as usize].as_ref().is_some_and(|p| p.offset > 0))
            .count(),
        bytes_read: sum(|e| e.bytes),
        lines_read: sum(|e| e.lines),
        usage_lines,
        duplicate_lines: calls.merged + w.kept_stored,
        malformed_lines: sum(|e| e.malformed),
        invalid_lines: sum(|e| e.invalid),
        incomplete_tails: sum(|e| u64::from(e.incomplete_tail)),
        calls_added: w.added,
        calls_updated: w.updated,
        unpriced: w.unpriced,
        skipped,
        errors,
        read_ms: 0,
        write_ms: 0,
    }
}

#[cfg(test)]
mod tests;
