//! Incremental indexing keeps cards consistent with the library-wide keyword filter.

use super::*;

fn write(dir: &Path, id: &str, safety: bool) {
    let folder = dir.join(id);
    std::fs::create_dir_all(&folder).unwrap();
    let safety = if safety { "\n## Safety\nNever run `rm -rf` or `DROP TABLE` unasked.\n" } else { "" };
    let text = format!("# {id}\n\nWorks on **{id}-topic** with `{id}-tool`.\n{safety}");
    std::fs::write(folder.join("CLAUDE.md"), text).unwrap();
}

fn cards(store: &Store, root: &Path) -> HashMap<String, String> {
    let lib = store.index().library(root).unwrap().unwrap();
    let ids = store.index().agent_ids(lib.id).unwrap();
    store.index().agent_summaries(lib.id, &ids).unwrap().into_iter().map(|s| (s.id, s.card)).collect()
}

fn index(store: &Store, root: &Path) -> IndexReport {
    index_library(store, root, IndexOptions { card_max_tokens: 200, force: false }, &|_| {}).unwrap()
}

#[test]
fn shared_boilerplate_leaves_the_cards_and_comes_back_when_it_stops_being_shared() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (0..10).map(|i| format!("agent-{i}")).collect();
    for id in &ids {
        write(dir.path(), id, true);
    }
    let store = Store::open_in_memory().unwrap();
    index(&store, dir.path());
    for (id, card) in cards(&store, dir.path()) {
        assert!(card.contains(&format!("Keywords: {id}-topic, {id}-tool")), "{card}");
        assert!(!card.contains("rm -rf") && !card.contains("DROP TABLE"), "{card}");
    }
    // Eight agents drop the safety section: two keep it, too few for it to be common, so the
    // two unchanged agents' cards must be rendered again with it.
    for id in &ids[2..] {
        write(dir.path(), id, false);
    }
    let report = index(&store, dir.path());
    assert!(report.rebuilt, "a changed common set re-renders every card");
    let now = cards(&store, dir.path());
    for id in &ids[..2] {
        assert!(now[id].contains("rm -rf, DROP TABLE"), "{}", now[id]);
    }
}

#[test]
fn an_edit_that_moves_no_common_term_reparses_only_that_file() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..10 {
        write(dir.path(), &format!("agent-{i}"), true);
    }
    let store = Store::open_in_memory().unwrap();
    index(&store, dir.path());
    let folder = dir.path().join("agent-3");
    let text = std::fs::read_to_string(folder.join("CLAUDE.md")).unwrap();
    std::fs::write(folder.join("CLAUDE.md"), text.replace("agent-3-tool", "pgbouncer")).unwrap();
    let report = index(&store, dir.path());
    assert!(!report.rebuilt);
    assert_eq!(report.parsed, 1);
    let card = &cards(&store, dir.path())["agent-3"];
    assert!(card.contains("Keywords: agent-3-topic, pgbouncer") && !card.contains("rm -rf"), "{card}");
}
