//! `GET /v1.0/workflow/processes/userVisibilities/templates?userId&maxResults&nextToken` (the templates a user may
//! start) and `GET /v1.0/workflow/workRecords/todoTasks?userId*&status&maxResults&nextToken` (running tasks whose
//! approver is the user). Both page by an integer `nextToken` (an offset) and answer `{result{…, nextToken}}`.
//! `todoTasks` requires `nextToken` and `maxResults`, as DingTalk documents (`MissingParameter.<key>` without
//! them). Lenient where unverified: the template list defaults `maxResults` to 20 and `nextToken` to 0 when
//! absent, and `status` other than 0 (pending) answers an empty list.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use crate::envelope;
use crate::products::{Reply, invalid, missing};
use crate::state::Shared;

const MAX_RESULTS: usize = 100;
const DEFAULT_RESULTS: usize = 20;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/v1.0/workflow/processes/userVisibilities/templates",
            get(templates),
        )
        .route("/v1.0/workflow/workRecords/todoTasks", get(todo_tasks))
}

/// `(offset, size)` from `nextToken` and `maxResults`.
fn paging(q: &HashMap<String, String>) -> Result<(usize, usize), Response> {
    let read = |key: &str, default: usize| -> Result<usize, Response> {
        match q.get(key).filter(|v| !v.is_empty()) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| invalid(key, &format!("{key} must be a non-negative integer"))),
        }
    };
    let offset = read("nextToken", 0)?;
    let size = read("maxResults", DEFAULT_RESULTS)?;
    if !(1..=MAX_RESULTS).contains(&size) {
        return Err(invalid("maxResults", "maxResults is 1 to 100"));
    }
    Ok((offset, size))
}

/// The `userId` query: required, a known userId.
fn user<'a>(shared: &Shared, q: &'a HashMap<String, String>) -> Result<&'a str, Response> {
    let id = q
        .get("userId")
        .filter(|u| !u.is_empty())
        .ok_or_else(|| missing("userId"))?;
    if shared.org.user(id).is_none() {
        return Err(invalid("userId", &format!("user {id} not found")));
    }
    Ok(id)
}

fn page_result(key: &str, items: &[Value], next: Option<usize>) -> Response {
    let mut result = json!({ key: items });
    if let Some(next) = next {
        result["nextToken"] = json!(next);
    }
    envelope::ok(&json!({"result": result, "success": true}))
}

/// `GET …/userVisibilities/templates`: every seeded template is visible to every user.
async fn templates(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Reply {
    if q.contains_key("userId") {
        user(&shared, &q)?;
    }
    let (offset, size) = paging(&q)?;
    let st = shared.products.lock();
    let all: Vec<Value> = st
        .workflow
        .processes
        .iter()
        .map(|p| {
            json!({
                "processCode": p.code, "name": p.name, "dirName": "Sandbox",
                "iconUrl": "https://sandbox.invalid/approval.png",
                "url": format!("https://sandbox.invalid/approval/{}", p.code),
            })
        })
        .collect();
    let (items, next) = crate::products::page(&all, offset, size);
    Ok(page_result("processList", &items, next))
}

/// `GET /v1.0/workflow/workRecords/todoTasks`: the user's RUNNING tasks, oldest first.
async fn todo_tasks(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Reply {
    let me = user(&shared, &q)?.to_owned();
    for key in ["nextToken", "maxResults"] {
        if q.get(key).is_none_or(String::is_empty) {
            return Err(missing(key));
        }
    }
    let (offset, size) = paging(&q)?;
    let pending = match q.get("status").filter(|s| !s.is_empty()) {
        None => true,
        Some(s) => {
            s.parse::<i64>()
                .map_err(|_| invalid("status", "status must be an integer"))?
                == 0
        }
    };
    let st = shared.products.lock();
    let all: Vec<Value> = st
        .workflow
        .instances
        .values()
        .filter(|_| pending)
        .flat_map(|inst| {
            let me = me.clone();
            inst.tasks
                .iter()
                .filter(move |t| t.user_id == me && t.status == "RUNNING")
                .map(move |t| {
                    json!({
                        "taskId": t.task_id, "instanceId": inst.id, "title": inst.title,
                        "url": format!("https://sandbox.invalid/approval/task/{}", t.task_id),
                        "forms": inst.values.iter().map(|(k, v)| json!({"title": k, "content": v})).collect::<Vec<_>>(),
                    })
                })
        })
        .collect();
    let (items, next) = crate::products::page(&all, offset, size);
    Ok(page_result("list", &items, next))
}
