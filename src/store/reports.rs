//! Usage reports: one pass over the calls a report covers, aggregated by several groupings at
//! once, and the budgets to draw against.
//!
//! Why not `GROUP BY`: SQLite groups by sorting, and sorting a million calls costs about a
//! second on this project's machines, against about 0.2 s to read the same columns once. So
//! the scan reads only the columns the groupings need, row by row without materialising rows,
//! and sums into a hash map per grouping (a handful to a few thousand groups; `scan.rs`). The
//! WHERE clause holds only the conditions given, so SQLite picks `calls_ts`, `calls_project_ts`
//! or `calls_source_ts` for a period or a filter. A large scan is split into one slice per core
//! (of rowids, or of time when a condition narrows it), read at once on as many connections
//! (WAL lets readers share the file); each call falls in exactly one slice, so nothing is
//! counted twice even if a writer commits meanwhile.

use anyhow::{Context as _, Result, anyhow};
use rusqlite::types::ToSql;
use rusqlite::{Connection, OpenFlags};

use super::Db;
use super::scan::{Accumulator, scan_rows};
use crate::records::groups::{BudgetLine, CallFilter, Dim, Group, GroupBy, STAGE_SQL};

/// Token and cost columns, in the order the scan reads them after `model` and `batch`.
const SUMS: &str = "input_tokens, output_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, \
                    cost_micros";
/// Most of the store a scan maps into memory (SQLite caps it at its compile-time limit).
/// Reading pages through a map saves copying each page out of the OS cache.
const MMAP_BYTES: i64 = 1 << 32;
/// Most threads a scan uses.
const MAX_THREADS: usize = 4;
/// Below this many rows a second thread costs more than it saves (tests split tiny tables so
/// that the split path is exercised).
const SPLIT_ROWS: i64 = if cfg!(test) { 4 } else { 100_000 };

type Params = Vec<Box<dyn ToSql + Send + Sync>>;

/// One part of a scan: the filter, and a rowid range `[from, to)` when split by rowid.
struct Part {
    filter: CallFilter,
    rowids: Option<(i64, i64)>,
}

impl Db<'_> {
    /// Aggregates the calls matching `filter` by each grouping in `specs`; the result has one
    /// list of groups per spec, in the same order. Each group is also split by model, batch
    /// and input band (how many of `bands` the call's total input exceeds), which pricing needs.
    pub fn usage_scan(&self, filter: &CallFilter, specs: &[GroupBy], bands: &[u64]) -> Result<Vec<Vec<Group>>> {
        let dims = needed_dims(specs);
        let mut select = format!("SELECT model, batch, {SUMS}");
        for dim in &dims {
            select.push_str(", ");
            select.push_str(column(*dim));
        }
        select.push_str(" FROM calls");
        self.conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        let part_query = |part: &Part| {
            let (mut sql, mut params) = query(&select, &part.filter);
            if let Some((from, to)) = part.rowids {
                sql.push_str(if params.is_empty() {
                    " WHERE rowid >= ? AND rowid < ?"
                } else {
                    " AND rowid >= ? AND rowid < ?"
                });
                params.push(Box::new(from));
                params.push(Box::new(to));
            }
            (sql, params)
        };
        let path = self.conn.path().filter(|p| !p.is_empty()).map(std::path::PathBuf::from);
        let parts = match &path {
            Some(_) => self.scan_parts(filter, threads())?,
            None => vec![Part { filter: filter.clone(), rowids: None }],
        };
        let dims = &dims;
        let mut accs = std::thread::scope(|s| {
            let others: Vec<_> = parts[1..]
                .iter()
                .map(|part| {
                    let ((sql, params), path) = (part_query(part), path.clone());
                    s.spawn(move || -> Result<Vec<Accumulator>> {
                        let conn = open_reader(path.as_deref().unwrap_or(std::path::Path::new("")))?;
                        scan_rows(&conn, &sql, &params, specs, dims, bands)
                    })
                })
                .collect();
            let (sql, params) = part_query(&parts[0]);
            let mut mine = scan_rows(self.conn, &sql, &params, specs, dims, bands)?;
            for other in others {
                let theirs = other.join().map_err(|_| anyhow!("usage scan thread panicked"))??;
                mine.iter_mut().zip(theirs).for_each(|(a, b)| a.merge(b));
            }
            Ok::<_, anyhow::Error>(mine)
        })?;
        Ok(accs.drain(..).map(Accumulator::finish).collect())
    }

    /// The filter as one part, or as `n` when the table is large: slices of the rowid range
    /// when no condition narrows the scan (table scans), else slices of the time span (each
    /// uses the index the filter would use).
    fn scan_parts(&self, filter: &CallFilter, n: usize) -> Result<Vec<Part>> {
        let whole = || Ok(vec![Part { filter: filter.clone(), rowids: None }]);
        // One MIN or MAX per SELECT: SQLite answers those from the b-tree's edge, but scans
        // the whole table for a SELECT holding both.
        let (low, high): (Option<i64>, Option<i64>) = self
            .conn
            .query_row("SELECT (SELECT MIN(rowid) FROM calls), (SELECT MAX(rowid) FROM calls)", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .context("sizing calls")?;
        let (Some(low), Some(high)) = (low, high) else { return whole() };
        if n < 2 || high - low < SPLIT_ROWS || (filter.project.is_some() && filter.source.is_some()) {
            return whole();
        }
        let unbounded = CallFilter { since_ms: None, until_ms: None, ..filter.clone() };
        let Some((first, last)) = self.usage_span(&unbounded)? else { return whole() };
        // Bounds that exclude nothing would only steer SQLite to an index it does not need.
        let mut filter = filter.clone();
        filter.since_ms = filter.since_ms.filter(|s| *s > first);
        filter.until_ms = filter.until_ms.filter(|u| *u <= last);
        let (first, end) = (filter.since_ms.unwrap_or(first), filter.until_ms.unwrap_or(last + 1));
        if first >= end {
            return whole();
        }
        let cut = |from: i64, to: i64, i: usize| from + ((i128::from(to - from) * i as i128) / n as i128) as i64;
        let unnarrowed = filter == CallFilter::default();
        let parts = (0..n).map(|i| {
            if unnarrowed {
                Part { filter: filter.clone(), rowids: Some((cut(low, high + 1, i), cut(low, high + 1, i + 1))) }
            } else {
                let slice = (Some(cut(first, end, i)), Some(cut(first, end, i + 1)));
                Part { filter: CallFilter { since_ms: slice.0, until_ms: slice.1, ..filter.clone() }, rowids: None }
            }
        });
        Ok(parts.collect())
    }

    /// The first and last call times (Unix ms) among the calls matching `filter`.
    pub fn usage_span(&self, filter: &CallFilter) -> Result<Option<(i64, i64)>> {
        // Two queries, not one: see `scan_parts` on MIN and MAX.
        let edge = |sql: &str| -> Result<Option<i64>> {
            let (sql, params) = query(sql, filter);
            self.conn
                .query_row(&sql, rusqlite::params_from_iter(params.iter().map(|p| p as &dyn ToSql)), |r| r.get(0))
                .context("finding the first and last call")
        };
        Ok(edge("SELECT MIN(ts_ms) FROM calls")?.zip(edge("SELECT MAX(ts_ms) FROM calls")?))
    }

    /// Every budget, for drawing limits on charts.
    pub fn budget_lines(&self) -> Result<Vec<BudgetLine>> {
        let mut stmt = self
            .conn
            .prepare("SELECT project, window, limit_micros, limit_tokens FROM budgets ORDER BY project, window")?;
        let lines = stmt
            .query_map([], |r| {
                Ok(BudgetLine {
                    project: r.get(0)?,
                    window: r.get(1)?,
                    limit_micros: r.get(2)?,
                    limit_tokens: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
            .context("reading budgets")?;
        Ok(lines)
    }
}

#[cfg(test)]
impl Db<'_> {
    /// Adds a budget row (the `budget` command owns them; tests of reports need a few).
    pub fn add_budget_for_test(&self, project: &str, window: &str, limit_micros: i64) {
        self.conn
            .execute(
                "INSERT INTO budgets (project, window, limit_micros) VALUES (?1, ?2, ?3)",
                rusqlite::params![project, window, limit_micros],
            )
            .expect("insert budget");
    }
}

/// Threads for a large scan: one per core, up to `MAX_THREADS` (tests always split, so that
/// the split path runs on any machine).
fn threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get).min(MAX_THREADS);
    if cfg!(test) { cores.max(3) } else { cores }
}

/// A second connection for another part of a split scan.
fn open_reader(path: &std::path::Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).with_context(|| format!("opening store {}", path.display()))?;
    conn.busy_timeout(super::busy_timeout())?;
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    Ok(conn)
}

/// The column behind a dimension.
fn column(dim: Dim) -> &'static str {
    match dim {
        Dim::Source => "source",
        Dim::Tier => "tier",
        Dim::Agent => "agent",
        Dim::Project => "project",
        Dim::Task => "task",
        Dim::Session => "session_id",
        Dim::Stage => STAGE_SQL,
        Dim::Time => "ts_ms",
    }
}

/// The optional columns the specs need, each once.
fn needed_dims(specs: &[GroupBy]) -> Vec<Dim> {
    let mut dims: Vec<Dim> = Vec::new();
    for dim in specs.iter().flat_map(|s| s.keys.iter().map(|k| k.dim())) {
        if !dims.contains(&dim) {
            dims.push(dim);
        }
    }
    dims
}

/// `head` with a WHERE clause of the filter's conditions, and their parameters.
fn query(head: &str, filter: &CallFilter) -> (String, Params) {
    let mut conds: Vec<&str> = Vec::new();
    let mut params: Params = Vec::new();
    if let Some(since) = filter.since_ms {
        conds.push("ts_ms >= ?");
        params.push(Box::new(since));
    }
    if let Some(until) = filter.until_ms {
        conds.push("ts_ms < ?");
        params.push(Box::new(until));
    }
    if let Some(project) = &filter.project {
        conds.push("project = ?");
        params.push(Box::new(project.clone()));
    }
    if let Some(source) = filter.source {
        conds.push("source = ?");
        params.push(Box::new(source.as_str()));
    }
    if conds.is_empty() {
        (head.to_string(), params)
    } else {
        (format!("{head} WHERE {}", conds.join(" AND ")), params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::groups::{Key, KeyValue};
    use crate::records::usage::{CallRecord, Source};
    use crate::store::Store;

    /// A call with `n` fresh input tokens (so each call is told apart by its sums).
    fn call(ts_ms: i64, source: Source, project: &str, agent: &str, model: &str, n: u64) -> CallRecord {
        let call = CallRecord::for_test().at(ts_ms).source(source).project(project).task(&format!("task of {agent}"));
        call.agent(agent).model(model).tokens(n, 1).cost_micros(n as i64)
    }

    fn seed(store: &Store) {
        let calls = [
            call(1_000, Source::Devteam, "web", "a", "m1", 1),
            call(2_000, Source::Devteam, "web", "b", "m1", 10),
            call(3_000, Source::ClaudeCode, "api", "", "m2", 100),
            call(4_000, Source::Devteam, "api", "a", "m2", 1_000),
            call(5_000, Source::WarmCache, "web", "a", "m1", 10_000),
            call(6_000, Source::Devteam, "web", "b", "m1", 100_000),
        ];
        for c in &calls {
            store.insert_call(c).unwrap();
        }
    }

    /// Sums of `input` per (first key as text or bucket, model), sorted.
    fn sums(groups: &[Group]) -> Vec<(String, String, u64)> {
        let mut out: Vec<(String, String, u64)> = groups
            .iter()
            .map(|g| {
                let key = match g.keys.first() {
                    Some(KeyValue::Text(t)) => t.clone(),
                    Some(KeyValue::Bucket(b)) => b.to_string(),
                    None => String::new(),
                };
                (key, g.model.clone(), g.totals.tokens.input)
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn one_scan_serves_several_groupings_and_filters() {
        let store = Store::open_in_memory().unwrap();
        seed(&store);
        let specs = [GroupBy::new(vec![Key::Source]), GroupBy::new(vec![Key::Time(vec![2_500, 4_500])])];
        let all = store.usage_scan(&CallFilter::default(), &specs, &[]).unwrap();
        assert_eq!(
            sums(&all[0]),
            [
                ("claude-code".into(), "m2".into(), 100),
                ("devteam".into(), "m1".into(), 100_011),
                ("devteam".into(), "m2".into(), 1_000),
                ("warm-cache".into(), "m1".into(), 10_000)
            ]
        );
        assert_eq!(
            sums(&all[1]),
            [("0".into(), "m1".into(), 11), ("1".into(), "m2".into(), 1_100), ("2".into(), "m1".into(), 110_000)]
        );
        let filter =
            CallFilter { since_ms: Some(2_000), until_ms: Some(6_000), project: Some("web".into()), source: None };
        let web = store.usage_scan(&filter, &[GroupBy::default()], &[]).unwrap();
        assert_eq!(sums(&web[0]), [(String::new(), "m1".into(), 10_010)]);
        let filter = CallFilter { source: Some(Source::ClaudeCode), ..CallFilter::default() };
        assert_eq!(store.usage_scan(&filter, &[GroupBy::default()], &[]).unwrap()[0][0].totals.calls, 1);
        assert_eq!(store.usage_span(&CallFilter::default()).unwrap(), Some((1_000, 6_000)));
    }

    #[test]
    fn calls_are_split_by_input_band() {
        let store = Store::open_in_memory().unwrap();
        seed(&store);
        let groups = store.usage_scan(&CallFilter::default(), &[GroupBy::default()], &[50, 5_000]).unwrap().remove(0);
        let mut bands: Vec<(String, u8, u64)> =
            groups.iter().map(|g| (g.model.clone(), g.band, g.totals.calls)).collect();
        bands.sort();
        assert_eq!(bands, [("m1".into(), 0, 2), ("m1".into(), 2, 2), ("m2".into(), 1, 2)]);
    }

    #[test]
    fn a_split_scan_counts_every_call_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = Store::open(&dir.path().join("s.db")).unwrap();
        let memory = Store::open_in_memory().unwrap();
        for store in [&file, &memory] {
            seed(store);
            seed(store);
        }
        let specs = [GroupBy::new(vec![Key::Agent]), GroupBy::new(vec![Key::Project, Key::Source])];
        for filter in [
            CallFilter::default(),
            CallFilter { since_ms: Some(1_500), ..CallFilter::default() },
            CallFilter { project: Some("web".into()), until_ms: Some(5_500), ..CallFilter::default() },
        ] {
            assert_eq!(
                file.db(|db| db.scan_parts(&filter, 3)).unwrap().len(),
                3,
                "the file store must take the split path"
            );
            let split = file.usage_scan(&filter, &specs, &[]).unwrap();
            let whole = memory.usage_scan(&filter, &specs, &[]).unwrap();
            for (a, b) in split.iter().zip(&whole) {
                assert_eq!(sums(a), sums(b), "{filter:?}");
            }
        }
    }

    #[test]
    fn budgets_are_read_as_stored() {
        let store = Store::open_in_memory().unwrap();
        store.add_budget_for_test("", "daily", 5_000_000);
        let lines = store.budget_lines().unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(
            (lines[0].window.as_str(), lines[0].limit_micros, lines[0].limit_tokens),
            ("daily", Some(5_000_000), None)
        );
    }
}
