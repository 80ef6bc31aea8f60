//! Attendance twins: punch results (`/attendance/list`, offset + limit), punch records (`/attendance/listRecord`)
//! and shifts (`/topapi/attendance/shift/list`, cursor). Punches are generated deterministically: every weekday
//! an on-duty punch around 09:00 and an off-duty punch around 18:00 (China time), some late or early.
//! Checks: span ≤ 7 days, `userIdList` ≤ 50, `limit` ≤ 50. [`schedules`] serves planned shifts per user and day and
//! a user's attendance group.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use serde_json::{Value, json};

use super::time::{CST, parse_datetime};
use super::{Obj, Reply, int, legacy_body};
use crate::envelope;
use crate::state::Shared;

mod schedules;

const MAX_SPAN_SECS: i64 = 7 * 86_400;
const MAX_USERS: usize = 50;
const MAX_LIMIT: i64 = 50;
/// Shifts per `shift/list` page.
const SHIFT_PAGE: usize = 3;
const SHIFTS: [(i64, &str); 5] = [
    (1001, "Standard 09:00-18:00"),
    (1002, "Early 08:00-17:00"),
    (1003, "Late 10:00-19:00"),
    (1004, "Night 22:00-06:00"),
    (1005, "Flexible"),
];

fn bad(message: &str) -> Response {
    envelope::legacy_error(40035, &format!("不合法的参数: {message}"))
}

/// One generated punch.
struct Punch {
    id: i64,
    user_id: String,
    work_date_ms: i64,
    check_type: &'static str,
    base_ms: i64,
    user_ms: i64,
    time_result: &'static str,
}

fn window(map: &Obj, from: &str, to: &str) -> Result<(i64, i64), Response> {
    let read = |key: &str| -> Result<i64, Response> {
        let text = envelope::opt_str(map, key)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| bad(&format!("缺少参数 {key}")))?;
        parse_datetime(text, CST).ok_or_else(|| bad(&format!("{key} 格式为 yyyy-MM-dd HH:mm:ss")))
    };
    let (a, b) = (read(from)?, read(to)?);
    if b < a || b - a > MAX_SPAN_SECS {
        return Err(bad("时间跨度不能超过7天"));
    }
    Ok((a, b))
}

fn users(shared: &Shared, map: &Obj, key: &str) -> Result<Vec<String>, Response> {
    let ids = match map.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| bad(&format!("{key} 必须是字符串数组")))?,
        _ => return Err(bad(&format!("缺少参数 {key}"))),
    };
    if ids.is_empty() || ids.len() > MAX_USERS {
        return Err(bad(&format!("{key} 人数 1..50")));
    }
    Ok(ids
        .into_iter()
        .filter(|id| shared.org.user(id).is_some())
        .collect())
}

/// Punches of `users` on the workdays whose base times fall in `[from, to]`.
fn punches(users: &[String], from: i64, to: i64) -> Vec<Punch> {
    let mut out = Vec::new();
    for user in users {
        let n: i64 = user
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .parse()
            .unwrap_or(0);
        let first_day = (from + CST).div_euclid(86_400);
        let last_day = (to + CST).div_euclid(86_400);
        for day in first_day..=last_day {
            // 1970-01-01 was a Thursday: day % 7 == 2 is Saturday, 3 is Sunday.
            if matches!(day.rem_euclid(7), 2 | 3) {
                continue;
            }
            let midnight = day * 86_400 - CST;
            for (k, (check_type, hour)) in [("OnDuty", 9), ("OffDuty", 18)].into_iter().enumerate() {
                let base = midnight + hour * 3600;
                if base < from || base > to {
                    continue;
                }
                let roll = (n * 31 + day * 7 + i64::try_from(k).unwrap_or(0)).rem_euclid(10);
                let (delta, time_result) = match (check_type, roll) {
                    ("OnDuty", 0) => (12 * 60, "Late"),
                    ("OffDuty", 0) => (-20 * 60, "Early"),
                    ("OnDuty", _) => (-(roll * 60), "Normal"),
                    _ => (roll * 60, "Normal"),
                };
                out.push(Punch {
                    id: (day * 1000 + n) * 10 + i64::try_from(k).unwrap_or(0),
                    user_id: user.clone(),
                    work_date_ms: midnight * 1000,
                    check_type,
                    base_ms: base * 1000,
                    user_ms: (base + delta) * 1000,
                    time_result,
                });
            }
        }
    }
    out
}

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/attendance/list", post(list_results))
        .route("/attendance/listRecord", post(list_records))
        .route("/topapi/attendance/shift/list", post(list_shifts))
        .merge(schedules::routes())
}

/// `POST /attendance/list {workDateFrom*, workDateTo*, userIdList*, offset*, limit*}`.
async fn list_results(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = legacy_body(&body);
    let (from, to) = window(&map, "workDateFrom", "workDateTo")?;
    let ids = users(&shared, &map, "userIdList")?;
    let offset = int(map.get("offset")).ok_or_else(|| bad("缺少参数 offset"))?;
    let limit = int(map.get("limit")).ok_or_else(|| bad("缺少参数 limit"))?;
    if offset < 0 || !(1..=MAX_LIMIT).contains(&limit) {
        return Err(bad("limit 取值 1..50"));
    }
    let all = punches(&ids, from, to);
    let (items, next) = super::page(
        &all.iter().collect::<Vec<_>>(),
        usize::try_from(offset).unwrap_or(usize::MAX),
        usize::try_from(limit).unwrap_or(1),
    );
    let records: Vec<Value> = items
        .iter()
        .map(|p| {
            json!({
                "id": p.id, "userId": p.user_id, "workDate": p.work_date_ms, "checkType": p.check_type,
                "timeResult": p.time_result, "locationResult": "Normal", "baseCheckTime": p.base_ms,
                "userCheckTime": p.user_ms, "sourceType": "USER", "groupId": 1, "planId": p.id,
            })
        })
        .collect();
    Ok(envelope::ok(&json!({
        "errcode": 0, "errmsg": "ok", "hasMore": next.is_some(), "recordresult": records,
    })))
}

/// `POST /attendance/listRecord {userIds*, checkDateFrom*, checkDateTo*}`.
async fn list_records(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = legacy_body(&body);
    let (from, to) = window(&map, "checkDateFrom", "checkDateTo")?;
    let ids = users(&shared, &map, "userIds")?;
    let records: Vec<Value> = punches(&ids, from, to)
        .iter()
        .map(|p| {
            json!({
                "userId": p.user_id, "userCheckTime": p.user_ms, "checkType": p.check_type,
                "timeResult": p.time_result, "locationResult": "Normal", "sourceType": "USER",
                "isLegal": "Y", "userAddress": "1 Sandbox Road", "deviceId": format!("dev-{}", p.user_id),
                "baseCheckTime": p.base_ms, "groupId": 1, "workDate": p.work_date_ms,
            })
        })
        .collect();
    Ok(envelope::ok(
        &json!({"errcode": 0, "errmsg": "ok", "recordresult": records}),
    ))
}

/// `POST /topapi/attendance/shift/list {op_user_id*, cursor}`.
async fn list_shifts(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = legacy_body(&body);
    let op = envelope::opt_str(&map, "op_user_id")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("缺少参数 op_user_id"))?;
    if shared.org.user(op).is_none() {
        return Err(envelope::legacy_error(60121, "找不到该用户"));
    }
    let cursor = int(map.get("cursor")).unwrap_or(0);
    let (items, next) = super::page(&SHIFTS, usize::try_from(cursor).unwrap_or(usize::MAX), SHIFT_PAGE);
    let mut result = json!({
        "result": items.iter().map(|(id, name)| json!({"id": id, "name": name})).collect::<Vec<_>>(),
        "has_more": next.is_some(),
    });
    if let Some(next) = next {
        result["cursor"] = json!(next);
    }
    Ok(super::legacy_ok(result))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punches_skip_weekends_and_stay_in_the_window() {
        let from = parse_datetime("2026-03-06 00:00:00", CST).unwrap_or_default(); // Friday
        let to = parse_datetime("2026-03-09 12:00:00", CST).unwrap_or_default(); // Monday noon
        let got = punches(&["user001".to_owned()], from, to);
        // Friday on+off, Monday on only.
        assert_eq!(got.len(), 3);
        assert!(
            got.iter()
                .all(|p| p.base_ms >= from * 1000 && p.base_ms <= to * 1000)
        );
        assert_eq!(punches(&["user001".to_owned()], from, to).len(), got.len());
    }
}
