//! `POST /topapi/attendance/schedule/listbyusers {op_user_id*, userids*, from_date_time*, to_date_time*}` (planned
//! shifts per user and day, millisecond window ≤ 7 days) and `POST /topapi/attendance/getusergroup {userid*}` (the
//! user's attendance group with its class and punch times). Every demo user is in one fixed group working the
//! standard shift on weekdays; weekend days are rest days. The user list is read only from `userids`, one
//! comma-separated string (DingTalk's documented form): an array, or the list under another key, is an error.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use serde_json::{Value, json};

use super::{CST, MAX_SPAN_SECS, MAX_USERS, SHIFTS, bad, punches};
use crate::envelope;
use crate::products::{Reply, int, legacy_body, legacy_ok};
use crate::state::Shared;

const GROUP_ID: i64 = 1;
const GROUP_NAME: &str = "Sandbox office hours";

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/topapi/attendance/schedule/listbyusers", post(list_by_users))
        .route("/topapi/attendance/getusergroup", post(user_group))
}

fn no_user() -> axum::response::Response {
    envelope::legacy_error(60121, "找不到该用户")
}

/// `POST /topapi/attendance/schedule/listbyusers`.
async fn list_by_users(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = legacy_body(&body);
    let op = envelope::opt_str(&map, "op_user_id")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("缺少参数 op_user_id"))?;
    if shared.org.user(op).is_none() {
        return Err(no_user());
    }
    let ids: Vec<String> = match map.get("userids") {
        None | Some(Value::Null) => return Err(bad("缺少参数 userids")),
        Some(Value::String(s)) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        Some(_) => return Err(bad("userids 必须是逗号分隔的 userId")),
    };
    if ids.is_empty() || ids.len() > MAX_USERS {
        return Err(bad("userids 人数 1..50"));
    }
    if let Some(unknown) = ids.iter().find(|id| shared.org.user(id).is_none()) {
        return Err(bad(&format!("userid {unknown} 不存在")));
    }
    let from = int(map.get("from_date_time")).ok_or_else(|| bad("缺少参数 from_date_time"))?;
    let to = int(map.get("to_date_time")).ok_or_else(|| bad("缺少参数 to_date_time"))?;
    if to < from || to - from > MAX_SPAN_SECS * 1000 {
        return Err(bad("时间跨度不能超过7天"));
    }
    // Whole China-time days from the day of `from` to the day of `to`.
    let first_day = (from.div_euclid(1000) + CST).div_euclid(86_400);
    let last_day = (to.div_euclid(1000) + CST).div_euclid(86_400);
    let mut out: Vec<Value> = Vec::new();
    // Rest days: one `is_rest` entry per user. Workdays: the standard shift's planned on/off-duty times.
    for user in &ids {
        for day in first_day..=last_day {
            if matches!(day.rem_euclid(7), 2 | 3) {
                out.push(json!({"userid": user, "work_date": (day * 86_400 - CST) * 1000, "is_rest": "Y"}));
            }
        }
    }
    let (shift_id, shift_name) = SHIFTS[0];
    for p in punches(&ids, first_day * 86_400 - CST, (last_day + 1) * 86_400 - CST - 1) {
        out.push(json!({
            "userid": p.user_id, "work_date": p.work_date_ms, "is_rest": "N", "check_type": p.check_type,
            "plan_check_time": p.base_ms, "shift_id": shift_id, "shift_name": shift_name, "group_id": GROUP_ID,
        }));
    }
    out.sort_by_key(|v| {
        (
            v["userid"].as_str().unwrap_or_default().to_owned(),
            v["plan_check_time"]
                .as_i64()
                .or_else(|| v["work_date"].as_i64())
                .unwrap_or(0),
        )
    });
    Ok(legacy_ok(json!(out)))
}

/// `POST /topapi/attendance/getusergroup {userid*}`.
async fn user_group(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = legacy_body(&body);
    let user = envelope::opt_str(&map, "userid")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("缺少参数 userid"))?;
    if shared.org.user(user).is_none() {
        return Err(no_user());
    }
    let (class_id, class_name) = SHIFTS[0];
    Ok(legacy_ok(json!({
        "group_id": GROUP_ID, "name": GROUP_NAME, "type": "FIXED",
        "work_day_list": ["1", "2", "3", "4", "5"],
        "classes": [{
            "class_id": class_id, "name": class_name,
            "sections": [{"times": [
                {"check_type": "OnDuty", "check_time": "2026-01-01 09:00:00", "across": 0},
                {"check_type": "OffDuty", "check_time": "2026-01-01 18:00:00", "across": 0},
            ]}],
        }],
    })))
}
