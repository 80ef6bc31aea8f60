//! Time for the crate, read only through `dingtalk-core`'s [`Clock`]; nothing here reads a system clock itself.
//!
//! Two kinds of reads:
//! - [`now`]: the engine's timer base (deadlines, backoff, ages). It goes through core's [`SystemClock`], which is
//!   tokio's clock, because the same instants arm `tokio::time` timers; paused-time tests drive it with
//!   `tokio::time::advance`.
//! - [`ClockHandle`]: the clock injected with [`ClientBuilder::clock`](crate::ClientBuilder::clock) (default
//!   [`SystemClock`]). The sleep/wake check takes its monotonic and wall readings from it, and transition
//!   timestamps their wall time, so a test can move them (a suspend, an NTP step) without moving tokio's timers.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use dingtalk_core::{Clock, SystemClock};
use tokio::time::Instant;

/// Monotonic now on tokio's clock (core's [`SystemClock`]); follows tokio's paused clock in tests.
pub(crate) fn now() -> Instant {
    Instant::from_std(SystemClock.now())
}

/// Wall-clock milliseconds since the Unix epoch, derived from one wall read at construction plus monotonic
/// elapsed time, so paused-time tests move it too.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WallClock {
    base_ms: i64,
    base: Instant,
}

impl WallClock {
    pub(crate) fn new() -> Self {
        let base_ms = i64::try_from(SystemClock.epoch_millis()).unwrap_or(i64::MAX);
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

/// The injected [`Clock`] (default [`SystemClock`]): a config field, so `Debug` names it only and every handle
/// compares equal (it is not a setting two configs differ in).
#[derive(Clone)]
pub(crate) struct ClockHandle(Arc<dyn Clock>);

impl ClockHandle {
    pub(crate) fn new(clock: Arc<dyn Clock>) -> Self {
        Self(clock)
    }

    /// The clock, for the `connections/open` transport.
    pub(crate) fn arc(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.0)
    }

    /// One reading for the sleep/wake check.
    pub(crate) fn reading(&self) -> Reading {
        Reading {
            mono: self.0.now(),
            wall_ms: self.wall_ms(),
            boot: self.0.boot_time(),
        }
    }

    /// Wall-clock epoch milliseconds.
    pub(crate) fn wall_ms(&self) -> i64 {
        i64::try_from(self.0.epoch_millis()).unwrap_or(i64::MAX)
    }
}

impl Default for ClockHandle {
    fn default() -> Self {
        Self(Arc::new(SystemClock))
    }
}

impl fmt::Debug for ClockHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

impl PartialEq for ClockHandle {
    /// Not a setting: every handle compares equal.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The readings of one sleep/wake check, all from the injected clock.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reading {
    /// Monotonic now (stops while the machine sleeps).
    pub(crate) mono: std::time::Instant,
    /// Wall-clock epoch milliseconds (runs during a sleep; NTP may step it).
    pub(crate) wall_ms: i64,
    /// Time since boot, suspends included (Linux `CLOCK_BOOTTIME`; never stepped), where the clock has one.
    pub(crate) boot: Option<Duration>,
}

/// Finds time the process did not run (R-LIVE-5), from two readings per check: how much more time passed on a
/// clock that runs during a suspend than on the monotonic clock, which stops (a suspended machine), and how late a
/// timer fired (a stopped or starved process: both clocks run).
///
/// The clock that runs during a suspend is the boot-time clock where the injected [`Clock`] has one (Linux
/// `CLOCK_BOOTTIME`): nothing steps it, so a wall clock stepped forward by NTP is not mistaken for a sleep. Without
/// one (macOS, Windows, or a clock that offers none) it is the wall clock, and a forward step larger than the
/// threshold looks like a sleep and costs one make-before-break rotation; the trade-off keeps real sleeps detected
/// on every platform. The wall clock is never required to agree with the boot clock: a wall clock set back
/// during a sleep would hide the sleep.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GapDetector {
    last: Reading,
    threshold: Duration,
}

impl GapDetector {
    /// Starts at one reading; gaps above `threshold` are reported.
    pub(crate) fn new(start: Reading, threshold: Duration) -> Self {
        Self {
            last: start,
            threshold,
        }
    }

    /// One check at `now`, `late` after the timer's deadline. `Some(lost time)` when it is above the
    /// threshold. A wall clock set backwards counts as no gap.
    pub(crate) fn check(&mut self, now: Reading, late: Duration) -> Option<Duration> {
        let mono_gap = now.mono.saturating_duration_since(self.last.mono);
        let suspended = if let (Some(before), Some(after)) = (self.last.boot, now.boot) {
            after.saturating_sub(before).saturating_sub(mono_gap)
        } else {
            let wall_gap_ms = now.wall_ms.saturating_sub(self.last.wall_ms);
            let ahead_ms = wall_gap_ms.saturating_sub(millis(mono_gap));
            Duration::from_millis(u64::try_from(ahead_ms).unwrap_or(0))
        };
        self.last = now;
        let lost = suspended.max(late);
        (lost > self.threshold).then_some(lost)
    }
}

#[cfg(test)]
pub(crate) mod test_clock {
    //! A clock moved only by hand, with separate moves for a running machine, a suspend and an NTP step.

    use std::sync::Mutex;
    use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

    use dingtalk_core::{Clock, SystemClock};

    /// Monotonic, wall and (optionally) boot-time readings that only move when told to.
    #[derive(Debug)]
    pub(crate) struct TestClock {
        state: Mutex<State>,
    }

    #[derive(Debug)]
    struct State {
        mono: Instant,
        wall: SystemTime,
        boot: Option<Duration>,
    }

    impl TestClock {
        /// A clock without a boot-time reading (as on macOS or Windows).
        pub(crate) fn new() -> Self {
            Self {
                state: Mutex::new(State {
                    mono: SystemClock.now(),
                    wall: UNIX_EPOCH + Duration::from_hours(492_792),
                    boot: None,
                }),
            }
        }

        /// A clock with a boot-time reading (as on Linux).
        pub(crate) fn with_boot_time() -> Self {
            let clock = Self::new();
            clock.with(|s| s.boot = Some(Duration::from_hours(5)));
            clock
        }

        fn with(&self, f: impl FnOnce(&mut State)) {
            f(&mut self
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner));
        }

        /// The machine ran for `by`: every clock moves.
        pub(crate) fn run(&self, by: Duration) {
            self.with(|s| {
                s.mono += by;
                s.wall += by;
                s.boot = s.boot.map(|b| b + by);
            });
        }

        /// The machine slept for `by`: the monotonic clock stood still, the wall and boot-time clocks ran.
        pub(crate) fn suspend(&self, by: Duration) {
            self.with(|s| {
                s.wall += by;
                s.boot = s.boot.map(|b| b + by);
            });
        }

        /// The wall clock was stepped forward (NTP, an admin) while the machine ran normally.
        pub(crate) fn step_wall(&self, by: Duration) {
            self.with(|s| s.wall += by);
        }

        /// The wall clock was set back.
        pub(crate) fn step_wall_back(&self, by: Duration) {
            self.with(|s| s.wall -= by);
        }
    }

    impl Clock for TestClock {
        fn now(&self) -> Instant {
            self.state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .mono
        }

        fn wall(&self) -> SystemTime {
            self.state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .wall
        }

        fn boot_time(&self) -> Option<Duration> {
            self.state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .boot
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::test_clock::TestClock;
    use super::*;

    const T: Duration = Duration::from_secs(30);

    fn reading(clock: &Arc<TestClock>) -> Reading {
        ClockHandle::new(Arc::clone(clock) as Arc<dyn Clock>).reading()
    }

    #[test]
    fn a_wall_clock_that_ran_ahead_is_a_suspend() {
        let clock = Arc::new(TestClock::new());
        let mut d = GapDetector::new(reading(&clock), T);
        // 5 s later on both clocks: nothing.
        clock.run(Duration::from_secs(5));
        assert_eq!(d.check(reading(&clock), Duration::ZERO), None);
        // 5 s monotonic, 10 min wall: the machine slept about 9 min 55 s.
        clock.run(Duration::from_secs(5));
        clock.suspend(Duration::from_secs(595));
        assert_eq!(
            d.check(reading(&clock), Duration::ZERO),
            Some(Duration::from_secs(595))
        );
        // Back to normal afterwards.
        clock.run(Duration::from_secs(5));
        assert_eq!(d.check(reading(&clock), Duration::ZERO), None);
    }

    #[test]
    fn a_late_timer_is_a_gap_and_small_drift_is_not() {
        let clock = Arc::new(TestClock::new());
        let mut d = GapDetector::new(reading(&clock), T);
        clock.run(Duration::from_secs(5));
        assert_eq!(d.check(reading(&clock), Duration::from_secs(29)), None);
        clock.run(Duration::from_secs(35));
        assert_eq!(
            d.check(reading(&clock), Duration::from_secs(31)),
            Some(Duration::from_secs(31))
        );
    }

    #[test]
    fn a_wall_clock_set_back_or_slightly_ahead_is_no_gap() {
        let clock = Arc::new(TestClock::new());
        let mut d = GapDetector::new(reading(&clock), T);
        clock.run(Duration::from_secs(5));
        clock.step_wall_back(Duration::from_hours(1));
        assert_eq!(d.check(reading(&clock), Duration::ZERO), None);
        clock.run(Duration::from_secs(5));
        clock.step_wall(Duration::from_secs(20));
        assert_eq!(d.check(reading(&clock), Duration::ZERO), None);
    }

    #[test]
    fn a_wall_clock_stepped_forward_is_not_a_sleep_when_boot_time_is_known() {
        // Regression: an NTP step forward by more than the threshold used to count as a sleep (one needless
        // make-before-break rotation). With a boot-time clock only a real suspend counts.
        let clock = Arc::new(TestClock::with_boot_time());
        let mut d = GapDetector::new(reading(&clock), T);
        clock.run(Duration::from_secs(5));
        clock.step_wall(Duration::from_hours(1));
        assert_eq!(d.check(reading(&clock), Duration::ZERO), None);
        // A real sleep is still found, from the boot-time clock, even if the wall clock was set back meanwhile.
        clock.run(Duration::from_secs(5));
        clock.suspend(Duration::from_mins(10));
        clock.step_wall_back(Duration::from_secs(590));
        assert_eq!(
            d.check(reading(&clock), Duration::ZERO),
            Some(Duration::from_mins(10))
        );
        // A late timer still counts (a stopped process: every clock ran).
        clock.run(Duration::from_secs(45));
        assert_eq!(
            d.check(reading(&clock), Duration::from_secs(40)),
            Some(Duration::from_secs(40))
        );
    }

    #[test]
    fn without_boot_time_a_forward_wall_step_still_looks_like_a_sleep() {
        // The documented trade-off where the platform has no boot-time clock.
        let clock = Arc::new(TestClock::new());
        let mut d = GapDetector::new(reading(&clock), T);
        clock.run(Duration::from_secs(5));
        clock.step_wall(Duration::from_hours(1));
        assert_eq!(
            d.check(reading(&clock), Duration::ZERO),
            Some(Duration::from_hours(1))
        );
    }

    #[test]
    fn the_system_clock_offers_boot_time_on_linux() {
        let reading = ClockHandle::default().reading();
        assert_eq!(
            reading.boot.is_some(),
            cfg!(any(target_os = "linux", target_os = "android"))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn now_follows_paused_tokio_time() {
        let before = now();
        let wall = WallClock::new();
        let wall_before = wall.now_ms();
        tokio::time::advance(Duration::from_secs(90)).await;
        assert!(now() - before >= Duration::from_secs(90));
        assert!(wall.now_ms() - wall_before >= 90_000);
    }
}
