//! The day benchmark: a workload replayed on several set-ups of devteam against the stand-in,
//! through the real binary, with the figures that say where a day's money goes.

pub mod answers;
pub mod learning;
pub mod measure;
pub mod prices;
pub mod replay;
pub mod report;
pub mod workload;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, Result};
use serde::Serialize;

use measure::{ModelFigures, PartFigures, StageFigures};
use prices::{Prices, Tokens};
use replay::{Bench, Setup};
use workload::Workload;

/// The set-ups: unoptimized, shipped, and shipped with each optimization off alone. Shipped is
/// devteam as the README sets it up: the defaults, a restructured library, and the `warm-cache`
/// cron line (every 30 minutes).
pub fn setups() -> Vec<Setup> {
    let s = |name, what, flags: &[&str], restructured, warm_cache| Setup {
        name,
        what,
        flags: flags.iter().map(|f| f.to_string()).collect(),
        restructured,
        warm_cache,
        floor: false,
        config: None,
    };
    // Off, the shared context is pasted into each request with the task: the agents are told
    // the same, and only the sharing and caching of it are switched off (`prompt::Parts`).
    let unshared = "switches:\n  shared-context: false\n";
    vec![
        Setup {
            config: Some(unshared),
            ..s(
                "unoptimized",
                "every switch off, all sonnet",
                &["--no-plan", "--no-cache", "--no-routing", "--load-all-agents"],
                false,
                false,
            )
        },
        s("shipped", "defaults, restructured library, warm-cache every 30 min", &[], true, true),
        s("no-planning", "shipped with --no-plan", &["--no-plan"], true, true),
        s("no-caching", "shipped with --no-cache (and no warm-cache)", &["--no-cache"], true, false),
        Setup {
            config: Some(unshared),
            ..s(
                "no-shared-context",
                "shipped with the context pasted into each task (shared-context: false)",
                &[],
                true,
                true,
            )
        },
        s("no-restructure", "shipped on the library as written", &[], false, true),
        s("no-routing", "shipped with --no-routing (sonnet)", &["--no-routing"], true, true),
        s("no-warm-cache", "shipped without the warm-cache cron line", &[], true, false),
    ]
}

/// Other ways to run the day, only when named with `--only` (to compare a design choice).
pub fn variants() -> Vec<Setup> {
    let v = |name, what, config| Setup {
        name,
        what,
        flags: vec![],
        restructured: true,
        // Shipped's cron line too: each variant is shipped with one thing changed.
        warm_cache: true,
        floor: false,
        config: Some(config),
    };
    vec![
        v("cache-1h", "shipped with cache-strategy 1h", "cache-strategy: 1h\n"),
        v("cache-5m", "shipped with cache-strategy 5m", "cache-strategy: 5m\n"),
        // Made by `learning`: the config is what `usage suggest --apply` wrote / shipped's.
        v("after-suggest", "shipped after usage suggest --apply on shipped's store", ""),
        v("ab", "shipped running the A/B test of --ab", ""),
        // Sends the agents less than shipped: a trade of quality, not an optimization switch.
        Setup {
            flags: vec!["--no-context".to_string()],
            config: None,
            ..v("no-context", "shipped with --no-context: no project context at all", "")
        },
    ]
}

fn floor_setup() -> Setup {
    Setup {
        name: "floor-replay",
        what: "each task once on the tier it needs",
        flags: vec![],
        restructured: true,
        warm_cache: false,
        floor: true,
        config: None,
    }
}

/// One set-up's day.
#[derive(Debug, Clone, Serialize)]
pub struct SetupFigures {
    pub setup: String,
    pub what: String,
    pub cost_usd: f64,
    pub ratio_to_floor: f64,
    pub share_of_unoptimized: f64,
    pub calls: u64,
    pub tokens: Tokens,
    pub tokens_per_task: u64,
    pub cache_hit_rate: f64,
    /// Cache reads over the stable tokens a never-expiring cache could have served
    /// (`measure::add_repeats`).
    pub repeat_hit_rate: f64,
    pub models: BTreeMap<String, ModelFigures>,
    pub stages: BTreeMap<&'static str, StageFigures>,
    /// What devteam's own store says the day cost (it must agree with the stand-in's bill).
    pub store_cost_usd: f64,
    /// Tasks that ended unanswered (declined on every tier tried; see `answers`).
    pub failed_tasks: usize,
    /// Calls a model of too low a tier declined (each one then upgraded or failed).
    pub declined_calls: usize,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct DayReport {
    pub workload: String,
    pub tasks: usize,
    pub floor_usd: f64,
    pub floor_tokens: Tokens,
    /// The floor's figures by model: its hit rates are the most a day's can be.
    pub floor_models: BTreeMap<String, ModelFigures>,
    pub setups: Vec<SetupFigures>,
    /// Shipped's cost by prompt part.
    pub shipped_parts: BTreeMap<String, PartFigures>,
    /// The `after-suggest` set-up's suggestions and both days' costs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggest: Option<learning::SuggestFigures>,
    /// The `ab` set-up's test and `ab report`'s verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ab: Option<learning::AbFigures>,
}

/// Options for a run of the benchmark.
pub struct Options<'a> {
    pub devteam: &'a Path,
    pub workload: &'a Path,
    pub agents: &'a Path,
    pub prices: &'a Path,
    pub work: &'a Path,
    /// Only these set-ups and variants (every set-up when empty).
    pub only: Vec<String>,
    /// A config file's text for the shipped set-up (`--config`), instead of none.
    pub shipped_config: Option<&'static str>,
    /// The A/B test of the `ab` set-up (`--ab`), which is then chosen too.
    pub ab: Option<learning::AbOptions>,
    pub progress: &'a dyn Fn(&str),
}

pub fn run(o: &Options<'_>) -> Result<DayReport> {
    let w = Workload::load(o.workload)?;
    let prices = Prices::load(o.prices)?;
    let tiers = ["haiku", "sonnet", "opus"]
        .iter()
        .map(|t| {
            Ok((t.to_string(), prices.tiers.get(*t).with_context(|| format!("no {t} tier in the prices"))?.clone()))
        })
        .collect::<Result<Vec<_>>>()?;
    let bench = Bench::prepare(o.devteam, o.agents, o.work, tiers)?;
    (o.progress)("ranking the day's tasks on both libraries");
    let lists_restructured = bench.shortlists(&w, &bench.restructured_library)?;
    let lists_original = bench.shortlists(&w, &bench.original_library)?;
    let lists = |s: &Setup| if s.restructured { &lists_restructured } else { &lists_original };

    let floor_setup = floor_setup();
    (o.progress)("floor replay");
    let floor_run = bench.replay(&w, &floor_setup, lists(&floor_setup))?;
    let (floor_usd, floor_tokens, floor_models) = measure::floor(&measure::billed(&floor_run, &prices)?, &prices)?;

    let mut figures = Vec::new();
    let mut shipped_parts = BTreeMap::new();
    let (mut suggest, mut ab, mut shipped_db) = (None, None, None);
    let named = |s: &Setup| o.only.iter().any(|n| n == s.name) || (s.name == "ab" && o.ab.is_some());
    let chosen: Vec<Setup> = if o.only.is_empty() {
        setups().into_iter().chain(variants().into_iter().filter(|s| s.name == "ab" && o.ab.is_some())).collect()
    } else {
        setups().into_iter().chain(variants()).filter(named).collect()
    };
    for mut setup in chosen {
        if matches!(setup.name, "shipped" | "after-suggest" | "ab") {
            setup.config = o.shipped_config;
        }
        (o.progress)(&format!("set-up {}", setup.name));
        let replayed = match setup.name {
            "after-suggest" => {
                let shipped = setups().into_iter().find(|s| s.name == "shipped").context("no shipped set-up")?;
                let shipped = Setup { config: o.shipped_config, ..shipped };
                let run = learning::after_suggest(&bench, &w, &setup, lists(&setup), &shipped, shipped_db.as_deref())?;
                let mut f = run.figures;
                f.before_usd = match (&run.shipped, figures.iter().find(|f: &&SetupFigures| f.setup == "shipped")) {
                    (None, Some(s)) => s.cost_usd,
                    (Some(r), _) => measure::billed(r, &prices)?.iter().map(|b| b.cost).sum(),
                    (None, None) => 0.0,
                };
                f.after_usd = measure::billed(&run.after, &prices)?.iter().map(|b| b.cost).sum();
                f.replay_saved_usd = f.before_usd - f.after_usd;
                suggest = Some(f);
                run.after
            }
            "ab" => {
                let options = o.ab.as_ref().context("the ab set-up needs --ab NAME --variant KEY=SETTINGS ...")?;
                let (run, f) = learning::ab(&bench, &w, &setup, lists(&setup), options)?;
                ab = Some(f);
                run
            }
            _ => bench.replay(&w, &setup, lists(&setup))?,
        };
        let billed = measure::billed(&replayed, &prices)?;
        if setup.name == "shipped" {
            shipped_parts = measure::by_part(&replayed, &prices)?;
            shipped_db = Some(replayed.db.clone());
        }
        let mut f = setup_figures(&setup, &billed, store_cost(&replayed.db)?, w.tasks.len(), floor_usd);
        f.failed_tasks = replayed.failed.len();
        f.declined_calls = declined(&replayed);
        measure::add_repeats(&billed, &prices, &mut f.models)?;
        let repeated: u64 = f.models.values().map(|m| m.repeated_tokens).sum();
        f.repeat_hit_rate = measure::ratio(f.tokens.cache_read, repeated);
        figures.push(f);
    }
    let unoptimized = figures.iter().find(|f| f.setup == "unoptimized").map_or(0.0, |f| f.cost_usd);
    for f in &mut figures {
        f.share_of_unoptimized = if unoptimized > 0.0 { f.cost_usd / unoptimized } else { 0.0 };
    }
    Ok(DayReport {
        workload: o.workload.display().to_string(),
        tasks: w.tasks.len(),
        floor_usd,
        floor_tokens,
        floor_models,
        setups: figures,
        shipped_parts,
        suggest,
        ab,
    })
}

fn setup_figures(s: &Setup, billed: &[measure::Billed], store_cost_usd: f64, tasks: usize, floor: f64) -> SetupFigures {
    let models = measure::by_model(billed);
    let mut tokens = Tokens::default();
    billed.iter().for_each(|b| tokens.add(&b.tokens));
    let cacheable: u64 = models.values().map(|m| m.cacheable_tokens).sum();
    let cost_usd: f64 = billed.iter().map(|b| b.cost).sum();
    SetupFigures {
        setup: s.name.to_string(),
        what: s.what.to_string(),
        cost_usd,
        ratio_to_floor: if floor > 0.0 { cost_usd / floor } else { 0.0 },
        share_of_unoptimized: 0.0,
        calls: billed.len() as u64,
        tokens,
        tokens_per_task: (tokens.total_input() + tokens.output) / tasks.max(1) as u64,
        cache_hit_rate: measure::ratio(tokens.cache_read, cacheable),
        repeat_hit_rate: 0.0,
        models,
        stages: measure::by_stage(billed),
        store_cost_usd,
        failed_tasks: 0,
        declined_calls: 0,
    }
}

fn declined(r: &replay::Replayed) -> usize {
    r.ledger.iter().filter(|e| e.stop_reason.as_deref() == Some("refusal")).count()
}

fn store_cost(db: &Path) -> Result<f64> {
    let db = rusqlite::Connection::open(db)?;
    let micros: i64 = db.query_row("SELECT COALESCE(SUM(cost_micros), 0) FROM calls", [], |r| r.get(0))?;
    Ok(micros as f64 / 1e6)
}
