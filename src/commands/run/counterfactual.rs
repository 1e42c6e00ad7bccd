//! The discovery counterfactual of a run: the call the unoptimized system makes before every
//! task (the whole library's text, as the team wrote it, to Sonnet with no cache) and devteam
//! does not. Its size is counted in the API's own tokens: the characters of the library as
//! written, times the tokens the API reported per character of this run's first call (the
//! same kind of text: agent prompts). `agents.full_tokens` is devteam's local estimate, which
//! errs high on purpose (budgets), so it would overstate the saving.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::agents::restructure::backup::BACKUP_DIR;
use crate::orchestrator::single::Prepared;
use crate::store::{Counterfactual, Library, Store};

/// Records the run's discovery counterfactual (at `ts_ms`), if its first call was recorded.
pub fn record(store: &Store, library: &Library, prepared: &Prepared, project: &str, ts_ms: i64) -> Result<()> {
    let Some(reported) = store.first_call_input(&prepared.run_id)? else { return Ok(()) };
    let layout = &prepared.call.layout;
    let sent: usize = layout.system.iter().chain(&layout.user).map(|b| b.text.chars().count()).sum();
    if sent == 0 {
        return Ok(());
    }
    let written = library_chars_as_written(store, library)? + prepared.call.task.chars().count();
    let tokens = (written as f64 * reported as f64 / sent as f64).round() as u64;
    store.insert_counterfactual(&Counterfactual {
        ts_ms,
        project: project.to_string(),
        run_id: prepared.run_id.clone(),
        stage: "discovery".to_string(),
        input_tokens: tokens,
        output_tokens: 0,
    })
}

/// Characters of every agent's text (without front matter) as the team wrote it: a file that
/// `restructure-agents` rewrote is read from its oldest backup.
fn library_chars_as_written(store: &Store, library: &Library) -> Result<usize> {
    let backups = backups_oldest_first(&library.root);
    let ids = store.index().agent_ids(library.id)?;
    let mut total = 0;
    for agent in store.index().agent_summaries(library.id, &ids)? {
        let original = backups.iter().map(|b| b.join(&agent.rel_path)).find(|p| p.is_file());
        let path = original.unwrap_or_else(|| library.root.join(&agent.rel_path));
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let body = crate::agents::frontmatter::split(&text).map(|s| s.body).unwrap_or(&text);
        total += body.trim().chars().count();
    }
    Ok(total)
}

fn backups_oldest_first(root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root.join(BACKUP_DIR)) else { return Vec::new() };
    let mut dirs: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path().join("files")).collect();
    dirs.retain(|d| d.is_dir());
    dirs.sort();
    dirs
}
