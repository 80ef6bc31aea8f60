//! Watchable connection state (R-BACK-5) and counters (R-SEC-3).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

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
}

impl ReconnectReason {
    const ALL: [Self; 8] = [
        Self::Disconnect,
        Self::PongTimeout,
        Self::IdleWatchdog,
        Self::IoError,
        Self::ServerClose,
        Self::ConnectFailed,
        Self::Auth,
        Self::Shutdown,
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
    reconnects: [AtomicU64; 8],
}

pub(crate) fn inc(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Metrics {
    pub(crate) fn reconnect(&self, reason: ReconnectReason) {
        inc(&self.reconnects[reason.index()]);
    }

    pub(crate) fn snapshot(&self) -> MetricsSnapshot {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        MetricsSnapshot {
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
    /// Connections replaced or ended, by reason.
    pub reconnects: Vec<(ReconnectReason, u64)>,
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
