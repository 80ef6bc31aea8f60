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
