//! Markdown into sections: each heading starts one, and the text before the first heading is
//! a preamble. Parsed with pulldown-cmark so that code blocks, lists and emphasis are told
//! apart from prose.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// One heading and what follows it up to the next heading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    /// Heading text; empty for the preamble.
    pub heading: String,
    /// 1-6; 0 for the preamble.
    pub level: u8,
    /// The section's plain text (heading excluded), code included.
    pub text: String,
    /// The first line of each list item, in order.
    pub bullets: Vec<String>,
    /// Bold and inline-code spans: the terms authors mark as important.
    pub marked: Vec<String>,
    /// Byte range of the section in the parsed source, heading line included.
    pub span: Range<usize>,
    /// Where the heading ends (its line break included) and the section's body starts; the
    /// span's start for the preamble.
    pub body_start: usize,
}

/// Splits Markdown into sections.
pub fn sections(source: &str) -> Vec<Section> {
    let mut out = vec![Section::default()];
    let mut state = Walk::default();
    for (event, range) in
        Parser::new_ext(source, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).into_offset_iter()
    {
        state.event(event, range, &mut out);
    }
    for (i, next_start) in
        out.iter().skip(1).map(|s| s.span.start).chain([source.len()]).enumerate().collect::<Vec<_>>()
    {
        out[i].span.end = next_start;
    }
    if out[0].text.trim().is_empty() && out[0].bullets.is_empty() {
        out.remove(0);
    }
    out
}

#[derive(Default)]
struct Walk {
    in_heading: bool,
    list_depth: usize,
    item: Option<String>,
    marked: Option<String>,
}

impl Walk {
    fn event(&mut self, event: Event<'_>, range: Range<usize>, out: &mut Vec<Section>) {
        let section = out.last_mut().expect("sections start non-empty");
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                self.in_heading = true;
                out.push(Section {
                    level: heading_level(level),
                    span: range.start..range.start,
                    body_start: range.end,
                    ..Section::default()
                });
            }
            Event::End(TagEnd::Heading(_)) => self.in_heading = false,
            Event::Start(Tag::List(_)) => self.list_depth += 1,
            Event::End(TagEnd::List(_)) => self.list_depth = self.list_depth.saturating_sub(1),
            Event::Start(Tag::Item) if self.list_depth == 1 => self.item = Some(String::new()),
            Event::End(TagEnd::Item) if self.list_depth == 1 => {
                let first_line = self.item.take().and_then(|i| i.lines().next().map(|l| l.trim().to_string()));
                if let Some(item) = first_line.filter(|i| !i.is_empty()) {
                    section.bullets.push(item);
                }
            }
            Event::Start(Tag::Strong) => self.marked = Some(String::new()),
            Event::End(TagEnd::Strong) => {
                if let Some(term) = self.marked.take() {
                    push_marked(section, &term);
                }
            }
            Event::Code(code) => {
                push_marked(section, &code);
                self.text(section, &code);
            }
            Event::Text(text) => self.text(section, &text),
            Event::SoftBreak | Event::HardBreak => self.text(section, " "),
            Event::End(TagEnd::Paragraph | TagEnd::CodeBlock | TagEnd::TableRow) => {
                section.text.push('\n');
                // An item's first paragraph is its bullet; later paragraphs are detail.
                if let Some(item) = self.item.as_mut() {
                    item.push('\n');
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, section: &mut Section, text: &str) {
        if self.in_heading {
            section.heading.push_str(text);
            return;
        }
        section.text.push_str(text);
        let top_level = self.list_depth == 1;
        if let Some(item) = self.item.as_mut().filter(|i| top_level && !i.contains('\n')) {
            item.push_str(text);
        }
        if let Some(marked) = self.marked.as_mut() {
            marked.push_str(text);
        }
    }
}

fn push_marked(section: &mut Section, term: &str) {
    let term = term.trim().trim_end_matches(':').trim();
    if (2..=60).contains(&term.len()) && !section.marked.iter().any(|m| m == term) {
        section.marked.push(term.to_string());
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "Intro line.\n\n# Title\n\nFirst para.\n\n## Skills\n\n- **Redis**: caching\n- `k6` load tests\n  - nested\n\n```sh\necho hi\n```\n";

    #[test]
    fn splits_into_sections_with_spans() {
        let s = sections(DOC);
        let headings: Vec<_> = s.iter().map(|s| (s.level, s.heading.as_str())).collect();
        assert_eq!(headings, vec![(0, ""), (1, "Title"), (2, "Skills")]);
        assert_eq!(&DOC[s[1].span.clone()], "# Title\n\nFirst para.\n\n");
        assert_eq!(&DOC[s[1].span.start..s[1].body_start], "# Title\n");
        let setext = sections("Intro\n\nTitle\n=====\nbody\n");
        assert_eq!(&"Intro\n\nTitle\n=====\nbody\n"[setext[1].span.start..setext[1].body_start], "Title\n=====\n");
        assert_eq!(s[2].span.end, DOC.len());
    }

    #[test]
    fn collects_bullets_marked_terms_and_code() {
        let s = sections(DOC);
        assert_eq!(s[2].bullets, vec!["Redis: caching", "k6 load tests"]);
        assert_eq!(s[2].marked, vec!["Redis", "k6"]);
        assert!(s[2].text.contains("echo hi"));
    }

    #[test]
    fn no_headings_gives_one_preamble() {
        let s = sections("just text\nmore text\n");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].level, 0);
    }
}
