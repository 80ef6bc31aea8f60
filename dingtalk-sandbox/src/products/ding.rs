//! DING twins: send (`remindType` 1..3, unknown receivers in `failedList`) and recall.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::{Extension, Router};
use serde_json::{Map, Value, json};

use super::{Reply, invalid, new_body, req_str};
use crate::envelope;
use crate::faults::Caller;
use crate::state::{Inner, Shared};

/// One DING.
#[derive(Debug, Clone)]
#[expect(
    dead_code,
    reason = "what was sent is kept for a future read-status twin and for debugging"
)]
pub(crate) struct DingRec {
    receivers: Vec<String>,
    content: String,
    remind_type: i64,
    recalled: bool,
}

/// Sent DINGs by `openDingId`.
#[derive(Debug, Default)]
pub(crate) struct Dings {
    dings: BTreeMap<String, DingRec>,
}

/// The seeded DING id: a reminder the demo robot sent to user002 and user003, ready to recall.
pub(crate) const DEMO_DING_ID: &str = "dingSandbox0001";

impl Dings {
    /// One DING from the demo robot, not yet recalled.
    pub(crate) fn seed() -> Self {
        let mut dings = BTreeMap::new();
        dings.insert(
            DEMO_DING_ID.to_owned(),
            DingRec {
                receivers: vec!["user002".into(), "user003".into()],
                content: "Stand-up in 5 minutes".into(),
                remind_type: 1,
                recalled: false,
            },
        );
        Self { dings }
    }
}

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1.0/robot/ding/send", post(send))
        .route("/v1.0/robot/ding/recall", post(recall))
}

fn check_robot(shared: &Shared, caller: &Caller, robot_code: &str) -> Result<(), axum::response::Response> {
    if Inner::app(&shared.cfg, &caller.client_id).is_some_and(|a| a.robot_code == robot_code) {
        Ok(())
    } else {
        Err(invalid("robotCode.auth", "robotCode不属于当前应用"))
    }
}

/// `POST /v1.0/robot/ding/send {robotCode*, receiverUserIdList*, content*, remindType*, callVoice}`.
async fn send(State(shared): State<Arc<Shared>>, Extension(caller): Extension<Caller>, body: Bytes) -> Reply {
    let map = new_body(&body)?;
    let robot_code = req_str(&map, "robotCode")?;
    check_robot(&shared, &caller, robot_code)?;
    let receivers = super::str_list(&map, "receiverUserIdList")?;
    if receivers.is_empty() {
        return Err(super::missing("receiverUserIdList"));
    }
    let content = req_str(&map, "content")?.to_owned();
    let remind_type = super::opt_int(&map, "remindType")?.ok_or_else(|| super::missing("remindType"))?;
    if !(1..=3).contains(&remind_type) {
        return Err(invalid(
            "remindType",
            "remindType is 1 (app), 2 (SMS) or 3 (call)",
        ));
    }
    let mut failed = Map::new();
    let mut ok = Vec::new();
    for id in receivers {
        if shared.org.user(&id).is_some() {
            ok.push(id);
        } else {
            failed.insert(id, Value::String("user not found".into()));
        }
    }
    let mut st = shared.products.lock();
    let id = st.next_id("openDing");
    st.ding.dings.insert(
        id.clone(),
        DingRec {
            receivers: ok,
            content,
            remind_type,
            recalled: false,
        },
    );
    Ok(envelope::ok(&json!({"openDingId": id, "failedList": failed})))
}

/// `POST /v1.0/robot/ding/recall {robotCode*, openDingId*}`.
async fn recall(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Reply {
    let map = new_body(&body)?;
    let robot_code = req_str(&map, "robotCode")?;
    check_robot(&shared, &caller, robot_code)?;
    let id = req_str(&map, "openDingId")?;
    let mut st = shared.products.lock();
    let ding = st
        .ding
        .dings
        .get_mut(id)
        .ok_or_else(|| super::not_found("openDingId", "openDingId不存在"))?;
    if ding.recalled {
        return Err(invalid("openDingId", "DING已撤回"));
    }
    ding.recalled = true;
    Ok(envelope::ok(&json!({"openDingId": id})))
}
