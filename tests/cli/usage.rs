//! `usage summary`, `usage by`, `usage report` and `usage watch` on a seeded store: the JSON
//! contracts, CSV headers, and errors that name the bad value.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::common::{TestEnv, json, stderr, stdout};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
pub struct Scope {
    pub since: Option<String>,
    pub until: String,
    pub timezone: String,
    pub project: Option<String>,
    pub source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
pub struct Row {
    pub key: String,
    pub calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_write_5m_tokens: u64,
    pub cache_write_1h_tokens: u64,
    pub cache_read_tokens: u64,
    pub total_tokens: u64,
    pub cost_usd: f64,
    pub cost_share: f64,
    pub call_share: f64,
    pub token_share: f64,
    pub cache_hit_rate: Option<f64>,
    pub baseline_usd: f64,
    pub saved_usd: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
pub struct Cache {
    pub hit_rate: Option<f64>,
    pub cached_input_share: Option<f64>,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    pub fresh_input_tokens: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
pub struct Savings {
    pub baseline_model: String,
    pub baseline_usd: f64,
    pub actual_usd: f64,
    pub saved_usd: f64,
    pub saved_share: Option<f64>,
    pub routing_usd: f64,
    pub caching_usd: f64,
    pub batching_usd: f64,
    pub unattributed_usd: f64,
    pub discovery: Option<Discovery>,
    pub unpriced_models: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
pub struct Discovery {
    pub calls: u64,
    pub library_tokens: u64,
    pub saved_usd: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
pub struct Window {
    pub since: String,
    pub until: String,
    pub calls: u64,
    pub total_tokens: u64,
    pub cost_usd: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
pub struct Trend {
    pub label: String,
    pub current: Window,
    pub previous: Window,
    pub cost_change: Option<f64>,
    pub calls_change: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
pub struct Summary {
    pub scope: Scope,
    pub totals: Row,
    pub by_source: Vec<Row>,
    pub by_model: Vec<Row>,
    pub cache: Cache,
    pub savings: Savings,
    pub trend: Trend,
    pub notes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
struct By {
    dimension: String,
    scope: Scope,
    rows: Vec<Row>,
    omitted_rows: usize,
    totals: Row,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
struct Written {
    html: String,
    bytes: usize,
    calls: u64,
    cost_usd: f64,
    charts: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
struct Budget {
    project: Option<String>,
    window: String,
    limit_usd: Option<f64>,
    limit_tokens: Option<i64>,
    window_start: Option<String>,
    spent_usd: Option<f64>,
    spent_tokens: Option<u64>,
    used_share: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code)]
struct Live {
    at: String,
    timezone: String,
    project: Option<String>,
    source: Option<String>,
    windows: Vec<Row>,
    today_by_model: Vec<Row>,
    budgets: Vec<Budget>,
}

const HOUR_MS: i64 = 3_600_000;

/// One seeded call: hours before now, source, project, agent, task, model, tokens
/// `[input, output, cache write 5m, cache write 1h, cache read]`, recorded micro-dollars.
pub type Seed<'a> = (i64, &'a str, &'a str, &'a str, &'a str, &'a str, [i64; 5], i64);

/// A store created by the binary (so it has the real schema), with `calls` inserted.
pub fn seeded_store(env: &TestEnv, calls: &[Seed], budgets: &[(&str, &str, i64)]) -> PathBuf {
    let db = env.path().join("usage.db");
    let out = env.cmd().arg("--db").arg(&db).args(["-q", "store", "init"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    for (hours, source, project, agent, task, model, t, cost) in calls {
        conn.execute(
            "INSERT INTO calls (ts_ms, source, project, task, agent, model, input_tokens, output_tokens,
             cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, cost_micros)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            rusqlite::params![
                now - hours * HOUR_MS,
                source,
                project,
                task,
                agent,
                model,
                t[0],
                t[1],
                t[2],
                t[3],
                t[4],
                cost
            ],
        )
        .unwrap();
    }
    for (project, window, limit) in budgets {
        conn.execute(
            "INSERT INTO budgets (project, window, limit_micros) VALUES (?1, ?2, ?3)",
            rusqlite::params![project, window, limit],
        )
        .unwrap();
    }
    db
}

/// Haiku with cache (recorded at haiku rates: 6,600 micro-dollars), a Claude Code Sonnet call
/// (18,000), and one call 10 days ago (100).
fn small(env: &TestEnv) -> PathBuf {
    seeded_store(
        env,
        &[
            (
                1,
                "devteam",
                "web",
                "frontend",
                "fix the checkout, fast",
                "claude-haiku-4-5",
                [1000, 500, 2000, 0, 6000],
                6_600,
            ),
            (30, "claude-code", "api", "", "", "claude-sonnet-4-6", [1000, 1000, 0, 0, 0], 18_000),
            (240, "devteam", "web", "frontend", "older task", "claude-haiku-4-5", [100, 0, 0, 0, 0], 100),
        ],
        &[("", "daily", 1_000_000)],
    )
}

fn usage(env: &TestEnv, db: &Path) -> assert_cmd::Command {
    let mut cmd = env.cmd();
    cmd.arg("--db").arg(db).arg("usage");
    cmd
}

#[test]
fn summary_json_pins_the_schema_and_the_math() {
    let env = TestEnv::new();
    let db = small(&env);
    let r: Summary = json(usage(&env, &db).args(["--json", "summary", "--timezone", "UTC"]));
    assert_eq!(r.totals.calls, 3);
    assert!((r.totals.cost_usd - 0.0247).abs() < 1e-9, "{}", r.totals.cost_usd);
    assert_eq!(r.cache.hit_rate, Some(0.75));
    assert_eq!(r.savings.baseline_model, crate::common::tier_model("sonnet"));
    // Baseline: (9,000 + 1,000 + 100) input tokens and 1,500 output at the sonnet tier's rates.
    let sonnet = crate::common::tier_rates("sonnet");
    let baseline = (10_100.0 * sonnet.input + 1_500.0 * sonnet.output) / 1e6;
    assert!((r.savings.baseline_usd - baseline).abs() < 1e-9, "{} against {baseline}", r.savings.baseline_usd);
    assert!(r.savings.discovery.is_none() && !r.notes.is_empty());
    assert_eq!((r.trend.current.calls, r.trend.previous.calls), (2, 1));
    assert_eq!(r.scope.timezone, "UTC");
    let r: Summary = json(usage(&env, &db).args(["--json", "summary", "--since", "2d", "--source", "devteam"]));
    assert_eq!((r.totals.calls, r.scope.source.as_deref()), (1, Some("devteam")));
}

#[test]
fn by_json_csv_and_tables() {
    let env = TestEnv::new();
    let db = small(&env);
    let r: By = json(usage(&env, &db).args(["--json", "by", "agent"]));
    let keys: Vec<&str> = r.rows.iter().map(|x| x.key.as_str()).collect();
    assert_eq!((r.dimension.as_str(), keys), ("agent", vec!["(none)", "frontend"]));
    let r: By = json(usage(&env, &db).args(["--json", "by", "day", "--timezone", "UTC", "--project", "web"]));
    assert_eq!((r.rows.len(), r.totals.calls), (2, 2));
    let out = usage(&env, &db).args(["by", "task", "--csv"]).output().unwrap();
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "task,calls,input_tokens,output_tokens,cache_write_5m_tokens,cache_write_1h_tokens,cache_read_tokens,\
             total_tokens,cost_usd,cost_share,cache_hit_rate,baseline_usd,saved_usd"
        )
    );
    assert!(text.contains("\"fix the checkout, fast\",1,1000,500,2000,0,6000,9500,0.006600"), "{text}");
    let out = usage(&env, &db).args(["summary", "--csv"]).output().unwrap();
    assert!(stdout(&out).starts_with("source,calls,"));
    assert!(stdout(&out).lines().last().unwrap().starts_with("total,3,"));
    let out = usage(&env, &db).args(["by", "model"]).output().unwrap();
    assert!(out.status.success() && stdout(&out).contains("claude-haiku-4-5"), "{}", stderr(&out));
}

#[test]
fn bad_periods_name_the_value_and_exit_2() {
    let env = TestEnv::new();
    let db = small(&env);
    for (flag, value) in [("--since", "7x"), ("--until", "2026-02-30"), ("--since", "last tuesday")] {
        let out = usage(&env, &db).args(["summary", flag, value]).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(err.contains(flag) && err.contains(&format!("{value:?}")) && !err.contains("panicked"), "{err}");
    }
    let out = usage(&env, &db).args(["summary", "--timezone", "Mars/Base"]).output().unwrap();
    assert!(out.status.code() == Some(2) && stderr(&out).contains("Mars/Base"));
    let out = usage(&env, &db).args(["--json", "by", "model", "--csv"]).output().unwrap();
    assert!(out.status.code() == Some(2) && stderr(&out).contains("--csv"));
}

#[test]
fn report_writes_one_page_and_watch_prints_once_without_a_terminal() {
    let env = TestEnv::new();
    let db = small(&env);
    let page = env.path().join("out/dash.html");
    std::fs::create_dir_all(page.parent().unwrap()).unwrap();
    let w: Written = json(usage(&env, &db).args(["--json", "report", "--html"]).arg(&page));
    assert_eq!((w.calls, w.charts), (3, 8));
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html.len(), w.bytes);
    assert!(html.contains("\"models\":[\"claude-sonnet-4-6\",\"claude-haiku-4-5\"]"));
    // Not a terminal: one view, then exit.
    let out = usage(&env, &db)
        .args(["watch", "--interval", "1"])
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("last hour") && stdout(&out).contains("mode in force"), "{}", stdout(&out));
    let live: Live = json(usage(&env, &db).args(["--json", "watch", "--once", "--timezone", "UTC"]));
    let windows: Vec<(&str, u64)> = live.windows.iter().map(|w| (w.key.as_str(), w.calls)).collect();
    assert_eq!(windows[0], ("last hour", 0));
    assert_eq!(windows[2], ("last 7 days", 2));
    assert_eq!((live.budgets.len(), live.budgets[0].window.as_str()), (1, "daily"));
}

#[test]
fn an_empty_store_reports_nothing_spent() {
    let env = TestEnv::new();
    let db = seeded_store(&env, &[], &[]);
    let r: Summary = json(usage(&env, &db).args(["--json", "summary"]));
    assert_eq!((r.totals.calls, r.totals.cost_usd, r.cache.hit_rate), (0, 0.0, None));
    let r: By = json(usage(&env, &db).args(["--json", "by", "week"]));
    assert!(r.rows.is_empty());
}
