//! Whether a call should write the agent's own block (and the project context after it) to the
//! cache. A write costs more than sending the block plainly (1.25x input for 5 minutes, 2x for
//! an hour) and each read saves most of it (input less the model's read rate), so a mark pays
//! when the block's writes are read often enough: (write - input) / (input - read) reads per
//! write, from the model's own rates and the TTL the block gets (0.26 for a 5-minute entry on a
//! model that reads at 0.05x, 1.05 for a 1-hour one). An agent's part is read only when the same
//! agent comes back to the same model within the entry's lifetime, and the best sign that it
//! will is that it just did: a call of the agent on the model within that lifetime (a burst of
//! work, a loop, a retry). So the block is marked when the agent ran on the model that recently,
//! or when the model's record shows that agent blocks' writes are read often enough to pay (a
//! team that calls the same agents all day); otherwise it is sent plainly. The store holds what
//! the API reported for every call (which blocks were read, written, or sent plainly), so the
//! choice follows the model's own record, not the workload.

use crate::pricing::Rates;

use super::Ttl;

/// Recent calls of a model the record covers.
pub const WINDOW: usize = 60;
/// Marked blocks the record needs before it can say that marks pay.
const MIN_SAMPLES: u64 = 6;

/// Reads per write at which a write with `ttl` pays on a model with `rates`.
pub fn break_even(rates: &Rates, ttl: Ttl) -> f64 {
    let write = match ttl {
        Ttl::FiveMinutes => rates.cache_write_5m,
        Ttl::OneHour => rates.cache_write_1h,
    };
    let saved = rates.input - rates.cache_read;
    if saved <= 0.0 { f64::INFINITY } else { (write - rates.input).max(0.0) / saved }
}

/// `recent`: the agent ran on the model within the entry's lifetime; `read` and `written`: the
/// block's outcomes over the model's recent calls; `break_even`: reads per write at which a
/// write pays.
pub fn worth_marking(recent: bool, read: u64, written: u64, break_even: f64) -> bool {
    recent || (read + written >= MIN_SAMPLES && read as f64 >= break_even * written as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recent_call_of_the_agent_or_a_record_that_pays_marks_the_block() {
        let even = 0.28;
        assert!(worth_marking(true, 0, 0, even), "the agent just ran on the model: mark");
        assert!(!worth_marking(false, 0, 3, even), "no sign of reuse, too little record: send plainly");
        assert!(!worth_marking(false, 0, 10, even), "never read: send plainly");
        assert!(worth_marking(false, 3, 10, even), "read often enough to pay");
        assert!(!worth_marking(false, 2, 3, even), "too few samples to say it pays");
    }

    #[test]
    fn the_break_even_follows_the_rates_and_the_ttl() {
        let rates = Rates { input: 2.0, output: 10.0, cache_write_5m: 2.5, cache_write_1h: 4.0, cache_read: 0.1 };
        assert!((break_even(&rates, Ttl::FiveMinutes) - 0.5 / 1.9).abs() < 1e-12);
        assert!((break_even(&rates, Ttl::OneHour) - 2.0 / 1.9).abs() < 1e-12);
        // A 1-hour entry read once per write does not pay at these rates; twice does.
        assert!(!worth_marking(false, 10, 10, break_even(&rates, Ttl::OneHour)));
        assert!(worth_marking(false, 20, 10, break_even(&rates, Ttl::OneHour)));
    }
}
