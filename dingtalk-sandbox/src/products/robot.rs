//! The robot read-status twin: `POST /v1.0/robot/groupMessages/query` over the group messages the app sent.
//! Read model: a message is read by the first two thirds of the group's current member list (the IM twin's view,
//! so membership changes show), paged by `nextToken`. Also `POST /v1.0/robot/groups/orgRobots/add`, which adds
//! the app's robot to a group.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::{Extension, Router};
use serde_json::json;

use super::{Reply, invalid, new_body, req_str};
use crate::envelope;
use crate::faults::Caller;
use crate::state::{Inner, Shared};

/// DingTalk documents at most 200 readers per page.
const MAX_RESULTS: i64 = 200;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1.0/robot/groupMessages/query", post(read_status))
        .route("/v1.0/robot/groups/orgRobots/add", post(add_to_group))
}

/// `POST /v1.0/robot/groupMessages/query {processQueryKey*, robotCode, openConversationId, maxResults, nextToken}`.
async fn read_status(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Reply {
    let map = new_body(&body)?;
    let key = req_str(&map, "processQueryKey")?;
    if let Some(code) = envelope::opt_str(&map, "robotCode")
        && Inner::app(&shared.cfg, &caller.client_id).is_none_or(|a| a.robot_code != code)
    {
        return Err(invalid("robotCode.auth", "robotCode不属于当前应用"));
    }
    let size = match super::opt_int(&map, "maxResults")? {
        None => MAX_RESULTS,
        Some(n) if (1..=MAX_RESULTS).contains(&n) => n,
        Some(_) => return Err(invalid("maxResults", "maxResults is 1 to 200")),
    };
    let offset = super::token_offset(envelope::opt_str(&map, "nextToken"))?;
    let (conversation, recalled) = {
        let inner = shared.lock();
        let entry = inner
            .outbox
            .iter()
            .find(|e| {
                e.process_query_key.as_deref() == Some(key) && e.endpoint == "/v1.0/robot/groupMessages/send"
            })
            .ok_or_else(|| invalid("processQueryKey", "processQueryKey不存在"))?;
        (entry.conversation.clone().unwrap_or_default(), entry.recalled)
    };
    if let Some(cid) = envelope::opt_str(&map, "openConversationId")
        && cid != conversation
    {
        return Err(invalid("openConversationId", "openConversationId与消息不匹配"));
    }
    let members = shared
        .products
        .lock()
        .im
        .groups
        .iter()
        .find(|g| g.open_conversation_id == conversation)
        .map(|g| g.members.clone())
        .unwrap_or_default();
    let readers: Vec<String> = members.iter().take(members.len() * 2 / 3).cloned().collect();
    let (items, next) = super::page(&readers, offset, usize::try_from(size).unwrap_or(1));
    Ok(envelope::ok(&json!({
        "sendStatus": if recalled { "RECALLED" } else { "SUCCESS" },
        "readUserIds": items, "hasMore": next.is_some(), "nextToken": super::next_token(next),
    })))
}

/// `POST /v1.0/robot/groups/orgRobots/add {openConversationId*, robotCode*}`: the robot must be the caller's and
/// the group must exist; adding a robot twice is not an error. The route is the one `dws` uses (unverified); the
/// answer is `{"success": true}`.
async fn add_to_group(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Reply {
    let map = new_body(&body)?;
    let cid = req_str(&map, "openConversationId")?;
    let code = req_str(&map, "robotCode")?;
    if Inner::app(&shared.cfg, &caller.client_id).is_none_or(|a| a.robot_code != code) {
        return Err(invalid("robotCode.auth", "robotCode不属于当前应用"));
    }
    let mut st = shared.products.lock();
    let group = st.im.find_mut(cid)?;
    if !group.robots.iter().any(|r| r == code) {
        group.robots.push(code.to_owned());
    }
    Ok(envelope::ok(&json!({"success": true})))
}
