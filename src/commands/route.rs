//! `devteam route learn`: what stored outcomes say about the router, and `--apply`/`--reset`.

use anyhow::Result;
use serde::Serialize;

use crate::cli::{RouteCommand, RouteLearnArgs};
use crate::context::Context;
use crate::error::ExitStatus;
use crate::learn::propose::{self, Policy, Proposal};
use crate::learn::settings as learned_file;

/// The `--json` report.
#[derive(Debug, Serialize)]
pub struct LearnReport {
    #[serde(flatten)]
    pub proposal: Option<Proposal>,
    /// The learned-weights file.
    pub file: String,
    /// `proposed`, `applied`, `unchanged` (nothing to apply) or `reset`.
    pub action: &'static str,
    pub backup: Option<String>,
}

pub fn run(command: RouteCommand, ctx: &Context) -> Result<ExitStatus> {
    match command {
        RouteCommand::Learn(args) => learn(&args, ctx),
    }
}

fn learn(args: &RouteLearnArgs, ctx: &Context) -> Result<ExitStatus> {
    let path = &ctx.settings.routing.learned_path;
    if args.reset {
        let backup = learned_file::reset(path)?;
        let report =
            LearnReport { proposal: None, file: path.display().to_string(), action: "reset", backup: shown(&backup) };
        return print(ctx, &report);
    }
    let now = ctx.clock.now_ms();
    let since = now - i64::from(args.days) * 86_400_000;
    let rows = ctx.store()?.routing_outcomes(since)?;
    let policy = Policy { min_decisions: args.min_evidence.max(1), ..Policy::default() };
    let proposal = propose::propose(&rows, ctx.settings.routing.thresholds, policy, now);
    let (action, backup) = match (args.apply, proposal.adjustments.is_empty()) {
        (false, _) => ("proposed", None),
        (true, true) => ("unchanged", None),
        (true, false) => ("applied", learned_file::write(path, &propose::as_learned(&proposal, now))?),
    };
    print(
        ctx,
        &LearnReport { proposal: Some(proposal), file: path.display().to_string(), action, backup: shown(&backup) },
    )
}

fn shown(p: &Option<std::path::PathBuf>) -> Option<String> {
    p.as_ref().map(|p| p.display().to_string())
}

fn print(ctx: &Context, r: &LearnReport) -> Result<ExitStatus> {
    let p = &ctx.printer;
    if p.json_mode() {
        p.json(r)?;
        return Ok(ExitStatus::Success);
    }
    if let Some(proposal) = &r.proposal {
        p.stdout_line(&format!("{} routing decisions, {} with a usable outcome", proposal.decisions, proposal.usable))?;
        if !proposal.features.is_empty() {
            let mut t = p.new_table(&["feature", "haiku (n/too low)", "sonnet", "opus", "change", "why"]);
            for f in &proposal.features {
                let cell = |(n, low): (usize, usize)| format!("{n}/{low}");
                let change = if f.points == 0.0 { "-".to_string() } else { format!("{:+.2}", f.points) };
                t.add_row(vec![f.feature.clone(), cell(f.haiku), cell(f.sonnet), cell(f.opus), change, f.why.clone()]);
            }
            p.table(&t)?;
        }
        if let Some(why) = &proposal.why_none {
            p.stdout_line(&format!("no change: {why}"))?;
        } else {
            let e = &proposal.effect;
            p.stdout_line(&format!(
                "on the past outcomes: {} task(s) would move up ({} of them had needed it), {} down ({} of them had needed more)",
                e.up, e.up_needed, e.down, e.down_were_too_low
            ))?;
        }
    }
    let line = match r.action {
        "proposed" if r.proposal.as_ref().is_some_and(|p| !p.adjustments.is_empty()) => {
            format!("not applied: `devteam route learn --apply` writes {}", r.file)
        }
        "proposed" | "unchanged" => format!("{} left as it is", r.file),
        "applied" => format!("wrote {}", r.file),
        _ => format!("removed {}: routing uses the defaults", r.file),
    };
    let backup = r.backup.as_ref().map(|b| format!(" (previous kept as {b})")).unwrap_or_default();
    p.stdout_line(&format!("{line}{backup}"))?;
    Ok(ExitStatus::Success)
}
