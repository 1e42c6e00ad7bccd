//! The estimate for a live entry when past days say nothing: today's own pace of calls.
//!
//! A refresh (a warm-up that reads a live entry) costs the read rate and extends the entry's
//! life to a full TTL from now. It saves a write when the next call that needs the entry comes
//! after the entry would have expired and before the refreshed one does. On a store's first
//! day, or for an agent new this week, past days at this time of day hold no calls, yet the
//! calls of the last hours show how often the entry is used: taken as a steady (Poisson) rate,
//! the chance of a call in that window is `1 - exp(-rate * window)`.

/// How far back today's pace is measured.
pub const PACE_WINDOW_MS: i64 = 3 * 60 * 60_000;

/// The chance that a call of `calls` (sorted start times) comes in the window a refresh at
/// `now_ms` adds to an entry alive for `alive_for_ms` more, when the entry lives `ttl_ms`.
/// Zero for an entry that is not alive (a warm-up would write it, and a write followed by one
/// call saves nothing) and when no call came in the pace window.
pub fn refresh_hit_chance(calls: &[i64], now_ms: i64, ttl_ms: i64, alive_for_ms: i64) -> f64 {
    if alive_for_ms <= 0 || alive_for_ms >= ttl_ms {
        return 0.0;
    }
    let from = now_ms - PACE_WINDOW_MS;
    let recent = calls.iter().filter(|&&t| t >= from && t < now_ms).count();
    if recent == 0 {
        return 0.0;
    }
    // The pace is measured over the window, or since the first call of it (a day that just
    // started is not diluted by the night before it).
    let first = calls.iter().copied().find(|&t| t >= from).unwrap_or(from);
    let span_ms = (now_ms - first).max(ttl_ms);
    let rate_per_ms = recent as f64 / span_ms as f64;
    let window_ms = (ttl_ms - alive_for_ms) as f64;
    1.0 - (-rate_per_ms * window_ms).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;
    const HOUR: i64 = 60 * MIN;

    #[test]
    fn the_chance_follows_the_pace_and_the_window_a_refresh_adds() {
        let now = 10 * HOUR;
        // Six calls over the last three hours: two an hour.
        let calls: Vec<i64> = (0..6).map(|i| now - 3 * HOUR + i * 30 * MIN).collect();
        let chance = refresh_hit_chance(&calls, now, HOUR, 15 * MIN);
        assert!((chance - (1.0 - (-2.0f64 * 0.75).exp())).abs() < 1e-9, "{chance}");
        let later = refresh_hit_chance(&calls, now, HOUR, 55 * MIN);
        assert!(later < chance, "a refresh of an entry with most of its life left adds little");
        assert_eq!(refresh_hit_chance(&calls, now, HOUR, -MIN), 0.0, "expired: a warm-up would write");
        assert_eq!(refresh_hit_chance(&calls, now + 4 * HOUR, HOUR, 15 * MIN), 0.0, "nothing in the window");
    }

    #[test]
    fn a_day_that_just_started_is_paced_from_its_first_call() {
        let now = 9 * HOUR;
        let calls = [now - 60 * MIN, now - 40 * MIN, now - 20 * MIN];
        let chance = refresh_hit_chance(&calls, now, HOUR, 30 * MIN);
        assert!((chance - (1.0 - (-3.0f64 * 0.5).exp())).abs() < 1e-9, "three calls in the first hour: {chance}");
    }
}
