//! The two set-ups that close issue #15's loop on the day benchmark, each in its own folder
//! (`WORK/after-suggest/`, `WORK/ab/`) so the learned-routing file that lives beside a store
//! reaches only that set-up:
//! - `after-suggest`: `usage suggest --apply` on a copy of shipped's store and config, then the
//!   day replayed again with what it applied (the config it edited, the learned routing it wrote);
//! - `ab`: `ab start` in the set-up's store, the day replayed, `ab report`'s verdict.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, bail};
use serde::Serialize;

use super::answers::Shortlist;
use super::replay::{Bench, Replayed, Setup, copy_store};
use super::workload::Workload;

/// `--ab NAME --variant KEY=SETTINGS ... [--split W,W]`: the A/B test the `ab` set-up runs.
#[derive(Debug, Clone, Default)]
pub struct AbOptions {
    pub name: String,
    pub variants: Vec<String>,
    pub split: Option<String>,
}

/// What `usage suggest` proposed on shipped's store and what applying it did to the day.
#[derive(Debug, Clone, Serialize)]
pub struct SuggestFigures {
    /// The day on shipped (the store the suggestions were read from).
    pub before_usd: f64,
    /// The day replayed with what `--apply` applied.
    pub after_usd: f64,
    /// `before - after`: what the replay shows.
    pub replay_saved_usd: f64,
    /// What `usage suggest` promised, all suggestions together (advice included).
    pub promised_usd: f64,
    /// What it promised for the suggestions `--apply` performs.
    pub promised_applied_usd: f64,
    /// `usage suggest --apply --json` as printed.
    pub suggest: serde_json::Value,
    /// The config the after replay ran with.
    pub config: String,
    /// The learned-routing file the after replay read, if `--apply` wrote one.
    pub learned_routing: Option<serde_json::Value>,
}

/// The `ab` set-up's test: how it was started and `ab report`'s answer.
#[derive(Debug, Clone, Serialize)]
pub struct AbFigures {
    pub name: String,
    pub variants: Vec<String>,
    pub split: Option<String>,
    /// `ab report NAME` as printed (text).
    pub report_text: String,
    /// `ab report NAME --json`.
    pub report: serde_json::Value,
}

/// A bench whose set-ups live in `WORK/NAME/`, sharing the libraries.
fn sub_bench(bench: &Bench, name: &str) -> Result<Bench> {
    let work = bench.work.join(name);
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    Ok(Bench {
        devteam: bench.devteam.clone(),
        work,
        original_library: bench.original_library.clone(),
        restructured_library: bench.restructured_library.clone(),
        templates: bench.templates.clone(),
        tiers: bench.tiers.clone(),
    })
}

/// `devteam` on a store with no API (the local commands: `usage suggest`, `ab ...`), in the
/// same sealed environment as the replay's runs.
fn local(bench: &Bench, db: &Path, config: Option<&Path>) -> Command {
    let mut cmd = bench.sealed(db, &bench.restructured_library, "http://127.0.0.1:9");
    if let Some(config) = config {
        cmd.arg("--config").arg(config);
    }
    cmd
}

fn output(mut cmd: Command, what: &str) -> Result<String> {
    let out = cmd.stdin(Stdio::null()).output().with_context(|| format!("starting devteam {what}"))?;
    if !out.status.success() {
        bail!("devteam {what} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `--now` for a command run after the day: a minute after the store's last call, so that the
/// day (stamped on the stand-in's clock, ahead of the wall clock) is in its past.
fn after_the_day(db: &Path) -> Result<String> {
    let conn = rusqlite::Connection::open(db).with_context(|| format!("opening {}", db.display()))?;
    let last: Option<i64> = conn.query_row("SELECT MAX(ts_ms) FROM calls", [], |r| r.get(0))?;
    let at = last.context("the day left no calls")? + 60_000;
    Ok(jiff::Timestamp::from_millisecond(at)?.to_string())
}

/// What `after_suggest` leaves for the report: the after replay, shipped's replay when it had
/// to make one, and the suggestions (costs filled in by the caller, who prices both days).
pub struct AfterSuggest {
    pub after: Replayed,
    pub shipped: Option<Replayed>,
    pub figures: SuggestFigures,
}

/// `after-suggest`: shipped's day (`shipped_db`, or replayed here), `usage suggest --apply` on a
/// copy of its store with shipped's config, then the day again with the applied config and the
/// learned routing beside the new store.
pub fn after_suggest(
    bench: &Bench,
    w: &Workload,
    setup: &Setup,
    lists: &[Shortlist],
    shipped: &Setup,
    shipped_db: Option<&Path>,
) -> Result<AfterSuggest> {
    let sub = sub_bench(bench, setup.name)?;
    for stale in ["learned-routing.json", "learned-routing.json.bak"] {
        let _ = std::fs::remove_file(sub.work.join(stale));
    }
    let (shipped_db, shipped_run) = match shipped_db {
        Some(db) => (db.to_path_buf(), None),
        None => {
            let run = sub.replay(w, shipped, lists)?;
            (run.db.clone(), Some(run))
        }
    };
    let store = sub.work.join("suggest.db");
    copy_store(&shipped_db, &store)?;
    let config = sub.work.join("suggested.yaml");
    let base = shipped.config.unwrap_or("# the day benchmark's shipped settings (none: the defaults)\n");
    std::fs::write(&config, base).with_context(|| format!("writing {}", config.display()))?;
    let mut cmd = local(&sub, &store, Some(&config));
    cmd.args(["--now", &after_the_day(&store)?, "--json", "usage", "suggest", "--apply"]);
    let suggest: serde_json::Value =
        serde_json::from_str(&output(cmd, "usage suggest --apply")?).context("usage suggest --json")?;
    let applied = std::fs::read_to_string(&config).with_context(|| format!("reading {}", config.display()))?;
    let learned_path = sub.work.join("learned-routing.json");
    let learned_routing = match std::fs::read_to_string(&learned_path) {
        Ok(text) => Some(serde_json::from_str(&text).with_context(|| format!("reading {}", learned_path.display()))?),
        Err(_) => None,
    };
    // One-shot process: the text lives as long as the set-ups' own configs do.
    let after_setup = Setup { config: Some(applied.clone().leak()), ..setup.clone() };
    let after = sub.replay(w, &after_setup, lists)?;
    let promised = |applied_only: bool| {
        suggest["suggestions"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|s| !applied_only || !s["edit"].is_null())
                    .filter_map(|s| s["saves_usd"].as_f64())
                    .sum::<f64>()
                    // An empty sum is -0.0, printed "$-0.0000".
                    + 0.0
            })
            .unwrap_or(0.0)
    };
    let figures = SuggestFigures {
        before_usd: 0.0,
        after_usd: 0.0,
        replay_saved_usd: 0.0,
        promised_usd: promised(false),
        promised_applied_usd: promised(true),
        suggest,
        config: applied,
        learned_routing,
    };
    Ok(AfterSuggest { after, shipped: shipped_run, figures })
}

/// `ab`: `ab start` in a new store, the day replayed on it, `ab report`.
pub fn ab(
    bench: &Bench,
    w: &Workload,
    setup: &Setup,
    lists: &[Shortlist],
    o: &AbOptions,
) -> Result<(Replayed, AbFigures)> {
    let sub = sub_bench(bench, setup.name)?;
    let db = sub.store(setup);
    sub.fresh_store(&db, sub.library(setup))?;
    let mut start = local(&sub, &db, None);
    start.args(["-q", "ab", "start", &o.name]);
    for v in &o.variants {
        start.arg("--variant").arg(v);
    }
    if let Some(split) = &o.split {
        start.arg("--split").arg(split);
    }
    output(start, "ab start")?;
    let replayed = sub.replay_on_store(w, setup, lists)?;
    let now = after_the_day(&db)?;
    let mut text = local(&sub, &db, None);
    text.args(["--now", &now, "ab", "report", &o.name]);
    let report_text = output(text, "ab report")?;
    let mut json = local(&sub, &db, None);
    json.args(["--now", &now, "--json", "ab", "report", &o.name]);
    let report = serde_json::from_str(&output(json, "ab report --json")?).context("ab report --json")?;
    let figures =
        AbFigures { name: o.name.clone(), variants: o.variants.clone(), split: o.split.clone(), report_text, report };
    Ok((replayed, figures))
}

/// The two sections under the day's table.
pub fn render(suggest: Option<&SuggestFigures>, ab: Option<&AbFigures>) -> String {
    let mut out = String::new();
    if let Some(s) = suggest {
        out.push_str("\nusage suggest on shipped's store, then the day again with what --apply applied:\n");
        for (i, x) in s.suggest["suggestions"].as_array().into_iter().flatten().enumerate() {
            let how = if x["edit"].is_null() { "advice" } else { "applied" };
            out.push_str(&format!(
                "  {}. [{}] {} (promises ${:.4}; {how})\n",
                i + 1,
                x["rule"].as_str().unwrap_or(""),
                x["title"].as_str().unwrap_or(""),
                x["saves_usd"].as_f64().unwrap_or(0.0)
            ));
        }
        for a in s.suggest["applied"].as_array().into_iter().flatten() {
            out.push_str(&format!("  applied: {}\n", a.as_str().unwrap_or("")));
        }
        out.push_str(&format!(
            "  day: shipped ${:.4} -> after --apply ${:.4}: the replay saves ${:.4}; suggest promised ${:.4} \
             for what it applied (${:.4} with advice)\n",
            s.before_usd, s.after_usd, s.replay_saved_usd, s.promised_applied_usd, s.promised_usd
        ));
    }
    if let Some(a) = ab {
        out.push_str(&format!("\nA/B test {} (variants {}), ab report:\n", a.name, a.variants.join(" ")));
        for line in a.report_text.lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out
}
