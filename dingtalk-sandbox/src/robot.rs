//! Robot sends: session webhooks and the `/v1.0/robot/*` OpenAPI routes.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::envelope::{self, Host};
use crate::faults::Caller;
use crate::model::OutboxEntry;
use crate::state::{Inner, Shared};

const MAX_MSG_PARAM_BYTES: usize = 15_000;
pub(crate) const MAX_WEBHOOK_BYTES: usize = 20_000;
const MAX_BATCH_USERS: usize = 20;
const WEBHOOK_MSGTYPES: [&str; 5] = ["text", "markdown", "actionCard", "link", "feedCard"];

/// Required `msgParam` keys per `msgKey` (the 13-key catalogue).
fn required_keys(msg_key: &str) -> Option<&'static [&'static str]> {
    Some(match msg_key {
        "sampleText" => &["content"],
        "sampleMarkdown" => &["title", "text"],
        "sampleImageMsg" => &["photoURL"],
        "sampleLink" => &["text", "title", "picUrl", "messageUrl"],
        "sampleActionCard" => &["title", "text", "singleTitle", "singleURL"],
        "sampleActionCard2" | "sampleActionCard3" | "sampleActionCard4" | "sampleActionCard5" => {
            &["title", "text"]
        }
        "sampleActionCard6" => &["title", "text", "buttonTitle1", "buttonTitle2"],
        "sampleAudio" => &["mediaId", "duration"],
        "sampleFile" => &["mediaId", "fileName", "fileType"],
        "sampleVideo" => &["duration", "videoMediaId", "videoType", "picMediaId"],
        _ => return None,
    })
}

pub(crate) fn record(inner: &mut Inner, time: u64, mut entry: OutboxEntry) {
    entry.seq = inner.outbox.len() as u64 + 1;
    entry.time = time;
    inner.outbox.push(entry);
}

fn entry(route: &str, endpoint: &str, msgtype: &str, body: Value) -> OutboxEntry {
    OutboxEntry {
        seq: 0,
        time: 0,
        route: route.into(),
        endpoint: endpoint.into(),
        conversation: None,
        recipients: Vec::new(),
        msgtype: msgtype.into(),
        title: None,
        text: None,
        process_query_key: None,
        recalled: false,
        body,
    }
}

/// Parses a webhook body (`msgtype` text/markdown/actionCard/link/feedCard) into an outbox entry.
pub(crate) fn webhook_entry(body: &[u8], route: &str, endpoint: &str) -> Result<OutboxEntry, Response> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return Err(webhook_error(400_105, "不支持的消息类型或消息体不是合法的JSON"));
    };
    let msgtype = envelope::opt_str(&map, "msgtype").unwrap_or_default().to_owned();
    if !WEBHOOK_MSGTYPES.contains(&msgtype.as_str()) {
        return Err(webhook_error(400_105, "不支持的消息类型"));
    }
    let Some(Value::Object(inner_msg)) = map.get(&msgtype) else {
        return Err(webhook_error(400_105, "消息内容为空"));
    };
    let (title, text) = match msgtype.as_str() {
        "text" => (None, inner_msg.get("content")),
        "markdown" | "actionCard" | "link" => (inner_msg.get("title"), inner_msg.get("text")),
        _ => (None, None),
    };
    let mut e = entry(route, endpoint, &msgtype, Value::Object(map.clone()));
    e.title = title.and_then(Value::as_str).map(str::to_owned);
    e.text = text.and_then(Value::as_str).map(str::to_owned);
    Ok(e)
}

/// A webhook answer: HTTP 200 `{errcode, errmsg}`.
pub(crate) fn webhook_error(errcode: i64, errmsg: &str) -> Response {
    envelope::ok(&json!({"errcode": errcode, "errmsg": errmsg}))
}

/// `POST /robot/sendBySession?session=`.
pub(crate) async fn send_by_session(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let session_id = q.get("session").map(String::as_str).unwrap_or_default();
    let now = shared.clock.epoch_ms();
    let session = shared.lock().sessions.get(session_id).cloned();
    let Some(session) = session.filter(|s| now < s.expires_at_ms) else {
        return webhook_error(300_001, "session 不存在");
    };
    if body.len() > MAX_WEBHOOK_BYTES {
        return webhook_error(460_101, "message too long, exceed 20000 bytes");
    }
    let mut e = match webhook_entry(&body, "webhook", "/robot/sendBySession") {
        Ok(e) => e,
        Err(r) => return r,
    };
    e.conversation = Some(session.conversation_id.clone());
    if session.conversation_id.starts_with("cidSingle") {
        e.recipients = vec![session.sender_staff_id.clone()];
    } else {
        e.recipients = Vec::new();
    }
    record(&mut shared.lock(), now, e);
    let _ = session.client_id;
    webhook_error(0, "ok")
}

/// Validated common fields of an OpenAPI send.
struct Send {
    map: Map<String, Value>,
    msg_key: String,
    param: Value,
}

fn validate_send(shared: &Shared, caller: &Caller, body: &[u8]) -> Result<Send, Response> {
    let map = envelope::parse_object(Host::New, body)?;
    let robot_code = envelope::req_str(&map, "robotCode")?;
    let owns = Inner::app(&shared.cfg, &caller.client_id).is_some_and(|a| a.robot_code == robot_code);
    if !owns {
        return Err(envelope::bad_param(
            "invalidParameter.robotCode.auth",
            "robotCode不属于当前应用",
        ));
    }
    let msg_key = envelope::req_str(&map, "msgKey")?.to_owned();
    let Some(required) = required_keys(&msg_key) else {
        return Err(envelope::bad_param(
            "invalidParameter.msgKey.invalid",
            "msgKey不合法",
        ));
    };
    let msg_param = match map.get("msgParam") {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => {
            return Err(envelope::bad_param(
                "MissingParameter.msgParam",
                "msgParam is mandatory for this action.",
            ));
        }
        Some(_) => {
            return Err(envelope::bad_param(
                "invalidParameter.msgParam.invalid",
                "msgParam必须是JSON字符串",
            ));
        }
    };
    if msg_param.len() > MAX_MSG_PARAM_BYTES {
        return Err(envelope::bad_param(
            "invalidParameter.msgParam.tooLong",
            "msgParam超过15000字节",
        ));
    }
    let Ok(Value::Object(param)) = serde_json::from_str::<Value>(&msg_param) else {
        return Err(envelope::bad_param(
            "invalidParameter.msgParam.invalid",
            "msgParam不是合法的JSON",
        ));
    };
    if let Some(missing) = required.iter().find(|k| !param.contains_key(**k)) {
        return Err(envelope::bad_param(
            "invalidParameter.msgParam.invalid",
            &format!("msgParam缺少参数 {missing}"),
        ));
    }
    Ok(Send {
        map,
        msg_key,
        param: Value::Object(param),
    })
}

fn openapi_entry(endpoint: &str, send: &Send, pqk: &str) -> OutboxEntry {
    let mut body = Value::Object(send.map.clone());
    if let Value::Object(b) = &mut body {
        b.insert("msgParam".into(), send.param.clone());
    }
    let mut e = entry("openapi", endpoint, &send.msg_key, body);
    e.title = send.param.get("title").and_then(Value::as_str).map(str::to_owned);
    e.text = send
        .param
        .get("content")
        .or_else(|| send.param.get("text"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    e.process_query_key = Some(pqk.to_owned());
    e
}

/// `POST /v1.0/robot/groupMessages/send`.
pub(crate) async fn group_send(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Response {
    let send = match validate_send(&shared, &caller, &body) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let cid = match envelope::req_str(&send.map, "openConversationId") {
        Ok(c) => c.to_owned(),
        Err(r) => return r,
    };
    if shared.org.group(&cid).is_none() {
        return envelope::bad_param("invalid.openConversationId", "openConversationId不存在");
    }
    let mut inner = shared.lock();
    let pqk = inner.new_id("pqk");
    let mut e = openapi_entry("/v1.0/robot/groupMessages/send", &send, &pqk);
    e.conversation = Some(cid);
    record(&mut inner, shared.clock.epoch_ms(), e);
    envelope::ok(&json!({"processQueryKey": pqk}))
}

/// `POST /v1.0/robot/privateChatMessages/send`.
pub(crate) async fn private_send(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Response {
    let send = match validate_send(&shared, &caller, &body) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let cid = match envelope::req_str(&send.map, "openConversationId") {
        Ok(c) => c.to_owned(),
        Err(r) => return r,
    };
    if let Err(r) = envelope::req_str(&send.map, "coolAppCode") {
        return r;
    }
    let mut inner = shared.lock();
    let pqk = inner.new_id("pqk");
    let mut e = openapi_entry("/v1.0/robot/privateChatMessages/send", &send, &pqk);
    e.conversation = Some(cid);
    record(&mut inner, shared.clock.epoch_ms(), e);
    envelope::ok(&json!({"processQueryKey": pqk}))
}

/// `POST /v1.0/robot/oToMessages/batchSend`.
pub(crate) async fn oto_batch_send(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    fault: Option<Extension<crate::faults::BusinessFault>>,
    body: Bytes,
) -> Response {
    let send = match validate_send(&shared, &caller, &body) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let ids: Vec<String> = match send.map.get("userIds") {
        Some(Value::Array(a)) if a.is_empty() => {
            return envelope::bad_param("invalidParameter.userIds.empty", "userIds不能为空");
        }
        Some(Value::Array(a)) if a.len() > MAX_BATCH_USERS => {
            return envelope::bad_param("invalidParameter.userIds.overMax", "userIds超过最大数量");
        }
        Some(Value::Array(a)) => match a
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
        {
            Some(ids) => ids,
            None => {
                return envelope::bad_param("invalidParameter.userIds.invalid", "userIds必须是字符串数组");
            }
        },
        None | Some(Value::Null) => {
            return envelope::bad_param("invalidParameter.userIds.empty", "userIds不能为空");
        }
        Some(_) => return envelope::bad_param("invalidParameter.userIds.invalid", "userIds必须是字符串数组"),
    };
    let (valid, invalid): (Vec<String>, Vec<String>) =
        ids.into_iter().partition(|id| shared.org.user(id).is_some());
    let (valid, flow_controlled) = if fault.is_some() {
        (Vec::new(), valid)
    } else {
        (valid, Vec::new())
    };
    let mut inner = shared.lock();
    let pqk = inner.new_id("pqk");
    if !valid.is_empty() {
        let mut e = openapi_entry("/v1.0/robot/oToMessages/batchSend", &send, &pqk);
        e.recipients = valid;
        record(&mut inner, shared.clock.epoch_ms(), e);
    }
    envelope::ok(&json!({
        "processQueryKey": pqk,
        "invalidStaffIdList": invalid,
        "flowControlledStaffIdList": flow_controlled,
        "filteredStaffIdList": [],
    }))
}

fn recall(shared: &Shared, caller: &Caller, body: &[u8], group: bool) -> Response {
    let map = match envelope::parse_object(Host::New, body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let robot_code = match envelope::req_str(&map, "robotCode") {
        Ok(r) => r,
        Err(r) => return r,
    };
    if Inner::app(&shared.cfg, &caller.client_id).is_none_or(|a| a.robot_code != robot_code) {
        return envelope::bad_param("invalidParameter.robotCode.auth", "robotCode不属于当前应用");
    }
    let cid = if group {
        match envelope::req_str(&map, "openConversationId") {
            Ok(c) => Some(c.to_owned()),
            Err(r) => return r,
        }
    } else {
        None
    };
    let Some(Value::Array(keys)) = map.get("processQueryKeys") else {
        return envelope::bad_param(
            "MissingParameter.processQueryKeys",
            "processQueryKeys is mandatory for this action.",
        );
    };
    let mut ok = Vec::new();
    let mut failed = Map::new();
    let mut inner = shared.lock();
    for key in keys {
        let Some(key) = key.as_str() else { continue };
        let found = inner.outbox.iter_mut().find(|e| {
            e.process_query_key.as_deref() == Some(key) && (cid.is_none() || e.conversation == cid)
        });
        match found {
            Some(e) if !e.recalled => {
                e.recalled = true;
                ok.push(key.to_owned());
            }
            Some(_) => {
                failed.insert(key.to_owned(), json!("message already recalled"));
            }
            None => {
                failed.insert(key.to_owned(), json!("processQueryKey not found"));
            }
        }
    }
    envelope::ok(&json!({"successResult": ok, "failedResult": failed}))
}

/// `POST /v1.0/robot/groupMessages/recall`.
pub(crate) async fn group_recall(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Response {
    recall(&shared, &caller, &body, true)
}

/// `POST /v1.0/robot/otoMessages/batchRecall`.
pub(crate) async fn oto_recall(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Response {
    recall(&shared, &caller, &body, false)
}

/// `POST /v1.0/robot/emotion/reply` and `/recall`.
pub(crate) async fn emotion(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    uri: axum::http::Uri,
    body: Bytes,
) -> Response {
    let map = match envelope::parse_object(Host::New, &body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let fields = ["robotCode", "openMsgId", "openConversationId"]
        .map(|k| envelope::req_str(&map, k).map(str::to_owned));
    let [robot_code, msg_id, cid] = fields;
    let (robot_code, msg_id, cid) = match (robot_code, msg_id, cid) {
        (Ok(a), Ok(b), Ok(c)) => (a, b, c),
        (Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => return r,
    };
    if Inner::app(&shared.cfg, &caller.client_id).is_none_or(|a| a.robot_code != robot_code) {
        return envelope::bad_param("invalidParameter.robotCode.auth", "robotCode不属于当前应用");
    }
    let mut inner = shared.lock();
    if inner.inbound_msg_ids.get(&msg_id) != Some(&cid) {
        return envelope::bad_param("invalidParameter.openMsgId", "openMsgId不存在");
    }
    let path = uri.path().to_owned();
    let kind = if path.ends_with("recall") {
        "emotionRecall"
    } else {
        "emotionReply"
    };
    let mut e = entry("openapi", &path, kind, Value::Object(map.clone()));
    e.conversation = Some(cid);
    record(&mut inner, shared.clock.epoch_ms(), e);
    envelope::ok(&json!({"success": true}))
}

/// Whether `user_id` has read the message `pqk` sent to `recipients`: marked read by the control API, or in the
/// first two thirds of the recipient list (the default read model, deterministic).
pub(crate) fn has_read(inner: &Inner, pqk: &str, recipients: &[String], user_id: &str) -> bool {
    let marked = inner
        .registry
        .read_marks
        .get(pqk)
        .is_some_and(|m| m.contains(user_id));
    marked
        || recipients
            .iter()
            .take(recipients.len() * 2 / 3)
            .any(|r| r == user_id)
}

/// `GET /v1.0/robot/oToMessages/readStatus?robotCode=&processQueryKey=`.
pub(crate) async fn oto_read_status(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (Some(robot_code), Some(pqk)) = (
        q.get("robotCode").filter(|s| !s.is_empty()),
        q.get("processQueryKey").filter(|s| !s.is_empty()),
    ) else {
        let missing = if q.get("robotCode").is_none_or(String::is_empty) {
            "robotCode"
        } else {
            "processQueryKey"
        };
        return envelope::bad_param(
            &format!("MissingParameter.{missing}"),
            &format!("{missing} is mandatory for this action."),
        );
    };
    if Inner::app(&shared.cfg, &caller.client_id).is_none_or(|a| a.robot_code != *robot_code) {
        return envelope::bad_param("invalidParameter.robotCode.auth", "robotCode不属于当前应用");
    }
    let inner = shared.lock();
    let Some(entry) = inner.outbox.iter().find(|e| {
        e.process_query_key.as_deref() == Some(pqk.as_str())
            && e.endpoint == "/v1.0/robot/oToMessages/batchSend"
    }) else {
        return envelope::bad_param("invalidParameter.processQueryKey", "processQueryKey不存在");
    };
    let list: Vec<Value> = entry
        .recipients
        .iter()
        .map(|uid| {
            let read = has_read(&inner, pqk, &entry.recipients, uid);
            json!({
                "userId": uid,
                "name": shared.org.user(uid).map(|u| u.name.clone()).unwrap_or_default(),
                "readStatus": if read { "READ" } else { "UNREAD" },
                "readTimestamp": if read { entry.time } else { 0 },
            })
        })
        .collect();
    envelope::ok(&json!({
        "sendStatus": if entry.recalled { "RECALLED" } else { "SUCCESS" },
        "messageReadInfoList": list,
    }))
}

/// Marks a message as read by these users (`POST /_sandbox/reads`).
pub(crate) fn mark_read(shared: &Shared, pqk: &str, user_ids: &[String]) {
    let mut inner = shared.lock();
    inner
        .registry
        .read_marks
        .entry(pqk.to_owned())
        .or_default()
        .extend(user_ids.iter().cloned());
}
