//! What a usage scan asks the store for and gets back: now neutral records, re-exported here.

pub use crate::records::groups::*;
