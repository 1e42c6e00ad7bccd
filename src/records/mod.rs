//! The records the store keeps and the domain reads: plain data, with no dependency on the
//! domain modules or on the store, so that both can use them without a cycle
//! (`scripts/module-cycles.py` checks it).
//!
//! Behaviour that needs the domain (a routed tier, a learning label, pricing) stays with the
//! domain as inherent `impl` blocks on these types where the domain lives, and each domain
//! module re-exports the records it used to own, so its call sites did not change.

pub mod ab;
pub mod agent;
pub mod budget;
pub mod groups;
pub mod project;
pub mod prompt;
pub mod routing;
pub mod run;
pub mod suggest;
pub mod usage;
pub mod warm;
pub mod window;
