//! Making the shared prefix (foundation + project context) reach a model's minimum cacheable
//! length, where that pays.
//!
//! On a model whose minimum is above foundation + project context (4,096 tokens on Haiku 4.5
//! and Opus 4.6, against about 3,700 on a small project), nothing shared is ever cached: every
//! call sends the whole prefix as fresh input. Extending the project context with more of the
//! project's own files (source, configs: what the tree listing only names) up to the minimum
//! gives one cache entry per project and model that every later call reads. It is decided per
//! model from the price table (its minimum and cache rates), and only from the project's own
//! material: a project with too little is left as it is, never padded.

use std::path::Path;

use super::{SOURCES, tree_walk};
use crate::pricing::ModelInfo;
use crate::prompt::Ttl;

/// The most characters a token can be, so that a count by it is the least the real count can
/// be: Claude's tokenizers give 3.5 to 4.2 on English and code (the stand-in exactly 4). The
/// extension must really reach the minimum, or it only adds input; counting low makes sure.
const MAX_CHARS_PER_TOKEN: f64 = 4.2;
/// Files larger than this are not read into the context (generated or vendored, most likely).
const MAX_FILE_BYTES: u64 = 64 * 1024;
/// A write that needs more calls than this within its lifetime to pay is not made.
const MAX_BREAK_EVEN_CALLS: u32 = 3;

/// What was decided for one model, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    /// The context to send to this model: extended, or the built one unchanged.
    pub text: String,
    /// Why, in words (shown by `run --dry-run` and `-v`); `None` when nothing needed deciding.
    pub reason: Option<String>,
}

/// Extra room on an extension sized by a count: the added files need not tokenize like the
/// prefix that was counted.
const COUNTED_MARGIN: f64 = 1.1;

/// The project context for `model`, given the foundation before it and the TTL the shared
/// blocks are written with. `counted`: the API's count of foundation + context on this model
/// (`count_tokens`), when both were counted; the extension is then sized by the prefix's own
/// characters per token instead of the most a token can be.
pub fn for_model(
    root: &Path,
    context: &str,
    foundation: &str,
    model: &ModelInfo,
    ttl: Ttl,
    counted: Option<u64>,
) -> Reach {
    let unchanged = |reason: Option<String>| Reach { text: context.to_string(), reason };
    let base_chars = foundation.chars().count() + context.chars().count();
    let needed_chars = match counted {
        Some(tokens) if tokens >= model.min_cacheable_tokens => return unchanged(None),
        Some(tokens) if tokens > 0 => {
            let missing = (model.min_cacheable_tokens - tokens) as f64;
            base_chars + (missing * base_chars as f64 / tokens as f64 * COUNTED_MARGIN).ceil() as usize
        }
        _ => chars_to_reach(model),
    };
    if base_chars >= needed_chars {
        return unchanged(None);
    }
    let Some(calls) = break_even_calls(base_chars, needed_chars, model, ttl, MAX_BREAK_EVEN_CALLS) else {
        return unchanged(Some(format!(
            "project context not extended for {}: reaching its {}-token minimum would not pay within {} calls",
            model.id, model.min_cacheable_tokens, MAX_BREAK_EVEN_CALLS
        )));
    };
    let Some((extra, files)) = more_material(root, needed_chars - base_chars) else {
        return unchanged(Some(format!(
            "project context not extended for {}: the project has too little more material to reach its {}-token \
             minimum (nothing is padded)",
            model.id, model.min_cacheable_tokens
        )));
    };
    Reach {
        text: format!("{context}{extra}"),
        reason: Some(format!(
            "project context extended by {files} file(s) of the project to reach {}'s {}-token cache minimum: the \
             shared prefix is cached once and read by later calls (the write pays from call {calls})",
            model.id, model.min_cacheable_tokens
        )),
    }
}

/// The characters a prefix needs to be sure to reach `model`'s minimum cacheable length.
pub fn chars_to_reach(model: &ModelInfo) -> usize {
    (model.min_cacheable_tokens as f64 * MAX_CHARS_PER_TOKEN).ceil() as usize
}

/// The number of calls after which writing the extended prefix once and reading it costs less
/// than sending the shorter one uncached every time, if that is at most `max_calls`.
pub fn break_even_calls(
    base_chars: usize,
    needed_chars: usize,
    model: &ModelInfo,
    ttl: Ttl,
    max_calls: u32,
) -> Option<u32> {
    let r = &model.rates;
    let write = match ttl {
        Ttl::OneHour => r.cache_write_1h,
        Ttl::FiveMinutes => r.cache_write_5m,
    };
    let (base, extended) = (base_chars as f64, needed_chars as f64);
    (1..=max_calls).find(|&n| {
        let cached = extended * (write + r.cache_read * f64::from(n - 1));
        cached <= base * r.input * f64::from(n)
    })
}

/// At least `chars` characters of the project's own files not already in the context, whole
/// files in path order (the last cut at a line), as a section of the context; `None` when the
/// project has less than that.
fn more_material(root: &Path, chars: usize) -> Option<(String, usize)> {
    let mut out = String::from("\n## More of the project\n");
    let (mut added, mut files) = (0usize, 0usize);
    for entry in tree_walk(root).filter(|e| e.file_type().is_file()) {
        let rel = crate::agents::scan::rel(root, entry.path());
        if SOURCES.contains(&rel.as_str()) || entry.metadata().map_or(true, |m| m.len() > MAX_FILE_BYTES) {
            continue;
        }
        let Ok(body) = std::fs::read_to_string(entry.path()) else { continue };
        let body = body.trim();
        if body.is_empty() || body.contains('\0') {
            continue;
        }
        out.push_str(&format!("\n### {rel}\n\n```\n"));
        for line in body.lines() {
            out.push_str(line);
            out.push('\n');
            added += line.chars().count() + 1;
            if added >= chars {
                break;
            }
        }
        out.push_str("```\n");
        files += 1;
        if added >= chars {
            return Some((out, files));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn haiku() -> ModelInfo {
        let yaml = "rates: { input: 1, output: 5, cache_write_5m: 1.25, cache_write_1h: 2, cache_read: 0.1 }\n\
                    min_cacheable_tokens: 4096\n";
        let mut m: ModelInfo = serde_yaml_ng::from_str(yaml).unwrap();
        m.id = "claude-haiku-4-5".to_string();
        m
    }

    fn project(source_lines: usize) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("README.md"), "# Shop\n").unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/empty.rs"), "").unwrap();
        let body = "pub fn total(items: &[Item]) -> Money { items.iter().map(|i| i.price).sum() }\n";
        std::fs::write(dir.path().join("src/orders.rs"), body.repeat(source_lines)).unwrap();
        dir
    }

    #[test]
    fn extends_with_the_projects_own_files_to_reach_the_minimum() {
        let dir = project(400);
        let foundation = "f".repeat(14_500);
        let reach = for_model(dir.path(), "# Project context\n", &foundation, &haiku(), Ttl::OneHour, None);
        let total = foundation.chars().count() + reach.text.chars().count();
        assert!(total as f64 >= 4096.0 * MAX_CHARS_PER_TOKEN, "{total}");
        assert!(reach.text.contains("### src/orders.rs") && !reach.text.contains("src/empty.rs"));
        assert!(reach.reason.unwrap().contains("extended by 1 file"));
        // Cut at a line once the minimum is reached, not the whole 400-line file.
        assert!(total < 4096 * 5, "{total}");
    }

    #[test]
    fn leaves_a_project_without_more_material_as_it_is() {
        let dir = project(2);
        let foundation = "f".repeat(14_500);
        let reach = for_model(dir.path(), "# Project context\n", &foundation, &haiku(), Ttl::OneHour, None);
        assert_eq!(reach.text, "# Project context\n");
        assert!(reach.reason.unwrap().contains("too little more material"));
    }

    #[test]
    fn nothing_to_decide_when_the_prefix_reaches_the_minimum_already() {
        let dir = project(400);
        let mut sonnet = haiku();
        sonnet.min_cacheable_tokens = 1024;
        let reach = for_model(dir.path(), "ctx", &"f".repeat(12_000), &sonnet, Ttl::OneHour, None);
        assert_eq!(reach, Reach { text: "ctx".to_string(), reason: None });
    }

    #[test]
    fn a_write_that_needs_many_reads_to_pay_is_not_made() {
        // A tiny shared prefix: extending it to 4,096 tokens costs more than it saves in 3 calls.
        assert_eq!(break_even_calls(1_000, 17_204, &haiku(), Ttl::OneHour, MAX_BREAK_EVEN_CALLS), None);
        // About 3,700 tokens against 4,096: a 1h write pays from the third call, a 5m one from the second.
        assert_eq!(break_even_calls(14_800, 17_204, &haiku(), Ttl::OneHour, MAX_BREAK_EVEN_CALLS), Some(3));
        assert_eq!(break_even_calls(14_800, 17_204, &haiku(), Ttl::FiveMinutes, MAX_BREAK_EVEN_CALLS), Some(2));
    }

    #[test]
    fn a_counted_prefix_is_extended_by_its_own_characters_per_token() {
        let dir = project(400);
        let (foundation, context) = ("f".repeat(14_500), "# Project context\n");
        let base = foundation.chars().count() + context.chars().count();
        let total = |counted| {
            let reach = for_model(dir.path(), context, &foundation, &haiku(), Ttl::OneHour, counted);
            foundation.chars().count() + reach.text.chars().count()
        };
        let estimate = (4096.0 * MAX_CHARS_PER_TOKEN) as usize;
        assert!(total(None) >= estimate, "by estimate: to 4.2 characters a token");
        // 4.5 characters a token: 3,226 tokens counted, 870 missing, 4,307 characters with the
        // margin. The estimate's extension would stop at 3,823 tokens, under the minimum.
        let sparse = total(Some(base as u64 * 2 / 9));
        assert!(sparse >= base + 4_307 && sparse < base + 4_307 + 200, "{sparse} of {base}");
        assert!(sparse > estimate);
        // 3 characters a token: the prefix reaches the minimum as it is, which the estimate
        // cannot know; nothing is added and nothing needs saying.
        let dense = for_model(dir.path(), context, &foundation, &haiku(), Ttl::OneHour, Some(base as u64 / 3));
        assert_eq!(dense, Reach { text: context.to_string(), reason: None });
    }
}
