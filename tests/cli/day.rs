//! The day benchmark's short day as a deterministic cost test: the stand-in bills by fixed rules
//! and answers from the workload, so a day's costs are figures, not timings, and can be asserted.
//! The full day is `cargo bench --bench day` (README, "The day benchmark").

#[path = "../../benches/day/daybench/mod.rs"]
pub(crate) mod daybench;

use std::path::Path;

use super::common::repo;

/// The short day on the set-ups named (every set-up when none), in `work`, with `config` for
/// shipped and an A/B test when given.
pub(crate) fn short_day_on(
    work: &Path,
    only: &[&str],
    config: Option<&'static str>,
    ab: Option<daybench::learning::AbOptions>,
) -> daybench::DayReport {
    let root = repo();
    let options = daybench::Options {
        devteam: Path::new(env!("CARGO_BIN_EXE_devteam")),
        workload: &root.join("fixtures/workload/short.yaml"),
        agents: &root.join("fixtures/agents"),
        prices: &root.join("data/models.yaml"),
        work,
        only: only.iter().map(|s| s.to_string()).collect(),
        shipped_config: config,
        ab,
        progress: &|_| {},
    };
    daybench::run(&options).expect("the short day replays")
}

fn short_day() -> (daybench::DayReport, tempfile::TempDir) {
    let work = tempfile::tempdir().expect("tempdir");
    (short_day_on(work.path(), &[], None, None), work)
}

/// What the short day must show. The bars that this day meets are asserted as they
/// stand; the two it does not meet yet (shipped at most 1.3x the floor, a 90 % cache hit rate on
/// every model) are held as ratchets at today's figures, so that a change that makes the day
/// cost more fails here. README, "The day benchmark", has the full day's figures.
#[test]
fn short_day_costs() {
    let (r, work) = short_day();
    let table = daybench::report::render(&r);
    let get = |name: &str| r.setups.iter().find(|s| s.setup == name).unwrap_or_else(|| panic!("{name}\n{table}"));
    let shipped = get("shipped");
    for s in &r.setups {
        // devteam's own record of the day is the stand-in's bill.
        let agree = (s.store_cost_usd - s.cost_usd).abs() <= 1e-6 + s.cost_usd * 1e-4;
        assert!(agree, "{}: store ${} against billed ${}\n{table}", s.setup, s.store_cost_usd, s.cost_usd);
    }
    assert!(r.floor_usd > 0.0 && shipped.cost_usd >= r.floor_usd, "the floor is a floor\n{table}");
    let share = shipped.share_of_unoptimized;
    assert!(share <= 0.05, "shipped is {:.1} % of unoptimized\n{table}", share * 100.0);
    // Planning, routing, caching and the warm-cache cron line pay (or cost the same) when
    // switched off alone. Routing pays only because quality is held equal: all-Sonnet sends the
    // opus task to Sonnet, which declines it, and the upgrade costs more than routing it right.
    // Caching pays by 0.5 % on this short morning (its one Opus call writes an hour's entry that
    // nothing reads); on the full day it saves a quarter (README).
    for name in ["no-planning", "no-routing", "no-caching", "no-warm-cache"] {
        assert!(get(name).cost_usd >= shipped.cost_usd - 1e-9, "{name} is cheaper than shipped\n{table}");
    }
    let warm_ups = shipped.stages.get("warm-ups").map_or(0, |s| s.calls);
    assert!(warm_ups > 0, "shipped runs warm-cache on its cron line\n{table}");
    // (Shared context and the restructured library cost more than they save on this morning:
    // the library as written $0.1933 and the context pasted into each task $0.2032, against
    // $0.2050; on the full day they cost 20 % and 3 % more than shipped.)
    assert_eq!((shipped.declined_calls, shipped.failed_tasks), (0, 0), "shipped routes nothing too low\n{table}");
    assert_eq!(get("no-routing").declined_calls, 1, "sonnet declines the opus task\n{table}");
    // Ratchet: the bar is 1.3x (1.34x measured on the shipped defaults, embeddings on).
    assert!(shipped.ratio_to_floor <= 1.35, "shipped is {:.2}x the floor\n{table}", shipped.ratio_to_floor);
    // Ratchets (the bar is 90 %): Sonnet and Haiku read the foundation across tasks (66 % and
    // 71 % measured); the morning's one Opus task has nothing to read. Haiku's foundation is
    // extended to its minimum with the team directory, Sonnet's is not (it reaches Sonnet's
    // minimum as written): Sonnet reads fewer tokens, at a lower hit rate and a lower cost
    // (72 % when every model was sent the extended foundation, the day $0.2218).
    let hit = |family: &str| shipped.models.iter().find(|(m, _)| m.contains(family)).map(|(_, f)| f.cache_hit_rate);
    for (family, at_least) in [("sonnet", 0.66), ("haiku", 0.70)] {
        let rate = hit(family);
        assert!(rate.is_some_and(|h| h >= at_least), "{family} hit rate {rate:?}\n{table}");
    }
    // The store's own account of what was saved, discovery included, is the day's.
    let unoptimized = get("unoptimized").cost_usd;
    let saved = summary_saving(&work.path().join("shipped.db"));
    let day = unoptimized - shipped.cost_usd;
    assert!((saved - day).abs() <= 0.01 * day, "usage summary saved ${saved:.4}, the day ${day:.4}\n{table}");
}

/// `usage summary --json`'s total saving over a store. The day is stamped on the stand-in's
/// clock, which runs ahead of the wall clock by the day's offsets (up to a day): the summary is
/// read two days on, so that it counts the whole day.
fn summary_saving(db: &Path) -> f64 {
    let after_the_day = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(48);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_devteam"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", db.with_extension("home"))
        .arg("--db")
        .arg(db)
        .args(["--now", &after_the_day.to_string(), "--json", "usage", "summary"])
        .output()
        .expect("usage summary runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("summary json");
    v["savings"]["saved_usd"].as_f64().expect("saved_usd")
}

#[test]
fn a_config_file_reaches_the_shipped_set_up() {
    // `--config FILE` (here 5-minute entries only) is what the shipped set-up runs with, so
    // the day's cost after `usage suggest --apply` can be measured.
    let day = |config: Option<&'static str>| {
        let work = tempfile::tempdir().expect("tempdir");
        let report = short_day_on(work.path(), &["shipped"], config, None);
        let written = std::fs::read_to_string(work.path().join("shipped.yaml")).ok();
        (report.setups[0].models.clone(), written)
    };
    let (plain, none) = day(None);
    let (five, written) = day(Some("cache-strategy: 5m\n"));
    assert_eq!((none, written.as_deref()), (None, Some("cache-strategy: 5m\n")));
    let writes_1h = |m: &std::collections::BTreeMap<String, daybench::measure::ModelFigures>| {
        m.values().map(|f| f.tokens.cache_write_1h).sum::<u64>()
    };
    assert!(writes_1h(&plain) > 0, "shipped's mixed strategy writes shared blocks for an hour");
    assert_eq!(writes_1h(&five), 0, "the config's 5-minute strategy was used");
}

#[test]
fn the_after_suggest_and_ab_set_ups_run_through_the_real_commands() {
    // One short day with shipped, after-suggest and an A/B test: the suggestions are applied to
    // a copy of shipped's store and the day replayed; every task of the A/B day lands on a
    // variant, and `ab report` reads them back from the store.
    let root = repo();
    let work = tempfile::tempdir().expect("tempdir");
    let ab = daybench::learning::AbOptions {
        name: "tiers".into(),
        variants: vec!["control=".into(), "cheap=tier-thresholds.sonnet=9.5,tier-thresholds.opus=9.9".into()],
        split: None,
    };
    let report = short_day_on(work.path(), &["shipped", "after-suggest"], None, Some(ab));
    let names: Vec<&str> = report.setups.iter().map(|s| s.setup.as_str()).collect();
    assert_eq!(names, ["shipped", "after-suggest", "ab"]);
    let shipped = report.setups[0].cost_usd;
    let suggest = report.suggest.as_ref().expect("after-suggest reports its suggestions");
    assert!((suggest.before_usd - shipped).abs() < 1e-9, "the day before is shipped's day");
    assert!((suggest.after_usd - report.setups[1].cost_usd).abs() < 1e-9, "the day after is the set-up's");
    assert!((suggest.replay_saved_usd - (suggest.before_usd - suggest.after_usd)).abs() < 1e-9);
    let ab = report.ab.as_ref().expect("the ab set-up reports");
    let runs: u64 =
        ab.report["variants"].as_array().expect("variants").iter().map(|v| v["runs"].as_u64().unwrap_or(0)).sum();
    let tasks =
        daybench::workload::Workload::load(&root.join("fixtures/workload/short.yaml")).expect("workload").tasks.len();
    assert_eq!(runs as usize, tasks, "every task of the A/B day ran on a variant");
    let text = daybench::learning::render(report.suggest.as_ref(), report.ab.as_ref());
    assert!(text.contains("after --apply") && text.contains("A/B test tiers"), "{text}");
}
