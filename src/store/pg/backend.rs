//! The shared store's traits (`store::api`) implemented on PostgreSQL: the wiring only; the SQL
//! is in the concern's file of this module.

use anyhow::Result;

use super::PgStore;
use super::imports::PgImport;
use super::ledger::PgLedger;
use crate::records::ab::{AbRun, AbTest};
use crate::records::budget::{Budget, Scope, Totals};
use crate::records::groups::{BudgetLine, CallFilter, Group, GroupBy};
use crate::records::prompt::BlockOutcome;
use crate::records::routing::{OutcomeRow, Verdict};
use crate::records::run::{MessageRecord, RunListing, RunRecord, SubtaskRecord};
use crate::records::suggest::Facts;
use crate::records::usage::{CallRecord, RoutingRecord, Source};
use crate::records::warm::PastCall;
use crate::records::window::{Bounds, Window};
use crate::store::api::{Budgets, Decisions, ImportTx, Imports, Ledger, Runs, TxMode, Usage};
use crate::store::{
    CallFilter as SlotFilter, Counterfactual, CounterfactualSums, Holder, ImportFile, ImportedCall, NewReservation,
    Recovered, SlotSums, StoredCall, Sums,
};

/// Trait methods that call an inherent method (of the given name) on the same type.
macro_rules! calls {
    ($type:ident: $(fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty => $to:ident;)*) => {
        $(fn $name(&self $(, $arg: $ty)*) -> $ret {
            $type::$to(self $(, $arg)*)
        })*
    };
}

impl Usage for PgStore {
    calls! { PgStore:
        fn insert_call(&self, c: &CallRecord) -> Result<i64> => insert_call;
        fn insert_call_blocks(&self, call_id: i64, blocks: &[BlockOutcome]) -> Result<()> => insert_call_blocks;
        fn block_outcomes(&self, model: &str, kind: &str, last: usize) -> Result<(u64, u64, Option<u64>)> => block_outcomes;
        fn cache_by_block(&self, since_ms: i64) -> Result<Vec<(String, String, i64, i64)>> => cache_by_block;
        fn popular_agents(&self, since_ms: i64, limit: usize) -> Result<Vec<String>> => popular_agents;
        fn last_agent_call(&self, agent: &str, model: &str) -> Result<Option<i64>> => last_agent_call;
        fn run_cost(&self, run_id: &str) -> Result<i64> => run_cost;
        fn call_count(&self) -> Result<i64> => call_count;
        fn sums_by_slot(&self, f: &SlotFilter<'_>) -> Result<Vec<Sums>> => pg_sums_by_slot;
        fn sums_by_call(&self, f: &SlotFilter<'_>) -> Result<Vec<Sums>> => pg_sums_by_call;
        fn usage_scan(&self, filter: &CallFilter, specs: &[GroupBy], bands: &[u64]) -> Result<Vec<Vec<Group>>> => pg_usage_scan;
        fn usage_span(&self, filter: &CallFilter) -> Result<Option<(i64, i64)>> => pg_usage_span;
        fn budget_lines(&self) -> Result<Vec<BudgetLine>> => pg_budget_lines;
        fn suggest_facts(&self, since_ms: i64, days: u32, library_agents: &[String]) -> Result<Facts> => pg_suggest_facts;
        fn cache_history(&self, since_ms: i64, project: Option<&str>) -> Result<Vec<PastCall>> => pg_cache_history;
    }

    /// No aggregates to keep: reports aggregate on the server.
    fn fold_rollup_if_behind(&self, _threshold: u64) -> Result<()> {
        Ok(())
    }
}

impl Budgets for PgStore {
    fn ledger_tx(&self, mode: TxMode, f: &mut dyn FnMut(&dyn Ledger) -> Result<()>) -> Result<()> {
        match mode {
            TxMode::Write => self.budget_write(|l| f(l)),
            TxMode::Read => self.budget_read(|l| f(l)),
        }
    }

    calls! { PgStore:
        fn update_pending(&self, key: &str, call: &CallRecord, usage_final: bool) -> Result<bool> => update_pending;
        fn has_reservations(&self) -> Result<bool> => has_reservations;
    }
}

impl Ledger for PgLedger<'_> {
    crate::store::alert_rows::ledger_alert_methods!();

    calls! { PgLedger:
        fn budgets(&self, scope: Scope<'_>) -> Result<Vec<Budget>> => budgets;
        fn budget(&self, project: Option<&str>, window: Window) -> Result<Option<Budget>> => budget;
        fn set_budget(&self, project: Option<&str>, window: Window, micros: Option<i64>, tokens: Option<i64>) -> Result<()> => set_budget;
        fn remove_budget(&self, id: i64) -> Result<bool> => remove_budget;
        fn spent(&self, project: Option<&str>, window: &Bounds) -> Result<Totals> => spent;
        fn reserved(&self, project: Option<&str>, now_ms: i64) -> Result<Totals> => reserved;
        fn insert_reservation(&self, r: &NewReservation<'_>) -> Result<i64> => insert_reservation;
        fn delete_reservation(&self, id: i64, created_ms: i64) -> Result<bool> => delete_reservation;
        fn drop_reservations(&self, project: Option<&str>) -> Result<usize> => drop_reservations;
        fn record_override(&self, ts_ms: i64, kind: &str, detail: &str) -> Result<i64> => record_override;
        fn overrides(&self) -> Result<Vec<(i64, String, String)>> => overrides;
        fn attach_pending(&self, id: i64, holder: &Holder, key: &str, call: Option<&CallRecord>) -> Result<()> => attach_pending;
        fn recover_orphans(&self, now_ms: i64, alive: &dyn Fn(u32, &Holder) -> bool) -> Result<Vec<Recovered>> => recover_orphans;
        fn record_keyed(&self, call: &CallRecord, key: Option<&str>) -> Result<i64> => record_keyed;
        fn record_new(&self, call: &CallRecord, key: &str) -> Result<i64> => record_new;
    }
}

impl Runs for PgStore {
    calls! { PgStore:
        fn save_run(&self, r: &RunRecord) -> Result<()> => pg_save_run;
        fn save_output(&self, run_id: &str, subtask_id: Option<&str>, text: &str) -> Result<i64> => pg_save_output;
        fn save_subtask(&self, s: &SubtaskRecord) -> Result<()> => pg_save_subtask;
        fn save_message(&self, m: &MessageRecord) -> Result<()> => pg_save_message;
        fn list_runs(&self, limit: usize) -> Result<Vec<RunListing>> => pg_list_runs;
        fn run_ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<String>> => pg_run_ids_with_prefix;
        fn run(&self, id: &str) -> Result<Option<RunRecord>> => pg_run;
        fn subtasks(&self, run_id: &str) -> Result<Vec<SubtaskRecord>> => pg_subtasks;
        fn messages(&self, run_id: &str) -> Result<Vec<MessageRecord>> => pg_messages;
        fn output(&self, id: i64) -> Result<Option<String>> => pg_output;
        fn output_bytes(&self, run_id: &str) -> Result<i64> => pg_output_bytes;
    }
}

impl Decisions for PgStore {
    calls! { PgStore:
        fn insert_routing_decision(&self, d: &RoutingRecord) -> Result<i64> => insert_routing_decision;
        fn set_upgrade_reason(&self, decision_id: i64, reason: &str) -> Result<()> => pg_set_upgrade_reason;
        fn insert_verdict(&self, v: &Verdict) -> Result<()> => pg_insert_verdict;
        fn known_run_id(&self, id: &str) -> Result<Option<String>> => pg_known_run_id;
        fn verdicts(&self, run_id: &str) -> Result<Vec<Verdict>> => pg_verdicts;
        fn end_routing_decision(&self, id: i64, outcome: &str, upgraded_to: Option<&str>, reason: Option<&str>) -> Result<()> => pg_end_routing_decision;
        fn end_running_decisions(&self, run_id: &str, outcome: &str) -> Result<usize> => pg_end_running_decisions;
        fn routing_outcomes(&self, since_ms: i64) -> Result<Vec<OutcomeRow>> => pg_routing_outcomes;
        fn insert_counterfactual(&self, c: &Counterfactual) -> Result<()> => pg_insert_counterfactual;
        fn first_call_input(&self, run_id: &str) -> Result<Option<u64>> => pg_first_call_input;
        fn counterfactual_sums(&self, stage: &str, filter: &CallFilter) -> Result<CounterfactualSums> => pg_counterfactual_sums;
        fn ab_start(&self, t: &AbTest) -> Result<bool> => pg_ab_start;
        fn ab_stop(&self, name: &str, now_ms: i64) -> Result<bool> => pg_ab_stop;
        fn ab_tests(&self) -> Result<Vec<AbTest>> => pg_ab_tests;
        fn ab_active(&self) -> Result<Option<AbTest>> => pg_ab_active;
        fn ab_assign(&self, test: &str, run_id: &str, variant: &str, ts_ms: i64) -> Result<()> => pg_ab_assign;
        fn ab_runs(&self, test: &str) -> Result<Vec<AbRun>> => pg_ab_runs;
    }
}

impl Imports for PgStore {
    calls! { PgStore:
        fn import_files(&self, source: Source) -> Result<Vec<ImportFile>> => import_files;
    }

    fn begin_import(&self) -> Result<Box<dyn ImportTx + '_>> {
        Ok(Box::new(PgStore::begin_import(self)?))
    }
}

impl ImportTx for PgImport<'_> {
    calls! { PgImport:
        fn has_calls(&self, source: Source) -> Result<bool> => has_calls;
        fn calls_estimate(&self) -> Result<u64> => calls_estimate;
        fn calls_with_message(&self, source: Source, message_id: &str) -> Result<Vec<StoredCall>> => calls_with_message;
        fn insert_call(&self, c: &ImportedCall<'_>) -> Result<i64> => insert_call;
        fn replace_call(&self, id: i64, c: &ImportedCall<'_>) -> Result<()> => replace_call;
        fn save_file(&self, source: Source, f: &ImportFile) -> Result<()> => save_file;
    }

    /// Every import already goes through COPY.
    fn expect_bulk_load(&mut self) -> Result<()> {
        Ok(())
    }

    /// No aggregates to keep.
    fn add_to_rollup(&self, _slots: &[SlotSums<'_>]) -> Result<()> {
        Ok(())
    }

    fn commit(self: Box<Self>) -> Result<()> {
        PgImport::commit(*self)
    }
}
