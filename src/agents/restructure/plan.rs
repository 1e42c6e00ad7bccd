//! Planning a run: read the library and the foundation, classify, group, rewrite in memory,
//! and check that no line would be lost. Nothing is written here.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use anyhow::{Result, bail};

use super::classify::{Class, Classifier};
use super::document::{Document, is_restructured, split_at_marker};
use super::foundation::{self, Block};
use super::group::{self, Candidate, Group, Thresholds, canonical_form};
use super::rewrite::{Hoist, lost_lines, referenced_anchor, rewrite};
use super::{AgentPlan, BlockPlan, FOUNDATION_FILE, Plan, SHARED_DIR};
use crate::agents::Layout;
use crate::agents::parse::{check_text, read};
use crate::agents::scan::{self, Skipped, SourceFile};
use crate::error::UserError;
use crate::settings::RestructureSettings;
use crate::tokens;

/// An agent file read and checked.
struct Loaded {
    file: SourceFile,
    text: String,
}

/// Plans a run over the library at `root`.
pub fn plan(root: &Path, settings: &RestructureSettings) -> Result<Plan> {
    let scan = scan::scan(root)?;
    let (foundation_before, existing) = read_foundation(root)?;
    let mut skipped = scan.skipped;
    let loaded = load(scan.files, &mut skipped);
    let classifier = Classifier::new(settings);
    let docs: Vec<Option<(Document<'_>, Vec<Class>)>> = loaded
        .iter()
        .map(|l| {
            let doc = Document::parse(&l.text).ok().filter(|_| !is_restructured(&l.text))?;
            let classes = doc.classify(&classifier);
            Some((doc, classes))
        })
        .collect();
    let candidates = candidates(&docs, settings.min_shared_tokens / 2);
    let thresholds = Thresholds {
        similarity: settings.similarity,
        min_agents: settings.min_agents,
        min_tokens: settings.min_shared_tokens,
    };
    let mut warnings = Vec::new();
    let groups = group::find(&candidates, &existing, thresholds);
    let base = foundation::base_tokens(foundation_before.as_deref());
    let groups = within_budget(groups, base, settings.max_foundation_tokens, &mut warnings);
    let blocks = name_blocks(&groups, &existing);
    let (agents, kept) = plan_agents(&loaded, &docs, &candidates, &groups, &blocks, &mut warnings)?;
    let foundation_after =
        foundation::render(foundation_before.as_deref(), &blocks[existing.len()..]).or(foundation_before.clone());
    Ok(Plan {
        root: root.to_path_buf(),
        foundation_tokens: foundation_after.as_deref().map_or(0, tokens::estimate),
        foundation_before_tokens: foundation_before.as_deref().map_or(0, tokens::estimate),
        blocks: block_plans(&groups, &blocks, &candidates, &agents, &kept, existing.len()),
        agents,
        foundation_before,
        foundation_after,
        skipped,
        warnings,
    })
}

/// The foundation file's text and blocks; a missing file has none.
fn read_foundation(root: &Path) -> Result<(Option<String>, Vec<Block>)> {
    let path = root.join(SHARED_DIR).join(FOUNDATION_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((None, Vec::new())),
        Err(e) => bail!(UserError::new(format!("cannot read {}: {e}", path.display()))),
    };
    let blocks = foundation::parse(&text).map_err(|e| UserError::new(format!("{}: {e}", path.display())))?;
    Ok((Some(text), blocks))
}

/// Plans every agent: rewrites for new files, measurements for restructured ones. Also
/// returns the lines each hoisted copy kept, by (agent, chunk).
fn plan_agents(
    loaded: &[Loaded],
    docs: &[Option<(Document<'_>, Vec<Class>)>],
    candidates: &[Candidate<'_>],
    groups: &[Group],
    blocks: &[Block],
    warnings: &mut Vec<(String, String)>,
) -> Result<(Vec<AgentPlan>, KeptLines)> {
    let mut agents = Vec::with_capacity(loaded.len());
    let mut kept_by_chunk = HashMap::new();
    for (a, (l, doc)) in loaded.iter().zip(docs).enumerate() {
        let plan = match doc {
            Some((doc, classes)) => {
                let hoists = hoists_for(a, candidates, groups, blocks);
                let (plan, kept) = plan_rewrite(l, doc, classes, &hoists, blocks)?;
                kept_by_chunk.extend(kept.into_iter().map(|(chunk, n)| ((a, chunk), n)));
                plan
            }
            None => plan_done(l, blocks, warnings),
        };
        agents.push(plan);
    }
    Ok((agents, kept_by_chunk))
}

/// Reads every file; unreadable ones are reported, and subagent files without front matter
/// are notes, not agents (as the indexer decides).
fn load(files: Vec<SourceFile>, skipped: &mut Vec<Skipped>) -> Vec<Loaded> {
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        let text = read(&file).and_then(|bytes| check_text(&bytes).map(str::to_string));
        let front_matter =
            text.as_deref().map_err(Clone::clone).and_then(|t| Document::parse(t).map(|d| d.front_end > 0));
        match (text, front_matter) {
            (Ok(_), Ok(false)) if file.layout == Layout::Subagent => {}
            (Ok(text), Ok(_)) => out.push(Loaded { file, text }),
            (Err(reason), _) | (_, Err(reason)) => skipped.push(Skipped { rel_path: file.rel_path, reason }),
        }
    }
    out
}

/// Static headed sections of files not yet restructured, big enough to be worth sharing.
fn candidates<'a>(docs: &'a [Option<(Document<'a>, Vec<Class>)>], min_tokens: usize) -> Vec<Candidate<'a>> {
    let mut out = Vec::new();
    for (agent, (doc, classes)) in docs.iter().enumerate().filter_map(|(i, d)| d.as_ref().map(|d| (i, d))) {
        for (chunk, (c, class)) in doc.chunks.iter().zip(classes).enumerate() {
            if *class == Class::Static && c.level > 0 && tokens::estimate(doc.raw(c)) >= min_tokens {
                out.push(Candidate { agent, chunk, heading: &c.heading, body: doc.body(c) });
            }
        }
    }
    out
}

/// Keeps existing blocks and then new ones, most shared first, while the foundation (`used`
/// tokens so far) stays within `max_tokens`; says how many were left in their agents.
fn within_budget(
    groups: Vec<Group>,
    mut used: usize,
    max_tokens: usize,
    warnings: &mut Vec<(String, String)>,
) -> Vec<Group> {
    let size = |g: &Group| foundation::block_tokens(&g.heading, &g.body);
    let mut left_out = 0;
    let mut out = Vec::with_capacity(groups.len());
    for g in groups {
        if g.anchor.is_none() && used + size(&g) > max_tokens {
            left_out += 1;
            continue;
        }
        if g.anchor.is_none() {
            used += size(&g);
        }
        out.push(g);
    }
    if left_out > 0 {
        warnings.push((
            super::FOUNDATION_REL.to_string(),
            format!(
                "{left_out} more shared block(s) stay in their agents: the foundation is capped at {max_tokens} tokens \
                 (`restructure.max-foundation-tokens`), since every call sends all of it"
            ),
        ));
    }
    out
}

/// Existing blocks keep their anchors; new ones get unique slugs of their headings.
fn name_blocks(groups: &[Group], existing: &[Block]) -> Vec<Block> {
    let mut taken: HashSet<String> = existing.iter().map(|b| b.anchor.clone()).collect();
    let mut out = existing.to_vec();
    for g in groups.iter().filter(|g| g.anchor.is_none()) {
        let anchor = foundation::anchor_for(&g.heading, &mut taken);
        out.push(Block { anchor, heading: g.heading.clone(), body: g.body.clone() });
    }
    out
}

/// The block index of each group, in `blocks` order (existing first, then new).
fn block_index(groups: &[Group], blocks: &[Block]) -> Vec<usize> {
    let mut next_new = blocks.len() - groups.iter().filter(|g| g.anchor.is_none()).count();
    groups
        .iter()
        .map(|g| match &g.anchor {
            Some(anchor) => blocks.iter().position(|b| &b.anchor == anchor).unwrap_or(0),
            None => {
                next_new += 1;
                next_new - 1
            }
        })
        .collect()
}

fn hoists_for<'a>(
    agent: usize,
    candidates: &[Candidate<'_>],
    groups: &[Group],
    blocks: &'a [Block],
) -> HashMap<usize, Hoist<'a>> {
    let mut out = HashMap::new();
    for (g, b) in groups.iter().zip(block_index(groups, blocks)) {
        let block = &blocks[b];
        for c in g.members.iter().map(|&m| &candidates[m]).filter(|c| c.agent == agent) {
            out.insert(c.chunk, Hoist { anchor: &block.anchor, heading: &block.heading, body: &block.body });
        }
    }
    out
}

type KeptByChunk = Vec<(usize, usize)>;
/// Lines each hoisted copy kept, by (agent, chunk).
type KeptLines = HashMap<(usize, usize), usize>;

fn plan_rewrite(
    l: &Loaded,
    doc: &Document<'_>,
    classes: &[Class],
    hoists: &HashMap<usize, Hoist<'_>>,
    blocks: &[Block],
) -> Result<(AgentPlan, KeptByChunk)> {
    let out = rewrite(doc, classes, hoists);
    let mut refs: Vec<(usize, &str)> = hoists.iter().map(|(chunk, h)| (*chunk, h.anchor)).collect();
    refs.sort_unstable();
    let shared: Vec<String> =
        refs.iter().filter_map(|(_, a)| blocks.iter().find(|b| b.anchor == *a)).map(Block::text).collect();
    if let Some((line, text)) = lost_lines(&l.text, &out.text, &shared).first() {
        bail!("restructuring {} would lose line {line} ({text:?}); nothing was written", l.file.rel_path);
    }
    let first_dynamic =
        doc.chunks.iter().zip(classes).find(|(_, c)| **c == Class::Dynamic).map(|(ch, _)| ch.span.start);
    let (static_part, dynamic_part) = split_at_marker(&out.text[doc.front_end..]);
    let plan = AgentPlan {
        id: l.file.id.clone(),
        rel_path: l.file.rel_path.clone(),
        already_restructured: false,
        front_matter_tokens: tokens::estimate(doc.front_matter()),
        static_tokens: tokens::estimate(static_part),
        dynamic_tokens: tokens::estimate(dynamic_part),
        before_static_tokens: tokens::estimate(&l.text[doc.front_end..first_dynamic.unwrap_or(l.text.len())]),
        before_tokens: tokens::estimate(doc.markdown()),
        dynamic_sections: dynamic_headings(doc, classes),
        shared_refs: refs.iter().map(|(_, a)| (*a).to_string()).collect(),
        kept_lines: out.kept_lines(),
        original: l.text.clone(),
        rewritten: out.text.clone(),
    };
    Ok((plan, out.kept))
}

fn dynamic_headings(doc: &Document<'_>, classes: &[Class]) -> Vec<String> {
    let dynamic = doc.chunks.iter().zip(classes).filter(|(_, c)| **c == Class::Dynamic);
    dynamic.map(|(ch, _)| if ch.level == 0 { "(preamble)".to_string() } else { ch.heading.clone() }).collect()
}

/// A file an earlier run laid out: measured as it is, its references checked.
fn plan_done(l: &Loaded, blocks: &[Block], warnings: &mut Vec<(String, String)>) -> AgentPlan {
    let front_end = Document::parse(&l.text).map_or(0, |d| d.front_end);
    let (static_part, dynamic_part) = split_at_marker(&l.text[front_end..]);
    let refs: Vec<String> = static_part.lines().filter_map(referenced_anchor).map(str::to_string).collect();
    for anchor in refs.iter().filter(|a| !blocks.iter().any(|b| &b.anchor == *a)) {
        warnings
            .push((l.file.rel_path.clone(), format!("references {FOUNDATION_FILE}#{anchor}, which does not exist")));
    }
    let (static_tokens, dynamic_tokens) = (tokens::estimate(static_part), tokens::estimate(dynamic_part));
    AgentPlan {
        id: l.file.id.clone(),
        rel_path: l.file.rel_path.clone(),
        already_restructured: true,
        original: l.text.clone(),
        rewritten: l.text.clone(),
        front_matter_tokens: tokens::estimate(&l.text[..front_end]),
        static_tokens,
        dynamic_tokens,
        before_static_tokens: static_tokens,
        // Measured like the rewritten files, so a second run reports no change in size.
        before_tokens: static_tokens + dynamic_tokens,
        dynamic_sections: Vec::new(),
        shared_refs: refs,
        kept_lines: 0,
    }
}

fn block_plans(
    groups: &[Group],
    blocks: &[Block],
    candidates: &[Candidate<'_>],
    agents: &[AgentPlan],
    kept: &KeptLines,
    existing: usize,
) -> Vec<BlockPlan> {
    let indices = block_index(groups, blocks);
    blocks
        .iter()
        .enumerate()
        .map(|(b, block)| {
            let members: Vec<&Candidate<'_>> = indices
                .iter()
                .position(|&i| i == b)
                .map(|g| groups[g].members.iter().map(|&m| &candidates[m]).collect())
                .unwrap_or_default();
            let exact = members.iter().filter(|c| canonical_form(c.body) == block.body).count();
            let users: BTreeSet<&str> =
                agents.iter().filter(|a| a.shared_refs.contains(&block.anchor)).map(|a| a.id.as_str()).collect();
            BlockPlan {
                anchor: block.anchor.clone(),
                heading: block.heading.clone(),
                tokens: tokens::estimate(&block.text()),
                agents: users.into_iter().map(str::to_string).collect(),
                exact_copies: exact,
                near_copies: members.len() - exact,
                kept_lines: members.iter().filter_map(|c| kept.get(&(c.agent, c.chunk))).sum(),
                new: b >= existing,
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
