//! Business pushes: connection choice, ack tracking and redelivery.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

use super::frames::{self, FrameSpec};
use crate::config::Distribution;
use crate::model::{InjectMessage, Injected};
use crate::org::Org;
use crate::state::{Conn, ConnCmd, Inner, Push, Sent, Shared};

/// Creates a push and sends it (or queues it); returns `(push_id, messageId if sent)`.
pub(crate) fn push(
    shared: &Shared,
    inner: &mut Inner,
    client_id: &Arc<str>,
    kind: &'static str,
    topic: &Arc<str>,
    data: String,
    extra_headers: Vec<(String, String)>,
) -> (u64, Option<String>) {
    inner.push_counter += 1;
    let id = inner.push_counter;
    inner.pushes.insert(
        id,
        Push {
            client_id: client_id.clone(),
            kind,
            topic: topic.clone(),
            data,
            extra_headers,
            attempts: 0,
            acked: false,
            current_message_id: None,
            generation: 0,
        },
    );
    // Ordered policy: a push never overtakes an earlier one of its route that waits in the queue.
    let held = shared.cfg.stream.ordered_redelivery
        && inner
            .stream_order
            .queued
            .get(&(client_id.clone(), kind, topic.clone()))
            .is_some_and(|n| *n > 0);
    let sent = if held { None } else { send(shared, inner, id) };
    if sent.is_none() {
        enqueue(shared, inner, id);
    }
    (id, sent)
}

/// `(clientId, kind, topic)`: pushes of one route go to the same set of connections.
type Route = (Arc<str>, &'static str, Arc<str>);

fn route(p: &Push) -> Route {
    (p.client_id.clone(), p.kind, p.topic.clone())
}

/// Ordering state of the Stream gateway (see `SandboxBuilder::ordered_redelivery`).
#[derive(Debug, Default)]
pub(crate) struct OrderState {
    /// Pushes waiting in `Inner::queued`, per route.
    queued: HashMap<Route, usize>,
    /// Connections whose unacked pushes were re-queued already.
    lost: HashSet<String>,
}

/// Queues push `id`: at the back, or (ordered policy) in push order, so older pushes go first.
fn enqueue(shared: &Shared, inner: &mut Inner, id: u64) {
    let Some(r) = inner.pushes.get(&id).map(route) else {
        return;
    };
    *inner.stream_order.queued.entry(r).or_default() += 1;
    if shared.cfg.stream.ordered_redelivery {
        let at = inner.queued.partition_point(|q| *q < id);
        inner.queued.insert(at, id);
    } else {
        inner.queued.push_back(id);
    }
}

fn dequeued(inner: &mut Inner, r: &Route) {
    if let Some(n) = inner.stream_order.queued.get_mut(r) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            inner.stream_order.queued.remove(r);
        }
    }
}

/// Sends queued pushes in queue order; a route that cannot be sent keeps its pushes (and their order) queued.
fn flush_queued(shared: &Shared, inner: &mut Inner) {
    let n = inner.queued.len();
    let mut blocked: HashSet<Route> = HashSet::new();
    let mut keep = Vec::new();
    for _ in 0..n {
        let Some(id) = inner.queued.pop_front() else { break };
        let Some((r, acked)) = inner.pushes.get(&id).map(|p| (route(p), p.acked)) else {
            continue;
        };
        if acked {
            dequeued(inner, &r);
            continue;
        }
        if blocked.contains(&r) || send(shared, inner, id).is_none() {
            blocked.insert(r);
            keep.push(id);
        } else {
            dequeued(inner, &r);
        }
    }
    // Nothing was queued meanwhile (the lock is held), so the kept pushes keep their relative order.
    inner.queued.extend(keep);
}

/// Marks a connection whose loss the server does not notice: its unacked pushes wait for the redelivery timer.
pub(crate) fn never_requeue(inner: &mut Inner, conn_id: &str) {
    inner.stream_order.lost.insert(conn_id.to_owned());
}

/// A connection is gone (or going: an abrupt drop or close was ordered). It takes no more pushes; under the
/// ordered policy its unacked pushes are re-queued at once, ahead of newer pushes of their route.
pub(crate) fn connection_lost(shared: &Shared, inner: &mut Inner, conn_id: &str) {
    if let Some(c) = inner.conns.get_mut(conn_id) {
        c.open = false;
    }
    if !shared.cfg.stream.ordered_redelivery || !inner.stream_order.lost.insert(conn_id.to_owned()) {
        return;
    }
    let Inner { pushes, sent, .. } = &*inner;
    let mut stranded: Vec<u64> = pushes
        .iter()
        .filter(|(_, p)| !p.acked)
        .filter(|(_, p)| {
            p.current_message_id
                .as_ref()
                .and_then(|mid| sent.get(mid))
                .is_some_and(|s| s.connection_id == conn_id && s.acked_at.is_none())
        })
        .map(|(id, _)| *id)
        .collect();
    stranded.sort_unstable();
    for id in stranded {
        if let Some(p) = inner.pushes.get_mut(&id) {
            // Invalidates the pending timer; the next send arms a new one.
            p.generation += 1;
            p.attempts += 1;
        }
        inner.redelivered += 1;
        enqueue(shared, inner, id);
    }
    flush_queued(shared, inner);
}

fn choose_connection(
    distribution: Distribution,
    conns: &BTreeMap<String, Conn>,
    rng: &mut StdRng,
    rr_cursor: &mut u64,
    push: &Push,
) -> Option<String> {
    let eligible = |c: &Conn| *c.client_id == *push.client_id && c.accepts(push.kind, &push.topic);
    let n = conns.values().filter(|c| eligible(c)).count();
    if n == 0 {
        return None;
    }
    let idx = match distribution {
        Distribution::RoundRobin => usize::try_from(*rr_cursor % n as u64).unwrap_or(0),
        Distribution::Random => rng.random_range(0..n),
    };
    *rr_cursor = rr_cursor.wrapping_add(1);
    conns
        .iter()
        .filter(|(_, c)| eligible(c))
        .nth(idx)
        .map(|(id, _)| id.clone())
}

/// Sends push `id` on a chosen connection; `None` when no connection can take it.
fn send(shared: &Shared, inner: &mut Inner, id: u64) -> Option<String> {
    let keep = shared.cfg.keep_message_id_on_redelivery;
    let fresh_id = inner.new_message_id();
    let now = shared.clock.now();
    let time_ms = shared.clock.epoch_ms();
    let redelivery_after = inner.redelivery_after;
    let Inner {
        pushes,
        conns,
        rng,
        rr_cursor,
        batch,
        sent,
        due,
        delivered,
        ..
    } = inner;
    let p = pushes.get_mut(&id)?;
    let conn_id = choose_connection(shared.cfg.distribution, conns, rng, rr_cursor, p)?;
    let message_id = match p.current_message_id.take() {
        Some(old) if keep => old,
        _ => fresh_id,
    };
    let app_id = Inner::app(&shared.cfg, &p.client_id).map_or("", |a| a.unified_app_id.as_str());
    let text = frames::encode(&FrameSpec {
        kind: p.kind,
        topic: &p.topic,
        message_id: Some(&message_id),
        app_id: Some(app_id),
        connection_id: Some(&conn_id),
        time_ms,
        extra: &p.extra_headers,
        data: &p.data,
    });
    p.current_message_id = Some(message_id.clone());
    let attempt = p.attempts;
    p.generation += 1;
    let generation = p.generation;
    let conn = conns.get_mut(&conn_id)?;
    if let Some(batch) = batch.as_mut() {
        batch
            .entry(conn_id.clone())
            .or_default()
            .push(Utf8Bytes::from(text));
    } else if conn.tx.send(ConnCmd::Text(Utf8Bytes::from(text))).is_err() {
        conn.open = false;
        return None;
    }
    conn.delivered += 1;
    *delivered += 1;
    sent.insert(
        message_id.clone(),
        Sent {
            push_id: id,
            attempt,
            connection_id: conn_id,
            pushed_at: now,
            acked_at: None,
            ack_code: None,
            ack_data: None,
        },
    );
    let after = match shared.cfg.stream.early_redelivery {
        Some(early) if attempt == 0 => early,
        _ => redelivery_after,
    };
    due.push(Reverse((crate::clock::later(now, after), id, generation)));
    Some(message_id)
}

/// Sends the frames collected while `inner.batch` was set, one channel message per connection.
pub(crate) fn flush_batch(inner: &mut Inner) {
    let Some(batch) = inner.batch.take() else { return };
    for (conn_id, frames) in batch {
        if let Some(conn) = inner.conns.get_mut(&conn_id)
            && conn.tx.send(ConnCmd::Batch(frames)).is_err()
        {
            conn.open = false;
        }
    }
}

/// Redelivers due pushes and flushes queued ones. Called periodically.
pub(crate) fn tick(shared: &Shared) {
    let mut inner = shared.lock();
    let now = shared.clock.now();
    let max = shared.cfg.max_redeliveries;
    while let Some(Reverse((due, id, generation))) = inner.due.peek().copied() {
        if due > now {
            break;
        }
        inner.due.pop();
        let Some(p) = inner.pushes.get_mut(&id) else {
            continue;
        };
        if p.acked || p.generation != generation || p.attempts >= max {
            continue;
        }
        p.attempts += 1;
        let r = route(p);
        inner.redelivered += 1;
        let held = shared.cfg.stream.ordered_redelivery && inner.stream_order.queued.contains_key(&r);
        if held || send(shared, &mut inner, id).is_none() {
            enqueue(shared, &mut inner, id);
        }
    }
    flush_queued(shared, &mut inner);
}

/// Processes a client → server text frame that is not a ping ack.
pub(crate) fn on_ack(shared: &Shared, conn_id: &str, frame: &frames::AckFrame<'_>) {
    let mut inner = shared.lock();
    let now = shared.clock.now();
    let Some(message_id) = frame.message_id() else {
        inner
            .violations
            .push(format!("ack without headers.messageId on {conn_id}"));
        return;
    };
    let code = frame.code();
    if code.is_none() {
        inner
            .violations
            .push(format!("ack {message_id}: code is not a number"));
    }
    let data_text = frame.data_str();
    // Validate cheaply; build a `Value` only when the content matters (EVENT status, card responses).
    let data_ok = data_text.is_some_and(|d| serde_json::from_str::<serde::de::IgnoredAny>(d).is_ok());
    if !data_ok {
        inner
            .violations
            .push(format!("ack {message_id}: data is not a string holding JSON"));
    }
    let Some(sent) = inner.sent.get_mut(message_id) else {
        inner
            .violations
            .push(format!("ack for unknown messageId {message_id}"));
        return;
    };
    let mut violations = Vec::new();
    if sent.connection_id != conn_id {
        violations.push(format!("ack {message_id} on the wrong connection"));
    }
    if sent.acked_at.is_some() {
        violations.push(format!("duplicate ack {message_id}"));
        inner.violations.extend(violations);
        return;
    }
    sent.acked_at = Some(now);
    sent.ack_code = code;
    sent.ack_data = data_text.map(str::to_owned);
    let latency = now.saturating_duration_since(sent.pushed_at);
    let push_id = sent.push_id;
    let sent_conn = sent.connection_id.clone();
    inner.acked += 1;
    inner
        .latencies_us
        .push(u64::try_from(latency.as_micros()).unwrap_or(u64::MAX));
    if let Some(c) = inner.conns.get_mut(&sent_conn) {
        c.acked += 1;
    }
    let needs_value = inner.pushes.get(&push_id).is_some_and(|p| p.kind == "EVENT")
        || inner.callback_waiters.contains_key(&push_id);
    let data: Option<Value> = if needs_value {
        data_text.and_then(|d| serde_json::from_str(d).ok())
    } else {
        None
    };
    let mut later = false;
    if let Some(p) = inner.pushes.get_mut(&push_id) {
        if p.kind == "EVENT" {
            match data
                .as_ref()
                .and_then(|d| d.get("status"))
                .and_then(Value::as_str)
            {
                Some("SUCCESS") => p.acked = true,
                Some("LATER") => later = true,
                _ => violations.push(format!(
                    "EVENT ack {message_id}: data.status is not SUCCESS or LATER"
                )),
            }
            if code != Some(200) {
                later = true;
            }
            if later {
                p.acked = false;
                p.generation += 1;
                let generation = p.generation;
                inner.due.push(Reverse((now, push_id, generation)));
            } else if data.as_ref().and_then(|d| d.get("status")).is_none() {
                p.acked = true;
            }
        } else {
            p.acked = true;
        }
    }
    inner.violations.extend(violations);
    spontaneous_duplicate(shared, &mut inner, push_id);
    if let Some(waiter) = inner.callback_waiters.remove(&push_id) {
        let response = data
            .as_ref()
            .and_then(|d| d.get("response"))
            .cloned()
            .unwrap_or(Value::Null);
        let _ = waiter.send(response);
    }
}

/// The spontaneous-duplicate switch: pushes an acked push once more (same `data`, new `messageId`).
fn spontaneous_duplicate(shared: &Shared, inner: &mut Inner, push_id: u64) {
    let Some(every) = shared.cfg.stream.spontaneous_duplicate_every else {
        return;
    };
    let Some(p) = inner.pushes.get_mut(&push_id) else {
        return;
    };
    if !p.acked || p.attempts != 0 || !push_id.is_multiple_of(every) {
        return;
    }
    p.attempts += 1;
    inner.redelivered += 1;
    // Sent like a redelivery; if no connection takes it now, the duplicate is simply not sent.
    let _ = send(shared, inner, push_id);
}

/// Builds and pushes an inbound bot message.
#[expect(clippy::too_many_lines, reason = "one flat payload builder reads best whole")]
pub(crate) fn inject_message(shared: &Shared, msg: &InjectMessage) -> Result<Injected, (String, String)> {
    let client_id = msg.client_id.clone().unwrap_or_else(|| shared.demo_client_id());
    let Some(app) = Inner::app(&shared.cfg, &client_id) else {
        return Err((
            "invalidParameter.clientId".into(),
            format!("unknown app {client_id}"),
        ));
    };
    let Some(sender) = shared.org.user(&msg.sender_staff_id) else {
        return Err((
            "invalidParameter.senderStaffId".into(),
            "unknown senderStaffId".into(),
        ));
    };
    let group = match msg.conversation_type.as_str() {
        "1" => None,
        "2" => {
            let cid = msg.open_conversation_id.as_deref().unwrap_or_default();
            match shared.org.group(cid) {
                Some(g) => Some(g),
                None => {
                    return Err((
                        "invalid.openConversationId".into(),
                        "unknown openConversationId".into(),
                    ));
                }
            }
        }
        _ => {
            return Err((
                "invalidParameter.conversationType".into(),
                "conversationType must be \"1\" or \"2\"".into(),
            ));
        }
    };
    let mut inner = shared.lock();
    let msg_id = format!("msg{}==", inner.new_id("Sbx"));
    let session = inner.new_id("");
    let create_at = shared.clock.epoch_ms();
    let ttl_ms = u64::try_from(shared.cfg.session_webhook_ttl.as_millis()).unwrap_or(u64::MAX);
    let expires = create_at.saturating_add(ttl_ms);
    let conversation_id = group.map_or_else(
        || Org::single_conversation_id(&sender.user_id),
        |g| g.open_conversation_id.clone(),
    );
    let webhook = format!("{}/robot/sendBySession?session={session}", shared.base_url);
    let msgtype = msg.msgtype.clone().unwrap_or_else(|| "text".into());
    let chatbot_user_id = format!("$:LWCP_v1:$robot{}", app.robot_code);
    let mut data = json!({
        "msgId": msg_id,
        "msgtype": msgtype,
        "createAt": create_at,
        "conversationId": conversation_id,
        "conversationType": msg.conversation_type,
        "senderId": sender.sender_id,
        "senderNick": sender.name,
        "senderStaffId": sender.user_id,
        "senderCorpId": shared.org.corp_id,
        "isAdmin": sender.is_admin,
        "chatbotUserId": chatbot_user_id,
        "chatbotCorpId": shared.org.corp_id,
        "robotCode": app.robot_code,
        "sessionWebhook": webhook,
        "sessionWebhookExpiredTime": expires,
    });
    if let (Some(g), Value::Object(map)) = (group, &mut data) {
        map.insert("conversationTitle".into(), json!(g.title));
        let at = msg.at_bot.unwrap_or(true);
        map.insert("isInAtList".into(), json!(at));
        map.insert(
            "atUsers".into(),
            if at {
                json!([{"dingtalkId": chatbot_user_id}])
            } else {
                json!([])
            },
        );
    }
    if let Value::Object(map) = &mut data {
        if msgtype == "text" {
            let mut text = msg.text.clone().unwrap_or_default();
            if group.is_some() && !text.starts_with(' ') {
                text.insert(0, ' ');
            }
            let mut body = json!({"content": text});
            // Extra members of `text` (a quoted reply's `isReplyMsg` and `repliedMsg`) come from `content`;
            // `originalProcessQueryKey` (a quoted card's delivery carrier) goes to the top level, as DingTalk sends it.
            if let (Some(Value::Object(extra)), Value::Object(b)) = (&msg.content, &mut body) {
                for (k, v) in extra {
                    if k == "originalProcessQueryKey" {
                        map.insert(k.clone(), v.clone());
                    } else if k != "content" {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
            map.insert("text".into(), body);
        } else {
            let mut content = msg.content.clone().unwrap_or_else(|| json!({}));
            if let Value::Object(c) = &mut content
                && matches!(msgtype.as_str(), "picture" | "audio" | "video" | "file")
                && !c.contains_key("downloadCode")
            {
                let code = inner.new_id("dlc");
                inner
                    .download_codes
                    .insert(code.clone(), (client_id.clone(), sample_bytes(&msgtype)));
                c.insert("downloadCode".into(), json!(code));
            }
            map.insert("content".into(), content);
        }
    }
    inner.sessions.insert(
        session,
        crate::state::Session {
            client_id: client_id.clone(),
            conversation_id: conversation_id.clone(),
            sender_staff_id: sender.user_id.clone(),
            expires_at_ms: expires,
        },
    );
    inner.inbound_msg_ids.insert(msg_id.clone(), conversation_id);
    let (push_id, message_id) = push(
        shared,
        &mut inner,
        &Arc::from(client_id.as_str()),
        "CALLBACK",
        &Arc::from(super::BOT_TOPIC),
        data.to_string(),
        Vec::new(),
    );
    let delivered = message_id.is_some();
    Ok(Injected {
        msg_id,
        message_id: message_id.unwrap_or_else(|| format!("queued-{push_id}")),
        delivered,
        session_webhook: webhook,
    })
}

fn sample_bytes(msgtype: &str) -> Vec<u8> {
    format!("sandbox {msgtype} bytes").into_bytes()
}

/// The tick period of the redelivery loop.
pub(crate) fn tick_period(redelivery_after: Duration) -> Duration {
    (redelivery_after / 10).clamp(Duration::from_millis(5), Duration::from_millis(200))
}
