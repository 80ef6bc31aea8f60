//! One task per WebSocket connection: writes frames, reads acks, pings, applies socket faults.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::SinkExt;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::frames;
use crate::state::{Conn, ConnCmd, Shared};

const BATCH: usize = 256;

/// Runs a connection until it closes or the sandbox stops.
#[expect(clippy::too_many_lines, reason = "one select loop owns the socket")]
pub(crate) async fn run(
    shared: Arc<Shared>,
    mut socket: WebSocket,
    client_id: String,
    topics: Vec<(String, String)>,
) {
    let (tx, mut rx) = mpsc::unbounded_channel();
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
    let mut shutdown = shared.shutdown.subscribe();
    if shared.cfg.send_connected {
        let f = frames::system("CONNECTED", None, shared.clock.epoch_ms(), "{}");
        let _ = socket.send(Message::Text(f.into())).await;
    }
    if shared.cfg.send_registered {
        let f = frames::system("REGISTERED", None, shared.clock.epoch_ms(), "{}");
        let _ = socket.send(Message::Text(f.into())).await;
    }
    super::delivery::tick(&shared);
    let ping_every = shared
        .cfg
        .server_ping_interval
        .unwrap_or(Duration::from_hours(8760))
        .max(Duration::from_millis(1));
    let mut ping = tokio::time::interval_at(crate::clock::deadline(ping_every), ping_every);
    let mut pings: HashSet<String> = HashSet::new();
    let mut zombie = false;
    let mut close_at: Option<tokio::time::Instant> = None;
    let mut age_at = shared.cfg.max_connection_age.map(crate::clock::deadline);
    let far = Duration::from_hours(8760);
    let mut clean_close = true;
    loop {
        let close_sleep = tokio::time::sleep_until(close_at.unwrap_or_else(|| crate::clock::deadline(far)));
        let age_sleep = tokio::time::sleep_until(age_at.unwrap_or_else(|| crate::clock::deadline(far)));
        tokio::select! {
            _ = shutdown.changed() => break,
            () = close_sleep, if close_at.is_some() => break,
            () = age_sleep, if age_at.is_some() && close_at.is_none() && !zombie => {
                age_at = None;
                let cmd = ConnCmd::Disconnect("persistent connection is timeout".into());
                if !apply(&shared, &conn_id, &mut socket, cmd, &mut zombie, &mut pings, &mut close_at, &mut clean_close).await { break; }
            }
            cmd = rx.recv() => {
                let Some(cmd) = cmd else { break };
                if zombie { continue; }
                let mut pending = Some(cmd);
                let mut wrote = false;
                let mut stop = false;
                let mut n = 0;
                while let Some(cmd) = pending.take() {
                    match cmd {
                        ConnCmd::Text(t) => {
                            n += 1;
                            wrote = true;
                            if socket.feed(Message::Text(t)).await.is_err() { clean_close = false; stop = true; break; }
                        }
                        ConnCmd::Batch(frames) => {
                            n += frames.len();
                            wrote = true;
                            for t in frames {
                                if socket.feed(Message::Text(t)).await.is_err() { clean_close = false; stop = true; break; }
                            }
                            if stop { break; }
                        }
                        other => {
                            if !apply(&shared, &conn_id, &mut socket, other, &mut zombie, &mut pings, &mut close_at, &mut clean_close).await { stop = true; break; }
                        }
                    }
                    if n < BATCH && !zombie {
                        pending = rx.try_recv().ok();
                    }
                }
                if stop { break; }
                if wrote && socket.flush().await.is_err() { clean_close = false; break; }
            }
            msg = socket.recv(), if !zombie => {
                match msg {
                    Some(Ok(Message::Text(text))) => on_text(&shared, &conn_id, &text, &mut pings),
                    None | Some(Ok(Message::Close(_)) | Err(_)) => break,
                    Some(Ok(_)) => {}
                }
            }
            _ = ping.tick(), if !zombie && shared.cfg.server_ping_interval.is_some() => {
                if let Some(max) = shared.cfg.close_after_missed_pings {
                    let missed = pings.iter().filter(|id| id.starts_with('p')).count();
                    if missed >= max as usize {
                        shared.lock().violations.push(format!("{missed} ping acks missing on {conn_id}; closing"));
                        clean_close = false;
                        break;
                    }
                }
                let (mid, opaque) = {
                    let mut inner = shared.lock();
                    (format!("p{}", inner.new_message_id()), uuid::Uuid::new_v4().to_string())
                };
                let data = json!({"opaque": opaque}).to_string();
                let f = frames::system("ping", Some(&mid), shared.clock.epoch_ms(), &data);
                pings.insert(mid);
                if socket.send(Message::Text(f.into())).await.is_err() { break; }
            }
        }
    }
    if clean_close && close_at.is_some() {
        let _ = socket
            .send(Message::Close(Some(CloseFrame {
                code: 1000,
                reason: Utf8Bytes::from_static("disconnect"),
            })))
            .await;
    }
    drop(socket);
    let mut inner = shared.lock();
    if let Some(c) = inner.conns.get_mut(&conn_id) {
        c.open = false;
    }
    tracing::debug!(connection_id = %conn_id, "stream connection closed");
}

/// Applies a non-text command; returns false when the loop must end.
#[expect(
    clippy::too_many_arguments,
    reason = "the loop state of run, borrowed piecewise"
)]
async fn apply(
    shared: &Shared,
    conn_id: &str,
    socket: &mut WebSocket,
    cmd: ConnCmd,
    zombie: &mut bool,
    sys_ids: &mut HashSet<String>,
    close_at: &mut Option<tokio::time::Instant>,
    clean_close: &mut bool,
) -> bool {
    match cmd {
        ConnCmd::Text(t) => socket.send(Message::Text(t)).await.is_ok(),
        ConnCmd::Batch(frames) => {
            for t in frames {
                if socket.feed(Message::Text(t)).await.is_err() {
                    return false;
                }
            }
            socket.flush().await.is_ok()
        }
        ConnCmd::Binary(b) => socket.send(Message::Binary(b.into())).await.is_ok(),
        ConnCmd::Disconnect(reason) => {
            let mid = shared.lock().new_message_id();
            let data = json!({"reason": reason}).to_string();
            let f = frames::system("disconnect", Some(&mid), shared.clock.epoch_ms(), &data);
            sys_ids.insert(mid);
            if let Some(c) = shared.lock().conns.get_mut(conn_id) {
                c.disconnected = true;
            }
            *close_at = Some(crate::clock::deadline(shared.cfg.disconnect_close_after));
            socket.send(Message::Text(f.into())).await.is_ok()
        }
        ConnCmd::Close(code) => {
            let _ = socket
                .send(Message::Close(Some(CloseFrame {
                    code,
                    reason: Utf8Bytes::from_static("sandbox"),
                })))
                .await;
            *clean_close = false;
            false
        }
        ConnCmd::Drop => {
            *clean_close = false;
            false
        }
        ConnCmd::Zombie => {
            *zombie = true;
            true
        }
    }
}

fn on_text(shared: &Shared, conn_id: &str, text: &str, pings: &mut HashSet<String>) {
    let Ok(frame) = serde_json::from_str::<frames::AckFrame<'_>>(text) else {
        shared
            .lock()
            .violations
            .push(format!("undecodable frame from {conn_id}"));
        return;
    };
    let mid = frame.message_id().unwrap_or_default();
    if pings.remove(mid) {
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
