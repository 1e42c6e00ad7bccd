//! A tier-up is laid out for its own model: the foundation and breakpoints it sends are the
//! upper model's, so it reads that model's cache entry rather than one no call writes.

use std::sync::Mutex;

use super::*;
use crate::agents::index::{IndexOptions, index_library};
use crate::orchestrator::llm::LlmFuture;
use crate::prompt::BlockKind;

/// Refuses on haiku, answers on any other tier; keeps every call it was sent.
struct RefusesOnHaiku(Mutex<Vec<LlmCall>>);

impl Llm for RefusesOnHaiku {
    fn call(&self, call: LlmCall) -> LlmFuture<'_> {
        Box::pin(async move {
            let stop = if call.tier == "haiku" { Stop::Refusal } else { Stop::Done };
            self.0.lock().unwrap().push(call);
            Ok(LlmReply { text: "ok".into(), stop, model: String::new(), cost_micros: 0 })
        })
    }
}

/// A restructured library of 400 agents whose foundation (12,000 characters) reaches Sonnet's
/// minimum but not Haiku's.
fn library() -> (tempfile::TempDir, Store, Library) {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..400 {
        let folder = dir.path().join(format!("agent-{i:03}"));
        std::fs::create_dir_all(&folder).unwrap();
        let text =
            format!("---\nname: Agent {i}\ndescription: Looks after part {i}. Use it for {i}.\n---\n# Agent {i}\n");
        std::fs::write(folder.join("CLAUDE.md"), text).unwrap();
    }
    std::fs::create_dir_all(dir.path().join("_shared")).unwrap();
    std::fs::write(dir.path().join("_shared/foundation.md"), "f".repeat(12_000)).unwrap();
    let store = Store::open_in_memory().unwrap();
    let options = IndexOptions { card_max_tokens: 200, force: false };
    let library = index_library(&store, dir.path(), options, &|_| {}).unwrap().library.unwrap();
    (dir, store, library)
}

fn foundation_of(call: &LlmCall) -> &str {
    call.layout.system.iter().find(|b| b.kind == BlockKind::Foundation).map_or("", |b| b.text.as_str())
}

// A plain test: under DEVTEAM_TEST_BACKEND=postgres the store drives a runtime of its own,
// which cannot start inside a test's runtime.
#[test]
fn a_refused_call_is_retried_a_tier_up_with_that_models_foundation() {
    let (_dir, store, library) = library();
    let prices = PriceTable::load(None).unwrap();
    let router = Router::default();
    let inputs = Inputs {
        store: &store,
        library: &library,
        prices: &prices,
        router: &router,
        task: "rename a variable",
        agent: Some("agent-007"),
        model_override: Some("haiku".into()),
        pressure: Pressure::Normal,
        project_context: None,
        project_shared: true,
        project_root: None,
        cache: CacheStrategy::Mixed,
        max_tokens: 100,
        shortlist: 5,
        run_id: "r1".into(),
        semantic: None,
    };
    let prepared = prepare(&inputs).unwrap();
    let haiku = foundation_of(&prepared.call);
    assert!(haiku.len() > 12_000 && haiku.contains("- Agent 0 (agent-000)"), "haiku's is extended");
    let up = prepared.up_call.as_ref().expect("a tier to go up to");
    assert_eq!((up.tier.as_str(), foundation_of(up)), ("sonnet", "f".repeat(12_000).as_str()));
    assert!(up.layout.system[0].cache.is_some(), "sonnet's foundation is marked for its own minimum");

    let llm = RefusesOnHaiku(Mutex::new(Vec::new()));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let done = runtime.block_on(execute(&llm, &prepared)).unwrap();
    assert_eq!(done.upgraded_to.as_deref(), Some("sonnet"));
    let sent = llm.0.into_inner().unwrap();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].layout, up.layout, "the tier-up sends the layout made for its model");
}
