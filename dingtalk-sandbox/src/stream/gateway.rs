//! `POST /v1.0/gateway/connections/open` and the WebSocket upgrade at `/connect`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::envelope;
use crate::state::{Shared, Ticket};

/// `POST /v1.0/gateway/connections/open`.
pub(crate) async fn open(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let accepts_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let resp = open_inner(&shared, &body);
    if accepts_json {
        return resp;
    }
    let status = resp.status();
    (
        status,
        [(header::CONTENT_TYPE, "application/xml;charset=utf-8")],
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NotAcceptable</Code><Message>Accept: application/json is required</Message></Error>",
    )
        .into_response()
}

fn open_inner(shared: &Shared, body: &[u8]) -> Response {
    let map = match envelope::parse_object(envelope::Host::New, body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let client_id = match envelope::req_str(&map, "clientId") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let secret = match envelope::req_str(&map, "clientSecret") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(Value::Array(subs)) = map.get("subscriptions") else {
        return envelope::bad_param(
            "MissingParameter.subscriptions",
            "subscriptions is mandatory for this action.",
        );
    };
    let mut topics = Vec::new();
    for sub in subs {
        let kind = sub.get("type").and_then(Value::as_str).unwrap_or_default();
        let topic = sub.get("topic").and_then(Value::as_str).unwrap_or_default();
        match kind {
            "EVENT" if topic == "*" => topics.push((kind.to_owned(), topic.to_owned())),
            "EVENT" => return envelope::bad_param("invalidParameter.subscriptions", "EVENT topic must be *"),
            "CALLBACK" if !topic.is_empty() => topics.push((kind.to_owned(), topic.to_owned())),
            "SYSTEM" => {}
            _ => {
                return envelope::bad_param(
                    "invalidParameter.subscriptions",
                    "unknown subscription type or empty topic",
                );
            }
        }
    }
    let ok = shared
        .cfg
        .apps
        .iter()
        .any(|a| a.client_id == client_id && a.client_secret == secret);
    if !ok {
        return envelope::api_error(
            StatusCode::UNAUTHORIZED,
            &shared.cfg.open_auth_error_code,
            "无效的clientId或者clientSecret",
        );
    }
    let ticket = uuid::Uuid::new_v4().to_string();
    let expires_at = crate::clock::later(shared.clock.now(), shared.cfg.ticket_ttl);
    tracing::debug!(
        client_id,
        ua = envelope::opt_str(&map, "ua"),
        "stream ticket issued"
    );
    shared.lock().tickets.insert(
        ticket.clone(),
        Ticket {
            client_id: client_id.to_owned(),
            topics,
            expires_at,
        },
    );
    let endpoint = format!("{}/connect", shared.base_url.replacen("http://", "ws://", 1));
    envelope::ok(&json!({"endpoint": endpoint, "ticket": ticket}))
}

/// `GET /connect?ticket=` → WebSocket.
pub(crate) async fn connect(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let ticket = q.get("ticket").map(String::as_str).unwrap_or_default();
    let taken = shared.lock().tickets.remove(ticket);
    let Some(ticket) = taken.filter(|t| t.expires_at > shared.clock.now()) else {
        return envelope::api_error(StatusCode::UNAUTHORIZED, "invalid.ticket", "ticket不存在或已过期");
    };
    let Ok(ws) = ws else {
        return envelope::api_error(
            StatusCode::BAD_REQUEST,
            "invalidRequest",
            "WebSocket upgrade required",
        );
    };
    ws.max_message_size(16 * 1024 * 1024)
        .on_upgrade(move |socket| super::ws::run(shared, socket, ticket.client_id, ticket.topics))
}
