//! Reading a file a setting names: a regular file only (a FIFO would hang, `/dev/zero` would
//! never end) and no larger than a limit, checked before and while reading.

use std::io::Read as _;
use std::path::Path;

use anyhow::{Result, bail};

/// The most any settings-named file (config, prices, weights) may hold.
pub const SETTINGS_FILE_LIMIT: u64 = 16 * 1024 * 1024;

/// Reads `path` as UTF-8 text. `what` names it in errors ("prices file").
pub fn read_text(path: &Path, what: &str, limit: u64) -> Result<String> {
    let meta = std::fs::metadata(path).map_err(|e| anyhow::anyhow!("reading {what} {}: {e}", path.display()))?;
    if !meta.is_file() {
        bail!(crate::error::UserError::new(format!("{what} {} is not a regular file", path.display())));
    }
    if meta.len() > limit {
        bail!(crate::error::UserError::new(format!(
            "{what} {} is {} bytes, over the {limit}-byte limit",
            path.display(),
            meta.len()
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| anyhow::anyhow!("reading {what} {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        bail!(crate::error::UserError::new(format!("{what} {} grew past the {limit}-byte limit", path.display())));
    }
    String::from_utf8(bytes)
        .map_err(|_| crate::error::UserError::new(format!("{what} {} is not UTF-8 text", path.display())).into())
}

/// Like [`read_text`], but a missing file is `None`.
pub fn read_text_if_exists(path: &Path, what: &str, limit: u64) -> Result<Option<String>> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        _ => read_text(path, what, limit).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_fifos_folders_and_big_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; 100]).unwrap();
        assert!(read_text(&big, "prices file", 99).unwrap_err().to_string().contains("limit"));
        assert_eq!(read_text(&big, "prices file", 100).unwrap().len(), 100);
        for path in ["/dev/zero", "/dev/null"] {
            if Path::new(path).exists() {
                assert!(read_text(Path::new(path), "x", 10).unwrap_err().to_string().contains("not a regular"));
            }
        }
        assert!(read_text(dir.path(), "x", 10).unwrap_err().to_string().contains("not a regular"));
        #[cfg(unix)]
        {
            let fifo = dir.path().join("fifo");
            if std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
                assert!(read_text(&fifo, "x", 10).unwrap_err().to_string().contains("not a regular"));
            }
        }
        assert_eq!(read_text_if_exists(&dir.path().join("none"), "x", 10).unwrap(), None);
    }
}
