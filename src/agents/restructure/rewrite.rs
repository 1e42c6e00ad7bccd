//! Laying one agent file out again: front matter, static chunks (hoisted ones replaced by a
//! reference plus the lines only this copy has), the boundary line, then dynamic chunks. Kept
//! chunks are copied byte for byte; only the blank lines between chunks are normalized.

use std::collections::{HashMap, HashSet};

use super::classify::Class;
use super::document::{Chunk, Document, tidy};
use super::normalize::{heading_key, line_key, line_keys, survives};
use super::{DYNAMIC_MARKER, FOUNDATION_FILE, SHARED_PREFIX};

/// A chunk replaced by a shared block.
#[derive(Debug, Clone, Copy)]
pub struct Hoist<'a> {
    pub anchor: &'a str,
    pub heading: &'a str,
    pub body: &'a str,
}

/// The new file and what the rewrite kept of hoisted copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten {
    pub text: String,
    /// For each hoisted chunk, by index: the lines of its copy that the shared block lacks,
    /// kept in the agent.
    pub kept: Vec<(usize, usize)>,
}

impl Rewritten {
    /// Lines kept from all hoisted copies.
    pub fn kept_lines(&self) -> usize {
        self.kept.iter().map(|(_, n)| n).sum()
    }
}

/// The reference line for a block.
pub fn reference(anchor: &str) -> String {
    format!("{SHARED_PREFIX}{FOUNDATION_FILE}#{anchor} -->")
}

/// The anchor a reference line names, if the line is one.
pub fn referenced_anchor(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix(SHARED_PREFIX)?.strip_suffix("-->")?.trim();
    rest.strip_prefix(FOUNDATION_FILE)?.strip_prefix('#')
}

/// Rewrites a document. `hoists` maps chunk indices to the blocks that replace them.
pub fn rewrite(doc: &Document<'_>, classes: &[Class], hoists: &HashMap<usize, Hoist<'_>>) -> Rewritten {
    let nl = doc.newline;
    let mut statics: Vec<String> = Vec::new();
    let mut dynamics: Vec<&str> = Vec::new();
    let mut kept = Vec::new();
    for (i, (chunk, class)) in doc.chunks.iter().zip(classes).enumerate() {
        match (class, hoists.get(&i)) {
            (Class::Static, Some(hoist)) => {
                let (block, lines) = reference_block(doc, chunk, hoist);
                kept.push((i, lines));
                statics.push(block);
            }
            (Class::Static, None) => statics.push(tidy(doc.raw(chunk)).to_string()),
            (Class::Dynamic, _) => dynamics.push(tidy(doc.raw(chunk))),
        }
    }
    let mut text = doc.front_matter().to_string();
    if !text.is_empty() {
        text.push_str(nl);
    }
    for part in statics.iter().filter(|p| !p.is_empty()) {
        text.push_str(part);
        text.push_str(nl);
        text.push_str(nl);
    }
    text.push_str(DYNAMIC_MARKER);
    text.push_str(nl);
    for part in dynamics.iter().filter(|p| !p.is_empty()) {
        text.push_str(nl);
        text.push_str(part);
        text.push_str(nl);
    }
    Rewritten { text, kept }
}

/// The reference line, then the lines of this copy that the block lacks (a differing heading
/// included), in their order; lines that were apart stay apart by a blank line.
fn reference_block(doc: &Document<'_>, chunk: &Chunk, hoist: &Hoist<'_>) -> (String, usize) {
    let shared = line_keys(&format!("## {}\n\n{}", hoist.heading, hoist.body));
    let same_heading = heading_key(&chunk.heading) == heading_key(hoist.heading);
    let heading_len = chunk.body_start - chunk.span.start;
    let mut kept: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0;
    for (n, line) in doc.raw(chunk).split_inclusive('\n').enumerate() {
        let in_heading = offset < heading_len;
        offset += line.len();
        let line = line.trim_end();
        let keep = if in_heading { !same_heading && line_key(line).is_some() } else { !survives(line, &shared) };
        if keep {
            kept.push((n, line));
        }
    }
    let nl = doc.newline;
    let mut block = reference(hoist.anchor);
    let mut previous: Option<usize> = None;
    for &(n, line) in &kept {
        block.push_str(nl);
        if previous.is_some_and(|p| p + 1 != n) {
            block.push_str(nl);
        }
        block.push_str(line);
        previous = Some(n);
    }
    (block, kept.len())
}

/// Lines of `original` that survive neither in `rewritten` nor in the `shared` texts. Empty
/// means the rewrite lost nothing (blank lines, trailing spaces and bullet style aside).
pub fn lost_lines<'a>(original: &'a str, rewritten: &str, shared: &[String]) -> Vec<(usize, &'a str)> {
    let mut keys: HashSet<String> = line_keys(rewritten);
    for text in shared {
        keys.extend(line_keys(text));
    }
    original.lines().enumerate().filter(|(_, line)| !survives(line, &keys)).map(|(n, line)| (n + 1, line)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::restructure::classify::Classifier;
    use crate::settings::RestructureSettings;

    const FILE: &str = "---\nname: rev\n---\n\n# Reviewer\n\nReviews code.\n\n## Current Focus\n\nSprint 26.18 (Q3 2026):\n\n- ship\n\n### SAFETY RULES\n\n1. Never run rm -rf.\n2. Do not ever push --force.\n\nThis list is not exhaustive.  \n\n## Workflow\n\n1. Read.\n";
    const SAFETY: &str = "1. Never run rm -rf.\n2. Never push --force.";

    fn run(hoist: bool) -> (Document<'static>, Rewritten) {
        let doc = Document::parse(FILE).unwrap();
        let classes = doc.classify(&Classifier::new(&RestructureSettings::bundled()));
        let mut hoists = HashMap::new();
        if hoist {
            hoists.insert(2, Hoist { anchor: "safety-rules", heading: "Safety Rules", body: SAFETY });
        }
        let out = rewrite(&doc, &classes, &hoists);
        (doc, out)
    }

    #[test]
    fn static_first_then_boundary_then_dynamic() {
        let (_, out) = run(false);
        let expected = "---\nname: rev\n---\n\n# Reviewer\n\nReviews code.\n\n### SAFETY RULES\n\n1. Never run rm -rf.\n2. Do not ever push --force.\n\nThis list is not exhaustive.\n\n## Workflow\n\n1. Read.\n\n<!-- devteam:dynamic -->\n\n## Current Focus\n\nSprint 26.18 (Q3 2026):\n\n- ship\n";
        assert_eq!(out.text, expected);
        assert!(lost_lines(FILE, &out.text, &[]).is_empty());
    }

    #[test]
    fn hoisted_copies_keep_only_their_own_lines() {
        let (_, out) = run(true);
        let block = "<!-- devteam:shared foundation.md#safety-rules -->\n2. Do not ever push --force.\n\nThis list is not exhaustive.\n\n## Workflow";
        assert!(out.text.contains(block), "{}", out.text);
        assert_eq!(out.kept, vec![(2, 2)], "the heading differs only in case and level");
        let shared = format!("## Safety Rules\n\n{SAFETY}\n");
        assert!(lost_lines(FILE, &out.text, std::slice::from_ref(&shared)).is_empty());
        let lost = lost_lines(FILE, &out.text, &[]);
        assert_eq!(lost, vec![(15, "### SAFETY RULES"), (17, "1. Never run rm -rf.")]);
    }

    #[test]
    fn reference_lines_round_trip() {
        assert_eq!(referenced_anchor(&reference("safety-rules")), Some("safety-rules"));
        assert_eq!(referenced_anchor("<!-- devteam:shared other.md#x -->"), None);
        assert_eq!(referenced_anchor("text"), None);
    }
}
