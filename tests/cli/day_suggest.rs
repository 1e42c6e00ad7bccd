//! `usage suggest --apply` on the day benchmark's short day: what it applies never makes the day
//! cost more than shipped, and it proposes 1-hour cache entries exactly when they pay. The stand-in
//! bills by fixed rules, so both are figures and can be asserted (README, "The day benchmark").

use super::day::daybench;

/// The short day on the set-ups named.
fn short_day(only: &[&str]) -> daybench::DayReport {
    let work = tempfile::tempdir().expect("tempdir");
    super::day::short_day_on(work.path(), only, None, None)
}

#[test]
fn after_suggest_never_costs_more_than_shipped_on_the_short_day() {
    let r = short_day(&["shipped", "cache-1h", "after-suggest"]);
    let table = daybench::report::render(&r);
    let cost = |name: &str| r.setups.iter().find(|s| s.setup == name).map(|s| s.cost_usd).expect(name);
    let s = r.suggest.as_ref().expect("after-suggest reports its suggestions");
    let shown = serde_json::to_string_pretty(&s.suggest).unwrap_or_default();
    assert!((s.before_usd - cost("shipped")).abs() < 1e-9, "the day before is shipped's\n{table}");
    assert!(
        s.after_usd <= s.before_usd + 1e-9,
        "after --apply ${:.4} against shipped ${:.4}\n{shown}\n{table}",
        s.after_usd,
        s.before_usd
    );
    // `cache-strategy: 1h` changes every agent's entries: proposed if and only if the day on
    // 1-hour entries (the cache-1h set-up) costs less than shipped's.
    let proposes_1h =
        s.suggest["suggestions"].as_array().expect("suggestions").iter().any(|x| {
            x["edit"]["kind"] == "config" && x["edit"]["key"] == "cache-strategy" && x["edit"]["value"] == "1h"
        });
    let pays = cost("cache-1h") < cost("shipped");
    assert_eq!(
        proposes_1h,
        pays,
        "cache-1h ${:.4}, shipped ${:.4}\n{shown}\n{table}",
        cost("cache-1h"),
        cost("shipped")
    );
}
