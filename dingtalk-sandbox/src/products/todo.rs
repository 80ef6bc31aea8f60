//! Todo twins on `/v1.0/todo/users/{unionId}/…`: every id (path owner, `operatorId`, executors, participants) is a
//! unionId; `subject` is required and at most 1024 characters.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{post, put};
use serde_json::{Value, json};

use super::{Obj, Reply, invalid, new_body, not_found, union_user};
use crate::envelope;
use crate::org::Org;
use crate::state::Shared;

const MAX_SUBJECT: usize = 1024;
const MAX_DESCRIPTION: usize = 4096;
const DEFAULT_PAGE: usize = 10;

/// One task.
#[derive(Debug, Clone)]
pub(crate) struct TaskRec {
    id: String,
    subject: String,
    description: Option<String>,
    due_time: Option<i64>,
    done: bool,
    finish_time: Option<i64>,
    creator: String,
    created: i64,
    modified: i64,
    executors: Vec<String>,
    executors_done: Vec<String>,
    participants: Vec<String>,
    priority: i64,
    source_id: Option<String>,
}

/// The task store.
#[derive(Debug, Default)]
pub(crate) struct Todos {
    tasks: BTreeMap<String, TaskRec>,
}

impl Todos {
    /// Three tasks created by user001 for user001 and user002.
    pub(crate) fn seed(org: &Org) -> Self {
        let union = |i: usize| org.users.get(i).map(|u| u.union_id.clone()).unwrap_or_default();
        let created = 1_774_000_000_000;
        let subjects = [
            "Review the release notes",
            "Renew the TLS certificate",
            "Book the offsite",
        ];
        let tasks = subjects
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let id = format!("taskSandbox{:04}", i + 1);
                let offset = i64::try_from(i).unwrap_or(0);
                let rec = TaskRec {
                    id: id.clone(),
                    subject: (*s).to_owned(),
                    description: None,
                    due_time: Some(created + (offset + 1) * 86_400_000),
                    done: i == 2,
                    finish_time: (i == 2).then_some(created + 3_600_000),
                    creator: union(0),
                    created: created + offset,
                    modified: created + offset,
                    executors: vec![union(0), union(1)],
                    executors_done: Vec::new(),
                    participants: vec![union(2)],
                    priority: 20,
                    source_id: None,
                };
                (id, rec)
            })
            .collect();
        Self { tasks }
    }

    /// Task `id` if `me` may see it, else DingTalk's "task not found".
    fn find(&self, id: &str, me: &str) -> Result<&TaskRec, Response> {
        self.tasks
            .get(id)
            .filter(|t| t.visible_to(me))
            .ok_or_else(|| no_task(id))
    }

    /// [`Todos::find`], for changing the task.
    fn find_mut(&mut self, id: &str, me: &str) -> Result<&mut TaskRec, Response> {
        self.tasks
            .get_mut(id)
            .filter(|t| t.visible_to(me))
            .ok_or_else(|| no_task(id))
    }
}

impl TaskRec {
    fn visible_to(&self, union_id: &str) -> bool {
        self.creator == union_id
            || self.executors.iter().any(|e| e == union_id)
            || self.participants.iter().any(|p| p == union_id)
    }

    fn json(&self) -> Value {
        json!({
            "id": self.id, "subject": self.subject, "description": self.description, "done": self.done,
            "dueTime": self.due_time, "finishTime": self.finish_time, "creatorId": self.creator,
            "modifierId": self.creator, "createdTime": self.created, "modifiedTime": self.modified,
            "executorIds": self.executors, "participantIds": self.participants, "priority": self.priority,
            "sourceId": self.source_id, "bizTag": "sandbox", "requestId": envelope::request_id(),
        })
    }
}

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1.0/todo/users/{user}/tasks", post(create))
        .route(
            "/v1.0/todo/users/{user}/tasks/{task}",
            put(update).get(get_one).delete(delete),
        )
        .route(
            "/v1.0/todo/users/{user}/tasks/{task}/executorStatus",
            put(executor_status),
        )
        .route("/v1.0/todo/users/{user}/organizations/tasks/query", post(list))
}

/// The path owner and the `operatorId` query, both unionIds.
fn actors(shared: &Shared, user: &str, q: &HashMap<String, String>) -> Result<String, Response> {
    let me = union_user(shared, "unionId", user)?.union_id.clone();
    let operator = q
        .get("operatorId")
        .filter(|o| !o.is_empty())
        .ok_or_else(|| super::missing("operatorId"))?;
    union_user(shared, "operatorId", operator)?;
    Ok(me)
}

fn unions(shared: &Shared, map: &Obj, key: &str) -> Result<Option<Vec<String>>, Response> {
    if map.get(key).is_none_or(Value::is_null) {
        return Ok(None);
    }
    let ids = super::str_list(map, key)?;
    for id in &ids {
        union_user(shared, key, id)?;
    }
    Ok(Some(ids))
}

fn check_text(map: &Obj, key: &str, max: usize) -> Result<Option<String>, Response> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() > max => {
            Err(invalid(key, &format!("{key} is at most {max} characters")))
        }
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(key, &format!("{key} must be a string"))),
    }
}

fn no_task(id: &str) -> Response {
    not_found("taskId", &format!("task {id} not found"))
}

/// `POST /v1.0/todo/users/{unionId}/tasks?operatorId= {subject*, …}`.
async fn create(
    State(shared): State<Arc<Shared>>,
    Path(user): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Reply {
    let me = actors(&shared, &user, &q)?;
    let map = new_body(&body)?;
    let subject = check_text(&map, "subject", MAX_SUBJECT)?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| super::missing("subject"))?;
    let description = check_text(&map, "description", MAX_DESCRIPTION)?;
    let executors = unions(&shared, &map, "executorIds")?.unwrap_or_default();
    let participants = unions(&shared, &map, "participantIds")?.unwrap_or_default();
    let now = i64::try_from(shared.clock.epoch_ms()).unwrap_or(0);
    let mut st = shared.products.lock();
    let id = st.next_id("task");
    let rec = TaskRec {
        id: id.clone(),
        subject,
        description,
        due_time: super::opt_int(&map, "dueTime")?,
        done: false,
        finish_time: None,
        creator: me,
        created: now,
        modified: now,
        executors,
        executors_done: Vec::new(),
        participants,
        priority: super::opt_int(&map, "priority")?.unwrap_or(20),
        source_id: envelope::opt_str(&map, "sourceId").map(str::to_owned),
    };
    let body = rec.json();
    st.todo.tasks.insert(id, rec);
    Ok(envelope::ok(&body))
}

/// `GET /v1.0/todo/users/{unionId}/tasks/{taskId}`.
async fn get_one(State(shared): State<Arc<Shared>>, Path((user, task)): Path<(String, String)>) -> Reply {
    let me = union_user(&shared, "unionId", &user)?.union_id.clone();
    let st = shared.products.lock();
    let rec = st.todo.find(&task, &me)?;
    Ok(envelope::ok(&rec.json()))
}

/// `PUT /v1.0/todo/users/{unionId}/tasks/{taskId}?operatorId=` (patch).
async fn update(
    State(shared): State<Arc<Shared>>,
    Path((user, task)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Reply {
    let me = actors(&shared, &user, &q)?;
    let map = new_body(&body)?;
    let subject = check_text(&map, "subject", MAX_SUBJECT)?;
    if subject.as_deref() == Some("") {
        return Err(invalid("subject", "subject must not be empty"));
    }
    let description = check_text(&map, "description", MAX_DESCRIPTION)?;
    let executors = unions(&shared, &map, "executorIds")?;
    let participants = unions(&shared, &map, "participantIds")?;
    let due = super::opt_int(&map, "dueTime")?;
    let now = i64::try_from(shared.clock.epoch_ms()).unwrap_or(0);
    let mut st = shared.products.lock();
    let rec = st.todo.find_mut(&task, &me)?;
    if let Some(s) = subject {
        rec.subject = s;
    }
    if description.is_some() {
        rec.description = description;
    }
    if due.is_some() {
        rec.due_time = due;
    }
    if let Some(e) = executors {
        rec.executors = e;
    }
    if let Some(p) = participants {
        rec.participants = p;
    }
    if let Some(done) = map.get("done").and_then(Value::as_bool) {
        rec.done = done;
        rec.finish_time = done.then_some(now);
    }
    rec.modified = now;
    Ok(envelope::ok(
        &json!({"result": true, "requestId": envelope::request_id()}),
    ))
}

/// `PUT …/tasks/{taskId}/executorStatus?operatorId= {executorStatusList*[{id, isDone}]}`: every executor done ⇒ done.
async fn executor_status(
    State(shared): State<Arc<Shared>>,
    Path((user, task)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Reply {
    let me = actors(&shared, &user, &q)?;
    let map = new_body(&body)?;
    let Some(Value::Array(list)) = map.get("executorStatusList") else {
        return Err(super::missing("executorStatusList"));
    };
    if list.is_empty() {
        return Err(super::missing("executorStatusList"));
    }
    let now = i64::try_from(shared.clock.epoch_ms()).unwrap_or(0);
    let mut st = shared.products.lock();
    let rec = st.todo.find_mut(&task, &me)?;
    for item in list {
        let id = item.get("id").and_then(Value::as_str).unwrap_or_default();
        if !rec.executors.iter().any(|e| e == id) {
            return Err(invalid("executorStatusList", &format!("{id} is not an executor")));
        }
        let done = item.get("isDone").and_then(Value::as_bool).unwrap_or(false);
        rec.executors_done.retain(|e| e != id);
        if done {
            rec.executors_done.push(id.to_owned());
        }
    }
    rec.done = !rec.executors.is_empty() && rec.executors.iter().all(|e| rec.executors_done.contains(e));
    rec.finish_time = rec.done.then_some(now);
    rec.modified = now;
    Ok(envelope::ok(&json!({"result": true})))
}

/// `DELETE …/tasks/{taskId}?operatorId=`.
async fn delete(
    State(shared): State<Arc<Shared>>,
    Path((user, task)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    let me = actors(&shared, &user, &q)?;
    let mut st = shared.products.lock();
    st.todo.find(&task, &me)?;
    st.todo.tasks.remove(&task);
    Ok(envelope::ok(
        &json!({"result": true, "requestId": envelope::request_id()}),
    ))
}

/// `POST /v1.0/todo/users/{unionId}/organizations/tasks/query {nextToken, maxResults, isDone, roleTypes,
/// fromDueTime, toDueTime, subject}`.
async fn list(State(shared): State<Arc<Shared>>, Path(user): Path<String>, body: Bytes) -> Reply {
    let me = union_user(&shared, "unionId", &user)?.union_id.clone();
    let map = new_body(&body)?;
    let size = match super::opt_int(&map, "maxResults")? {
        None => DEFAULT_PAGE,
        Some(n) => usize::try_from(n)
            .ok()
            .filter(|n| (1..=50).contains(n))
            .ok_or_else(|| invalid("maxResults", "maxResults is 1 to 50"))?,
    };
    let offset = super::token_offset(envelope::opt_str(&map, "nextToken"))?;
    let mut roles: Vec<String> = Vec::new();
    if let Some(Value::Array(groups)) = map.get("roleTypes") {
        for group in groups {
            for role in group.as_array().into_iter().flatten() {
                match role.as_str() {
                    Some(r @ ("executor" | "creator" | "participant")) => roles.push(r.to_owned()),
                    _ => return Err(invalid("roleTypes", "roleTypes: executor, creator, participant")),
                }
            }
        }
    }
    let is_done = map.get("isDone").and_then(Value::as_bool);
    let from_due = super::opt_int(&map, "fromDueTime")?;
    let to_due = super::opt_int(&map, "toDueTime")?;
    let subject = envelope::opt_str(&map, "subject").filter(|s| !s.is_empty());
    let st = shared.products.lock();
    let mut cards: Vec<&TaskRec> = st
        .todo
        .tasks
        .values()
        .filter(|t| {
            let has = |r: &str| match r {
                "creator" => t.creator == me,
                "executor" => t.executors.contains(&me),
                _ => t.participants.contains(&me),
            };
            if roles.is_empty() {
                t.visible_to(&me)
            } else {
                roles.iter().any(|r| has(r))
            }
        })
        .filter(|t| is_done.is_none_or(|d| t.done == d))
        .filter(|t| from_due.is_none_or(|f| t.due_time.is_some_and(|d| d >= f)))
        .filter(|t| to_due.is_none_or(|f| t.due_time.is_some_and(|d| d <= f)))
        .filter(|t| subject.is_none_or(|s| t.subject.contains(s)))
        .collect();
    cards.sort_by_key(|t| (t.created, t.id.clone()));
    let (items, next) = super::page(&cards, offset, size);
    let cards: Vec<Value> = items
        .iter()
        .map(|t| {
            json!({
                "taskId": t.id, "subject": t.subject, "dueTime": t.due_time, "isDone": t.done,
                "priority": t.priority, "creatorId": t.creator, "createdTime": t.created,
                "modifiedTime": t.modified, "sourceId": t.source_id, "bizTag": "sandbox",
            })
        })
        .collect();
    Ok(envelope::ok(&json!({
        "todoCards": cards, "nextToken": super::next_token(next), "maxResults": size,
    })))
}
