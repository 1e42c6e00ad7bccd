//! The foundation a library's calls send, extended with the team's directory where a tier's
//! model needs it to be cached.
//!
//! On a model whose minimum cacheable prefix is above the foundation (Haiku 4.5 wants 4,096
//! tokens; the demo library's foundation is about 3,000), the foundation is never cached on its
//! own: each call sends it as fresh input, and only a later call of the same agent on the same
//! model can read the longer prefix that includes the agent. Extending the foundation with the
//! library's own directory (each agent's name and what it does, which an agent uses to hand work
//! on) up to that minimum makes one entry that every call on the model reads, whatever the
//! agent. Each model gets its own foundation: cache entries are per model anyway, so a model
//! whose minimum the foundation already reaches (Sonnet's 1,024, Opus 5.5's 512) is sent the
//! foundation as written and pays nothing for lines only another model needs. A tier-up is laid
//! out again for its own model (`single::Prepared::up_call`), so it reads that model's entry.
//! The foundation is extended only with the library's own material (never padded), only when
//! the write pays within a few calls on the model (`MAX_BREAK_EVEN_CALLS`), and not at all with
//! caching off.

use anyhow::Result;

use super::agent_text;
use crate::pricing::ModelInfo;
use crate::project::reach::{break_even_calls, chars_to_reach};
use crate::prompt::{CacheStrategy, Ttl};
use crate::store::{Library, Store};

/// Agents whose summaries are read at a time while the directory is built: only as many as the
/// minimum needs are read, however large the library.
const BATCH: usize = 64;

/// The extended foundation must pay within this many calls of its lifetime. The bar is higher
/// than a project's (`project::reach`, 3) because one entry serves every call on the model,
/// whatever the agent and the project: on Haiku 4.5 a 3,000-token foundation extended to 4,096
/// pays from the 4th call within an hour (2x to write, 0.1x to read, against 1x every time).
const MAX_BREAK_EVEN_CALLS: u32 = 6;

/// Extra room on a counted extension: the directory's lines are names and first sentences,
/// which need not tokenize like the foundation's prose.
const COUNTED_MARGIN: f64 = 1.1;

/// The heading of the directory, which also marks where the foundation as written ends.
const HEADING: &str = "\n\n## Your teammates (part of the team's directory, for hand-offs)\n";

/// The library's foundation for a call on `model`: `base`, the foundation as written (read once
/// by a run for all its models), or that extended with the directory to the model's cache
/// minimum when that pays.
pub fn for_model(
    store: &Store,
    library: &Library,
    base: String,
    cache: CacheStrategy,
    model: &ModelInfo,
) -> Result<String> {
    let ttl = match cache {
        CacheStrategy::Off => return Ok(base),
        CacheStrategy::FiveMinutes => Ttl::FiveMinutes,
        CacheStrategy::Mixed | CacheStrategy::OneHour => Ttl::OneHour,
    };
    let base_chars = base.chars().count();
    let needed = match store.index().block_tokens(&model.id, &agent_text::text_hash(&base))? {
        Some(tokens) => chars_to_reach_counted(model, base_chars, tokens),
        None => chars_to_reach(model),
    };
    if needed <= base_chars || break_even_calls(base_chars, needed, model, ttl, MAX_BREAK_EVEN_CALLS).is_none() {
        return Ok(base);
    }
    Ok(match directory(store, library, needed - base_chars)? {
        Some(lines) => format!("{}{HEADING}{lines}", base.trim_end()),
        None => base,
    })
}

/// The characters the foundation must have to reach `model`'s minimum when the API counted
/// its `base_chars` as `tokens`: the missing tokens at the foundation's own characters per
/// token, with `COUNTED_MARGIN` for directory lines tokenizing less densely than the text.
fn chars_to_reach_counted(model: &ModelInfo, base_chars: usize, tokens: u64) -> usize {
    let missing = model.min_cacheable_tokens.saturating_sub(tokens);
    if missing == 0 || tokens == 0 {
        return if tokens == 0 { chars_to_reach(model) } else { base_chars };
    }
    let per_token = base_chars as f64 / tokens as f64;
    base_chars + (missing as f64 * per_token * COUNTED_MARGIN).ceil() as usize
}

/// At least `chars` characters of directory lines, agents in id order (so every run of the
/// library sends the same text); `None` when the whole directory is shorter.
fn directory(store: &Store, library: &Library, chars: usize) -> Result<Option<String>> {
    let index = store.index();
    let mut ids = index.agent_ids(library.id)?;
    ids.sort_unstable();
    let (mut out, mut added) = (String::new(), HEADING.len());
    for batch in ids.chunks(BATCH) {
        for agent in index.agent_summaries(library.id, batch)? {
            let line = line(&agent.id, &agent.name, &agent.description);
            added += line.chars().count();
            out.push_str(&line);
            if added >= chars {
                return Ok(Some(out));
            }
        }
    }
    Ok(None)
}

/// `- Name (id): the description's first sentence`.
fn line(id: &str, name: &str, description: &str) -> String {
    let description = description.split_whitespace().collect::<Vec<_>>().join(" ");
    let first = match description.find(". ") {
        Some(end) => &description[..=end],
        None => description.as_str(),
    };
    format!("- {name} ({id}): {}\n", first.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::index::{IndexOptions, index_library};
    use crate::pricing::PriceTable;

    fn foundation(store: &Store, lib: &Library, cache: CacheStrategy, model: &ModelInfo) -> Result<Option<String>> {
        let base = agent_text::foundation(&lib.root)?;
        base.map(|b| for_model(store, lib, b, cache, model)).transpose()
    }

    /// A restructured library of `agents` agents with a foundation of `foundation_chars`.
    fn library(agents: usize, foundation_chars: usize) -> (tempfile::TempDir, Store, Library) {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..agents {
            let folder = dir.path().join(format!("agent-{i:03}"));
            std::fs::create_dir_all(&folder).unwrap();
            let text = format!(
                "---\nname: Agent {i}\ndescription: Looks after part {i} of the system. Use it for {i}.\n---\n# Agent {i}\n"
            );
            std::fs::write(folder.join("CLAUDE.md"), text).unwrap();
        }
        let shared = dir.path().join("_shared");
        std::fs::create_dir_all(&shared).unwrap();
        std::fs::write(shared.join("foundation.md"), "f".repeat(foundation_chars)).unwrap();
        let store = Store::open_in_memory().unwrap();
        let options = IndexOptions { card_max_tokens: 200, force: false };
        let library = index_library(&store, dir.path(), options, &|_| {}).unwrap().library.unwrap();
        (dir, store, library)
    }

    #[test]
    fn the_foundation_reaches_the_models_minimum_with_whole_directory_lines() {
        let prices = PriceTable::load(None).unwrap();
        let haiku = prices.model("haiku").unwrap();
        let (_dir, store, lib) = library(400, 12_000);
        let extended = foundation(&store, &lib, CacheStrategy::Mixed, haiku).unwrap().unwrap();
        let needed = chars_to_reach(haiku);
        assert!(needed > 12_000, "the shipped haiku tier's minimum is above this foundation");
        let chars = extended.chars().count();
        assert!(chars >= needed, "{chars} < {needed}");
        // Lines are added only until the minimum is reached: the last one crossed it.
        let last = extended.lines().last().unwrap();
        assert!(chars - last.chars().count() - 1 < needed, "one line too many");
        assert!(extended.starts_with(&"f".repeat(12_000)) && extended.contains("- Agent 0 (agent-000): Looks after"));
        assert_eq!(extended, foundation(&store, &lib, CacheStrategy::Mixed, haiku).unwrap().unwrap(), "stable");
    }

    #[test]
    fn the_foundation_is_left_as_written_when_extending_cannot_or_need_not_be_done() {
        let prices = PriceTable::load(None).unwrap();
        let (haiku, sonnet) = (prices.model("haiku").unwrap(), prices.model("sonnet").unwrap());
        let (_dir, store, lib) = library(3, 12_000);
        let as_written = "f".repeat(12_000);
        let unchanged = |cache, model| foundation(&store, &lib, cache, model).unwrap().unwrap();
        assert_eq!(unchanged(CacheStrategy::Mixed, haiku), as_written, "too small a directory: never padded");
        assert_eq!(unchanged(CacheStrategy::Off, haiku), as_written, "nothing is cached");
        let (_dir, store, lib) = library(400, 12_000);
        assert!(chars_to_reach(sonnet) < 12_000, "the shipped sonnet tier's minimum is below this foundation");
        let for_sonnet = foundation(&store, &lib, CacheStrategy::Mixed, sonnet).unwrap().unwrap();
        assert_eq!(for_sonnet, as_written, "a model whose minimum the foundation reaches gets it as written");
        let (_dir, store, lib) = library(400, 40_000);
        assert_eq!(foundation(&store, &lib, CacheStrategy::Mixed, haiku).unwrap().unwrap(), "f".repeat(40_000));
    }

    #[test]
    fn a_counted_foundation_is_extended_by_its_own_characters_per_token() {
        let prices = PriceTable::load(None).unwrap();
        let haiku = prices.model("haiku").unwrap();
        let (_dir, store, lib) = library(400, 12_000);
        let hash = agent_text::text_hash(&"f".repeat(12_000));
        let chars = |tokens: u64| {
            store.index().save_block_tokens(&haiku.id, &hash, tokens).unwrap();
            foundation(&store, &lib, CacheStrategy::Mixed, haiku).unwrap().unwrap().chars().count()
        };
        // 4 characters a token: 1,096 tokens missing, 4,822 characters with the margin, against
        // the estimate's 4,096 x 4.2 = 17,204 in all.
        let at_four = chars(3_000);
        assert!((16_822..16_822 + 120).contains(&at_four), "{at_four}");
        // 3 characters a token: 96 tokens missing.
        let at_three = chars(4_000);
        assert!((12_317..12_317 + 120).contains(&at_three), "{at_three}");
        assert_eq!(chars(4_200), 12_000, "counted at the minimum already: as written");
    }

    #[test]
    fn a_line_is_the_name_the_id_and_the_first_sentence() {
        assert_eq!(
            line("sql-optimizer", "SQL Optimizer", "Makes slow queries fast.  Use it when\na report times out."),
            "- SQL Optimizer (sql-optimizer): Makes slow queries fast.\n"
        );
        assert_eq!(line("a", "A", "no full stop"), "- A (a): no full stop\n");
    }
}
