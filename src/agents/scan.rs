//! Walks a library and lists the files that define agents, in both layouts, with the reasons
//! for everything it could not walk. It reads no file contents.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use walkdir::{DirEntry, WalkDir};

use super::Layout;
use crate::error::UserError;

/// A file that defines (or may define) an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    pub rel_path: String,
    pub id: String,
    pub layout: Layout,
}

/// A file or folder left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub rel_path: String,
    pub reason: String,
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Scan {
    /// One file per id, sorted by id.
    pub files: Vec<SourceFile>,
    pub skipped: Vec<Skipped>,
}

/// How the reason for a second file claiming an id starts, so reports can group them.
pub const DUPLICATE_PREFIX: &str = "duplicate id";

/// Folders never worth descending into; `_shared` holds text hoisted out of agents by
/// `restructure-agents` (the shared foundation), not agents.
const PRUNED: &[&str] = &["node_modules", "target", ".git", ".hg", ".svn", "vendor", "_shared"];
/// Markdown files that document a library rather than define an agent.
const NOT_AGENTS: &[&str] = &["readme", "changelog", "license", "contributing", "source", "index", "claude"];

/// Lists the agent files under `root`, sorted by id. Ids are folder names (`<id>/CLAUDE.md`)
/// or file stems; a second file claiming an id is reported, never merged.
pub fn scan(root: &Path) -> Result<Scan> {
    if !root.is_dir() {
        bail!(UserError::new(format!("agent library {} is not a folder", root.display())));
    }
    let mut found: Vec<SourceFile> = Vec::new();
    let mut skipped = Vec::new();
    let mut folders_with_claude: HashSet<PathBuf> = HashSet::new();
    let walker = WalkDir::new(root).follow_links(true).sort_by_file_name().into_iter();
    for entry in walker.filter_entry(|e| e.depth() == 0 || !pruned(e)) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                skipped.push(walk_error(root, &err));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        if let Some(file) = classify(root, &entry) {
            if file.layout == Layout::Folder {
                folders_with_claude.insert(entry.path().parent().map(Path::to_path_buf).unwrap_or_default());
            }
            found.push(file);
        }
    }
    // Extra notes beside a CLAUDE.md belong to that agent; they are not agents of their own.
    found.retain(|f| f.layout == Layout::Folder || !f.path.parent().is_some_and(|p| folders_with_claude.contains(p)));
    let (files, duplicates) = dedupe(found);
    skipped.extend(duplicates);
    Ok(Scan { files, skipped })
}

fn pruned(entry: &DirEntry) -> bool {
    let name = entry.file_name().to_string_lossy();
    entry.file_type().is_dir() && (PRUNED.contains(&name.as_ref()) || (name.starts_with('.') && name != ".claude"))
}

fn classify(root: &Path, entry: &DirEntry) -> Option<SourceFile> {
    let path = entry.path();
    let file_name = entry.file_name().to_str()?;
    let rel_path = rel(root, path);
    if file_name.eq_ignore_ascii_case("CLAUDE.md") {
        // A CLAUDE.md at the root describes the library or project, not an agent.
        let id = path.parent().filter(|_| entry.depth() > 0)?.file_name()?.to_str()?.to_string();
        return Some(SourceFile { path: path.to_path_buf(), rel_path, id, layout: Layout::Folder });
    }
    let stem = file_name.strip_suffix(".md")?;
    if stem.is_empty() || NOT_AGENTS.contains(&stem.to_ascii_lowercase().as_str()) {
        return None;
    }
    Some(SourceFile { path: path.to_path_buf(), rel_path, id: stem.to_string(), layout: Layout::Subagent })
}

/// Keeps the first file (by path) of each id and reports the others.
fn dedupe(found: Vec<SourceFile>) -> (Vec<SourceFile>, Vec<Skipped>) {
    let mut by_id: BTreeMap<String, Vec<SourceFile>> = BTreeMap::new();
    for file in found {
        by_id.entry(file.id.clone()).or_default().push(file);
    }
    let mut files = Vec::with_capacity(by_id.len());
    let mut skipped = Vec::new();
    for (id, mut group) in by_id {
        group.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
        let kept = group.remove(0);
        skipped.extend(group.into_iter().map(|dup| Skipped {
            rel_path: dup.rel_path,
            reason: format!("{DUPLICATE_PREFIX} `{id}`: already defined by {}; not indexed", kept.rel_path),
        }));
        files.push(kept);
    }
    (files, skipped)
}

fn walk_error(root: &Path, err: &walkdir::Error) -> Skipped {
    let rel_path = err.path().map_or_else(|| ".".to_string(), |p| rel(root, p));
    let reason = match err.loop_ancestor() {
        Some(ancestor) => format!("symlink loop: leads back to {}", rel(root, ancestor)),
        None => match err.io_error() {
            Some(io) => format!("cannot read: {io}"),
            None => err.to_string(),
        },
    };
    Skipped { rel_path, reason }
}

/// A path relative to the root with `/` separators, for stable ids and messages.
pub fn rel(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let text = rel.to_string_lossy().replace('\\', "/");
    if text.is_empty() { ".".to_string() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    #[test]
    fn finds_both_layouts_and_reports_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "alpha/CLAUDE.md", "# Alpha");
        write(root, "alpha/notes.md", "---\nname: n\n---\n");
        write(root, "plugins/a/agents/beta.md", "---\nname: beta\n---\n");
        write(root, "plugins/b/agents/beta.md", "---\nname: b-beta\n---\n");
        write(root, "README.md", "# lib");
        write(root, "node_modules/x/gamma.md", "---\nname: g\n---\n");
        write(root, "_shared/foundation.md", "---\nname: f\n---\n## Shared\n");
        write(root, ".devteam-backup/1/files/alpha/CLAUDE.md", "# Alpha");
        let scan = scan(root).unwrap();
        let ids: Vec<_> = scan.files.iter().map(|f| (f.id.as_str(), f.layout)).collect();
        assert_eq!(ids, vec![("alpha", Layout::Folder), ("beta", Layout::Subagent)]);
        assert_eq!(scan.files[1].rel_path, "plugins/a/agents/beta.md");
        assert_eq!(scan.skipped.len(), 1);
        assert!(scan.skipped[0].reason.contains("duplicate id `beta`"), "{:?}", scan.skipped);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_reported_not_followed_forever() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a/CLAUDE.md", "# A");
        std::os::unix::fs::symlink("..", dir.path().join("a/self")).unwrap();
        let scan = scan(dir.path()).unwrap();
        assert_eq!(scan.files.len(), 1);
        assert!(scan.skipped.iter().any(|s| s.reason.contains("symlink loop")), "{:?}", scan.skipped);
    }

    #[test]
    fn a_missing_library_is_a_user_error() {
        assert!(scan(Path::new("/definitely/not/here")).is_err());
    }
}
