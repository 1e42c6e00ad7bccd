//! `devteam ab start|report|stop|list`: A/B tests of settings.

use anyhow::Result;

use crate::ab::{AbTest, report, variant};
use crate::cli::{AbCommand, AbNameArgs, AbReportArgs, AbStartArgs, CostTestArg};
use crate::context::Context;
use crate::error::{ExitStatus, UserError};

pub fn run(command: AbCommand, ctx: &Context) -> Result<ExitStatus> {
    match command {
        AbCommand::Start(args) => start(&args, ctx),
        AbCommand::Report(args) => show(&args, ctx),
        AbCommand::Stop(args) => stop(&args, ctx),
        AbCommand::List => list(ctx),
    }
}

fn start(args: &AbStartArgs, ctx: &Context) -> Result<ExitStatus> {
    let mut variants =
        args.variants.iter().map(|v| variant::parse(v)).collect::<Result<Vec<_>, _>>().map_err(UserError::new)?;
    if variants.len() < 2 {
        return Err(UserError::new("an A/B test needs at least two --variant").into());
    }
    let mut keys: Vec<&str> = variants.iter().map(|v| v.key.as_str()).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        return Err(UserError::new("two variants share a key").into());
    }
    if let Some(split) = &args.split {
        variant::split(&mut variants, split).map_err(UserError::new)?;
    }
    if !(args.alpha > 0.0 && args.alpha < 0.5) {
        return Err(UserError::new(format!("--alpha {}: must be above 0 and below 0.5", args.alpha)).into());
    }
    // Every variant must make valid settings now, not fail runs later.
    for v in &variants {
        variant::apply(v, ctx.settings.clone()).map_err(UserError::new)?;
    }
    let store = ctx.store()?;
    if let Some(active) = store.ab_active()? {
        return Err(UserError::new(format!(
            "A/B test {:?} is running; `devteam ab stop {}` first",
            active.name, active.name
        ))
        .into());
    }
    let test = AbTest {
        name: args.name.clone(),
        started_ms: ctx.clock.now_ms(),
        stopped_ms: None,
        alpha: args.alpha,
        variants,
    };
    if !store.ab_start(&test)? {
        return Err(UserError::new(format!("an A/B test named {:?} exists; choose another name", test.name)).into());
    }
    if ctx.printer.json_mode() {
        ctx.printer.json(&test)?;
    } else {
        let split: Vec<String> = test.variants.iter().map(|v| format!("{} {}", v.key, v.weight)).collect();
        ctx.printer.stdout_line(&format!(
            "started A/B test {} (split {}, alpha {})",
            test.name,
            split.join(" : "),
            test.alpha
        ))?;
    }
    Ok(ExitStatus::Success)
}

fn find(ctx: &Context, name: &str) -> Result<AbTest> {
    ctx.store()?
        .ab_tests()?
        .into_iter()
        .find(|t| t.name == name)
        .ok_or_else(|| UserError::new(format!("no A/B test {name:?} (`devteam ab list` shows them)")).into())
}

fn show(args: &AbReportArgs, ctx: &Context) -> Result<ExitStatus> {
    let test = find(ctx, &args.name)?;
    let runs = ctx.store()?.ab_runs(&test.name)?;
    let keys: Vec<String> = test.variants.iter().map(|v| v.key.clone()).collect();
    let cost_test = match args.cost_test {
        CostTestArg::Welch => report::CostTest::Welch,
        CostTestArg::Bootstrap => report::CostTest::Bootstrap,
    };
    let r = report::report_with(&test.name, test.alpha, test.stopped_ms.is_none(), &keys, &runs, cost_test);
    let p = &ctx.printer;
    if p.json_mode() {
        p.json(&r)?;
        return Ok(ExitStatus::Success);
    }
    let mut t = p.new_table(&["variant", "runs", "cost/task", "success", "upgraded", "latency"]);
    for v in &r.variants {
        t.add_row(vec![
            v.key.clone(),
            v.runs.to_string(),
            format!("${:.4}", v.cost_per_task_usd),
            format!("{:.0} %", v.success_rate * 100.0),
            format!("{:.0} %", v.upgrade_rate * 100.0),
            format!("{:.1} s", v.latency_ms / 1000.0),
        ]);
    }
    p.table(&t)?;
    let pv = |x: Option<f64>| x.map_or("n/a".to_string(), |x| format!("{x:.3}"));
    for c in &r.comparisons {
        p.stdout_line(&format!(
            "{} vs {}: p(cost, {}) {}, p(success) {}, p(upgrades) {}, p(latency) {}; confidence {:.1} %: {} at alpha {}",
            c.key,
            c.against,
            if c.cost_test == report::CostTest::Bootstrap { "bootstrap" } else { "Welch" },
            pv(c.cost_p),
            pv(c.success_p),
            pv(c.upgrade_p),
            pv(c.latency_p),
            c.confidence * 100.0,
            c.verdict,
            r.alpha
        ))?;
        match &c.recommendation {
            Some(rec) => p.stdout_line(&format!("  recommend {rec}"))?,
            None => p.stdout_line("  no recommendation yet: keep the test running")?,
        }
    }
    Ok(ExitStatus::Success)
}

fn stop(args: &AbNameArgs, ctx: &Context) -> Result<ExitStatus> {
    find(ctx, &args.name)?;
    let stopped = ctx.store()?.ab_stop(&args.name, ctx.clock.now_ms())?;
    let line = if stopped { "stopped" } else { "was already stopped" };
    ctx.printer
        .stdout_line(&format!("A/B test {} {line}; `devteam ab report {}` still shows it", args.name, args.name))?;
    Ok(ExitStatus::Success)
}

fn list(ctx: &Context) -> Result<ExitStatus> {
    let tests = ctx.store()?.ab_tests()?;
    let p = &ctx.printer;
    if p.json_mode() {
        p.json(&tests)?;
        return Ok(ExitStatus::Success);
    }
    let mut t = p.new_table(&["test", "state", "variants", "alpha"]);
    for test in &tests {
        let keys: Vec<&str> = test.variants.iter().map(|v| v.key.as_str()).collect();
        let state = if test.stopped_ms.is_some() { "stopped" } else { "running" };
        t.add_row(vec![test.name.clone(), state.into(), keys.join(", "), test.alpha.to_string()]);
    }
    p.table(&t)?;
    Ok(ExitStatus::Success)
}
