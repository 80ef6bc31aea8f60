//! The connection engine: one supervisor task per [`Connection`], one task per socket.
//!
//! - The supervisor owns every socket (a `JoinSet`), the backoff and the state watch. It opens a fresh ticket per
//!   attempt, rotates make-before-break on `disconnect` or the idle watchdog, and never gives up except on rejected
//!   credentials (configurable).
//! - A socket task runs a reader and a writer concurrently. The reader parses, routes and hands off with
//!   `try_reserve`, so it never awaits a consumer (R-CONC-1); SYSTEM pings are answered on a priority lane
//!   (R-LIVE-4). The writer owns the sink; every write has a timeout (R-CONC-4).
//! - Every socket has a generation id; responders carry their socket's writer, so acks never cross connections.

use std::collections::HashSet;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use futures_util::{SinkExt, StreamExt};
use secrecy::ExposeSecret;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::{Instant, sleep_until, timeout};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use dingtalk_core::id::ClientId;
use dingtalk_core::wire::FrameType;

use crate::ack;
use crate::backoff::Backoff;
use crate::clock;
use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::frame::{self, topic};
use crate::inbound::{
    AckSink, Callback, CallbackPayload, CallbackResponder, Event, EventResponder, Inbound, Outbound,
};
use crate::message::{BotMessage, CardCallback, GraphRequest};
use crate::open::{Subscription, TicketSource};
use crate::state::{ConnectionState, Metrics, MetricsSnapshot, ReconnectReason, inc};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Item = Result<Inbound, Error>;

/// A live Stream client: a `Stream` of [`Inbound`] items that reconnects on its own.
///
/// `next()` is cancel safe: frames wait in a channel, so dropping a `next()` future loses nothing. Dropping the
/// `Connection` stops every task and socket at once (unanswered frames are redelivered by DingTalk); call
/// [`Connection::shutdown`] to drain first.
pub struct Connection {
    rx: mpsc::Receiver<Item>,
    state: watch::Receiver<ConnectionState>,
    states: Vec<watch::Receiver<ConnectionState>>,
    metrics: Arc<Metrics>,
    shutdown: ShutdownHandle,
    shutdown_drain: Duration,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("state", &*self.state.borrow())
            .finish_non_exhaustive()
    }
}

/// What a graceful shutdown achieved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShutdownReport {
    /// Frames handed out but still unanswered when the drain deadline passed (DingTalk redelivers them).
    pub unanswered: usize,
    /// How long the drain took.
    pub drained_in: Duration,
}

/// Starts a graceful shutdown from anywhere; cloneable.
#[derive(Clone, Debug)]
pub struct ShutdownHandle {
    trigger: Arc<watch::Sender<bool>>,
    done: Vec<watch::Receiver<Option<ShutdownReport>>>,
}

impl ShutdownHandle {
    /// Stops accepting business frames (they stay unacked and are redelivered), keeps answering pings, waits up to
    /// `shutdown_drain` for handed-out frames to be answered, flushes acks, closes every socket with code 1000,
    /// and ends the stream (R-STOP-1). Idempotent.
    pub async fn shutdown(&self) -> ShutdownReport {
        self.trigger.send_replace(true);
        let mut total = ShutdownReport::default();
        for done in &self.done {
            let mut done = done.clone();
            if let Ok(report) = done.wait_for(Option::is_some).await
                && let Some(report) = report.clone()
            {
                total.unanswered += report.unanswered;
                total.drained_in = total.drained_in.max(report.drained_in);
            }
        }
        total
    }
}

impl Connection {
    /// A watch of the connection state (of the first socket, with [`ClientBuilder::connections`] above 1).
    ///
    /// [`ClientBuilder::connections`]: crate::ClientBuilder::connections
    pub fn state(&self) -> watch::Receiver<ConnectionState> {
        self.state.clone()
    }

    /// One state watch per parallel connection.
    pub fn states(&self) -> Vec<watch::Receiver<ConnectionState>> {
        self.states.clone()
    }

    /// A copy of the counters.
    pub fn metrics(&self) -> MetricsSnapshot {
        self.metrics.snapshot()
    }

    pub(crate) fn metrics_handle(&self) -> Arc<Metrics> {
        Arc::clone(&self.metrics)
    }

    pub(crate) fn shutdown_drain(&self) -> Duration {
        self.shutdown_drain
    }

    /// A handle that starts a graceful shutdown while this `Connection` keeps being polled (so in-flight work
    /// can still be answered).
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.shutdown.clone()
    }

    /// Graceful shutdown (R-STOP-1): items not yet taken from the stream are released unanswered (DingTalk
    /// redelivers them), answered responders are flushed, and every socket closes with code 1000.
    pub async fn shutdown(mut self) -> ShutdownReport {
        self.rx.close();
        while self.rx.try_recv().is_ok() {}
        let handle = self.shutdown.clone();
        handle.shutdown().await
    }
}

impl Stream for Connection {
    type Item = Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Item>> {
        self.rx.poll_recv(cx)
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Everything the supervisor and socket tasks share.
pub(crate) struct Shared {
    pub(crate) cfg: Config,
    pub(crate) client_id: ClientId,
    pub(crate) source: Arc<dyn TicketSource>,
    pub(crate) subscriptions: Vec<Subscription>,
    pub(crate) metrics: Arc<Metrics>,
    callback_topics: HashSet<String>,
    out: mpsc::Sender<Item>,
    state: watch::Sender<ConnectionState>,
    accepting: AtomicBool,
    epoch: Instant,
}

impl Shared {
    /// Milliseconds since the client started (for cheap atomic timestamps).
    fn since_epoch_ms(&self) -> u64 {
        u64::try_from(clock::millis(clock::now().saturating_duration_since(self.epoch))).unwrap_or(u64::MAX)
    }
}

/// Starts the supervisor; waits for the first attempt's outcome (a rejected credential is returned here).
pub(crate) async fn start(
    cfg: Config,
    client_id: ClientId,
    source: Arc<dyn TicketSource>,
    subscriptions: Vec<Subscription>,
) -> Result<Connection, Error> {
    let (out, mut rx) = mpsc::channel(cfg.inbound_capacity.max(1));
    let shutdown_drain = cfg.shutdown_drain;
    let metrics = Arc::new(Metrics::default());
    let callback_topics: HashSet<String> = subscriptions
        .iter()
        .filter(|s| *s.kind() == FrameType::Callback)
        .map(|s| s.topic().to_owned())
        .collect();
    let (trigger, trigger_rx) = watch::channel(false);
    let mut states = Vec::new();
    let mut dones = Vec::new();
    let mut tasks = Vec::new();
    // One supervisor per parallel connection; they share the inbound queue and the counters.
    for index in 0..cfg.connections.max(1) {
        let mut cfg = cfg.clone();
        cfg.backoff_seed = cfg.backoff_seed.map(|seed| seed.wrapping_add(index as u64));
        let (state_tx, state_rx) = watch::channel(ConnectionState::Connecting { attempt: 0 });
        let shared = Arc::new(Shared {
            cfg,
            client_id: client_id.clone(),
            source: Arc::clone(&source),
            subscriptions: subscriptions.clone(),
            metrics: Arc::clone(&metrics),
            callback_topics: callback_topics.clone(),
            out: out.clone(),
            state: state_tx,
            accepting: AtomicBool::new(true),
            epoch: clock::now(),
        });
        let (done_tx, done_rx) = watch::channel(None);
        tasks.push(tokio::spawn(supervise(shared, trigger_rx.clone(), done_tx)));
        states.push(state_rx);
        dones.push(done_rx);
    }
    drop(out);
    let mut fatal = false;
    for state in &states {
        let mut state = state.clone();
        let first = state
            .wait_for(|s| !matches!(s, ConnectionState::Connecting { .. }))
            .await
            .map_or(ConnectionState::Closed { fatal: true }, |s| s.clone());
        fatal |= matches!(first, ConnectionState::Closed { fatal: true });
    }
    if fatal {
        for task in &tasks {
            task.abort();
        }
        return Err(match rx.recv().await {
            Some(Err(e)) => e,
            _ => Error::new(ErrorKind::Closed),
        });
    }
    let Some(first) = states.first().cloned() else {
        return Err(Error::new(ErrorKind::Closed));
    };
    Ok(Connection {
        rx,
        state: first,
        states,
        metrics,
        shutdown: ShutdownHandle {
            trigger: Arc::new(trigger),
            done: dones,
        },
        shutdown_drain,
        tasks,
    })
}

/// A socket as the supervisor sees it.
struct Live {
    generation: u64,
    host: String,
    opened_at: Instant,
    pending: Arc<AtomicUsize>,
    last_text_ms: Arc<AtomicU64>,
    stop: Option<oneshot::Sender<()>>,
}

impl Live {
    fn close(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    fn pending(&self) -> usize {
        self.pending.load(Ordering::SeqCst)
    }
}

enum SocketEvent {
    Rotate(u64, ReconnectReason),
    Ended(u64, ReconnectReason),
}

type Connecting = Pin<Box<dyn Future<Output = Result<(Ws, String), Error>> + Send>>;

async fn pending_or<F: Future>(fut: Option<F>) -> F::Output {
    match fut {
        Some(f) => f.await,
        None => std::future::pending().await,
    }
}

#[expect(clippy::too_many_lines, reason = "one state machine reads best in one place")]
async fn supervise(
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
    done: watch::Sender<Option<ShutdownReport>>,
) {
    let cfg = &shared.cfg;
    let mut backoff = Backoff::new(cfg.backoff, cfg.backoff_seed);
    let (ev_tx, mut ev_rx) = mpsc::unbounded_channel::<SocketEvent>();
    let mut sockets = JoinSet::new();
    let mut current: Option<Live> = None;
    let mut draining: Vec<(Live, Instant)> = Vec::new();
    let mut next_generation = 1u64;
    let mut connecting: Option<Connecting> = None;
    let mut retry_at: Option<Instant> = Some(clock::now());
    let mut rotating: Option<ReconnectReason> = None;

    loop {
        if current.is_none() && connecting.is_none() && retry_at.is_some_and(|t| t <= clock::now()) {
            retry_at = None;
            shared.state.send_replace(match rotating {
                Some(reason) => ConnectionState::Rotating { reason },
                None => ConnectionState::Connecting {
                    attempt: backoff.failures(),
                },
            });
            connecting = Some(Box::pin(connect_once(Arc::clone(&shared))));
        }
        let waiting = current.is_none() && connecting.is_none();
        let drain_wake = (!draining.is_empty()).then(|| clock::now() + Duration::from_millis(20));
        tokio::select! {
            biased;
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
            Some(ev) = ev_rx.recv() => match ev {
                SocketEvent::Rotate(generation, reason) => {
                    if let Some(live) = current.take_if(|l| l.generation == generation) {
                        tracing::info!(generation, host = %live.host, %reason, "rotating: opening a new connection before closing this one");
                        shared.metrics.reconnect(reason);
                        if clock::now().saturating_duration_since(live.opened_at) >= cfg.healthy_after {
                            backoff.reset();
                        }
                        draining.push((live, clock::now() + cfg.drain_grace));
                        rotating = Some(reason);
                        retry_at = Some(clock::now());
                    }
                }
                SocketEvent::Ended(generation, reason) => {
                    draining.retain(|(l, _)| l.generation != generation);
                    if let Some(live) = current.take_if(|l| l.generation == generation) {
                        shared.metrics.reconnect(reason);
                        if clock::now().saturating_duration_since(live.opened_at) >= cfg.healthy_after {
                            backoff.reset();
                        }
                        let delay = backoff.fail();
                        tracing::warn!(generation, host = %live.host, %reason, retry_in = ?delay, "stream connection lost");
                        shared.state.send_replace(ConnectionState::Backoff {
                            attempt: backoff.failures(),
                            retry_in: delay,
                            last_error: ErrorKind::Transport,
                            degraded: backoff.degraded(),
                        });
                        retry_at = Some(clock::now() + delay);
                    }
                }
            },
            result = pending_or(connecting.as_mut()) => {
                connecting = None;
                match result {
                    Ok((ws, host)) => {
                        let generation = next_generation;
                        next_generation += 1;
                        let pending = Arc::new(AtomicUsize::new(0));
                        let last_text_ms = Arc::new(AtomicU64::new(shared.since_epoch_ms()));
                        let (stop_tx, stop_rx) = oneshot::channel();
                        inc(&shared.metrics.connects);
                        tracing::info!(generation, host = %host, "stream connected");
                        sockets.spawn(run_socket(
                            Arc::clone(&shared), generation, ws, ev_tx.clone(), stop_rx, Arc::clone(&pending),
                            Arc::clone(&last_text_ms),
                        ));
                        shared.state.send_replace(ConnectionState::Open { generation, host: host.clone() });
                        current = Some(Live {
                            generation, host, opened_at: clock::now(), pending, last_text_ms, stop: Some(stop_tx),
                        });
                        rotating = None;
                    }
                    Err(e) => {
                        inc(&shared.metrics.connect_failures);
                        if e.kind() == ErrorKind::AuthRejected {
                            shared.metrics.reconnect(ReconnectReason::Auth);
                            if cfg.auth_rejected_fatal {
                                tracing::error!(client_id = %shared.client_id, "DingTalk rejected the client id or secret; stopping (fix the credentials and reconnect)");
                                tokio::select! {
                                    _ = shared.out.send(Err(e)) => {}
                                    _ = shutdown.changed() => {}
                                }
                                shared.state.send_replace(ConnectionState::Closed { fatal: true });
                                sockets.abort_all();
                                done.send_replace(Some(ShutdownReport::default()));
                                return;
                            }
                            let delay = backoff.fail_to_cap();
                            tracing::error!(client_id = %shared.client_id, retry_in = ?delay, "DingTalk rejected the client id or secret; retrying at the cap delay");
                            shared.state.send_replace(ConnectionState::AuthRejected { retry_in: delay });
                            retry_at = Some(clock::now() + delay);
                        } else {
                            shared.metrics.reconnect(ReconnectReason::ConnectFailed);
                            let mut delay = backoff.fail();
                            if let Some(hint) = e.retry_after() {
                                delay = delay.max(hint.min(cfg.backoff.cap_delay()));
                            }
                            let degraded = backoff.degraded();
                            if degraded {
                                tracing::error!(kind = ?e.kind(), attempt = backoff.failures(), retry_in = ?delay, "stream connect keeps failing; still retrying");
                            } else {
                                tracing::warn!(kind = ?e.kind(), attempt = backoff.failures(), retry_in = ?delay, "stream connect failed; retrying");
                            }
                            shared.state.send_replace(ConnectionState::Backoff {
                                attempt: backoff.failures(),
                                retry_in: delay,
                                last_error: e.kind(),
                                degraded,
                            });
                            retry_at = Some(clock::now() + delay);
                        }
                    }
                }
            }
            () = pending_or(retry_at.filter(|_| waiting).map(sleep_until)) => {}
            () = pending_or(drain_wake.map(sleep_until)) => {
                let now = clock::now();
                let now_ms = shared.since_epoch_ms();
                let quiet_ms = u64::try_from(clock::millis(cfg.drain_quiet)).unwrap_or(u64::MAX);
                let replaced = current.is_some();
                draining.retain_mut(|(live, deadline)| {
                    // Close A once B is up, A has no unanswered frame and A has been quiet for `drain_quiet`
                    // (frames the server wrote before it stopped are still read), or at the `drain_grace` limit.
                    let quiet = now_ms.saturating_sub(live.last_text_ms.load(Ordering::Relaxed)) >= quiet_ms;
                    if (replaced && live.pending() == 0 && quiet) || now >= *deadline {
                        tracing::debug!(generation = live.generation, pending = live.pending(), "closing drained connection");
                        live.close();
                        false
                    } else {
                        true
                    }
                });
            }
            Some(_) = sockets.join_next(), if !sockets.is_empty() => {}
        }
    }

    // Graceful shutdown (R-STOP-1).
    let started = clock::now();
    shared.accepting.store(false, Ordering::SeqCst);
    shared.state.send_replace(ConnectionState::ShuttingDown);
    drop(connecting);
    let deadline = started + cfg.shutdown_drain;
    let lives: Vec<Live> = current
        .into_iter()
        .chain(draining.into_iter().map(|(l, _)| l))
        .collect();
    loop {
        let pending: usize = lives.iter().map(Live::pending).sum();
        if pending == 0 || clock::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let unanswered: usize = lives.iter().map(Live::pending).sum();
    if unanswered > 0 {
        tracing::warn!(
            unanswered,
            "shutdown drain deadline passed with unanswered frames; DingTalk will redeliver them"
        );
    }
    for mut live in lives {
        shared.metrics.reconnect(ReconnectReason::Shutdown);
        live.close();
    }
    let _ = timeout(cfg.write_timeout, async {
        while sockets.join_next().await.is_some() {}
    })
    .await;
    sockets.abort_all();
    shared
        .state
        .send_replace(ConnectionState::Closed { fatal: false });
    done.send_replace(Some(ShutdownReport {
        unanswered,
        drained_in: clock::now().saturating_duration_since(started),
    }));
}

/// One attempt: a fresh ticket, then the upgrade (R-OPEN-1, R-OPEN-4).
async fn connect_once(shared: Arc<Shared>) -> Result<(Ws, String), Error> {
    let cfg = &shared.cfg;
    let ticket = timeout(
        cfg.ws_handshake_timeout,
        shared.source.open(&shared.subscriptions),
    )
    .await
    .map_err(|_| Error::with_source(ErrorKind::Transient, "connections/open timed out"))??;
    let host = ticket.host().to_owned();
    let url = ticket.ws_url();
    drop(ticket);
    let ws_cfg = WebSocketConfig::default()
        .max_message_size(Some(cfg.max_message_bytes))
        .max_frame_size(Some(cfg.max_message_bytes));
    let attempt = tokio_tungstenite::connect_async_with_config(url.expose_secret(), Some(ws_cfg), false);
    match timeout(cfg.ws_handshake_timeout, attempt).await {
        Err(_) => Err(Error::with_source(
            ErrorKind::Handshake,
            "WebSocket upgrade timed out",
        )),
        // Never keep tungstenite's error: keep the class only, so no URL can leak through `source()`.
        Ok(Err(e)) => Err(Error::with_source(ErrorKind::Handshake, describe_ws_error(&e))),
        Ok(Ok((ws, _response))) => Ok((ws, host)),
    }
}

fn describe_ws_error(e: &tungstenite::Error) -> String {
    match e {
        tungstenite::Error::Http(resp) => format!("upgrade answered HTTP {}", resp.status().as_u16()),
        tungstenite::Error::Io(io) => format!("i/o error during upgrade: {:?}", io.kind()),
        tungstenite::Error::Tls(_) => "TLS error during upgrade".into(),
        tungstenite::Error::Url(_) => "unusable WebSocket URL".into(),
        _ => "WebSocket upgrade failed".into(),
    }
}

/// Reader and writer of one socket, run concurrently in one task.
async fn run_socket(
    shared: Arc<Shared>,
    generation: u64,
    ws: Ws,
    events: mpsc::UnboundedSender<SocketEvent>,
    stop: oneshot::Receiver<()>,
    pending: Arc<AtomicUsize>,
    last_text_ms: Arc<AtomicU64>,
) {
    let (sink, stream) = ws.split();
    let (prio_tx, prio_rx) = mpsc::channel::<Outbound>(64);
    let (tx, rx) = mpsc::channel::<Outbound>(shared.cfg.writer_capacity.max(1));
    let acks = AckSink {
        generation,
        tx,
        pending,
        metrics: Arc::clone(&shared.metrics),
    };
    let reader = read_loop(
        &shared,
        generation,
        stream,
        &events,
        stop,
        prio_tx,
        acks,
        &last_text_ms,
    );
    let writer = write_loop(sink, prio_rx, rx, shared.cfg.write_timeout);
    let reason = tokio::select! {
        reason = reader => reason,
        reason = writer => reason,
    };
    tracing::debug!(generation, %reason, "socket ended");
    let _ = events.send(SocketEvent::Ended(generation, reason));
}

async fn write_loop(
    mut sink: futures_util::stream::SplitSink<Ws, Message>,
    mut prio: mpsc::Receiver<Outbound>,
    mut rx: mpsc::Receiver<Outbound>,
    write_timeout: Duration,
) -> ReconnectReason {
    loop {
        let next = tokio::select! {
            biased;
            Some(m) = prio.recv() => m,
            m = rx.recv() => match m {
                Some(m) => m,
                None => return ReconnectReason::Shutdown,
            },
        };
        let (message, last) = match next {
            Outbound::Text(text) => (Message::Text(text.into()), false),
            Outbound::Ping => (Message::Ping(Vec::new().into()), false),
            Outbound::Close => (
                Message::Close(Some(CloseFrame {
                    code: CloseCode::Normal,
                    reason: "".into(),
                })),
                true,
            ),
        };
        match timeout(write_timeout, sink.send(message)).await {
            Ok(Ok(())) if last => {
                let _ = timeout(write_timeout, sink.close()).await;
                return ReconnectReason::Shutdown;
            }
            Ok(Ok(())) => {}
            Ok(Err(_)) | Err(_) => return ReconnectReason::IoError,
        }
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "private; each argument is one piece of the socket"
)]
async fn read_loop(
    shared: &Shared,
    generation: u64,
    mut stream: futures_util::stream::SplitStream<Ws>,
    events: &mpsc::UnboundedSender<SocketEvent>,
    mut stop: oneshot::Receiver<()>,
    prio: mpsc::Sender<Outbound>,
    acks: AckSink,
    last_text_ms: &AtomicU64,
) -> ReconnectReason {
    let cfg = &shared.cfg;
    let start = clock::now();
    let mut last_text = start;
    let mut next_ping = start + cfg.ping_interval;
    let mut ping_sent: Option<Instant> = None;
    let mut idle_fired = false;
    let idle_enabled = !cfg.frame_idle_timeout.is_zero();
    loop {
        let mut wake = next_ping;
        if let Some(sent) = ping_sent {
            wake = wake.min(sent + cfg.pong_timeout);
        }
        if idle_enabled && !idle_fired {
            wake = wake.min(last_text + cfg.frame_idle_timeout);
        }
        tokio::select! {
            biased;
            _ = &mut stop => {
                let _ = acks.tx.send(Outbound::Close).await;
                // The writer finishes after flushing queued acks and the Close frame.
                std::future::pending::<()>().await;
            }
            message = stream.next() => {
                // Any inbound frame is proof of life (R-LIVE-1).
                ping_sent = None;
                match message {
                    Some(Ok(Message::Text(text))) => {
                        last_text = clock::now();
                        last_text_ms.store(shared.since_epoch_ms(), Ordering::Relaxed);
                        if let Some(reason) = handle_text(shared, generation, text.as_str(), &prio, &acks) {
                            let _ = events.send(SocketEvent::Rotate(generation, reason));
                        }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        inc(&shared.metrics.frames_malformed);
                        tracing::debug!(generation, "binary frame skipped");
                    }
                    Some(Ok(Message::Close(_))) | None => return ReconnectReason::ServerClose,
                    Some(Ok(_)) => {}
                    Some(Err(e)) => {
                        tracing::warn!(generation, error = %describe_ws_error(&e), "stream read failed");
                        return ReconnectReason::IoError;
                    }
                }
            }
            () = sleep_until(wake) => {
                let now = clock::now();
                if ping_sent.is_some_and(|sent| now >= sent + cfg.pong_timeout) {
                    tracing::warn!(generation, "no frame within pong_timeout of a ping; dropping the connection");
                    return ReconnectReason::PongTimeout;
                }
                if now >= next_ping {
                    let _ = prio.try_send(Outbound::Ping);
                    ping_sent.get_or_insert(now);
                    next_ping = now + cfg.ping_interval;
                }
                if idle_enabled && !idle_fired && now >= last_text + cfg.frame_idle_timeout {
                    idle_fired = true;
                    tracing::warn!(generation, "no text frame within frame_idle_timeout; rotating");
                    let _ = events.send(SocketEvent::Rotate(generation, ReconnectReason::IdleWatchdog));
                }
            }
        }
    }
}

/// Routes one text frame. Returns a rotation request for SYSTEM `disconnect`.
#[expect(clippy::too_many_lines, reason = "one routing table reads best in one place")]
fn handle_text(
    shared: &Shared,
    generation: u64,
    text: &str,
    prio: &mpsc::Sender<Outbound>,
    acks: &AckSink,
) -> Option<ReconnectReason> {
    let metrics = &shared.metrics;
    let frame = match frame::decode(text) {
        Ok(frame) => frame,
        Err(e) => {
            inc(&metrics.frames_malformed);
            tracing::debug!(generation, error = %e, len = text.len(), "malformed frame skipped");
            return None;
        }
    };
    match frame.frame_type() {
        FrameType::System => {
            inc(&metrics.frames_system);
            match frame.topic() {
                topic::PING => {
                    if let Some(pong) = ack::pong(&frame)
                        && prio.try_send(Outbound::Text(pong.to_json())).is_ok()
                    {
                        inc(&metrics.pings_answered);
                    }
                }
                topic::DISCONNECT => {
                    // Ack first, on this connection, then rotate (R-DISC-1).
                    if let Some(a) = ack::pong(&frame) {
                        let _ = prio.try_send(Outbound::Text(a.to_json()));
                    }
                    return Some(ReconnectReason::Disconnect);
                }
                "CONNECTED" | "REGISTERED" | "KEEPALIVE" => {
                    tracing::debug!(generation, topic = frame.topic(), "system frame");
                }
                other => {
                    inc(&metrics.frames_unknown);
                    tracing::debug!(generation, topic = other, "unknown system topic skipped");
                }
            }
            None
        }
        FrameType::Event | FrameType::Callback => {
            let is_event = *frame.frame_type() == FrameType::Event;
            inc(if is_event {
                &metrics.frames_event
            } else {
                &metrics.frames_callback
            });
            let Some(message_id) = frame.message_id() else {
                inc(&metrics.frames_unknown);
                tracing::debug!(generation, "business frame without messageId skipped");
                return None;
            };
            let error_ack = |code: u16, reason: &str| {
                let _ = acks
                    .tx
                    .try_send(Outbound::Text(ack::error(message_id, code, reason).to_json()));
                inc(&metrics.acks_error);
            };
            let Some(data) = frame.data() else {
                error_ack(400, "bad payload");
                return None;
            };
            if data.len() > shared.cfg.max_data_bytes {
                inc(&metrics.frames_oversized);
                error_ack(400, "payload too large");
                return None;
            }
            if !shared.accepting.load(Ordering::SeqCst) {
                inc(&metrics.unacked_overload);
                return None;
            }
            let payload = if is_event {
                None
            } else {
                match decode_callback(shared, frame.topic(), data) {
                    Ok(p) => Some(p),
                    Err(code) => {
                        error_ack(
                            code,
                            if code == 404 {
                                "topic not supported"
                            } else {
                                "bad payload"
                            },
                        );
                        return None;
                    }
                }
            };
            let Ok(permit) = shared.out.try_reserve() else {
                // Overload: leave it unacked; DingTalk redelivers (R-ACK-1, R-CONC-5).
                inc(&metrics.unacked_overload);
                tracing::debug!(generation, message_id, "inbound queue full; frame left unacked");
                return None;
            };
            let headers = frame.headers().clone();
            let item = match payload {
                None => Inbound::Event(
                    Event::new(headers, data),
                    EventResponder::new(message_id.into(), acks),
                ),
                Some(p) => Inbound::Callback(
                    Callback::new(headers, p),
                    CallbackResponder::new(message_id.into(), acks),
                ),
            };
            permit.send(Ok(item));
            None
        }
        other => {
            inc(&metrics.frames_unknown);
            tracing::debug!(generation, frame_type = %other, "unknown frame type skipped");
            None
        }
    }
}

/// Decodes a callback payload by topic; `Err(code)` is the error ack code (400 or 404).
fn decode_callback(shared: &Shared, topic_name: &str, data: &str) -> Result<CallbackPayload, u16> {
    Ok(match topic_name {
        topic::BOT_MESSAGE => {
            CallbackPayload::BotMessage(Box::new(BotMessage::from_json(data).map_err(|_| 400u16)?))
        }
        topic::BOT_DELEGATE => {
            CallbackPayload::Delegate(Box::new(BotMessage::from_json(data).map_err(|_| 400u16)?))
        }
        topic::CARD_CALLBACK => {
            CallbackPayload::CardAction(Box::new(CardCallback::from_json(data).map_err(|_| 400u16)?))
        }
        topic::GRAPH_API => {
            CallbackPayload::Graph(Box::new(GraphRequest::from_json(data).map_err(|_| 400u16)?))
        }
        other if shared.callback_topics.contains(other) => {
            CallbackPayload::Other(serde_json::from_str(data).map_err(|_| 400u16)?)
        }
        _ => return Err(404),
    })
}

#[cfg(test)]
mod tests;
