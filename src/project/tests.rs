use super::*;
use crate::store::Store;

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "# Shop\n\nAn online shop.\n").unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"shop\"\n").unwrap();
    std::fs::create_dir_all(dir.path().join("src/api")).unwrap();
    std::fs::write(dir.path().join("src/api/orders.rs"), "fn main() {}\n").unwrap();
    std::fs::create_dir_all(dir.path().join("node_modules/x")).unwrap();
    dir
}

#[test]
fn context_has_sources_and_tree_but_not_vendored_folders() {
    let dir = project();
    let ctx = build(dir.path(), 2000).unwrap();
    assert!(ctx.text.contains("## README.md") && ctx.text.contains("An online shop"));
    assert!(ctx.text.contains("## Cargo.toml"));
    assert!(ctx.text.contains("orders.rs"));
    assert!(!ctx.text.contains("node_modules"));
    assert!(ctx.tokens <= 2000);
}

#[test]
fn context_respects_its_budget() {
    let dir = project();
    std::fs::write(dir.path().join("README.md"), "A line of readme text.\n".repeat(5000)).unwrap();
    let ctx = build(dir.path(), 500).unwrap();
    assert!(ctx.tokens <= 500, "{}", ctx.tokens);
    assert!(ctx.text.contains("cut to fit"));
}

#[test]
fn stored_context_is_reused_until_a_source_changes() {
    let dir = project();
    let store = Store::open_in_memory().unwrap();
    let (first, built) = load_or_build(&store, dir.path(), 2000).unwrap();
    assert!(built);
    let (again, built) = load_or_build(&store, dir.path(), 2000).unwrap();
    assert!(!built);
    assert_eq!(first.text, again.text, "byte-identical until a source changes");
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(dir.path().join("README.md"), "# Shop\n\nAn online shop, now with returns.\n").unwrap();
    let (changed, built) = load_or_build(&store, dir.path(), 2000).unwrap();
    assert!(built && changed.text.contains("returns") && changed.hash != first.hash);
    std::fs::write(dir.path().join("src/new.rs"), "").unwrap();
    assert!(load_or_build(&store, dir.path(), 2000).unwrap().1, "a new file changes the listing");
}
