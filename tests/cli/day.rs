//! The day benchmark's short day as a deterministic cost test: the stand-in bills by fixed rules
//! and answers from the workload, so a day's costs are figures, not timings, and can be asserted.
//! The full day is `cargo bench --bench day` (README, "The day benchmark").

#[path = "../../benches/day/daybench/mod.rs"]
mod daybench;

use std::path::Path;

use super::common::repo;

fn short_day() -> daybench::DayReport {
    let work = tempfile::tempdir().expect("tempdir");
    let root = repo();
    let options = daybench::Options {
        devteam: Path::new(env!("CARGO_BIN_EXE_devteam")),
        workload: &root.join("fixtures/workload/short.yaml"),
        agents: &root.join("fixtures/agents"),
        prices: &root.join("data/models.yaml"),
        work: work.path(),
        only: vec![],
        progress: &|_| {},
    };
    daybench::run(&options).expect("the short day replays")
}

#[test]
fn short_day_meets_the_bar() {
    let r = short_day();
    let table = daybench::report::render(&r);
    let get = |name: &str| r.setups.iter().find(|s| s.setup == name).unwrap_or_else(|| panic!("{name}\n{table}"));
    let shipped = get("shipped");
    for s in &r.setups {
        // devteam's own record of the day is the stand-in's bill.
        assert!(
            (s.store_cost_usd - s.cost_usd).abs() <= 1e-6 + s.cost_usd * 1e-4,
            "{}: store disagrees\n{table}",
            s.setup
        );
    }
    assert!(r.floor_usd > 0.0, "{table}");
    assert!(shipped.ratio_to_floor <= 1.3, "shipped is {:.2}x the floor\n{table}", shipped.ratio_to_floor);
    assert!(
        shipped.share_of_unoptimized <= 0.05,
        "shipped is {:.1} % of unoptimized\n{table}",
        shipped.share_of_unoptimized * 100.0
    );
    for (model, m) in &shipped.models {
        assert!(m.cache_hit_rate >= 0.9, "{model}: hit rate {:.1} %\n{table}", m.cache_hit_rate * 100.0);
    }
    for s in r.setups.iter().filter(|s| s.setup.starts_with("no-")) {
        assert!(s.cost_usd >= shipped.cost_usd - 1e-9, "{} is cheaper than shipped\n{table}", s.setup);
    }
}
