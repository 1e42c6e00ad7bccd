//! Where Claude Code keeps its transcripts, and what a transcript's path says: its project (the
//! first folder under `projects/`) and its session.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::env::ClaudeDirs;
use crate::error::UserError;

/// One transcript file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    pub path: PathBuf,
    pub project: String,
    pub session: String,
}

/// The `projects/` folders to read: from the paths given on the command line, else from the
/// settings (`CLAUDE_CONFIG_DIR`, else `~/.config/claude` and `~/.claude`). A named folder that
/// holds no `projects/` is an error; of the two defaults, any that exist are used.
pub fn project_roots(explicit: &[PathBuf], dirs: &ClaudeDirs) -> Result<Vec<PathBuf>> {
    if !explicit.is_empty() {
        let mut roots = Vec::new();
        for path in explicit {
            match projects_dir(path) {
                Some(root) => push_unique(&mut roots, root),
                None => bail!(UserError::new(format!(
                    "{}: not a Claude config folder (no projects/ inside) nor a projects/ folder",
                    path.display()
                ))),
            }
        }
        return Ok(roots);
    }
    let mut roots = Vec::new();
    for dir in &dirs.dirs {
        if let Some(root) = projects_dir(dir) {
            push_unique(&mut roots, root);
        }
    }
    if roots.is_empty() {
        let list = dirs.dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ");
        let hint = if dirs.from_env {
            "CLAUDE_CONFIG_DIR names no folder holding projects/"
        } else {
            "no Claude Code logs found; pass the folder as PATH or set CLAUDE_CONFIG_DIR"
        };
        bail!(UserError::new(format!("{hint} (looked in: {list})")));
    }
    Ok(roots)
}

/// `dir/projects` when it is a folder; `dir` itself when it is a folder named `projects`.
fn projects_dir(dir: &Path) -> Option<PathBuf> {
    let inner = dir.join("projects");
    if inner.is_dir() {
        return Some(std::fs::canonicalize(&inner).unwrap_or(inner));
    }
    (dir.file_name().is_some_and(|n| n == "projects") && dir.is_dir())
        .then(|| std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()))
}

fn push_unique(roots: &mut Vec<PathBuf>, root: PathBuf) {
    if !roots.contains(&root) {
        roots.push(root);
    }
}

/// Every `*.jsonl` under the roots, sorted by full path (the order ties are broken in). Folders
/// that cannot be read are returned as errors for the caller to report; the walk goes on.
pub fn transcripts(roots: &[PathBuf]) -> (Vec<Transcript>, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for root in roots {
        for entry in walkdir::WalkDir::new(root).follow_links(true) {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    errors.push(e.to_string());
                    continue;
                }
            };
            let path = entry.path();
            if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "jsonl") {
                continue;
            }
            if let Some(t) = describe(root, path) {
                files.push(t);
            }
        }
    }
    // By the path's bytes, as ccusage does (`a.jsonl` before `a/subagents/`), not by components.
    files.sort_by(|a, b| a.path.as_os_str().cmp(b.path.as_os_str()));
    (files, errors)
}

/// Project and session of a transcript: `<p>/<id>.jsonl` is session `<id>`;
/// `<p>/<id>/subagents/agent-*.jsonl` belongs to session `<id>`; anything else to its folder.
fn describe(root: &Path, path: &Path) -> Option<Transcript> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<&str> = rel.iter().map(|p| p.to_str().unwrap_or("")).collect();
    let (project, rest) = parts.split_first()?;
    if rest.is_empty() {
        return None; // a file directly in projects/ belongs to no project
    }
    let session = match rest {
        [file] => Path::new(file).file_stem()?.to_str()?.to_string(),
        [.., session, "subagents", _] => (*session).to_string(),
        [.., parent, _] => (*parent).to_string(),
        [] => return None,
    };
    Some(Transcript { path: path.to_path_buf(), project: (*project).to_string(), session })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_and_session_come_from_the_path() {
        let root = Path::new("/c/projects");
        let d = |p: &str| describe(root, &root.join(p)).map(|t| (t.project, t.session));
        assert_eq!(d("-home-a/s1.jsonl"), Some(("-home-a".into(), "s1".into())));
        assert_eq!(d("-home-a/s1/subagents/agent-x.jsonl"), Some(("-home-a".into(), "s1".into())));
        assert_eq!(d("-home-a/s1/chat.jsonl"), Some(("-home-a".into(), "s1".into())));
        assert_eq!(d("stray.jsonl"), None);
    }

    #[test]
    fn roots_accept_config_folders_and_projects_folders() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::create_dir_all(a.join("projects")).unwrap();
        let b = dir.path().join("b/projects");
        std::fs::create_dir_all(&b).unwrap();
        let roots = project_roots(&[a.clone(), b.clone(), a.join("projects")], &ClaudeDirs::default()).unwrap();
        assert_eq!(roots.len(), 2);
        let err = project_roots(&[dir.path().join("nope")], &ClaudeDirs::default()).unwrap_err();
        assert!(format!("{err}").contains("nope"), "{err}");
    }

    #[test]
    fn defaults_use_what_exists_and_env_dirs_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("claude");
        std::fs::create_dir_all(good.join("projects")).unwrap();
        let missing = dir.path().join("missing");
        let defaults = ClaudeDirs { dirs: vec![missing.clone(), good.clone()], from_env: false };
        assert_eq!(project_roots(&[], &defaults).unwrap().len(), 1);
        let from_env = ClaudeDirs { dirs: vec![missing], from_env: true };
        let err = project_roots(&[], &from_env).unwrap_err();
        assert!(format!("{err}").contains("CLAUDE_CONFIG_DIR"), "{err}");
    }
}
