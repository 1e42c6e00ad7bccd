//! Safe, reversible settings edits: top-level keys of the config file set in place (comments
//! and every other line kept), the previous file kept as `config.yaml.bak`.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

/// Sets each `key: value` at the top level of the YAML file at `path` (created if missing).
/// Returns the backup's path when there was a file to back up.
pub fn set_keys(path: &Path, edits: &[(String, String)]) -> Result<Option<PathBuf>> {
    let old = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("reading config file {}", path.display())),
    };
    let mut lines: Vec<String> = old.as_deref().unwrap_or("").lines().map(str::to_string).collect();
    for (key, value) in edits {
        let line = format!("{key}: {value}");
        match lines.iter_mut().find(|l| l.starts_with(&format!("{key}:"))) {
            Some(existing) => *existing = line,
            None => lines.push(line),
        }
    }
    let text = lines.join("\n") + "\n";
    if serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&text).is_err() {
        bail!("editing {} would leave it unreadable; change it by hand", path.display());
    }
    let backup = match &old {
        Some(old) => {
            let mut name = path.as_os_str().to_owned();
            name.push(".bak");
            let backup = PathBuf::from(name);
            std::fs::write(&backup, old).with_context(|| format!("backing up {}", path.display()))?;
            Some(backup)
        }
        None => None,
    };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes())?;
    tmp.persist(path).with_context(|| format!("writing config file {}", path.display()))?;
    Ok(backup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_set_in_place_and_the_old_file_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yaml");
        std::fs::write(&path, "# mine\nmax-tokens: 900\ncache-strategy: mixed\n").unwrap();
        let backup = set_keys(&path, &[("cache-strategy".into(), "1h".into()), ("plan-threshold".into(), "10".into())])
            .unwrap()
            .unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "# mine\nmax-tokens: 900\ncache-strategy: 1h\nplan-threshold: 10\n"
        );
        assert!(std::fs::read_to_string(backup).unwrap().contains("cache-strategy: mixed"));
        let fresh = dir.path().join("new/config.yaml");
        assert_eq!(set_keys(&fresh, &[("jobs".into(), "2".into())]).unwrap(), None);
        assert_eq!(std::fs::read_to_string(&fresh).unwrap(), "jobs: 2\n");
    }
}
