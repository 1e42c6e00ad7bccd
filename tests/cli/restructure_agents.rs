//! `restructure-agents`: the JSON contract, dry runs that write nothing, `--write` twice (the
//! second a no-op), `--undo` back to the original bytes, the lossless property on the demo
//! library and on a public collection, and the indexer and discovery on restructured copies.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use crate::common::{TestEnv, copy_tree, json, repo, shared_corpus, stderr};

const MARKER: &str = "<!-- devteam:dynamic -->";

/// Mirror of the JSON contract: an unknown or missing field fails the test.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
struct Report {
    library: String,
    written: bool,
    backup: Option<String>,
    changed_files: Vec<String>,
    foundation: String,
    foundation_tokens: usize,
    models: Vec<TierModel>,
    agents: Vec<AgentRow>,
    totals: Totals,
    shared_blocks: Vec<SharedBlock>,
    skipped: Vec<FileNote>,
    warnings: Vec<FileNote>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
struct TierModel {
    tier: String,
    model: String,
    min_cacheable_tokens: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
struct AgentRow {
    id: String,
    path: String,
    already_restructured: bool,
    changed: bool,
    front_matter_tokens: usize,
    static_tokens: usize,
    dynamic_tokens: usize,
    cacheable_pct: f64,
    cacheable_with_foundation_pct: f64,
    before_cacheable_pct: f64,
    shared_refs: Vec<String>,
    kept_lines: usize,
    dynamic_sections: Vec<String>,
    reaches_min: Vec<Reach>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
struct Reach {
    tier: String,
    static_only: bool,
    with_foundation: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
struct Totals {
    agents: usize,
    changed_agents: usize,
    static_tokens: usize,
    dynamic_tokens: usize,
    cacheable_pct: f64,
    before_cacheable_pct: f64,
    tokens_before: usize,
    tokens_after: usize,
    reaching: Vec<TierReach>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
struct TierReach {
    tier: String,
    model: String,
    min_cacheable_tokens: u64,
    static_only: usize,
    with_foundation: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
struct SharedBlock {
    anchor: String,
    heading: String,
    agents: Vec<String>,
    agent_count: usize,
    tokens: usize,
    exact_copies: usize,
    near_copies: usize,
    kept_lines: usize,
    new: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
struct FileNote {
    path: String,
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
struct UndoReport {
    library: String,
    backup: String,
    restored: Vec<String>,
    removed: Vec<String>,
    unchanged: Vec<String>,
}

fn restructure<T: serde::de::DeserializeOwned>(env: &TestEnv, lib: &Path, extra: &[&str]) -> T {
    json(env.cmd().arg("--agents").arg(lib).args(["--json", "restructure-agents"]).args(extra))
}

/// Every file of a tree, by path relative to it.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(root).expect("prefix").to_string_lossy().replace('\\', "/");
            (rel, std::fs::read(e.path()).expect("read"))
        })
        .collect()
}

#[test]
fn dry_run_reports_the_demo_library_and_writes_nothing() {
    let env = TestEnv::new();
    let lib = env.copy_fixture("agents");
    let before = tree(&lib);
    let r: Report = restructure(&env, &lib, &[]);
    assert_eq!(tree(&lib), before, "a dry run must not touch the library");
    assert!(!r.written && r.backup.is_none());
    assert_eq!((r.agents.len(), r.totals.agents, r.totals.changed_agents), (119, 119, 119));
    assert_eq!(r.changed_files.len(), 120, "119 agents and the foundation");
    assert_eq!(r.foundation, "_shared/foundation.md");
    let tiers: Vec<&str> = r.models.iter().map(|m| m.tier.as_str()).collect();
    assert_eq!(tiers, vec!["haiku", "opus", "sonnet"]);
    assert!(r.models.iter().all(|m| m.min_cacheable_tokens >= 512));
    assert!(r.totals.cacheable_pct > 85.0 && r.totals.before_cacheable_pct < 50.0, "{:?}", r.totals);
    assert!(r.totals.tokens_after * 10 < r.totals.tokens_before * 6, "{:?}", r.totals);
    assert!(r.shared_blocks.len() >= 6, "{:#?}", r.shared_blocks);
    for block in &r.shared_blocks {
        assert!(block.agent_count >= 3 && block.agents.len() == block.agent_count && block.new);
        assert_eq!(block.exact_copies + block.near_copies, block.agent_count, "{block:?}");
    }
    let reviewer = r.agents.iter().find(|a| a.id == "code-reviewer").expect("code-reviewer");
    assert_eq!(reviewer.dynamic_sections, vec!["Current Focus", "Recent Changes"]);
    assert_eq!(reviewer.reaches_min.len(), 3);
    assert!(reviewer.shared_refs.contains(&"safety-rules".to_string()));
}

#[test]
fn dry_run_table_shows_agents_totals_and_blocks() {
    let env = TestEnv::new();
    let lib = env.copy_fixture("agents");
    let out = env.cmd().arg("--agents").arg(&lib).arg("restructure-agents").output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in ["cacheable", "haiku >=4096", "sonnet >=1024", "code-reviewer", "library tokens", "#safety-rules"] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert!(stderr(&out).contains("dry run: 120 file(s) would change"), "{}", stderr(&out));
}

#[test]
fn write_twice_changes_nothing_the_second_time_and_undo_restores_every_byte() {
    let env = TestEnv::new();
    let lib = env.copy_fixture("agents");
    let original = tree(&lib);
    let first: Report = restructure(&env, &lib, &["--write"]);
    assert!(first.written && first.backup.is_some());
    assert_eq!(first.changed_files.len(), 120);
    let after_first = tree(&lib);
    let second: Report = restructure(&env, &lib, &["--write"]);
    assert!(second.changed_files.is_empty() && second.backup.is_none(), "{:?}", second.changed_files);
    assert!(second.agents.iter().all(|a| a.already_restructured && !a.changed));
    assert!(second.shared_blocks.iter().all(|b| !b.new && b.agent_count >= 3));
    assert_eq!(second.totals.tokens_before, second.totals.tokens_after);
    assert_eq!(tree(&lib), after_first, "the second run wrote something");

    let undone: UndoReport = restructure(&env, &lib, &["--undo"]);
    assert_eq!((undone.restored.len(), undone.removed), (119, vec!["_shared/foundation.md".to_string()]));
    assert_eq!(tree(&lib), original, "undo must give back the original bytes");
    let out = env.cmd().arg("--agents").arg(&lib).args(["restructure-agents", "--undo"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nothing to undo"), "{}", stderr(&out));
}

#[test]
fn bad_arguments_are_user_errors() {
    let env = TestEnv::new();
    let lib = env.copy_fixture("agents");
    let run =
        |args: &[&str]| env.cmd().arg("--agents").arg(&lib).arg("restructure-agents").args(args).output().unwrap();
    let out = run(&["--similarity", "1.5"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--similarity 1.5"), "{}", stderr(&out));
    assert_eq!(run(&["--min-agents", "1"]).status.code(), Some(2));
    assert_eq!(run(&["--write", "--undo"]).status.code(), Some(2));
    let out = env.cmd().args(["restructure-agents"]).output().unwrap();
    assert!(stderr(&out).contains("needs a library"), "{}", stderr(&out));
}

/// The lossless property, checked independently of devteam's own check: every non-blank line
/// of every original file is, after the write, in that agent's file or in a foundation block
/// the file references. Lines compare with trailing spaces ignored and `*`/`+` bullets read as
/// `-`; headings compare by their words, ignoring level and case.
/// Returns the number of lines checked and the lines lost, as `path:line: text`.
fn lost_lines(original: &BTreeMap<String, Vec<u8>>, lib: &Path) -> (usize, Vec<String>) {
    let foundation = std::fs::read_to_string(lib.join("_shared/foundation.md")).unwrap_or_default();
    let blocks = foundation_blocks(&foundation);
    let mut checked = 0;
    let mut lost = Vec::new();
    for (rel, bytes) in original {
        let before = String::from_utf8_lossy(bytes);
        let after = std::fs::read_to_string(lib.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let mut keys: HashSet<String> = after.lines().filter_map(key).collect();
        for anchor in after.lines().filter_map(|l| l.trim().strip_prefix("<!-- devteam:shared foundation.md#")) {
            let anchor = anchor.trim_end_matches("-->").trim();
            let block = blocks.get(anchor).unwrap_or_else(|| panic!("{rel} references missing block {anchor}"));
            keys.extend(block.lines().filter_map(key));
        }
        for (n, line) in before.lines().enumerate() {
            let Some(k) = key(line) else { continue };
            let as_heading = format!("#{}", words(line.trim()));
            if !keys.contains(&k) && !keys.contains(&as_heading) {
                lost.push(format!("{rel}:{}: {line}", n + 1));
            }
            checked += 1;
        }
        if before.starts_with("---") && !after.starts_with("---") {
            lost.push(format!("{rel}: front matter is no longer at the top"));
        }
    }
    (checked, lost)
}

fn assert_lossless(original: &BTreeMap<String, Vec<u8>>, lib: &Path) -> usize {
    let (checked, lost) = lost_lines(original, lib);
    assert!(lost.is_empty(), "{} line(s) lost, first: {:#?}", lost.len(), &lost[..lost.len().min(10)]);
    checked
}

fn foundation_blocks(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(anchor) = line.strip_prefix("<!-- devteam:anchor ") {
            current = Some(anchor.trim_end_matches("-->").trim().to_string());
        } else if let Some(anchor) = &current {
            let block: &mut String = out.entry(anchor.clone()).or_default();
            block.push_str(line);
            block.push('\n');
        }
    }
    out
}

fn words(text: &str) -> String {
    text.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

fn key(line: &str) -> Option<String> {
    let line = line.trim_end();
    let trimmed = line.trim_start();
    if trimmed.is_empty() || (trimmed.len() >= 2 && trimmed.chars().all(|c| c == '=' || c == '-')) {
        return None;
    }
    let hashes = trimmed.chars().take_while(|c| *c == '#').count();
    if (1..=6).contains(&hashes) && (trimmed.len() == hashes || trimmed[hashes..].starts_with([' ', '\t'])) {
        let text = trimmed[hashes..].trim();
        let open = text.trim_end_matches('#');
        let text = if open.is_empty() || open.ends_with([' ', '\t']) { open } else { text };
        return Some(format!("#{}", words(text)));
    }
    let indent = &line[..line.len() - trimmed.len()];
    match trimmed.strip_prefix("* ").or_else(|| trimmed.strip_prefix("+ ")) {
        Some(rest) => Some(format!("{indent}- {rest}")),
        None => Some(line.to_string()),
    }
}

fn assert_layout(lib: &Path, report: &Report) {
    for agent in &report.agents {
        let text = std::fs::read_to_string(lib.join(&agent.path)).expect("agent");
        let markers = text.lines().filter(|l| l.trim() == MARKER).count();
        assert_eq!(markers, 1, "{}: one boundary line", agent.path);
        let (static_part, dynamic_part) = text.split_once(MARKER).expect("marker");
        for heading in &agent.dynamic_sections {
            assert!(dynamic_part.contains(heading.as_str()), "{}: {heading} below the boundary", agent.path);
            assert!(!static_part.contains(&format!("## {heading}\n")), "{}: {heading} above the boundary", agent.path);
        }
    }
}

#[test]
fn nothing_is_lost_in_the_demo_library() {
    let env = TestEnv::new();
    let lib = env.copy_fixture("agents");
    let original = tree(&lib);
    let report: Report = restructure(&env, &lib, &["--write"]);
    assert_layout(&lib, &report);
    let checked = assert_lossless(&original, &lib);
    assert!(checked > 10_000, "checked only {checked} lines");
    assert!(report.shared_blocks.iter().map(|b| b.kept_lines).sum::<usize>() > 0, "near copies keep their own lines");

    // The check is not vacuous: dropping a kept line or a reference is caught.
    let path = lib.join("shell-scripter/CLAUDE.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let kept = "- **Format for scanning.** Use headings, code blocks with a language tag, and tables for comparisons. Do not rely on color alone to convey meaning in diagrams or charts.";
    assert!(text.contains(kept), "the demo's drifted line moved; pick another");
    std::fs::write(&path, text.replace(kept, "").replace("<!-- devteam:shared foundation.md#safety-rules -->", ""))
        .unwrap();
    let (_, lost) = lost_lines(&original, &lib);
    assert!(lost.iter().any(|l| l.contains("Do not rely on color alone")), "{lost:?}");
    assert!(lost.iter().any(|l| l.contains("Never modify production systems directly")), "{lost:?}");
}

#[test]
fn nothing_is_lost_in_a_public_collection() {
    let Some(wshobson) = shared_corpus("wshobson-agents", "nothing_is_lost_in_a_public_collection") else { return };
    let env = TestEnv::new();
    let lib = env.path().join("wshobson-plugins");
    copy_tree(&wshobson.join("plugins"), &lib);
    let original = tree(&lib);
    let report: Report = restructure(&env, &lib, &["--write"]);
    assert_eq!(report.agents.len(), 137);
    assert_layout(&lib, &report);
    assert!(assert_lossless(&original, &lib) > 10_000);
    let again: Report = restructure(&env, &lib, &["--write"]);
    assert!(again.changed_files.is_empty(), "{:?}", again.changed_files);
    let _: UndoReport = restructure(&env, &lib, &["--undo"]);
    assert_eq!(tree(&lib), original);
}

#[derive(Debug, Deserialize)]
struct Index {
    agents: usize,
    skipped: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Eval {
    hit_at_3: f64,
    mrr: f64,
}

#[test]
fn restructured_library_indexes_the_same_agents_and_discovers_as_well() {
    let env = TestEnv::new();
    let lib = env.copy_fixture("agents");
    let labels = repo().join("fixtures/labels/discovery.tsv");
    let eval = |db: &str| -> Eval {
        json(
            env.cmd()
                .arg("--agents")
                .arg(&lib)
                .args(["--db", db, "--init", "--json", "eval", "discovery"])
                .arg(&labels),
        )
    };
    let before = eval("before.db");
    let _: Report = restructure(&env, &lib, &["--write"]);
    let index: Index =
        json(env.cmd().arg("--agents").arg(&lib).args(["--db", "after.db", "--init", "--json", "extract-metadata"]));
    assert_eq!(index.agents, 119, "_shared/ and .devteam-backup/ hold no agents");
    assert!(index.skipped.is_empty(), "{:?}", index.skipped);
    let after = eval("after.db");
    assert!(after.hit_at_3 >= before.hit_at_3 - 0.01, "hit@3 {} -> {}", before.hit_at_3, after.hit_at_3);
    assert!(after.mrr >= before.mrr - 0.01, "MRR {} -> {}", before.mrr, after.mrr);
}
