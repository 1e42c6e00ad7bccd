//! Reading transcripts: each file is streamed in 1 MiB chunks from where the last import
//! stopped, on one thread per core, and only lines holding `"usage":{` are parsed. Results go
//! to the caller in batches over a bounded channel, so memory does not grow with the logs.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};

use memchr::memmem::Finder;

use super::line::{self, Line, Record};
use crate::pricing::TokenUsage;

const CHUNK: usize = 1 << 20;
/// Longest line held in memory. A longer one (no usage line comes near) is counted as skipped
/// and stepped over without being held.
const MAX_LINE: usize = 32 << 20;
/// Records per batch sent to the merging thread.
const BATCH: usize = 8192;
/// Reasons kept per file for `-v`.
const NOTES_PER_FILE: usize = 3;

/// A file to read, from `start` (a byte offset at a line boundary).
#[derive(Debug, Clone)]
pub struct Job {
    pub file: u32,
    pub path: PathBuf,
    pub start: u64,
    /// Number of the first line read (1-based), for messages.
    pub first_line: u64,
}

/// Where a string of a batch lives in the batch's arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub len: u32,
}

impl Span {
    pub fn get(self, arena: &str) -> &str {
        &arena[self.start as usize..(self.start + self.len) as usize]
    }
}

/// One usage line, its strings in the batch's arena.
#[derive(Debug, Clone)]
pub struct Rec {
    pub line: u64,
    pub ts_ms: i64,
    /// `message.id`, or `line:<hash>` for a line without one (so that re-reading the line in a
    /// later import does not count it twice).
    pub key: Span,
    pub request_id: Option<Span>,
    pub model: Option<Span>,
    pub tokens: TokenUsage,
    pub sidechain: bool,
    pub has_speed: bool,
    pub api_error: bool,
}

/// What the reader found in one file.
#[derive(Debug, Clone, Default)]
pub struct FileEnd {
    /// Offset after the last complete line: where the next import starts.
    pub offset: u64,
    pub bytes: u64,
    pub lines: u64,
    pub malformed: u64,
    pub invalid: u64,
    /// The file ends in a line without a newline (being written, or cut off); it is read again
    /// next time.
    pub incomplete_tail: bool,
    /// `(line, reason)` of the first few skipped lines.
    pub notes: Vec<(u64, String)>,
    /// The file could not be read (it may have been read in part).
    pub error: Option<String>,
    /// The file was deleted before it could be read.
    pub vanished: bool,
}

/// Records of one file, in line order; the last batch of a file carries its `end`.
#[derive(Debug)]
pub struct Batch {
    pub file: u32,
    pub arena: String,
    pub records: Vec<Rec>,
    pub end: Option<FileEnd>,
}

/// Reads every job on `threads` threads and hands each batch to `sink` on the calling thread.
/// `read_bytes` counts bytes read so far, for a progress bar.
pub fn scan(jobs: &[Job], threads: usize, read_bytes: &AtomicU64, sink: impl FnMut(Batch)) {
    scan_with(jobs, threads, read_bytes, MAX_LINE, sink);
}

fn scan_with(jobs: &[Job], threads: usize, read_bytes: &AtomicU64, max_line: usize, mut sink: impl FnMut(Batch)) {
    let next = AtomicUsize::new(0);
    let (tx, rx) = sync_channel::<Batch>(threads * 4);
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            let tx = tx.clone();
            let next = &next;
            let work = move || {
                let mut reader = Reader::new(read_bytes, max_line);
                while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if reader.read(job, &tx).is_err() {
                        return; // the receiver is gone
                    }
                }
            };
            std::thread::Builder::new().name("log-reader".into()).spawn_scoped(scope, work).expect("spawning a reader");
        }
        drop(tx);
        for batch in rx {
            sink(batch);
        }
    });
}

struct Reader<'a> {
    buf: Vec<u8>,
    usage: Finder<'static>,
    read_bytes: &'a AtomicU64,
    max_line: usize,
}

/// Whether `text` has `"usage"` followed by `:` and `{`, with any JSON whitespace between (a
/// line written as `"usage": {` must be read too, not skipped uncounted).
fn has_usage_object(finder: &Finder<'_>, text: &[u8]) -> bool {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    finder.find_iter(text).any(|at| {
        let mut rest = text[at + b"\"usage\"".len()..].iter().skip_while(|b| is_space(b));
        rest.next() == Some(&b':') && rest.find(|b| !is_space(b)) == Some(&b'{')
    })
}

/// Per-file state while reading.
struct Cursor {
    batch: Batch,
    end: FileEnd,
    line_no: u64,
}

impl<'a> Reader<'a> {
    fn new(read_bytes: &'a AtomicU64, max_line: usize) -> Self {
        Self { buf: vec![0; CHUNK.min(max_line)], usage: Finder::new(b"\"usage\""), read_bytes, max_line }
    }

    /// Streams one file; `Err` only when the receiver has gone away.
    fn read(&mut self, job: &Job, tx: &SyncSender<Batch>) -> Result<(), ()> {
        let mut cur = Cursor {
            batch: Batch { file: job.file, arena: String::new(), records: Vec::new(), end: None },
            end: FileEnd { offset: job.start, ..FileEnd::default() },
            line_no: job.first_line,
        };
        match self.stream(job, &mut cur, tx) {
            Ok(()) => {}
            // Claude Code deletes old transcripts; one gone since the listing is not a fault.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => cur.end.vanished = true,
            Err(e) => cur.end.error = Some(e.to_string()),
        }
        cur.batch.end = Some(cur.end);
        tx.send(cur.batch).map_err(|_| ())
    }

    fn stream(&mut self, job: &Job, cur: &mut Cursor, tx: &SyncSender<Batch>) -> std::io::Result<()> {
        let mut file = File::open(&job.path)?;
        file.seek(SeekFrom::Start(job.start))?;
        if self.buf.len() > CHUNK {
            // Give back what a long line of the last file took.
            self.buf.truncate(CHUNK);
            self.buf.shrink_to_fit();
        }
        let (mut filled, mut oversized) = (0, None);
        loop {
            if filled == self.buf.len() {
                oversized = self.make_room(filled, cur);
                if oversized.is_some() {
                    filled = 0;
                }
            }
            let n = match file.read(&mut self.buf[filled..]) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.read_bytes.fetch_add(n as u64, Ordering::Relaxed);
            cur.end.bytes += n as u64;
            filled += n;
            let start = match oversized {
                Some(dropped) => match memchr::memchr(b'\n', &self.buf[..filled]) {
                    Some(k) => {
                        // The oversized line ends here.
                        (cur.end.offset, cur.line_no, cur.end.lines) =
                            (cur.end.offset + dropped + k as u64 + 1, cur.line_no + 1, cur.end.lines + 1);
                        oversized = None;
                        k + 1
                    }
                    None => {
                        oversized = Some(dropped + filled as u64);
                        filled = 0;
                        0
                    }
                },
                None => 0,
            };
            let done = start + self.lines(&self.buf[start..filled], n == 0 && oversized.is_none(), cur);
            cur.end.offset += (done - start) as u64;
            self.buf.copy_within(done..filled, 0);
            filled -= done;
            if cur.batch.records.len() >= BATCH {
                let next = Batch { file: job.file, arena: String::new(), records: Vec::new(), end: None };
                tx.send(std::mem::replace(&mut cur.batch, next))
                    .map_err(|_| std::io::Error::other("import stopped"))?;
            }
            if n == 0 {
                return Ok(());
            }
        }
    }

    /// The buffer is full with one unfinished line: grow it, or past `max_line` drop the line
    /// (counted as skipped). Returns the bytes of the line dropped so far.
    fn make_room(&mut self, filled: usize, cur: &mut Cursor) -> Option<u64> {
        if self.buf.len() < self.max_line {
            self.buf.resize((self.buf.len() * 2).min(self.max_line), 0);
            return None;
        }
        skip(cur, false, format!("line longer than {} bytes, skipped", self.max_line));
        Some(filled as u64)
    }

    /// Handles the complete lines of `buf` and returns how many bytes they span. At the end of
    /// the file, a last line without a newline is read too but not consumed.
    fn lines(&self, buf: &[u8], eof: bool, cur: &mut Cursor) -> usize {
        let mut pos = 0;
        while let Some(nl) = memchr::memchr(b'\n', &buf[pos..]) {
            self.line(&buf[pos..pos + nl], cur, true);
            cur.line_no += 1;
            cur.end.lines += 1;
            pos += nl + 1;
        }
        if eof && pos < buf.len() {
            let tail = &buf[pos..];
            if !tail.trim_ascii().is_empty() {
                cur.end.incomplete_tail = true;
                self.line(tail, cur, false);
            }
        }
        pos
    }

    /// One line. `complete` is false for an unterminated last line, whose faults are not
    /// counted (it may still be being written).
    fn line(&self, raw: &[u8], cur: &mut Cursor, complete: bool) {
        let text = raw.trim_ascii();
        if text.is_empty() {
            return;
        }
        if !(text.starts_with(b"{") && text.ends_with(b"}")) {
            if complete {
                skip(cur, true, "not a JSON object".into());
            }
            return;
        }
        if !has_usage_object(&self.usage, text) {
            return;
        }
        match line::parse(text) {
            Line::Usage(record) => push(cur, &record, text),
            Line::NoUsage => {}
            Line::Invalid(reason) if complete => skip(cur, false, reason),
            Line::Malformed(reason) if complete => skip(cur, true, reason),
            Line::Invalid(_) | Line::Malformed(_) => {}
        }
    }
}

fn skip(cur: &mut Cursor, malformed: bool, reason: String) {
    if malformed {
        cur.end.malformed += 1;
    } else {
        cur.end.invalid += 1;
    }
    if cur.end.notes.len() < NOTES_PER_FILE {
        cur.end.notes.push((cur.line_no, reason));
    }
}

fn push(cur: &mut Cursor, r: &Record<'_>, text: &[u8]) {
    let arena = &mut cur.batch.arena;
    let key = match r.message_id.as_deref() {
        Some(id) => put(arena, id),
        None => put(arena, &format!("line:{:016x}", xxhash_rust::xxh3::xxh3_64(text))),
    };
    let rec = Rec {
        line: cur.line_no,
        ts_ms: r.ts_ms,
        key,
        request_id: r.request_id.as_deref().map(|s| put(arena, s)),
        model: r.model.as_deref().map(|s| put(arena, s)),
        tokens: r.tokens,
        sidechain: r.sidechain,
        has_speed: r.has_speed,
        api_error: r.api_error,
    };
    cur.batch.records.push(rec);
}

fn put(arena: &mut String, s: &str) -> Span {
    let span = Span { start: arena.len() as u32, len: s.len() as u32 };
    arena.push_str(s);
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_one(content: &[u8], start: u64) -> (Vec<Rec>, String, FileEnd) {
        scan_limited(content, start, MAX_LINE)
    }

    fn scan_limited(content: &[u8], start: u64, max_line: usize) -> (Vec<Rec>, String, FileEnd) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.jsonl");
        std::fs::write(&path, content).unwrap();
        let jobs = [Job { file: 0, path, start, first_line: 1 }];
        let (mut recs, mut arena, mut end) = (Vec::new(), String::new(), None);
        scan_with(&jobs, 2, &AtomicU64::new(0), max_line, |b| {
            let base = arena.len() as u32;
            let shift = |s: Span| Span { start: s.start + base, len: s.len };
            for mut r in b.records {
                r.key = shift(r.key);
                r.request_id = r.request_id.map(shift);
                r.model = r.model.map(shift);
                recs.push(r);
            }
            arena.push_str(&b.arena);
            end = end.take().or(b.end);
        });
        (recs, arena, end.unwrap())
    }

    const GOOD: &str = r#"{"sessionId":"s","version":"2.0.1","message":{"id":"m1","model":"claude-haiku-4-5","content":[{"type":"tool_use","input":{"id":null}}],"usage":{"input_tokens":1,"output_tokens":2}},"requestId":"r1","timestamp":"2026-01-02T03:04:05.678Z"}"#;

    #[test]
    fn counts_lines_skips_garbage_and_keeps_the_offset_at_the_last_newline() {
        let content =
            format!("{GOOD}\n\nnot json\n{{\"type\":\"user\",\"message\":{{}}}}\n{}\n{}", r#"{"usage":{"#, &GOOD[..40]);
        let (recs, arena, end) = scan_one(content.as_bytes(), 0);
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].key.get(&arena), "m1");
        assert_eq!(recs[0].request_id.unwrap().get(&arena), "r1");
        assert_eq!(recs[0].tokens.output, 2);
        assert_eq!((end.lines, end.malformed, end.invalid), (5, 2, 0));
        assert!(end.incomplete_tail);
        assert_eq!(end.offset as usize, content.len() - 40);
        assert_eq!(end.notes[0].0, 3);
    }

    #[test]
    fn usage_written_with_spaces_is_read_and_a_bad_one_counted() {
        let spaced = GOOD.replace(r#""usage":{"#, "\"usage\" :\t {").replace("m1", "m2");
        let huge = GOOD.replace(r#""output_tokens":2"#, r#""output_tokens":9223372036854775807"#);
        let mentions = r#"{"type":"user","message":{"content":"the \"usage\" of it"}}"#;
        let content = format!("{spaced}\n{huge}\n{mentions}\n");
        let (recs, arena, end) = scan_one(content.as_bytes(), 0);
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].key.get(&arena), "m2");
        assert_eq!((end.lines, end.malformed, end.invalid), (3, 0, 1), "the absurd line is counted as invalid");
    }

    #[test]
    fn reads_from_an_offset_and_counts_lines_from_there() {
        let content = format!("{GOOD}\n{}\n", GOOD.replace("m1", "m2"));
        let (recs, arena, end) = scan_one(content.as_bytes(), GOOD.len() as u64 + 1);
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].key.get(&arena), "m2");
        assert_eq!(end.offset as usize, content.len());
        assert!(!end.incomplete_tail);
    }

    #[test]
    fn a_line_without_message_id_is_keyed_by_its_bytes() {
        let content = format!("{}\n", GOOD.replace(r#""id":"m1","#, ""));
        let (recs, arena, _) = scan_one(content.as_bytes(), 0);
        assert!(recs[0].key.get(&arena).starts_with("line:"));
    }

    #[test]
    fn a_line_longer_than_the_limit_is_stepped_over_without_being_held() {
        let long = format!("{{\"type\":\"user\",\"x\":\"{}\"}}", "a".repeat(5000));
        let m2 = GOOD.replace("m1", "m2");
        let content = format!("{GOOD}\n{long}\n{m2}\n{long}");
        let (recs, arena, end) = scan_limited(content.as_bytes(), 0, 1024);
        let keys: Vec<&str> = recs.iter().map(|r| r.key.get(&arena)).collect();
        assert_eq!(keys, vec!["m1", "m2"]);
        assert_eq!((end.lines, end.invalid, end.malformed), (3, 2, 0));
        assert_eq!(end.notes[0].0, 2);
        // The unfinished long last line stays unread: the next import starts before it.
        assert_eq!(end.offset as usize, content.len() - long.len());
    }
}
