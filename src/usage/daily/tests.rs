use super::*;
use crate::store::ImportedCall;

fn ms(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

fn store_with(calls: &[(&str, &str, u64, i64)]) -> Store {
    let store = Store::open_in_memory().unwrap();
    let tx = store.begin_import().unwrap();
    for (i, (ts, model, output, cost)) in calls.iter().enumerate() {
        let mid = format!("m{i}");
        tx.insert_call(&ImportedCall {
            ts_ms: ms(ts),
            source: Source::ClaudeCode,
            project: "p",
            session_id: "s",
            model,
            tier: "",
            tokens: TokenUsage { input: 1, output: *output, cache_write_5m: 2, cache_write_1h: 3, cache_read: 4 },
            cost_micros: *cost,
            request_id: None,
            message_id: &mid,
            is_sidechain: false,
            outcome: "ok",
        })
        .unwrap();
    }
    tx.commit().unwrap();
    store
}

fn report(store: &Store, tz: &str, since: Option<&str>, until: Option<&str>) -> DailyReport {
    let tz = jiff::tz::TimeZone::get(tz).unwrap();
    let q = DailyQuery {
        source: None,
        project: None,
        since: since.map(|d| parse_date(d, "--since").unwrap()),
        until: until.map(|d| parse_date(d, "--until").unwrap()),
        tz: &tz,
    };
    daily(store, &PriceTable::load(None).unwrap(), &q).unwrap()
}

#[test]
fn days_follow_the_time_zone_and_models_are_broken_down_by_cost() {
    let store = store_with(&[
        ("2026-05-01T10:00:00Z", "claude-haiku-4-5-20251001", 10, 1_000),
        ("2026-05-01T11:00:00Z", "claude-opus-4-5-20251101", 20, 9_000),
        ("2026-05-01T23:30:00Z", "claude-haiku-4-5-20251001", 30, 2_000),
    ]);
    let utc = report(&store, "UTC", None, None);
    assert_eq!(utc.daily.len(), 1);
    let day = &utc.daily[0];
    assert_eq!(day.models_used, vec!["claude-haiku-4-5-20251001", "claude-opus-4-5-20251101"]);
    assert_eq!(day.model_breakdowns[0].model_name, "claude-opus-4-5-20251101");
    assert_eq!((day.output_tokens, day.cache_creation_tokens, day.total_tokens), (60, 15, 90));
    assert!((day.total_cost - 0.012).abs() < 1e-12);
    let tokyo = report(&store, "Asia/Tokyo", None, None);
    let dates: Vec<_> = tokyo.daily.iter().map(|d| d.date.as_str()).collect();
    assert_eq!(dates, vec!["2026-05-01", "2026-05-02"]);
    assert_eq!(tokyo.totals, utc.totals);
}

#[test]
fn since_and_until_are_local_days_inclusive() {
    let store = store_with(&[
        ("2026-05-01T12:00:00Z", "claude-haiku-4-5", 1, 1),
        ("2026-05-02T12:00:00Z", "claude-haiku-4-5", 2, 1),
        ("2026-05-03T12:00:00Z", "claude-haiku-4-5", 4, 1),
    ]);
    let r = report(&store, "UTC", Some("20260502"), Some("2026-05-02"));
    assert_eq!(r.daily.len(), 1);
    assert_eq!(r.totals.output_tokens, 2);
    let r = report(&store, "America/New_York", Some("2026-05-02"), None);
    assert_eq!(r.totals.output_tokens, 6);
}

#[test]
fn placeholders_count_in_totals_but_get_no_breakdown_and_unpriced_models_are_flagged() {
    let store = store_with(&[
        ("2026-05-01T10:00:00Z", "<synthetic>", 0, 0),
        ("2026-05-01T10:00:00Z", "", 5, 0),
        ("2026-05-01T10:00:00Z", "claude-future-9", 7, 0),
    ]);
    let r = report(&store, "UTC", None, None);
    let day = &r.daily[0];
    assert_eq!(day.models_used, vec!["claude-future-9"]);
    assert!(day.model_breakdowns[0].missing_pricing);
    assert_eq!(day.output_tokens, 12);
    assert_eq!(r.totals.unpriced_models, vec!["claude-future-9"]);
}

#[test]
fn a_zone_whose_offset_is_not_whole_slots_is_summed_per_call() {
    // Liberia kept -0:44:30 until 1972: its midnight fell at 00:44:30 UTC, inside the slot
    // starting 00:30, so a call at 00:44:40 UTC is on the next local day only if read exactly.
    let store = store_with(&[("1970-06-02T00:44:40Z", "claude-haiku-4-5", 1, 1)]);
    let r = report(&store, "Africa/Monrovia", None, None);
    assert_eq!(r.daily[0].date, "1970-06-02");
    let r = report(&store, "Africa/Monrovia", Some("1970-06-01"), Some("1970-06-01"));
    assert!(r.daily.is_empty());
}

#[test]
fn dates_are_checked() {
    assert!(parse_date("2026-02-30", "--since").is_err());
    assert!(parse_date("yesterday", "--since").is_err());
    assert_eq!(parse_date("20260102", "--since").unwrap().to_string(), "2026-01-02");
}

#[test]
fn the_json_has_ccusage_field_names_in_its_order() {
    let store = store_with(&[("2026-05-01T10:00:00Z", "claude-haiku-4-5", 1, 1)]);
    let json = serde_json::to_string(&report(&store, "UTC", None, None)).unwrap();
    let expected = r#"{"daily":[{"cacheCreationTokens":5,"cacheReadTokens":4,"date":"2026-05-01","inputTokens":1,"modelBreakdowns":[{"cacheCreationTokens":5,"cacheReadTokens":4,"cost":1e-6,"inputTokens":1,"modelName":"claude-haiku-4-5","outputTokens":1}],"modelsUsed":["claude-haiku-4-5"],"outputTokens":1,"totalCost":1e-6,"totalTokens":11}],"totals":{"cacheCreationTokens":5,"cacheReadTokens":4,"inputTokens":1,"outputTokens":1,"totalCost":1e-6,"totalTokens":11}}"#;
    assert_eq!(json, expected);
}
