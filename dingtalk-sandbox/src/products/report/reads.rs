//! Report reads: `GET /v1.0/report/details?reportId=`, `POST /topapi/report/statistics {report_id}`, `POST
//! /topapi/report/template/getbyname {userid, template_name}` and `GET /v1.0/report/users/sendAndReceiveLists`
//! (`nextToken` as an integer offset). Every report of the demo org counts as received by every member (the twin
//! keeps no receiver lists). The list requires all five query values, as DingTalk's model marks them
//! (`operationUserId`, `startTime`, `endTime`, `nextToken`, `maxResults`): `cursor`/`size` are not read, so a
//! request that sends them instead is `MissingParameter.nextToken`. Lenient: the statistics are derived from the
//! report id.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::{MAX_PAGE, MAX_WINDOW_MS, ReportRec, TEMPLATES, bad, no_template, user_not_found};
use crate::envelope;
use crate::products::{Reply, invalid, legacy_body, legacy_ok, not_found};
use crate::state::Shared;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1.0/report/details", get(details))
        .route("/v1.0/report/users/sendAndReceiveLists", get(send_and_receive))
        .route("/topapi/report/statistics", post(statistics))
        .route("/topapi/report/template/getbyname", post(template_by_name))
}

fn creator_name(shared: &Shared, user_id: &str) -> String {
    shared
        .org
        .user(user_id)
        .map(|u| u.name.clone())
        .unwrap_or_default()
}

fn dept_name(shared: &Shared, user_id: &str) -> String {
    let dept = shared.org.user(user_id).map_or(0, |u| u.dept_id);
    shared
        .org
        .departments
        .iter()
        .find(|d| d.dept_id == dept)
        .map(|d| d.name.clone())
        .unwrap_or_default()
}

/// `GET /v1.0/report/details?reportId*` → `{reportId, templateName, creatorId, …, content[{key, sort, type, value}]}`.
async fn details(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Reply {
    let id = q
        .get("reportId")
        .filter(|r| !r.is_empty())
        .ok_or_else(|| crate::products::missing("reportId"))?;
    let st = shared.products.lock();
    let r = st
        .report
        .reports
        .iter()
        .find(|r| &r.id == id)
        .ok_or_else(|| not_found("reportId", &format!("report {id} not found")))?;
    let content: Vec<Value> = r
        .contents
        .iter()
        .enumerate()
        .map(|(i, (k, v))| json!({"key": k, "sort": i.to_string(), "type": "1", "value": v}))
        .collect();
    Ok(envelope::ok(&json!({
        "reportId": r.id, "templateName": r.template, "creatorId": r.creator,
        "creatorName": creator_name(&shared, &r.creator), "deptName": dept_name(&shared, &r.creator),
        "createTime": r.create_ms, "modifiedTime": r.create_ms, "remark": "", "content": content,
    })))
}

/// `POST /topapi/report/statistics {report_id*}` → `result{read_num, like_num, comment_num, comment_user_num}`.
async fn statistics(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = legacy_body(&body);
    let Some(id) = envelope::opt_str(&map, "report_id").filter(|r| !r.is_empty()) else {
        return Err(bad("缺少参数 report_id"));
    };
    let st = shared.products.lock();
    let n = st
        .report
        .reports
        .iter()
        .position(|r| r.id == id)
        .ok_or_else(|| bad(&format!("report_id {id} 不存在")))?;
    let n = i64::try_from(n).unwrap_or(0);
    Ok(legacy_ok(json!({
        "read_num": 3 + n % 5, "like_num": n % 3, "comment_num": n % 2, "comment_user_num": n % 2,
    })))
}

/// `POST /topapi/report/template/getbyname {userid*, template_name*}` → `result{id, name, fields, …}`.
async fn template_by_name(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = legacy_body(&body);
    let Some(user) = envelope::opt_str(&map, "userid").filter(|u| !u.is_empty()) else {
        return Err(bad("缺少参数 userid"));
    };
    if shared.org.user(user).is_none() {
        return Err(user_not_found());
    }
    let Some(name) = envelope::opt_str(&map, "template_name").filter(|n| !n.is_empty()) else {
        return Err(bad("缺少参数 template_name"));
    };
    let (id, name, fields) = TEMPLATES
        .iter()
        .find(|(_, n, _)| *n == name)
        .ok_or_else(|| no_template(name))?;
    let fields: Vec<Value> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| json!({"field_name": f, "sort": i, "type": 1}))
        .collect();
    Ok(legacy_ok(json!({
        "id": id, "name": name, "fields": fields, "user_name": creator_name(&shared, user),
        "default_receivers": [], "default_received_convs": [],
    })))
}

/// An integer query value: absent → `None`, not an integer → `invalidParameter.<key>`.
fn int_query(q: &HashMap<String, String>, keys: &[&str]) -> Result<Option<i64>, axum::response::Response> {
    let Some((key, raw)) = keys
        .iter()
        .find_map(|k| q.get(*k).filter(|v| !v.is_empty()).map(|v| (*k, v)))
    else {
        return Ok(None);
    };
    raw.parse()
        .map(Some)
        .map_err(|_| invalid(key, &format!("{key} must be an integer")))
}

/// `GET /v1.0/report/users/sendAndReceiveLists?operationUserId*&startTime*&endTime*&nextToken*&maxResults*`.
async fn send_and_receive(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    let user = q
        .get("operationUserId")
        .filter(|u| !u.is_empty())
        .ok_or_else(|| crate::products::missing("operationUserId"))?;
    if shared.org.user(user).is_none() {
        return Err(not_found("user", &format!("user {user} not found")));
    }
    let start = int_query(&q, &["startTime"])?.ok_or_else(|| crate::products::missing("startTime"))?;
    let end = int_query(&q, &["endTime"])?.ok_or_else(|| crate::products::missing("endTime"))?;
    if end <= start || end - start > MAX_WINDOW_MS {
        return Err(invalid(
            "endTime",
            "endTime must follow startTime by at most 180 days",
        ));
    }
    let offset = int_query(&q, &["nextToken"])?.ok_or_else(|| crate::products::missing("nextToken"))?;
    let size = int_query(&q, &["maxResults"])?.ok_or_else(|| crate::products::missing("maxResults"))?;
    if offset < 0 || !(1..=MAX_PAGE).contains(&size) {
        return Err(invalid("maxResults", "maxResults is 1 to 20"));
    }
    let st = shared.products.lock();
    let hits: Vec<&ReportRec> = st
        .report
        .reports
        .iter()
        .filter(|r| (start..end).contains(&r.create_ms))
        .collect();
    let (items, next) = crate::products::page(
        &hits,
        usize::try_from(offset).unwrap_or(usize::MAX),
        usize::try_from(size).unwrap_or(1),
    );
    let list: Vec<Value> = items
        .iter()
        .map(|r| {
            json!({
                "reportId": r.id, "templateName": r.template, "creatorId": r.creator,
                "creatorName": creator_name(&shared, &r.creator), "createTime": r.create_ms,
            })
        })
        .collect();
    Ok(envelope::ok(&json!({
        "dataList": list, "hasMore": next.is_some(), "nextToken": next.unwrap_or(0), "maxResults": size,
    })))
}
