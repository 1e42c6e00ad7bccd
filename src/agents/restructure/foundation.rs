//! The shared foundation file, `<library>/_shared/foundation.md`: one section per shared
//! block, each opened by an anchor line so that references stay valid when a heading is
//! edited. New blocks are appended; existing ones are never rewritten, so a second run leaves
//! the file byte-identical.

use std::collections::HashSet;

/// Opens a block: `<!-- devteam:anchor safety-rules -->`.
pub const ANCHOR_PREFIX: &str = "<!-- devteam:anchor ";
const COMMENT_END: &str = " -->";
/// The file's first line; an HTML comment, so Markdown viewers and models skip it.
const HEADER: &str = "<!-- devteam:foundation. Sections shared by several agents of this library, hoisted here by \
`devteam restructure-agents`. Each agent that uses a section carries a devteam:shared line naming its anchor; edit a \
section here to change it for all of them. -->";

/// One block of the foundation file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub anchor: String,
    pub heading: String,
    pub body: String,
}

impl Block {
    /// The block as the model reads it: its heading, then its body.
    pub fn text(&self) -> String {
        format!("## {}\n\n{}\n", self.heading, self.body)
    }

    fn render(&self) -> String {
        format!("{ANCHOR_PREFIX}{}{COMMENT_END}\n{}", self.anchor, self.text())
    }
}

/// Reads a foundation file. Errors name the line.
pub fn parse(text: &str) -> Result<Vec<Block>, String> {
    let mut blocks: Vec<(usize, String, Vec<&str>)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if let Some(rest) = line.trim().strip_prefix(ANCHOR_PREFIX) {
            let anchor = rest.strip_suffix(COMMENT_END.trim_start()).map(str::trim).unwrap_or_default();
            if anchor.is_empty() {
                return Err(format!("line {}: anchor line without a name", n + 1));
            }
            blocks.push((n + 1, anchor.to_string(), Vec::new()));
        } else if let Some((_, _, lines)) = blocks.last_mut() {
            lines.push(line);
        }
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(blocks.len());
    for (line, anchor, lines) in blocks {
        if !seen.insert(anchor.clone()) {
            return Err(format!("line {line}: anchor `{anchor}` is used twice"));
        }
        let at = lines.iter().position(|l| !l.trim().is_empty());
        let heading = at.and_then(|i| lines[i].trim().strip_prefix("## ")).map(str::trim);
        let (Some(at), Some(heading)) = (at, heading) else {
            return Err(format!("line {line}: block `{anchor}` must start with a `## ` heading"));
        };
        let body = super::document::tidy(&lines[at + 1..].join("\n")).to_string();
        out.push(Block { anchor, heading: heading.to_string(), body });
    }
    Ok(out)
}

/// The file with `new` blocks appended, or `None` when there is nothing to add.
pub fn render(existing: Option<&str>, new: &[Block]) -> Option<String> {
    if new.is_empty() {
        return None;
    }
    let mut text = match existing {
        Some(old) if !old.trim().is_empty() => old.trim_end().to_string(),
        _ => HEADER.to_string(),
    };
    for block in new {
        text.push_str("\n\n");
        text.push_str(&block.render());
        text.truncate(text.trim_end().len());
    }
    text.push('\n');
    Some(text)
}

/// Tokens a new block adds to the file (anchor line, heading, body, separating blank line).
pub fn block_tokens(heading: &str, body: &str) -> usize {
    let anchor = anchor_for(heading, &mut HashSet::new());
    crate::tokens::estimate(&format!("\n\n{}", Block { anchor, heading: heading.into(), body: body.into() }.render()))
}

/// Tokens of the file before any new block: the existing file, or the header of a new one.
pub fn base_tokens(existing: Option<&str>) -> usize {
    crate::tokens::estimate(existing.unwrap_or(HEADER))
}

/// A readable, unique anchor for a heading: lower-case words joined by `-`.
pub fn anchor_for(heading: &str, taken: &mut HashSet<String>) -> String {
    let slug = heading
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let base = if slug.is_empty() { "section".to_string() } else { slug };
    let mut anchor = base.clone();
    let mut n = 2;
    while taken.contains(&anchor) {
        anchor = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(anchor.clone());
    anchor
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(anchor: &str, heading: &str, body: &str) -> Block {
        Block { anchor: anchor.into(), heading: heading.into(), body: body.into() }
    }

    #[test]
    fn renders_parses_and_appends_without_touching_old_blocks() {
        let first = render(None, &[block("safety-rules", "Safety Rules", "1. Never.\n2. Ever.")]).unwrap();
        assert!(first.starts_with("<!-- devteam:foundation."));
        assert_eq!(parse(&first).unwrap(), vec![block("safety-rules", "Safety Rules", "1. Never.\n2. Ever.")]);
        assert_eq!(render(Some(&first), &[]), None);
        let second = render(Some(&first), &[block("tone", "Tone", "Be kind.")]).unwrap();
        assert!(second.starts_with(first.trim_end()));
        assert_eq!(parse(&second).unwrap().len(), 2);
    }

    #[test]
    fn malformed_files_name_the_line() {
        assert!(parse("<!-- devteam:anchor a -->\nno heading\n").unwrap_err().contains("line 1"));
        let twice = "<!-- devteam:anchor a -->\n## A\n\nx\n<!-- devteam:anchor a -->\n## B\n";
        assert!(parse(twice).unwrap_err().contains("line 5"));
    }

    #[test]
    fn anchors_are_slugs_made_unique() {
        let mut taken = HashSet::new();
        assert_eq!(anchor_for("Safety Rules", &mut taken), "safety-rules");
        assert_eq!(anchor_for("SAFETY rules!", &mut taken), "safety-rules-2");
        assert_eq!(anchor_for("***", &mut taken), "section");
    }
}
