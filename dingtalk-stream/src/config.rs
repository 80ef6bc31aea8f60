//! Named timeouts and limits (protocol §6.11), each with a `DEFAULT_*` constant.

use std::time::Duration;

use crate::backoff::BackoffConfig;

/// Default WebSocket handshake timeout (TLS included): 10 s.
pub const DEFAULT_WS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default client ping interval: 30 s.
pub const DEFAULT_PING_INTERVAL: Duration = Duration::from_secs(30);
/// Default deadline for any inbound frame after a client ping: 10 s.
pub const DEFAULT_PONG_TIMEOUT: Duration = Duration::from_secs(10);
/// Default idle watchdog (no text frame at all): 300 s.
pub const DEFAULT_FRAME_IDLE_TIMEOUT: Duration = Duration::from_mins(5);
/// Default make-before-break drain limit for the old connection: 10 s.
pub const DEFAULT_DRAIN_GRACE: Duration = Duration::from_secs(10);
/// Default quiet period before a draining connection is closed early: 1 s without a text frame.
pub const DEFAULT_DRAIN_QUIET: Duration = Duration::from_secs(1);
/// Default time a connection must stay open before the backoff counter resets: 60 s.
pub const DEFAULT_HEALTHY_AFTER: Duration = Duration::from_mins(1);
/// Default write timeout of one frame: 5 s.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Default graceful shutdown drain: 30 s.
pub const DEFAULT_SHUTDOWN_DRAIN: Duration = Duration::from_secs(30);
/// Default transport limit of one WebSocket message: 16 MiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 << 20;
/// Default limit of a frame's `data`: 1 MiB (bigger frames get a 400 ack).
pub const DEFAULT_MAX_DATA_BYTES: usize = 1 << 20;
/// Default capacity of the inbound queue between the socket readers and the [`Connection`](crate::Connection).
pub const DEFAULT_INBOUND_CAPACITY: usize = 256;
/// Default age past which a ticket is not used for an upgrade (R-OPEN-4): 60 s (tickets live about 90 s).
pub const DEFAULT_TICKET_MAX_AGE: Duration = Duration::from_mins(1);
/// Default capacity of each socket's writer channel.
pub const DEFAULT_WRITER_CAPACITY: usize = 1024;

/// Engine settings. Built by [`ClientBuilder`](crate::ClientBuilder); read-only afterwards.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Config {
    pub(crate) ws_handshake_timeout: Duration,
    pub(crate) ping_interval: Duration,
    pub(crate) pong_timeout: Duration,
    pub(crate) frame_idle_timeout: Duration,
    pub(crate) drain_grace: Duration,
    pub(crate) drain_quiet: Duration,
    pub(crate) healthy_after: Duration,
    pub(crate) write_timeout: Duration,
    pub(crate) shutdown_drain: Duration,
    pub(crate) max_message_bytes: usize,
    pub(crate) max_data_bytes: usize,
    pub(crate) inbound_capacity: usize,
    pub(crate) writer_capacity: usize,
    pub(crate) backoff: BackoffConfig,
    pub(crate) backoff_seed: Option<u64>,
    pub(crate) auth_rejected_fatal: bool,
    pub(crate) connections: usize,
    pub(crate) max_connection_age: Option<Duration>,
    pub(crate) ticket_max_age: Duration,
    /// The injected clock: the sleep/wake check's readings and transition timestamps.
    pub(crate) clock: crate::clock::ClockHandle,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            ws_handshake_timeout: DEFAULT_WS_HANDSHAKE_TIMEOUT,
            ping_interval: DEFAULT_PING_INTERVAL,
            pong_timeout: DEFAULT_PONG_TIMEOUT,
            frame_idle_timeout: DEFAULT_FRAME_IDLE_TIMEOUT,
            drain_grace: DEFAULT_DRAIN_GRACE,
            drain_quiet: DEFAULT_DRAIN_QUIET,
            healthy_after: DEFAULT_HEALTHY_AFTER,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            shutdown_drain: DEFAULT_SHUTDOWN_DRAIN,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            max_data_bytes: DEFAULT_MAX_DATA_BYTES,
            inbound_capacity: DEFAULT_INBOUND_CAPACITY,
            writer_capacity: DEFAULT_WRITER_CAPACITY,
            backoff: BackoffConfig::default(),
            backoff_seed: None,
            auth_rejected_fatal: true,
            connections: 1,
            max_connection_age: None,
            ticket_max_age: DEFAULT_TICKET_MAX_AGE,
            clock: crate::clock::ClockHandle::default(),
        }
    }
}
