//! IM twins: create, read and update groups, page their members (`nextToken`), and send a message as the signed-in
//! user (`/v1.0/im/me/messages/send`, user token, route unverified).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Extension, Router};
use serde_json::{Value, json};

use super::{Reply, invalid, new_body, req_str, str_list};
use crate::envelope;
use crate::faults::Caller;
use crate::model::OutboxEntry;
use crate::org::Org;
use crate::state::Shared;

/// The route of [`send_as_user`] (the `dws` reference's; unverified against DingTalk).
const SEND_AS_USER_PATH: &str = "/v1.0/im/me/messages/send";
/// `msgType` values of `im_1_0` `SendPersonalMessageRequest`.
const PERSONAL_MSG_TYPES: [&str; 3] = ["text", "markdown", "reply"];

const MAX_MEMBERS_PAGE: i64 = 1000;

/// One group chat (seeded from the org, or created).
#[derive(Debug, Clone)]
pub(crate) struct GroupRec {
    pub(crate) open_conversation_id: String,
    pub(crate) chatid: String,
    pub(crate) title: String,
    pub(crate) owner: String,
    pub(crate) icon: String,
    pub(crate) tag: i64,
    pub(crate) members: Vec<String>,
    /// Robot codes added with `orgRobots/add`.
    pub(crate) robots: Vec<String>,
}

/// The group store.
#[derive(Debug, Default)]
pub(crate) struct Groups {
    pub(crate) groups: Vec<GroupRec>,
}

impl Groups {
    pub(crate) fn seed(org: &Org) -> Self {
        Self {
            groups: org
                .groups
                .iter()
                .map(|g| GroupRec {
                    open_conversation_id: g.open_conversation_id.clone(),
                    chatid: g.chatid.clone(),
                    title: g.title.clone(),
                    owner: g.members.first().cloned().unwrap_or_default(),
                    icon: "@lADPsandboxGroupIcon".into(),
                    tag: 0,
                    members: g.members.clone(),
                    robots: Vec::new(),
                })
                .collect(),
        }
    }

    /// The group `cid`, or DingTalk's "no such openConversationId" error.
    pub(crate) fn find(&self, cid: &str) -> Result<&GroupRec, axum::response::Response> {
        self.groups
            .iter()
            .find(|g| g.open_conversation_id == cid)
            .ok_or_else(no_group)
    }

    /// [`Groups::find`], for changing the group.
    pub(crate) fn find_mut(&mut self, cid: &str) -> Result<&mut GroupRec, axum::response::Response> {
        self.groups
            .iter_mut()
            .find(|g| g.open_conversation_id == cid)
            .ok_or_else(no_group)
    }
}

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1.0/im/group/create", post(create))
        .route("/v1.0/im/groups/baseInfos/query", post(base_info))
        .route("/v1.0/im/group/update", post(update))
        .route("/v1.0/im/innerGroups/members/query", post(members))
        .route("/v1.0/im/innerGroups/search", post(search))
        .route(SEND_AS_USER_PATH, post(send_as_user))
}

fn check_users(shared: &Shared, key: &str, ids: &[String]) -> Result<(), axum::response::Response> {
    match ids.iter().find(|id| shared.org.user(id).is_none()) {
        Some(id) => Err(invalid(key, &format!("用户不存在: {id}"))),
        None => Ok(()),
    }
}

fn no_group() -> axum::response::Response {
    envelope::bad_param("invalid.openConversationId", "openConversationId不存在")
}

/// `POST /v1.0/im/group/create {name*, owner*, useridlist*}`.
async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = new_body(&body)?;
    let name = req_str(&map, "name")?.to_owned();
    let owner = req_str(&map, "owner")?.to_owned();
    let mut members = str_list(&map, "useridlist")?;
    if members.is_empty() {
        return Err(super::missing("useridlist"));
    }
    check_users(&shared, "owner", std::slice::from_ref(&owner))?;
    check_users(&shared, "useridlist", &members)?;
    if !members.contains(&owner) {
        members.insert(0, owner.clone());
    }
    members.dedup();
    let tag = super::opt_int(&map, "conversationTag")?.unwrap_or(0);
    let mut st = shared.products.lock();
    let n = st.next_number();
    let rec = GroupRec {
        open_conversation_id: format!("cidSandboxNew{n:06}+demo/Zz=="),
        chatid: format!("chat{n:032x}"),
        title: name,
        owner,
        icon: envelope::opt_str(&map, "icon").unwrap_or_default().to_owned(),
        tag,
        members,
        robots: Vec::new(),
    };
    let answer = json!({
        "chatid": rec.chatid, "openConversationId": rec.open_conversation_id, "conversationTag": tag,
    });
    st.im.groups.push(rec);
    Ok(envelope::ok(&answer))
}

/// `POST /v1.0/im/groups/baseInfos/query {openConversationId*}`.
async fn base_info(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = new_body(&body)?;
    let cid = req_str(&map, "openConversationId")?;
    let st = shared.products.lock();
    let g = st.im.find(cid)?;
    Ok(envelope::ok(&json!({
        "success": true,
        "result": {
            "openConversationId": g.open_conversation_id, "title": g.title, "icon": g.icon,
            "memberCount": g.members.len(), "tag": g.tag,
        },
    })))
}

/// `POST /v1.0/im/group/update {chatid*, name, owner, icon, add_useridlist, del_useridlist}`.
async fn update(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = new_body(&body)?;
    let chatid = req_str(&map, "chatid")?;
    let add = str_list(&map, "add_useridlist")?;
    let del = str_list(&map, "del_useridlist")?;
    let owner = envelope::opt_str(&map, "owner").map(str::to_owned);
    check_users(&shared, "add_useridlist", &add)?;
    check_users(&shared, "owner", owner.as_slice())?;
    let mut st = shared.products.lock();
    let g = st
        .im
        .groups
        .iter_mut()
        .find(|g| g.chatid == chatid)
        .ok_or_else(|| invalid("chatid", "chatid不存在"))?;
    if let Some(name) = envelope::opt_str(&map, "name").filter(|n| !n.is_empty()) {
        name.clone_into(&mut g.title);
    }
    if let Some(icon) = envelope::opt_str(&map, "icon") {
        icon.clone_into(&mut g.icon);
    }
    if let Some(owner) = owner {
        if !g.members.contains(&owner) {
            g.members.push(owner.clone());
        }
        g.owner = owner;
    }
    for id in add {
        if !g.members.contains(&id) {
            g.members.push(id);
        }
    }
    if del.contains(&g.owner) {
        return Err(invalid("del_useridlist", "不能移除群主"));
    }
    g.members.retain(|m| !del.contains(m));
    Ok(envelope::ok(&json!({"success": true})))
}

/// `POST /v1.0/im/innerGroups/members/query {openConversationId*, userId*, maxResults*, nextToken}`.
async fn members(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = new_body(&body)?;
    let cid = req_str(&map, "openConversationId")?;
    let operator = req_str(&map, "userId")?;
    let max = super::opt_int(&map, "maxResults")?.ok_or_else(|| super::missing("maxResults"))?;
    if !(1..=MAX_MEMBERS_PAGE).contains(&max) {
        return Err(invalid("maxResults", "maxResults is 1 to 1000"));
    }
    let offset = super::token_offset(envelope::opt_str(&map, "nextToken"))?;
    let st = shared.products.lock();
    let g = st.im.find(cid)?;
    if !g.members.iter().any(|m| m == operator) {
        return Err(invalid("userId", "操作人不在群内"));
    }
    let (items, next) = super::page(&g.members, offset, usize::try_from(max).unwrap_or(1));
    Ok(envelope::ok(&json!({
        "userIds": items, "hasMore": next.is_some(), "nextToken": super::next_token(next),
    })))
}

/// `POST /v1.0/im/innerGroups/search {searchKey*, userId*, maxResults, nextToken}`: the groups `userId` is in whose
/// title contains `searchKey` (case-insensitive). The route and its answer shape
/// (`{groupInfos[{openConversationId, chatId, title, icon, memberCount}], hasMore, nextToken}`) are what `dws` uses
/// and are unverified; `maxResults` defaults to 20 (1..100).
async fn search(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = new_body(&body)?;
    let key = req_str(&map, "searchKey")?.to_lowercase();
    let user = req_str(&map, "userId")?;
    check_users(&shared, "userId", &[user.to_owned()])?;
    let max = super::opt_int(&map, "maxResults")?.unwrap_or(20);
    if !(1..=100).contains(&max) {
        return Err(invalid("maxResults", "maxResults is 1 to 100"));
    }
    let offset = super::token_offset(envelope::opt_str(&map, "nextToken"))?;
    let st = shared.products.lock();
    let hits: Vec<serde_json::Value> = st
        .im
        .groups
        .iter()
        .filter(|g| g.members.iter().any(|m| m == user) && g.title.to_lowercase().contains(&key))
        .map(|g| {
            json!({
                "openConversationId": g.open_conversation_id, "chatId": g.chatid, "title": g.title,
                "icon": g.icon, "memberCount": g.members.len(),
            })
        })
        .collect();
    let (items, next) = super::page(&hits, offset, usize::try_from(max).unwrap_or(1));
    Ok(envelope::ok(&json!({
        "groupInfos": items, "hasMore": next.is_some(), "nextToken": super::next_token(next),
    })))
}

fn bad_content(message: &str) -> axum::response::Response {
    envelope::bad_param("invalidParameter.content", message)
}

/// A non-empty string field of a parsed `content`.
fn content_str<'a>(
    content: &'a Value,
    key: &str,
    msg_type: &str,
) -> Result<&'a str, axum::response::Response> {
    match content.get(key).and_then(Value::as_str) {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(bad_content(&format!("{msg_type}消息的content缺少{key}"))),
    }
}

/// Checks `content` (a JSON string) for `msg_type`: `text` needs `{content, at?:{atUserIds?, isAtAll?}}` with
/// known users, `markdown` needs `{title, text}`, `reply` any non-empty string. Returns the parsed content (or the
/// string itself for `reply`), the title and the text.
fn check_content(
    shared: &Shared,
    msg_type: &str,
    raw: &str,
) -> Result<(Value, Option<String>, String), axum::response::Response> {
    if raw.trim().is_empty() {
        return Err(super::missing("content"));
    }
    if msg_type == "reply" {
        let parsed = serde_json::from_str::<Value>(raw).unwrap_or_else(|_| Value::String(raw.to_owned()));
        return Ok((parsed, None, raw.to_owned()));
    }
    let Ok(content @ Value::Object(_)) = serde_json::from_str::<Value>(raw) else {
        return Err(bad_content("content必须是JSON对象字符串"));
    };
    if msg_type != "text" {
        let title = content_str(&content, "title", msg_type)?.to_owned();
        let text = content_str(&content, "text", msg_type)?.to_owned();
        return Ok((content, Some(title), text));
    }
    let text = content_str(&content, "content", msg_type)?.to_owned();
    if let Some(at) = content.get("at") {
        let Value::Object(at) = at else {
            return Err(bad_content("at必须是对象"));
        };
        if at.get("isAtAll").is_some_and(|v| !v.is_boolean()) {
            return Err(bad_content("at.isAtAll必须是布尔值"));
        }
        let ids = match at.get("atUserIds") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| bad_content("at.atUserIds必须是字符串数组"))?,
            Some(_) => return Err(bad_content("at.atUserIds必须是字符串数组")),
        };
        check_users(shared, "content", &ids)?;
    }
    Ok((content, None, text))
}

/// `POST /v1.0/im/me/messages/send {content*, msgType*, openConversationId | receiverUid}` with a **user** token
/// (`im_1_0` `SendPersonalMessageRequest`; the route is the `dws` reference's and unverified). An app token → 400
/// `InvalidAuthentication`; both or neither target → 400 `invalidParameter.target`; an unknown group → 400
/// `invalid.openConversationId`, a group the sender is not in → 400 `invalidParameter.openConversationId`; an unknown
/// receiver → 400 `invalidParameter.receiverUid`; `msgType` outside `text|markdown|reply` → 400
/// `invalidParameter.msgType`; malformed `content` → 400 `invalidParameter.content`. A send is recorded in the outbox
/// with route `user` (`body.content` parsed) and answers `{"result": {"openTaskId"}, "success": "true"}`.
async fn send_as_user(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Reply {
    let Some(sender) = caller.user_id.as_deref().filter(|u| shared.org.user(u).is_some()) else {
        return Err(envelope::api_error(
            StatusCode::BAD_REQUEST,
            "InvalidAuthentication",
            "需要用户access_token",
        ));
    };
    let map = new_body(&body)?;
    let msg_type = req_str(&map, "msgType")?.to_owned();
    if !PERSONAL_MSG_TYPES.contains(&msg_type.as_str()) {
        return Err(invalid("msgType", "msgType只能是text、markdown或reply"));
    }
    let raw = match map.get("content") {
        None | Some(Value::Null) => return Err(super::missing("content")),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(bad_content("content必须是JSON字符串")),
    };
    let group = envelope::opt_str(&map, "openConversationId").filter(|s| !s.is_empty());
    let receiver = envelope::opt_str(&map, "receiverUid").filter(|s| !s.is_empty());
    let (conversation, recipients) = match (group, receiver) {
        (Some(cid), None) => {
            let st = shared.products.lock();
            let g = st.im.find(cid)?;
            if !g.members.iter().any(|m| m == sender) {
                return Err(invalid("openConversationId", "发送人不在群内"));
            }
            (Some(cid.to_owned()), Vec::new())
        }
        (None, Some(uid)) => {
            if shared.org.user(uid).is_none() {
                return Err(invalid("receiverUid", &format!("用户不存在: {uid}")));
            }
            (None, vec![uid.to_owned()])
        }
        _ => {
            return Err(invalid(
                "target",
                "openConversationId和receiverUid必须且只能填一个",
            ));
        }
    };
    let (content, title, text) = check_content(&shared, &msg_type, &raw)?;
    let mut recorded = map.clone();
    recorded.insert("content".into(), content);
    let mut inner = shared.lock();
    let task = inner.new_id("task");
    crate::robot::record(
        &mut inner,
        shared.clock.epoch_ms(),
        OutboxEntry {
            seq: 0,
            time: 0,
            route: "user".into(),
            endpoint: SEND_AS_USER_PATH.into(),
            conversation,
            recipients,
            msgtype: msg_type,
            title,
            text: Some(text),
            process_query_key: None,
            recalled: false,
            body: Value::Object(recorded),
        },
    );
    Ok(envelope::ok(
        &json!({"result": {"openTaskId": task}, "success": "true"}),
    ))
}
