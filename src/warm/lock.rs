//! One `warm-cache` at a time: an exclusive advisory lock (`flock` on Unix, `LockFileEx` on
//! Windows) on a file beside the store. The operating system drops the lock when the process
//! ends, however it ends, so a crashed run never leaves a stale lock behind.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use fs4::{FileExt, TryLockError};

/// The lock file's name, in the store's folder.
pub const LOCK_FILE: &str = "warm-cache.lock";

/// The lock, held until dropped.
#[derive(Debug)]
pub struct WarmLock {
    _file: File,
}

/// What trying the lock gave.
#[derive(Debug)]
pub enum Acquired {
    Held(WarmLock),
    /// Another process holds it.
    Busy,
}

/// The lock file for the store at `db_path`.
pub fn path_for(db_path: &Path) -> PathBuf {
    db_path.parent().unwrap_or_else(|| Path::new(".")).join(LOCK_FILE)
}

/// Takes the lock at `path`; with `wait`, blocks until the holder lets go, else returns `Busy`
/// at once.
pub fn acquire(path: &Path, wait: bool) -> Result<Acquired> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .with_context(|| format!("opening lock file {}", path.display()))?;
    // Called through the trait: std's own `File::lock` is newer than this crate's MSRV.
    if wait {
        FileExt::lock(&file).with_context(|| format!("locking {}", path.display()))?;
    } else {
        match FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Ok(Acquired::Busy),
            Err(TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("locking {}", path.display()));
            }
        }
    }
    // The holder's pid, for a person looking at a stuck cron job; the lock is the flock, not this.
    file.set_len(0).ok();
    writeln!(file, "{}", std::process::id()).ok();
    Ok(Acquired::Held(WarmLock { _file: file }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_told_busy_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(&dir.path().join("devteam.db"));
        let first = acquire(&path, false).unwrap();
        assert!(matches!(first, Acquired::Held(_)));
        assert!(matches!(acquire(&path, false).unwrap(), Acquired::Busy));
        drop(first);
        assert!(matches!(acquire(&path, false).unwrap(), Acquired::Held(_)));
    }
}
