//! The signals of one ranking as a table of rows, without a map of agent ids: rows `0..n` are
//! the agents of the vector matrix in its order (every one gets a cosine), then agents found
//! only by BM25. Fusion z-scores each column in one pass over the rows and keeps the best `k`
//! by partial selection, so ranking a large library neither allocates per agent nor sorts it.

use std::collections::HashMap;

use super::Signals;
use crate::store::VectorMatrix;

/// Agents from which [`SignalTable::set_cosines`] takes two cores.
const PARALLEL_ROWS: usize = 2_000;

/// Signals by row, and which agent each row is.
#[derive(Debug, Default)]
pub struct SignalTable<'a> {
    /// Agents with vectors (sorted, see [`VectorMatrix`]); their rows come first.
    known: &'a [String],
    matrix: Option<&'a VectorMatrix>,
    /// Agents found by BM25 that have no vectors, and their rows.
    extra: Vec<String>,
    extra_rows: HashMap<String, usize>,
    pub rows: Vec<Signals>,
}

impl<'a> SignalTable<'a> {
    /// A table with one row per agent of `matrix` (none without one).
    pub fn new(matrix: Option<&'a VectorMatrix>) -> Self {
        let known: &[String] = matrix.map_or(&[], |m| &m.ids);
        Self { known, matrix, rows: vec![Signals::default(); known.len()], ..Self::default() }
    }

    /// The agent of `row`.
    pub fn id(&self, row: usize) -> &str {
        match self.known.get(row) {
            Some(id) => id,
            None => &self.extra[row - self.known.len()],
        }
    }

    /// The row of agent `id`, added if new.
    pub fn row_mut(&mut self, id: String) -> &mut Signals {
        let row = match self.matrix.and_then(|m| m.position(&id)) {
            Some(row) => row,
            None => match self.extra_rows.get(&id) {
                Some(row) => *row,
                None => {
                    let row = self.rows.len();
                    self.extra.push(id.clone());
                    self.extra_rows.insert(id, row);
                    self.rows.push(Signals::default());
                    row
                }
            },
        };
        &mut self.rows[row]
    }

    /// Sets every agent's cosines with the query vector `q`, in halves on two cores from
    /// [`PARALLEL_ROWS`] agents: streaming a large library's vectors is a few milliseconds.
    pub fn set_cosines(&mut self, q: &[f32]) {
        let Some(m) = self.matrix else { return };
        let known = m.ids.len().min(self.rows.len());
        let fill = |first: usize, rows: &mut [Signals]| {
            for (i, s) in rows.iter_mut().enumerate() {
                s.description = f64::from(dot(q, m.description(first + i)));
                s.body_meaning = f64::from(dot(q, m.body(first + i)));
            }
        };
        let rows = &mut self.rows[..known];
        if known < PARALLEL_ROWS {
            return fill(0, rows);
        }
        let (low, high) = rows.split_at_mut(known / 2);
        std::thread::scope(|scope| {
            scope.spawn(|| fill(0, low));
            fill(known / 2, high);
        });
    }

    pub fn clear(&mut self) {
        self.rows.clear();
        self.known = &[];
        self.matrix = None;
        self.extra.clear();
        self.extra_rows.clear();
    }

    /// The table as a map, for reports that list every agent's signals.
    pub fn into_map(self) -> HashMap<String, Signals> {
        (0..self.rows.len()).map(|r| (self.id(r).to_string(), self.rows[r])).collect()
    }

    /// The best `keep` rows under `weights` (in `Signals::column` order), best first, ties by
    /// id. With `zscore`, each column is first turned into z-scores over all rows; else each
    /// search's scores are scaled to its best hit, so that one rare but irrelevant word in the
    /// task cannot outweigh what the thesaurus recognised in it.
    pub fn best(&self, weights: [f64; 5], zscore: bool, keep: usize) -> Vec<(String, f64)> {
        let n = self.rows.len();
        let mut total = vec![0.0; n];
        for (k, w) in weights.into_iter().enumerate() {
            if w == 0.0 {
                continue;
            }
            let col = |r: usize| self.rows[r].column(k);
            if zscore {
                let count = n.max(1) as f64;
                let mean = (0..n).map(col).sum::<f64>() / count;
                let sd = ((0..n).map(|r| (col(r) - mean) * (col(r) - mean)).sum::<f64>() / count).sqrt();
                if sd > f64::EPSILON {
                    total.iter_mut().enumerate().for_each(|(r, t)| *t += w * ((col(r) - mean) / sd));
                }
            } else {
                let top = (0..n).map(col).fold(0.0, f64::max).max(f64::EPSILON);
                total.iter_mut().enumerate().for_each(|(r, t)| *t += w * (col(r) / top));
            }
        }
        let order = |a: &usize, b: &usize| total[*b].total_cmp(&total[*a]).then_with(|| self.id(*a).cmp(self.id(*b)));
        let mut rows: Vec<usize> = (0..n).collect();
        if keep < n {
            if keep == 0 {
                return Vec::new();
            }
            rows.select_nth_unstable_by(keep - 1, order);
            rows.truncate(keep);
        }
        rows.sort_unstable_by(order);
        rows.into_iter().map(|r| (self.id(r).to_string(), total[r])).collect()
    }
}

/// Dot product with eight running sums, which the compiler keeps in vector registers: over
/// thousands of agents a single running sum is bound by the latency of each addition.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(ids: &[&str], dim: usize) -> VectorMatrix {
        let data = (0..ids.len() * 2 * dim).map(|i| ((i * 37 % 11) as f32 - 5.0) / 7.0).collect();
        VectorMatrix { ids: ids.iter().map(|s| (*s).to_string()).collect(), dim, data }
    }

    /// The full sort the partial selection must agree with: z-scores per column, ties by id.
    fn sorted(table: &SignalTable, weights: [f64; 5]) -> Vec<(String, f64)> {
        let n = table.rows.len() as f64;
        let mut total = vec![0.0; table.rows.len()];
        for (k, w) in weights.into_iter().enumerate() {
            let col: Vec<f64> = table.rows.iter().map(|s| s.column(k)).collect();
            let mean = col.iter().sum::<f64>() / n;
            let sd = (col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt();
            for (t, v) in total.iter_mut().zip(&col) {
                if w != 0.0 && sd > f64::EPSILON {
                    *t += w * ((v - mean) / sd);
                }
            }
        }
        let mut all: Vec<(String, f64)> = (0..total.len()).map(|r| (table.id(r).to_string(), total[r])).collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        all
    }

    #[test]
    fn the_best_k_are_the_head_of_the_full_ranking() {
        let ids: Vec<String> = (0..50).map(|i| format!("agent-{i:02}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let m = matrix(&refs, 12);
        let mut table = SignalTable::new(Some(&m));
        table.set_cosines(&[0.5; 12]);
        // BM25 hits on some agents with vectors, one without; several exact ties.
        for i in (0..50).step_by(3) {
            table.row_mut(format!("agent-{i:02}")).profile = f64::from(i % 4);
        }
        table.row_mut("no-vectors".into()).body_words = 2.0;
        table.row_mut("no-vectors".into()).thesaurus = 1.0;
        assert_eq!(table.rows.len(), 51);
        let weights = [0.25, 0.5, 0.25, 0.5, 0.5];
        let full = sorted(&table, weights);
        for keep in [0, 1, 7, 20, 51, 80] {
            assert_eq!(table.best(weights, true, keep), full[..keep.min(51)].to_vec(), "keep {keep}");
        }
    }

    #[test]
    fn lexical_scores_are_scaled_to_the_best_hit() {
        let mut table = SignalTable::new(None);
        table.row_mut("a".into()).profile = 4.0;
        table.row_mut("b".into()).profile = 2.0;
        table.row_mut("b".into()).body_words = 3.0;
        let best = table.best([1.0, 0.6, 0.0, 0.0, 0.0], false, 5);
        assert_eq!(best, vec![("b".to_string(), 0.5 + 0.6), ("a".to_string(), 1.0)]);
    }

    #[test]
    fn the_lane_dot_product_matches_the_plain_one() {
        let a: Vec<f32> = (0..387).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..387).map(|i| (i as f32 * 0.11).cos()).collect();
        let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - plain).abs() < 1e-4, "{} vs {plain}", dot(&a, &b));
    }
}
