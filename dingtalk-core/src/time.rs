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

    /// Time since boot including time the machine was suspended (Linux `CLOCK_BOOTTIME`), or `None` where the
    /// platform offers no such clock (the default). Unlike [`now`](Self::now) it keeps running while the machine
    /// sleeps; unlike [`wall`](Self::wall) it is never stepped (NTP, an admin). Used to tell a suspend from a wall
    /// clock step.
    fn boot_time(&self) -> Option<Duration> {
        None
    }

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

    /// `CLOCK_BOOTTIME` on Linux and Android. It does not follow tokio's paused clock.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn boot_time(&self) -> Option<Duration> {
        nix::time::clock_gettime(nix::time::ClockId::CLOCK_BOOTTIME)
            .ok()
            .map(Duration::from)
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

    #[test]
    fn boot_time_is_there_on_linux_and_never_goes_back() {
        let clock = SystemClock;
        let first = clock.boot_time();
        assert_eq!(
            first.is_some(),
            cfg!(any(target_os = "linux", target_os = "android"))
        );
        if let (Some(first), Some(second)) = (first, clock.boot_time()) {
            assert!(second >= first);
            assert!(first > Duration::ZERO);
        }
    }
}
