//! Where learned adjustments live and how they are written: `learned-routing.json` beside the
//! store, replaced atomically, the previous file kept as `learned-routing.json.bak`.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::error::UserError;
use crate::routing::learned::Learned;

/// The file's name, beside the store.
pub const FILE: &str = "learned-routing.json";

/// The learned-weights path for a store at `db_path`, and its contents when it exists. A file
/// that cannot be read is an error naming it (a silent fallback would change routing unseen).
pub fn learned_beside(db_path: &Path) -> Result<(PathBuf, Option<Learned>)> {
    let path = db_path.parent().map_or_else(|| PathBuf::from(FILE), |d| d.join(FILE));
    if !path.exists() {
        return Ok((path, None));
    }
    let learned = Learned::load(&path)
        .map_err(|e| UserError::new(format!("learned routing {e} (`devteam route learn --reset` removes it)")))?;
    Ok((path, Some(learned)))
}

/// The backup's path.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".bak");
    PathBuf::from(name)
}

/// Writes `learned`, keeping the previous file as the backup. Returns the backup's path when
/// there was one.
pub fn write(path: &Path, learned: &Learned) -> Result<Option<PathBuf>> {
    let backup = backup(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).with_context(|| format!("writing in {}", dir.display()))?;
    serde_json::to_writer_pretty(&mut tmp, learned)?;
    tmp.persist(path).with_context(|| format!("writing {}", path.display()))?;
    Ok(backup)
}

/// Removes the learned file (the defaults apply again), keeping it as the backup.
pub fn reset(path: &Path) -> Result<Option<PathBuf>> {
    let backup = backup(path)?;
    if backup.is_some() {
        std::fs::remove_file(path).with_context(|| format!("removing {}", path.display()))?;
    }
    Ok(backup)
}

fn backup(path: &Path) -> Result<Option<PathBuf>> {
    if !path.exists() {
        return Ok(None);
    }
    let to = backup_path(path);
    std::fs::copy(path, &to).with_context(|| format!("backing {} up to {}", path.display(), to.display()))?;
    Ok(Some(to))
}
