use super::*;

fn words(n: usize) -> String {
    "abcd ".repeat(n)
}

fn parts<'a>(foundation: &'a str, project: &'a str, agent: &'a str) -> Parts<'a> {
    Parts {
        foundation: Some(foundation),
        project: Some(project),
        project_shared: true,
        agent_static: agent,
        agent_dynamic: "Focus: Q4",
        task: "fix it",
    }
}

fn marks(l: &Layout) -> Vec<(BlockKind, Option<Ttl>)> {
    l.system.iter().map(|b| (b.kind, b.cache)).collect()
}

#[test]
fn stable_blocks_first_task_last() {
    let (f, p, a) = (words(2000), words(1000), words(1000));
    let l = layout(parts(&f, &p, &a), 1024, CacheStrategy::Mixed);
    assert_eq!(
        marks(&l),
        vec![
            (BlockKind::Foundation, Some(Ttl::OneHour)),
            // Mixed gives the shared blocks an hour and the agent's own part five minutes.
            (BlockKind::Project, Some(Ttl::OneHour)),
            (BlockKind::AgentStatic, Some(Ttl::FiveMinutes)),
        ]
    );
    assert_eq!(l.user.iter().map(|b| b.kind).collect::<Vec<_>>(), vec![BlockKind::AgentDynamic, BlockKind::Task]);
    assert!(l.user.iter().all(|b| b.cache.is_none()), "the changing part is never marked");
}

#[test]
fn prefixes_that_cannot_reach_the_minimum_are_not_marked() {
    // 1,000 characters cannot be 1,024 tokens (3 characters a token at most), nor can 2,000 with
    // the project's context; with the agent's 4,000 more the prefix can.
    let (f, p, a) = (words(200), words(200), words(800));
    let l = layout(parts(&f, &p, &a), 1024, CacheStrategy::Mixed);
    assert_eq!(
        marks(&l),
        vec![
            (BlockKind::Foundation, None),
            (BlockKind::Project, None),
            (BlockKind::AgentStatic, Some(Ttl::FiveMinutes))
        ]
    );
    let small = layout(parts("a", "b", "c"), 1024, CacheStrategy::OneHour);
    assert!(small.system.iter().all(|b| b.cache.is_none()));
}

#[test]
fn strategies_and_off() {
    let (f, p, a) = (words(2000), words(2000), words(2000));
    let all_1h = layout(parts(&f, &p, &a), 1024, CacheStrategy::OneHour);
    assert!(all_1h.system.iter().all(|b| b.cache == Some(Ttl::OneHour)));
    let all_5m = layout(parts(&f, &p, &a), 1024, CacheStrategy::FiveMinutes);
    assert!(all_5m.system.iter().all(|b| b.cache == Some(Ttl::FiveMinutes)));
    let off = layout(parts(&f, &p, &a), 1024, CacheStrategy::Off);
    assert!(off.system.iter().all(|b| b.cache.is_none()));
}

#[test]
fn empty_parts_are_dropped_and_layout_is_deterministic() {
    let a = words(3000);
    let p = Parts {
        foundation: None,
        project: Some("  "),
        project_shared: true,
        agent_static: &a,
        agent_dynamic: "",
        task: "t",
    };
    let l1 = layout(p, 1024, CacheStrategy::Mixed);
    assert_eq!(marks(&l1), vec![(BlockKind::AgentStatic, Some(Ttl::FiveMinutes))]);
    assert_eq!(l1.user.len(), 1);
    let l2 = layout(p, 1024, CacheStrategy::Mixed);
    assert_eq!(serde_json::to_string(&l1).unwrap(), serde_json::to_string(&l2).unwrap());
}

#[test]
fn a_context_not_shared_is_pasted_with_the_task_and_never_marked() {
    let (f, p, a) = (words(2000), words(1000), words(1000));
    let l = layout(Parts { project_shared: false, ..parts(&f, &p, &a) }, 1024, CacheStrategy::Mixed);
    // The stable prefix is the foundation and the agent's part, as when there is no project.
    assert_eq!(
        marks(&l),
        vec![(BlockKind::Foundation, Some(Ttl::OneHour)), (BlockKind::AgentStatic, Some(Ttl::FiveMinutes))]
    );
    let user: Vec<_> = l.user.iter().map(|b| (b.kind, b.text.as_str(), b.cache)).collect();
    assert_eq!(
        user,
        vec![
            (BlockKind::Project, p.as_str(), None),
            (BlockKind::AgentDynamic, "Focus: Q4", None),
            (BlockKind::Task, "fix it", None)
        ]
    );
}
