//! The plan a planner model returns: subtasks, the agent for each, dependencies and what each
//! must hand back. Parsed leniently (models wrap JSON in prose or fences), validated strictly.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

/// A plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub subtasks: Vec<PlannedSubtask>,
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedSubtask {
    pub id: String,
    pub title: String,
    pub agent: String,
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// What the subtask must hand back to those that depend on it and to the synthesis.
    #[serde(default)]
    pub returns: String,
    /// The tier the planner says the part needs (kept within the router's bounds, see
    /// `planned::step`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
}

/// Something wrong with a plan, worded so it can be sent back to the planner to repair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    NotJson(String),
    Empty,
    TooMany { count: usize, max: usize },
    DuplicateId(String),
    UnknownAgent { subtask: String, agent: String },
    UnknownDependency { subtask: String, dependency: String },
    Cycle(Vec<String>),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotJson(e) => write!(f, "the reply is not a JSON plan ({e})"),
            Self::Empty => write!(f, "the plan has no subtasks"),
            Self::TooMany { count, max } => write!(f, "the plan has {count} subtasks; at most {max} are allowed"),
            Self::DuplicateId(id) => write!(f, "subtask id `{id}` is used twice"),
            Self::UnknownAgent { subtask, agent } => {
                write!(f, "subtask `{subtask}` names agent `{agent}`, which is not in the list")
            }
            Self::UnknownDependency { subtask, dependency } => {
                write!(f, "subtask `{subtask}` depends on `{dependency}`, which is not a subtask")
            }
            Self::Cycle(ids) => write!(f, "subtasks depend on each other in a cycle: {}", ids.join(" -> ")),
        }
    }
}

/// Finds the JSON object in a model's reply (bare, in a ```json fence, or after prose).
pub fn parse(reply: &str) -> Result<Plan, Problem> {
    let start = reply.find('{').ok_or_else(|| Problem::NotJson("no `{` in the reply".into()))?;
    let end = reply.rfind('}').ok_or_else(|| Problem::NotJson("no closing `}`".into()))?;
    if end < start {
        return Err(Problem::NotJson("braces out of order".into()));
    }
    serde_json::from_str(&reply[start..=end]).map_err(|e| Problem::NotJson(e.to_string()))
}

/// Checks a plan against the agents that may be used and a size bound.
pub fn validate(plan: &Plan, agents: &HashSet<String>, max_subtasks: usize) -> Vec<Problem> {
    let mut problems = Vec::new();
    if plan.subtasks.is_empty() {
        problems.push(Problem::Empty);
    }
    if plan.subtasks.len() > max_subtasks {
        problems.push(Problem::TooMany { count: plan.subtasks.len(), max: max_subtasks });
    }
    let mut ids = HashSet::new();
    for s in &plan.subtasks {
        if !ids.insert(s.id.as_str()) {
            problems.push(Problem::DuplicateId(s.id.clone()));
        }
        if !agents.contains(&s.agent) {
            problems.push(Problem::UnknownAgent { subtask: s.id.clone(), agent: s.agent.clone() });
        }
    }
    for s in &plan.subtasks {
        for d in s.depends_on.iter().filter(|d| !ids.contains(d.as_str())) {
            problems.push(Problem::UnknownDependency { subtask: s.id.clone(), dependency: d.clone() });
        }
    }
    if problems.is_empty()
        && let Some(cycle) = find_cycle(plan)
    {
        problems.push(Problem::Cycle(cycle));
    }
    problems
}

/// A dependency cycle, if any (depth-first search with colours).
fn find_cycle(plan: &Plan) -> Option<Vec<String>> {
    let deps: HashMap<&str, &[String]> =
        plan.subtasks.iter().map(|s| (s.id.as_str(), s.depends_on.as_slice())).collect();
    let mut state: HashMap<&str, u8> = HashMap::new();
    fn visit<'a>(
        id: &'a str,
        deps: &HashMap<&'a str, &'a [String]>,
        state: &mut HashMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> bool {
        match state.get(id) {
            Some(1) => {
                path.push(id);
                return true;
            }
            Some(2) => return false,
            _ => {}
        }
        state.insert(id, 1);
        path.push(id);
        for d in deps.get(id).copied().unwrap_or_default() {
            if visit(d, deps, state, path) {
                return true;
            }
        }
        path.pop();
        state.insert(id, 2);
        false
    }
    for s in &plan.subtasks {
        let mut path = Vec::new();
        if visit(&s.id, &deps, &mut state, &mut path) {
            let last = path.last().copied().unwrap_or_default();
            let from = path.iter().position(|p| *p == last).unwrap_or(0);
            return Some(path[from..].iter().map(|s| (*s).to_string()).collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agents() -> HashSet<String> {
        ["api-designer", "sql-optimizer", "technical-writer"].iter().map(|s| (*s).to_string()).collect()
    }

    const PLAN: &str = r#"Here is the plan:
```json
{"subtasks": [
  {"id": "schema", "title": "Design tables", "agent": "sql-optimizer", "returns": "DDL"},
  {"id": "api", "title": "Design endpoints", "agent": "api-designer", "depends_on": ["schema"]},
  {"id": "docs", "title": "Write docs", "agent": "technical-writer", "depends_on": ["api"]}
]}
```"#;

    #[test]
    fn parses_fenced_json_and_validates() {
        let plan = parse(PLAN).unwrap();
        assert_eq!(plan.subtasks.len(), 3);
        assert!(validate(&plan, &agents(), 8).is_empty());
    }

    #[test]
    fn finds_every_kind_of_problem() {
        assert!(matches!(parse("no json here"), Err(Problem::NotJson(_))));
        let mut plan = parse(PLAN).unwrap();
        plan.subtasks[0].agent = "wizard".into();
        plan.subtasks[1].depends_on.push("ghost".into());
        let problems = validate(&plan, &agents(), 2);
        assert!(problems.contains(&Problem::TooMany { count: 3, max: 2 }));
        assert!(problems.iter().any(|p| matches!(p, Problem::UnknownAgent { agent, .. } if agent == "wizard")));
        assert!(
            problems
                .iter()
                .any(|p| matches!(p, Problem::UnknownDependency { dependency, .. } if dependency == "ghost"))
        );
    }

    #[test]
    fn detects_cycles() {
        let mut plan = parse(PLAN).unwrap();
        plan.subtasks[0].depends_on.push("docs".into());
        let problems = validate(&plan, &agents(), 8);
        let Some(Problem::Cycle(ids)) = problems.first() else { panic!("{problems:?}") };
        assert_eq!(ids.first(), ids.last());
        assert!(problems[0].to_string().contains("cycle"));
    }
}
