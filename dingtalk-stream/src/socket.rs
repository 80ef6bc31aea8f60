//! One socket: a reader and a writer run concurrently in one task (R-CONC-1, R-CONC-4, R-LIVE-1..4).
//!
//! The reader parses, routes and hands off with `try_reserve`, so it never awaits a consumer; SYSTEM pings are
//! answered on a priority lane. The writer owns the sink; every write has a timeout.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, sleep_until, timeout};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use dingtalk_core::wire::FrameType;

use crate::ack;
use crate::clock::{self, GapDetector};
use crate::connection::{Shared, SocketEvent, Ws, describe_ws_error};
use crate::frame::{self, topic};
use crate::inbound::{
    AckInner, AckSink, Callback, CallbackPayload, CallbackResponder, Event, EventResponder, Inbound, Outbound,
};
use crate::message::{BotMessage, CardCallback, GraphRequest};
use crate::state::{ReconnectReason, inc};

/// Reader and writer of one socket, run concurrently in one task.
pub(crate) async fn run_socket(
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
    let acks = AckSink::new(AckInner {
        generation,
        tx,
        pending,
        metrics: Arc::clone(&shared.metrics),
    });
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
    // The writer first: queued acks leave before more frames are read, so a flood cannot starve the acks.
    let reason = tokio::select! {
        biased;
        reason = writer => reason,
        reason = reader => reason,
    };
    tracing::debug!(generation, %reason, "socket ended");
    let _ = events.send(SocketEvent::Ended(generation, reason));
}

/// The sleep/wake tick (R-LIVE-5) runs at this interval, or at `ping_interval` when shorter.
const SLEEP_CHECK_EVERY: Duration = Duration::from_secs(5);
/// A tick gap must exceed `ping_interval` and this floor to count as a sleep (short test intervals stay quiet
/// under load).
const MIN_SLEEP_GAP: Duration = Duration::from_secs(1);

/// Most frames written before one flush: acks queued together leave in one write, a lone ack at once.
const WRITE_BATCH: usize = 256;

async fn write_loop(
    mut sink: futures_util::stream::SplitSink<Ws, Message>,
    mut prio: mpsc::Receiver<Outbound>,
    mut rx: mpsc::Receiver<Outbound>,
    write_timeout: Duration,
) -> ReconnectReason {
    loop {
        let first = tokio::select! {
            biased;
            Some(m) = prio.recv() => m,
            m = rx.recv() => match m {
                Some(m) => m,
                None => return ReconnectReason::Shutdown,
            },
        };
        let mut next = Some(first);
        let mut written = 0;
        let mut close = false;
        while let Some(out) = next.take() {
            let message = match out {
                Outbound::Text(text) => Message::Text(text.into()),
                Outbound::Ping => Message::Ping(Vec::new().into()),
                Outbound::Close => {
                    close = true;
                    break;
                }
            };
            if !matches!(timeout(write_timeout, sink.feed(message)).await, Ok(Ok(()))) {
                return ReconnectReason::IoError;
            }
            written += 1;
            if written < WRITE_BATCH {
                next = prio.try_recv().ok().or_else(|| rx.try_recv().ok());
            }
        }
        if !matches!(timeout(write_timeout, sink.flush()).await, Ok(Ok(()))) {
            return ReconnectReason::IoError;
        }
        if close {
            let frame = Message::Close(Some(CloseFrame {
                code: CloseCode::Normal,
                reason: "".into(),
            }));
            if !matches!(timeout(write_timeout, sink.send(frame)).await, Ok(Ok(()))) {
                return ReconnectReason::IoError;
            }
            let _ = timeout(write_timeout, sink.close()).await;
            return ReconnectReason::Shutdown;
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
    let mut rotate_at = cfg.max_connection_age.map(|age| start + age);
    // R-LIVE-5: a tick every few seconds; a gap in it means the process did not run (sleep, SIGSTOP).
    let check_every = cfg.ping_interval.min(SLEEP_CHECK_EVERY);
    let mut next_check = start + check_every;
    let mut gaps = GapDetector::new(cfg.clock.reading(), cfg.ping_interval.max(MIN_SLEEP_GAP));
    loop {
        let mut wake = next_ping.min(next_check);
        if let Some(at) = rotate_at {
            wake = wake.min(at);
        }
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
                        last_text_ms.store(shared.ms_since_epoch_at(last_text), Ordering::Relaxed);
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
                if now >= next_check {
                    let late = now.saturating_duration_since(next_check);
                    next_check = now + check_every;
                    if let Some(lost) = gaps.check(cfg.clock.reading(), late) {
                        inc(&shared.metrics.suspends_detected);
                        tracing::warn!(
                            generation,
                            lost = ?lost,
                            "the process did not run for longer than ping_interval (sleep?); probing and replacing the connection"
                        );
                        // Probe now (no frame within pong_timeout drops it) and open a replacement meanwhile.
                        if ping_sent.is_none() && prio.try_send(Outbound::Ping).is_ok() {
                            ping_sent = Some(now);
                            next_ping = now + cfg.ping_interval;
                        }
                        let _ = events.send(SocketEvent::Rotate(generation, ReconnectReason::Suspended));
                        continue;
                    }
                }
                if ping_sent.is_some_and(|sent| now >= sent + cfg.pong_timeout) {
                    tracing::warn!(generation, "no frame within pong_timeout of a ping; dropping the connection");
                    return ReconnectReason::PongTimeout;
                }
                if now >= next_ping {
                    let _ = prio.try_send(Outbound::Ping);
                    ping_sent.get_or_insert(now);
                    next_ping = now + cfg.ping_interval;
                }
                if rotate_at.is_some_and(|at| now >= at) {
                    rotate_at = None;
                    tracing::info!(generation, "max_connection_age reached; rotating");
                    let _ = events.send(SocketEvent::Rotate(generation, ReconnectReason::MaxAge));
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
            bad_frame(shared, generation, &format!("malformed frame skipped: {e}"));
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
            metrics.topic(frame.topic());
            inc(if is_event {
                &metrics.frames_event
            } else {
                &metrics.frames_callback
            });
            let Some(message_id) = frame.message_id() else {
                inc(&metrics.frames_unknown);
                bad_frame(shared, generation, "business frame without messageId skipped");
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
            let message_id: Box<str> = message_id.into();
            // The frame is ours: its headers and data move into the item, nothing is copied.
            let (headers, data) = frame.into_parts();
            let data = data.unwrap_or_default();
            let item = match payload {
                None => Inbound::Event(Event::new(headers, data), EventResponder::new(message_id, acks)),
                Some(Payload::LazyBot) => Inbound::Callback(
                    Callback::lazy_bot(headers, data),
                    CallbackResponder::new(message_id, acks),
                ),
                Some(Payload::Decoded(p)) => Inbound::Callback(
                    Callback::decoded(headers, data, p),
                    CallbackResponder::new(message_id, acks),
                ),
            };
            permit.send(Ok(item));
            None
        }
        other => {
            inc(&metrics.frames_unknown);
            bad_frame(shared, generation, &format!("unknown frame type {other} skipped"));
            None
        }
    }
}

/// Logs a bad frame: at `warn` at most once per [`BAD_FRAME_LOG_EVERY`] (with the count held back since), else
/// at `debug`. A hostile or broken server cannot flood the logs.
fn bad_frame(shared: &Shared, generation: u64, what: &str) {
    let every = crate::state::BAD_FRAME_LOG_EVERY;
    if let Some(suppressed) = shared.metrics.bad_frame_log.allow(clock::now(), every) {
        tracing::warn!(
            generation,
            suppressed,
            "{what} (bad frames log here at most once a minute)"
        );
    } else {
        tracing::debug!(generation, "{what}");
    }
}

/// A callback payload as the reader leaves it.
enum Payload {
    /// A robot message that [`BotMessage::check`] accepted; decoded when the consumer asks.
    LazyBot,
    /// Decoded on arrival.
    Decoded(CallbackPayload),
}

/// Checks or decodes a callback payload by topic; `Err(code)` is the error ack code (400 or 404).
fn decode_callback(shared: &Shared, topic_name: &str, data: &str) -> Result<Payload, u16> {
    Ok(Payload::Decoded(match topic_name {
        topic::BOT_MESSAGE | topic::BOT_DELEGATE => {
            BotMessage::check(data).map_err(|_| 400u16)?;
            return Ok(Payload::LazyBot);
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
    }))
}
