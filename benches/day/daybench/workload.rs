//! The workload file: a day of tasks (see `fixtures/workload/day.yaml` for the format).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    /// Time of day of the first minute (HH:MM); tasks' `at` are measured from it.
    pub start: String,
    pub tasks: Vec<Task>,
    /// Where the projects live (filled in after loading: `projects/` next to the file).
    #[serde(skip)]
    pub projects_dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub at: String,
    pub project: String,
    pub needs: String,
    pub out: u32,
    pub task: String,
    #[serde(default)]
    pub subtasks: Vec<Subtask>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subtask {
    pub title: String,
    pub needs: String,
    pub out: u32,
    /// Indexes of the subtasks this one needs.
    #[serde(default)]
    pub after: Vec<usize>,
}

impl Workload {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let mut w: Workload = serde_yaml_ng::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        w.projects_dir = path.parent().unwrap_or(Path::new(".")).join("projects");
        let start = minutes(&w.start).with_context(|| format!("{}: start", path.display()))?;
        let mut last = start;
        for (i, t) in w.tasks.iter().enumerate() {
            let at = minutes(&t.at).with_context(|| format!("{}: task {} `at`", path.display(), i + 1))?;
            if at < last {
                bail!("{}: task {} starts at {} before the task before it", path.display(), i + 1, t.at);
            }
            last = at;
            if !matches!(t.needs.as_str(), "haiku" | "sonnet" | "opus") {
                bail!("{}: task {}: needs must be haiku, sonnet or opus", path.display(), i + 1);
            }
            if !w.projects_dir.join(&t.project).is_dir() {
                bail!("{}: task {}: no project folder {}", path.display(), i + 1, t.project);
            }
            for (k, s) in t.subtasks.iter().enumerate() {
                if s.after.iter().any(|&d| d >= k) {
                    bail!("{}: task {} subtask {}: `after` must name earlier subtasks", path.display(), i + 1, k);
                }
            }
        }
        Ok(w)
    }

    /// Minutes after `start` at which task `i` begins.
    pub fn offset_minutes(&self, i: usize) -> u64 {
        let start = minutes(&self.start).unwrap_or(0);
        minutes(&self.tasks[i].at).unwrap_or(start).saturating_sub(start)
    }

    pub fn project_dir(&self, t: &Task) -> PathBuf {
        self.projects_dir.join(&t.project)
    }
}

fn minutes(hhmm: &str) -> Result<u64> {
    let (h, m) = hhmm.split_once(':').context("expected HH:MM")?;
    let (h, m): (u64, u64) = (h.trim().parse()?, m.trim().parse()?);
    if h > 23 || m > 59 {
        bail!("{hhmm} is not a time of day");
    }
    Ok(h * 60 + m)
}
