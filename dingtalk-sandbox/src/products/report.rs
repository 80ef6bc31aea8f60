//! Report (daily/weekly log) twins: templates (offset), reports (cursor, `size` ≤ 20, window ≤ 180 days) and
//! create (template exists, `contents` keys are template fields, author exists). [`reads`] serves one report's
//! detail and statistics, a template by name and the sent-and-received list.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use serde_json::{Value, json};

use super::{Reply, int, legacy_body, legacy_ok};
use crate::envelope;
use crate::org::Org;
use crate::state::Shared;

mod reads;

const MAX_WINDOW_MS: i64 = 180 * 86_400_000;
const MAX_PAGE: i64 = 20;
const MAX_TEMPLATE_PAGE: i64 = 100;

/// `(id, name, fields)`.
const TEMPLATES: [(&str, &str, &[&str]); 3] = [
    ("tplSandboxDaily001", "日报", &["今日完成", "明日计划"]),
    ("tplSandboxWeekly002", "周报", &["本周完成", "下周计划", "需协调"]),
    (
        "tplSandboxIncident003",
        "Incident review",
        &["Summary", "Impact", "Follow-ups"],
    ),
];

/// One report.
#[derive(Debug, Clone)]
pub(crate) struct ReportRec {
    id: String,
    template: &'static str,
    creator: String,
    create_ms: i64,
    contents: Vec<(String, String)>,
}

/// The report store.
#[derive(Debug, Default)]
pub(crate) struct Reports {
    reports: Vec<ReportRec>,
}

impl Reports {
    /// 25 daily reports, one a day from 2026-03-01, written in turn by the first five users.
    pub(crate) fn seed(org: &Org) -> Self {
        let base = 1_772_355_600_000; // 2026-03-01T09:00Z
        let reports = (0..25_i64)
            .map(|i| ReportRec {
                id: format!("reportSandbox{:04}", i + 1),
                template: TEMPLATES[0].1,
                creator: org
                    .users
                    .get(usize::try_from(i % 5).unwrap_or(0))
                    .map(|u| u.user_id.clone())
                    .unwrap_or_default(),
                create_ms: base + i * 86_400_000,
                contents: vec![
                    ("今日完成".into(), format!("Finished item {}", i + 1)),
                    ("明日计划".into(), format!("Plan item {}", i + 2)),
                ],
            })
            .collect();
        Self { reports }
    }
}

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/topapi/report/template/listbyuserid", post(templates))
        .route("/topapi/report/list", post(list))
        .route("/topapi/report/create", post(create))
        .merge(reads::routes())
}

fn bad(message: &str) -> Response {
    envelope::legacy_error(40035, &format!("不合法的参数: {message}"))
}

fn no_template(name: &str) -> Response {
    envelope::legacy_error(400_002, &format!("日志模板不存在: {name}"))
}

fn user_not_found() -> Response {
    envelope::legacy_error(60121, "找不到该用户")
}

/// `POST /topapi/report/template/listbyuserid {userid, offset, size ≤ 100}`.
async fn templates(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = legacy_body(&body);
    if let Some(u) = envelope::opt_str(&map, "userid")
        && shared.org.user(u).is_none()
    {
        return Err(user_not_found());
    }
    let offset = int(map.get("offset")).unwrap_or(0);
    let size = int(map.get("size")).unwrap_or(MAX_TEMPLATE_PAGE);
    if offset < 0 || !(1..=MAX_TEMPLATE_PAGE).contains(&size) {
        return Err(bad("size 取值 1..100"));
    }
    let (items, next) = super::page(
        &TEMPLATES,
        usize::try_from(offset).unwrap_or(usize::MAX),
        usize::try_from(size).unwrap_or(1),
    );
    let list: Vec<Value> = items
        .iter()
        .map(|(id, name, _)| {
            json!({
                "name": name, "report_code": id, "icon_url": "https://sandbox.invalid/report.png",
                "url": format!("https://sandbox.invalid/report/{id}"),
            })
        })
        .collect();
    let mut result = json!({"template_list": list});
    if let Some(next) = next {
        result["next_cursor"] = json!(next);
    }
    Ok(legacy_ok(result))
}

/// `POST /topapi/report/list {start_time*, end_time*, cursor*, size*, template_name, userid}`.
async fn list(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = legacy_body(&body);
    let start = int(map.get("start_time")).ok_or_else(|| bad("缺少参数 start_time"))?;
    let end = int(map.get("end_time")).ok_or_else(|| bad("缺少参数 end_time"))?;
    if end <= start || end.saturating_sub(start) > MAX_WINDOW_MS {
        return Err(bad("时间范围不能超过180天"));
    }
    let cursor = int(map.get("cursor")).unwrap_or(0);
    let size = int(map.get("size")).ok_or_else(|| bad("缺少参数 size"))?;
    if cursor < 0 || !(1..=MAX_PAGE).contains(&size) {
        return Err(bad("size 取值 1..20"));
    }
    let template = envelope::opt_str(&map, "template_name").filter(|t| !t.is_empty());
    if let Some(t) = template
        && !TEMPLATES.iter().any(|x| x.1 == t)
    {
        return Err(no_template(t));
    }
    let user = envelope::opt_str(&map, "userid").filter(|u| !u.is_empty());
    if let Some(u) = user
        && shared.org.user(u).is_none()
    {
        return Err(user_not_found());
    }
    let st = shared.products.lock();
    let hits: Vec<&ReportRec> = st
        .report
        .reports
        .iter()
        .filter(|r| r.create_ms >= start && r.create_ms < end)
        .filter(|r| template.is_none_or(|t| r.template == t))
        .filter(|r| user.is_none_or(|u| r.creator == u))
        .collect();
    let (items, next) = super::page(
        &hits,
        usize::try_from(cursor).unwrap_or(usize::MAX),
        usize::try_from(size).unwrap_or(1),
    );
    let data: Vec<Value> = items
        .iter()
        .map(|r| {
            let creator = shared.org.user(&r.creator);
            let dept = creator
                .and_then(|c| shared.org.departments.iter().find(|d| d.dept_id == c.dept_id))
                .map(|d| d.name.clone());
            let contents: Vec<Value> = r
                .contents
                .iter()
                .enumerate()
                .map(|(i, (k, v))| json!({"key": k, "sort": i.to_string(), "type": "1", "value": v}))
                .collect();
            json!({
                "report_id": r.id, "template_name": r.template, "creator_id": r.creator,
                "creator_name": creator.map(|c| c.name.clone()), "dept_name": dept,
                "create_time": r.create_ms, "remark": "", "contents": contents,
            })
        })
        .collect();
    let mut result = json!({"data_list": data, "has_more": next.is_some(), "size": size});
    if let Some(next) = next {
        result["next_cursor"] = json!(next);
    }
    Ok(legacy_ok(result))
}

/// `POST /topapi/report/create {create_report_param{template_id*, userid*, contents*, to_userids, to_chat, dd_from}}`.
async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = legacy_body(&body);
    let param = match map.get("create_report_param") {
        Some(Value::Object(p)) => p.clone(),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(p)) => p,
            _ => return Err(bad("create_report_param 不是合法的JSON")),
        },
        _ => return Err(bad("缺少参数 create_report_param")),
    };
    let template_id = envelope::opt_str(&param, "template_id")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| bad("缺少参数 template_id"))?;
    let user = envelope::opt_str(&param, "userid")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| bad("缺少参数 userid"))?;
    let template = TEMPLATES
        .iter()
        .find(|t| t.0 == template_id)
        .ok_or_else(|| no_template(template_id))?;
    if shared.org.user(user).is_none() {
        return Err(user_not_found());
    }
    for id in super::str_list(&param, "to_userids").map_err(|_| bad("to_userids 必须是字符串数组"))? {
        if shared.org.user(&id).is_none() {
            return Err(user_not_found());
        }
    }
    let Some(Value::Array(raw)) = param.get("contents") else {
        return Err(bad("缺少参数 contents"));
    };
    let mut contents = Vec::new();
    for c in raw {
        let key = c.get("key").and_then(Value::as_str).unwrap_or_default();
        if !template.2.contains(&key) {
            return Err(bad(&format!("模板中不存在字段: {key}")));
        }
        let content = c.get("content").and_then(Value::as_str).unwrap_or_default();
        contents.push((key.to_owned(), content.to_owned()));
    }
    if contents.is_empty() {
        return Err(bad("缺少参数 contents"));
    }
    let now = i64::try_from(shared.clock.epoch_ms()).unwrap_or(0);
    let mut st = shared.products.lock();
    let id = st.next_id("report");
    st.report.reports.push(ReportRec {
        id: id.clone(),
        template: template.1,
        creator: user.to_owned(),
        create_ms: now,
        contents,
    });
    Ok(legacy_ok(json!(id)))
}
