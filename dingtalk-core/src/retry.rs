//! Retry classes, the backoff schedule and the retry budget.

use std::sync::Mutex;
use std::time::Duration;

use rand::Rng;

/// What a caller should do about a failure: retry, re-authenticate, or give up.
///
/// | class | meaning | idempotent request | non-idempotent request |
/// |---|---|---|---|
/// | `NotSent` | failed before a byte left (DNS, refused) | retry | retry |
/// | `Throttled` | 429 or a throttling code: no work was done | retry | retry |
/// | `MaybeSent` | timeout, reset, 5xx: the server may have acted | retry | **never** (it could post twice) |
/// | `Reauth` | the token was rejected | refresh the token, retry once | same |
/// | `Permanent` | validation, permission, not found, decode | give up | give up |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryClass {
    /// The request never left this machine.
    NotSent,
    /// The server refused the request for rate reasons without acting on it.
    Throttled,
    /// The request may have been acted on (timeout, connection reset, 5xx).
    MaybeSent,
    /// The token was rejected; a fresh token may succeed.
    Reauth,
    /// Retrying cannot help.
    Permanent,
}

/// What the retry loop does next for one failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Wait the backoff delay (or the server's), then try again.
    Retry,
    /// Invalidate the token and try again at once (only once per call).
    Reauth,
    /// Return the error.
    GiveUp,
}

impl RetryClass {
    /// The one exhaustive decision table: a new class forces a decision here.
    pub(crate) fn decide(self, idempotent: bool, reauthed: bool) -> Decision {
        match self {
            RetryClass::NotSent | RetryClass::Throttled => Decision::Retry,
            RetryClass::MaybeSent if idempotent => Decision::Retry,
            RetryClass::MaybeSent | RetryClass::Permanent => Decision::GiveUp,
            RetryClass::Reauth if reauthed => Decision::GiveUp,
            RetryClass::Reauth => Decision::Reauth,
        }
    }
}

/// Capped exponential backoff with full jitter.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base: Duration,
    cap: Duration,
    throttle_base: Duration,
}

impl RetryPolicy {
    /// Default number of attempts, the first one included.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
    /// Default first backoff step.
    pub const DEFAULT_BASE: Duration = Duration::from_millis(200);
    /// Default ceiling of any single wait, server-requested waits included.
    pub const DEFAULT_CAP: Duration = Duration::from_secs(10);
    /// Default first step after a throttling answer (DingTalk asks for about a second).
    pub const DEFAULT_THROTTLE_BASE: Duration = Duration::from_secs(1);

    /// A policy with the given attempts (≥ 1), base and cap.
    pub fn new(max_attempts: u32, base: Duration, cap: Duration) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            base,
            cap,
            throttle_base: Self::DEFAULT_THROTTLE_BASE.min(cap),
        }
    }

    /// A policy that never retries.
    pub fn none() -> Self {
        Self::new(1, Duration::ZERO, Duration::ZERO)
    }

    /// A copy with a different first step after throttling.
    #[must_use]
    pub fn with_throttle_base(mut self, throttle_base: Duration) -> Self {
        self.throttle_base = throttle_base.min(self.cap);
        self
    }

    /// Attempts in total, the first one included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The longest single wait.
    pub fn cap(&self) -> Duration {
        self.cap
    }

    /// The wait before attempt `attempt + 1`, after `attempt` failures (1-based), with full jitter:
    /// uniform in `[0, min(cap, base · 2^(attempt−1))]`.
    pub fn backoff(&self, attempt: u32, class: RetryClass, rng: &mut impl Rng) -> Duration {
        let base = if class == RetryClass::Throttled {
            self.throttle_base
        } else {
            self.base
        };
        let exp = attempt.saturating_sub(1).min(20);
        let ceiling = base.saturating_mul(1 << exp).min(self.cap);
        if ceiling.is_zero() {
            return Duration::ZERO;
        }
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        // Full jitter, but never less than a tenth of the step so a throttled caller does not hammer at once.
        Duration::from_nanos(rng.random_range(nanos / 10..=nanos))
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::new(Self::DEFAULT_MAX_ATTEMPTS, Self::DEFAULT_BASE, Self::DEFAULT_CAP)
    }
}

/// A token bucket that retries spend and successes refill, so an outage cannot multiply our traffic.
///
/// Each retry costs one token; each success gives back a tenth. When the bucket is empty, failures are returned
/// without retrying.
#[derive(Debug)]
pub struct RetryBudget {
    /// Capacity in tenths of a retry.
    capacity: u32,
    /// Remaining budget in tenths of a retry.
    tenths: Mutex<u32>,
}

impl RetryBudget {
    /// Default capacity: ten retries in a row before the budget needs successes.
    pub const DEFAULT_CAPACITY: u32 = 10;

    /// A full budget of `capacity` retries.
    pub fn new(capacity: u32) -> Self {
        let capacity = capacity.saturating_mul(10);
        Self {
            capacity,
            tenths: Mutex::new(capacity),
        }
    }

    /// Takes one retry token; `false` when the budget is spent.
    pub fn try_spend(&self) -> bool {
        let mut tenths = self
            .tenths
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *tenths >= 10 {
            *tenths -= 10;
            true
        } else {
            false
        }
    }

    /// Gives back a tenth of a token after a success.
    pub fn refill(&self) {
        let mut tenths = self
            .tenths
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *tenths = (*tenths + 1).min(self.capacity);
    }
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn decision_table() {
        use Decision::{GiveUp, Reauth, Retry};
        let cases = [
            (RetryClass::NotSent, false, false, Retry),
            (RetryClass::Throttled, false, false, Retry),
            (RetryClass::MaybeSent, true, false, Retry),
            (RetryClass::MaybeSent, false, false, GiveUp),
            (RetryClass::Reauth, false, false, Reauth),
            (RetryClass::Reauth, true, true, GiveUp),
            (RetryClass::Permanent, true, false, GiveUp),
        ];
        for (class, idempotent, reauthed, want) in cases {
            assert_eq!(class.decide(idempotent, reauthed), want, "{class:?}");
        }
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let policy = RetryPolicy::new(10, Duration::from_millis(200), Duration::from_secs(10));
        let mut rng = StdRng::seed_from_u64(7);
        for attempt in 1..=12 {
            for _ in 0..50 {
                let d = policy.backoff(attempt, RetryClass::MaybeSent, &mut rng);
                let ceiling = Duration::from_millis(200)
                    .saturating_mul(1 << (attempt - 1).min(20))
                    .min(Duration::from_secs(10));
                assert!(d <= ceiling && d >= ceiling / 10, "{attempt}: {d:?}");
            }
        }
        let throttled = policy.backoff(1, RetryClass::Throttled, &mut rng);
        assert!(throttled >= Duration::from_millis(100) && throttled <= Duration::from_secs(1));
    }

    #[test]
    fn budget_empties_and_refills() {
        let budget = RetryBudget::new(2);
        assert!(budget.try_spend());
        assert!(budget.try_spend());
        assert!(!budget.try_spend());
        for _ in 0..10 {
            budget.refill();
        }
        assert!(budget.try_spend());
    }
}
