//! The agent library: finding agent files, reading them leniently, and turning each into a
//! domain `Agent` with a compact metadata card and the text the index ranks on.

pub mod card;
pub mod frontmatter;
pub mod index;
pub mod keywords;
pub mod markdown;
pub mod parse;
pub mod restructure;
pub mod scan;

pub use crate::records::agent::{Agent, AgentSummary, IndexText, Layout, SectionInfo};
