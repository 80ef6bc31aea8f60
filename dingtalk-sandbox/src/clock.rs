//! The sandbox's only source of time, with a virtual offset tests can advance.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

/// Virtual time never moves more than ~100 years ahead, so deadline arithmetic cannot overflow.
const MAX_OFFSET_MS: u64 = 100 * 365 * 24 * 3600 * 1000;

/// `at + d`, saturating at ~100 years past `at` instead of overflowing.
pub(crate) fn later(at: Instant, d: Duration) -> Instant {
    at.checked_add(d)
        .unwrap_or_else(|| at + Duration::from_millis(MAX_OFFSET_MS))
}

/// Monotonic and wall time, both shifted by a virtual offset that only grows.
#[derive(Debug)]
pub(crate) struct Clock {
    offset_ms: AtomicU64,
}

impl Clock {
    pub(crate) fn new() -> Self {
        Self {
            offset_ms: AtomicU64::new(0),
        }
    }

    /// Monotonic now, plus the virtual offset.
    pub(crate) fn now(&self) -> Instant {
        real_now() + self.offset()
    }

    /// Wall-clock epoch milliseconds, plus the virtual offset.
    pub(crate) fn epoch_ms(&self) -> u64 {
        let real = u64::try_from(
            real_wall()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis(),
        )
        .unwrap_or(0);
        real.saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves virtual time forward.
    pub(crate) fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis())
            .unwrap_or(u64::MAX)
            .min(MAX_OFFSET_MS);
        let _ = self
            .offset_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |cur| {
                Some(cur.saturating_add(ms).min(MAX_OFFSET_MS))
            });
    }

    fn offset(&self) -> Duration {
        Duration::from_millis(self.offset_ms.load(Ordering::Relaxed))
    }
}

/// A tokio timer deadline `after` from the real now (timers ignore the virtual offset).
pub(crate) fn deadline(after: Duration) -> Instant {
    later(real_now(), after)
}

#[expect(
    clippy::disallowed_methods,
    reason = "the sandbox's one monotonic clock read; follows tokio's paused clock"
)]
fn real_now() -> Instant {
    Instant::now()
}

#[expect(clippy::disallowed_methods, reason = "the sandbox's one wall clock read")]
fn real_wall() -> SystemTime {
    SystemTime::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_both_clocks() {
        let clock = Clock::new();
        let before = clock.epoch_ms();
        let mono = clock.now();
        clock.advance(Duration::from_mins(1));
        assert!(clock.epoch_ms() >= before + 60_000);
        assert!(clock.now() >= mono + Duration::from_mins(1));
    }
}
