//! Replays a day on one set-up: a fresh stand-in and store, the stand-in's clock moved to each
//! task's time, and the real `devteam` binary run once per task, as a team's scripts would.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use anyhow::{Context as _, Result, bail};
use devteam_standin::{Config, Handle, LedgerEntry, RecordedRequest, StandIn};

use super::answers::{self, Shortlist};
use super::workload::Workload;

/// One way to run the day.
#[derive(Debug, Clone)]
pub struct Setup {
    pub name: &'static str,
    /// What is switched off, in words.
    pub what: &'static str,
    /// Extra `run` flags.
    pub flags: Vec<String>,
    /// Run on the library after `restructure-agents --write`.
    pub restructured: bool,
    /// Run `warm-cache` every `WARM_EVERY_MINUTES` from the day's start, as a cron line would
    /// (on the benchmark's clock), for every project (no `--project`).
    pub warm_cache: bool,
    /// Per task: force this tier and discovery's agent, no plan (the floor's replay).
    pub floor: bool,
    /// A config file's text for the set-up (`--config`), e.g. another cache strategy.
    pub config: Option<&'static str>,
}

/// What one set-up's day left behind.
pub struct Replayed {
    pub db: PathBuf,
    pub ledger: Vec<LedgerEntry>,
    pub requests: Vec<RecordedRequest>,
    /// Tasks (by index) that ended without an answer: declined on every tier tried, or a plan
    /// with subtasks missing.
    pub failed: Vec<usize>,
}

/// Paths and binaries shared by every set-up.
pub struct Bench {
    pub devteam: PathBuf,
    pub work: PathBuf,
    pub original_library: PathBuf,
    pub restructured_library: PathBuf,
    /// Where the libraries' template stores are (see `template_of`).
    pub templates: PathBuf,
    /// Each tier's name and model id, cheapest first (for the script's refusals).
    pub tiers: Vec<(String, String)>,
}

/// A store that holds a library's cards and embeddings and nothing else: each set-up's day
/// starts on a copy, so the library is embedded once per library, not once per set-up.
fn template_of(templates: &Path, library: &Path) -> PathBuf {
    templates.join(format!("template-{}.db", library.file_name().unwrap_or_default().to_string_lossy()))
}

impl Bench {
    /// Copies the demo library twice (as written, and restructured) into `work`.
    pub fn prepare(devteam: &Path, agents: &Path, work: &Path, tiers: Vec<(String, String)>) -> Result<Self> {
        let original_library = work.join("lib-original");
        let restructured_library = work.join("lib-restructured");
        copy_dir(agents, &original_library)?;
        copy_dir(agents, &restructured_library)?;
        let b = Bench {
            devteam: devteam.to_path_buf(),
            work: work.to_path_buf(),
            original_library,
            restructured_library,
            templates: work.to_path_buf(),
            tiers,
        };
        let db = work.join("restructure.db");
        let mut cmd = b.command(&db, &b.restructured_library, "http://127.0.0.1:9");
        cmd.args(["restructure-agents", "--write"]);
        run(cmd, "restructure-agents --write")?;
        for library in [&b.original_library, &b.restructured_library] {
            // With the shipped defaults (embeddings on) the first use of a store embeds the
            // library; doing it here keeps that out of every set-up's first task.
            let mut cmd = b.command(&template_of(work, library), library, "http://127.0.0.1:9");
            cmd.arg("extract-metadata");
            run(cmd, "extract-metadata (template store)")?;
        }
        Ok(b)
    }

    /// Makes `db` a copy of `library`'s template store (cards and embeddings, no calls).
    pub(super) fn fresh_store(&self, db: &Path, library: &Path) -> Result<()> {
        copy_store(&template_of(&self.templates, library), db)
    }

    /// The library `setup` runs on.
    pub(super) fn library(&self, setup: &Setup) -> &Path {
        if setup.restructured { &self.restructured_library } else { &self.original_library }
    }

    /// `devteam -q` on `db` and `library` in the sealed environment every call of the day runs in.
    fn command(&self, db: &Path, library: &Path, base_url: &str) -> Command {
        let mut cmd = self.sealed(db, library, base_url);
        cmd.arg("-q");
        cmd
    }

    /// `devteam` on `db` and `library` with nothing of the machine's: a home of its own, no
    /// settings from the environment but the API's address and a key.
    pub(super) fn sealed(&self, db: &Path, library: &Path, base_url: &str) -> Command {
        let mut cmd = Command::new(&self.devteam);
        let home = self.work.join("home");
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("NO_COLOR", "1")
            // No DEVTEAM_EMBEDDING_MODEL: every set-up runs on the shipped defaults (hybrid
            // discovery, routing by meaning) unless it switches something off itself.
            .env("ANTHROPIC_API_KEY", "sk-bench")
            .env("ANTHROPIC_BASE_URL", base_url)
            // Each set-up starts on a new store, made on first use.
            .arg("--init")
            .arg("--db")
            .arg(db)
            .arg("--agents")
            .arg(library);
        cmd
    }

    /// Discovery's ranking of every task on a library (local, no model), for the script.
    pub fn shortlists(&self, w: &Workload, library: &Path) -> Result<Vec<Shortlist>> {
        let db = self.work.join(format!("discover-{}.db", library.file_name().unwrap_or_default().to_string_lossy()));
        self.fresh_store(&db, library)?;
        let mut out = Vec::new();
        for t in &w.tasks {
            let mut cmd = self.command(&db, library, "http://127.0.0.1:9");
            cmd.args(["--json", "discover", "--top", "20", &t.task]);
            let stdout = run(cmd, "discover")?;
            let report: serde_json::Value = serde_json::from_str(&stdout).context("discover --json")?;
            let ids = report["agents"]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x["id"].as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            out.push(ids);
        }
        Ok(out)
    }

    /// Replays the day on `setup`, on a new store.
    pub fn replay(&self, w: &Workload, setup: &Setup, shortlists: &[Shortlist]) -> Result<Replayed> {
        self.fresh_store(&self.store(setup), self.library(setup))?;
        self.replay_on_store(w, setup, shortlists)
    }

    /// The set-up's store: `WORK/NAME.db`.
    pub fn store(&self, setup: &Setup) -> PathBuf {
        self.work.join(format!("{}.db", setup.name))
    }

    /// Replays the day on `setup`'s store as it is (e.g. with an A/B test started in it).
    pub fn replay_on_store(&self, w: &Workload, setup: &Setup, shortlists: &[Shortlist]) -> Result<Replayed> {
        let library = self.library(setup);
        let db = self.store(setup);
        // Frozen: a task's calls see the minute the workload gives, however long the machine takes.
        let config =
            Config { script: answers::script(w, shortlists, &self.tiers), frozen_clock: true, ..Config::default() };
        let standin = StandIn::start(config).context("starting the stand-in")?;
        let day_start = standin.now();
        let mut failed = Vec::new();
        let mut next_tick = 0;
        // The set-up's config file reaches every command, the cron line's too.
        let config_file = match setup.config {
            Some(text) => {
                let path = self.work.join(format!("{}.yaml", setup.name));
                std::fs::write(&path, text)?;
                Some(path)
            }
            None => None,
        };
        let command = |url: &str| {
            let mut cmd = self.command(&db, library, url);
            if let Some(path) = &config_file {
                cmd.arg("--config").arg(path);
            }
            cmd
        };
        for (i, t) in w.tasks.iter().enumerate() {
            let url = standin.base_url();
            while setup.warm_cache && next_tick <= w.offset_minutes(i) {
                move_clock(&standin, day_start, Duration::from_secs(next_tick * 60));
                let mut cmd = command(&url);
                cmd.args(["--now", &rfc3339(standin.now()), "warm-cache"]);
                run(cmd, "warm-cache")?;
                next_tick += WARM_EVERY_MINUTES;
            }
            move_clock(&standin, day_start, Duration::from_secs(w.offset_minutes(i) * 60));
            // devteam's clock is the stand-in's: records, budget windows and warm-cache plans.
            let now = rfc3339(standin.now());
            let mut cmd = command(&url);
            cmd.args(["--now", &now]).arg("run").arg("--project").arg(w.project_dir(t));
            if setup.floor {
                let agent = shortlists[i].first().context("discovery found no agent")?;
                cmd.args(["--no-plan", "--no-rerank", "--tier", &t.needs, "--agent", agent]);
            }
            cmd.args(&setup.flags).arg(&t.task);
            if !run_task(cmd, &format!("run (task {})", i + 1))? {
                failed.push(i);
            }
        }
        Ok(Replayed { db, ledger: standin.ledger(), requests: standin.requests(), failed })
    }
}

/// Moves the stand-in's (frozen) clock to `start + offset`.
/// How often the warm-cache set-up's cron line runs: twice within a 1-hour entry's life, so a
/// live entry is refreshed before it expires.
const WARM_EVERY_MINUTES: u64 = 30;

fn move_clock(standin: &Handle, start: SystemTime, offset: Duration) {
    let target = start + offset;
    if let Ok(ahead) = target.duration_since(standin.now()) {
        standin.advance(ahead);
    }
}

fn rfc3339(t: SystemTime) -> String {
    let ms = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_millis();
    jiff::Timestamp::from_millisecond(i64::try_from(ms).unwrap_or(0)).map(|t| t.to_string()).unwrap_or_default()
}

fn run(mut cmd: Command, what: &str) -> Result<String> {
    let out = cmd.stdin(Stdio::null()).output().with_context(|| format!("starting devteam {what}"))?;
    if !out.status.success() {
        bail!("devteam {what} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs a task: `false` when it ended unanswered (a refusal on every tier tried, exit 2 with
/// "refused the task", or a plan with subtasks missing, exit 4); any other failure is the
/// benchmark's own and stops it.
fn run_task(mut cmd: Command, what: &str) -> Result<bool> {
    let out = cmd.stdin(Stdio::null()).output().with_context(|| format!("starting devteam {what}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => Ok(true),
        Some(4) => Ok(false),
        Some(2) if stderr.contains("refused the task") => Ok(false),
        _ => bail!("devteam {what} failed ({}): {stderr}", out.status),
    }
}

/// A consistent copy of a store (its WAL included), as a backup would take it.
pub(super) fn copy_store(from: &Path, to: &Path) -> Result<()> {
    let _ = std::fs::remove_file(to);
    let db = rusqlite::Connection::open(from).with_context(|| format!("opening {}", from.display()))?;
    db.execute("VACUUM INTO ?1", [to.to_string_lossy()]).with_context(|| format!("copying {}", from.display()))?;
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry?;
        let rel = entry.path().strip_prefix(from)?;
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest)?;
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &dest).with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}
