//! Which of an agent's keywords say what distinguishes it. A library's agents often share
//! boilerplate (a safety section marking `rm -rf` and `DROP TABLE` in code, a "Personality" /
//! "Memory" scaffold in bold): parsed one file at a time those are keywords like any other, and
//! the card's few keyword slots go to them. A term marked in many agents of the library tells a
//! reader of the card (a person, or the reranker choosing from a shortlist) nothing about this
//! one, so it is left off the card; the store keeps every candidate so the filter can be
//! recomputed when the library changes.

use std::collections::{HashMap, HashSet};

/// A term marked in at least this share of the library's agents is not a keyword. Measured on
/// the demo library and the three public ones (`docs`: README, "Card keywords"): shared
/// boilerplate sits at 29-71 % of agents, the next terms ("model", "team", "tools" in the demo,
/// "mandatory" in agency-agents) at 11-16 %, and every agent-specific term below 5 %. At one
/// in ten, a keyword still on a card appears on about one card of a ten-card shortlist by
/// chance at most.
const COMMON_PERCENT: usize = 10;
/// ... and in at least this many agents, so that a small library keeps what two agents share.
const COMMON_MIN_AGENTS: usize = 3;

/// Terms (lowercased) marked in so many of the library's agents that they distinguish none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Common(HashSet<String>);

impl Common {
    /// Counts, for each term, the agents whose candidate keywords contain it.
    pub fn of<'a>(lists: impl IntoIterator<Item = &'a [String]>) -> Self {
        let mut agents = 0usize;
        let mut df: HashMap<String, usize> = HashMap::new();
        for list in lists {
            agents += 1;
            let own: HashSet<String> = list.iter().map(|t| t.to_lowercase()).collect();
            for term in own {
                *df.entry(term).or_default() += 1;
            }
        }
        let floor = (agents.saturating_mul(COMMON_PERCENT)).div_ceil(100).max(COMMON_MIN_AGENTS);
        Self(df.into_iter().filter(|&(_, n)| n >= floor).map(|(t, _)| t).collect())
    }

    pub fn contains(&self, term: &str) -> bool {
        self.0.contains(&term.to_lowercase())
    }

    /// The candidates that are not common, in the author's order.
    pub fn distinctive<'a>(&self, keywords: &'a [String]) -> Vec<&'a String> {
        keywords.iter().filter(|k| !self.contains(k)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists(spec: &[&[&str]]) -> Vec<Vec<String>> {
        spec.iter().map(|l| l.iter().map(|s| (*s).to_string()).collect()).collect()
    }

    #[test]
    fn boilerplate_shared_by_many_agents_is_common_and_specific_terms_are_not() {
        // 30 agents: all mark `rm -rf`, 4 mark "Kafka" (13 %), each marks its own term.
        let mut spec: Vec<Vec<String>> = Vec::new();
        for i in 0..30 {
            let mut list = vec!["rm -rf".to_string(), format!("term{i}")];
            if i < 4 {
                list.push("Kafka".to_string());
            }
            if i < 2 {
                list.push("Flink".to_string());
            }
            spec.push(list);
        }
        let common = Common::of(spec.iter().map(Vec::as_slice));
        assert!(common.contains("RM -RF") && common.contains("kafka"));
        assert!(!common.contains("flink") && !common.contains("term0"));
        let first = common.distinctive(&spec[0]);
        assert_eq!(first, vec!["term0", "Flink"]);
    }

    #[test]
    fn a_small_library_keeps_what_two_agents_share() {
        let spec = lists(&[&["EXPLAIN", "VACUUM"], &["EXPLAIN"], &["Redis"]]);
        let common = Common::of(spec.iter().map(Vec::as_slice));
        assert_eq!(common, Common::default());
        let spec = lists(&[&["X"], &["x"], &["X", "y"]]);
        assert!(Common::of(spec.iter().map(Vec::as_slice)).contains("x"));
    }

    #[test]
    fn a_term_repeated_in_one_agent_counts_once() {
        let spec = lists(&[&["a", "A", "a"], &["b"], &["c"]]);
        assert_eq!(Common::of(spec.iter().map(Vec::as_slice)), Common::default());
    }
}
