//! Control routes for login, scopes, webhook robots and templates (`/_sandbox/...`), next to `control.rs`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use serde_json::{Value, json};

use crate::cards::CardTemplate;
use crate::envelope;
use crate::oauth::{self, LoginSettings};
use crate::registry;
use crate::state::Shared;

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_sandbox/login", post(post_login).get(get_login))
        .route("/_sandbox/device/approve", post(post_device_approve))
        .route("/_sandbox/device/deny", post(post_device_deny))
        .route("/_sandbox/oauth/revoke", post(post_revoke))
        .route("/_sandbox/scopes", post(post_scopes).get(get_scopes))
        .route(
            "/_sandbox/webhook-robots",
            post(post_webhook_robot).get(get_webhook_robots),
        )
        .route("/_sandbox/templates", post(post_template).get(get_templates))
        .route("/_sandbox/reads", post(post_reads))
}

fn refused(code: &str, message: &str) -> Response {
    envelope::api_error(StatusCode::BAD_REQUEST, code, message)
}

fn object(body: &[u8]) -> Result<serde_json::Map<String, Value>, Response> {
    envelope::parse_object(envelope::Host::New, body)
}

async fn post_login(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let settings: LoginSettings = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return refused("invalidParameter.body", &e.to_string()),
    };
    match oauth::apply_settings(&shared, &settings) {
        Ok(()) => get_login(State(shared)).await,
        Err((code, message)) => refused(&code, &message),
    }
}

async fn get_login(State(shared): State<Arc<Shared>>) -> Response {
    let inner = shared.lock();
    let devices: Vec<Value> = inner
        .login
        .devices
        .values()
        .map(|d| {
            let status = match &d.status {
                oauth::DeviceStatus::Pending => "pending",
                oauth::DeviceStatus::Approved(_) => "approved",
                oauth::DeviceStatus::Denied => "denied",
            };
            json!({"userCode": d.user_code, "clientId": d.client_id, "status": status, "polls": d.polls})
        })
        .collect();
    envelope::ok(&json!({
        "loginUser": inner.login.login_user,
        "authorizeMode": inner.login.authorize_mode,
        "deviceAutoApproveAfter": inner.login.device_auto_approve_after.unwrap_or(0),
        "devices": devices,
    }))
}

fn device_decision(shared: &Shared, body: &[u8], approve: bool) -> Response {
    let map = match object(body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let Some(user_code) = envelope::opt_str(&map, "userCode") else {
        return refused("MissingParameter.userCode", "userCode is required");
    };
    let user = envelope::opt_str(&map, "userId");
    match oauth::decide_device(shared, user_code, approve, user) {
        Ok(()) => envelope::ok(&json!({"success": true})),
        Err((code, message)) => refused(&code, &message),
    }
}

async fn post_device_approve(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    device_decision(&shared, &body, true)
}

async fn post_device_deny(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    device_decision(&shared, &body, false)
}

async fn post_revoke(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let map = match object(&body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let Some(user_id) = envelope::opt_str(&map, "userId") else {
        return refused("MissingParameter.userId", "userId is required");
    };
    let revoked = oauth::revoke_user_tokens(&shared, user_id, envelope::opt_str(&map, "clientId"));
    envelope::ok(&json!({"revoked": revoked}))
}

fn scopes_body(shared: &Shared, client_id: &str) -> Response {
    envelope::ok(&json!({"clientId": client_id, "scopes": registry::granted(shared, client_id)}))
}

fn string_list(map: &serde_json::Map<String, Value>, key: &str) -> Vec<String> {
    map.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

async fn post_scopes(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let map = match object(&body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let client_id =
        envelope::opt_str(&map, "clientId").map_or_else(|| shared.demo_client_id(), str::to_owned);
    if crate::state::Inner::app(&shared.cfg, &client_id).is_none() {
        return refused("invalidParameter.clientId", "unknown app");
    }
    registry::set_scopes(&shared, &client_id, &string_list(&map, "remove"), false);
    registry::set_scopes(&shared, &client_id, &string_list(&map, "grant"), true);
    scopes_body(&shared, &client_id)
}

async fn get_scopes(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let client_id = q
        .get("clientId")
        .cloned()
        .unwrap_or_else(|| shared.demo_client_id());
    scopes_body(&shared, &client_id)
}

async fn post_webhook_robot(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let map = match object(&body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let Some(token) = envelope::opt_str(&map, "token").filter(|t| !t.is_empty()) else {
        return refused("MissingParameter.token", "token is required");
    };
    let mut robot = crate::webhook::WebhookRobot::new(token).keywords(string_list(&map, "keywords"));
    if let Some(secret) = envelope::opt_str(&map, "secret") {
        robot = robot.secret(secret);
    }
    if let Some(cid) = envelope::opt_str(&map, "conversation") {
        if shared.org.group(cid).is_none() {
            return refused("invalid.openConversationId", "unknown group");
        }
        robot = robot.conversation(cid);
    }
    crate::webhook::register(&shared, robot);
    get_webhook_robots(State(shared)).await
}

async fn get_webhook_robots(State(shared): State<Arc<Shared>>) -> Response {
    envelope::ok(&json!({"robots": crate::webhook::list(&shared)}))
}

/// Creates a template, or patches the given fields of an existing one (e.g. `{"id", "renderable": false}`).
async fn post_template(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let map = match object(&body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let Some(id) = envelope::opt_str(&map, "id").filter(|t| !t.is_empty()) else {
        return refused("MissingParameter.id", "id (the cardTemplateId) is required");
    };
    let existing = shared.lock().templates.get(id).cloned();
    let mut t = existing.unwrap_or_else(|| CardTemplate::new(id));
    if map.contains_key("variables") {
        t = t.variables(string_list(&map, "variables"));
    }
    if map.contains_key("streamKeys") {
        t = t.stream_keys(string_list(&map, "streamKeys"));
    }
    if let Some(b) = map.get("flowStatus").and_then(Value::as_bool) {
        t = t.flow_status(b);
    }
    if let Some(b) = map.get("renderable").and_then(Value::as_bool) {
        t = t.renderable(b);
    }
    if let Some(owner) = envelope::opt_str(&map, "owner") {
        t = t.owner(owner);
    }
    crate::cards::register_template(&shared, t);
    get_templates(State(shared)).await
}

async fn get_templates(State(shared): State<Arc<Shared>>) -> Response {
    let inner = shared.lock();
    let mut list: Vec<Value> = inner
        .templates
        .values()
        .map(|t| {
            json!({"id": t.id, "variables": t.variables, "streamKeys": t.stream_keys, "flowStatus": t.flow_status,
                   "owner": t.owner, "renderable": t.renderable})
        })
        .collect();
    list.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    envelope::ok(&json!({"templates": list}))
}

async fn post_reads(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let map = match object(&body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let Some(pqk) = envelope::opt_str(&map, "processQueryKey") else {
        return refused("MissingParameter.processQueryKey", "processQueryKey is required");
    };
    crate::robot::mark_read(&shared, pqk, &string_list(&map, "userIds"));
    envelope::ok(&json!({"success": true}))
}
