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
    /// Run `warm-cache` before each task (as cron would, on the benchmark's clock).
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
}

/// Paths and binaries shared by every set-up.
pub struct Bench {
    pub devteam: PathBuf,
    pub work: PathBuf,
    pub original_library: PathBuf,
    pub restructured_library: PathBuf,
}

impl Bench {
    /// Copies the demo library twice (as written, and restructured) into `work`.
    pub fn prepare(devteam: &Path, agents: &Path, work: &Path) -> Result<Self> {
        let original_library = work.join("lib-original");
        let restructured_library = work.join("lib-restructured");
        copy_dir(agents, &original_library)?;
        copy_dir(agents, &restructured_library)?;
        let b =
            Bench { devteam: devteam.to_path_buf(), work: work.to_path_buf(), original_library, restructured_library };
        let db = work.join("restructure.db");
        let mut cmd = b.command(&db, &b.restructured_library, "http://127.0.0.1:9");
        cmd.args(["restructure-agents", "--write"]);
        run(cmd, "restructure-agents --write")?;
        Ok(b)
    }

    fn command(&self, db: &Path, library: &Path, base_url: &str) -> Command {
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
            // `run` ranks agents by BM25 alone (embeddings are used by `discover` only, so far):
            // the shortlists the floor is priced on must come from the same ranking.
            .env("DEVTEAM_EMBEDDING_MODEL", "off")
            .env("ANTHROPIC_API_KEY", "sk-bench")
            .env("ANTHROPIC_BASE_URL", base_url)
            // Each set-up starts on a new store, made on first use.
            .arg("--init")
            .arg("--db")
            .arg(db)
            .arg("--agents")
            .arg(library)
            .arg("-q");
        cmd
    }

    /// Discovery's ranking of every task on a library (local, no model), for the script.
    pub fn shortlists(&self, w: &Workload, library: &Path) -> Result<Vec<Shortlist>> {
        let db = self.work.join(format!("discover-{}.db", library.file_name().unwrap_or_default().to_string_lossy()));
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
        let _ = std::fs::remove_file(self.store(setup));
        self.replay_on_store(w, setup, shortlists)
    }

    /// The set-up's store: `WORK/NAME.db`.
    pub fn store(&self, setup: &Setup) -> PathBuf {
        self.work.join(format!("{}.db", setup.name))
    }

    /// Replays the day on `setup`'s store as it is (e.g. with an A/B test started in it).
    pub fn replay_on_store(&self, w: &Workload, setup: &Setup, shortlists: &[Shortlist]) -> Result<Replayed> {
        let library = if setup.restructured { &self.restructured_library } else { &self.original_library };
        let db = self.store(setup);
        let config = Config { script: answers::script(w, shortlists), ..Config::default() };
        let standin = StandIn::start(config).context("starting the stand-in")?;
        let day_start = standin.now();
        for (i, t) in w.tasks.iter().enumerate() {
            move_clock(&standin, day_start, Duration::from_secs(w.offset_minutes(i) * 60));
            let url = standin.base_url();
            // devteam's clock is the stand-in's: records, budget windows and warm-cache plans.
            let now = rfc3339(standin.now());
            if setup.warm_cache {
                let mut cmd = self.command(&db, library, &url);
                cmd.args(["warm-cache", "--now", &now]);
                run(cmd, "warm-cache")?;
            }
            let mut cmd = self.command(&db, library, &url);
            if let Some(text) = setup.config {
                let path = self.work.join(format!("{}.yaml", setup.name));
                std::fs::write(&path, text)?;
                cmd.arg("--config").arg(path);
            }
            cmd.args(["--now", &now]).arg("run").arg("--project").arg(w.project_dir(t));
            if setup.floor {
                let agent = shortlists[i].first().context("discovery found no agent")?;
                cmd.args(["--no-plan", "--no-rerank", "--tier", &t.needs, "--agent", agent]);
            }
            cmd.args(&setup.flags).arg(&t.task);
            run(cmd, &format!("run (task {})", i + 1))?;
        }
        Ok(Replayed { db, ledger: standin.ledger(), requests: standin.requests() })
    }
}

/// Moves the stand-in's clock to `start + offset` (real time passes too, so only the difference).
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
