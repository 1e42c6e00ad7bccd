//! The shared store against a real PostgreSQL (skipped, with a line saying so, when
//! `DEVTEAM_TEST_PG_URL` names none).

use std::sync::{Arc, Barrier};

use super::testing::fresh_database;
use super::*;
use crate::budget::{Scope, Window};
use crate::pricing::TokenUsage;
use crate::store::api::Ledger as _;
use crate::store::{Holder, NewReservation};
use crate::usage::{CallRecord, Source};

const NOON: i64 = 1_780_000_000_000;

fn call(cost: i64) -> CallRecord {
    let call = CallRecord::for_test().at(NOON).run("r1").task("t").agent("a").model("claude-sonnet-4-5").tier("sonnet");
    call.tokens(10, 5).cost_micros(cost).latency_ms(3).request_id("req")
}

fn day() -> crate::budget::Bounds {
    let at = jiff::Timestamp::from_millisecond(NOON).unwrap();
    Window::Daily.bounds(at, &jiff::tz::TimeZone::UTC).unwrap()
}

fn reservation(amount: i64) -> NewReservation<'static> {
    NewReservation {
        created_ms: NOON,
        expires_ms: NOON + 60_000,
        project: "",
        amount_micros: amount,
        tokens: 0,
        pid: std::process::id(),
        label: "race",
    }
}

#[test]
fn calls_and_budgets_round_trip() {
    let Some(url) = fresh_database("store::pg::calls_and_budgets_round_trip") else { return };
    let store = PgStore::connect(&url).unwrap();
    assert_eq!(store.insert_call(&call(35)).unwrap(), 1);
    assert_eq!(store.call_count().unwrap(), 1);
    assert_eq!(store.run_cost("r1").unwrap(), 35);
    store.budget_write(|l| l.set_budget(None, Window::Daily, Some(1_000), None)).unwrap();
    store.budget_write(|l| l.set_budget(Some("shop"), Window::Hourly, None, Some(99))).unwrap();
    let budgets = store.budget_read(|l| l.budgets(Scope::All)).unwrap();
    assert_eq!(budgets.len(), 2);
    assert_eq!(budgets[0].project, None, "global first");
    assert_eq!(store.budget_read(|l| l.spent(None, &day())).unwrap().micros, 35);
    assert!(store.budget_write(|l| l.record_alert(budgets[0].id, 0, 70, NOON, 800)).unwrap());
    assert!(!store.budget_write(|l| l.record_alert(budgets[0].id, 0, 70, NOON, 800)).unwrap(), "once per window");
    assert_eq!(store.budget_read(|l| l.alerts(budgets[0].id, 0)).unwrap(), vec![70]);
    // Reconnecting finds the schema current and the rows there.
    drop(store);
    assert_eq!(PgStore::connect(&url).unwrap().call_count().unwrap(), 1);
}

#[test]
fn a_failed_transaction_leaves_nothing() {
    let Some(url) = fresh_database("store::pg::a_failed_transaction_leaves_nothing") else { return };
    let store = PgStore::connect(&url).unwrap();
    let r: Result<()> = store.budget_write(|l| {
        l.insert_reservation(&reservation(5))?;
        anyhow::bail!("changed my mind")
    });
    assert!(r.is_err());
    assert!(!store.has_reservations().unwrap());
}

/// Eight spenders, each on its own connection as separate hosts would be, check and reserve in
/// one locked transaction: the window never ends over its limit.
#[test]
fn eight_spenders_on_one_server_never_overrun_the_budget() {
    let Some(url) = fresh_database("store::pg::eight_spenders_on_one_server_never_overrun_the_budget") else { return };
    let limit = 1_000_000;
    PgStore::connect(&url).unwrap().budget_write(|l| l.set_budget(None, Window::Daily, Some(limit), None)).unwrap();
    let start = Arc::new(Barrier::new(8));
    let spenders: Vec<_> = (0..8)
        .map(|seed: i64| {
            let (url, start) = (url.clone(), Arc::clone(&start));
            std::thread::spawn(move || {
                let store = PgStore::connect(&url).unwrap();
                start.wait();
                let mut settled = 0;
                for i in 0..200 {
                    let worst = 20_000 + (seed * 7 + i) % 5 * 5_000;
                    let held = store
                        .budget_write(|l| -> Result<Option<i64>> {
                            let spent = l.spent(None, &day())?.micros + l.reserved(None, NOON)?.micros;
                            let cap = l.budgets(Scope::All)?[0].limit_micros.unwrap();
                            (spent + worst <= cap).then(|| l.insert_reservation(&reservation(worst))).transpose()
                        })
                        .unwrap();
                    let Some(id) = held else { break };
                    store
                        .budget_write(|l| -> Result<()> {
                            assert!(l.delete_reservation(id, NOON)?);
                            l.insert_call(&call(worst * (60 + (seed + i) % 5 * 10) / 100)).map(drop)
                        })
                        .unwrap();
                    settled += 1;
                }
                settled
            })
        })
        .collect();
    let settled: i64 = spenders.into_iter().map(|h| h.join().unwrap()).sum();
    let store = PgStore::connect(&url).unwrap();
    let spent = store.budget_read(|l| l.spent(None, &day())).unwrap().micros;
    assert!(spent <= limit, "the window ended over its limit: {spent}");
    assert!(spent >= limit * 6 / 10, "the budget was used: {spent}");
    assert_eq!(store.call_count().unwrap(), settled);
    assert!(!store.has_reservations().unwrap());
}

#[test]
fn an_orphan_is_charged_once_even_when_two_hosts_recover_it() {
    let Some(url) = fresh_database("store::pg::an_orphan_is_charged_once_even_when_two_hosts_recover_it") else {
        return;
    };
    let store = PgStore::connect(&url).unwrap();
    let holder = Holder { pid: 1, host: "gone".into(), start: String::new() };
    store
        .budget_write(|l| -> Result<()> {
            let id = l.insert_reservation(&reservation(50_000))?;
            l.attach_pending(id, &holder, "k1", Some(&call(10)))
        })
        .unwrap();
    assert!(store.update_pending("k1", &call(12), false).unwrap());
    let other = PgStore::connect(&url).unwrap();
    let dead = |_: u32, _: &Holder| false;
    let a = store.budget_write(|l| l.recover_orphans(NOON, &dead)).unwrap();
    let b = other.budget_write(|l| l.recover_orphans(NOON, &dead)).unwrap();
    assert_eq!(a.len() + b.len(), 1, "{a:?} {b:?}");
    assert_eq!(store.call_count().unwrap(), 1);
    assert_eq!(store.budget_read(|l| l.spent(None, &day())).unwrap().micros, 50_000, "charged at the reservation");
    // The call's own settle arrives late: it corrects the charge instead of adding one.
    store.budget_write(|l| l.record_keyed(&call(12), Some("k1"))).unwrap();
    assert_eq!(store.call_count().unwrap(), 1);
    assert_eq!(store.budget_read(|l| l.spent(None, &day())).unwrap().micros, 12);
}

#[test]
fn bad_connection_strings_say_what_is_wrong_and_hide_the_password() {
    let err = PgStore::connect("postgres://u:hunter2@127.0.0.1:notaport/db").err().unwrap();
    let text = format!("{err:#}");
    assert!(text.contains("bad PostgreSQL connection string"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    // Nothing listens on port 1: a clear "cannot reach", quickly, not a hang.
    let err = PgStore::connect("postgres://u:hunter2@127.0.0.1:1/db").err().unwrap();
    let text = format!("{err:#}");
    assert!(text.contains("cannot reach the shared store"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn a_wrong_password_is_named() {
    let Some(url) = fresh_database("store::pg::a_wrong_password_is_named") else { return };
    let Some((head, tail)) = url.split_once('@') else { return };
    let Some((user, _)) = head.rsplit_once(':').filter(|(u, _)| u.contains("//") && !u.ends_with('/')) else {
        return; // a URL without a password: nothing to get wrong
    };
    let err = PgStore::connect(&format!("{user}:wrong-password@{tail}")).err().unwrap();
    let text = format!("{err:#}");
    assert!(text.contains("password authentication failed"), "{text}");
    assert!(!text.contains("wrong-password"), "{text}");
}

#[test]
fn a_newer_schema_is_refused() {
    let Some(url) = fresh_database("store::pg::a_newer_schema_is_refused") else { return };
    let store = PgStore::connect(&url).unwrap();
    store.execute("UPDATE devteam_schema SET version = 999", &[]).unwrap();
    let err = PgStore::connect(&url).err().unwrap();
    assert!(format!("{err:#}").contains("newer than this devteam knows"), "{err:#}");
    assert_eq!(store.call_count().unwrap(), 0, "nothing was touched");
}

#[test]
fn works_from_inside_a_tokio_runtime() {
    let Some(url) = fresh_database("store::pg::works_from_inside_a_tokio_runtime") else { return };
    let store = PgStore::connect(&url).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let n = rt.block_on(async { store.insert_call(&call(1)).unwrap() });
    assert_eq!(n, 1);
}

fn imported(message_id: &str, output: u64) -> crate::store::ImportedCall<'_> {
    crate::store::ImportedCall {
        ts_ms: NOON,
        source: Source::ClaudeCode,
        project: "p\twith a tab",
        session_id: "s",
        model: "claude-haiku-4-5",
        tier: "haiku",
        tokens: TokenUsage { input: 1, output, ..TokenUsage::default() },
        cost_micros: 5,
        request_id: Some("r"),
        message_id,
        is_sidechain: false,
        outcome: "ok",
    }
}

#[test]
fn an_import_goes_through_copy_and_a_second_host_adds_no_duplicate() {
    let Some(url) = fresh_database("store::pg::an_import_goes_through_copy_and_a_second_host_adds_no_duplicate") else {
        return;
    };
    let store = PgStore::connect(&url).unwrap();
    let ids: Vec<String> = (0..25_000).map(|i| format!("msg_{i}")).collect();
    let tx = store.begin_import().unwrap();
    assert!(!tx.has_calls(Source::ClaudeCode).unwrap());
    let first = tx.insert_call(&imported(&ids[0], 2)).unwrap();
    // A later line of the same message wins while the call is still buffered.
    let found = tx.calls_with_message(Source::ClaudeCode, &ids[0]).unwrap();
    assert_eq!((found.len(), found[0].id), (1, first));
    tx.replace_call(first, &imported(&ids[0], 9)).unwrap();
    for id in &ids[1..] {
        tx.insert_call(&imported(id, 1)).unwrap();
    }
    // Past the COPY threshold, the first calls are on the server: replaced there by UPDATE.
    let sent = tx.calls_with_message(Source::ClaudeCode, &ids[1]).unwrap();
    tx.replace_call(sent[0].id, &imported(&ids[1], 7)).unwrap();
    tx.commit().unwrap();
    assert_eq!(store.call_count().unwrap(), 25_000);
    let out = store.query("SELECT SUM(output_tokens)::BIGINT, MAX(project) FROM calls", &[]).unwrap();
    assert_eq!(out[0].get::<_, i64>(0), 9 + 7 + 24_998);
    assert_eq!(out[0].get::<_, String>(1), "p\twith a tab", "COPY's text format escaped");
    // Another host importing the same messages without seeing them adds nothing.
    let again = store.begin_import().unwrap();
    for id in &ids[..10] {
        again.insert_call(&imported(id, 1)).unwrap();
    }
    again.commit().unwrap();
    assert_eq!(store.call_count().unwrap(), 25_000);
}

#[test]
fn an_import_dropped_before_commit_leaves_nothing_and_frees_its_connection() {
    let Some(url) =
        fresh_database("store::pg::an_import_dropped_before_commit_leaves_nothing_and_frees_its_connection")
    else {
        return;
    };
    let store = PgStore::connect(&url).unwrap();
    for _ in 0..6 {
        let tx = store.begin_import().unwrap();
        tx.insert_call(&imported("m", 1)).unwrap();
        drop(tx);
    }
    assert_eq!(store.call_count().unwrap(), 0);
}

#[test]
fn the_shared_store_contract_holds_on_postgresql() {
    let Some(url) = fresh_database("store::pg::the_shared_store_contract_holds_on_postgresql") else { return };
    crate::store::contract_tests::all(std::sync::Arc::new(PgStore::connect(&url).unwrap()));
}
