//! Watchable connection state (R-BACK-5) and counters (R-SEC-3).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::error::ErrorKind;

/// Why a connection was replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReconnectReason {
    /// The server sent SYSTEM `disconnect` (make-before-break).
    Disconnect,
    /// Nothing arrived within `pong_timeout` of a client ping.
    PongTimeout,
    /// No text frame for `frame_idle_timeout` (make-before-break).
    IdleWatchdog,
    /// A read or write failed, or a write timed out.
    IoError,
    /// The server closed the socket.
    ServerClose,
    /// The connect attempt (open or upgrade) failed.
    ConnectFailed,
    /// Credentials were rejected.
    Auth,
    /// Client shutdown.
    Shutdown,
    /// The connection reached `max_connection_age` (make-before-break).
    MaxAge,
    /// The timer tick gap showed that the process did not run (laptop sleep, a stopped process) for longer than
    /// `ping_interval` (R-LIVE-5): the socket is suspect, so it is probed and replaced (make-before-break).
    Suspended,
}

impl ReconnectReason {
    const ALL: [Self; 10] = [
        Self::Disconnect,
        Self::PongTimeout,
        Self::IdleWatchdog,
        Self::IoError,
        Self::ServerClose,
        Self::ConnectFailed,
        Self::Auth,
        Self::Shutdown,
        Self::MaxAge,
        Self::Suspended,
    ];

    /// A stable `snake_case` name (`disconnect`, `pong_timeout`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disconnect => "disconnect",
            Self::PongTimeout => "pong_timeout",
            Self::IdleWatchdog => "idle_watchdog",
            Self::IoError => "io_error",
            Self::ServerClose => "server_close",
            Self::ConnectFailed => "connect_failed",
            Self::Auth => "auth",
            Self::Shutdown => "shutdown",
            Self::MaxAge => "max_age",
            Self::Suspended => "suspended",
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }
}

impl fmt::Display for ReconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The state of a [`Connection`](crate::Connection), published on a watch channel.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ConnectionState {
    /// Asking for a ticket and upgrading. `attempt` counts consecutive failures before this try.
    Connecting {
        /// Consecutive failed attempts so far.
        attempt: u32,
    },
    /// A socket is open and delivering.
    Open {
        /// Generation id of the live socket.
        generation: u64,
        /// Gateway host (never the ticket).
        host: String,
    },
    /// Make-before-break in progress: the old socket drains while a new one opens.
    Rotating {
        /// Why.
        reason: ReconnectReason,
    },
    /// Waiting before the next attempt. Retries never stop.
    Backoff {
        /// Consecutive failed attempts.
        attempt: u32,
        /// Delay until the next attempt.
        retry_in: Duration,
        /// What failed last.
        last_error: ErrorKind,
        /// `attempt` reached the alert threshold (the seed's `maxConnectionAttempts`).
        degraded: bool,
    },
    /// Credentials were rejected and the client was configured to keep retrying (at the cap delay).
    AuthRejected {
        /// Delay until the next attempt.
        retry_in: Duration,
    },
    /// Draining for shutdown.
    ShuttingDown,
    /// Stopped for good. `fatal` is true when an error (bad credentials) ended it.
    Closed {
        /// An error ended the client.
        fatal: bool,
    },
}

/// How many transitions a [`Transitions`](crate::Transitions) subscriber may fall behind before it misses some
/// (it is told how many in [`Transition::missed`]).
pub const TRANSITION_BUFFER: usize = 256;

/// One state change of a connection, with the reason behind it (R-BACK-5). Read from
/// [`Connection::transitions`](crate::Connection::transitions).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Transition {
    /// Which parallel connection changed (0-based; see
    /// [`ClientBuilder::connections`](crate::ClientBuilder::connections)).
    pub connection: usize,
    /// The state before.
    pub from: ConnectionState,
    /// The state after.
    pub to: ConnectionState,
    /// The reconnect reason behind the change, when there is one: why a socket was lost or replaced, `Auth` for
    /// rejected credentials, `ConnectFailed` for a failed attempt, `Shutdown` for a graceful stop. `None` when a
    /// connection opens or an attempt starts.
    pub reason: Option<ReconnectReason>,
    /// When it happened (wall clock).
    pub at: SystemTime,
    /// Transitions this subscriber missed just before this one because it fell more than [`TRANSITION_BUFFER`]
    /// behind (normally 0).
    pub missed: u64,
}

/// Live counters of one client. Read with [`Metrics::snapshot`].
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    pub(crate) frames_system: AtomicU64,
    pub(crate) frames_event: AtomicU64,
    pub(crate) frames_callback: AtomicU64,
    pub(crate) frames_malformed: AtomicU64,
    pub(crate) frames_unknown: AtomicU64,
    pub(crate) frames_oversized: AtomicU64,
    pub(crate) pings_answered: AtomicU64,
    pub(crate) acks_ok: AtomicU64,
    pub(crate) acks_error: AtomicU64,
    pub(crate) acks_dropped: AtomicU64,
    pub(crate) responders_dropped: AtomicU64,
    pub(crate) unacked_overload: AtomicU64,
    pub(crate) duplicates: AtomicU64,
    pub(crate) connects: AtomicU64,
    pub(crate) connect_failures: AtomicU64,
    pub(crate) tickets_discarded: AtomicU64,
    pub(crate) suspends_detected: AtomicU64,
    pub(crate) reorder_late: AtomicU64,
    reconnects: [AtomicU64; ReconnectReason::ALL.len()],
    /// Business frames per topic (at most [`MAX_TOPICS`] names; the rest count under [`OTHER_TOPICS`]).
    topics: Mutex<BTreeMap<String, u64>>,
    /// Handler run times: bucket `i` counts runs under 2^i µs (the last bucket: everything longer).
    handler_latency: [AtomicU64; LATENCY_BUCKETS],
    /// Rate limit of the `warn` log for bad frames.
    pub(crate) bad_frame_log: LogLimit,
}

/// Distinct topic names counted by name; a hostile server cannot grow the map beyond this.
pub const MAX_TOPICS: usize = 64;
/// The name under which topics past [`MAX_TOPICS`] are counted.
pub const OTHER_TOPICS: &str = "(other)";
const LATENCY_BUCKETS: usize = 32;
/// At most one `warn` per this period for bad frames; the rest log at `debug` and are counted in the next warn.
pub(crate) const BAD_FRAME_LOG_EVERY: Duration = Duration::from_mins(1);

/// Lets one log line through per period and counts the ones held back.
#[derive(Debug, Default)]
pub(crate) struct LogLimit {
    next: Mutex<Option<Instant>>,
    suppressed: AtomicU64,
}

impl LogLimit {
    /// `Some(suppressed since the last one)` when a line may be logged now.
    pub(crate) fn allow(&self, now: Instant, every: Duration) -> Option<u64> {
        let mut next = self
            .next
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if next.is_some_and(|n| now < n) {
            self.suppressed.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        *next = Some(now + every);
        Some(self.suppressed.swap(0, Ordering::Relaxed))
    }
}

pub(crate) fn inc(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Metrics {
    pub(crate) fn reconnect(&self, reason: ReconnectReason) {
        inc(&self.reconnects[reason.index()]);
    }

    /// Counts one business frame of `topic`.
    pub(crate) fn topic(&self, topic: &str) {
        let mut topics = self
            .topics
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = topics.get_mut(topic) {
            *n += 1;
        } else if topics.len() < MAX_TOPICS {
            topics.insert(topic.to_owned(), 1);
        } else {
            *topics.entry(OTHER_TOPICS.to_owned()).or_default() += 1;
        }
    }

    /// Records one handler run.
    pub(crate) fn handler_ran(&self, took: Duration) {
        let us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        let bucket = (u64::BITS - us.leading_zeros()) as usize;
        inc(&self.handler_latency[bucket.min(LATENCY_BUCKETS - 1)]);
    }

    /// The upper bound of the bucket holding quantile `q` of the handler runs.
    fn handler_quantile(counts: &[u64], q: f64) -> Option<Duration> {
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return None;
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "a rank within a u64 count"
        )]
        let rank = ((total as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, n) in counts.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Some(Duration::from_micros(1u64 << i.min(63)));
            }
        }
        None
    }

    pub(crate) fn snapshot(&self) -> MetricsSnapshot {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let latency: Vec<u64> = self.handler_latency.iter().map(g).collect();
        let topics = self
            .topics
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(t, n)| (t.clone(), *n))
            .collect();
        MetricsSnapshot {
            topics,
            handler_runs: latency.iter().sum(),
            handler_latency_p50: Self::handler_quantile(&latency, 0.5),
            handler_latency_p99: Self::handler_quantile(&latency, 0.99),
            frames_system: g(&self.frames_system),
            frames_event: g(&self.frames_event),
            frames_callback: g(&self.frames_callback),
            frames_malformed: g(&self.frames_malformed),
            frames_unknown: g(&self.frames_unknown),
            frames_oversized: g(&self.frames_oversized),
            pings_answered: g(&self.pings_answered),
            acks_ok: g(&self.acks_ok),
            acks_error: g(&self.acks_error),
            acks_dropped: g(&self.acks_dropped),
            responders_dropped: g(&self.responders_dropped),
            unacked_overload: g(&self.unacked_overload),
            duplicates: g(&self.duplicates),
            connects: g(&self.connects),
            connect_failures: g(&self.connect_failures),
            tickets_discarded: g(&self.tickets_discarded),
            suspends_detected: g(&self.suspends_detected),
            reorder_late: g(&self.reorder_late),
            reconnects: ReconnectReason::ALL
                .iter()
                .map(|r| (*r, g(&self.reconnects[r.index()])))
                .collect(),
        }
    }
}

/// A point-in-time copy of a client's counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MetricsSnapshot {
    /// SYSTEM frames received.
    pub frames_system: u64,
    /// EVENT frames received.
    pub frames_event: u64,
    /// CALLBACK frames received.
    pub frames_callback: u64,
    /// Text frames that did not decode (not JSON, no type, no headers) plus binary frames.
    pub frames_malformed: u64,
    /// Frames of an unknown type, unknown SYSTEM topics and business frames without `messageId`.
    pub frames_unknown: u64,
    /// Frames whose `data` exceeded `max_data_bytes` (acked 400).
    pub frames_oversized: u64,
    /// SYSTEM pings answered.
    pub pings_answered: u64,
    /// Acks with code 200 written.
    pub acks_ok: u64,
    /// Error acks (400/404/500) written.
    pub acks_error: u64,
    /// Acks dropped because their connection was gone (the server redelivers).
    pub acks_dropped: u64,
    /// Responders dropped without an answer (the server redelivers).
    pub responders_dropped: u64,
    /// Business frames left unacked because the inbound queue was full or the client was shutting down.
    pub unacked_overload: u64,
    /// Duplicates detected by the dispatcher.
    pub duplicates: u64,
    /// Sockets opened.
    pub connects: u64,
    /// Connect attempts that failed.
    pub connect_failures: u64,
    /// Tickets discarded unused because they were older than `ticket_max_age` (R-OPEN-4).
    pub tickets_discarded: u64,
    /// Times the timer tick gap showed the process had not run for longer than `ping_interval` (R-LIVE-5).
    pub suspends_detected: u64,
    /// Bot messages that reached the dispatcher after a later message (by `createAt`) of their conversation had
    /// already been released: inversions the reorder window could not fix (counted only with a window set).
    pub reorder_late: u64,
    /// Connections replaced or ended, by reason.
    pub reconnects: Vec<(ReconnectReason, u64)>,
    /// Business frames (EVENT and CALLBACK) received per topic, by name (at most [`MAX_TOPICS`] names, the rest
    /// under [`OTHER_TOPICS`]).
    pub topics: Vec<(String, u64)>,
    /// Handler runs timed by the [`Dispatcher`](crate::Dispatcher).
    pub handler_runs: u64,
    /// Median handler run time, as the upper bound of its power-of-two microsecond bucket.
    pub handler_latency_p50: Option<Duration>,
    /// 99th percentile handler run time, same buckets.
    pub handler_latency_p99: Option<Duration>,
}

impl MetricsSnapshot {
    /// The reconnect count for one reason.
    pub fn reconnects_for(&self, reason: ReconnectReason) -> u64 {
        self.reconnects
            .iter()
            .find(|(r, _)| *r == reason)
            .map_or(0, |(_, n)| *n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_bounded_and_handler_latency_is_bucketed() {
        let m = Metrics::default();
        for i in 0..MAX_TOPICS + 6 {
            m.topic(&format!("/t/{i}"));
        }
        m.topic("/t/0");
        let snap = m.snapshot();
        assert_eq!(snap.topics.len(), MAX_TOPICS + 1);
        assert!(snap.topics.contains(&("/t/0".to_owned(), 2)));
        assert!(snap.topics.contains(&(OTHER_TOPICS.to_owned(), 6)));
        assert_eq!(snap.handler_latency_p50, None);
        for _ in 0..99 {
            m.handler_ran(Duration::from_micros(300));
        }
        m.handler_ran(Duration::from_secs(2));
        let snap = m.snapshot();
        assert_eq!(snap.handler_runs, 100);
        assert_eq!(snap.handler_latency_p50, Some(Duration::from_micros(512)));
        assert_eq!(snap.handler_latency_p99, Some(Duration::from_micros(512)));
        m.handler_ran(Duration::from_secs(2));
        assert!(m.snapshot().handler_latency_p99 >= Some(Duration::from_secs(2)));
    }

    #[test]
    fn bad_frame_log_lets_one_line_through_per_period() {
        let limit = LogLimit::default();
        let t0 = crate::clock::now();
        assert_eq!(limit.allow(t0, BAD_FRAME_LOG_EVERY), Some(0));
        assert_eq!(
            limit.allow(t0 + Duration::from_secs(1), BAD_FRAME_LOG_EVERY),
            None
        );
        assert_eq!(
            limit.allow(t0 + Duration::from_secs(2), BAD_FRAME_LOG_EVERY),
            None
        );
        assert_eq!(
            limit.allow(t0 + BAD_FRAME_LOG_EVERY, BAD_FRAME_LOG_EVERY),
            Some(2)
        );
    }
}
