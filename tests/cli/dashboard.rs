//! The dashboard in a real browser: headless Chromium loads the page from a file and the test
//! reads the DOM after the page's script ran, so "the charts drew" is observed, not assumed.
//!
//! Needs Debian's `chromium` (`apt-get install -y chromium`; `.ci/run` installs it). Without
//! it the test prints a skip line, or fails under DEVTEAM_TEST_STRICT=1 (as CI runs it).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{TestEnv, prerequisite, stderr};
use crate::usage::{Seed, seeded_store};

/// Charts the page draws, by their `data-chart` names.
const CHARTS: [&str; 8] = ["spend", "models", "mix", "agents", "cache", "savings", "stages", "tasks"];

fn chromium() -> Option<PathBuf> {
    let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

/// Runs Chromium headless with no network features, giving up after a minute.
fn run_chromium(bin: &Path, profile: &Path, args: &[String]) -> String {
    let mut child = Command::new(bin)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let start = Instant::now();
    while child.try_wait().expect("wait for chromium").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().ok();
            panic!("chromium did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("chromium output");
    assert!(out.status.success(), "chromium failed: {:?}", out.status);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Three weeks of calls over three models, five agents and eight tasks, and a daily budget.
fn seeds() -> Vec<Seed<'static>> {
    let models = ["claude-haiku-4-5", "claude-sonnet-4-6", "claude-opus-4-6"];
    let agents = ["frontend", "backend", "reviewer", "tester", "writer"];
    let tasks = ["checkout", "login", "search", "billing", "export", "upload", "audit", "settings"];
    (0..21 * 6)
        .map(|i: i64| {
            let hours = i * 4 + 1;
            let n = i as usize;
            let tokens = [500 + (i % 7) * 100, 300 + (i % 5) * 50, (i % 3) * 1000, 0, 4000 + (i % 4) * 1000];
            (hours, "devteam", "web", agents[n % 5], tasks[n % 8], models[n % 3], tokens, 5_000 + (i % 9) * 1_000)
        })
        .collect()
}

#[test]
fn the_dashboard_renders_every_chart_in_headless_chromium() {
    let missing = "Chromium is not installed (`apt-get update && apt-get install -y chromium`)";
    let Some(bin) = prerequisite(chromium(), "the_dashboard_renders_every_chart_in_headless_chromium", missing) else {
        return;
    };
    let env = TestEnv::new();
    let db = seeded_store(&env, &seeds(), &[("", "daily", 40_000)]);
    let page = env.path().join("dashboard.html");
    let out = env
        .cmd()
        .arg("--db")
        .arg(&db)
        .args(["usage", "report", "--timezone", "UTC", "--html"])
        .arg(&page)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let url = format!("file://{}", page.display());
    let profile = env.path().join("chromium-profile");
    let dom = run_chromium(&bin, &profile, &["--dump-dom".into(), url.clone()]);

    let body = dom.split("<body").nth(1).and_then(|b| b.split('>').next()).expect("a body tag");
    assert!(body.contains(&format!("data-rendered=\"{}\"", CHARTS.len())), "body: {body}");
    assert!(!body.contains("data-errors"), "a chart failed: {body}");
    for name in CHARTS {
        let chart = dom
            .split(&format!("data-chart=\"{name}\""))
            .nth(1)
            .and_then(|rest| rest.split("</svg>").next())
            .unwrap_or_else(|| panic!("no {name} chart in the DOM"));
        // Gridlines are bare `M x,y H x`; bars close (`Z`), lines join (`L`), arcs bend (`A`).
        let marks = chart
            .split("<path d=\"")
            .skip(1)
            .filter_map(|p| p.split('"').next())
            .filter(|d| d.starts_with('M') && d.contains(['Z', 'L', 'A']))
            .count();
        assert!(marks > 0, "the {name} chart drew no marks");
    }
    assert!(dom.contains("class=\"budget\""), "the daily budget line is missing");

    let shot = env.path().join("dashboard.png");
    run_chromium(
        &bin,
        &profile,
        &[
            "--hide-scrollbars".into(),
            "--window-size=1280,1600".into(),
            format!("--screenshot={}", shot.display()),
            url,
        ],
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "screenshot of {} bytes", png.len());
}
