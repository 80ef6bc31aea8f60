//! One task per WebSocket connection. Its reader and writer run as two concurrent futures, so acks keep being read
//! while a slow client makes writes wait (no read/write deadlock under floods).

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc};

use super::frames;
use crate::state::{Conn, ConnCmd, Shared};

const BATCH: usize = 256;
const FAR: Duration = Duration::from_hours(8760);

type Sink = SplitSink<WebSocket, Message>;

/// State shared by the reader and the writer of one connection.
struct Link {
    conn_id: String,
    /// Outstanding SYSTEM frame ids (pings start with `p`).
    system_ids: Mutex<HashSet<String>>,
    zombie: AtomicBool,
    zombie_now: Notify,
    /// A stale-channel drop: the socket is gone, the server has not noticed.
    stale: AtomicBool,
}

/// Runs a connection until it closes or the sandbox stops.
pub(crate) async fn run(
    shared: Arc<Shared>,
    socket: WebSocket,
    client_id: String,
    topics: Vec<(String, String)>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let conn_id = {
        let mut inner = shared.lock();
        inner.conn_counter += 1;
        let order = inner.conn_counter;
        let id = uuid::Uuid::new_v4().to_string();
        inner.conns.insert(
            id.clone(),
            Conn {
                client_id,
                topics,
                tx,
                open: true,
                disconnected: false,
                silent: false,
                delivered: 0,
                acked: 0,
                ping_acks: 0,
                order,
            },
        );
        id
    };
    tracing::debug!(connection_id = %conn_id, "stream connection opened");
    let link = Link {
        conn_id: conn_id.clone(),
        system_ids: Mutex::new(HashSet::new()),
        zombie: AtomicBool::new(false),
        zombie_now: Notify::new(),
        stale: AtomicBool::new(false),
    };
    let (sink, stream) = socket.split();
    let mut shutdown = shared.shutdown.subscribe();
    let mut rx = rx;
    tokio::select! {
        _ = shutdown.changed() => {}
        () = read_loop(&shared, &link, stream) => {}
        () = write_loop(&shared, &link, sink, &mut rx) => {}
    }
    // The socket halves are dropped by now. A stale channel keeps swallowing pushes for its window.
    if let Some(window) = shared
        .cfg
        .stream
        .stale_channel
        .filter(|_| link.stale.load(Ordering::Relaxed))
    {
        let swallow = async { while rx.recv().await.is_some() {} };
        tokio::select! {
            _ = shutdown.changed() => {}
            _ = tokio::time::timeout(window, swallow) => {}
        }
    }
    super::delivery::connection_lost(&shared, &mut shared.lock(), &conn_id);
    tracing::debug!(connection_id = %conn_id, "stream connection closed");
}

async fn read_loop(shared: &Shared, link: &Link, mut stream: SplitStream<WebSocket>) {
    loop {
        if link.zombie.load(Ordering::Relaxed) {
            // A zombie reads nothing more (so it answers no WebSocket pings either) until it is dropped.
            std::future::pending::<()>().await;
        }
        let msg = tokio::select! {
            msg = stream.next() => msg,
            () = link.zombie_now.notified() => continue,
        };
        match msg {
            Some(Ok(Message::Text(text))) => on_text(shared, link, &text),
            None | Some(Ok(Message::Close(_)) | Err(_)) => return,
            Some(Ok(_)) => {}
        }
    }
}

/// Mutable state of the writer.
struct Writer {
    sink: Sink,
    close_at: Option<tokio::time::Instant>,
    clean_close: bool,
}

async fn write_loop(shared: &Shared, link: &Link, sink: Sink, rx: &mut mpsc::UnboundedReceiver<ConnCmd>) {
    let mut w = Writer {
        sink,
        close_at: None,
        clean_close: true,
    };
    if shared.cfg.send_connected {
        let f = frames::system("CONNECTED", None, shared.clock.epoch_ms(), "{}");
        let _ = w.sink.send(Message::Text(f.into())).await;
    }
    if shared.cfg.send_registered {
        let f = frames::system("REGISTERED", None, shared.clock.epoch_ms(), "{}");
        let _ = w.sink.send(Message::Text(f.into())).await;
    }
    super::delivery::tick(shared);
    let ping_every = shared
        .cfg
        .server_ping_interval
        .unwrap_or(FAR)
        .max(Duration::from_millis(1));
    let mut ping = tokio::time::interval_at(crate::clock::deadline(ping_every), ping_every);
    let mut age_at = shared.cfg.max_connection_age.map(crate::clock::deadline);
    loop {
        let zombie = link.zombie.load(Ordering::Relaxed);
        let close_sleep = tokio::time::sleep_until(w.close_at.unwrap_or_else(|| crate::clock::deadline(FAR)));
        let age_sleep = tokio::time::sleep_until(age_at.unwrap_or_else(|| crate::clock::deadline(FAR)));
        tokio::select! {
            () = close_sleep, if w.close_at.is_some() => break,
            () = age_sleep, if age_at.is_some() && w.close_at.is_none() && !zombie => {
                age_at = None;
                let cmd = ConnCmd::Disconnect("persistent connection is timeout".into());
                if !apply(shared, link, &mut w, cmd).await { break; }
            }
            cmd = rx.recv() => {
                let Some(cmd) = cmd else { break };
                if zombie && !matches!(cmd, ConnCmd::Drop | ConnCmd::Close(_)) {
                    continue;
                }
                let mut pending = Some(cmd);
                let mut wrote = false;
                let mut stop = false;
                let mut n = 0;
                while let Some(cmd) = pending.take() {
                    match cmd {
                        ConnCmd::Text(t) => {
                            n += 1;
                            wrote = true;
                            if w.sink.feed(Message::Text(t)).await.is_err() { w.clean_close = false; stop = true; break; }
                        }
                        ConnCmd::Batch(frames) => {
                            n += frames.len();
                            wrote = true;
                            for t in frames {
                                if w.sink.feed(Message::Text(t)).await.is_err() { w.clean_close = false; stop = true; break; }
                            }
                            if stop { break; }
                        }
                        other => {
                            if !apply(shared, link, &mut w, other).await { stop = true; break; }
                        }
                    }
                    if n < BATCH && !link.zombie.load(Ordering::Relaxed) {
                        pending = rx.try_recv().ok();
                    }
                }
                if stop { break; }
                if wrote && w.sink.flush().await.is_err() { w.clean_close = false; break; }
            }
            _ = ping.tick(), if !zombie && shared.cfg.server_ping_interval.is_some() => {
                if let Some(max) = shared.cfg.close_after_missed_pings {
                    let missed = lock(&link.system_ids).iter().filter(|id| id.starts_with('p')).count();
                    if missed >= max as usize {
                        shared.lock().violations.push(format!("{missed} ping acks missing on {}; closing", link.conn_id));
                        w.clean_close = false;
                        break;
                    }
                }
                let (mid, opaque) = {
                    let mut inner = shared.lock();
                    (format!("p{}", inner.new_message_id()), uuid::Uuid::new_v4().to_string())
                };
                let data = json!({"opaque": opaque}).to_string();
                let f = frames::system("ping", Some(&mid), shared.clock.epoch_ms(), &data);
                lock(&link.system_ids).insert(mid);
                if w.sink.send(Message::Text(f.into())).await.is_err() { break; }
            }
        }
    }
    if w.clean_close && w.close_at.is_some() {
        let close = CloseFrame {
            code: 1000,
            reason: Utf8Bytes::from_static("disconnect"),
        };
        let _ = w.sink.send(Message::Close(Some(close))).await;
    }
}

fn lock(m: &Mutex<HashSet<String>>) -> std::sync::MutexGuard<'_, HashSet<String>> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Applies a non-text command; returns false when the connection must end.
async fn apply(shared: &Shared, link: &Link, w: &mut Writer, cmd: ConnCmd) -> bool {
    match cmd {
        ConnCmd::Text(t) => w.sink.send(Message::Text(t)).await.is_ok(),
        ConnCmd::Batch(frames) => {
            for t in frames {
                if w.sink.feed(Message::Text(t)).await.is_err() {
                    return false;
                }
            }
            w.sink.flush().await.is_ok()
        }
        ConnCmd::Binary(b) => w.sink.send(Message::Binary(b.into())).await.is_ok(),
        ConnCmd::Disconnect(reason) => {
            let mid = shared.lock().new_message_id();
            let data = json!({"reason": reason}).to_string();
            let f = frames::system("disconnect", Some(&mid), shared.clock.epoch_ms(), &data);
            lock(&link.system_ids).insert(mid);
            if let Some(c) = shared.lock().conns.get_mut(&link.conn_id) {
                c.disconnected = true;
            }
            w.close_at = Some(crate::clock::deadline(shared.cfg.disconnect_close_after));
            w.sink.send(Message::Text(f.into())).await.is_ok()
        }
        ConnCmd::Close(code) => {
            let close = CloseFrame {
                code,
                reason: Utf8Bytes::from_static("sandbox"),
            };
            super::delivery::connection_lost(shared, &mut shared.lock(), &link.conn_id);
            let _ = w.sink.send(Message::Close(Some(close))).await;
            w.clean_close = false;
            false
        }
        ConnCmd::Drop if shared.cfg.stream.stale_channel.is_some() => {
            // A simulated client network loss: the server keeps routing here and never re-queues.
            link.stale.store(true, Ordering::Relaxed);
            super::delivery::never_requeue(&mut shared.lock(), &link.conn_id);
            w.clean_close = false;
            false
        }
        ConnCmd::Drop => {
            // The server drops the socket itself, so it knows at once (a TCP-aware server).
            super::delivery::connection_lost(shared, &mut shared.lock(), &link.conn_id);
            w.clean_close = false;
            false
        }
        ConnCmd::Zombie => {
            link.zombie.store(true, Ordering::Relaxed);
            link.zombie_now.notify_one();
            true
        }
    }
}

fn on_text(shared: &Shared, link: &Link, text: &str) {
    let conn_id = link.conn_id.as_str();
    let Ok(frame) = serde_json::from_str::<frames::AckFrame<'_>>(text) else {
        shared
            .lock()
            .violations
            .push(format!("undecodable frame from {conn_id}"));
        return;
    };
    let mid = frame.message_id().unwrap_or_default();
    if lock(&link.system_ids).remove(mid) {
        if !mid.starts_with('p') {
            return;
        }
        let mut inner = shared.lock();
        if frame.code() != Some(200) {
            inner.violations.push(format!("ping ack {mid}: code is not 200"));
        }
        let opaque_ok = frame
            .data_str()
            .and_then(|d| serde_json::from_str::<Value>(d).ok())
            .is_some_and(|d| d.get("opaque").is_some());
        if !opaque_ok {
            inner
                .violations
                .push(format!("ping ack {mid}: opaque not echoed"));
        }
        if let Some(c) = inner.conns.get_mut(conn_id) {
            c.ping_acks += 1;
        }
        return;
    }
    super::delivery::on_ack(shared, conn_id, &frame);
}
