//! Planning over small libraries on disk: hoisting, idempotence, later agents, budgets and
//! broken inputs.

use super::*;
use crate::agents::restructure::backup;

const RULES: &str = "## Safety Rules\n\n1. Never run destructive commands without an explicit confirmation from a human in the \
    current conversation.\n2. Never modify production systems directly; all changes go through review and the normal \
    deployment pipeline.\n3. Never commit secrets, tokens, passwords, private keys or customer data to a repository.\n";

fn agent(name: &str, rules: &str) -> String {
    format!(
        "---\nname: {name}\n---\n\n# {name}\n\n## Current Focus\n\nUntil 2026-09-01: ship.\n\n{rules}\n## Role\n\nThe {name} does {name} work.\n"
    )
}

fn write_lib(root: &Path, agents: &[(&str, String)]) {
    for (id, text) in agents {
        std::fs::create_dir_all(root.join(id)).unwrap();
        std::fs::write(root.join(id).join("CLAUDE.md"), text).unwrap();
    }
}

fn settings() -> RestructureSettings {
    RestructureSettings { min_shared_tokens: 20, ..RestructureSettings::bundled() }
}

#[test]
fn hoists_a_shared_section_and_a_later_agent_joins_it_without_a_quorum() {
    let dir = tempfile::tempdir().unwrap();
    let drifted = RULES.replace("2. Never modify", "2. Do not ever modify");
    write_lib(dir.path(), &[("a", agent("a", RULES)), ("b", agent("b", &drifted)), ("c", agent("c", RULES))]);
    let first = plan(dir.path(), &settings()).unwrap();
    assert_eq!(first.blocks.len(), 1);
    let block = &first.blocks[0];
    assert_eq!(
        (block.anchor.as_str(), block.agents.len(), block.exact_copies, block.near_copies),
        ("safety-rules", 3, 2, 1)
    );
    assert_eq!(block.kept_lines, 1, "b keeps its drifted line");
    let b = &first.agents[1];
    assert!(
        b.rewritten.contains("<!-- devteam:shared foundation.md#safety-rules -->\n2. Do not ever modify"),
        "{}",
        b.rewritten
    );
    assert!(b.rewritten.find("## Role").unwrap() < b.rewritten.find(DYNAMIC_MARKER_TEST).unwrap());
    assert_eq!(b.dynamic_sections, vec!["Current Focus"]);
    backup::write(dir.path(), &first.changes(), "t1").unwrap();

    let again = plan(dir.path(), &settings()).unwrap();
    assert!(again.changes().is_empty(), "a second run changes nothing");
    assert!(again.agents.iter().all(|a| a.already_restructured));

    write_lib(dir.path(), &[("d", agent("d", RULES))]);
    let third = plan(dir.path(), &settings()).unwrap();
    let changed: Vec<&str> = third.changes().iter().map(|c| c.rel_path).collect();
    assert_eq!(changed, vec!["d/CLAUDE.md"], "the foundation is not rewritten");
    assert_eq!(third.agents[3].shared_refs, vec!["safety-rules"]);
    assert_eq!(third.blocks[0].agents, vec!["a", "b", "c", "d"]);
}

#[test]
fn the_foundation_stays_within_its_token_budget() {
    let dir = tempfile::tempdir().unwrap();
    write_lib(dir.path(), &[("a", agent("a", RULES)), ("b", agent("b", RULES)), ("c", agent("c", RULES))]);
    let tight = RestructureSettings { max_foundation_tokens: 30, ..settings() };
    let p = plan(dir.path(), &tight).unwrap();
    assert!(p.blocks.is_empty() && p.foundation_after.is_none());
    assert!(p.warnings[0].1.contains("capped at 30 tokens"), "{:?}", p.warnings);
    assert!(p.agents.iter().all(|a| a.rewritten.contains("## Safety Rules")));
}

#[test]
fn restructured_files_are_measured_and_dangling_references_reported() {
    let dir = tempfile::tempdir().unwrap();
    let done = "# A\n\nRole text.\n\n<!-- devteam:shared foundation.md#gone -->\n\n<!-- devteam:dynamic -->\n\n## Status\n\nbeta\n";
    write_lib(dir.path(), &[("a", done.to_string())]);
    let p = plan(dir.path(), &settings()).unwrap();
    assert!(p.changes().is_empty());
    let a = &p.agents[0];
    assert!(a.already_restructured && a.static_tokens > 0 && a.dynamic_tokens > 0);
    assert_eq!(a.shared_refs, vec!["gone"]);
    assert_eq!(
        p.warnings,
        vec![("a/CLAUDE.md".to_string(), "references foundation.md#gone, which does not exist".to_string())]
    );
}

#[test]
fn unreadable_files_are_skipped_with_reasons_and_notes_are_not_agents() {
    let dir = tempfile::tempdir().unwrap();
    write_lib(dir.path(), &[("a", agent("a", RULES))]);
    std::fs::write(dir.path().join("a").join("CLAUDE.md").with_file_name("x.md"), "notes").unwrap();
    std::fs::create_dir_all(dir.path().join("agents")).unwrap();
    std::fs::write(dir.path().join("agents/notes.md"), "# just notes\n").unwrap();
    std::fs::write(dir.path().join("agents/broken.md"), b"---\nname: b\n\xff\n---\n").unwrap();
    let p = plan(dir.path(), &settings()).unwrap();
    assert_eq!(p.agents.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), vec!["a"]);
    assert_eq!(p.skipped.len(), 1);
    assert!(p.skipped[0].reason.contains("not UTF-8"), "{:?}", p.skipped);
    let bad = dir.path().join(SHARED_DIR);
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join(FOUNDATION_FILE), "<!-- devteam:anchor x -->\nno heading\n").unwrap();
    let err = format!("{:#}", plan(dir.path(), &settings()).unwrap_err());
    assert!(err.contains("foundation.md") && err.contains("line 1"), "{err}");
}

const DYNAMIC_MARKER_TEST: &str = super::super::DYNAMIC_MARKER;
