//! The orchestrator: plans a complex task into subtasks, runs them as a dependency graph on the
//! cheapest capable models, passes compact summaries between them, and synthesizes one answer.

pub mod agent_text;
pub mod directory;
pub mod execute;
pub mod llm;
pub mod persist;
pub mod plan;
pub mod plan_pays;
pub mod planned;
pub mod prompts;
pub mod record;
pub mod single;
