//! Whether a call should write a stable block (the foundation, the project context, the agent's
//! own part) to the cache. A write costs more than sending the block plainly (1.25x input for 5
//! minutes, 2x for an hour) and each read saves most of it (input less the model's read rate), so
//! a mark pays when the block's writes are read often enough: (write - input) / (input - read)
//! reads per write, from the model's own rates and the TTL the block gets (0.26 for a 5-minute
//! entry on a model that reads at 0.05x, 1.05 for a 1-hour one). An agent's part pays only when
//! the same agent comes back to the same model within the entry's lifetime; a project's context
//! only when the project does; on a model whose minimum the shared prefix does not reach, only
//! the whole prefix up to the agent is cached. The store holds what the API reported for every
//! call (which blocks were read, written, or sent plainly), so the choice follows the model's own
//! record, not the clock or the workload: while too few of a block's recent writes were read, it
//! is sent unmarked, with one marked call every `PROBE_EVERY` calls to keep the record current.

use crate::pricing::Rates;

use super::Ttl;

/// Recent calls of a model the record covers.
pub const WINDOW: usize = 60;
/// Writes needed before the record decides (until then, the block is marked).
const MIN_SAMPLES: u64 = 6;
/// An unmarked agent block is marked again after this many calls, to learn whether reuse came back.
const PROBE_EVERY: u64 = 12;

/// Reads per write at which a write with `ttl` pays on a model with `rates`.
pub fn break_even(rates: &Rates, ttl: Ttl) -> f64 {
    let write = match ttl {
        Ttl::FiveMinutes => rates.cache_write_5m,
        Ttl::OneHour => rates.cache_write_1h,
    };
    let saved = rates.input - rates.cache_read;
    if saved <= 0.0 { f64::INFINITY } else { (write - rates.input).max(0.0) / saved }
}

/// `read` and `written`: the block's outcomes over the model's recent calls; `since`: calls
/// since the block was last marked; `break_even`: reads per write at which a write pays.
pub fn worth_marking(read: u64, written: u64, since: Option<u64>, break_even: f64) -> bool {
    if read + written < MIN_SAMPLES {
        return true;
    }
    read as f64 >= break_even * written as f64 || since.is_none_or(|n| n + 1 >= PROBE_EVERY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_follow_the_record_with_probes() {
        let even = 0.28;
        assert!(worth_marking(0, 3, Some(0), even), "too little history: mark");
        assert!(!worth_marking(0, 10, Some(0), even), "never read: send plainly");
        assert!(worth_marking(3, 10, Some(0), even), "read often enough to pay");
        assert!(worth_marking(0, 10, Some(11), even), "a probe after a run of unmarked calls");
    }

    #[test]
    fn the_break_even_follows_the_rates_and_the_ttl() {
        let rates = Rates { input: 2.0, output: 10.0, cache_write_5m: 2.5, cache_write_1h: 4.0, cache_read: 0.1 };
        assert!((break_even(&rates, Ttl::FiveMinutes) - 0.5 / 1.9).abs() < 1e-12);
        assert!((break_even(&rates, Ttl::OneHour) - 2.0 / 1.9).abs() < 1e-12);
        // A 1-hour entry read once per write does not pay at these rates; twice does.
        assert!(!worth_marking(10, 10, Some(0), break_even(&rates, Ttl::OneHour)));
        assert!(worth_marking(20, 10, Some(0), break_even(&rates, Ttl::OneHour)));
    }
}
