//! Each rule fires on a store built to show it and stays silent on one that does not.

use super::*;
use crate::prompt::BlockKind;
use crate::prompt::outcome::{BlockOutcome, CacheOutcome};
use crate::store::Store;
use crate::usage::{CallRecord, RoutingRecord, Source};

const MIN: i64 = 60_000;
const HAIKU: &str = "claude-haiku-4-5";

fn call(source: Source, agent: &str, ts_ms: i64, written: u64, read: u64, cost_micros: i64) -> CallRecord {
    let call = CallRecord::for_test().at(ts_ms).source(source).run(&format!("r{ts_ms}")).task("t").agent(agent);
    call.model(HAIKU).tokens(100, 50).cache(written, 0, read).cost_micros(cost_micros).latency_ms(1000)
}

fn now() -> Current {
    Current { one_hour_cache: false, project_context_max_tokens: 4000 }
}

fn rules(store: &Store, agents: &[&str]) -> Vec<&'static str> {
    let ids: Vec<String> = agents.iter().map(|a| a.to_string()).collect();
    let facts = store.suggest_facts(0, 30, &ids).unwrap();
    suggest(&facts, &PriceTable::load(None).unwrap(), now()).into_iter().map(|s| s.rule).collect()
}

/// Ten calls of `agent` `gap` apart, each writing `written` and reading `read`.
fn calls(store: &Store, agent: &str, start: i64, gap: i64, written: u64, read: u64) {
    for i in 0..10 {
        store.insert_call(&call(Source::Devteam, agent, start + i * gap, written, read, 2000)).unwrap();
    }
}

#[test]
fn cache_misses_fire_with_the_reason_and_stay_silent_when_the_cache_is_read() {
    let store = Store::open_in_memory().unwrap();
    calls(&store, "sparse", 0, 20 * MIN, 3000, 0);
    calls(&store, "churning", 0, MIN, 3000, 0);
    calls(&store, "good", 0, MIN, 300, 3000);
    calls(&store, "daily", 0, 1440 * MIN, 3000, 0);
    let facts = store.suggest_facts(0, 30, &[]).unwrap();
    let found = suggest(&facts, &PriceTable::load(None).unwrap(), now());
    let misses: Vec<&Suggestion> = found.iter().filter(|s| s.rule == "cache-misses").collect();
    assert_eq!(misses.len(), 3, "{found:#?}");
    let daily = misses.iter().find(|s| s.title.contains("daily")).unwrap();
    assert!(daily.why.contains("past any cache lifetime") && daily.edit.is_none(), "{}", daily.why);
    let sparse = misses.iter().find(|s| s.title.contains("sparse")).unwrap();
    assert!(sparse.why.contains("past the 5-minute"), "{}", sparse.why);
    // 1-hour entries for every agent lose more on churning, good and daily (each of their writes
    // at the 1-hour rate) than they gain on sparse: advice, not an edit.
    assert!(sparse.edit.is_none() && sparse.why.contains("not proposed"), "{}", sparse.why);
    assert!(found.iter().all(|s| s.edit.is_none()), "{found:#?}");
    // Sparse's own calls: ten writes of 3000 at the 5-minute rate, against one 1-hour write and
    // nine reads.
    let r = PriceTable::load(None).unwrap().find(HAIKU).unwrap().rates;
    let expected = (30_000.0 * r.cache_write_5m - 3000.0 * r.cache_write_1h - 27_000.0 * r.cache_read) / 1e6;
    assert!((sparse.saves_usd - expected).abs() < 1e-9, "{} vs {expected}", sparse.saves_usd);
    let churning = misses.iter().find(|s| s.title.contains("churning")).unwrap();
    assert!(churning.why.contains("prefix changes") && churning.edit.is_none(), "{}", churning.why);
    assert!(misses.iter().all(|s| s.saves_usd > 0.0));
}

fn one_hour_edits(found: &[Suggestion]) -> Vec<&Suggestion> {
    let edit = Some(Edit::Config { key: "cache-strategy".into(), value: "1h".into() });
    found.iter().filter(|s| s.edit == edit).collect()
}

#[test]
fn one_agent_twenty_minutes_apart_does_not_buy_every_agent_an_hour() {
    // Sparse gains from 1-hour entries; eight agents whose calls come three hours apart would pay
    // the 1-hour rate on every write and read none of them: the sum loses, so no global edit.
    let store = Store::open_in_memory().unwrap();
    calls(&store, "sparse", 0, 20 * MIN, 3000, 0);
    for i in 0..8 {
        calls(&store, &format!("rare{i}"), i * MIN, 180 * MIN, 3000, 0);
    }
    let facts = store.suggest_facts(0, 30, &[]).unwrap();
    let found = suggest(&facts, &PriceTable::load(None).unwrap(), now());
    assert!(one_hour_edits(&found).is_empty(), "{found:#?}");
    let sparse = found.iter().find(|s| s.title.contains("sparse")).expect("sparse's advice");
    assert!(sparse.edit.is_none(), "{sparse:#?}");
    // Haiku: 1.25 per million for a 5-minute write, 2.00 for a 1-hour one, 0.10 for a read.
    // Sparse: one 1-hour write and nine reads instead of ten 5-minute writes,
    //   30,000 x 1.25 - 3,000 x 2.00 - 27,000 x 0.10 = 28,800 -> +$0.0288.
    // Each rare agent: ten writes at 2.00 instead of 1.25, 30,000 x 0.75 = 22,500 -> -$0.0225.
    // All: 0.0288 - 8 x 0.0225 = -$0.1512.
    let r = PriceTable::load(None).unwrap().find(HAIKU).unwrap().rates;
    let gain = (30_000.0 * r.cache_write_5m - 3000.0 * r.cache_write_1h - 27_000.0 * r.cache_read) / 1e6;
    let loss = 8.0 * 30_000.0 * (r.cache_write_1h - r.cache_write_5m) / 1e6;
    assert!((sparse.saves_usd - gain).abs() < 1e-9, "{} vs {gain}", sparse.saves_usd);
    let net = format!("costs ${:.4} more", loss - gain);
    assert!(sparse.why.contains(&net) && sparse.why.contains("all 9 agent(s)"), "{net}: {}", sparse.why);
}

#[test]
fn one_hour_entries_are_proposed_when_they_pay_over_every_agent() {
    // Three agents called 10, 25 and 40 minutes apart, one every three hours, and one in a burst a
    // minute apart (its first call writes, the rest read).
    let store = Store::open_in_memory().unwrap();
    for (agent, gap) in [("a", 10), ("b", 25), ("c", 40)] {
        calls(&store, agent, 0, gap * MIN, 2000, 0);
    }
    calls(&store, "rare", 0, 180 * MIN, 2000, 0);
    store.insert_call(&call(Source::Devteam, "burst", 0, 2000, 0, 2000)).unwrap();
    for i in 1..10 {
        store.insert_call(&call(Source::Devteam, "burst", i * MIN, 0, 2000, 2000)).unwrap();
    }
    let facts = store.suggest_facts(0, 30, &[]).unwrap();
    let prices = PriceTable::load(None).unwrap();
    let found = suggest(&facts, &prices, now());
    let edits = one_hour_edits(&found);
    assert_eq!(edits.len(), 1, "{found:#?}");
    // Haiku: 1.25 per million for a 5-minute write, 2.00 for a 1-hour one, 0.10 for a read.
    // Reads gained: nine calls each of a, b, c, 27 x 2,000 x (1.25 - 0.10) = 62,100.
    // Dearer writes: the first calls of a, b, c and burst, and all ten of rare,
    //   14 x 2,000 x (2.00 - 1.25) = 21,000. Burst's nine reads read under both.
    // Net: 62,100 - 21,000 = 41,100 -> $0.0411.
    let r = prices.find(HAIKU).unwrap().rates;
    let expected = (27.0 * 2000.0 * (r.cache_write_5m - r.cache_read)
        - 14.0 * 2000.0 * (r.cache_write_1h - r.cache_write_5m))
        / 1e6;
    assert!((edits[0].saves_usd - expected).abs() < 1e-9, "{} vs {expected}", edits[0].saves_usd);
    assert!((expected - 0.0411).abs() < 1e-9);
    assert!(edits[0].why.contains("27 call(s)") && edits[0].why.contains("14 write(s)"), "{}", edits[0].why);
    // The agents it covers are not proposed again one by one.
    assert!(!found.iter().any(|s| s.title.starts_with("agent a:")), "{found:#?}");
    // Already on 1-hour entries: nothing to propose.
    let on = Current { one_hour_cache: true, ..now() };
    assert!(one_hour_edits(&suggest(&facts, &prices, on)).is_empty());
}

#[test]
fn a_prefix_that_changes_between_calls_gains_nothing_from_an_hour() {
    // Written again a minute after each write (its prefix changes), then 20 minutes later: a
    // 1-hour entry would not be read either, so every write only gets dearer.
    let store = Store::open_in_memory().unwrap();
    for i in 0..5 {
        store.insert_call(&call(Source::Devteam, "moving", i * 21 * MIN, 3000, 0, 2000)).unwrap();
        store.insert_call(&call(Source::Devteam, "moving", i * 21 * MIN + MIN, 3000, 0, 2000)).unwrap();
    }
    let facts = store.suggest_facts(0, 30, &[]).unwrap();
    let found = suggest(&facts, &PriceTable::load(None).unwrap(), now());
    assert!(one_hour_edits(&found).is_empty(), "{found:#?}");
}

#[test]
fn warm_ups_that_are_not_read_are_a_loss() {
    let store = Store::open_in_memory().unwrap();
    for day in 0..5 {
        store.insert_call(&call(Source::WarmCache, "lonely", day * 1440 * MIN, 5000, 0, 7000)).unwrap();
        store.insert_call(&call(Source::WarmCache, "busy", day * 1440 * MIN, 5000, 0, 7000)).unwrap();
        // Busy is read many times within minutes of each warm-up; lonely an hour later, too late.
        for i in 1..=20 {
            store.insert_call(&call(Source::Devteam, "busy", day * 1440 * MIN + i * 10_000, 0, 5000, 600)).unwrap();
        }
        store.insert_call(&call(Source::Devteam, "lonely", day * 1440 * MIN + 60 * MIN, 5000, 0, 7000)).unwrap();
        // A model's shared prefix, read by other agents' calls: no verdict from these facts.
        store.insert_call(&call(Source::WarmCache, crate::warm::SHARED, day * 1440 * MIN, 0, 5000, 7000)).unwrap();
    }
    let facts = store.suggest_facts(0, 30, &[]).unwrap();
    let found = suggest(&facts, &PriceTable::load(None).unwrap(), now());
    let warm: Vec<&Suggestion> = found.iter().filter(|s| s.rule == "warm-up-loss").collect();
    assert_eq!(warm.len(), 1, "{found:#?}");
    assert!(warm[0].title.contains("lonely") && warm[0].saves_usd > 0.0);
}

#[test]
fn budget_blocks_and_unused_agents_need_enough_evidence() {
    let store = Store::open_in_memory().unwrap();
    calls(&store, "a", 0, MIN, 300, 3000);
    assert!(rules(&store, &["a", "b", "c"]).is_empty(), "ten calls are too few to call an agent unused");
    calls(&store, "b", 0, MIN, 300, 3000);
    assert_eq!(rules(&store, &["a", "b", "c"]), vec!["agents-never-chosen"]);
    assert!(rules(&store, &["a", "b"]).is_empty());
    let decision = |outcome: &str, ts_ms| RoutingRecord {
        ts_ms,
        run_id: None,
        subtask_id: None,
        task: "t".into(),
        score: 2.0,
        tier: "haiku".into(),
        model: HAIKU.into(),
        pressure: "normal".into(),
        features: "[]".into(),
        outcome: outcome.into(),
        upgraded_to: None,
    };
    for i in 0..20 {
        store.insert_routing_decision(&decision("ok", i)).unwrap();
    }
    store.insert_routing_decision(&decision("blocked", 30)).unwrap();
    assert!(!rules(&store, &["a", "b"]).contains(&"budget-blocks"), "one block in 21 is a budget doing its job");
    for i in 0..4 {
        store.insert_routing_decision(&decision("blocked", 40 + i)).unwrap();
    }
    assert!(rules(&store, &["a", "b"]).contains(&"budget-blocks"));
}

#[test]
fn an_oversized_project_context_is_capped() {
    let store = Store::open_in_memory().unwrap();
    let block = |tokens, outcome| BlockOutcome { kind: BlockKind::Project, tokens, outcome };
    for (i, tokens) in (0..10).map(|i| (i, 3500)) {
        let id = store.insert_call(&call(Source::Devteam, "a", i * MIN, 0, tokens, 3000)).unwrap();
        store.insert_call_blocks(id, &[block(tokens, CacheOutcome::Read)]).unwrap();
    }
    let facts = store.suggest_facts(0, 30, &[]).unwrap();
    let found = suggest(&facts, &PriceTable::load(None).unwrap(), now());
    let cap = found.iter().find(|s| s.rule == "project-context-oversized").expect("fires");
    assert_eq!(cap.edit, Some(Edit::Config { key: "project-context-max-tokens".into(), value: "1750".into() }));
    let small = Store::open_in_memory().unwrap();
    for i in 0..10 {
        let id = small.insert_call(&call(Source::Devteam, "a", i * MIN, 0, 800, 3000)).unwrap();
        small.insert_call_blocks(id, &[block(800, CacheOutcome::Read)]).unwrap();
    }
    assert!(rules(&small, &[]).is_empty());
}

#[test]
fn planning_that_costs_more_than_a_top_tier_call_is_reported() {
    let facts = |planned_cost| Facts {
        planning: PlanningUse {
            planned_runs: 4,
            planned_cost_micros: planned_cost,
            single_top_runs: 5,
            single_top_cost_micros: 5 * 40_000,
        },
        ..Facts::default()
    };
    let prices = PriceTable::load(None).unwrap();
    let costly = suggest(&facts(4 * 90_000), &prices, now());
    assert_eq!(costly.len(), 1);
    assert_eq!(costly[0].rule, "planning-did-not-pay");
    assert!((costly[0].saves_usd - 4.0 * 0.05).abs() < 1e-9, "{}", costly[0].saves_usd);
    assert!(suggest(&facts(4 * 30_000), &prices, now()).is_empty());
}

#[test]
fn learned_routing_savings_are_a_suggestion_to_apply() {
    let prices = PriceTable::load(None).unwrap();
    let f = Facts { routing_down: 12, routing_saving_micros: 150_000, ..Facts::default() };
    let s = suggest(&f, &prices, now());
    assert_eq!((s[0].rule, s[0].edit.clone()), ("tier-too-high", Some(Edit::LearnRouting)));
    assert!(suggest(&Facts::default(), &prices, now()).is_empty());
}
