use super::*;
use crate::prompt::{CacheStrategy, Parts};
use crate::store::Store;
use crate::usage::{CallRecord, Source};

const SONNET: &str = "claude-sonnet-4-6";
const MIN: i64 = 60_000;
const DAY: i64 = 24 * 60 * MIN;

/// A Wednesday morning.
fn now() -> ZonedDateTime {
    "2026-03-11T08:55:00+00:00[UTC]".parse().unwrap()
}

fn now_ms() -> i64 {
    now().timestamp().as_millisecond()
}

fn record(store: &Store, ts_ms: i64, agent: &str, source: Source) {
    let call = CallRecord::for_test().at(ts_ms).source(source).task("t").agent(agent).model(SONNET).tier("sonnet");
    let call = call.tokens(100, 50).cost_micros(1000).latency_ms(900);
    store.insert_call(&call).unwrap();
}

/// On each of the last seven days, calls to `agent` at these offsets from this time of day.
fn daily(store: &Store, agent: &str, offsets_ms: &[i64]) {
    for back in 1..=7 {
        for offset in offsets_ms {
            record(store, now_ms() - back * DAY + offset, agent, Source::Devteam);
        }
    }
}

fn own_prefix(tokens: u64) -> Result<Prefix, String> {
    Ok(Prefix { segments: vec![Segment { tokens, ttl: Ttl::FiveMinutes, shared: false }], user_tokens: 3 })
}

fn plan_with(store: &Store, prefix: impl Fn(&str) -> Result<Prefix, String>) -> Plan {
    let since = now_ms() - 7 * DAY;
    let history = store.cache_history(since, Some("")).unwrap();
    let prices = PriceTable::load(None).unwrap();
    let candidates = popular(&history, since, 20);
    let prefixes = candidates.into_iter().map(|c| (c.clone(), prefix(&c.agent))).collect();
    plan(&PlanInput { history: &history, now: &now(), lookback_days: 7, prices: &prices }, prefixes).unwrap()
}

fn find<'a>(plan: &'a Plan, agent: &str) -> &'a AgentPlan {
    plan.agents.iter().find(|a| a.agent == agent).unwrap()
}

#[test]
fn a_parallel_fan_out_is_warmed_and_a_lone_call_is_not() {
    let store = Store::open_in_memory().unwrap();
    // Two minutes after this time each day: three subtasks at once (all miss without a warm
    // entry), then one more a minute later (it hits the fan-out's write either way).
    daily(&store, "fanout", &[2 * MIN, 2 * MIN + 300, 2 * MIN + 900, 3 * MIN]);
    daily(&store, "solo", &[2 * MIN]);
    let plan = plan_with(&store, |_| own_prefix(3000));
    assert_eq!((plan.compared, plan.days), (DaysCompared::Weekdays, 5));
    assert_eq!(plan.agents.iter().map(|a| a.agent.as_str()).collect::<Vec<_>>(), ["fanout", "solo"]);

    let fanout = find(&plan, "fanout");
    assert_eq!(fanout.expected_avoided_misses, 3.0);
    // 3 avoided writes of 3000 tokens at ($3.75 - $0.30)/M, for one 5m write plus "ok" and a token out.
    assert!((fanout.expected_saving_usd - 3.0 * 3000.0 * 3.45e-6).abs() < 1e-9);
    assert!((fanout.cost_usd - (3000.0 * 3.75e-6 + (3.0 * 3.0 + 15.0) * 1e-6)).abs() < 1e-9);
    assert!(fanout.warm, "{}", fanout.reason);

    let solo = find(&plan, "solo");
    assert_eq!(solo.expected_avoided_misses, 1.0);
    assert!(solo.expected_saving_usd < solo.cost_usd);
    assert!(!solo.warm);
    assert!(solo.reason.contains("a warm-up followed by one call saves nothing"), "{}", solo.reason);
}

#[test]
fn a_live_entry_is_refreshed_only_when_calls_come_after_it_would_expire() {
    let store = Store::open_in_memory().unwrap();
    // Used three minutes ago today: alive for two more minutes.
    record(&store, now_ms() - 3 * MIN, "late", Source::Devteam);
    record(&store, now_ms() - 3 * MIN, "early", Source::Devteam);
    daily(&store, "late", &[4 * MIN]); // after the live entry expires, within a fresh 5m
    daily(&store, "early", &[MIN]); // the live entry serves it anyway
    let plan = plan_with(&store, |_| own_prefix(3000));

    let late = find(&plan, "late");
    assert!(late.alive && late.warm, "{}", late.reason);
    assert!((late.cost_usd - (3000.0 * 0.30e-6 + 24.0e-6)).abs() < 1e-9, "a refresh is a read");
    assert!(late.reason.contains("refreshing"), "{}", late.reason);

    let early = find(&plan, "early");
    assert!(early.alive && !early.warm);
    assert_eq!(early.expected_avoided_misses, 0.0);
    assert!(early.reason.contains("the entry is alive"), "{}", early.reason);
}

#[test]
fn no_calls_at_this_time_of_day_means_no_warm_up() {
    let store = Store::open_in_memory().unwrap();
    daily(&store, "afternoon", &[5 * 60 * MIN, 5 * 60 * MIN + 10]);
    // A weekend-only fan-out does not count on a Wednesday.
    for back in [3, 4] {
        for offset in [2 * MIN, 2 * MIN + 5] {
            record(&store, now_ms() - back * DAY + offset, "weekend", Source::Devteam);
        }
    }
    let plan = plan_with(&store, |_| own_prefix(3000));
    for agent in ["afternoon", "weekend"] {
        let a = find(&plan, agent);
        assert!(!a.warm && a.expected_avoided_misses == 0.0, "{agent}: {}", a.reason);
        assert!(a.reason.contains("would expire unused"), "{}", a.reason);
    }
}

#[test]
fn shared_blocks_are_paid_for_by_the_first_warm_up_on_a_model() {
    let store = Store::open_in_memory().unwrap();
    daily(&store, "a", &[2 * MIN, 2 * MIN + 1, 2 * MIN + 2, 2 * MIN + 3]);
    daily(&store, "b", &[3 * MIN, 3 * MIN + 1, 3 * MIN + 2]);
    let shared = Segment { tokens: 4000, ttl: Ttl::OneHour, shared: true };
    let own = Segment { tokens: 2000, ttl: Ttl::FiveMinutes, shared: false };
    let plan = plan_with(&store, |_| Ok(Prefix { segments: vec![shared, own], user_tokens: 3 }));
    let (a, b) = (find(&plan, "a"), find(&plan, "b"));
    assert!(a.warm && b.warm, "{} / {}", a.reason, b.reason);
    // a writes both (1h at $6/M, 5m at $3.75/M); b reads the shared block a just wrote.
    assert!((a.cost_usd - (4000.0 * 6e-6 + 2000.0 * 3.75e-6 + 24e-6)).abs() < 1e-9);
    assert!((b.cost_usd - (4000.0 * 0.3e-6 + 2000.0 * 3.75e-6 + 24e-6)).abs() < 1e-9);
    // a's saving counts the shared block once (the model's first group: a's 4 calls); b's only its own.
    let a_saving = 4.0 * 4000.0 * 5.7e-6 + 4.0 * 2000.0 * 3.45e-6;
    assert!((a.expected_saving_usd - a_saving).abs() < 1e-9, "{}", a.expected_saving_usd);
    assert!((b.expected_saving_usd - 3.0 * 2000.0 * 3.45e-6).abs() < 1e-9);
    assert_eq!(a.prefix_tokens, 6000);
}

#[test]
fn agents_without_a_cacheable_prefix_are_skipped_with_the_reason() {
    let store = Store::open_in_memory().unwrap();
    daily(&store, "tiny", &[2 * MIN, 2 * MIN + 1, 2 * MIN + 2]);
    daily(&store, "gone", &[2 * MIN, 2 * MIN + 1, 2 * MIN + 2]);
    let plan = plan_with(&store, |agent| match agent {
        "tiny" => Ok(Prefix { segments: vec![], user_tokens: 3 }),
        _ => Err("no agent `gone` in /lib".to_string()),
    });
    assert!(find(&plan, "tiny").reason.contains("minimum cacheable length"));
    assert_eq!(find(&plan, "gone").reason, "no agent `gone` in /lib");
    assert!(plan.agents.iter().all(|a| !a.warm));
}

#[test]
fn popularity_counts_runs_only_and_picks_each_agents_usual_model() {
    let store = Store::open_in_memory().unwrap();
    for i in 0..5 {
        record(&store, now_ms() - DAY + i, "busy", Source::Devteam);
        record(&store, now_ms() - DAY + i, "warmed-only", Source::WarmCache);
        record(&store, now_ms() - DAY + i, "imported", Source::ClaudeCode);
    }
    record(&store, now_ms() - 2 * DAY, "rare", Source::Devteam);
    record(&store, now_ms() - 30 * DAY, "old", Source::Devteam);
    let history = store.cache_history(now_ms() - 40 * DAY, Some("")).unwrap();
    assert!(history.iter().all(|c| c.agent != "imported"), "Claude Code's calls are not devteam's cache");
    let found = popular(&history, now_ms() - 7 * DAY, 20);
    assert_eq!(found.iter().map(|c| (c.agent.as_str(), c.calls)).collect::<Vec<_>>(), [("busy", 5), ("rare", 1)]);
    assert_eq!(popular(&history, now_ms() - 7 * DAY, 1).len(), 1);
    let mixed = [
        PastCall { ts_ms: 1, agent: "x".into(), model: "m1".into(), warm_up: false },
        PastCall { ts_ms: 2, agent: "x".into(), model: "m2".into(), warm_up: false },
        PastCall { ts_ms: 3, agent: "x".into(), model: "m2".into(), warm_up: false },
    ];
    assert_eq!(popular(&mixed, 0, 5), [Candidate { agent: "x".into(), model: "m2".into(), calls: 2 }]);
}

#[test]
fn a_prefix_has_one_segment_per_breakpoint() {
    let (foundation, project, agent) = ("abcd ".repeat(2000), "abcd ".repeat(1000), "abcd ".repeat(1000));
    let parts = Parts {
        foundation: Some(&foundation),
        project: Some(&project),
        project_shared: true,
        agent_static: &agent,
        agent_dynamic: "Focus: Q4",
        task: "ok",
    };
    let prefix = Prefix::from_layout(&crate::prompt::layout(parts, 1024, CacheStrategy::Mixed));
    let kinds: Vec<(Ttl, bool)> = prefix.segments.iter().map(|s| (s.ttl, s.shared)).collect();
    // The foundation is shared across agents and projects; the project's context after it is
    // the project's, and the agent's part the agent's own.
    assert_eq!(kinds, [(Ttl::OneHour, true), (Ttl::OneHour, false), (Ttl::FiveMinutes, false)]);
    assert_eq!(prefix.tokens(), prefix.segments.iter().map(|s| s.tokens).sum::<u64>());
    assert!(prefix.user_tokens > 0);
}
