//! OA approval twins: form schemas, instances (RUNNING → COMPLETED/TERMINATED), tasks (approve, refuse,
//! redirect) and instance-id paging. `processCode` must exist (`processCodeError`), form values must name schema
//! labels (`formConverterError`), `taskId` is an integer that belongs to the actioner. [`lists`] serves the
//! templates a user may start and the approvals waiting for a user.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::time::iso_utc_minutes;
use super::{Reply, invalid, new_body, req_str};
use crate::envelope;
use crate::org::Org;
use crate::state::Shared;

mod lists;

const MAX_FORM_VALUES: usize = 150;
const MAX_PAGE: i64 = 20;

/// One form component: `(componentName, id, label, required)`.
type Component = (&'static str, &'static str, &'static str, bool);

/// A seeded approval template.
#[derive(Debug, Clone)]
pub(crate) struct Process {
    code: &'static str,
    name: &'static str,
    components: Vec<Component>,
}

/// One approval task.
#[derive(Debug, Clone)]
struct TaskRec {
    task_id: i64,
    user_id: String,
    status: &'static str,
    result: &'static str,
    create_ms: i64,
    finish_ms: Option<i64>,
}

/// One instance.
#[derive(Debug, Clone)]
struct InstanceRec {
    id: String,
    process_code: String,
    title: String,
    business_id: String,
    originator: String,
    dept_id: i64,
    status: &'static str,
    result: &'static str,
    create_ms: i64,
    finish_ms: Option<i64>,
    values: Vec<(String, String)>,
    cc: Vec<String>,
    tasks: Vec<TaskRec>,
    records: Vec<Value>,
}

/// Templates and instances.
#[derive(Debug, Default)]
pub(crate) struct Approvals {
    processes: Vec<Process>,
    instances: BTreeMap<String, InstanceRec>,
    next_task: i64,
}

fn processes() -> Vec<Process> {
    vec![
        Process {
            code: "PROC-SANDBOX-LEAVE",
            name: "Leave request",
            components: vec![
                ("DDSelectField", "DDSelectField-leave-type", "Leave type", true),
                ("DDDateField", "DDDateField-start", "Start date", true),
                ("DDDateField", "DDDateField-end", "End date", true),
                ("TextareaField", "TextareaField-reason", "Reason", false),
            ],
        },
        Process {
            code: "PROC-SANDBOX-EXPENSE",
            name: "Expense claim",
            components: vec![
                ("MoneyField", "MoneyField-amount", "Amount", true),
                ("TextField", "TextField-purpose", "Purpose", true),
            ],
        },
    ]
}

impl Approvals {
    /// The two templates and five finished or running leave requests from March 2026.
    pub(crate) fn seed(org: &Org) -> Self {
        let mut me = Self {
            processes: processes(),
            instances: BTreeMap::new(),
            next_task: 70_000_000_001,
        };
        let base = 1_772_323_200_000; // 2026-03-01T00:00Z
        for i in 0..5_i64 {
            let originator = org
                .users
                .get(usize::try_from(i + 2).unwrap_or(0))
                .map(|u| (u.user_id.clone(), u.dept_id))
                .unwrap_or_default();
            let values = vec![
                ("Leave type".to_owned(), "Annual".to_owned()),
                ("Start date".to_owned(), format!("2026-03-{:02}", 10 + i)),
                ("End date".to_owned(), format!("2026-03-{:02}", 11 + i)),
            ];
            let id = format!("procInstSandbox{:04}", i + 1);
            let mut inst = me.new_instance(
                &id,
                "PROC-SANDBOX-LEAVE",
                &originator.0,
                originator.1,
                values,
                base + i * 86_400_000,
            );
            if i < 2 {
                inst.status = "COMPLETED";
                inst.result = "agree";
                inst.finish_ms = Some(inst.create_ms + 3_600_000);
                if let Some(t) = inst.tasks.first_mut() {
                    t.status = "COMPLETED";
                    t.result = "AGREE";
                    t.finish_ms = inst.finish_ms;
                }
            }
            me.instances.insert(id, inst);
        }
        me
    }

    fn new_instance(
        &mut self,
        id: &str,
        code: &str,
        originator: &str,
        dept_id: i64,
        values: Vec<(String, String)>,
        now_ms: i64,
    ) -> InstanceRec {
        let approver = if originator == "user001" {
            "user002"
        } else {
            "user001"
        };
        let task_id = self.next_task;
        self.next_task += 1;
        let name = self
            .processes
            .iter()
            .find(|p| p.code == code)
            .map_or("", |p| p.name);
        InstanceRec {
            id: id.to_owned(),
            process_code: code.to_owned(),
            title: format!("{originator} 提交的{name}"),
            business_id: format!("2026{:011}", task_id % 100_000_000_000),
            originator: originator.to_owned(),
            dept_id,
            status: "RUNNING",
            result: "",
            create_ms: now_ms,
            finish_ms: None,
            values,
            cc: Vec::new(),
            tasks: vec![TaskRec {
                task_id,
                user_id: approver.to_owned(),
                status: "RUNNING",
                result: "NONE",
                create_ms: now_ms,
                finish_ms: None,
            }],
            records: vec![json!({
                "userId": originator, "date": iso_utc_minutes(now_ms), "type": "START_PROCESS_INSTANCE",
                "result": "NONE",
            })],
        }
    }
}

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1.0/workflow/forms/schemas/processCodes", get(schema))
        .route("/v1.0/workflow/processInstances", post(create).get(get_one))
        .route("/v1.0/workflow/processes/instanceIds/query", post(list_ids))
        .route("/v1.0/workflow/processInstances/execute", post(execute))
        .route("/v1.0/workflow/tasks/redirect", post(redirect))
        .route("/v1.0/workflow/processInstances/terminate", post(terminate))
        .merge(lists::routes())
}

fn process_code_error(code: &str) -> Response {
    envelope::bad_param("processCodeError", &format!("模板processCode不存在: {code}"))
}

fn no_instance() -> Response {
    envelope::bad_param("processInstanceInvalidParameter", "审批实例不存在")
}

fn user_exists(shared: &Shared, key: &str, id: &str) -> Result<(), Response> {
    if shared.org.user(id).is_some() {
        Ok(())
    } else {
        Err(envelope::api_error(
            axum::http::StatusCode::NOT_FOUND,
            "invalidParameter.user.notFound",
            &format!("{key}: user {id} not found"),
        ))
    }
}

fn task_id(map: &super::Obj, key: &str) -> Result<i64, Response> {
    match map.get(key) {
        None | Some(Value::Null) => Err(super::missing(key)),
        Some(Value::Number(n)) => n.as_i64().ok_or_else(|| invalid(key, "taskId must be an int64")),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map_err(|_| invalid(key, "taskId must be an int64")),
        Some(_) => Err(invalid(key, "taskId must be an int64")),
    }
}

/// `GET /v1.0/workflow/forms/schemas/processCodes?processCode=`.
async fn schema(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Reply {
    let code = q
        .get("processCode")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| super::missing("processCode"))?;
    let st = shared.products.lock();
    let p = st
        .workflow
        .processes
        .iter()
        .find(|p| p.code == code)
        .ok_or_else(|| process_code_error(code))?;
    let items: Vec<Value> = p
        .components
        .iter()
        .map(|(component, id, label, required)| {
            json!({"componentName": component, "props": {"id": id, "label": label, "required": required}})
        })
        .collect();
    Ok(envelope::ok(&json!({
        "result": {
            "name": p.name, "formCode": p.code,
            "schemaContent": {"title": p.name, "items": items},
        },
    })))
}

/// `POST /v1.0/workflow/processInstances {processCode*, originatorUserId*, formComponentValues*, deptId, ccList}`.
async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = new_body(&body)?;
    let code = req_str(&map, "processCode")?.to_owned();
    let originator = req_str(&map, "originatorUserId")?.to_owned();
    let Some(Value::Array(raw)) = map.get("formComponentValues") else {
        return Err(super::missing("formComponentValues"));
    };
    if raw.is_empty() || raw.len() > MAX_FORM_VALUES {
        return Err(invalid(
            "formComponentValues",
            "formComponentValues holds 1 to 150 values",
        ));
    }
    let cc = super::str_list(&map, "ccList")?;
    if cc.len() > 50 {
        return Err(invalid("ccList", "ccList holds at most 50 users"));
    }
    let origin_user = shared.org.user(&originator).map(|u| u.dept_id);
    user_exists(&shared, "originatorUserId", &originator)?;
    for id in &cc {
        user_exists(&shared, "ccList", id)?;
    }
    let dept_id = match super::opt_int(&map, "deptId")? {
        None | Some(-1) => origin_user.unwrap_or(1),
        Some(d) if shared.org.departments.iter().any(|x| x.dept_id == d) => d,
        Some(d) => return Err(invalid("deptId", &format!("部门不存在: {d}"))),
    };
    let mut st = shared.products.lock();
    let process = st
        .workflow
        .processes
        .iter()
        .find(|p| p.code == code)
        .cloned()
        .ok_or_else(|| process_code_error(&code))?;
    let mut values = Vec::new();
    for v in raw {
        let (Some(name), Some(value)) = (
            v.get("name").and_then(Value::as_str),
            v.get("value").and_then(Value::as_str),
        ) else {
            return Err(envelope::bad_param(
                "formConverterError",
                "formComponentValues[].name and value are strings",
            ));
        };
        if !process.components.iter().any(|c| c.2 == name) {
            return Err(envelope::bad_param(
                "formConverterError",
                &format!("表单组件不存在: {name}"),
            ));
        }
        values.push((name.to_owned(), value.to_owned()));
    }
    if let Some(c) = process
        .components
        .iter()
        .find(|c| c.3 && !values.iter().any(|(n, v)| n == c.2 && !v.is_empty()))
    {
        return Err(envelope::bad_param(
            "formConverterError",
            &format!("必填表单组件为空: {}", c.2),
        ));
    }
    let now = i64::try_from(shared.clock.epoch_ms()).unwrap_or(0);
    let n = st.next_number();
    let id = format!("procInst{n:08}{:016x}", n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut inst = st
        .workflow
        .new_instance(&id, &code, &originator, dept_id, values, now);
    inst.cc = cc;
    st.workflow.instances.insert(id.clone(), inst);
    Ok(envelope::ok(&json!({"instanceId": id})))
}

/// `GET /v1.0/workflow/processInstances?processInstanceId=`.
async fn get_one(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Reply {
    let id = q
        .get("processInstanceId")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| super::missing("processInstanceId"))?;
    let st = shared.products.lock();
    let inst = st.workflow.instances.get(id).ok_or_else(no_instance)?;
    let tasks: Vec<Value> = inst
        .tasks
        .iter()
        .map(|t| {
            json!({
                "taskId": t.task_id, "userId": t.user_id, "status": t.status, "result": t.result,
                "activityId": "approve-1", "createTime": iso_utc_minutes(t.create_ms),
                "finishTime": t.finish_ms.map(iso_utc_minutes),
                "pcUrl": format!("{}/_sandbox/approval/{}", shared.base_url, t.task_id),
                "mobileUrl": format!("{}/_sandbox/approval/{}", shared.base_url, t.task_id),
            })
        })
        .collect();
    let values: Vec<Value> = inst
        .values
        .iter()
        .map(|(n, v)| json!({"name": n, "value": v, "componentType": "TextField"}))
        .collect();
    Ok(envelope::ok(&json!({
        "success": "true",
        "result": {
            "title": inst.title, "businessId": inst.business_id, "originatorUserId": inst.originator,
            "originatorDeptId": inst.dept_id.to_string(), "status": inst.status, "result": inst.result,
            "createTime": iso_utc_minutes(inst.create_ms), "finishTime": inst.finish_ms.map(iso_utc_minutes),
            "approverUserIds": inst.tasks.iter().map(|t| t.user_id.clone()).collect::<Vec<_>>(),
            "ccUserIds": inst.cc, "formComponentValues": values, "tasks": tasks,
            "operationRecords": inst.records,
        },
    })))
}

/// `POST /v1.0/workflow/processes/instanceIds/query {processCode*, startTime*, endTime, nextToken*, maxResults*, userIds, statuses}`.
async fn list_ids(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = new_body(&body)?;
    let code = req_str(&map, "processCode")?;
    let start = super::opt_int(&map, "startTime")?.ok_or_else(|| super::missing("startTime"))?;
    let end = super::opt_int(&map, "endTime")?.unwrap_or(i64::MAX);
    let offset = super::opt_int(&map, "nextToken")?.unwrap_or(0);
    let max = super::opt_int(&map, "maxResults")?.ok_or_else(|| super::missing("maxResults"))?;
    if !(1..=MAX_PAGE).contains(&max) {
        return Err(invalid("maxResults", "maxResults is 1 to 20"));
    }
    if offset < 0 {
        return Err(invalid("nextToken", "nextToken must be ≥ 0"));
    }
    let users = super::str_list(&map, "userIds")?;
    if users.len() > 10 {
        return Err(invalid("userIds", "userIds holds at most 10 users"));
    }
    let statuses = super::str_list(&map, "statuses")?;
    let st = shared.products.lock();
    if !st.workflow.processes.iter().any(|p| p.code == code) {
        return Err(process_code_error(code));
    }
    let mut hits: Vec<&InstanceRec> = st
        .workflow
        .instances
        .values()
        .filter(|i| i.process_code == code && i.create_ms >= start && i.create_ms <= end)
        .filter(|i| users.is_empty() || users.contains(&i.originator))
        .filter(|i| statuses.is_empty() || statuses.iter().any(|s| s == i.status))
        .collect();
    hits.sort_by_key(|i| (i.create_ms, i.id.clone()));
    let ids: Vec<&str> = hits.iter().map(|i| i.id.as_str()).collect();
    let (items, next) = super::page(
        &ids,
        usize::try_from(offset).unwrap_or(usize::MAX),
        usize::try_from(max).unwrap_or(1),
    );
    let mut result = json!({"list": items});
    if let Some(next) = next {
        result["nextToken"] = json!(next.to_string());
    }
    Ok(envelope::ok(&json!({"success": true, "result": result})))
}

/// `POST /v1.0/workflow/processInstances/execute {processInstanceId*, taskId*, actionerUserId*, result*, remark}`.
async fn execute(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = new_body(&body)?;
    let id = req_str(&map, "processInstanceId")?;
    let task = task_id(&map, "taskId")?;
    let actioner = req_str(&map, "actionerUserId")?;
    let result = req_str(&map, "result")?;
    let (task_result, inst_result) = match result {
        "agree" => ("AGREE", "agree"),
        "refuse" => ("REFUSE", "refuse"),
        _ => return Err(invalid("result", "result is agree or refuse")),
    };
    user_exists(&shared, "actionerUserId", actioner)?;
    let now = i64::try_from(shared.clock.epoch_ms()).unwrap_or(0);
    let mut st = shared.products.lock();
    let inst = st.workflow.instances.get_mut(id).ok_or_else(no_instance)?;
    if inst.status != "RUNNING" {
        return Err(envelope::bad_param(
            "aflowProcessInstStatusException",
            "审批实例已结束",
        ));
    }
    let t = inst
        .tasks
        .iter_mut()
        .find(|t| t.task_id == task && t.status == "RUNNING")
        .ok_or_else(|| invalid("taskId", &format!("任务不存在或已处理: {task}")))?;
    if t.user_id != actioner {
        return Err(invalid("taskId", &format!("任务 {task} 不属于 {actioner}")));
    }
    t.status = "COMPLETED";
    t.result = task_result;
    t.finish_ms = Some(now);
    inst.status = "COMPLETED";
    inst.result = inst_result;
    inst.finish_ms = Some(now);
    inst.records.push(json!({
        "userId": actioner, "date": iso_utc_minutes(now), "type": "EXECUTE_TASK_NORMAL",
        "result": task_result, "remark": envelope::opt_str(&map, "remark"),
    }));
    Ok(envelope::ok(&json!({"success": true, "result": true})))
}

/// `POST /v1.0/workflow/tasks/redirect {taskId*, operateUserId*, toUserId*, remark}`.
async fn redirect(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = new_body(&body)?;
    let task = task_id(&map, "taskId")?;
    let from = req_str(&map, "operateUserId")?;
    let to = req_str(&map, "toUserId")?;
    user_exists(&shared, "operateUserId", from)?;
    user_exists(&shared, "toUserId", to)?;
    let now = i64::try_from(shared.clock.epoch_ms()).unwrap_or(0);
    let mut st = shared.products.lock();
    let new_id = st.workflow.next_task;
    let inst = st
        .workflow
        .instances
        .values_mut()
        .find(|i| i.tasks.iter().any(|t| t.task_id == task))
        .ok_or_else(|| invalid("taskId", &format!("任务不存在: {task}")))?;
    let t = inst
        .tasks
        .iter_mut()
        .find(|t| t.task_id == task)
        .ok_or_else(|| invalid("taskId", "任务不存在"))?;
    if t.status != "RUNNING" {
        return Err(envelope::bad_param(
            "aflowProcessInstStatusException",
            "任务已处理",
        ));
    }
    if t.user_id != from {
        return Err(invalid("taskId", &format!("任务 {task} 不属于 {from}")));
    }
    t.status = "CANCELED";
    t.result = "REDIRECTED";
    t.finish_ms = Some(now);
    inst.tasks.push(TaskRec {
        task_id: new_id,
        user_id: to.to_owned(),
        status: "RUNNING",
        result: "NONE",
        create_ms: now,
        finish_ms: None,
    });
    inst.records.push(json!({
        "userId": from, "date": iso_utc_minutes(now), "type": "REDIRECT_TASK", "result": "NONE",
        "remark": envelope::opt_str(&map, "remark"),
    }));
    st.workflow.next_task += 1;
    Ok(envelope::ok(&json!({"result": true})))
}

/// `POST /v1.0/workflow/processInstances/terminate {processInstanceId*, isSystem, operatingUserId, remark}`.
async fn terminate(State(shared): State<Arc<Shared>>, body: Bytes) -> Reply {
    let map = new_body(&body)?;
    let id = req_str(&map, "processInstanceId")?;
    let system = envelope::opt_bool(&map, "isSystem");
    let operator = envelope::opt_str(&map, "operatingUserId").unwrap_or_default();
    if !system && operator.is_empty() {
        return Err(super::missing("operatingUserId"));
    }
    let now = i64::try_from(shared.clock.epoch_ms()).unwrap_or(0);
    let mut st = shared.products.lock();
    let inst = st.workflow.instances.get_mut(id).ok_or_else(no_instance)?;
    if !system && inst.originator != operator {
        return Err(invalid("operatingUserId", "只有发起人可以撤销审批"));
    }
    if inst.status != "RUNNING" {
        return Err(envelope::bad_param(
            "aflowProcessInstStatusException",
            "审批实例已结束",
        ));
    }
    inst.status = "TERMINATED";
    inst.finish_ms = Some(now);
    for t in inst.tasks.iter_mut().filter(|t| t.status == "RUNNING") {
        t.status = "CANCELED";
        t.finish_ms = Some(now);
    }
    inst.records.push(json!({
        "userId": if system { "system" } else { operator }, "date": iso_utc_minutes(now),
        "type": "TERMINATE_PROCESS_INSTANCE", "result": "NONE",
    }));
    Ok(envelope::ok(&json!({"success": true, "result": true})))
}
