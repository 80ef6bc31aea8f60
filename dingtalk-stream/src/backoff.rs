//! Reconnect backoff (R-BACK-1): exponential with full-delay jitter, a hard cap and a 100 ms floor.
//!
//! `base_n = min(cap, initial·2^n)`, `delay_n = min(cap, base_n·U(1−j, 1+j))`, `n` counting consecutive failed
//! attempts from 0. There is no attempt limit: the seed's `maxConnectionAttempts` maps to
//! [`BackoffConfig::alert_after`], a threshold after which the state reports "degraded", never a stop.

use std::time::Duration;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// Default first delay: 1 s.
pub const DEFAULT_BACKOFF_INITIAL: Duration = Duration::from_secs(1);
/// Default cap: 60 s.
pub const DEFAULT_BACKOFF_CAP: Duration = Duration::from_mins(1);
/// Default jitter fraction: 0.3 (±30 %).
pub const DEFAULT_BACKOFF_JITTER: f64 = 0.3;
/// Default alert threshold (the seed's `maxConnectionAttempts`): 10 consecutive failures.
pub const DEFAULT_ALERT_AFTER: u32 = 10;
/// No delay is ever shorter than this.
pub const BACKOFF_FLOOR: Duration = Duration::from_millis(100);

/// Backoff settings. Build with [`BackoffConfig::default`] or [`BackoffConfig::from_seed`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BackoffConfig {
    initial: Duration,
    cap: Duration,
    jitter: f64,
    alert_after: u32,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        Self {
            initial: DEFAULT_BACKOFF_INITIAL,
            cap: DEFAULT_BACKOFF_CAP,
            jitter: DEFAULT_BACKOFF_JITTER,
            alert_after: DEFAULT_ALERT_AFTER,
        }
    }
}

impl BackoffConfig {
    /// Maps the seed's option names: `maxConnectionAttempts` (an alert threshold, never a stop),
    /// `initialReconnectDelay` and `maxReconnectDelay` (milliseconds) and `reconnectJitter` (a fraction).
    ///
    /// Out-of-range values are clamped: the jitter to `0.0..=1.0`, the initial delay to at least 100 ms, the cap to
    /// at least the initial delay.
    pub fn from_seed(
        max_connection_attempts: u32,
        initial_reconnect_delay_ms: u64,
        max_reconnect_delay_ms: u64,
        reconnect_jitter: f64,
    ) -> Self {
        Self::default()
            .initial(Duration::from_millis(initial_reconnect_delay_ms))
            .cap(Duration::from_millis(max_reconnect_delay_ms))
            .jitter(reconnect_jitter)
            .alert_after(max_connection_attempts)
    }

    /// The first delay (at least 100 ms).
    #[must_use]
    pub fn initial(mut self, initial: Duration) -> Self {
        self.initial = initial.max(BACKOFF_FLOOR);
        self.cap = self.cap.max(self.initial);
        self
    }

    /// The hard ceiling of every delay (at least the initial delay).
    #[must_use]
    pub fn cap(mut self, cap: Duration) -> Self {
        self.cap = cap.max(self.initial);
        self
    }

    /// The jitter fraction `j`; each delay is scaled by `U(1−j, 1+j)`. Clamped to `0.0..=1.0`; NaN means 0.
    #[must_use]
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = if jitter.is_nan() {
            0.0
        } else {
            jitter.clamp(0.0, 1.0)
        };
        self
    }

    /// After this many consecutive failures the state reports [`degraded`](crate::ConnectionState::Backoff);
    /// retries continue. `0` means never.
    #[must_use]
    pub fn alert_after(mut self, attempts: u32) -> Self {
        self.alert_after = attempts;
        self
    }

    /// The configured cap.
    pub fn cap_delay(&self) -> Duration {
        self.cap
    }

    /// The configured alert threshold.
    pub fn alert_threshold(&self) -> u32 {
        self.alert_after
    }

    /// The un-jittered base delay for failure `n` (0-based): `min(cap, initial·2^n)`.
    pub fn base_delay(&self, n: u32) -> Duration {
        let factor = 2u32.saturating_pow(n.min(31));
        self.initial
            .checked_mul(factor)
            .map_or(self.cap, |d| d.min(self.cap))
    }

    /// The delay for failure `n` given a uniform sample `u` in `[0, 1)`:
    /// `max(100 ms, min(cap, base_n·(1 − j + 2j·u)))`.
    pub fn delay(&self, n: u32, u: f64) -> Duration {
        let u = if u.is_finite() { u.clamp(0.0, 1.0) } else { 0.5 };
        let scale = 1.0 - self.jitter + 2.0 * self.jitter * u;
        let secs = self.base_delay(n).as_secs_f64() * scale;
        let delay = Duration::try_from_secs_f64(secs).unwrap_or(self.cap);
        delay.min(self.cap).max(BACKOFF_FLOOR)
    }
}

/// The running backoff state of one client: the failure counter and its RNG.
#[derive(Debug)]
pub(crate) struct Backoff {
    config: BackoffConfig,
    failures: u32,
    rng: SmallRng,
}

impl Backoff {
    pub(crate) fn new(config: BackoffConfig, seed: Option<u64>) -> Self {
        let rng = match seed {
            Some(seed) => SmallRng::seed_from_u64(seed),
            None => SmallRng::from_rng(&mut rand::rng()),
        };
        Self {
            config,
            failures: 0,
            rng,
        }
    }

    /// Records a failure and returns the delay before the next attempt.
    pub(crate) fn fail(&mut self) -> Duration {
        let delay = self.config.delay(self.failures, self.rng.random::<f64>());
        self.failures = self.failures.saturating_add(1);
        delay
    }

    /// Records a failure that waits the full cap (auth rejected), jittered downwards only.
    pub(crate) fn fail_to_cap(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        self.config.cap
    }

    /// Consecutive failures so far.
    pub(crate) fn failures(&self) -> u32 {
        self.failures
    }

    /// Whether the alert threshold has been reached.
    pub(crate) fn degraded(&self) -> bool {
        self.config.alert_after != 0 && self.failures >= self.config.alert_after
    }

    /// A connection stayed healthy: start over at `n = 0`.
    pub(crate) fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn base_sequence_doubles_to_the_cap() {
        let c = BackoffConfig::default();
        let secs: Vec<u64> = (0..9).map(|n| c.base_delay(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(c.base_delay(u32::MAX), Duration::from_mins(1));
    }

    #[test]
    fn jitter_scales_the_whole_delay() {
        let c = BackoffConfig::default();
        assert_eq!(c.delay(0, 0.0), Duration::from_millis(700));
        assert_eq!(c.delay(0, 0.5), Duration::from_secs(1));
        assert_eq!(c.delay(3, 0.0), Duration::from_millis(5600));
        // The cap is a hard ceiling even with upward jitter.
        assert_eq!(c.delay(6, 1.0), Duration::from_mins(1));
        assert_eq!(
            c.delay(5, 1.0),
            Duration::from_secs(41).saturating_add(Duration::from_millis(600))
        );
    }

    #[test]
    fn floor_is_100ms() {
        let c = BackoffConfig::default()
            .initial(Duration::from_millis(1))
            .jitter(1.0);
        assert_eq!(c.delay(0, 0.0), BACKOFF_FLOOR);
    }

    #[test]
    fn seed_names_map_to_config() {
        let c = BackoffConfig::from_seed(10, 1000, 60_000, 0.3);
        assert_eq!(c, BackoffConfig::default());
        let c = BackoffConfig::from_seed(3, 50, 10, f64::NAN);
        assert_eq!(c.base_delay(0), BACKOFF_FLOOR);
        assert_eq!(c.cap_delay(), BACKOFF_FLOOR);
        assert_eq!(c.alert_threshold(), 3);
        assert_eq!(c.delay(0, 0.9), BACKOFF_FLOOR);
    }

    #[test]
    fn seeded_sequence_is_reproducible_and_within_bounds() {
        let mut a = Backoff::new(BackoffConfig::default(), Some(7));
        let mut b = Backoff::new(BackoffConfig::default(), Some(7));
        for n in 0..20u32 {
            let d = a.fail();
            assert_eq!(d, b.fail());
            let base = BackoffConfig::default().base_delay(n).as_secs_f64();
            assert!(d.as_secs_f64() >= base * 0.7 - 1e-9, "n={n} d={d:?}");
            assert!(d.as_secs_f64() <= (base * 1.3).min(60.0) + 1e-9, "n={n} d={d:?}");
        }
        assert_eq!(a.failures(), 20);
        assert!(a.degraded());
        a.reset();
        assert_eq!(a.failures(), 0);
        assert!(!a.degraded());
        assert_eq!(a.fail_to_cap(), Duration::from_mins(1));
    }

    #[test]
    fn never_gives_up_and_never_overflows() {
        let mut b = Backoff::new(BackoffConfig::default().alert_after(0), Some(1));
        for _ in 0..200 {
            assert!(b.fail() <= Duration::from_mins(1));
        }
        assert!(!b.degraded());
    }

    proptest! {
        #[test]
        fn delay_is_always_within_floor_and_cap(n in any::<u32>(), u in any::<f64>(), j in any::<f64>(), init in 0u64..100_000, cap in 0u64..1_000_000) {
            let c = BackoffConfig::default().initial(Duration::from_millis(init)).cap(Duration::from_millis(cap)).jitter(j);
            let d = c.delay(n, u);
            prop_assert!(d >= BACKOFF_FLOOR);
            prop_assert!(d <= c.cap_delay().max(BACKOFF_FLOOR));
        }
    }
}
