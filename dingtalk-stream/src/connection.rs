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
use secrecy::ExposeSecret;
use tokio::net::TcpStream;
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::{Instant, sleep_until, timeout};
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use dingtalk_core::id::ClientId;
use dingtalk_core::wire::FrameType;

use crate::backoff::Backoff;
use crate::clock;
use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::inbound::Inbound;
use crate::open::{Subscription, TicketSource};
use crate::socket;
use crate::state::{
    ConnectionState, Metrics, MetricsSnapshot, ReconnectReason, TRANSITION_BUFFER, Transition, inc,
};

pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
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
    transitions: broadcast::Sender<Transition>,
    /// The receiver made before the first attempt, handed to the first [`Connection::transitions`] call.
    first_transitions: std::sync::Mutex<Option<broadcast::Receiver<Transition>>>,
}

/// A `Stream` of every state change of a [`Connection`] ([`Connection::transitions`]). Ends once the `Connection`
/// has been dropped (or shut down) and its tasks are gone.
pub struct Transitions {
    inner: Pin<Box<dyn Stream<Item = Transition> + Send>>,
}

impl std::fmt::Debug for Transitions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transitions").finish_non_exhaustive()
    }
}

impl Stream for Transitions {
    type Item = Transition;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Transition>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl Transitions {
    fn new(rx: broadcast::Receiver<Transition>) -> Self {
        let stream = futures_util::stream::unfold(rx, |mut rx| async move {
            let mut missed = 0u64;
            loop {
                match rx.recv().await {
                    Ok(mut t) => {
                        t.missed = missed;
                        return Some((t, rx));
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => missed += n,
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        });
        Self {
            inner: Box::pin(stream),
        }
    }
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

    /// Every state change with its reason and time (R-BACK-5), of every parallel connection. The watch from
    /// [`Connection::state`] shows only the latest state; this stream shows each step (`Open` → `Rotating` →
    /// `Open`, `Open` → `Backoff` → `Connecting` → `Open`, …).
    ///
    /// The first call sees every change since [`Client::connect`](crate::Client::connect) began (up to
    /// [`TRANSITION_BUFFER`](crate::TRANSITION_BUFFER)); later calls see changes from the call on.
    pub fn transitions(&self) -> Transitions {
        let first = self
            .first_transitions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        Transitions::new(first.unwrap_or_else(|| self.transitions.subscribe()))
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
    pub(crate) callback_topics: HashSet<String>,
    pub(crate) out: mpsc::Sender<Item>,
    state: watch::Sender<ConnectionState>,
    /// Which parallel connection this supervisor runs (0-based).
    index: usize,
    transitions: broadcast::Sender<Transition>,
    pub(crate) accepting: AtomicBool,
    epoch: Instant,
}

impl Shared {
    /// Publishes a new state on the watch and, when it differs from the old one, a [`Transition`] with `reason`.
    fn set_state(&self, to: ConnectionState, reason: Option<ReconnectReason>) {
        let from = self.state.send_replace(to.clone());
        if from != to {
            let at = std::time::UNIX_EPOCH
                + Duration::from_millis(u64::try_from(self.cfg.clock.wall_ms()).unwrap_or(0));
            let _ = self.transitions.send(Transition {
                connection: self.index,
                from,
                to,
                reason,
                at,
                missed: 0,
            });
        }
    }

    /// Milliseconds since the client started (for cheap atomic timestamps).
    pub(crate) fn since_epoch_ms(&self) -> u64 {
        self.ms_since_epoch_at(clock::now())
    }

    /// [`Shared::since_epoch_ms`] at a time already read.
    pub(crate) fn ms_since_epoch_at(&self, at: Instant) -> u64 {
        u64::try_from(clock::millis(at.saturating_duration_since(self.epoch))).unwrap_or(u64::MAX)
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
    let (transitions, first_transitions) = broadcast::channel(TRANSITION_BUFFER);
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
            index,
            transitions: transitions.clone(),
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
        transitions,
        first_transitions: std::sync::Mutex::new(Some(first_transitions)),
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

/// What a socket task reports to its supervisor.
pub(crate) enum SocketEvent {
    /// Open a new connection, then close this one (make-before-break).
    Rotate(u64, ReconnectReason),
    /// The socket is gone.
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
            shared.set_state(
                match rotating {
                    Some(reason) => ConnectionState::Rotating { reason },
                    None => ConnectionState::Connecting {
                        attempt: backoff.failures(),
                    },
                },
                rotating,
            );
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
                        shared.set_state(ConnectionState::Backoff {
                            attempt: backoff.failures(),
                            retry_in: delay,
                            last_error: ErrorKind::Transport,
                            degraded: backoff.degraded(),
                        }, Some(reason));
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
                        sockets.spawn(socket::run_socket(
                            Arc::clone(&shared), generation, ws, ev_tx.clone(), stop_rx, Arc::clone(&pending),
                            Arc::clone(&last_text_ms),
                        ));
                        shared.set_state(ConnectionState::Open { generation, host: host.clone() }, None);
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
                                shared.set_state(ConnectionState::Closed { fatal: true }, Some(ReconnectReason::Auth));
                                sockets.abort_all();
                                done.send_replace(Some(ShutdownReport::default()));
                                return;
                            }
                            let delay = backoff.fail_to_cap();
                            tracing::error!(client_id = %shared.client_id, retry_in = ?delay, "DingTalk rejected the client id or secret; retrying at the cap delay");
                            shared.set_state(ConnectionState::AuthRejected { retry_in: delay }, Some(ReconnectReason::Auth));
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
                            shared.set_state(ConnectionState::Backoff {
                                attempt: backoff.failures(),
                                retry_in: delay,
                                last_error: e.kind(),
                                degraded,
                            }, Some(ReconnectReason::ConnectFailed));
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
    shared.set_state(ConnectionState::ShuttingDown, Some(ReconnectReason::Shutdown));
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
    shared.set_state(
        ConnectionState::Closed { fatal: false },
        Some(ReconnectReason::Shutdown),
    );
    done.send_replace(Some(ShutdownReport {
        unanswered,
        drained_in: clock::now().saturating_duration_since(started),
    }));
}

/// Stale tickets in a row that fail one attempt (which then backs off like any failure).
const MAX_STALE_TICKETS: u32 = 3;

/// One attempt: a fresh ticket, then the upgrade (R-OPEN-1, R-OPEN-4).
async fn connect_once(shared: Arc<Shared>) -> Result<(Ws, String), Error> {
    let cfg = &shared.cfg;
    // R-OPEN-4: a ticket older than `ticket_max_age` is never used; fetch another (a few times at most).
    let mut discarded = 0;
    let ticket = loop {
        let ticket = timeout(
            cfg.ws_handshake_timeout,
            shared.source.open(&shared.subscriptions),
        )
        .await
        .map_err(|_| Error::with_source(ErrorKind::Transient, "connections/open timed out"))??;
        if ticket.age() <= cfg.ticket_max_age {
            break ticket;
        }
        inc(&shared.metrics.tickets_discarded);
        discarded += 1;
        tracing::warn!(
            age = ?ticket.age(),
            max = ?cfg.ticket_max_age,
            "ticket older than ticket_max_age discarded unused"
        );
        if discarded >= MAX_STALE_TICKETS {
            return Err(Error::with_source(
                ErrorKind::Transient,
                "the ticket source keeps returning tickets older than ticket_max_age",
            ));
        }
    };
    let host = ticket.host().to_owned();
    let url = ticket.ws_url();
    drop(ticket);
    let ws_cfg = WebSocketConfig::default()
        .max_message_size(Some(cfg.max_message_bytes))
        .max_frame_size(Some(cfg.max_message_bytes));
    // Nagle off: acks are small frames, and Nagle with the peer's delayed ACK holds a lone ack for up to 200 ms.
    let attempt = tokio_tungstenite::connect_async_with_config(url.expose_secret(), Some(ws_cfg), true);
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

pub(crate) fn describe_ws_error(e: &tungstenite::Error) -> String {
    match e {
        tungstenite::Error::Http(resp) => format!("upgrade answered HTTP {}", resp.status().as_u16()),
        tungstenite::Error::Io(io) => format!("i/o error during upgrade: {:?}", io.kind()),
        tungstenite::Error::Tls(_) => "TLS error during upgrade".into(),
        tungstenite::Error::Url(_) => "unusable WebSocket URL".into(),
        _ => "WebSocket upgrade failed".into(),
    }
}

#[cfg(test)]
mod tests;
