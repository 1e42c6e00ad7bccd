//! The virtual clock: real time plus an offset the test moves forward, so a benchmark can replay a
//! day of cache TTLs and batch delays in seconds. Real delays (slow replies) still use real time.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Real time plus a test-controlled offset, or, frozen, a fixed start plus that offset.
#[derive(Debug, Default)]
pub struct Clock {
    offset: Mutex<Duration>,
    /// A frozen clock's start: time moves only when the test moves it.
    frozen_at: Option<SystemTime>,
}

impl Clock {
    /// A clock that starts at real time.
    pub fn new() -> Self {
        Self::default()
    }

    /// A clock that stands still at the real time of its creation until advanced, so that a
    /// replay's TTLs do not depend on how long the machine took between two requests (an entry
    /// written at 09:01 and asked for at 09:06 expires, or not, the same way on every run).
    pub fn frozen() -> Self {
        Self { frozen_at: Some(SystemTime::now()), ..Self::default() }
    }

    /// The current virtual time.
    pub fn now(&self) -> SystemTime {
        self.frozen_at.unwrap_or_else(SystemTime::now) + self.offset()
    }

    /// How far the clock is ahead of real time.
    pub fn offset(&self) -> Duration {
        *self.offset.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves virtual time forward; it never goes backward, like the real one.
    pub fn advance(&self, by: Duration) {
        let mut offset = self.offset.lock().unwrap_or_else(|e| e.into_inner());
        *offset += by;
    }

    /// Back to real time (used by reset, which also empties every cache).
    pub fn reset(&self) {
        *self.offset.lock().unwrap_or_else(|e| e.into_inner()) = Duration::ZERO;
    }
}

/// Milliseconds since the Unix epoch, for machine-readable ledger times.
pub fn unix_millis(t: SystemTime) -> u64 {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// RFC 3339 in UTC with second precision, as the API formats timestamps and rate-limit resets.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, (rem % 3600) / 60, rem % 60)
}

/// Howard Hinnant's days-to-civil algorithm; avoids a date crate for one formatter.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        assert_eq!(rfc3339(t), "2026-11-18T11:06:40Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn advance_moves_virtual_time() {
        let clock = Clock::new();
        let before = clock.now();
        clock.advance(Duration::from_secs(3600));
        let gained = clock.now().duration_since(before).unwrap();
        assert!(gained >= Duration::from_secs(3600));
        clock.reset();
        assert_eq!(clock.offset(), Duration::ZERO);
    }

    #[test]
    fn a_frozen_clock_moves_only_when_advanced() {
        let clock = Clock::frozen();
        let before = clock.now();
        assert_eq!(clock.now(), before);
        clock.advance(Duration::from_secs(300));
        assert_eq!(clock.now().duration_since(before).unwrap(), Duration::from_secs(300));
    }
}
