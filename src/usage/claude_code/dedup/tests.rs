use super::*;
use crate::usage::claude_code::scan::Span;

struct Line {
    file: u32,
    line: u64,
    key: &'static str,
    rid: Option<&'static str>,
    output: u64,
    sidechain: bool,
    speed: bool,
}

fn line(file: u32, line: u64, key: &'static str, rid: Option<&'static str>, output: u64) -> Line {
    Line { file, line, key, rid, output, sidechain: false, speed: false }
}

fn add(d: &mut Dedup<'_>, l: &Line) -> Added {
    let mut arena = String::new();
    let mut put = |s: &str| {
        let span = Span { start: arena.len() as u32, len: s.len() as u32 };
        arena.push_str(s);
        span
    };
    let rec = Rec {
        line: l.line,
        ts_ms: l.line as i64,
        key: put(l.key),
        request_id: l.rid.map(&mut put),
        model: Some(put("claude-haiku-4-5")),
        tokens: TokenUsage { output: l.output, cache_read: 100, ..TokenUsage::default() },
        sidechain: l.sidechain,
        has_speed: l.speed,
        api_error: false,
    };
    d.add(l.file, &rec, &arena).unwrap()
}

/// Adds the lines in the given order; returns (key, requestId, output, line) per call.
fn calls(lines: &[Line]) -> Vec<(String, Option<String>, u64, u64)> {
    let prices = PriceTable::load(None).unwrap();
    let mut d = Dedup::with_capacity(&prices, 4);
    for l in lines {
        add(&mut d, l);
    }
    let mut out: Vec<_> = d
        .entries
        .iter()
        .map(|e| (d.str(e.key).to_string(), e.request_id.map(|r| d.str(r).to_string()), e.tokens.output, e.line))
        .collect();
    out.sort();
    out
}

#[test]
fn the_largest_line_of_a_call_wins_and_partial_lines_merge() {
    let got = calls(&[line(0, 1, "m", Some("r"), 3), line(0, 2, "m", Some("r"), 170), line(0, 3, "m", Some("r"), 12)]);
    assert_eq!(got, vec![("m".into(), Some("r".into()), 170, 2)]);
}

#[test]
fn ties_go_to_the_line_read_first_whatever_order_threads_deliver_in() {
    let a = line(0, 5, "m", Some("r"), 10);
    let b = line(3, 1, "m", Some("r"), 10);
    let in_order = calls(&[line(0, 5, "m", Some("r"), 10), line(3, 1, "m", Some("r"), 10)]);
    let reversed = calls(&[b, a]);
    assert_eq!(in_order, reversed);
    assert_eq!(in_order[0].3, 5);
}

#[test]
fn a_sidechain_replay_under_another_request_id_loses_to_the_parent_in_either_order() {
    let parent = || line(0, 1, "m", Some("r1"), 10);
    let replay = || Line { sidechain: true, ..line(1, 1, "m", Some("r2"), 5000) };
    let expected = vec![("m".into(), Some("r1".into()), 10, 1)];
    assert_eq!(calls(&[parent(), replay()]), expected);
    assert_eq!(calls(&[replay(), parent()]), expected);
}

#[test]
fn distinct_sidechain_messages_count_and_two_replays_merge() {
    let sub = Line { sidechain: true, ..line(1, 1, "sub", Some("r9"), 30) };
    let replay1 = Line { sidechain: true, ..line(2, 1, "m", Some("r2"), 50) };
    let replay2 = Line { sidechain: true, ..line(3, 1, "m", Some("r3"), 70) };
    let got = calls(&[sub, replay1, replay2]);
    assert_eq!(got, vec![("m".into(), Some("r3".into()), 70, 1), ("sub".into(), Some("r9".into()), 30, 1)]);
}

#[test]
fn non_sidechain_lines_with_different_request_ids_are_different_calls() {
    let got = calls(&[line(0, 1, "m", Some("r1"), 10), line(0, 2, "m", Some("r2"), 20)]);
    assert_eq!(got.len(), 2);
}

#[test]
fn without_request_id_the_message_id_alone_is_the_key() {
    let got = calls(&[line(0, 1, "m", None, 4), line(0, 2, "m", None, 40), line(0, 3, "m", Some("r"), 1)]);
    assert_eq!(got, vec![("m".into(), None, 40, 2), ("m".into(), Some("r".into()), 1, 3)]);
}

#[test]
fn on_equal_totals_a_line_with_speed_wins() {
    let got = calls(&[line(0, 1, "m", Some("r"), 10), Line { speed: true, ..line(0, 2, "m", Some("r"), 10) }]);
    assert_eq!(got[0].3, 2);
}

#[test]
fn add_reports_new_replaced_and_kept() {
    let prices = PriceTable::load(None).unwrap();
    let mut d = Dedup::with_capacity(&prices, 4);
    assert_eq!(add(&mut d, &line(0, 1, "m", Some("r"), 3)), Added::New(0));
    let first = d.entries[0];
    assert_eq!(add(&mut d, &line(0, 2, "m", Some("r"), 9)), Added::Replaced { index: 0, before: first });
    assert_eq!(add(&mut d, &line(0, 3, "m", Some("r"), 1)), Added::Kept);
    assert_eq!(d.merged, 2);
    assert_eq!(d.cost_micros(&d.entries[0]), Some(55)); // 9 output at $5/M + 100 reads at $0.10/M
}
