//! IM twins: create, read and update groups, and page their members (`nextToken`).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use serde_json::json;

use super::{Reply, invalid, new_body, req_str, str_list};
use crate::envelope;
use crate::org::Org;
use crate::state::Shared;

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
}

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1.0/im/group/create", post(create))
        .route("/v1.0/im/groups/baseInfos/query", post(base_info))
        .route("/v1.0/im/group/update", post(update))
        .route("/v1.0/im/innerGroups/members/query", post(members))
        .route("/v1.0/im/innerGroups/search", post(search))
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
    let g = st
        .im
        .groups
        .iter()
        .find(|g| g.open_conversation_id == cid)
        .ok_or_else(no_group)?;
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
    let g = st
        .im
        .groups
        .iter()
        .find(|g| g.open_conversation_id == cid)
        .ok_or_else(no_group)?;
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
