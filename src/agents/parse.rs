//! One agent file into an `Agent`: checks that the bytes are a text file worth reading, reads
//! front matter leniently, splits the Markdown into sections, and derives the index text.

use std::collections::HashSet;
use std::io::Read;

use super::frontmatter::{self, FrontMatter};
use super::keywords::Common;
use super::markdown::{self, Section};
use super::scan::SourceFile;
use super::{Agent, IndexText, Layout, SectionInfo, card};
use crate::tokens;

/// Agent files larger than this are refused: no prompt that size is an agent definition, and
/// reading it would only slow every index run.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// What reading one file gave.
#[derive(Debug)]
pub enum Outcome {
    Agent(Box<Agent>),
    /// The file should define an agent but cannot be used; the reason names what is wrong.
    Skipped(String),
    /// A Markdown file without front matter where subagent files live: a note, not an agent.
    NotAnAgent,
}

/// Reads a file, refusing oversized ones before reading them.
pub fn read(file: &SourceFile) -> Result<Vec<u8>, String> {
    let handle = std::fs::File::open(&file.path).map_err(|e| format!("cannot open: {e}"))?;
    let size = handle.metadata().map_err(|e| format!("cannot stat: {e}"))?.len();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "file is {:.1} MiB; agent files over {} MiB are not indexed",
            size as f64 / 1_048_576.0,
            MAX_FILE_BYTES / 1_048_576
        ));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    handle.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read: {e}"))?;
    Ok(bytes)
}

/// A stable content hash (xxh3, hex).
pub fn hash(bytes: &[u8]) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes))
}

/// Parses one file. `ids` holds every agent id of the library, so that mentions of other
/// agents can be kept out of this agent's index text.
pub fn parse(file: &SourceFile, bytes: &[u8], ids: &HashSet<String>, card_max_tokens: usize) -> Outcome {
    let text = match check_text(bytes) {
        Ok(text) => text,
        Err(reason) => return Outcome::Skipped(reason),
    };
    let split = match frontmatter::split(text) {
        Ok(split) => split,
        Err(err) => return Outcome::Skipped(err.to_string()),
    };
    if split.yaml.is_none() && file.layout == Layout::Subagent {
        return Outcome::NotAnAgent;
    }
    let mut warnings = Vec::new();
    let front = match split.yaml.map(frontmatter::parse) {
        None => FrontMatter::default(),
        Some(Ok((front, warning))) => {
            warnings.extend(warning);
            front
        }
        Some(Err(err)) => {
            warnings.push(format!("{err}; indexed from the body alone"));
            FrontMatter::default()
        }
    };
    let sections = markdown::sections(split.body);
    if split.yaml.is_none() && !sections.iter().any(|s| s.level > 0) {
        warnings.push("no front matter and no heading: the name is taken from the folder".to_string());
    }
    let parsed = Parsed { file, text, body: split.body, front, sections };
    Outcome::Agent(Box::new(parsed.into_agent(ids, card_max_tokens, warnings)))
}

/// Refuses what is not a text file: empty, binary, or not UTF-8.
pub fn check_text(bytes: &[u8]) -> Result<&str, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("empty file".to_string());
    }
    if let Some(at) = bytes.iter().take(8192).position(|&b| b == 0) {
        return Err(format!("binary file (NUL byte at offset {at})"));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        format!("not UTF-8: invalid byte 0x{:02X} at offset {at} (line {line}); save the file as UTF-8", bytes[at])
    })
}

/// Headings of sections that list expertise.
const CAPABILITY_HEADINGS: &[&str] = &[
    "capabilit",
    "expertise",
    "skill",
    "focus area",
    "specialt",
    "responsibilit",
    "what i do",
    "knowledge",
    "core competenc",
    "purpose",
    "role",
];
/// Headings of sections that show requests in users' words.
const EXAMPLE_HEADINGS: &[&str] =
    &["example", "typical request", "use case", "when to use", "trigger", "sample request"];
/// Headings of sections about other agents: they must not make this agent rank for those.
const COLLABORATION_HEADINGS: &[&str] = &[
    "collaborat",
    "works with",
    "work with",
    "related agent",
    "other agent",
    "handoff",
    "hand-off",
    "hand off",
    "see also",
    "integration with other",
    "integrates with",
    "vs ",
    "versus",
    "delegat",
];

fn heading_matches(section: &Section, patterns: &[&str]) -> bool {
    // Patterns match at the start of a word: "role" must not match "controller".
    let heading = format!(" {} ", section.heading.to_lowercase());
    patterns.iter().any(|p| heading.contains(&format!(" {p}")))
}

struct Parsed<'a> {
    file: &'a SourceFile,
    text: &'a str,
    body: &'a str,
    front: FrontMatter,
    sections: Vec<Section>,
}

impl Parsed<'_> {
    fn into_agent(self, ids: &HashSet<String>, card_max_tokens: usize, warnings: Vec<String>) -> Agent {
        let id = self.file.id.clone();
        let title = self.sections.iter().find(|s| s.level == 1).map(|s| s.heading.trim().to_string());
        let name = self.front.name.clone().or(title).filter(|n| !n.is_empty()).unwrap_or_else(|| id.clone());
        let description = self.front.description.clone().unwrap_or_else(|| first_paragraph(&self.sections));
        let capabilities = self.capabilities();
        let keywords = self.keywords(&capabilities);
        let sections = self
            .sections
            .iter()
            .map(|s| SectionInfo {
                heading: s.heading.trim().to_string(),
                level: s.level,
                tokens: tokens::estimate(&self.body[s.span.clone()]),
            })
            .collect();
        let index = self.index_text(&id, &name, &description, &capabilities, ids);
        let mut agent = Agent {
            rel_path: self.file.rel_path.clone(),
            layout: self.file.layout,
            content_hash: hash(self.text.as_bytes()),
            full_tokens: tokens::estimate(self.text),
            tools: self.front.tools.clone(),
            model_hint: self.front.model.clone(),
            id,
            name,
            description,
            capabilities,
            keywords,
            sections,
            card: String::new(),
            card_tokens: 0,
            index,
            warnings,
        };
        // The library-wide keyword filter is applied when the library's agents are known
        // (`index::index_library` renders the card again).
        card::finish(&mut agent, card_max_tokens, &Common::default());
        agent
    }

    /// The lead phrase of each expertise bullet ("Redis: caching" gives "Redis").
    fn capabilities(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for section in self.sections.iter().filter(|s| heading_matches(s, CAPABILITY_HEADINGS)) {
            for bullet in &section.bullets {
                let lead = bullet.split([':', '\u{2014}']).next().unwrap_or(bullet).trim();
                let lead: String = lead.split_whitespace().take(8).collect::<Vec<_>>().join(" ");
                if lead.len() > 2 && !out.iter().any(|o| o.eq_ignore_ascii_case(&lead)) {
                    out.push(lead);
                }
            }
        }
        out
    }

    /// Terms marked bold or as code outside sections about other agents, minus capabilities.
    fn keywords(&self, capabilities: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let own = self.sections.iter().filter(|s| !heading_matches(s, COLLABORATION_HEADINGS));
        for term in own.flat_map(|s| s.marked.iter()) {
            let known = |t: &String| t.eq_ignore_ascii_case(term);
            if term.split_whitespace().count() <= 4 && !out.iter().any(known) && !capabilities.iter().any(known) {
                out.push(term.clone());
            }
        }
        out.truncate(40);
        out
    }

    fn index_text(
        &self,
        id: &str,
        name: &str,
        description: &str,
        capabilities: &[String],
        ids: &HashSet<String>,
    ) -> IndexText {
        let others = |text: &str| without_other_ids(text, id, ids);
        let mut index = IndexText {
            name: format!("{} {}", id.replace(['-', '_'], " "), name.replace(['-', '_'], " ")),
            description: others(description),
            ..IndexText::default()
        };
        let mut caps = capabilities.join("; ");
        for section in &self.sections {
            index.headings.push_str(&section.heading);
            index.headings.push('\n');
            if heading_matches(section, COLLABORATION_HEADINGS) {
                continue;
            }
            let target = if heading_matches(section, EXAMPLE_HEADINGS) { &mut index.examples } else { &mut index.body };
            target.push_str(&others(&section.text));
            if heading_matches(section, CAPABILITY_HEADINGS) {
                caps.push_str("; ");
                caps.push_str(&section.marked.join("; "));
            }
        }
        index.capabilities = others(&caps);
        index
    }
}

/// The first paragraph of prose, for files without a front-matter description.
fn first_paragraph(sections: &[Section]) -> String {
    let para = sections
        .iter()
        .flat_map(|s| s.text.split('\n'))
        .map(str::trim)
        .find(|p| p.split_whitespace().count() >= 3)
        .unwrap_or_default();
    truncate_chars(para, 500)
}

fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_string(),
    }
}

/// Removes hyphenated words that are other agents' ids, so that "hand off to
/// security-auditor" does not make this agent rank for security audits.
fn without_other_ids(text: &str, own: &str, ids: &HashSet<String>) -> String {
    if !text.contains('-') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for piece in text.split_inclusive(|c: char| {
        c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '`' | '*' | '"' | '\'' | '/')
    }) {
        let word = piece.trim_end_matches(|c: char| !c.is_alphanumeric());
        let word = word.trim_start_matches(|c: char| !c.is_alphanumeric());
        let is_other = word.contains('-') && word != own && ids.contains(&word.to_ascii_lowercase());
        if is_other {
            out.push(' ');
        } else {
            out.push_str(piece);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn file(id: &str, layout: Layout) -> SourceFile {
        SourceFile { path: PathBuf::from(format!("{id}.md")), rel_path: format!("{id}.md"), id: id.to_string(), layout }
    }

    fn agent(text: &str, ids: &[&str]) -> Agent {
        let ids: HashSet<String> = ids.iter().map(|s| (*s).to_string()).collect();
        match parse(&file("perf-engineer", Layout::Folder), text.as_bytes(), &ids, 200) {
            Outcome::Agent(agent) => *agent,
            other => panic!("expected an agent, got {other:?}"),
        }
    }

    const DOC: &str = "---\nname: Perf Engineer\ndescription: Makes pages fast.\ntools: Read, Bash\nmodel: sonnet\n---\n# Perf\n\nIntro.\n\n## Expertise\n- **Core Web Vitals**: LCP, INP\n- Profiling with `pprof`\n\n## Example requests\n- checkout is slow on phones\n\n## Works with\n- security-auditor for audits\n\nAsk db-tuner about queries.\n";

    #[test]
    fn reads_front_matter_sections_and_capabilities() {
        let a = agent(DOC, &["perf-engineer", "security-auditor", "db-tuner"]);
        assert_eq!(a.name, "Perf Engineer");
        assert_eq!(a.description, "Makes pages fast.");
        assert_eq!(a.tools, vec!["Read", "Bash"]);
        assert_eq!(a.model_hint.as_deref(), Some("sonnet"));
        assert_eq!(a.capabilities, vec!["Core Web Vitals", "Profiling with pprof"]);
        assert!(a.index.examples.contains("slow on phones"));
        assert_eq!(
            a.sections.iter().map(|s| s.heading.as_str()).collect::<Vec<_>>(),
            vec!["Perf", "Expertise", "Example requests", "Works with"]
        );
        assert!(a.card_tokens <= 200 && a.card.contains("perf-engineer"));
    }

    #[test]
    fn other_agents_do_not_leak_into_the_index() {
        let a = agent(DOC, &["perf-engineer", "security-auditor", "db-tuner"]);
        let all = format!("{} {} {} {}", a.index.body, a.index.examples, a.index.capabilities, a.index.description);
        assert!(!all.contains("security-auditor") && !all.contains("audits"), "{all}");
        assert!(
            !without_other_ids("Ask db-tuner about it", "x", &["db-tuner".to_string()].into()).contains("db-tuner")
        );
    }

    #[test]
    fn refuses_binary_empty_and_non_utf8_with_reasons() {
        let ids = HashSet::new();
        let f = file("x", Layout::Folder);
        let reason = |bytes: &[u8]| match parse(&f, bytes, &ids, 200) {
            Outcome::Skipped(reason) => reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(reason(b"  \n"), "empty file");
        assert!(reason(b"# a\0b").starts_with("binary file"));
        assert!(reason(b"# caf\xe9\n").contains("line 1"));
        assert!(reason(b"---\nname: a\n").contains("never closed"));
    }

    #[test]
    fn subagent_files_need_front_matter_and_folders_fall_back_to_body() {
        let ids = HashSet::new();
        assert!(matches!(parse(&file("n", Layout::Subagent), b"# notes", &ids, 200), Outcome::NotAnAgent));
        let a = agent("plain words with no heading at all\n", &[]);
        assert_eq!(a.name, "perf-engineer");
        assert_eq!(a.description, "plain words with no heading at all");
        assert!(a.warnings[0].contains("no heading"));
    }
}
