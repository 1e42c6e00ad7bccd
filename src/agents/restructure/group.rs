//! Finding the blocks many agents share: sections are fingerprinted by their normalized word
//! 3-grams, identical fingerprints form variants, and variants join, most common first, the
//! first group whose founding variant they resemble enough (Jaccard). An inverted index from
//! 3-gram to group keeps this near-linear on large libraries.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::document::tidy;
use super::foundation::Block;
use super::normalize::{jaccard, shingles, words};
use crate::tokens;

/// A static section that could be hoisted.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub agent: usize,
    pub chunk: usize,
    pub heading: &'a str,
    pub body: &'a str,
}

/// A block: an existing foundation section, or a new one with its canonical text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Set for blocks already in the foundation file.
    pub anchor: Option<String>,
    pub heading: String,
    /// The canonical body, as the most common copy has it.
    pub body: String,
    /// Indices into the candidates.
    pub members: Vec<usize>,
}

/// How alike sections must be, and how common, to become a block.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    pub similarity: f64,
    pub min_agents: usize,
    pub min_tokens: usize,
}

struct Building {
    shingles: HashSet<u64>,
    members: Vec<usize>,
    existing: Option<usize>,
}

/// Groups the candidates. Existing blocks come first and keep their text; new blocks need
/// `min_agents` distinct agents and `min_tokens` tokens, and are ordered by agents, then heading.
pub fn find(candidates: &[Candidate<'_>], existing: &[Block], t: Thresholds) -> Vec<Group> {
    let mut groups: Vec<Building> = Vec::new();
    let mut index: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, block) in existing.iter().enumerate() {
        found(&mut groups, &mut index, fingerprint(&block.heading, &block.body).1, Some(i), Vec::new());
    }
    for (shingles, members) in variants(candidates) {
        match best_match(&groups, &index, &shingles, t.similarity) {
            Some(g) => groups[g].members.extend(members),
            None => found(&mut groups, &mut index, shingles, None, members),
        }
    }
    let mut out: Vec<Group> = Vec::new();
    let mut new: Vec<(usize, Group)> = Vec::new();
    for g in groups {
        let agents = g.members.iter().map(|&m| candidates[m].agent).collect::<BTreeSet<_>>().len();
        if let Some(e) = g.existing {
            let Block { anchor, heading, body } = existing[e].clone();
            out.push(Group { anchor: Some(anchor), heading, body, members: g.members });
        } else if agents >= t.min_agents {
            let group = canonical(candidates, g.members);
            if tokens::estimate(&group.body) + tokens::estimate(&group.heading) >= t.min_tokens {
                new.push((agents, group));
            }
        }
    }
    new.sort_by(|(a, ga), (b, gb)| b.cmp(a).then_with(|| ga.heading.cmp(&gb.heading)));
    out.extend(new.into_iter().map(|(_, g)| g));
    out
}

fn fingerprint(heading: &str, body: &str) -> (String, HashSet<u64>) {
    let words = words(&format!("{heading}\n{body}"));
    (words.join(" "), shingles(&words))
}

/// Candidates with identical normalized text, most common first (ties: first seen first).
fn variants(candidates: &[Candidate<'_>]) -> Vec<(HashSet<u64>, Vec<usize>)> {
    let mut by_key: HashMap<String, (HashSet<u64>, Vec<usize>)> = HashMap::new();
    for (i, c) in candidates.iter().enumerate() {
        let (key, shingles) = fingerprint(c.heading, c.body);
        by_key.entry(key).or_insert_with(|| (shingles, Vec::new())).1.push(i);
    }
    let mut out: Vec<_> = by_key.into_values().collect();
    out.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.1[0].cmp(&b.1[0])));
    out
}

fn found(
    groups: &mut Vec<Building>,
    index: &mut HashMap<u64, Vec<usize>>,
    shingles: HashSet<u64>,
    existing: Option<usize>,
    members: Vec<usize>,
) {
    let id = groups.len();
    for s in &shingles {
        index.entry(*s).or_default().push(id);
    }
    groups.push(Building { shingles, members, existing });
}

/// The group whose founder is most similar, if it reaches the threshold (ties: oldest group).
fn best_match(
    groups: &[Building],
    index: &HashMap<u64, Vec<usize>>,
    shingles: &HashSet<u64>,
    threshold: f64,
) -> Option<usize> {
    let mut common: HashMap<usize, usize> = HashMap::new();
    for s in shingles {
        for &g in index.get(s).map(Vec::as_slice).unwrap_or_default() {
            *common.entry(g).or_default() += 1;
        }
    }
    let mut best: Option<(usize, f64)> = None;
    for (g, n) in common {
        let score = jaccard(shingles.len(), groups[g].shingles.len(), n);
        if score >= threshold && best.is_none_or(|(bg, bs)| score > bs || (score == bs && g < bg)) {
            best = Some((g, score));
        }
    }
    best.map(|(g, _)| g)
}

/// The most common copy's body and the most common heading (ties: the first member's).
fn canonical(candidates: &[Candidate<'_>], members: Vec<usize>) -> Group {
    let most_common = |key: &dyn Fn(&Candidate<'_>) -> String| {
        let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
        for (order, &m) in members.iter().enumerate() {
            counts.entry(key(&candidates[m])).or_insert((0, order)).0 += 1;
        }
        counts.into_iter().max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1))).map(|(k, _)| k).unwrap_or_default()
    };
    let heading = most_common(&|c| c.heading.trim().to_string());
    let body = most_common(&|c| canonical_form(c.body));
    Group { anchor: None, heading, body, members }
}

/// A body as the foundation stores it: trailing spaces and surrounding blank lines dropped.
pub fn canonical_form(body: &str) -> String {
    tidy(&body.lines().map(str::trim_end).collect::<Vec<_>>().join("\n")).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = "1. Never run destructive commands without an explicit confirmation from a human.\n\
        2. Never modify production systems directly; use the normal review and deployment pipeline.\n\
        3. Never commit secrets, tokens, passwords, private keys or customer data to a repository.\n";

    fn cand(agent: usize, heading: &'static str, body: &'static str) -> Candidate<'static> {
        Candidate { agent, chunk: 0, heading, body }
    }

    fn thresholds(min_agents: usize) -> Thresholds {
        Thresholds { similarity: 0.8, min_agents, min_tokens: 10 }
    }

    #[test]
    fn near_copies_join_the_most_common_variant() {
        let drifted: &'static str = Box::leak(RULES.replace("Never modify", "Do not ever modify").into_boxed_str());
        let starred: &'static str = Box::leak(format!("{RULES}\n").replace("1. ", "1.  ").into_boxed_str());
        let cands = [
            cand(0, "Safety Rules", RULES),
            cand(1, "SAFETY RULES", drifted),
            cand(2, "Safety Rules", RULES),
            cand(3, "Safety rules", starred),
            cand(4, "Profiling", "Use pprof and flame graphs on the hot path before touching allocations at all."),
        ];
        let groups = find(&cands, &[], thresholds(3));
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].heading, "Safety Rules");
        assert_eq!(groups[0].body, canonical_form(RULES));
        let mut members = groups[0].members.clone();
        members.sort_unstable();
        assert_eq!(members, vec![0, 1, 2, 3]);
    }

    #[test]
    fn blocks_need_enough_agents_and_tokens() {
        let cands = [cand(0, "Safety Rules", RULES), cand(0, "Safety Rules", RULES), cand(1, "Safety Rules", RULES)];
        assert!(find(&cands, &[], thresholds(3)).is_empty(), "two agents are not three");
        assert_eq!(find(&cands, &[], thresholds(2)).len(), 1);
        let tiny = [cand(0, "Note", "Be kind."), cand(1, "Note", "Be kind."), cand(2, "Note", "Be kind.")];
        assert!(find(&tiny, &[], thresholds(3)).is_empty());
    }

    #[test]
    fn existing_blocks_take_new_copies_without_a_quorum() {
        let existing = [Block { anchor: "safety-rules".into(), heading: "Safety Rules".into(), body: RULES.into() }];
        let groups = find(&[cand(7, "Safety Rules", RULES)], &existing, thresholds(3));
        assert_eq!(groups.len(), 1);
        assert_eq!((groups[0].anchor.as_deref(), groups[0].members.as_slice()), (Some("safety-rules"), &[0][..]));
    }
}
