//! The rate-limiter hook and a token-bucket implementation.
//!
//! DingTalk limits calls per app and per API (20 QPS on standard orgs). One limiter per app credential, shared
//! through `Arc` by all of that app's clients, keeps the app under its budget; `rate_limiter(None)` turns it off.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::time::{Clock, SystemClock};

/// How urgent a call is. Limiters that support priorities serve higher ones first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[non_exhaustive]
pub enum Priority {
    /// Intermediate, droppable work (streaming frames).
    Low,
    /// Ordinary calls.
    #[default]
    Normal,
    /// Calls that create user-visible things (card create, message send).
    High,
    /// Calls that close things and must not wait behind others (card finalize).
    Critical,
}

/// What a limiter is asked to admit.
#[derive(Clone, Copy, Debug)]
pub struct RateKey<'a> {
    /// The endpoint's route template.
    pub route: &'a str,
    /// The call's priority.
    pub priority: Priority,
}

/// A hook the transport awaits before every attempt, and informs of throttling answers.
#[async_trait::async_trait]
pub trait RateLimiter: Send + Sync {
    /// Waits until the call may be sent.
    async fn acquire(&self, key: RateKey<'_>);

    /// Told when DingTalk throttled a call, with the delay it asked for.
    fn on_throttled(&self, _key: RateKey<'_>, _retry_after: Option<Duration>) {}
}

/// A token bucket: `qps` tokens per second, at most `burst` saved up. After a throttling answer the whole bucket
/// pauses for the server's delay (or one second).
pub struct TokenBucket {
    qps: f64,
    burst: f64,
    clock: Arc<dyn Clock>,
    state: Mutex<BucketState>,
}

struct BucketState {
    tokens: f64,
    last: Instant,
    paused_until: Option<Instant>,
}

impl TokenBucket {
    /// DingTalk's standard per-app, per-API limit.
    pub const DEFAULT_QPS: u32 = 20;

    /// A bucket admitting `qps` calls per second with bursts of `burst`, reading time from `clock`.
    pub fn new(qps: u32, burst: u32, clock: Arc<dyn Clock>) -> Self {
        let now = clock.now();
        let burst = f64::from(burst.max(1));
        Self {
            qps: f64::from(qps.max(1)),
            burst,
            clock,
            state: Mutex::new(BucketState {
                tokens: burst,
                last: now,
                paused_until: None,
            }),
        }
    }

    /// A bucket with DingTalk's default 20 QPS and burst 20 on the system clock.
    pub fn dingtalk_default() -> Self {
        Self::new(Self::DEFAULT_QPS, Self::DEFAULT_QPS, Arc::new(SystemClock))
    }

    /// Takes a token if one is available now; otherwise returns how long to wait.
    fn try_take(&self) -> Result<(), Duration> {
        let now = self.clock.now();
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(until) = state.paused_until {
            if now < until {
                return Err(until - now);
            }
            state.paused_until = None;
        }
        let elapsed = now.saturating_duration_since(state.last).as_secs_f64();
        state.tokens = (state.tokens + elapsed * self.qps).min(self.burst);
        state.last = now;
        if state.tokens >= 1.0 {
            state.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - state.tokens) / self.qps))
        }
    }
}

impl std::fmt::Debug for TokenBucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenBucket")
            .field("qps", &self.qps)
            .field("burst", &self.burst)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl RateLimiter for TokenBucket {
    async fn acquire(&self, _key: RateKey<'_>) {
        // Bounded: each failed take sleeps at least the time one token needs.
        loop {
            match self.try_take() {
                Ok(()) => return,
                Err(wait) => tokio::time::sleep(wait.max(Duration::from_millis(1))).await,
            }
        }
    }

    fn on_throttled(&self, _key: RateKey<'_>, retry_after: Option<Duration>) {
        let pause = retry_after
            .unwrap_or(Duration::from_secs(1))
            .min(Duration::from_mins(1));
        let until = self.clock.now() + pause;
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.paused_until = Some(state.paused_until.map_or(until, |u| u.max(until)));
        state.tokens = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: RateKey<'static> = RateKey {
        route: "/x",
        priority: Priority::Normal,
    };

    #[tokio::test(start_paused = true)]
    async fn bucket_admits_burst_then_paces() {
        let bucket = TokenBucket::new(10, 5, Arc::new(SystemClock));
        let start = SystemClock.now();
        for _ in 0..15 {
            bucket.acquire(KEY).await;
        }
        let elapsed = SystemClock.now() - start;
        // 5 immediately, 10 more at 10/s.
        assert!(
            elapsed >= Duration::from_millis(990) && elapsed <= Duration::from_millis(1100),
            "{elapsed:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn throttle_pauses_the_bucket() {
        let bucket = TokenBucket::new(100, 100, Arc::new(SystemClock));
        bucket.on_throttled(KEY, Some(Duration::from_secs(2)));
        let start = SystemClock.now();
        bucket.acquire(KEY).await;
        assert!(SystemClock.now() - start >= Duration::from_secs(2));
    }
}
