//! `Client` and its builder: credentials, subscriptions and settings in, [`Connection`] out.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use dingtalk_core::id::ClientId;
use dingtalk_core::{Clock, TrustedHosts};
use secrecy::{ExposeSecret, SecretString};

use crate::backoff::BackoffConfig;
use crate::clock::ClockHandle;
use crate::config::Config;
use crate::connection::{self, Connection};
use crate::error::Error;
use crate::frame::topic;
use crate::open::{DEFAULT_API_BASE, DEFAULT_HTTP_TIMEOUT, HttpTicketSource, Subscription, TicketSource};

/// The default `ua` sent to `connections/open`: `dingtalk-sdk-rust/<version>-union`.
pub const DEFAULT_UA: &str = concat!("dingtalk-sdk-rust/", env!("CARGO_PKG_VERSION"), "-union");

/// A configured Stream client. [`Client::connect`] opens a [`Connection`]; a client may connect many times.
#[derive(Clone)]
pub struct Client {
    cfg: Config,
    #[expect(clippy::struct_field_names, reason = "the DingTalk name of the field")]
    client_id: ClientId,
    source: Arc<dyn TicketSource>,
    subscriptions: Vec<Subscription>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("client_id", &self.client_id)
            .field("subscriptions", &self.subscriptions)
            .field("config", &self.cfg)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts a builder from the app's ClientID (AppKey) and ClientSecret (AppSecret).
    pub fn builder(client_id: impl Into<ClientId>, client_secret: SecretString) -> ClientBuilder {
        ClientBuilder {
            cfg: Config::default(),
            client_id: client_id.into(),
            client_secret,
            api_base: DEFAULT_API_BASE.to_owned(),
            ua: DEFAULT_UA.to_owned(),
            local_ip: None,
            http_timeout: DEFAULT_HTTP_TIMEOUT,
            trusted_hosts: TrustedHosts::dingtalk(),
            source: None,
            subscriptions: Vec::new(),
        }
    }

    /// Opens a connection: a fresh ticket, then the WebSocket.
    ///
    /// Waits for the first attempt only. If it fails for a retryable reason, the returned `Connection` keeps
    /// retrying in the background and its [`state`](Connection::state) says so.
    ///
    /// # Errors
    /// [`ErrorKind::AuthRejected`](crate::ErrorKind::AuthRejected) when DingTalk rejects the credentials (unless
    /// [`ClientBuilder::auth_rejected_fatal`] is off).
    pub async fn connect(&self) -> Result<Connection, Error> {
        connection::start(
            self.cfg.clone(),
            self.client_id.clone(),
            Arc::clone(&self.source),
            self.subscriptions.clone(),
        )
        .await
    }

    /// The app's ClientID.
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// The subscriptions sent with every `connections/open`.
    pub fn subscriptions(&self) -> &[Subscription] {
        &self.subscriptions
    }
}

/// Builds a [`Client`]. Holds data only: no I/O until [`Client::connect`].
pub struct ClientBuilder {
    cfg: Config,
    client_id: ClientId,
    client_secret: SecretString,
    api_base: String,
    ua: String,
    local_ip: Option<String>,
    http_timeout: Duration,
    trusted_hosts: TrustedHosts,
    source: Option<Arc<dyn TicketSource>>,
    subscriptions: Vec<Subscription>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("client_id", &self.client_id)
            .field("api_base", &self.api_base)
            .field("subscriptions", &self.subscriptions)
            .finish_non_exhaustive()
    }
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty),+ $(,)?) => {$(
        $(#[$doc])*
        #[must_use]
        pub fn $name(mut self, value: $ty) -> Self {
            self.cfg.$name = value;
            self
        }
    )+};
}

impl ClientBuilder {
    fn subscribe(mut self, subscription: Subscription) -> Self {
        if !self.subscriptions.contains(&subscription) {
            self.subscriptions.push(subscription);
        }
        self
    }

    /// Subscribes to robot messages (`/v1.0/im/bot/messages/get`).
    #[must_use]
    pub fn subscribe_bot_messages(self) -> Self {
        self.subscribe(Subscription::callback(topic::BOT_MESSAGE))
    }

    /// Subscribes to delegate robot messages (`/v1.0/im/bot/messages/delegate`).
    #[must_use]
    pub fn subscribe_delegate_messages(self) -> Self {
        self.subscribe(Subscription::callback(topic::BOT_DELEGATE))
    }

    /// Subscribes to card action callbacks (`/v1.0/card/instances/callback`).
    #[must_use]
    pub fn subscribe_card_callbacks(self) -> Self {
        self.subscribe(Subscription::callback(topic::CARD_CALLBACK))
    }

    /// Subscribes to graph API plugin calls (`/v1.0/graph/api/invoke`).
    #[must_use]
    pub fn subscribe_graph_api(self) -> Self {
        self.subscribe(Subscription::callback(topic::GRAPH_API))
    }

    /// Subscribes to every event ticked in the developer console (`EVENT` / `*`).
    #[must_use]
    pub fn subscribe_events(self) -> Self {
        self.subscribe(Subscription::events())
    }

    /// Subscribes to another callback topic; its frames arrive as
    /// [`CallbackPayload::Other`](crate::CallbackPayload::Other).
    #[must_use]
    pub fn subscribe_callback(self, topic: impl Into<String>) -> Self {
        self.subscribe(Subscription::callback(topic))
    }

    /// The OpenAPI base for `connections/open` (default `https://api.dingtalk.com`; `http://127.0.0.1:…` for the
    /// sandbox). Must pass the trusted-host policy ([`trusted_hosts`](Self::trusted_hosts)): the secret is sent there.
    #[must_use]
    pub fn api_base(mut self, url: impl Into<String>) -> Self {
        self.api_base = url.into();
        self
    }

    /// The `ua` sent to `connections/open` (default [`DEFAULT_UA`]).
    #[must_use]
    pub fn ua(mut self, ua: impl Into<String>) -> Self {
        self.ua = ua.into();
        self
    }

    /// The `localIp` sent to `connections/open` (diagnostics only). Default: detected best-effort on each open as
    /// the local address that routes to the gateway host (no packet is sent); omitted when that fails.
    #[must_use]
    pub fn local_ip(mut self, ip: impl Into<String>) -> Self {
        self.local_ip = Some(ip.into());
        self
    }

    /// Total timeout of one `connections/open` call (default 10 s).
    #[must_use]
    pub fn http_timeout(mut self, timeout: Duration) -> Self {
        self.http_timeout = timeout;
        self
    }

    /// Replaces the default [`HttpTicketSource`] (tests, or tickets from elsewhere).
    #[must_use]
    pub fn ticket_source(mut self, source: Arc<dyn TicketSource>) -> Self {
        self.source = Some(source);
        self
    }

    /// The backoff settings (default 1 s → 60 s, jitter 0.3, alert after 10).
    #[must_use]
    pub fn backoff(mut self, backoff: BackoffConfig) -> Self {
        self.cfg.backoff = backoff;
        self
    }

    /// Keeps this many connections open in parallel (1 to 8, default 1). They share the inbound queue and the
    /// counters; DingTalk picks one of them for each push. Each reconnects on its own.
    #[must_use]
    pub fn connections(mut self, n: usize) -> Self {
        self.cfg.connections = n.clamp(1, 8);
        self
    }

    /// Rotates a connection (make-before-break, like a server `disconnect`) once it has been open this long
    /// (default none). Rotating before the gateway's own "persistent connection is timeout" keeps the switch on the
    /// client's schedule.
    #[must_use]
    pub fn max_connection_age(mut self, age: Option<Duration>) -> Self {
        self.cfg.max_connection_age = age.filter(|a| !a.is_zero());
        self
    }

    /// Seeds the backoff jitter RNG (reproducible tests).
    #[must_use]
    pub fn backoff_seed(mut self, seed: u64) -> Self {
        self.cfg.backoff_seed = Some(seed);
        self
    }

    /// The clock (default [`SystemClock`](dingtalk_core::SystemClock)). The sleep/wake check takes its monotonic and wall readings from it,
    /// transitions their timestamps, and the `connections/open` call its deadline; a test injects one it moves by
    /// hand. Timers (pings, backoff, deadlines) still run on tokio's clock, which paused-time tests move.
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.cfg.clock = ClockHandle::new(clock);
        self
    }

    /// The hosts the client secret may be sent to by the built-in `connections/open` call (default
    /// [`TrustedHosts::dingtalk`]: `*.dingtalk.com`, `*.dingtalk.io` over HTTPS, and loopback). Pass the same
    /// policy as the rest of the app when `api_base` is a proxy.
    #[must_use]
    pub fn trusted_hosts(mut self, trusted: TrustedHosts) -> Self {
        self.trusted_hosts = trusted;
        self
    }

    setters! {
        /// WebSocket handshake timeout, TLS included (default 10 s). Also bounds a [`TicketSource::open`] call.
        ws_handshake_timeout: Duration,
        /// Client WebSocket ping interval (default 30 s).
        ping_interval: Duration,
        /// How long after a ping any inbound frame must arrive (default 10 s).
        pong_timeout: Duration,
        /// Rotate when no text frame arrived for this long (default 300 s; zero disables).
        frame_idle_timeout: Duration,
        /// Make-before-break: the longest the old connection stays open after `disconnect` (default 10 s).
        drain_grace: Duration,
        /// Make-before-break: once the new connection is up and the old one has no unanswered frame, the old one
        /// is closed after this long without a text frame (default 1 s), so frames already written are still read.
        drain_quiet: Duration,
        /// A connection open this long resets the backoff counter (default 60 s).
        healthy_after: Duration,
        /// Timeout of one frame write (default 5 s).
        write_timeout: Duration,
        /// Graceful shutdown drain (default 30 s).
        shutdown_drain: Duration,
        /// Transport limit of one WebSocket message (default 16 MiB).
        max_message_bytes: usize,
        /// Frames whose `data` is longer get a 400 ack (default 1 MiB).
        max_data_bytes: usize,
        /// Inbound queue between the sockets and the `Connection`; when full, frames stay unacked (default 256).
        inbound_capacity: usize,
        /// A ticket older than this when the upgrade starts is discarded and a fresh one fetched (default 60 s;
        /// tickets live about 90 s). Matters for a custom [`TicketSource`] that caches tickets and reports their
        /// age with [`Ticket::issued_ago`](crate::Ticket::issued_ago).
        ticket_max_age: Duration,
        /// Whether rejected credentials end the stream (default true). When false, the client retries at the cap
        /// delay and reports [`ConnectionState::AuthRejected`](crate::ConnectionState::AuthRejected).
        auth_rejected_fatal: bool,
    }

    /// Validates and builds the client.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) for an empty client id or secret, no subscription, a zero
    /// interval, or an `api_base` that is unusable or outside the trusted-host policy.
    pub fn build(self) -> Result<Client, Error> {
        if self.client_id.is_empty() {
            return Err(Error::config("client id is empty"));
        }
        if self.subscriptions.is_empty() {
            return Err(Error::config("no subscription"));
        }
        let c = &self.cfg;
        if c.ping_interval.is_zero() || c.pong_timeout.is_zero() || c.ws_handshake_timeout.is_zero() {
            return Err(Error::config(
                "ping_interval, pong_timeout and ws_handshake_timeout must be positive",
            ));
        }
        if c.write_timeout.is_zero() || c.max_message_bytes == 0 || c.max_data_bytes == 0 {
            return Err(Error::config("write_timeout and size limits must be positive"));
        }
        let source = if let Some(source) = self.source {
            source
        } else {
            if self.client_secret.expose_secret().is_empty() {
                return Err(Error::config("client secret is empty"));
            }
            Arc::new(HttpTicketSource::configured(
                &self.api_base,
                self.client_id.clone(),
                self.client_secret,
                self.ua,
                self.local_ip,
                self.http_timeout,
                self.trusted_hosts,
                self.cfg.clock.arc(),
            )?)
        };
        Ok(Client {
            cfg: self.cfg,
            client_id: self.client_id,
            source,
            subscriptions: self.subscriptions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn build_validates_and_debug_hides_secret() {
        let b = Client::builder("dingapp", SecretString::from("s3cret-v4lue")).subscribe_bot_messages();
        assert!(!format!("{b:?}").contains("s3cret-v4lue"));
        let c = b.subscribe_bot_messages().subscribe_events().build().unwrap();
        assert!(!format!("{c:?}").contains("s3cret-v4lue"));
        assert_eq!(c.subscriptions().len(), 2, "duplicates collapse");
        let e = Client::builder("dingapp", SecretString::from("x"))
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        let e = Client::builder("", SecretString::from("x"))
            .subscribe_events()
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        let e = Client::builder("a", SecretString::from("x"))
            .subscribe_events()
            .api_base("http://example.com")
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(DEFAULT_UA.ends_with("-union"));
    }
}
