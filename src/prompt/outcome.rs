//! Which blocks of a laid-out prompt the cache served, from the usage the API reported.
//!
//! The API reports totals: tokens read from the cache (the prefix up to the highest hit), tokens
//! written, and uncached input. The blocks' own sizes are local estimates, so they are scaled to
//! the reported total and the read prefix is matched block by block, with a little slack for the
//! estimate.

pub use crate::records::prompt::{BlockOutcome, CacheOutcome};

use super::Layout;
use crate::tokens;

/// Attributes a call's reported `read` and `written` tokens (of `total` input) to its blocks.
pub fn attribute(layout: &Layout, total: u64, read: u64, written: u64) -> Vec<BlockOutcome> {
    let blocks: Vec<_> = layout.system.iter().chain(&layout.user).collect();
    let estimates: Vec<u64> = blocks.iter().map(|b| tokens::estimate(&b.text) as u64).collect();
    let sum: u64 = estimates.iter().sum::<u64>().max(1);
    let cached_end = blocks.iter().rposition(|b| b.cache.is_some());
    let slack = total / 50;
    let mut at = 0u64;
    blocks
        .iter()
        .zip(estimates)
        .enumerate()
        .map(|(i, (block, estimate))| {
            let tokens = estimate * total / sum;
            at += tokens;
            let outcome = match cached_end {
                Some(end) if i <= end && read > 0 && at <= read + slack => CacheOutcome::Read,
                Some(end) if i <= end && written > 0 => CacheOutcome::Written,
                _ => CacheOutcome::Uncached,
            };
            BlockOutcome { kind: block.kind, tokens, outcome }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::{Block, BlockKind, Ttl};

    fn layout() -> Layout {
        let block = |kind, n: usize, cache| Block { kind, text: "word ".repeat(n), cache };
        Layout {
            system: vec![
                block(BlockKind::Foundation, 1000, Some(Ttl::OneHour)),
                block(BlockKind::Project, 500, Some(Ttl::OneHour)),
                block(BlockKind::AgentStatic, 700, Some(Ttl::FiveMinutes)),
            ],
            user: vec![block(BlockKind::AgentDynamic, 100, None), block(BlockKind::Task, 20, None)],
        }
    }

    fn outcomes(read: u64, written: u64) -> Vec<(BlockKind, CacheOutcome)> {
        let total = tokens::estimate(&"word ".repeat(2320)) as u64;
        attribute(&layout(), total, read, written).into_iter().map(|b| (b.kind, b.outcome)).collect()
    }

    #[test]
    fn shared_blocks_read_agent_part_written() {
        let shared = tokens::estimate(&"word ".repeat(1500)) as u64;
        let agent = tokens::estimate(&"word ".repeat(700)) as u64;
        let got = outcomes(shared, agent);
        assert_eq!(got[0], (BlockKind::Foundation, CacheOutcome::Read));
        assert_eq!(got[1], (BlockKind::Project, CacheOutcome::Read));
        assert_eq!(got[2], (BlockKind::AgentStatic, CacheOutcome::Written));
        assert_eq!(got[3].1, CacheOutcome::Uncached);
        assert_eq!(got[4].1, CacheOutcome::Uncached);
    }

    #[test]
    fn cold_and_fully_warm_calls() {
        assert!(outcomes(0, 5000)[..3].iter().all(|b| b.1 == CacheOutcome::Written));
        let prefix = tokens::estimate(&"word ".repeat(2200)) as u64;
        assert!(outcomes(prefix, 0)[..3].iter().all(|b| b.1 == CacheOutcome::Read));
        assert!(outcomes(0, 0).iter().all(|b| b.1 == CacheOutcome::Uncached));
    }
}
