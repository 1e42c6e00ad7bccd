//! The store as interfaces: one trait per concern, in domain types only (no SQL, no FTS5
//! syntax, no SQLite transaction modes), so that a server database is an addition.
//!
//! # What lives where
//!
//! - [`SharedStore`] is what a team's server database must provide: [`Usage`] (calls and the
//!   reports over them), [`Budgets`] (budgets, reservations, alerts, overrides, through one
//!   [`Ledger`] transaction), [`Runs`], [`Decisions`] (routing decisions, outcomes, verdicts,
//!   counterfactuals, A/B tests) and [`Imports`]. Everything here is shared by every machine
//!   of a team: a daily budget is the team's, not one laptop's.
//! - [`AgentIndex`] stays local to each machine: it is derived from agent files the machine
//!   has (and from its project folders), so sharing it would only ship paths that mean nothing
//!   elsewhere.
//!
//! With SQLite one file serves both ([`super::SqliteStore`] implements every trait). The rest
//! of the program holds a [`super::Store`]: an `Arc<dyn SharedStore>` and an
//! `Arc<dyn AgentIndex>`, which derefs to the shared part so that call sites read
//! `store.insert_call(..)` as before, and reaches the index through `store.index()`.
//!
//! # The seam for another backend
//!
//! [`super::open_shared`] turns the resolved `db` setting ([`super::DbTarget`]) into an
//! `Arc<dyn SharedStore>`; [`super::open`] adds the local index beside it. A new backend
//! (PostgreSQL: `postgres://...`) adds a `DbTarget` variant, a match arm in `open_shared`,
//! and one `impl` of each shared trait; the local index stays SQLite wherever the shared
//! store is.
//!
//! # Contracts every backend keeps
//!
//! - Every method is safe to call from several threads (`Send + Sync`); each call is atomic
//!   on its own unless a doc says otherwise.
//! - [`Budgets::ledger_tx`] runs its closure inside one transaction that no other process's
//!   reservation or spend can interleave with (SQLite: the write lock taken at BEGIN;
//!   PostgreSQL: row locks or SERIALIZABLE). The backend may run the closure more than once
//!   (a serialization retry), so the closure must act only through the ledger.
//! - Errors that mean "another writer held the store too long" are recognisable with
//!   [`super::is_busy`] (a backend wraps them in [`super::Busy`] or a driver error that
//!   function knows), so a caller can wait and retry without re-making an API call.
//! - Migrations are append-only; opening a store newer than this binary is an error.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;

use super::{
    AgentTexts, AgentVectorRow, CallFilter as SlotFilter, Counterfactual, CounterfactualSums, Holder, ImportFile,
    ImportedCall, IndexChanges, IndexPart, IndexedFile, Library, LibraryTotals, NewReservation, Recovered, SlotSums,
    StoredCall, Sums, VectorMatrix,
};
use crate::records::ab::{AbRun, AbTest};
use crate::records::agent::AgentSummary;
use crate::records::budget::{Budget, Scope, Totals};
use crate::records::groups::{BudgetLine, CallFilter, Group, GroupBy};
use crate::records::project::ProjectContext;
use crate::records::prompt::BlockOutcome;
use crate::records::routing::{OutcomeRow, Verdict};
use crate::records::run::{MessageRecord, RunListing, RunRecord, SubtaskRecord};
use crate::records::suggest::Facts;
use crate::records::usage::{CallRecord, RoutingRecord, Source};
use crate::records::warm::PastCall;
use crate::records::window::{Bounds, Window};

/// Everything a shared (team) store provides: usage, budgets and reservations, runs,
/// decisions and outcomes, imports. Implemented for every type that implements the parts.
pub trait SharedStore: Usage + Budgets + Runs + Decisions + Imports + Send + Sync {}

impl<T: Usage + Budgets + Runs + Decisions + Imports + Send + Sync + ?Sized> SharedStore for T {}

/// Billed calls and the reports over them.
pub trait Usage: Send + Sync {
    /// Records a call outside any budget transaction (tests, tools); returns its id.
    #[cfg_attr(not(test), expect(dead_code, reason = "read by tests, which every backend must pass"))]
    fn insert_call(&self, c: &CallRecord) -> Result<i64>;
    /// Which blocks of a call's prompt the cache served.
    fn insert_call_blocks(&self, call_id: i64, blocks: &[BlockOutcome]) -> Result<()>;
    /// How `model`'s last `last` calls fared with one block kind: (times read from the cache,
    /// times written, how many calls ago it was last read or written; `None` when never).
    fn block_outcomes(&self, model: &str, kind: &str, last: usize) -> Result<(u64, u64, Option<u64>)>;
    /// Over calls since `since_ms`: (block kind, cache outcome, tokens, blocks), ordered by
    /// kind then outcome.
    fn cache_by_block(&self, since_ms: i64) -> Result<Vec<(String, String, i64, i64)>>;
    /// The agents devteam called most since `since_ms`, at most `limit`, sorted by id (so
    /// prompts listing them keep a stable order as counts shift).
    fn popular_agents(&self, since_ms: i64, limit: usize) -> Result<Vec<String>>;
    /// When devteam last called `agent` on `model` (a run or a warm-up, any project), if ever.
    fn last_agent_call(&self, agent: &str, model: &str) -> Result<Option<i64>>;
    /// What a run's calls cost, micro-dollars.
    fn run_cost(&self, run_id: &str) -> Result<i64>;
    #[cfg_attr(not(test), expect(dead_code, reason = "read by tests, which every backend must pass"))]
    fn call_count(&self) -> Result<i64>;
    /// Sums per 15-minute slot and model, slots in order (bounds are whole slots).
    fn sums_by_slot(&self, f: &SlotFilter<'_>) -> Result<Vec<Sums>>;
    /// Sums per call, for a time zone whose offset is not a whole number of slots.
    fn sums_by_call(&self, f: &SlotFilter<'_>) -> Result<Vec<Sums>>;
    /// Lets the backend catch up on whatever aggregates it keeps for reports when more than
    /// `threshold` calls are not yet in them; a backend without such aggregates does nothing.
    /// Never fails a report because the store is busy.
    fn fold_rollup_if_behind(&self, threshold: u64) -> Result<()>;
    /// One list of groups per grouping in `specs`, over the calls `filter` selects, each split
    /// by model, batch and input band (`bands`: band edges in input tokens).
    fn usage_scan(&self, filter: &CallFilter, specs: &[GroupBy], bands: &[u64]) -> Result<Vec<Vec<Group>>>;
    /// The first and last call time `filter` selects.
    fn usage_span(&self, filter: &CallFilter) -> Result<Option<(i64, i64)>>;
    /// Every budget, as the usage report lists them.
    fn budget_lines(&self) -> Result<Vec<BudgetLine>>;
    /// What `usage suggest` reads, over the calls since `since_ms`.
    fn suggest_facts(&self, since_ms: i64, days: u32, library_agents: &[String]) -> Result<Facts>;
    /// Calls devteam made for `project` since `since_ms`, oldest first, runs and warm-ups,
    /// without batch calls or calls without an agent: what the cache-warming planner reads.
    fn cache_history(&self, since_ms: i64, project: Option<&str>) -> Result<Vec<PastCall>>;
}

/// Whether a ledger transaction writes. A read sees one consistent snapshot; a write excludes
/// every other writer of the budget tables from its first statement to its commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxMode {
    Read,
    Write,
}

/// Budgets and reservations. The checks that must not race go through [`Ledger`] inside
/// [`Budgets::ledger_tx`]; `budget_write` / `budget_read` (on `dyn SharedStore`, see below)
/// are the typed front of it that call sites use.
pub trait Budgets: Send + Sync {
    /// Runs `f` in one transaction; `Ok` commits, `Err` rolls everything back. `f` may be run
    /// again when the backend retries a transaction that lost a serialization race.
    fn ledger_tx(&self, mode: TxMode, f: &mut dyn FnMut(&dyn Ledger) -> Result<()>) -> Result<()>;
    /// Rewrites the pending record of an in-flight call (its usage so far); false when the
    /// reservation is gone.
    fn update_pending(&self, key: &str, call: &CallRecord, usage_final: bool) -> Result<bool>;
    /// Whether any reservation exists (cheap; decides whether recovery needs a write).
    fn has_reservations(&self) -> Result<bool>;
}

/// The budget tables seen from inside one transaction.
pub trait Ledger {
    /// The budgets in scope.
    fn budgets(&self, scope: Scope<'_>) -> Result<Vec<Budget>>;
    fn budget(&self, project: Option<&str>, window: Window) -> Result<Option<Budget>>;
    /// Creates or replaces the budget for a project (`None`: global) and window.
    fn set_budget(&self, project: Option<&str>, window: Window, micros: Option<i64>, tokens: Option<i64>)
    -> Result<()>;
    fn remove_budget(&self, id: i64) -> Result<bool>;
    /// Settled spend in a window, for one project or (`None`) every project.
    fn spent(&self, project: Option<&str>, window: &Bounds) -> Result<Totals>;
    /// Reservations held, for one project or (`None`) every project. An expired one still
    /// counts: its call may have been billed, so it is held until settled or recovered as a
    /// charge, never silently dropped.
    fn reserved(&self, project: Option<&str>, now_ms: i64) -> Result<Totals>;
    fn insert_reservation(&self, r: &NewReservation<'_>) -> Result<i64>;
    /// False when the reservation is gone (recovered meanwhile).
    fn delete_reservation(&self, id: i64, created_ms: i64) -> Result<bool>;
    /// Drops every reservation (of one project, or all); returns how many.
    fn drop_reservations(&self, project: Option<&str>) -> Result<usize>;
    /// Records that a budget crossed a threshold in a window; false when it already had.
    fn record_alert(&self, budget_id: i64, window_start_ms: i64, threshold: u8, ts_ms: i64, spent: i64)
    -> Result<bool>;
    /// Thresholds alerted on in a window.
    fn alerts(&self, budget_id: i64, window_start_ms: i64) -> Result<Vec<u8>>;
    fn clear_alerts(&self, budget_id: i64, window_start_ms: i64) -> Result<usize>;
    /// Records a budget override (`--allow-over-budget`); returns its id.
    fn record_override(&self, ts_ms: i64, kind: &str, detail: &str) -> Result<i64>;
    /// Every override: (time, kind, detail).
    #[cfg_attr(not(test), expect(dead_code, reason = "read by tests, which every backend must pass"))]
    fn overrides(&self) -> Result<Vec<(i64, String, String)>>;
    /// Ties a just-inserted reservation to its holder and the call it is for.
    fn attach_pending(&self, id: i64, holder: &Holder, key: &str, call: Option<&CallRecord>) -> Result<()>;
    /// Turns reservations whose holder is dead (`alive` says) or that expired into charges.
    fn recover_orphans(&self, now_ms: i64, alive: &dyn Fn(u32, &Holder) -> bool) -> Result<Vec<Recovered>>;
    /// Records a call, correcting in place the charge recovered under `key` if there is one.
    fn record_keyed(&self, call: &CallRecord, key: Option<&str>) -> Result<i64>;
    /// Records a call whose reservation was still held (no recovered charge can exist).
    fn record_new(&self, call: &CallRecord, key: &str) -> Result<i64>;
}

/// The typed front of [`Budgets::ledger_tx`]: the closure's own result and error type come
/// back unchanged, and an `Err` from it rolls the transaction back.
impl dyn SharedStore + '_ {
    /// Runs `f` in one write transaction (no other writer between its check and its insert).
    pub fn budget_write<T, E: From<anyhow::Error>>(&self, f: impl FnMut(&dyn Ledger) -> Result<T, E>) -> Result<T, E> {
        ledger_tx_typed(self, TxMode::Write, f)
    }

    /// Runs `f` on one consistent snapshot.
    pub fn budget_read<T, E: From<anyhow::Error>>(&self, f: impl FnMut(&dyn Ledger) -> Result<T, E>) -> Result<T, E> {
        ledger_tx_typed(self, TxMode::Read, f)
    }
}

/// The marker error that rolls a transaction back when the closure failed with its own error.
#[derive(Debug, thiserror::Error)]
#[error("rolled back")]
struct RolledBack;

fn ledger_tx_typed<T, E: From<anyhow::Error>>(
    store: &(impl Budgets + ?Sized),
    mode: TxMode,
    mut f: impl FnMut(&dyn Ledger) -> Result<T, E>,
) -> Result<T, E> {
    let mut out: Option<Result<T, E>> = None;
    let tx = store.ledger_tx(mode, &mut |ledger| match f(ledger) {
        Ok(v) => {
            out = Some(Ok(v));
            Ok(())
        }
        Err(e) => {
            out = Some(Err(e));
            Err(RolledBack.into())
        }
    });
    match (tx, out) {
        (Ok(()), Some(Ok(v))) => Ok(v),
        (Err(e), Some(Err(own))) if e.is::<RolledBack>() => Err(own),
        (Err(e), _) => Err(E::from(e)),
        (Ok(()), _) => Err(E::from(anyhow::anyhow!("a store transaction committed without running"))),
    }
}

/// Runs: the run, its subtasks, messages and full outputs.
pub trait Runs: Send + Sync {
    fn save_run(&self, r: &RunRecord) -> Result<()>;
    /// Keeps a full output apart from the run; returns its id.
    fn save_output(&self, run_id: &str, subtask_id: Option<&str>, text: &str) -> Result<i64>;
    fn save_subtask(&self, s: &SubtaskRecord) -> Result<()>;
    fn save_message(&self, m: &MessageRecord) -> Result<()>;
    /// The latest runs, newest first.
    fn list_runs(&self, limit: usize) -> Result<Vec<RunListing>>;
    fn run_ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<String>>;
    fn run(&self, id: &str) -> Result<Option<RunRecord>>;
    fn subtasks(&self, run_id: &str) -> Result<Vec<SubtaskRecord>>;
    fn messages(&self, run_id: &str) -> Result<Vec<MessageRecord>>;
    fn output(&self, id: i64) -> Result<Option<String>>;
    /// Bytes of a run's kept outputs.
    fn output_bytes(&self, run_id: &str) -> Result<i64>;
}

/// Routing decisions and what became of them: outcomes, verdicts, counterfactuals, A/B tests.
pub trait Decisions: Send + Sync {
    /// Records a routing decision; returns its id.
    fn insert_routing_decision(&self, d: &RoutingRecord) -> Result<i64>;
    fn set_upgrade_reason(&self, decision_id: i64, reason: &str) -> Result<()>;
    fn insert_verdict(&self, v: &Verdict) -> Result<()>;
    /// The full id of a run known to the store, by id or unique prefix (planned runs by their
    /// run row; single-call runs by their routing decision or their calls).
    fn known_run_id(&self, id: &str) -> Result<Option<String>>;
    /// A run's verdicts, oldest first.
    fn verdicts(&self, run_id: &str) -> Result<Vec<Verdict>>;
    /// Ends a decision recorded as `running`: its outcome, the tier it ended on and why.
    fn end_routing_decision(
        &self,
        id: i64,
        outcome: &str,
        upgraded_to: Option<&str>,
        reason: Option<&str>,
    ) -> Result<()>;
    /// Marks a run's decisions still `running` as `outcome` (an interrupted run's subtasks).
    fn end_running_decisions(&self, run_id: &str, outcome: &str) -> Result<usize>;
    /// Every routing decision since `since_ms` with how it went.
    fn routing_outcomes(&self, since_ms: i64) -> Result<Vec<OutcomeRow>>;
    fn insert_counterfactual(&self, c: &Counterfactual) -> Result<()>;
    /// The API-reported input (fresh, written and read) of a run's first call, if any.
    fn first_call_input(&self, run_id: &str) -> Result<Option<u64>>;
    fn counterfactual_sums(&self, stage: &str, filter: &CallFilter) -> Result<CounterfactualSums>;
    /// Starts a test; false when one of that name exists.
    fn ab_start(&self, t: &AbTest) -> Result<bool>;
    /// Stops a test; false when no running test has that name.
    fn ab_stop(&self, name: &str, now_ms: i64) -> Result<bool>;
    fn ab_tests(&self) -> Result<Vec<AbTest>>;
    /// The running test, if any.
    fn ab_active(&self) -> Result<Option<AbTest>>;
    fn ab_assign(&self, test: &str, run_id: &str, variant: &str, ts_ms: i64) -> Result<()>;
    fn ab_runs(&self, test: &str) -> Result<Vec<AbRun>>;
}

/// Imports of other tools' usage logs.
pub trait Imports: Send + Sync {
    /// How far each log file of `source` has been imported.
    fn import_files(&self, source: Source) -> Result<Vec<ImportFile>>;
    /// Opens one import: a transaction that excludes every other import (two imports at once
    /// cannot both insert a call) and that leaves nothing when dropped uncommitted.
    fn begin_import(&self) -> Result<Box<dyn ImportTx + '_>>;
}

/// An open import.
pub trait ImportTx {
    /// Whether any call of `source` exists.
    fn has_calls(&self, source: Source) -> Result<bool>;
    /// Roughly how many calls the store holds (to choose a bulk load).
    fn calls_estimate(&self) -> Result<u64>;
    /// A hint that this import will add many calls: the backend may trade lookup speed for
    /// load speed until commit (SQLite drops and rebuilds the call indexes; a server database
    /// may switch to COPY). Lookups stay correct meanwhile.
    fn expect_bulk_load(&mut self) -> Result<()>;
    /// The sums of the calls this import added, per (source, slot, model, project), for
    /// backends that keep report aggregates; call after the last insert.
    fn add_to_rollup(&self, slots: &[SlotSums<'_>]) -> Result<()>;
    /// The calls already stored under a message id, to merge a newly read line with.
    fn calls_with_message(&self, source: Source, message_id: &str) -> Result<Vec<StoredCall>>;
    fn insert_call(&self, c: &ImportedCall<'_>) -> Result<i64>;
    fn replace_call(&self, id: i64, c: &ImportedCall<'_>) -> Result<()>;
    /// Records how far a file has been imported.
    fn save_file(&self, source: Source, f: &ImportFile) -> Result<()>;
    fn commit(self: Box<Self>) -> Result<()>;
}

/// The local agent index (and project contexts): derived from files this machine has.
pub trait AgentIndex: Send + Sync {
    /// The library indexed at `root`.
    fn library(&self, root: &Path) -> Result<Option<Library>>;
    /// The library indexed last.
    fn latest_library(&self) -> Result<Option<Library>>;
    fn indexed_files(&self, library: i64) -> Result<HashMap<String, IndexedFile>>;
    /// Writes one index run's result at once.
    fn save_index(&self, root: &Path, changes: &IndexChanges) -> Result<Library>;
    /// Ranked search in one part of the index: agents whose text has any of `terms` (words,
    /// matched as words, never as query syntax), with a positive relevance score (higher is
    /// better), best first. `weights` has one weight per field of the part, in
    /// [`IndexPart::fields`] order.
    fn search(
        &self,
        library: i64,
        part: IndexPart,
        terms: &[String],
        weights: &[f64],
        limit: usize,
    ) -> Result<Vec<(String, f64)>>;
    /// Summaries of the given agents, in the order asked.
    fn agent_summaries(&self, library: i64, ids: &[String]) -> Result<Vec<AgentSummary>>;
    fn agent_ids(&self, library: i64) -> Result<Vec<String>>;
    /// Every agent's candidate keywords (before the library-wide filter), by agent id.
    fn agent_keywords(&self, library: i64) -> Result<HashMap<String, Vec<String>>>;
    fn library_totals(&self, library: i64) -> Result<LibraryTotals>;
    /// Agents whose embedding vectors for `model` are missing or stale.
    fn agents_needing_vectors(&self, library: i64, model: &str) -> Result<Vec<AgentTexts>>;
    /// A vector already computed for a text (by hash), from any library.
    fn cached_vector(&self, model: &str, text_hash: &str) -> Result<Option<Vec<f32>>>;
    fn save_vectors(
        &self,
        library: i64,
        model: &str,
        vectors: &[(String, Vec<f32>)],
        rows: &[AgentVectorRow],
    ) -> Result<()>;
    fn agent_vectors(&self, library: i64, model: &str) -> Result<VectorMatrix>;
    /// The project context stored for `root`.
    fn project_context(&self, root: &Path) -> Result<Option<ProjectContext>>;
    fn save_project_context(&self, ctx: &ProjectContext) -> Result<()>;
    /// The API's count of a stable block's tokens on `model`, by the hash of its text.
    fn block_tokens(&self, model: &str, text_hash: &str) -> Result<Option<u64>>;
    fn save_block_tokens(&self, model: &str, text_hash: &str, tokens: u64) -> Result<()>;
}
