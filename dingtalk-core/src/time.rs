//! The one place time is read.
//!
//! Everything that needs "now" takes a [`Clock`]. [`SystemClock`] reads tokio's clock, so tests under
//! `#[tokio::test(start_paused = true)]` move it with `tokio::time::advance`.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A source of monotonic and wall-clock time.
pub trait Clock: Send + Sync + 'static {
    /// Monotonic now; follows tokio's paused clock.
    fn now(&self) -> Instant;
    /// Wall-clock now (for epoch timestamps such as webhook signatures).
    fn wall(&self) -> SystemTime;

    /// Wall-clock now in Unix epoch milliseconds.
    fn epoch_millis(&self) -> u64 {
        self.wall()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }
}

/// The real clock: tokio's monotonic clock and the system wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[expect(
        clippy::disallowed_methods,
        reason = "the single sanctioned read of monotonic time"
    )]
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    #[expect(
        clippy::disallowed_methods,
        reason = "the single sanctioned read of wall-clock time"
    )]
    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Saturating `later - earlier`, zero when `later` is before `earlier`.
pub fn elapsed_between(earlier: Instant, later: Instant) -> Duration {
    later.saturating_duration_since(earlier)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn system_clock_follows_paused_tokio_time() {
        let clock = SystemClock;
        let before = clock.now();
        tokio::time::advance(Duration::from_hours(1)).await;
        assert!(elapsed_between(before, clock.now()) >= Duration::from_hours(1));
        assert!(clock.epoch_millis() > 1_600_000_000_000);
    }
}
