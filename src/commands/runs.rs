//! `devteam runs`: what runs did, read from the store. Listing and `show` read summaries;
//! full outputs are fetched only with `--full`, so reading a run costs a fraction of it.

use anyhow::Result;
use serde::Serialize;

use crate::cli::{RunsArgs, RunsCommand};
use crate::context::Context;
use crate::error::{ExitStatus, UserError};
use crate::learn::record::Verdict;
use crate::orchestrator::record::{MessageRecord, RunListing, RunRecord, SubtaskRecord};
use crate::usage::{period, to_usd};

/// The `--json` report of `runs show`.
#[derive(Debug, Serialize)]
pub struct RunDetail {
    pub run: RunRecord,
    pub subtasks: Vec<SubtaskRecord>,
    pub messages: Vec<MessageRecord>,
    /// Bytes of all the run's full outputs in the store (what `--full` would add).
    pub output_bytes: i64,
    /// Full outputs by reference, only with `--full`.
    pub outputs: Option<Vec<FullOutput>>,
    /// Verdicts given afterwards (`runs feedback`, `run --check`), oldest first; the latest
    /// is the one learning reads.
    pub verdicts: Vec<Verdict>,
}

/// A full output.
#[derive(Debug, Serialize)]
pub struct FullOutput {
    pub id: i64,
    pub subtask_id: Option<String>,
    pub text: String,
}

pub fn run(args: &RunsArgs, ctx: &Context) -> Result<ExitStatus> {
    match &args.command {
        None => list(ctx, args.limit),
        Some(RunsCommand::Show { id, full }) => show(ctx, id, *full),
        Some(RunsCommand::Feedback(args)) => feedback(ctx, args),
    }
}

/// `runs feedback`: a person's verdict on a run, for learning.
fn feedback(ctx: &Context, args: &crate::cli::RunsFeedbackArgs) -> Result<ExitStatus> {
    let store = ctx.store()?;
    let Some(run_id) = store.known_run_id(&args.id)? else {
        return Err(UserError::new(format!("no run {:?} (or more than one) in the store", args.id)).into());
    };
    let verdict = crate::learn::record::Verdict {
        run_id: run_id.clone(),
        ts_ms: ctx.clock.now_ms(),
        good: args.good,
        source: "person".into(),
        note: args.note.clone().unwrap_or_default(),
        command: None,
        exit_code: None,
    };
    store.insert_verdict(&verdict)?;
    if ctx.printer.json_mode() {
        ctx.printer.json(&verdict)?;
    } else {
        ctx.printer.stdout_line(&format!("run {run_id}: recorded as {}", if args.good { "good" } else { "bad" }))?;
    }
    Ok(ExitStatus::Success)
}

fn list(ctx: &Context, limit: usize) -> Result<ExitStatus> {
    let runs: Vec<RunListing> = ctx.store()?.list_runs(limit)?;
    let p = &ctx.printer;
    if p.json_mode() {
        p.json(&runs)?;
        return Ok(ExitStatus::Success);
    }
    let mut t = p.new_table(&["run", "when", "status", "subtasks", "cost", "wall", "task"]);
    for r in &runs {
        let when = jiff::Timestamp::from_millisecond(r.ts_ms)
            .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let wall = r.wall_ms.map(|w| format!("{:.1} s", w as f64 / 1000.0)).unwrap_or_default();
        let task: String = r.task.chars().take(60).collect();
        t.add_row(vec![
            r.id.clone(),
            when,
            r.status.as_str().to_string(),
            r.subtasks.to_string(),
            format!("${:.4}", to_usd(r.cost_micros)),
            wall,
            task,
        ]);
    }
    p.table(&t)?;
    Ok(ExitStatus::Success)
}

/// The run an id or prefix names: an exact id wins; a prefix must be unique, else the error
/// lists the candidates instead of picking one.
fn resolve_id(store: &crate::store::Store, id: &str) -> Result<String> {
    const SHOWN: usize = 10;
    let ids = store.run_ids_with_prefix(id, SHOWN + 1)?;
    match ids.as_slice() {
        [] => Err(UserError::new(format!("no run `{id}`: `devteam runs` lists them")).into()),
        [first, ..] if first == id => Ok(first.clone()),
        [only] => Ok(only.clone()),
        many => {
            let more = if many.len() > SHOWN { ", ..." } else { "" };
            let list = many.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
            Err(UserError::new(format!("`{id}` matches several runs ({list}{more}): give more of the id")).into())
        }
    }
}

fn show(ctx: &Context, id: &str, full: bool) -> Result<ExitStatus> {
    let store = ctx.store()?;
    let Some(run) = store.run(&resolve_id(store, id)?)? else {
        return Err(UserError::new(format!("no run `{id}`: `devteam runs` lists them")).into());
    };
    let subtasks = store.subtasks(&run.id)?;
    let messages = store.messages(&run.id)?;
    let outputs = if full { Some(full_outputs(ctx, &run, &subtasks)?) } else { None };
    let verdicts = store.verdicts(&run.id)?;
    let detail = RunDetail { output_bytes: store.output_bytes(&run.id)?, run, subtasks, messages, outputs, verdicts };
    let p = &ctx.printer;
    if p.json_mode() {
        p.json(&detail)?;
        return Ok(ExitStatus::Success);
    }
    let r = &detail.run;
    p.stdout_line(&format!("run {} ({}): ${:.4}\n{}", r.id, r.status.as_str(), to_usd(r.cost_micros), r.task))?;
    if !r.note.is_empty() {
        p.stdout_line(&format!("note: {}", r.note))?;
    }
    let mut t = p.new_table(&["subtask", "agent", "status", "tier", "cost", "summary"]);
    for s in &detail.subtasks {
        let summary = s.error.clone().unwrap_or_else(|| s.summary.clone());
        t.add_row(vec![
            s.id.clone(),
            s.agent.clone(),
            s.status.as_str().to_string(),
            s.tier.clone(),
            format!("${:.4}", to_usd(s.cost_micros)),
            summary,
        ]);
    }
    p.table(&t)?;
    if !detail.verdicts.is_empty() {
        p.table(&verdict_table(p, &detail.verdicts, &ctx.settings.timezone.tz))?;
    }
    for o in detail.outputs.iter().flatten() {
        p.stdout_line(&format!("\n--- output of {} ---\n{}", o.subtask_id.as_deref().unwrap_or("the run"), o.text))?;
    }
    if !full {
        p.note(&format!("{} bytes of full outputs not shown; add --full to read them", detail.output_bytes));
    }
    Ok(ExitStatus::Success)
}

/// The verdicts, oldest first, each with who gave it and why.
fn verdict_table(p: &crate::output::Printer, verdicts: &[Verdict], tz: &jiff::tz::TimeZone) -> comfy_table::Table {
    let mut t = p.new_table(&["verdict", "at", "from", "note"]);
    for v in verdicts {
        let at = jiff::Timestamp::from_millisecond(v.ts_ms).map_or_else(|_| "-".into(), |ts| period::display(ts, tz));
        let from = match (&v.command, v.exit_code) {
            (Some(cmd), Some(code)) => format!("check `{cmd}` (exit {code})"),
            (Some(cmd), None) => format!("check `{cmd}` (no exit status)"),
            _ => v.source.clone(),
        };
        t.add_row(vec![if v.good { "good" } else { "bad" }.to_string(), at, from, v.note.clone()]);
    }
    t
}

fn full_outputs(ctx: &Context, run: &RunRecord, subtasks: &[SubtaskRecord]) -> Result<Vec<FullOutput>> {
    let store = ctx.store()?;
    let refs = subtasks
        .iter()
        .filter_map(|s| s.output_id.map(|id| (id, Some(s.id.clone()))))
        .chain(run.final_output_id.map(|id| (id, None)));
    let mut out = Vec::new();
    for (id, subtask_id) in refs {
        if let Some(text) = store.output(id)? {
            out.push(FullOutput { id, subtask_id, text });
        }
    }
    Ok(out)
}
