//! Sandbox configuration and its builder.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::org::{DEMO_AGENT_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};

/// Default app token lifetime.
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_hours(2);
/// Default Stream ticket lifetime.
pub const DEFAULT_TICKET_TTL: Duration = Duration::from_secs(90);
/// Default delay before an unacked push is redelivered.
pub const DEFAULT_REDELIVERY_AFTER: Duration = Duration::from_mins(1);
/// Default delay between a SYSTEM `disconnect` and the TCP close.
pub const DEFAULT_DISCONNECT_CLOSE_AFTER: Duration = Duration::from_secs(10);
/// Default interval between SYSTEM `ping` frames.
pub const DEFAULT_SERVER_PING_INTERVAL: Duration = Duration::from_secs(30);
/// Default lifetime of a session webhook (90 minutes).
pub const DEFAULT_SESSION_WEBHOOK_TTL: Duration = Duration::from_mins(90);
/// Default maximum number of redeliveries of one push.
pub const DEFAULT_MAX_REDELIVERIES: u32 = 3;

/// An app registered with the sandbox.
#[derive(Clone)]
pub struct App {
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) robot_code: String,
    pub(crate) agent_id: i64,
    pub(crate) unified_app_id: String,
}

impl fmt::Debug for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("App")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("robot_code", &self.robot_code)
            .field("agent_id", &self.agent_id)
            .finish_non_exhaustive()
    }
}

impl App {
    /// An app with this client id and secret; its robot code is the client id.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        let client_id = client_id.into();
        let app_id = format!("sandbox-app-{client_id}");
        Self {
            robot_code: client_id.clone(),
            client_id,
            client_secret: client_secret.into(),
            agent_id: DEMO_AGENT_ID,
            unified_app_id: app_id,
        }
    }

    /// The demo app: `dingsandboxdemo` / `sandbox-secret`.
    pub fn demo() -> Self {
        Self::new(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
    }

    /// Sets the robot code (default: the client id).
    #[must_use]
    pub fn robot_code(mut self, robot_code: impl Into<String>) -> Self {
        self.robot_code = robot_code.into();
        self
    }

    /// Sets the numeric agent id.
    #[must_use]
    pub fn agent_id(mut self, agent_id: i64) -> Self {
        self.agent_id = agent_id;
        self
    }

    /// The client id (AppKey).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
}

/// How pushes are spread over the connections of one app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Distribution {
    /// A seeded random pick per push (DingTalk's documented behaviour).
    #[default]
    Random,
    /// Each connection in turn.
    RoundRobin,
}

/// The whole sandbox configuration. Build it with [`crate::Sandbox::builder`].
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) addr: SocketAddr,
    pub(crate) apps: Vec<App>,
    pub(crate) token_ttl: Duration,
    pub(crate) ticket_ttl: Duration,
    pub(crate) redelivery_after: Duration,
    pub(crate) max_redeliveries: u32,
    pub(crate) keep_message_id_on_redelivery: bool,
    /// Stream delivery switches (ordering, early redelivery, duplicates, stale channels).
    pub(crate) stream: crate::stream::Switches,
    pub(crate) disconnect_close_after: Duration,
    pub(crate) server_ping_interval: Option<Duration>,
    pub(crate) send_connected: bool,
    pub(crate) send_registered: bool,
    pub(crate) session_webhook_ttl: Duration,
    pub(crate) distribution: Distribution,
    pub(crate) seed: u64,
    pub(crate) state_file: Option<PathBuf>,
    pub(crate) open_auth_error_code: String,
    pub(crate) card_streaming_qps: Option<u32>,
    pub(crate) max_media_bytes: usize,
    pub(crate) max_connection_age: Option<Duration>,
    pub(crate) close_after_missed_pings: Option<u32>,
    pub(crate) api_qps: Option<u32>,
    pub(crate) login: crate::oauth::LoginConfig,
    pub(crate) registry: crate::registry::RegistryConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            apps: vec![App::demo()],
            token_ttl: DEFAULT_TOKEN_TTL,
            ticket_ttl: DEFAULT_TICKET_TTL,
            redelivery_after: DEFAULT_REDELIVERY_AFTER,
            max_redeliveries: DEFAULT_MAX_REDELIVERIES,
            keep_message_id_on_redelivery: false,
            stream: crate::stream::Switches::default(),
            disconnect_close_after: DEFAULT_DISCONNECT_CLOSE_AFTER,
            server_ping_interval: Some(DEFAULT_SERVER_PING_INTERVAL),
            send_connected: false,
            send_registered: false,
            session_webhook_ttl: DEFAULT_SESSION_WEBHOOK_TTL,
            distribution: Distribution::Random,
            seed: 0x5eed,
            state_file: None,
            open_auth_error_code: "invalid.client".into(),
            card_streaming_qps: None,
            max_media_bytes: 20 * 1024 * 1024,
            max_connection_age: None,
            close_after_missed_pings: None,
            api_qps: None,
            login: crate::oauth::LoginConfig::default(),
            registry: crate::registry::RegistryConfig::default(),
        }
    }
}

/// Builds a [`crate::Sandbox`]; every setter has a documented default.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct SandboxBuilder {
    pub(crate) config: Config,
}

impl SandboxBuilder {
    /// Bind address (default `127.0.0.1:0`). Only loopback addresses are accepted.
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.config.addr = addr;
        self
    }

    /// Adds an app besides the demo app.
    pub fn app(mut self, app: App) -> Self {
        self.config.apps.retain(|a| a.client_id != app.client_id);
        self.config.apps.push(app);
        self
    }

    /// Replaces the demo app's secret (default `sandbox-secret`).
    pub fn demo_secret(mut self, secret: impl Into<String>) -> Self {
        let secret = secret.into();
        for app in &mut self.config.apps {
            if app.client_id == DEMO_CLIENT_ID {
                app.client_secret.clone_from(&secret);
            }
        }
        self
    }

    /// App token lifetime (default 7200 s).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.config.token_ttl = ttl;
        self
    }

    /// Stream ticket lifetime (default 90 s).
    pub fn ticket_ttl(mut self, ttl: Duration) -> Self {
        self.config.ticket_ttl = ttl;
        self
    }

    /// Delay before an unacked push is redelivered (default 60 s).
    pub fn redelivery_after(mut self, after: Duration) -> Self {
        self.config.redelivery_after = after;
        self
    }

    /// Maximum redeliveries of one push (default 3).
    pub fn max_redeliveries(mut self, max: u32) -> Self {
        self.config.max_redeliveries = max;
        self
    }

    /// Keep the original `headers.messageId` on redelivery (default: a new id).
    pub fn keep_message_id_on_redelivery(mut self, keep: bool) -> Self {
        self.config.keep_message_id_on_redelivery = keep;
        self
    }

    /// The ordered-redelivery policy (default on). Like a TCP-aware server, the sandbox notices a lost
    /// connection (abrupt drop, close, write error, client close) and re-queues the pushes still unacked on it for
    /// prompt redelivery, ahead of every newer push of the same app and topic: a push never overtakes an earlier one
    /// that is waiting for redelivery, so a client that keeps arrival order sees each conversation in order.
    /// Unacked pushes on a live connection (a silently lost ack) still wait for `redelivery_after`. Off: a lost
    /// connection's pushes also wait for that timer, and newer pushes flow past them (real DingTalk's order after
    /// a connection loss is undocumented).
    pub fn ordered_redelivery(mut self, on: bool) -> Self {
        self.config.stream.ordered_redelivery = on;
        self
    }

    /// Early redelivery (default off; §5.1 saw one after 16 s): the first redelivery of an unacked push comes
    /// after `after` instead of `redelivery_after`; later ones keep `redelivery_after`.
    pub fn early_redelivery(mut self, after: Option<Duration>) -> Self {
        self.config.stream.early_redelivery = after;
        self
    }

    /// Spontaneous duplicates (default off): every `n`-th push (1 = every push) is pushed once more right after
    /// its first ack, with the same `data` and a new `messageId`, as DingTalk occasionally does.
    pub fn spontaneous_duplicate_every(mut self, n: Option<u64>) -> Self {
        self.config.stream.spontaneous_duplicate_every = n.filter(|n| *n > 0);
        self
    }

    /// Stale channel (default off): `SocketFault::Drop` then simulates a client network loss. The client's socket
    /// dies at once, but the sandbox keeps routing pushes to the dead connection for `window`; those are lost
    /// until the redelivery timer (the ordered-redelivery policy does not apply, the server never noticed).
    pub fn stale_channel(mut self, window: Option<Duration>) -> Self {
        self.config.stream.stale_channel = window;
        self
    }

    /// Delay between a SYSTEM `disconnect` and the close (default 10 s).
    pub fn disconnect_close_after(mut self, after: Duration) -> Self {
        self.config.disconnect_close_after = after;
        self
    }

    /// Interval of SYSTEM `ping` frames (default 30 s); `None` turns them off.
    pub fn server_ping_interval(mut self, interval: Option<Duration>) -> Self {
        self.config.server_ping_interval = interval;
        self
    }

    /// Send SYSTEM `CONNECTED` and `REGISTERED` frames after the upgrade (default off, as often observed).
    pub fn system_connected_frames(mut self, connected: bool, registered: bool) -> Self {
        self.config.send_connected = connected;
        self.config.send_registered = registered;
        self
    }

    /// Session webhook lifetime (default 90 min).
    pub fn session_webhook_ttl(mut self, ttl: Duration) -> Self {
        self.config.session_webhook_ttl = ttl;
        self
    }

    /// Push distribution over an app's connections (default random, seeded).
    pub fn distribution(mut self, distribution: Distribution) -> Self {
        self.config.distribution = distribution;
        self
    }

    /// Seed of every random choice.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    /// `SQLite` file keeping records across restarts (default: in memory only).
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.state_file = Some(path.into());
        self
    }

    /// `code` answered by `connections/open` on bad credentials (default `invalid.client`).
    pub fn open_auth_error_code(mut self, code: impl Into<String>) -> Self {
        self.config.open_auth_error_code = code.into();
        self
    }

    /// Per-app QPS limit on `PUT /v1.0/card/streaming` (default off).
    pub fn card_streaming_qps(mut self, qps: Option<u32>) -> Self {
        self.config.card_streaming_qps = qps;
        self
    }

    /// Send SYSTEM `disconnect` (`persistent connection is timeout`) once a connection is this old (default off).
    pub fn max_connection_age(mut self, age: Option<Duration>) -> Self {
        self.config.max_connection_age = age;
        self
    }

    /// Drop a connection once this many SYSTEM pings are unanswered (default off: never).
    pub fn close_after_missed_pings(mut self, missed: Option<u32>) -> Self {
        self.config.close_after_missed_pings = missed;
        self
    }

    /// Per-app, per-API QPS limit on every authenticated route (default off; DingTalk's standard is 20):
    /// over it, 403 `Forbidden.AccessDenied.QpsLimitForAppkeyAndApi` (legacy `90018`).
    pub fn api_qps(mut self, qps: Option<u32>) -> Self {
        self.config.api_qps = qps;
        self
    }

    /// Starts the sandbox.
    pub async fn start(self) -> Result<crate::SandboxHandle, crate::Error> {
        crate::server::start(self.config).await
    }
}
