//! `cargo bench --bench day -- [WORKLOAD] [--json] [--only SETUP,...] [--keep DIR] [--config FILE]
//! [--ab NAME --variant KEY=SETTINGS... [--split W,W]]`: replays a working day
//! (default `fixtures/workload/day.yaml`) on every set-up through the real `devteam` binary
//! against the stand-in, and prints the day's economics. See the README, "The day benchmark".

mod daybench;

use std::path::{Path, PathBuf};

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench day: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (mut workload, mut json, mut only, mut keep, mut config) = (None, false, Vec::new(), None, None);
    let mut ab: Option<daybench::learning::AbOptions> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--bench" => {}
            "--json" => json = true,
            "--only" => only = args.next().unwrap_or_default().split(',').map(str::to_string).collect(),
            "--keep" => keep = args.next().map(PathBuf::from),
            // A config file for the shipped set-up, e.g. what `usage suggest --apply` wrote.
            "--config" => config = args.next().map(PathBuf::from),
            // The `ab` set-up: `ab start NAME --variant ... [--split ...]` in its store.
            "--ab" => ab.get_or_insert_with(Default::default).name = args.next().unwrap_or_default(),
            "--variant" => ab.get_or_insert_with(Default::default).variants.push(args.next().unwrap_or_default()),
            "--split" => ab.get_or_insert_with(Default::default).split = args.next(),
            other if other.starts_with("--") => anyhow::bail!("unknown option {other}"),
            path => workload = Some(PathBuf::from(path)),
        }
    }
    if let Some(ab) = &ab
        && (ab.name.is_empty() || ab.variants.is_empty())
    {
        anyhow::bail!("--ab NAME needs at least one --variant KEY=SETTINGS (and --variant needs --ab)");
    }
    let workload = workload.unwrap_or_else(|| root.join("fixtures/workload/day.yaml"));
    let tmp = tempfile::tempdir()?;
    let work = match &keep {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            dir.clone()
        }
        None => tmp.path().to_path_buf(),
    };
    let progress = |s: &str| eprintln!("bench day: {s}");
    // Read once and kept for the whole (one-shot) process, as the set-ups' own configs are.
    let shipped_config = match &config {
        Some(path) => Some(&*std::fs::read_to_string(path)?.leak()),
        None => None,
    };
    let options = daybench::Options {
        devteam: Path::new(env!("CARGO_BIN_EXE_devteam")),
        workload: &workload,
        agents: &root.join("fixtures/agents"),
        prices: &root.join("data/models.yaml"),
        work: &work,
        only,
        shipped_config,
        ab,
        progress: &progress,
    };
    let report = daybench::run(&options)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", daybench::report::render(&report));
        print!("{}", daybench::learning::render(report.suggest.as_ref(), report.ab.as_ref()));
    }
    Ok(())
}
