//! A few directory routes over the demo org.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::envelope;
use crate::state::Shared;

/// Reads a legacy body: JSON, or form encoding.
fn legacy_body(bytes: &[u8]) -> Map<String, Value> {
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(bytes) {
        return map;
    }
    url::form_urlencoded::parse(bytes)
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect()
}

/// `POST /topapi/v2/user/get {userid}`.
pub(crate) async fn user_get(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let map = legacy_body(&body);
    let Some(user_id) = envelope::opt_str(&map, "userid") else {
        return envelope::legacy_error(40035, "缺少参数 userid");
    };
    let Some(user) = shared.org.user(user_id) else {
        return envelope::legacy_error(60121, "找不到该用户");
    };
    envelope::ok(&json!({
        "errcode": 0,
        "errmsg": "ok",
        "result": {
            "userid": user.user_id, "unionid": user.union_id, "name": user.name, "mobile": user.mobile,
            "dept_id_list": [user.dept_id], "admin": user.is_admin, "active": true,
        },
        "request_id": envelope::request_id(),
    }))
}

/// `POST /topapi/user/getbyunionid {unionid}`.
pub(crate) async fn get_by_unionid(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let map = legacy_body(&body);
    let union_id = envelope::opt_str(&map, "unionid").unwrap_or_default();
    match shared.org.users.iter().find(|u| u.union_id == union_id) {
        Some(u) => envelope::ok(&json!({
            "errcode": 0, "errmsg": "ok", "result": {"userid": u.user_id, "contact_type": 0},
            "request_id": envelope::request_id(),
        })),
        None => envelope::legacy_error(60121, "找不到该用户"),
    }
}
