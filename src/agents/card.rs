//! The metadata card: what discovery and a reranker read instead of the agent's full text.
//! It is built greedily to stay within a token budget (200 by default), most useful first:
//! identity, description, capabilities, keywords.

use super::Agent;
use super::keywords::Common;
use crate::tokens;

/// Capabilities listed on a card at most.
const MAX_CAPABILITIES: usize = 10;
/// Keywords listed on a card at most.
const MAX_KEYWORDS: usize = 12;

/// Renders the card for `agent` in at most `max_tokens` estimated tokens, leaving off the
/// keywords `common` to the library.
pub fn render(agent: &Agent, max_tokens: usize, common: &Common) -> String {
    let mut card = Budget::new(max_tokens);
    let mut head = format!("{} ({})", agent.id, agent.name);
    if let Some(model) = &agent.model_hint {
        head.push_str(&format!(" | model: {model}"));
    }
    if !agent.tools.is_empty() {
        head.push_str(&format!(" | tools: {}", agent.tools.join(", ")));
    }
    card.push_clipped(&head);
    // The description is the author's own routing text: it gets the most room. Lists are
    // capped so that a card says what the agent is for, not everything it mentions.
    card.push_clipped_to(&agent.description, max_tokens * 2 / 5);
    card.push_list("Does: ", "; ", &agent.capabilities[..agent.capabilities.len().min(MAX_CAPABILITIES)]);
    let keywords = common.distinctive(&agent.keywords);
    card.push_list("Keywords: ", ", ", &keywords[..keywords.len().min(MAX_KEYWORDS)]);
    card.fit()
}

/// Renders `agent`'s card in place, with its token count.
pub fn finish(agent: &mut Agent, max_tokens: usize, common: &Common) {
    agent.card = render(agent, max_tokens, common);
    agent.card_tokens = tokens::estimate(&agent.card);
}

struct Budget {
    text: String,
    max: usize,
}

impl Budget {
    fn new(max: usize) -> Self {
        Self { text: String::new(), max }
    }

    fn left(&self) -> usize {
        self.max.saturating_sub(tokens::estimate(&self.text))
    }

    /// Adds a line, cut at a word boundary to what the budget has left.
    fn push_clipped(&mut self, line: &str) {
        let left = self.left();
        self.push_clipped_to(line, left);
    }

    fn push_clipped_to(&mut self, line: &str, limit: usize) {
        let limit = limit.min(self.left().saturating_sub(1));
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() || limit == 0 {
            return;
        }
        // Counting each word with its space gives an upper bound of the joined estimate, so
        // the line is built in one pass.
        let mut kept = String::new();
        let mut used = 0;
        for word in line.split(' ') {
            used += tokens::estimate(&format!("{word} "));
            if used + 1 > limit {
                kept.push_str(" ...");
                break;
            }
            if !kept.is_empty() {
                kept.push(' ');
            }
            kept.push_str(word);
        }
        self.line(&kept);
    }

    /// Adds `prefix item1<sep>item2...` with as many items as fit.
    fn push_list<S: AsRef<str>>(&mut self, prefix: &str, sep: &str, items: &[S]) {
        let left = self.left();
        let mut line = String::new();
        for item in items {
            let item = item.as_ref();
            let candidate = if line.is_empty() { format!("{prefix}{item}") } else { format!("{line}{sep}{item}") };
            if tokens::estimate(&candidate) + 1 > left {
                break;
            }
            line = candidate;
        }
        if !line.is_empty() {
            self.line(&line);
        }
    }

    /// The card, dropping trailing lines in the rare case rounding put it over budget.
    fn fit(mut self) -> String {
        while tokens::estimate(&self.text) > self.max {
            match self.text.rfind('\n') {
                Some(at) => self.text.truncate(at),
                None => self.text.clear(),
            }
        }
        self.text
    }

    fn line(&mut self, line: &str) {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        self.text.push_str(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::{IndexText, Layout};

    fn agent(description: &str, capabilities: usize) -> Agent {
        Agent {
            id: "db-tuner".into(),
            rel_path: "db-tuner/CLAUDE.md".into(),
            layout: Layout::Folder,
            name: "DB Tuner".into(),
            description: description.into(),
            tools: vec!["Read".into()],
            model_hint: Some("sonnet".into()),
            capabilities: (0..capabilities).map(|i| format!("capability number {i}")).collect(),
            keywords: vec!["EXPLAIN".into(), "pg_stat_statements".into()],
            sections: vec![],
            content_hash: String::new(),
            full_tokens: 0,
            card: String::new(),
            card_tokens: 0,
            index: IndexText::default(),
            warnings: vec![],
        }
    }

    #[test]
    fn small_agents_fit_whole() {
        let card = render(&agent("Tunes slow SQL.", 2), 200, &Common::default());
        assert_eq!(
            card,
            "db-tuner (DB Tuner) | model: sonnet | tools: Read\nTunes slow SQL.\nDoes: capability number 0; capability number 1\nKeywords: EXPLAIN, pg_stat_statements"
        );
    }

    #[test]
    fn never_exceeds_the_budget() {
        let long = "word ".repeat(500);
        for max in [20, 60, 200] {
            let card = render(&agent(&long, 100), max, &Common::default());
            assert!(tokens::estimate(&card) <= max, "{max}: {}", tokens::estimate(&card));
            assert!(card.starts_with("db-tuner"));
        }
    }
}
