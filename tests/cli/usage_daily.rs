//! `usage daily`: totals per day and model from imported Claude Code logs, the ccusage-shaped
//! JSON (pinned by mirror structs), time zones, filters, CSV and table output, and, with the
//! log generator the benchmark uses, the generator's ground truth.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::claude_logs;
use crate::common::{TestEnv, json, repo, stderr, stdout};
use crate::usage_import::import;

/// `ccusage claude daily --json` (20.0.24), field for field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Daily {
    daily: Vec<Day>,
    totals: Totals,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Day {
    date: String,
    input_tokens: u64,
    output_tokens: u64,
    cache_creation_tokens: u64,
    cache_read_tokens: u64,
    total_tokens: u64,
    total_cost: f64,
    models_used: Vec<String>,
    model_breakdowns: Vec<Breakdown>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[expect(dead_code)]
struct Breakdown {
    model_name: String,
    input_tokens: u64,
    output_tokens: u64,
    cache_creation_tokens: u64,
    cache_read_tokens: u64,
    cost: f64,
    #[serde(default)]
    missing_pricing: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[expect(dead_code)]
struct Totals {
    input_tokens: u64,
    output_tokens: u64,
    cache_creation_tokens: u64,
    cache_read_tokens: u64,
    total_tokens: u64,
    total_cost: f64,
    #[serde(default)]
    unpriced_models: Vec<String>,
}

/// `usage daily --json` with extra arguments, as a JSON value.
pub fn daily(env: &TestEnv, args: &[&str]) -> Value {
    json(env.cmd().args(["--json", "usage", "daily"]).args(args))
}

fn imported() -> TestEnv {
    let env = TestEnv::new();
    let config = env.path().join("claude");
    claude_logs::write(&config);
    import(&env, &[config.as_os_str()]);
    env
}

#[test]
fn daily_totals_are_the_sums_of_the_surviving_calls_in_ccusage_shape() {
    let env = imported();
    let report: Daily = json(env.cmd().args(["--json", "usage", "daily", "--source", "claude-code"]));
    let mut want: BTreeMap<&str, (u64, u64, u64, u64)> = BTreeMap::new();
    for u in claude_logs::winners() {
        let day = want.entry(&u.ts[..10]).or_default();
        *day = (day.0 + u.input, day.1 + u.output, day.2 + u.total_cache_write(), day.3 + u.cache_read);
    }
    let got: BTreeMap<&str, (u64, u64, u64, u64)> = report
        .daily
        .iter()
        .map(|d| (d.date.as_str(), (d.input_tokens, d.output_tokens, d.cache_creation_tokens, d.cache_read_tokens)))
        .collect();
    assert_eq!(got, want);
    let day1 = &report.daily[0];
    assert_eq!(
        day1.total_tokens,
        claude_logs::winners().iter().filter(|u| u.ts.starts_with("2026-05-01")).map(|u| u.total()).sum::<u64>()
    );
    // m1 on Sonnet 4.5: 5 in, 200 out, 100 5m writes, 1000 1h writes, 5000 reads.
    let sonnet = day1.model_breakdowns.iter().find(|b| b.model_name.starts_with("claude-sonnet")).unwrap();
    let expected = (5.0 * 3.0 + 200.0 * 15.0 + 100.0 * 3.75 + 1000.0 * 6.0 + 5000.0 * 0.30) / 1e6;
    assert!((sonnet.cost - expected).abs() < 1e-6, "{} vs {expected}", sonnet.cost);
    assert!(!sonnet.missing_pricing);
    assert_eq!(day1.models_used.len(), 2, "<synthetic> is not a model: {:?}", day1.models_used);
    let sum_cost: f64 = report.daily.iter().map(|d| d.total_cost).sum();
    assert!((report.totals.total_cost - sum_cost).abs() < 1e-9);
    assert_eq!(report.totals.total_tokens, claude_logs::winners().iter().map(|u| u.total()).sum::<u64>());
    assert!(report.totals.unpriced_models.is_empty());
}

#[test]
fn the_timezone_moves_the_day_boundary_and_filters_apply() {
    let env = imported();
    let utc = daily(&env, &["--source", "claude-code"]);
    let tokyo = daily(&env, &["--source", "claude-code", "--timezone", "Asia/Tokyo"]);
    let dates = |v: &Value| {
        v["daily"].as_array().unwrap().iter().map(|d| d["date"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(dates(&utc), vec!["2026-05-01", "2026-05-02"]);
    // m6 at 23:30 UTC on May 2 is May 3 in Tokyo.
    assert_eq!(dates(&tokyo), vec!["2026-05-01", "2026-05-02", "2026-05-03"]);
    assert_eq!(utc["totals"], tokyo["totals"]);
    let from_env: Value = json(env.cmd().env("DEVTEAM_TIMEZONE", "Asia/Tokyo").args(["--json", "usage", "daily"]));
    assert_eq!(dates(&from_env), dates(&tokyo));
    let b = daily(&env, &["--project", "-home-dev-b"]);
    assert_eq!(b["totals"]["outputTokens"], claude_logs::m6().output);
    let none = daily(&env, &["--source", "devteam"]);
    assert_eq!(none["daily"].as_array().unwrap().len(), 0);
    let until = daily(&env, &["--until", "20260501"]);
    assert_eq!(dates(&until), vec!["2026-05-01"]);
}

#[test]
fn table_and_csv_show_the_same_days() {
    let env = imported();
    let out = env.cmd().args(["usage", "daily"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(table.contains("2026-05-01") && table.contains("total"), "{table}");
    assert!(table.contains("claude-opus-4-5-20251101"), "{table}");
    let csv = stdout(&env.cmd().args(["usage", "daily", "--csv"]).output().unwrap());
    let rows: Vec<&str> = csv.lines().collect();
    assert!(rows[0].starts_with("date,models,input_tokens"), "{csv}");
    assert_eq!(rows.len(), 3);
    assert!(rows[2].starts_with("2026-05-02,claude-opus-4-5-20251101;claude-sonnet-4-5-20250929,"), "{csv}");
}

#[test]
fn bad_dates_and_zones_are_refused() {
    let env = imported();
    for args in [
        &["--since", "yesterday"][..],
        &["--timezone", "Mars/Base"],
        &["--since", "2026-05-03", "--until", "2026-05-01"],
    ] {
        let out = env.cmd().args(["usage", "daily"]).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
    let out = env.cmd().args(["--json", "usage", "daily", "--csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_benchmark_generator_and_the_import_agree_on_every_day() {
    let env = TestEnv::new();
    let logs = env.path().join("gen");
    let out = std::process::Command::new("python3")
        .arg(repo().join("scripts/gen_claude_logs.py"))
        .arg(&logs)
        .args(["--lines", "3000", "--days", "4", "--seed", "11"])
        .output()
        .expect("python3 runs the log generator");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = import(&env, &[logs.as_os_str()]);
    assert!(r.duplicate_lines > 0 && r.malformed_lines + r.invalid_lines > 0, "{r:?}");
    let got = daily(&env, &["--source", "claude-code"]);
    let truth: Value = serde_json::from_str(&std::fs::read_to_string(logs.join("expected.json")).unwrap()).unwrap();
    let (got_days, want_days) = (got["daily"].as_array().unwrap(), truth["daily"].as_array().unwrap());
    assert_eq!(got_days.len(), want_days.len());
    for (g, w) in got_days.iter().zip(want_days) {
        for key in ["date", "inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens", "totalTokens"] {
            assert_eq!(g[key], w[key], "{key} on {}", w["date"]);
        }
        // Costs are stored per call in micro-dollars: at most half a micro-dollar off per call.
        let calls = r.calls_added as f64;
        let diff = (g["totalCost"].as_f64().unwrap() - w["totalCost"].as_f64().unwrap()).abs();
        assert!(diff <= calls * 0.5e-6, "cost on {}: {diff}", w["date"]);
    }
}
