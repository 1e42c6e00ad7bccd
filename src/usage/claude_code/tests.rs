use std::path::Path;

use super::*;
use crate::store::CallFilter;

fn assistant(mid: &str, rid: &str, output: u64, model: &str) -> String {
    format!(
        r#"{{"sessionId":"s","version":"2.1.3","message":{{"model":"{model}","id":"{mid}","content":[{{"type":"text","text":"x"}}],"usage":{{"input_tokens":1,"output_tokens":{output},"cache_read_input_tokens":100}}}},"requestId":"{rid}","type":"assistant","timestamp":"2026-05-01T10:00:00.000Z"}}"#
    ) + "\n"
}

fn haiku(mid: &str, output: u64) -> String {
    assistant(mid, &format!("req-{mid}"), output, "claude-haiku-4-5-20251001")
}

struct Setup {
    _dir: tempfile::TempDir,
    root: PathBuf,
    store: Store,
    prices: PriceTable,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("projects");
    std::fs::create_dir_all(root.join("-home-p")).unwrap();
    Setup {
        root,
        store: Store::open(&dir.path().join("db")).unwrap(),
        prices: PriceTable::load(None).unwrap(),
        _dir: dir,
    }
}

impl Setup {
    fn file(&self) -> PathBuf {
        self.root.join("-home-p/s1.jsonl")
    }

    fn import(&self) -> ImportReport {
        let plan = plan(&self.store, std::slice::from_ref(&self.root)).unwrap();
        run(&self.store, &self.prices, plan, &|_| {}).unwrap()
    }

    /// (calls, output tokens) stored.
    fn totals(&self) -> (u64, u64) {
        let sums = self.store.sums_by_slot(&CallFilter::default()).unwrap();
        (sums.iter().map(|s| s.calls).sum(), sums.iter().map(|s| s.tokens.output).sum())
    }
}

fn append(path: &Path, text: &str) {
    use std::io::Write;
    std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap().write_all(text.as_bytes()).unwrap();
}

#[test]
fn a_second_import_reads_only_appended_bytes_and_merges_with_stored_calls() {
    let s = setup();
    append(&s.file(), &(haiku("m1", 5) + &haiku("m2", 7)));
    let first = s.import();
    assert_eq!((first.calls_added, first.files_read), (2, 1));
    assert_eq!(s.totals(), (2, 12));

    let again = s.import();
    assert_eq!((again.files_read, again.files_unchanged, again.bytes_read), (0, 1, 0));

    // A larger line of m1 (the final streaming count), a smaller one of m2, and a new call.
    let more = haiku("m1", 50) + &haiku("m2", 1) + &haiku("m3", 3);
    append(&s.file(), &more);
    let third = s.import();
    assert_eq!(third.bytes_read, more.len() as u64);
    assert_eq!((third.calls_added, third.calls_updated, third.duplicate_lines), (1, 1, 1));
    assert_eq!(s.totals(), (3, 60));
}

#[test]
fn truncated_or_replaced_files_are_read_again_without_counting_twice() {
    let s = setup();
    append(&s.file(), &(haiku("m1", 5) + &haiku("m2", 7)));
    s.import();
    std::fs::write(s.file(), haiku("m1", 5)).unwrap(); // shorter: truncated
    let r = s.import();
    assert_eq!((r.files_reread, r.calls_added), (1, 0));
    assert_eq!(s.totals(), (2, 12));
    let tmp = s.root.join("-home-p/new.tmp");
    std::fs::write(&tmp, haiku("m1", 5) + &haiku("m2", 7) + &haiku("m4", 1)).unwrap();
    std::fs::rename(&tmp, s.file()).unwrap(); // same path, new inode
    let r = s.import();
    assert_eq!((r.files_reread, r.calls_added, r.lines_read), (1, 1, 3));
    assert_eq!(s.totals(), (3, 13));
}

#[test]
fn history_stays_after_claude_code_deletes_a_transcript() {
    let s = setup();
    append(&s.file(), &haiku("m1", 5));
    s.import();
    std::fs::remove_file(s.file()).unwrap();
    let r = s.import();
    assert_eq!(r.files, 0);
    assert_eq!(s.totals(), (1, 5));
}

#[test]
fn an_unfinished_last_line_is_counted_and_read_again_next_time() {
    let s = setup();
    let full = haiku("m1", 5);
    append(&s.file(), full.trim_end());
    let r = s.import();
    assert_eq!((r.incomplete_tails, r.calls_added, r.malformed_lines), (1, 1, 0));
    append(&s.file(), &format!("\n{}", haiku("m2", 7)));
    let r = s.import();
    assert_eq!((r.calls_added, r.lines_read), (1, 2));
    assert_eq!(s.totals(), (2, 12));
}

#[test]
fn unpriced_models_are_listed_and_cost_nothing() {
    let s = setup();
    append(&s.file(), &(assistant("m1", "r1", 5, "claude-future-9") + &assistant("m2", "r2", 0, "<synthetic>")));
    let r = s.import();
    let names: Vec<_> = r.unpriced.iter().map(|u| (u.model.as_str(), u.calls)).collect();
    assert_eq!(names, vec![("<synthetic>", 1), ("claude-future-9", 1)]);
    let sums = s.store.sums_by_slot(&CallFilter::default()).unwrap();
    assert_eq!(sums.iter().map(|x| x.cost_micros).sum::<i64>(), 0);
}

#[test]
fn where_to_start_follows_identity_size_and_offset() {
    let now = FileStat { device: 1, inode: 2, size: 100, mtime_ns: 5 };
    let before = |offset, inode, mtime_ns| ImportFile {
        path: "p".into(),
        device: 1,
        inode,
        size: offset,
        offset,
        mtime_ns,
        lines: 4,
        skipped_lines: 0,
    };
    assert_eq!(start_of(&now, None), Some((0, 1)));
    assert_eq!(start_of(&now, Some(&before(60, 2, 1))), Some((60, 5)));
    assert_eq!(start_of(&now, Some(&before(100, 2, 5))), None);
    assert_eq!(start_of(&now, Some(&before(100, 2, 9))), Some((0, 1)));
    assert_eq!(start_of(&now, Some(&before(120, 2, 5))), Some((0, 1)));
    assert_eq!(start_of(&now, Some(&before(60, 3, 5))), Some((0, 1)));
}
