//! Whether a call should write the agent's own block to the cache. The shared blocks
//! (foundation, project context) are read by every agent of a model and pay for their write
//! many times over; an agent's own block pays only when the same agent comes back to the same
//! model within the entry's lifetime. A 5-minute write costs 0.25x input more than sending the
//! block plainly, and a read saves 0.9x, so a write pays when at least one in 3.6 writes is
//! read. The store holds what the API reported for every call (which blocks were read,
//! written, or sent plainly), so the choice follows the model's own record, not the clock:
//! while too few of its recent writes were read, the agent's block is sent unmarked, with one
//! marked call every `PROBE_EVERY` calls to keep the record current.

/// Recent calls of a model the record covers.
pub const WINDOW: usize = 60;
/// Writes needed before the record decides (until then, the block is marked).
const MIN_SAMPLES: u64 = 6;
/// Reads per write at which a write pays (0.25 / 0.9, rounded up).
const BREAK_EVEN: f64 = 0.28;
/// An unmarked agent block is marked again after this many calls, to learn whether reuse came back.
const PROBE_EVERY: u64 = 12;

/// `read` and `written`: the agent block's outcomes over the model's recent calls;
/// `since`: calls since the block was last marked.
pub fn worth_marking(read: u64, written: u64, since: Option<u64>) -> bool {
    if read + written < MIN_SAMPLES {
        return true;
    }
    read as f64 >= BREAK_EVEN * written as f64 || since.is_none_or(|n| n + 1 >= PROBE_EVERY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_follow_the_record_with_probes() {
        assert!(worth_marking(0, 3, Some(0)), "too little history: mark");
        assert!(!worth_marking(0, 10, Some(0)), "never read: send plainly");
        assert!(worth_marking(3, 10, Some(0)), "read often enough to pay");
        assert!(worth_marking(0, 10, Some(11)), "a probe after a run of unmarked calls");
    }
}
