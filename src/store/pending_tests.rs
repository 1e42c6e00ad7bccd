use super::*;
use crate::store::Store;

fn reserve(store: &Store, holder: &Holder, key: &str, call: Option<&CallRecord>, expires_ms: i64) -> i64 {
    store
        .budget_write(|l| -> Result<i64> {
            let id = l.insert_reservation(&crate::store::NewReservation {
                created_ms: 1_000,
                expires_ms,
                project: "",
                amount_micros: 50_000,
                tokens: 10,
                pid: holder.pid,
                label: "test",
            })?;
            l.attach_pending(id, holder, key, call)?;
            Ok(id)
        })
        .unwrap()
}

fn calls(store: &Store) -> Vec<(i64, String, i64)> {
    store.db(|db| {
        let mut stmt = db.conn.prepare("SELECT cost_micros, outcome, input_tokens FROM calls ORDER BY id").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().collect::<rusqlite::Result<_>>().unwrap()
    })
}

fn record(cost: i64, input: u64) -> CallRecord {
    let call = CallRecord::for_test().at(1_000).task("test").model("claude-sonnet-4-5").tier("");
    call.tokens(input, 0).cost_micros(cost)
}

fn holder(pid: u32) -> Holder {
    Holder { pid, host: "h".into(), start: "s".into() }
}

#[test]
fn a_dead_holders_reservation_becomes_an_unsettled_charge_never_less_than_the_usage_seen() {
    let store = Store::open_in_memory().unwrap();
    reserve(&store, &holder(7), "k7", Some(&record(0, 0)), i64::MAX);
    reserve(&store, &holder(8), "k8", Some(&record(0, 0)), i64::MAX);
    assert!(store.update_pending("k8", &record(80_000, 900), false).unwrap());
    let alive = |pid: u32, _: &Holder| pid == 7;
    let got = store.budget_write(|l| l.recover_orphans(5_000, &alive)).unwrap();
    assert_eq!(got.len(), 1, "only the dead holder's reservation is charged");
    assert_eq!(calls(&store), vec![(80_000, UNSETTLED.to_string(), 900)], "usage seen exceeds the reservation");
    let held = store.budget_read(|l| l.reserved(None, 0)).unwrap();
    assert_eq!(held.micros, 50_000, "the live one is still held");
}

#[test]
fn final_usage_is_charged_as_reported_and_expiry_recovers_a_live_holder_corrected_by_a_late_settle() {
    let store = Store::open_in_memory().unwrap();
    reserve(&store, &holder(9), "k9", Some(&record(0, 0)), 2_000);
    store.update_pending("k9", &record(1_234, 77), true).unwrap();
    let got = store.budget_write(|l| l.recover_orphans(3_000, &|_, _| true)).unwrap();
    assert_eq!(got[0].cost_micros, 1_234);
    assert_eq!(calls(&store), vec![(1_234, "ok".to_string(), 77)]);
    store.budget_write(|l| l.record_keyed(&record(2_000, 80), Some("k9"))).unwrap();
    assert_eq!(calls(&store), vec![(2_000, "ok".to_string(), 80)], "corrected in place, not recorded twice");
}

#[test]
fn a_reservation_without_a_pending_call_is_charged_at_its_amount() {
    let store = Store::open_in_memory().unwrap();
    reserve(&store, &holder(3), "", None, 2_000);
    store.budget_write(|l| l.recover_orphans(2_000, &|_, _| true)).unwrap();
    assert_eq!(calls(&store), vec![(50_000, UNSETTLED.to_string(), 0)]);
}
