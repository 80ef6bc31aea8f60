//! The app-wide rate limiter with priorities (CARD-40..43).
//!
//! One limiter per app (client id), shared by card calls and robot message sends: it implements
//! [`dingtalk_core::RateLimiter`], so installing it on the app's `Transport` covers every call. A token bucket
//! (default 20 QPS, burst 20) serves waiters in strict priority order: `Critical` closers, then `High` creates and
//! sends, `Normal` state updates, `Low` intermediate frames. A throttling answer pauses the whole bucket for the
//! server's delay (or `throttle_pause`) and halves the rate (floor `min_qps`); the rate grows back by 1 QPS per
//! 10 s without throttling.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dingtalk_core::{Clock, Priority, RateKey, RateLimiter, SystemClock};
use tokio::sync::Notify;

/// Limiter settings.
#[derive(Clone, Debug, PartialEq)]
pub struct LimiterConfig {
    /// Calls per second when nothing is throttled (20).
    pub qps: f64,
    /// Burst (20).
    pub burst: f64,
    /// Rate floor after throttling (2).
    pub min_qps: f64,
    /// Pause after a throttling answer without `Retry-After` (2 s).
    pub throttle_pause: Duration,
    /// Time without throttling before the rate grows by one (10 s).
    pub recover_every: Duration,
}

impl Default for LimiterConfig {
    fn default() -> Self {
        Self {
            qps: 20.0,
            burst: 20.0,
            min_qps: 2.0,
            throttle_pause: Duration::from_secs(2),
            recover_every: Duration::from_secs(10),
        }
    }
}

/// A priority token bucket shared by every call of one app.
pub struct PriorityLimiter {
    config: LimiterConfig,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    notify: Notify,
}

struct State {
    tokens: f64,
    rate: f64,
    last: Instant,
    paused_until: Option<Instant>,
    last_throttle: Option<Instant>,
    waiting: [usize; 4],
    throttled: u64,
    admitted: u64,
}

fn rank(priority: Priority) -> usize {
    match priority {
        Priority::Critical => 0,
        Priority::High => 1,
        Priority::Normal => 2,
        _ => 3,
    }
}

impl PriorityLimiter {
    /// A limiter with `config` on the system clock.
    pub fn new(config: LimiterConfig) -> Self {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// A limiter reading time from `clock`.
    pub fn with_clock(config: LimiterConfig, clock: Arc<dyn Clock>) -> Self {
        let now = clock.now();
        let state = State {
            tokens: config.burst,
            rate: config.qps,
            last: now,
            paused_until: None,
            last_throttle: None,
            waiting: [0; 4],
            throttled: 0,
            admitted: 0,
        };
        Self {
            config,
            clock,
            state: Mutex::new(state),
            notify: Notify::new(),
        }
    }

    /// The current rate (calls per second).
    pub fn rate(&self) -> f64 {
        self.lock().rate
    }

    /// Throttling answers seen and calls admitted so far.
    pub fn counters(&self) -> (u64, u64) {
        let state = self.lock();
        (state.throttled, state.admitted)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes a token for `rank` if allowed now; else how long to wait.
    fn try_take(&self, rank: usize) -> Result<(), Duration> {
        let now = self.clock.now();
        let mut s = self.lock();
        if let Some(until) = s.paused_until {
            if now < until {
                return Err(until - now);
            }
            s.paused_until = None;
        }
        // Additive recovery after quiet periods.
        if let Some(at) = s.last_throttle
            && s.rate < self.config.qps
            && now.saturating_duration_since(at) >= self.config.recover_every
        {
            s.rate = (s.rate + 1.0).min(self.config.qps);
            s.last_throttle = Some(now);
        }
        let elapsed = now.saturating_duration_since(s.last).as_secs_f64();
        s.tokens = (s.tokens + elapsed * s.rate).min(self.config.burst);
        s.last = now;
        let higher_waiting = s.waiting[..rank].iter().any(|&n| n > 0);
        if s.tokens >= 1.0 && !higher_waiting {
            s.tokens -= 1.0;
            s.admitted += 1;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                ((1.0 - s.tokens).max(0.0) / s.rate).max(0.001),
            ))
        }
    }
}

impl std::fmt::Debug for PriorityLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PriorityLimiter")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl RateLimiter for PriorityLimiter {
    async fn acquire(&self, key: RateKey<'_>) {
        let rank = rank(key.priority);
        self.lock().waiting[rank] += 1;
        loop {
            match self.try_take(rank) {
                Ok(()) => break,
                Err(wait) => {
                    // Woken early when anything changes (a higher-priority caller got its token).
                    let _ = tokio::time::timeout(wait, self.notify.notified()).await;
                }
            }
        }
        self.lock().waiting[rank] -= 1;
        self.notify.notify_waiters();
    }

    fn on_throttled(&self, _key: RateKey<'_>, retry_after: Option<Duration>) {
        let now = self.clock.now();
        let mut s = self.lock();
        let pause = retry_after.unwrap_or(self.config.throttle_pause);
        s.paused_until = Some(s.paused_until.map_or(now + pause, |u| u.max(now + pause)));
        s.rate = (s.rate / 2.0).max(self.config.min_qps);
        s.tokens = 0.0;
        s.last_throttle = Some(now);
        s.throttled += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(priority: Priority) -> RateKey<'static> {
        RateKey {
            route: "/x",
            priority,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn rate_and_burst() {
        let limiter = PriorityLimiter::new(LimiterConfig {
            qps: 10.0,
            burst: 5.0,
            ..LimiterConfig::default()
        });
        let start = SystemClock.now();
        for _ in 0..15 {
            limiter.acquire(key(Priority::Normal)).await;
        }
        let elapsed = SystemClock.now() - start;
        assert!(
            elapsed >= Duration::from_millis(990) && elapsed < Duration::from_millis(1200),
            "{elapsed:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_pauses_halves_and_recovers() {
        let limiter = PriorityLimiter::new(LimiterConfig::default());
        limiter.on_throttled(key(Priority::Low), None);
        assert!((limiter.rate() - 10.0).abs() < 1e-9);
        let start = SystemClock.now();
        limiter.acquire(key(Priority::Critical)).await;
        assert!(SystemClock.now() - start >= Duration::from_secs(2));
        for _ in 0..5 {
            limiter.on_throttled(key(Priority::Low), Some(Duration::ZERO));
        }
        assert!((limiter.rate() - 2.0).abs() < 1e-9, "floor");
        tokio::time::advance(Duration::from_secs(11)).await;
        limiter.acquire(key(Priority::Normal)).await;
        assert!((limiter.rate() - 3.0).abs() < 1e-9);
        assert_eq!(limiter.counters().0, 6);
    }

    #[tokio::test(start_paused = true)]
    async fn higher_priorities_go_first() {
        let limiter = Arc::new(PriorityLimiter::new(LimiterConfig {
            qps: 5.0,
            burst: 1.0,
            ..LimiterConfig::default()
        }));
        limiter.acquire(key(Priority::Normal)).await; // drain the burst
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (i, p) in [Priority::Low, Priority::Low, Priority::Normal, Priority::Critical]
            .into_iter()
            .enumerate()
        {
            let (limiter, order) = (limiter.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                limiter.acquire(key(p)).await;
                order.lock().unwrap().push((i, p));
            }));
            tokio::task::yield_now().await;
        }
        for t in tasks {
            t.await.unwrap();
        }
        let order = order.lock().unwrap().clone();
        assert_eq!(
            order.first().map(|(_, p)| *p),
            Some(Priority::Critical),
            "{order:?}"
        );
        assert_eq!(order.get(1).map(|(_, p)| *p), Some(Priority::Normal), "{order:?}");
    }
}
