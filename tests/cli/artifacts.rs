//! Completions and man pages are generated from clap and committed; these tests fail when the
//! committed copies are stale. `DEVTEAM_UPDATE_ARTIFACTS=1 cargo test artifacts` rewrites them.

use std::path::Path;

use crate::common::{TestEnv, repo, stdout};

fn update() -> bool {
    std::env::var_os("DEVTEAM_UPDATE_ARTIFACTS").is_some()
}

fn check(path: &Path, fresh: &[u8]) {
    if update() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, fresh).unwrap();
        return;
    }
    let committed = std::fs::read(path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is stale: run `DEVTEAM_UPDATE_ARTIFACTS=1 cargo test --test cli artifacts` and commit the result",
        path.display()
    );
}

#[test]
fn completions_are_current() {
    let env = TestEnv::new();
    for (shell, file) in [("bash", "devteam.bash"), ("zsh", "_devteam"), ("fish", "devteam.fish")] {
        let out = env.cmd().args(["generate", "completions", shell]).output().unwrap();
        assert!(out.status.success());
        assert!(stdout(&out).contains("extract-metadata"));
        check(&repo().join("completions").join(file), &out.stdout);
    }
}

#[test]
fn man_pages_are_current() {
    let env = TestEnv::new();
    let out_dir = env.path().join("man");
    let status = env.cmd().args(["generate", "man", "--out-dir"]).arg(&out_dir).output().unwrap().status;
    assert!(status.success());
    let mut fresh: Vec<_> = std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().path()).collect();
    fresh.sort();
    let names: Vec<_> = fresh.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(names.contains(&"devteam-discover.1".to_string()), "{names:?}");
    for page in &fresh {
        check(&repo().join("man").join(page.file_name().unwrap()), &std::fs::read(page).unwrap());
    }
    if !update() {
        let committed = std::fs::read_dir(repo().join("man")).unwrap().count();
        assert_eq!(committed, fresh.len(), "man/ holds pages for commands that no longer exist");
    }
}
