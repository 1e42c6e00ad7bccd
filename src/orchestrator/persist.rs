//! Writing a finished (or interrupted) run to the store: the run, its subtasks with their
//! summaries, the hand-overs between them, and full outputs kept apart, by reference.

use anyhow::Result;

use super::planned::Outcome;
use super::record::{MessageRecord, RunRecord, Status, SubtaskRecord};
use crate::store::Store;
use crate::tokens;

/// Saves a run that ran to its end (fully or partly).
pub fn save(store: &Store, run: &RunRecord, outcome: &Outcome) -> Result<RunRecord> {
    store.save_run(run)?;
    let mut output_ids = std::collections::HashMap::new();
    for (planned, result) in outcome.plan.subtasks.iter().zip(&outcome.results) {
        let output_id = if result.output.is_empty() {
            None
        } else {
            Some(store.save_output(&run.id, Some(&result.id), &result.output)?)
        };
        output_ids.insert(result.id.clone(), output_id);
        store.save_subtask(&SubtaskRecord {
            run_id: run.id.clone(),
            id: result.id.clone(),
            title: planned.title.clone(),
            agent: planned.agent.clone(),
            depends_on: planned.depends_on.clone(),
            tier: result.tier.clone(),
            model: result.model.clone(),
            status: result.status,
            attempts: result.attempts,
            summary: result.summary.clone(),
            summary_tokens: tokens::estimate(&result.summary),
            output_id,
            cost_micros: result.cost_micros,
            started_ms: result.started_ms,
            finished_ms: result.finished_ms,
            error: result.error.clone(),
        })?;
    }
    for planned in &outcome.plan.subtasks {
        for from in &planned.depends_on {
            let Some(sender) = outcome.results.iter().find(|r| &r.id == from && r.status == Status::Ok) else {
                continue;
            };
            store.save_message(&MessageRecord {
                run_id: run.id.clone(),
                from: from.clone(),
                to: planned.id.clone(),
                summary: sender.summary.clone(),
                summary_tokens: tokens::estimate(&sender.summary),
                output_id: output_ids.get(from).copied().flatten(),
            })?;
        }
    }
    let final_output_id = if outcome.final_text.is_empty() {
        None
    } else {
        Some(store.save_output(&run.id, None, &outcome.final_text)?)
    };
    let finished = RunRecord { final_output_id, ..run.clone() };
    store.save_run(&finished)?;
    Ok(finished)
}

/// The run row for a run that is starting at `ts_ms`.
pub fn started(id: &str, task: &str, project: &str, ts_ms: i64) -> RunRecord {
    RunRecord {
        id: id.to_string(),
        ts_ms,
        task: task.to_string(),
        project: project.to_string(),
        status: Status::Running,
        planned: false,
        plan: None,
        note: String::new(),
        final_output_id: None,
        wall_ms: None,
        cost_micros: 0,
    }
}
