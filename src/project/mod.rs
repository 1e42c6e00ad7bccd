//! The shared project context: one block built from the project's own files (its CLAUDE.md,
//! README, manifests and a bounded tree listing), capped in tokens, hashed and stored. Every
//! agent of every task gets the same bytes until a source changes, so the block is cached once
//! and read by all.

use std::path::Path;

pub use crate::records::project::{ProjectContext, SourceStamp};

use anyhow::{Context as _, Result, bail};
use walkdir::WalkDir;

use crate::error::UserError;
use crate::tokens;

/// Files read into the context when present, in this order.
const SOURCES: &[&str] = &[
    "CLAUDE.md",
    ".claude/CLAUDE.md",
    "README.md",
    "Cargo.toml",
    "package.json",
    "pyproject.toml",
    "go.mod",
    "pom.xml",
    "build.gradle",
    "Gemfile",
    "composer.json",
];
/// Entries in the tree listing at most, and its depth.
const TREE_ENTRIES: usize = 200;
const TREE_DEPTH: usize = 3;
/// Folders never listed.
const SKIPPED_DIRS: &[&str] = &[".git", "node_modules", "target", "dist", "build", ".venv", "venv", "__pycache__"];

/// The sources of a project as they are on disk now (files, and the folders whose listing
/// the tree shows, so that adding a file also counts as a change).
pub fn stamps(root: &Path) -> Result<Vec<SourceStamp>> {
    if !root.is_dir() {
        bail!(UserError::new(format!("project {} is not a folder", root.display())));
    }
    let mut out = Vec::new();
    for rel in SOURCES {
        if let Ok(meta) = std::fs::metadata(root.join(rel)) {
            out.push(stamp(rel, &meta));
        }
    }
    for entry in tree_walk(root).filter(|e| e.file_type().is_dir()) {
        if let Ok(meta) = entry.metadata() {
            out.push(stamp(&crate::agents::scan::rel(root, entry.path()), &meta));
        }
    }
    Ok(out)
}

fn stamp(rel: &str, meta: &std::fs::Metadata) -> SourceStamp {
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(0));
    SourceStamp { path: rel.to_string(), size: meta.len(), mtime_ns }
}

fn tree_walk(root: &Path) -> impl Iterator<Item = walkdir::DirEntry> {
    WalkDir::new(root)
        .max_depth(TREE_DEPTH)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0 || !(SKIPPED_DIRS.contains(&name.as_ref()) || name.starts_with('.'))
        })
        .filter_map(Result::ok)
}

/// Builds the context text, at most `max_tokens` (estimated): sources first, each cut to
/// what is left, then the tree listing.
pub fn build(root: &Path, max_tokens: usize) -> Result<ProjectContext> {
    let sources = stamps(root)?;
    let name = root.file_name().map_or_else(|| root.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut text = format!("# Project context: {name}\n");
    for rel in SOURCES {
        let path = root.join(rel);
        let Ok(body) = std::fs::read_to_string(&path) else { continue };
        let left = max_tokens.saturating_sub(tokens::estimate(&text));
        if left < 50 {
            break;
        }
        text.push_str(&format!("\n## {rel}\n\n{}\n", clip(body.trim(), left - 20)));
    }
    let left = max_tokens.saturating_sub(tokens::estimate(&text));
    if left > 50 {
        text.push_str(&format!("\n## Files\n\n{}\n", clip(&tree_listing(root), left - 20)));
    }
    let hash = crate::agents::parse::hash(text.as_bytes());
    Ok(ProjectContext { root: root.to_path_buf(), tokens: tokens::estimate(&text), text, hash, sources })
}

fn tree_listing(root: &Path) -> String {
    tree_walk(root)
        .filter(|e| e.depth() > 0)
        .take(TREE_ENTRIES)
        .map(|e| {
            let indent = "  ".repeat(e.depth() - 1);
            let slash = if e.file_type().is_dir() { "/" } else { "" };
            format!("{indent}{}{slash}", e.file_name().to_string_lossy())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Cuts text to about `max_tokens` at a line boundary, saying so.
fn clip(text: &str, max_tokens: usize) -> String {
    if tokens::estimate(text) <= max_tokens {
        return text.to_string();
    }
    let mut out = String::new();
    for line in text.lines() {
        if tokens::estimate(&out) + tokens::estimate(line) + 8 > max_tokens {
            out.push_str("\n[... cut to fit the project context budget]");
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Reads a context's sources from disk afresh; used by tests and `run --project`.
pub fn load_or_build(store: &crate::store::Store, root: &Path, max_tokens: usize) -> Result<(ProjectContext, bool)> {
    let root = std::fs::canonicalize(root).with_context(|| format!("opening project {}", root.display()))?;
    let now = stamps(&root)?;
    if let Some(stored) = store.index().project_context(&root)?
        && stored.sources == now
        && stored.tokens <= max_tokens
    {
        return Ok((stored, false));
    }
    let built = build(&root, max_tokens)?;
    store.index().save_project_context(&built)?;
    Ok((built, true))
}

pub mod reach;
#[cfg(test)]
mod tests;
