//! Measuring discovery on labeled tasks: hit@1, hit@3, recall@10, MRR and the tokens a task
//! costs against loading the whole library.

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::{Semantic, discover};
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
    /// `hybrid` (BM25 and embeddings, with the model's id) or `lexical`.
    pub ranking: String,
    pub hit_at_1: f64,
    pub hit_at_3: f64,
    pub recall_at_10: f64,
    /// Tasks with an expected agent among the first 20: what a shortlist of 20 can recover.
    pub recall_at_20: f64,
    pub mrr: f64,
    /// The same figures on named ranges of rows (`--subset`).
    pub subsets: Vec<SubsetReport>,
    /// Cards consulted plus the full text of the top 3, averaged over tasks.
    pub tokens_per_task: f64,
    /// Tokens of the whole library, what a naive run loads for every task.
    pub load_all_tokens: usize,
    pub unknown_ids: Vec<String>,
    pub misses: Vec<Miss>,
}

/// Figures on a range of data rows.
#[derive(Debug, Clone, Serialize)]
pub struct SubsetReport {
    pub name: String,
    pub tasks: usize,
    pub hit_at_3: f64,
    pub recall_at_20: f64,
    pub mrr: f64,
}

/// A named range of data rows (1-based, inclusive), from `NAME=FROM-TO`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subset {
    pub name: String,
    pub rows: std::ops::RangeInclusive<usize>,
}

impl Subset {
    pub fn parse(raw: &str) -> Option<Self> {
        let (name, range) = raw.split_once('=')?;
        let (from, to) = range.split_once('-')?;
        let (from, to) = (from.trim().parse().ok()?, to.trim().parse().ok()?);
        (from >= 1 && from <= to && !name.trim().is_empty())
            .then(|| Self { name: name.trim().to_string(), rows: from..=to })
    }
}

/// Where a task's first expected agent ranked (0-based), if in the list at all.
#[derive(Debug, Clone, Copy, Default)]
struct Scored {
    rank: Option<usize>,
    recall10: f64,
}

/// Runs discovery on every task and scores it.
pub fn evaluate(
    store: &Store,
    library: &Library,
    tasks: &[LabeledTask],
    shortlist: usize,
    semantic: Option<&Semantic>,
    subsets: &[Subset],
) -> Result<EvalReport> {
    let known: std::collections::HashSet<String> =
        store.index().agent_ids(library.id)?.into_iter().map(|s| s.to_ascii_lowercase()).collect();
    let mut unknown_ids: Vec<String> =
        tasks.iter().flat_map(|t| t.expected.iter()).filter(|id| !known.contains(*id)).cloned().collect();
    unknown_ids.sort();
    unknown_ids.dedup();
    let mut scored = Vec::with_capacity(tasks.len());
    let (mut tokens, mut misses) = (0.0, Vec::new());
    for task in tasks {
        let found = discover(store, library, &task.task, 20, shortlist.max(20), semantic)?;
        let ids: Vec<String> = found.ranked.iter().map(|r| r.id.to_ascii_lowercase()).collect();
        let rank = ids.iter().position(|id| task.expected.contains(id));
        let top10 = &ids[..ids.len().min(10)];
        let recall10 = task.expected.iter().filter(|e| top10.contains(e)).count() as f64 / task.expected.len() as f64;
        scored.push(Scored { rank, recall10 });
        tokens +=
            (found.card_tokens + found.ranked.iter().take(3).map(|r| r.summary.full_tokens).sum::<usize>()) as f64;
        if rank.is_none_or(|r| r >= 3) {
            misses.push(Miss {
                line: task.line,
                task: task.task.clone(),
                expected: task.expected.clone(),
                got: ids.into_iter().take(3).collect(),
            });
        }
    }
    let n = tasks.len().max(1) as f64;
    let mean = |f: &dyn Fn(&Scored) -> f64, of: &[Scored]| of.iter().map(f).sum::<f64>() / of.len().max(1) as f64;
    let hit = |k: usize| move |s: &Scored| f64::from(u8::from(s.rank.is_some_and(|r| r < k)));
    let rr = |s: &Scored| s.rank.map_or(0.0, |r| 1.0 / (r as f64 + 1.0));
    let subsets = subsets
        .iter()
        .map(|sub| {
            let of: Vec<Scored> =
                scored.iter().enumerate().filter(|(i, _)| sub.rows.contains(&(i + 1))).map(|(_, s)| *s).collect();
            SubsetReport {
                name: sub.name.clone(),
                tasks: of.len(),
                hit_at_3: mean(&hit(3), &of),
                recall_at_20: mean(&hit(20), &of),
                mrr: mean(&rr, &of),
            }
        })
        .collect();
    Ok(EvalReport {
        tasks: tasks.len(),
        ranking: semantic.map_or_else(|| "lexical".to_string(), |s| format!("hybrid ({})", s.model.id())),
        hit_at_1: mean(&hit(1), &scored),
        hit_at_3: mean(&hit(3), &scored),
        recall_at_10: mean(&|s| s.recall10, &scored),
        recall_at_20: mean(&hit(20), &scored),
        mrr: mean(&rr, &scored),
        subsets,
        tokens_per_task: tokens / n,
        load_all_tokens: store.index().library_totals(library.id)?.full_tokens,
        unknown_ids,
        misses,
    })
}

/// One JSON line per task: the expected ids and every agent's signals, for choosing a fusion
/// outside the binary.
pub fn write_signals(
    store: &Store,
    library: &Library,
    tasks: &[LabeledTask],
    semantic: Option<&Semantic>,
    out: &mut dyn std::io::Write,
) -> Result<()> {
    for task in tasks {
        let (_, signals) = super::signals(store, library, &task.task, semantic, super::SIGNAL_POOL)?;
        let line =
            serde_json::json!({ "line": task.line, "task": task.task, "expected": task.expected, "signals": signals });
        writeln!(out, "{line}")?;
    }
    Ok(())
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

    #[test]
    fn subsets_name_inclusive_row_ranges() {
        assert_eq!(Subset::parse("symptom=1-20"), Some(Subset { name: "symptom".into(), rows: 1..=20 }));
        assert_eq!(Subset::parse("x=0-3"), None);
        assert_eq!(Subset::parse("x=5-3"), None);
        assert_eq!(Subset::parse("=1-3"), None);
        assert_eq!(Subset::parse("x=1"), None);
    }
}
