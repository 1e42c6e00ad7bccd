//! Writing a plan and undoing it. Every changed file is first copied into
//! `<library>/.devteam-backup/<stamp>/files/`, with a manifest of content hashes written last
//! (a backup without one is incomplete and ignored); then each file is replaced atomically (a
//! temporary file in the same folder, renamed over it). Undo restores the newest backup, and
//! refuses, restoring nothing, when a file changed since that write.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use serde::{Deserialize, Serialize};

use super::{Change, SHARED_DIR};
use crate::agents::parse::hash;
use crate::error::UserError;

/// The backup folder at the library root; the scanner skips dot-folders.
pub const BACKUP_DIR: &str = ".devteam-backup";
const MANIFEST: &str = "manifest.json";

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    files: Vec<Entry>,
}

/// One changed file: content hashes before (none: it did not exist) and after the write.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    path: String,
    before: Option<String>,
    after: String,
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The backup folder; `None` when nothing needed changing.
    pub backup: Option<PathBuf>,
    pub files: Vec<String>,
}

/// What an undo did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undone {
    pub backup: PathBuf,
    pub restored: Vec<String>,
    /// Files the write had created, now removed.
    pub removed: Vec<String>,
    /// Files that were already as before the write (an interrupted write).
    pub unchanged: Vec<String>,
}

/// Backs up and applies `changes` under `root`; `stamp` names the backup.
pub fn write(root: &Path, changes: &[Change<'_>], stamp: &str) -> Result<Written> {
    if changes.is_empty() {
        return Ok(Written { backup: None, files: Vec::new() });
    }
    let dir = new_backup_dir(root, stamp)?;
    for change in changes {
        if let Some(before) = change.before {
            let copy = dir.join("files").join(change.rel_path);
            std::fs::create_dir_all(copy.parent().unwrap_or(&dir))
                .and_then(|()| std::fs::write(&copy, before))
                .with_context(|| format!("writing backup {}", copy.display()))?;
        }
    }
    let manifest = Manifest {
        files: changes
            .iter()
            .map(|c| Entry {
                path: c.rel_path.to_string(),
                before: c.before.map(|b| hash(b.as_bytes())),
                after: hash(c.after.as_bytes()),
            })
            .collect(),
    };
    atomic_write(&dir.join(MANIFEST), serde_json::to_string_pretty(&manifest)?.as_bytes())?;
    for change in changes {
        atomic_write(&root.join(change.rel_path), change.after.as_bytes())?;
    }
    Ok(Written { backup: Some(dir), files: changes.iter().map(|c| c.rel_path.to_string()).collect() })
}

fn new_backup_dir(root: &Path, stamp: &str) -> Result<PathBuf> {
    let base = root.join(BACKUP_DIR);
    std::fs::create_dir_all(&base).with_context(|| format!("creating {}", base.display()))?;
    for n in 1.. {
        let dir = if n == 1 { base.join(stamp) } else { base.join(format!("{stamp}-{n:03}")) };
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("creating {}", dir.display())),
        }
    }
    unreachable!("an unbounded range always yields")
}

/// Replaces `path` with `bytes` in one rename, keeping the old file's permissions. A file
/// reached through a symlink is replaced where it lives, so the link survives.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    let resolved = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let path = resolved.as_path();
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".devteam-")
        .suffix(".tmp")
        .tempfile_in(parent)
        .with_context(|| format!("creating a temporary file in {}", parent.display()))?;
    tmp.write_all(bytes).and_then(|()| tmp.as_file().sync_all()).context("writing a temporary file")?;
    if let Ok(meta) = std::fs::metadata(path) {
        std::fs::set_permissions(tmp.path(), meta.permissions()).context("copying permissions")?;
    }
    tmp.persist(path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}

/// Restores the newest complete backup under `root` and deletes it.
pub fn undo(root: &Path) -> Result<Undone> {
    let backup = latest_backup(root)?;
    let text = std::fs::read_to_string(backup.join(MANIFEST))
        .with_context(|| format!("reading {}", backup.join(MANIFEST).display()))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| UserError::new(format!("{}: not a devteam backup manifest ({e})", backup.display())))?;
    let mut plan: Vec<(&Entry, bool)> = Vec::new();
    let mut conflicts = Vec::new();
    for entry in &manifest.files {
        let current = std::fs::read(root.join(&entry.path)).ok().map(|b| hash(&b));
        if current.as_deref() == Some(entry.after.as_str()) {
            plan.push((entry, true));
        } else if current == entry.before {
            plan.push((entry, false));
        } else {
            conflicts.push(entry.path.clone());
        }
    }
    if !conflicts.is_empty() {
        bail!(UserError::new(format!(
            "cannot undo: changed since the restructure: {}; nothing was restored (backup kept in {})",
            conflicts.join(", "),
            backup.display()
        )));
    }
    let mut done = Undone { backup: backup.clone(), restored: Vec::new(), removed: Vec::new(), unchanged: Vec::new() };
    for (entry, changed) in plan {
        restore(root, &backup, entry, changed, &mut done)?;
    }
    std::fs::remove_dir_all(&backup).with_context(|| format!("removing {}", backup.display()))?;
    let _ = std::fs::remove_dir(root.join(BACKUP_DIR)); // only succeeds when no other backup is left
    Ok(done)
}

fn restore(root: &Path, backup: &Path, entry: &Entry, changed: bool, done: &mut Undone) -> Result<()> {
    let target = root.join(&entry.path);
    match (&entry.before, changed) {
        (_, false) => done.unchanged.push(entry.path.clone()),
        (None, true) => {
            std::fs::remove_file(&target).with_context(|| format!("removing {}", target.display()))?;
            if entry.path.starts_with(SHARED_DIR) {
                let _ = std::fs::remove_dir(root.join(SHARED_DIR)); // only when empty
            }
            done.removed.push(entry.path.clone());
        }
        (Some(before), true) => {
            let copy = backup.join("files").join(&entry.path);
            let bytes = std::fs::read(&copy).with_context(|| format!("reading backup {}", copy.display()))?;
            if &hash(&bytes) != before {
                bail!(UserError::new(format!("backup copy {} is damaged; nothing more restored", copy.display())));
            }
            atomic_write(&target, &bytes)?;
            done.restored.push(entry.path.clone());
        }
    }
    Ok(())
}

/// The newest backup folder that has a manifest (folders sort by their time stamp).
fn latest_backup(root: &Path) -> Result<PathBuf> {
    let base = root.join(BACKUP_DIR);
    let mut dirs: Vec<PathBuf> = match std::fs::read_dir(&base) {
        Ok(entries) => {
            entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.join(MANIFEST).is_file()).collect()
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", base.display())),
    };
    dirs.sort();
    dirs.pop().ok_or_else(|| UserError::new(format!("nothing to undo: no backup in {}", base.display())).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change<'a>(rel_path: &'a str, before: Option<&'a str>, after: &'a str) -> Change<'a> {
        Change { rel_path, before, after }
    }

    #[test]
    fn undo_restores_bytes_and_removes_created_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("a/CLAUDE.md"), "old\r\n").unwrap();
        let changes =
            [change("a/CLAUDE.md", Some("old\r\n"), "new\n"), change("_shared/foundation.md", None, "shared\n")];
        let written = write(root, &changes, "20260101T000000Z").unwrap();
        assert_eq!(written.files.len(), 2);
        assert_eq!(std::fs::read_to_string(root.join("a/CLAUDE.md")).unwrap(), "new\n");
        let second = write(root, &[change("a/CLAUDE.md", Some("new\n"), "newer\n")], "20260101T000000Z").unwrap();
        assert!(second.backup.unwrap().ends_with("20260101T000000Z-002"), "same second, new folder");

        let undone = undo(root).unwrap();
        assert_eq!(undone.restored, vec!["a/CLAUDE.md"]);
        assert_eq!(std::fs::read_to_string(root.join("a/CLAUDE.md")).unwrap(), "new\n", "newest backup first");
        let undone = undo(root).unwrap();
        assert_eq!((undone.restored.len(), undone.removed.len()), (1, 1));
        assert_eq!(std::fs::read(root.join("a/CLAUDE.md")).unwrap(), b"old\r\n");
        assert!(!root.join("_shared").exists() && !root.join(BACKUP_DIR).exists());
        assert!(undo(root).unwrap_err().to_string().contains("nothing to undo"));
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_files_are_written_through_and_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.md");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        std::os::unix::fs::symlink(&real, dir.path().join("link.md")).unwrap();
        atomic_write(&dir.path().join("link.md"), b"new").unwrap();
        assert!(std::fs::symlink_metadata(dir.path().join("link.md")).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o640);
    }

    #[test]
    fn undo_refuses_when_a_file_changed_since() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("x.md"), "old").unwrap();
        write(root, &[change("x.md", Some("old"), "new")], "s").unwrap();
        std::fs::write(root.join("x.md"), "edited by hand").unwrap();
        let err = undo(root).unwrap_err().to_string();
        assert!(err.contains("x.md") && err.contains("nothing was restored"), "{err}");
        assert_eq!(std::fs::read_to_string(root.join("x.md")).unwrap(), "edited by hand");
    }
}
