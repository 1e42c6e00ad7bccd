//! The SQLite backend behind the traits of [`super::api`]: each method takes a pooled
//! connection and runs the SQL written for it in the concern's file (`impl Db`), so these
//! impls are only the wiring.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;

use super::api::{AgentIndex, Budgets, Decisions, ImportTx, Imports, Ledger, Runs, TxMode, Usage};
use super::imports::SqliteImportTx;
use super::{
    AgentTexts, AgentVectorRow, CallFilter as SlotFilter, Counterfactual, CounterfactualSums, Holder, ImportFile,
    ImportedCall, IndexChanges, IndexPart, IndexedFile, Library, LibraryTotals, NewReservation, Recovered, SlotSums,
    SqliteLedger, SqliteStore, StoredCall, Sums, VectorMatrix,
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

/// Trait methods that run one `Db` method of the same name on a pooled connection.
macro_rules! on_a_connection {
    ($(fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        $(fn $name(&self $(, $arg: $ty)*) -> $ret {
            self.with(|db| db.$name($($arg),*))
        })*
    };
}

/// Trait methods that are the inherent method of the same name.
macro_rules! inherent {
    ($type:ident: $(fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        $(fn $name(&self $(, $arg: $ty)*) -> $ret {
            $type::$name(self $(, $arg)*)
        })*
    };
}

impl Usage for SqliteStore {
    on_a_connection! {
        fn insert_call(&self, c: &CallRecord) -> Result<i64>;
        fn insert_call_blocks(&self, call_id: i64, blocks: &[BlockOutcome]) -> Result<()>;
        fn block_outcomes(&self, model: &str, kind: &str, last: usize) -> Result<(u64, u64, Option<u64>)>;
        fn cache_by_block(&self, since_ms: i64) -> Result<Vec<(String, String, i64, i64)>>;
        fn popular_agents(&self, since_ms: i64, limit: usize) -> Result<Vec<String>>;
        fn last_agent_call(&self, agent: &str, model: &str) -> Result<Option<i64>>;
        fn run_cost(&self, run_id: &str) -> Result<i64>;
        fn call_count(&self) -> Result<i64>;
        fn sums_by_slot(&self, f: &SlotFilter<'_>) -> Result<Vec<Sums>>;
        fn sums_by_call(&self, f: &SlotFilter<'_>) -> Result<Vec<Sums>>;
        fn fold_rollup_if_behind(&self, threshold: u64) -> Result<()>;
        fn usage_scan(&self, filter: &CallFilter, specs: &[GroupBy], bands: &[u64]) -> Result<Vec<Vec<Group>>>;
        fn usage_span(&self, filter: &CallFilter) -> Result<Option<(i64, i64)>>;
        fn budget_lines(&self) -> Result<Vec<BudgetLine>>;
        fn suggest_facts(&self, since_ms: i64, days: u32, library_agents: &[String]) -> Result<Facts>;
        fn cache_history(&self, since_ms: i64, project: Option<&str>) -> Result<Vec<PastCall>>;
    }
}

impl Budgets for SqliteStore {
    fn ledger_tx(&self, mode: TxMode, f: &mut dyn FnMut(&dyn Ledger) -> Result<()>) -> Result<()> {
        self.with(|db| db.ledger_tx(mode, f))
    }

    on_a_connection! {
        fn update_pending(&self, key: &str, call: &CallRecord, usage_final: bool) -> Result<bool>;
        fn has_reservations(&self) -> Result<bool>;
    }
}

impl Ledger for SqliteLedger<'_> {
    super::alert_rows::ledger_alert_methods!();

    inherent! { SqliteLedger:
        fn budgets(&self, scope: Scope<'_>) -> Result<Vec<Budget>>;
        fn budget(&self, project: Option<&str>, window: Window) -> Result<Option<Budget>>;
        fn set_budget(&self, project: Option<&str>, window: Window, micros: Option<i64>, tokens: Option<i64>) -> Result<()>;
        fn remove_budget(&self, id: i64) -> Result<bool>;
        fn spent(&self, project: Option<&str>, window: &Bounds) -> Result<Totals>;
        fn reserved(&self, project: Option<&str>, now_ms: i64) -> Result<Totals>;
        fn insert_reservation(&self, r: &NewReservation<'_>) -> Result<i64>;
        fn delete_reservation(&self, id: i64, created_ms: i64) -> Result<bool>;
        fn drop_reservations(&self, project: Option<&str>) -> Result<usize>;
        fn record_override(&self, ts_ms: i64, kind: &str, detail: &str) -> Result<i64>;
        fn overrides(&self) -> Result<Vec<(i64, String, String)>>;
        fn attach_pending(&self, id: i64, holder: &Holder, key: &str, call: Option<&CallRecord>) -> Result<()>;
        fn recover_orphans(&self, now_ms: i64, alive: &dyn Fn(u32, &Holder) -> bool) -> Result<Vec<Recovered>>;
        fn record_keyed(&self, call: &CallRecord, key: Option<&str>) -> Result<i64>;
        fn record_new(&self, call: &CallRecord, key: &str) -> Result<i64>;
    }
}

impl Runs for SqliteStore {
    on_a_connection! {
        fn save_run(&self, r: &RunRecord) -> Result<()>;
        fn save_output(&self, run_id: &str, subtask_id: Option<&str>, text: &str) -> Result<i64>;
        fn save_subtask(&self, s: &SubtaskRecord) -> Result<()>;
        fn save_message(&self, m: &MessageRecord) -> Result<()>;
        fn list_runs(&self, limit: usize) -> Result<Vec<RunListing>>;
        fn run_ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<String>>;
        fn run(&self, id: &str) -> Result<Option<RunRecord>>;
        fn subtasks(&self, run_id: &str) -> Result<Vec<SubtaskRecord>>;
        fn messages(&self, run_id: &str) -> Result<Vec<MessageRecord>>;
        fn output(&self, id: i64) -> Result<Option<String>>;
        fn output_bytes(&self, run_id: &str) -> Result<i64>;
    }
}

impl Decisions for SqliteStore {
    on_a_connection! {
        fn insert_routing_decision(&self, d: &RoutingRecord) -> Result<i64>;
        fn set_upgrade_reason(&self, decision_id: i64, reason: &str) -> Result<()>;
        fn insert_verdict(&self, v: &Verdict) -> Result<()>;
        fn known_run_id(&self, id: &str) -> Result<Option<String>>;
        fn verdicts(&self, run_id: &str) -> Result<Vec<Verdict>>;
        fn end_routing_decision(&self, id: i64, outcome: &str, upgraded_to: Option<&str>, reason: Option<&str>) -> Result<()>;
        fn end_running_decisions(&self, run_id: &str, outcome: &str) -> Result<usize>;
        fn routing_outcomes(&self, since_ms: i64) -> Result<Vec<OutcomeRow>>;
        fn insert_counterfactual(&self, c: &Counterfactual) -> Result<()>;
        fn first_call_input(&self, run_id: &str) -> Result<Option<u64>>;
        fn counterfactual_sums(&self, stage: &str, filter: &CallFilter) -> Result<CounterfactualSums>;
        fn ab_start(&self, t: &AbTest) -> Result<bool>;
        fn ab_stop(&self, name: &str, now_ms: i64) -> Result<bool>;
        fn ab_tests(&self) -> Result<Vec<AbTest>>;
        fn ab_active(&self) -> Result<Option<AbTest>>;
        fn ab_assign(&self, test: &str, run_id: &str, variant: &str, ts_ms: i64) -> Result<()>;
        fn ab_runs(&self, test: &str) -> Result<Vec<AbRun>>;
    }
}

impl Imports for SqliteStore {
    on_a_connection! {
        fn import_files(&self, source: Source) -> Result<Vec<ImportFile>>;
    }

    fn begin_import(&self) -> Result<Box<dyn ImportTx + '_>> {
        Ok(Box::new(self.begin_sqlite_import()?))
    }
}

impl ImportTx for SqliteImportTx<'_> {
    inherent! { SqliteImportTx:
        fn has_calls(&self, source: Source) -> Result<bool>;
        fn calls_estimate(&self) -> Result<u64>;
        fn add_to_rollup(&self, slots: &[SlotSums<'_>]) -> Result<()>;
        fn calls_with_message(&self, source: Source, message_id: &str) -> Result<Vec<StoredCall>>;
        fn insert_call(&self, c: &ImportedCall<'_>) -> Result<i64>;
        fn replace_call(&self, id: i64, c: &ImportedCall<'_>) -> Result<()>;
        fn save_file(&self, source: Source, f: &ImportFile) -> Result<()>;
    }

    fn expect_bulk_load(&mut self) -> Result<()> {
        SqliteImportTx::expect_bulk_load(self)
    }

    fn commit(self: Box<Self>) -> Result<()> {
        SqliteImportTx::commit(*self)
    }
}

impl AgentIndex for SqliteStore {
    on_a_connection! {
        fn library(&self, root: &Path) -> Result<Option<Library>>;
        fn latest_library(&self) -> Result<Option<Library>>;
        fn indexed_files(&self, library: i64) -> Result<HashMap<String, IndexedFile>>;
        fn save_index(&self, root: &Path, changes: &IndexChanges) -> Result<Library>;
        fn search(&self, library: i64, part: IndexPart, terms: &[String], weights: &[f64], limit: usize) -> Result<Vec<(String, f64)>>;
        fn agent_summaries(&self, library: i64, ids: &[String]) -> Result<Vec<AgentSummary>>;
        fn agent_ids(&self, library: i64) -> Result<Vec<String>>;
        fn agent_keywords(&self, library: i64) -> Result<HashMap<String, Vec<String>>>;
        fn library_totals(&self, library: i64) -> Result<LibraryTotals>;
        fn agents_needing_vectors(&self, library: i64, model: &str) -> Result<Vec<AgentTexts>>;
        fn cached_vector(&self, model: &str, text_hash: &str) -> Result<Option<Vec<f32>>>;
        fn save_vectors(&self, library: i64, model: &str, vectors: &[(String, Vec<f32>)], rows: &[AgentVectorRow]) -> Result<()>;
        fn agent_vectors(&self, library: i64, model: &str) -> Result<VectorMatrix>;
        fn project_context(&self, root: &Path) -> Result<Option<ProjectContext>>;
        fn save_project_context(&self, ctx: &ProjectContext) -> Result<()>;
        fn block_tokens(&self, model: &str, text_hash: &str) -> Result<Option<u64>>;
        fn save_block_tokens(&self, model: &str, text_hash: &str, tokens: u64) -> Result<()>;
    }
}
