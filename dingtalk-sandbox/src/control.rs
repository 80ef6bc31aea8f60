//! The JSON control API under `/_sandbox` and the functions the Rust handle shares with it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::envelope;
use crate::handle::ControlError;
use crate::model::{
    Burst, CardCallbackResult, CardView, FaultRule, InjectCardCallback, InjectEvent, InjectMessage,
    OutboxEntry, PushRecord, SocketFault, Stats,
};
use crate::state::{ConnCmd, Inner, Shared};
use crate::stream::{self, delivery, frames};

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/_sandbox/health",
            get(|| async { envelope::ok(&json!({"status": "ok"})) }),
        )
        .route("/_sandbox/org", get(org))
        .route("/_sandbox/messages", post(post_message))
        .route("/_sandbox/outbox", get(get_outbox))
        .route("/_sandbox/cards", get(get_cards))
        .route("/_sandbox/cards/{id}", get(get_card))
        .route("/_sandbox/stats", get(get_stats))
        .route("/_sandbox/pushes", get(get_pushes))
        .route("/_sandbox/requests", get(get_requests))
        .route("/_sandbox/faults", post(post_faults).get(get_faults))
        .route("/_sandbox/socket-faults", post(post_socket_fault))
        .route("/_sandbox/burst", post(post_burst))
        .route("/_sandbox/reset", post(post_reset))
        .route("/_sandbox/clock", post(post_clock))
        .route("/_sandbox/tokens/expire", post(post_expire_tokens))
        .route("/_sandbox/card-callbacks", post(post_card_callback))
        .route("/_sandbox/events", post(post_event))
        .merge(crate::admin::router())
}

fn control_error(err: &ControlError) -> Response {
    envelope::api_error(StatusCode::BAD_REQUEST, err.code(), err.message())
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(body)
        .map_err(|e| envelope::api_error(StatusCode::BAD_REQUEST, "invalidParameter.body", &e.to_string()))
}

fn to_json<T: Serialize>(value: &T) -> Response {
    envelope::ok(&serde_json::to_value(value).unwrap_or(Value::Null))
}

async fn org(State(shared): State<Arc<Shared>>) -> Response {
    let apps: Vec<Value> = shared
        .cfg
        .apps
        .iter()
        .map(|a| json!({"clientId": a.client_id, "robotCode": a.robot_code, "agentId": a.agent_id, "appId": a.unified_app_id}))
        .collect();
    envelope::ok(&json!({"org": shared.org, "apps": apps}))
}

async fn post_message(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let msg: InjectMessage = match parse(&body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    match delivery::inject_message(&shared, &msg) {
        Ok(injected) => to_json(&injected),
        Err((code, message)) => envelope::api_error(StatusCode::BAD_REQUEST, &code, &message),
    }
}

pub(crate) fn requests(shared: &Shared, since: u64) -> Vec<crate::model::RequestRecord> {
    shared
        .lock()
        .requests
        .iter()
        .filter(|r| r.seq > since)
        .cloned()
        .collect()
}

async fn get_requests(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let since = q.get("since").and_then(|s| s.parse().ok()).unwrap_or(0);
    to_json(&json!({"requests": requests(&shared, since)}))
}

pub(crate) fn outbox(shared: &Shared, since: u64) -> Vec<OutboxEntry> {
    shared
        .lock()
        .outbox
        .iter()
        .filter(|e| e.seq > since)
        .cloned()
        .collect()
}

async fn get_outbox(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Response {
    let since = q.get("since").and_then(|s| s.parse().ok()).unwrap_or(0);
    to_json(&json!({"messages": outbox(&shared, since)}))
}

pub(crate) fn cards(shared: &Shared) -> Vec<CardView> {
    let inner = shared.lock();
    inner
        .cards
        .values()
        .map(|c| crate::cards::view(c, &inner.templates))
        .collect()
}

pub(crate) fn card(shared: &Shared, id: &str) -> Option<CardView> {
    let inner = shared.lock();
    inner
        .cards
        .get(id)
        .map(|c| crate::cards::view(c, &inner.templates))
}

async fn get_cards(State(shared): State<Arc<Shared>>) -> Response {
    to_json(&json!({"cards": cards(&shared)}))
}

async fn get_card(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match card(&shared, &id) {
        Some(c) => to_json(&c),
        None => envelope::api_error(StatusCode::NOT_FOUND, "cardNotExist", "card not found"),
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    #[expect(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "index math"
    )]
    let idx = (((sorted.len() - 1) as f64) * p).round() as usize;
    #[expect(clippy::cast_precision_loss, reason = "microseconds fit")]
    let v = sorted[idx.min(sorted.len() - 1)] as f64;
    v / 1000.0
}

pub(crate) fn pushes(shared: &Shared) -> Vec<PushRecord> {
    let inner = shared.lock();
    let mut out: Vec<(u64, PushRecord)> = inner
        .sent
        .iter()
        .filter_map(|(mid, s)| {
            let p = inner.pushes.get(&s.push_id)?;
            let latency = s.acked_at.map(|a| {
                #[expect(clippy::cast_precision_loss, reason = "microseconds fit")]
                let us = a.saturating_duration_since(s.pushed_at).as_micros() as f64;
                us / 1000.0
            });
            Some((
                s.push_id,
                PushRecord {
                    message_id: mid.clone(),
                    connection_id: s.connection_id.clone(),
                    kind: p.kind.to_owned(),
                    topic: p.topic.to_string(),
                    attempt: s.attempt,
                    acked: s.acked_at.is_some(),
                    ack_code: s.ack_code,
                    ack_data: s.ack_data.clone(),
                    ack_latency_ms: latency,
                    data: p.data.clone(),
                },
            ))
        })
        .collect();
    out.sort_by_key(|(id, r)| (*id, r.attempt));
    out.into_iter().map(|(_, r)| r).collect()
}

async fn get_pushes(State(shared): State<Arc<Shared>>) -> Response {
    to_json(&json!({"pushes": pushes(&shared)}))
}

pub(crate) fn stats(shared: &Shared) -> Stats {
    let inner = shared.lock();
    let mut lat = inner.latencies_us.clone();
    lat.sort_unstable();
    let mut conns: Vec<_> = inner.conns.iter().collect();
    conns.sort_by_key(|(_, c)| c.order);
    Stats {
        connections: conns
            .into_iter()
            .map(|(id, c)| crate::model::ConnectionStats {
                connection_id: id.clone(),
                client_id: c.client_id.clone(),
                open: c.open,
                disconnected: c.disconnected,
                delivered: c.delivered,
                acked: c.acked,
                ping_acks: c.ping_acks,
            })
            .collect(),
        delivered: inner.delivered,
        acked: inner.acked,
        redelivered: inner.redelivered,
        queued: inner.queued.len() as u64,
        ack_latency_p50_ms: percentile(&lat, 0.5),
        ack_latency_p99_ms: percentile(&lat, 0.99),
        violations: inner.violations.clone(),
    }
}

async fn get_stats(State(shared): State<Arc<Shared>>) -> Response {
    to_json(&stats(&shared))
}

async fn post_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let map = match envelope::parse_object(envelope::Host::New, &body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    match envelope::opt_str(&map, "action") {
        Some("clear") => {
            shared.lock().faults.clear();
            envelope::ok(&json!({"success": true}))
        }
        Some("set") => {
            let mut rule_map = map.clone();
            rule_map.remove("action");
            if let Some(ms) = map.get("redeliveryAfterMs").and_then(Value::as_u64) {
                shared.lock().redelivery_after = Duration::from_millis(ms);
                if !rule_map.contains_key("kind") {
                    return envelope::ok(&json!({"success": true}));
                }
                rule_map.remove("redeliveryAfterMs");
            }
            match serde_json::from_value::<FaultRule>(Value::Object(rule_map)) {
                Ok(rule) => {
                    crate::faults::add_rule(&mut shared.lock(), rule);
                    envelope::ok(&json!({"success": true}))
                }
                Err(e) => {
                    envelope::api_error(StatusCode::BAD_REQUEST, "invalidParameter.fault", &e.to_string())
                }
            }
        }
        _ => envelope::api_error(
            StatusCode::BAD_REQUEST,
            "invalidParameter.action",
            "action must be set or clear",
        ),
    }
}

async fn get_faults(State(shared): State<Arc<Shared>>) -> Response {
    let rules: Vec<FaultRule> = shared.lock().faults.iter().map(|(r, _)| r.clone()).collect();
    to_json(&json!({"faults": rules}))
}

pub(crate) fn socket_fault(shared: &Shared, connection_id: Option<&str>, fault: &SocketFault) -> usize {
    let mut inner = shared.lock();
    let time_ms = shared.clock.epoch_ms();
    let targets: Vec<String> = inner
        .conns
        .iter()
        .filter(|(id, c)| c.open && connection_id.is_none_or(|want| want == id.as_str()))
        .map(|(id, _)| id.clone())
        .collect();
    for id in &targets {
        let mid = inner.new_message_id();
        let Some(conn) = inner.conns.get_mut(id) else {
            continue;
        };
        let cmd = match fault {
            SocketFault::Drop => ConnCmd::Drop,
            SocketFault::Disconnect { reason } => {
                conn.disconnected = true;
                ConnCmd::Disconnect(
                    reason
                        .clone()
                        .unwrap_or_else(|| "persistent connection is timeout".into()),
                )
            }
            SocketFault::Close { code } => ConnCmd::Close(code.unwrap_or(1000)),
            SocketFault::Zombie => ConnCmd::Zombie,
            SocketFault::SilentStop => {
                conn.silent = true;
                continue;
            }
            SocketFault::Malformed { variant } => match frames::malformed(variant, &mid, time_ms) {
                Some(text) => ConnCmd::Text(text.into()),
                None => ConnCmd::Binary(b"\x00\x01sandbox-binary".to_vec()),
            },
        };
        let _ = conn.tx.send(cmd);
    }
    targets.len()
}

async fn post_socket_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let map = match envelope::parse_object(envelope::Host::New, &body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let conn = envelope::opt_str(&map, "connectionId").map(str::to_owned);
    let fault_value = map
        .get("fault")
        .cloned()
        .unwrap_or_else(|| Value::Object(map.clone()));
    match serde_json::from_value::<SocketFault>(fault_value) {
        Ok(fault) => envelope::ok(&json!({"connections": socket_fault(&shared, conn.as_deref(), &fault)})),
        Err(e) => envelope::api_error(StatusCode::BAD_REQUEST, "invalidParameter.fault", &e.to_string()),
    }
}

const BURST_CHUNK: usize = 256;
const MAX_BURST: u64 = 10_000_000;

pub(crate) fn burst(shared: &Shared, b: &Burst) -> Result<u64, ControlError> {
    let client_id = b.client_id.clone().unwrap_or_else(|| shared.demo_client_id());
    let Some(app) = Inner::app(&shared.cfg, &client_id) else {
        return Err(ControlError::new("invalidParameter.clientId", "unknown app"));
    };
    if b.count > MAX_BURST {
        return Err(ControlError::new(
            "invalidParameter.count",
            "count exceeds 10000000",
        ));
    }
    let topic = b.topic.clone().unwrap_or_else(|| stream::BOT_TOPIC.to_owned());
    let conversations = b.conversations.unwrap_or(1).clamp(1, 10_000);
    let senders = &shared.org.users;
    let create_at = shared.clock.epoch_ms();
    let robot = app.robot_code.clone();
    let corp = shared.org.corp_id.clone();
    let base = shared.base_url.clone();
    let client_arc: Arc<str> = Arc::from(client_id.as_str());
    let topic_arc: Arc<str> = Arc::from(topic.as_str());
    let mut chunk: Vec<String> = Vec::with_capacity(BURST_CHUNK);
    for i in 0..b.count {
        let conv = i % conversations;
        let sender = &senders[usize::try_from(conv).unwrap_or(0) % senders.len()];
        let cid = format!("cidBurst{conv:06}==");
        let msg_id = format!("msgBurst{i:x}_{create_at:x}==");
        let data = format!(
            r#"{{"msgId":"{msg_id}","msgtype":"text","createAt":{create_at},"conversationId":"{cid}","conversationType":"1","senderId":"{sid}","senderNick":"{nick}","senderStaffId":"{staff}","senderCorpId":"{corp}","isAdmin":false,"chatbotUserId":"$:LWCP_v1:$robot","chatbotCorpId":"{corp}","robotCode":"{robot}","sessionWebhook":"{base}/robot/sendBySession?session=burst","sessionWebhookExpiredTime":{exp},"text":{{"content":"burst {i}"}}}}"#,
            sid = sender.sender_id,
            nick = sender.name,
            staff = sender.user_id,
            exp = create_at + 5_400_000,
        );
        chunk.push(data);
        if chunk.len() == BURST_CHUNK || i + 1 == b.count {
            // Lock per chunk, not per burst, so acks are processed while a long burst runs.
            let mut inner = shared.lock();
            inner.batch = Some(HashMap::new());
            for data in chunk.drain(..) {
                delivery::push(
                    shared,
                    &mut inner,
                    &client_arc,
                    "CALLBACK",
                    &topic_arc,
                    data,
                    Vec::new(),
                );
            }
            delivery::flush_batch(&mut inner);
        }
    }
    Ok(b.count)
}

async fn post_burst(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let b: Burst = match parse(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    match burst(&shared, &b) {
        Ok(n) => envelope::ok(&json!({"pushed": n})),
        Err(e) => control_error(&e),
    }
}

async fn post_reset(State(shared): State<Arc<Shared>>) -> Response {
    shared.reset();
    envelope::ok(&json!({"success": true}))
}

async fn post_clock(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let map = match envelope::parse_object(envelope::Host::New, &body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let Some(ms) = map.get("advanceMs").and_then(Value::as_u64) else {
        return envelope::api_error(
            StatusCode::BAD_REQUEST,
            "invalidParameter.advanceMs",
            "advanceMs must be a number",
        );
    };
    shared.clock.advance(Duration::from_millis(ms));
    delivery::tick(&shared);
    envelope::ok(&json!({"success": true, "nowMs": shared.clock.epoch_ms()}))
}

async fn post_expire_tokens(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock().tokens.expire_all();
    envelope::ok(&json!({"success": true}))
}

pub(crate) async fn inject_card_callback(
    shared: &Shared,
    cb: &InjectCardCallback,
) -> Result<CardCallbackResult, ControlError> {
    let (tx, rx) = oneshot::channel();
    let message_id = {
        let mut inner = shared.lock();
        let card_app = inner
            .cards
            .get(&cb.out_track_id)
            .map(|c| c.view.client_id.clone());
        let client_id = cb
            .client_id
            .clone()
            .or(card_app)
            .unwrap_or_else(|| shared.demo_client_id());
        let (space_type, space_id) = inner
            .cards
            .get(&cb.out_track_id)
            .and_then(|c| c.view.spaces.first())
            .and_then(|s| s.split_once('.'))
            .map(|(t, id)| (t.to_owned(), id.to_owned()))
            .unwrap_or_default();
        let content = json!({"cardPrivateData": {
            "actionIds": [cb.action_id.clone().unwrap_or_else(|| "btn_stop".into())],
            "params": cb.params.clone().unwrap_or_else(|| json!({})),
        }});
        let data = json!({
            "type": "actionCallback",
            "outTrackId": cb.out_track_id,
            "corpId": shared.org.corp_id,
            "userId": cb.user_id.clone().unwrap_or_else(|| "user001".into()),
            "userIdType": 1,
            "spaceId": space_id,
            "spaceType": space_type,
            "content": content.to_string(),
            "extension": "{}",
        });
        let (push_id, mid) = delivery::push(
            shared,
            &mut inner,
            &Arc::from(client_id.as_str()),
            "CALLBACK",
            &Arc::from(stream::CARD_TOPIC),
            data.to_string(),
            Vec::new(),
        );
        inner.callback_waiters.insert(push_id, tx);
        mid.unwrap_or_else(|| format!("queued-{push_id}"))
    };
    let wait = Duration::from_millis(cb.wait_ms.unwrap_or(5000));
    match tokio::time::timeout(wait, rx).await {
        Ok(Ok(response)) => Ok(CardCallbackResult {
            message_id,
            acked: true,
            response,
        }),
        _ => Ok(CardCallbackResult {
            message_id,
            acked: false,
            response: Value::Null,
        }),
    }
}

async fn post_card_callback(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let cb: InjectCardCallback = match parse(&body) {
        Ok(c) => c,
        Err(r) => return r,
    };
    match inject_card_callback(&shared, &cb).await {
        Ok(r) => to_json(&r),
        Err(e) => control_error(&e),
    }
}

pub(crate) fn inject_event(shared: &Shared, ev: &InjectEvent) -> Result<String, ControlError> {
    if ev.event_type.is_empty() {
        return Err(ControlError::new(
            "invalidParameter.eventType",
            "eventType is required",
        ));
    }
    let client_id = ev.client_id.clone().unwrap_or_else(|| shared.demo_client_id());
    let Some(app) = Inner::app(&shared.cfg, &client_id) else {
        return Err(ControlError::new("invalidParameter.clientId", "unknown app"));
    };
    let app_id = app.unified_app_id.clone();
    let mut inner = shared.lock();
    let event_id = inner.new_id("evt");
    let born = shared.clock.epoch_ms().to_string();
    let extra = vec![
        ("eventType".to_owned(), ev.event_type.clone()),
        ("eventId".to_owned(), event_id),
        ("eventBornTime".to_owned(), born),
        ("eventCorpId".to_owned(), shared.org.corp_id.clone()),
        ("eventUnifiedAppId".to_owned(), app_id),
    ];
    let data = match &ev.data {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let (push_id, mid) = delivery::push(
        shared,
        &mut inner,
        &Arc::from(client_id.as_str()),
        "EVENT",
        &Arc::from("*"),
        data,
        extra,
    );
    Ok(mid.unwrap_or_else(|| format!("queued-{push_id}")))
}

async fn post_event(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let ev: InjectEvent = match parse(&body) {
        Ok(e) => e,
        Err(r) => return r,
    };
    match inject_event(&shared, &ev) {
        Ok(mid) => envelope::ok(&json!({"messageId": mid})),
        Err(e) => control_error(&e),
    }
}
