//! One agent file as front matter plus chunks: the preamble and one chunk per heading, each a
//! byte range of the original text, so a rewrite moves bytes and never re-renders Markdown.

use std::ops::Range;

use super::DYNAMIC_MARKER;
use super::classify::{Classifier, SectionView, prose_lines};
use super::normalize::atx_heading;
use crate::agents::{frontmatter, markdown};

/// One section of an agent file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Heading text; empty for the preamble.
    pub heading: String,
    /// 1-6; 0 for the preamble.
    pub level: u8,
    /// Byte range in the whole file, heading included.
    pub span: Range<usize>,
    /// Where the heading ends and the body starts (the span's start for the preamble).
    pub body_start: usize,
}

/// An agent file split for rewriting.
#[derive(Debug)]
pub struct Document<'a> {
    pub text: &'a str,
    /// End of the front matter (its closing fence and line break included); 0 without one.
    pub front_end: usize,
    pub chunks: Vec<Chunk>,
    /// The file's line break, kept for lines the rewrite adds.
    pub newline: &'static str,
}

impl<'a> Document<'a> {
    /// Splits a file. Fails only on front matter that is opened and never closed.
    pub fn parse(text: &'a str) -> Result<Self, String> {
        let split = frontmatter::split(text).map_err(|e| e.to_string())?;
        let front_end = if split.yaml.is_some() { text.len() - split.body.len() } else { 0 };
        let body = &text[front_end..];
        let starts: Vec<_> =
            markdown::sections(body).into_iter().filter(|s| s.level > 0 && at_line_start(body, s.span.start)).collect();
        let mut chunks = Vec::with_capacity(starts.len() + 1);
        let first = starts.first().map_or(body.len(), |s| s.span.start);
        if !body[..first].trim().is_empty() {
            let span = front_end..front_end + first;
            chunks.push(Chunk { heading: String::new(), level: 0, span, body_start: front_end });
        }
        for (i, section) in starts.iter().enumerate() {
            let end = starts.get(i + 1).map_or(body.len(), |next| next.span.start);
            let raw_heading = &body[section.span.start..section.body_start];
            chunks.push(Chunk {
                heading: heading_as_written(raw_heading),
                level: section.level,
                span: front_end + section.span.start..front_end + end,
                body_start: front_end + section.body_start,
            });
        }
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        Ok(Self { text, front_end, chunks, newline })
    }

    /// A chunk's raw Markdown.
    pub fn raw(&self, chunk: &Chunk) -> &'a str {
        &self.text[chunk.span.clone()]
    }

    /// A chunk's body: everything after its heading.
    pub fn body(&self, chunk: &Chunk) -> &'a str {
        &self.text[chunk.body_start..chunk.span.end]
    }

    /// The front matter as written, fences included.
    pub fn front_matter(&self) -> &'a str {
        &self.text[..self.front_end]
    }

    /// The Markdown after the front matter.
    pub fn markdown(&self) -> &'a str {
        &self.text[self.front_end..]
    }

    /// Classifies every chunk.
    pub fn classify(&self, classifier: &Classifier) -> Vec<super::classify::Class> {
        let views: Vec<SectionView<'_>> = self
            .chunks
            .iter()
            .map(|c| SectionView { level: c.level, heading: &c.heading, text: self.raw(c) })
            .collect();
        classifier.classify(&views)
    }
}

/// Whether a file was laid out by an earlier run: it carries the boundary line outside code.
pub fn is_restructured(text: &str) -> bool {
    prose_lines(text).any(|line| line.trim() == DYNAMIC_MARKER)
}

/// A restructured file's Markdown split at the boundary line: (static part, dynamic part).
pub fn split_at_marker(markdown: &str) -> (&str, &str) {
    let mut offset = 0;
    for line in markdown.split_inclusive('\n') {
        if line.trim() == DYNAMIC_MARKER {
            return (&markdown[..offset], &markdown[offset + line.len()..]);
        }
        offset += line.len();
    }
    (markdown, "")
}

/// A heading's text as written, inline markup kept, so a hoisted heading is the author's:
/// the ATX line without its `#` runs, or a setext heading's lines joined without the underline.
fn heading_as_written(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or_default();
    if let Some(text) = atx_heading(first.trim_start()) {
        return text.to_string();
    }
    let lines: Vec<&str> = raw.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    lines[..lines.len().saturating_sub(1)].join(" ")
}

/// Headings nested in list items or block quotes do not start at column 0; moving them alone
/// would tear their container apart, so they stay inside the previous chunk (as do the rare
/// top-level headings indented by 1-3 spaces, which is harmless).
fn at_line_start(text: &str, at: usize) -> bool {
    at == 0 || text.as_bytes()[at - 1] == b'\n'
}

/// Without blank lines around it: chunks are joined with exactly one blank line.
pub fn tidy(text: &str) -> &str {
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if !line.trim().is_empty() {
            break;
        }
        start += line.len();
    }
    text[start..].trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "---\nname: a\n---\n\nIntro line.\n\n# Title\n\nText.\n\n- item\n  # not a section\n\n## Status\n\n```md\n# inside code\n```\n";

    #[test]
    fn splits_front_matter_preamble_and_headed_chunks() {
        let doc = Document::parse(FILE).unwrap();
        assert_eq!(doc.front_matter(), "---\nname: a\n---\n");
        let chunks: Vec<_> = doc.chunks.iter().map(|c| (c.level, c.heading.as_str())).collect();
        assert_eq!(chunks, vec![(0, ""), (1, "Title"), (2, "Status")]);
        assert_eq!(tidy(doc.raw(&doc.chunks[0])), "Intro line.");
        assert!(doc.raw(&doc.chunks[1]).contains("  # not a section"));
        assert_eq!(doc.body(&doc.chunks[2]), "\n```md\n# inside code\n```\n");
        let marked = Document::parse("## **Bold** `code` C# ##\nx\n\nSetext *one*\n---\ny\n").unwrap();
        let headings: Vec<_> = marked.chunks.iter().map(|c| c.heading.as_str()).collect();
        assert_eq!(headings, vec!["**Bold** `code` C#", "Setext *one*"]);
        let joined: String = doc.chunks.iter().map(|c| doc.raw(c)).collect();
        assert_eq!(format!("{}{joined}", doc.front_matter()), FILE, "chunks cover the file byte for byte");
    }

    #[test]
    fn whitespace_only_preamble_is_not_a_chunk_and_crlf_is_kept() {
        let doc = Document::parse("\n\n# A\r\nbody\r\n").unwrap();
        assert_eq!(doc.chunks.len(), 1);
        assert_eq!(doc.newline, "\r\n");
        assert!(Document::parse("---\nname: a\n").is_err());
    }

    #[test]
    fn recognizes_restructured_files_by_the_boundary_outside_code() {
        let done = format!("# A\n\nstatic\n\n{DYNAMIC_MARKER}\n\n## Status\n\nnow\n");
        assert!(is_restructured(&done));
        assert_eq!(split_at_marker(&done), ("# A\n\nstatic\n\n", "\n## Status\n\nnow\n"));
        assert!(!is_restructured(&format!("# A\n\n```\n{DYNAMIC_MARKER}\n```\n")));
    }
}
