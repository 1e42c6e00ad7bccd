//! Measuring discovery on labeled tasks: hit@1, hit@3, recall@10, MRR and the tokens a task
//! costs against loading the whole library.

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::discover;
use crate::store::{Library, Store};

/// One labeled task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabeledTask {
    pub line: usize,
    pub task: String,
    /// Any of these ids in the results is a hit.
    pub expected: Vec<String>,
}

/// Reads `task<TAB>id,id,...` lines after a header row. Errors name the file and line.
pub fn read_labels(path: &Path) -> Result<Vec<LabeledTask>> {
    const SHAPE: &str = "task<TAB>id,id,...";
    let mut tasks = Vec::new();
    for row in crate::labels::read(path, SHAPE)? {
        let expected: Vec<String> =
            row.second.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect();
        if row.first.is_empty() || expected.is_empty() {
            return Err(crate::labels::error(path, row.line, "empty task or no expected ids", SHAPE).into());
        }
        tasks.push(LabeledTask { line: row.line, task: row.first, expected });
    }
    Ok(tasks)
}

/// A task whose expected agents were not in the top 3.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub line: usize,
    pub task: String,
    pub expected: Vec<String>,
    pub got: Vec<String>,
}

/// The measurements.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub tasks: usize,
    pub hit_at_1: f64,
    pub hit_at_3: f64,
    pub recall_at_10: f64,
    pub mrr: f64,
    /// Cards consulted plus the full text of the top 3, averaged over tasks.
    pub tokens_per_task: f64,
    /// Tokens of the whole library, what a naive run loads for every task.
    pub load_all_tokens: usize,
    pub unknown_ids: Vec<String>,
    pub misses: Vec<Miss>,
}

/// Runs discovery on every task and scores it.
pub fn evaluate(store: &Store, library: &Library, tasks: &[LabeledTask], shortlist: usize) -> Result<EvalReport> {
    let known: std::collections::HashSet<String> =
        store.agent_ids(library.id)?.into_iter().map(|s| s.to_ascii_lowercase()).collect();
    let mut unknown_ids: Vec<String> =
        tasks.iter().flat_map(|t| t.expected.iter()).filter(|id| !known.contains(*id)).cloned().collect();
    unknown_ids.sort();
    unknown_ids.dedup();
    let (mut hit1, mut hit3, mut recall, mut rr, mut tokens) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let mut misses = Vec::new();
    for task in tasks {
        let found = discover(store, library, &task.task, 10, shortlist)?;
        let ids: Vec<String> = found.ranked.iter().map(|r| r.id.to_ascii_lowercase()).collect();
        let rank = ids.iter().position(|id| task.expected.contains(id));
        hit1 += f64::from(u8::from(rank == Some(0)));
        let in_top3 = rank.is_some_and(|r| r < 3);
        hit3 += f64::from(u8::from(in_top3));
        rr += rank.map_or(0.0, |r| 1.0 / (r as f64 + 1.0));
        recall += task.expected.iter().filter(|e| ids.contains(e)).count() as f64 / task.expected.len() as f64;
        tokens +=
            (found.card_tokens + found.ranked.iter().take(3).map(|r| r.summary.full_tokens).sum::<usize>()) as f64;
        if !in_top3 {
            misses.push(Miss {
                line: task.line,
                task: task.task.clone(),
                expected: task.expected.clone(),
                got: ids.into_iter().take(3).collect(),
            });
        }
    }
    let n = tasks.len() as f64;
    Ok(EvalReport {
        tasks: tasks.len(),
        hit_at_1: hit1 / n,
        hit_at_3: hit3 / n,
        recall_at_10: recall / n,
        mrr: rr / n,
        tokens_per_task: tokens / n,
        load_all_tokens: store.library_totals(library.id)?.full_tokens,
        unknown_ids,
        misses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_need_a_tab_and_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.tsv");
        std::fs::write(&path, "task\texpected\nfix it\ta, b\nno tab here\n").unwrap();
        let err = read_labels(&path).unwrap_err();
        assert!(format!("{err}").contains("l.tsv:3"), "{err}");
        std::fs::write(&path, "task\texpected\nfix it\ta, B\n").unwrap();
        let tasks = read_labels(&path).unwrap();
        assert_eq!(tasks[0].expected, vec!["a", "b"]);
        assert_eq!(tasks[0].line, 2);
    }
}
