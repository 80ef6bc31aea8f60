//! The crate's only time reads. `dingtalk-core` will offer a `Clock` trait; swapping it in touches this file only.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

/// Monotonic now; follows tokio's paused clock in tests.
#[expect(
    clippy::disallowed_methods,
    reason = "the crate's single monotonic time read; follows tokio's paused clock"
)]
pub(crate) fn now() -> Instant {
    Instant::now()
}

/// Wall-clock milliseconds since the Unix epoch, derived from one wall read at construction plus monotonic
/// elapsed time, so paused-time tests move it too.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WallClock {
    base_ms: i64,
    base: Instant,
}

impl WallClock {
    #[expect(
        clippy::disallowed_methods,
        reason = "the crate's single wall-clock read, taken once"
    )]
    pub(crate) fn new() -> Self {
        let base_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Self { base_ms, base: now() }
    }

    /// Epoch milliseconds now.
    pub(crate) fn now_ms(&self) -> i64 {
        self.base_ms
            .saturating_add(millis(now().saturating_duration_since(self.base)))
    }
}

/// A duration in whole milliseconds, saturating.
pub(crate) fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Wall-clock reads for the sleep/wake check (R-LIVE-5): the system's wall clock, which keeps running while the
/// machine sleeps (the monotonic clock does not), plus a skew that only tests move.
#[derive(Clone, Debug, Default)]
pub(crate) struct Wall {
    skew_ms: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl PartialEq for Wall {
    /// Not a setting: every `Wall` compares equal.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Wall {
    /// Epoch milliseconds now.
    #[expect(
        clippy::disallowed_methods,
        reason = "the sleep/wake check needs a clock that runs during suspend"
    )]
    pub(crate) fn now_ms(&self) -> i64 {
        let system = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, millis);
        system.saturating_add(self.skew_ms.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Moves this wall clock (and its clones) forward, as a suspend would (tests).
    #[cfg(test)]
    pub(crate) fn skip(&self, by: Duration) {
        self.skew_ms
            .fetch_add(millis(by), std::sync::atomic::Ordering::Relaxed);
    }
}

/// Finds time the process did not run (R-LIVE-5), from two readings per check: how far the wall clock ran ahead
/// of the monotonic clock since the last check (a suspended machine: the monotonic clock stops), and how late a
/// timer fired (a stopped or starved process: both clocks run).
#[derive(Clone, Copy, Debug)]
pub(crate) struct GapDetector {
    last_mono: Instant,
    last_wall_ms: i64,
    threshold: Duration,
}

impl GapDetector {
    /// Starts at one reading; gaps above `threshold` are reported.
    pub(crate) fn new(mono: Instant, wall_ms: i64, threshold: Duration) -> Self {
        Self {
            last_mono: mono,
            last_wall_ms: wall_ms,
            threshold,
        }
    }

    /// One check at `mono`/`wall_ms`, `late` after the timer's deadline. `Some(lost time)` when it is above the
    /// threshold. A wall clock set backwards counts as no gap.
    pub(crate) fn check(&mut self, mono: Instant, wall_ms: i64, late: Duration) -> Option<Duration> {
        let mono_ms = millis(mono.saturating_duration_since(self.last_mono));
        let wall_gap_ms = wall_ms.saturating_sub(self.last_wall_ms);
        let suspended =
            Duration::from_millis(u64::try_from(wall_gap_ms.saturating_sub(mono_ms)).unwrap_or(0));
        self.last_mono = mono;
        self.last_wall_ms = wall_ms;
        let lost = suspended.max(late);
        (lost > self.threshold).then_some(lost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(30);

    #[test]
    fn a_wall_clock_that_ran_ahead_is_a_suspend() {
        let t0 = now();
        let mut d = GapDetector::new(t0, 1_000_000, T);
        // 5 s later on both clocks: nothing.
        assert_eq!(
            d.check(t0 + Duration::from_secs(5), 1_005_000, Duration::ZERO),
            None
        );
        // 5 s monotonic, 10 min wall: the machine slept about 9 min 55 s.
        assert_eq!(
            d.check(t0 + Duration::from_secs(10), 1_605_000, Duration::ZERO),
            Some(Duration::from_secs(595))
        );
        // Back to normal afterwards.
        assert_eq!(
            d.check(t0 + Duration::from_secs(15), 1_610_000, Duration::ZERO),
            None
        );
    }

    #[test]
    fn a_late_timer_is_a_gap_and_small_drift_is_not() {
        let t0 = now();
        let mut d = GapDetector::new(t0, 0, T);
        assert_eq!(
            d.check(t0 + Duration::from_secs(5), 5_000, Duration::from_secs(29)),
            None
        );
        assert_eq!(
            d.check(t0 + Duration::from_secs(40), 40_000, Duration::from_secs(31)),
            Some(Duration::from_secs(31))
        );
        // Wall set back by an hour, or ahead by less than the threshold: no gap.
        assert_eq!(
            d.check(t0 + Duration::from_secs(45), -3_555_000, Duration::ZERO),
            None
        );
        assert_eq!(
            d.check(t0 + Duration::from_secs(50), -3_530_000, Duration::ZERO),
            None
        );
    }

    #[test]
    fn wall_skip_moves_every_clone() {
        let wall = Wall::default();
        let clone = wall.clone();
        let before = clone.now_ms();
        wall.skip(Duration::from_hours(1));
        assert!(clone.now_ms() - before >= 3_600_000);
    }
}
