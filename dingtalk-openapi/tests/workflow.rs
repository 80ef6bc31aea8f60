//! Endpoint tests for the OA approval (workflow) product.

mod common;

use common::{TOKEN, client, fixture, timing_out_post};
use dingtalk_core::{ApprovalTaskId, DeptId, ErrorKind, ProcessCode, ProcessInstanceId, UserId};
use dingtalk_openapi::workflow::{ApprovalDecision, FormValue};
use dingtalk_test_support::strict_server;
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn form_schema() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/workflow/forms/schemas/processCodes"))
        .and(query_param("processCode", "PROC-1"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("workflow/get_process_form_schema.ok.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let schema = client
        .workflow()
        .get_process_form_schema(ProcessCode::new("PROC-1"))
        .await
        .unwrap();
    let items = schema.result.unwrap().schema_content.unwrap().items;
    assert_eq!(items[0].props.as_ref().unwrap().label.as_deref(), Some("Reason"));
    assert_eq!(items[1].children.len(), 1);
}

#[tokio::test]
async fn start_instance_and_form_error() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/workflow/processInstances"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(json!({
            "processCode": "PROC-1",
            "originatorUserId": "manager432",
            "formComponentValues": [{"name": "Reason", "value": "Conference"}],
            "deptId": -1,
        })))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("workflow/create_process_instance.ok.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/workflow/processInstances"))
        .and(body_json(json!({
            "processCode": "PROC-1",
            "originatorUserId": "manager432",
            "formComponentValues": [{"name": "Nope", "value": "x"}],
        })))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(fixture("workflow/create_process_instance.form_error.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let workflow = client.workflow();
    let started = workflow
        .create_process_instance(
            ProcessCode::new("PROC-1"),
            UserId::new("manager432"),
            vec![FormValue::new("Reason", "Conference")],
        )
        .dept_id(DeptId::new("-1"))
        .await
        .unwrap();
    assert_eq!(
        started.instance_id.as_str(),
        "a171de6c-8bb6-4d0e-9ac1-48d4a8e0b9b2"
    );
    let error = workflow
        .create_process_instance(
            ProcessCode::new("PROC-1"),
            UserId::new("manager432"),
            vec![FormValue::new("Nope", "x")],
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.api_error().unwrap().code().as_str(), "formConverterError");
}

#[tokio::test]
async fn start_instance_is_not_retried_after_a_timeout() {
    let (_server, client) = timing_out_post("/v1.0/workflow/processInstances").await;
    let error = client
        .workflow()
        .create_process_instance(
            ProcessCode::new("PROC-1"),
            UserId::new("u1"),
            vec![FormValue::new("a", "b")],
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
}

#[tokio::test]
async fn get_instance_parses_string_success_and_int_task_ids() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/workflow/processInstances"))
        .and(query_param("processInstanceId", "inst-1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("workflow/get_process_instance.ok.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let instance = client
        .workflow()
        .get_process_instance(ProcessInstanceId::new("inst-1"))
        .await
        .unwrap();
    assert_eq!(instance.success, Some(true));
    let result = instance.result.unwrap();
    assert_eq!(result.tasks[0].task_id, ApprovalTaskId(61_234_567_890));
}

#[tokio::test]
async fn instance_ids_page_with_int_tokens() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/workflow/processes/instanceIds/query"))
        .and(body_json(json!({"processCode": "PROC-1", "startTime": 1_774_000_000_000_i64, "nextToken": 0, "maxResults": 20})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("workflow/list_process_instance_ids.page1.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/workflow/processes/instanceIds/query"))
        .and(body_json(json!({"processCode": "PROC-1", "startTime": 1_774_000_000_000_i64, "nextToken": 2, "maxResults": 20})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("workflow/list_process_instance_ids.page2.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let ids: Vec<_> = client
        .workflow()
        .list_process_instance_ids(ProcessCode::new("PROC-1"), 1_774_000_000_000)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids.len(), 3);
}

#[tokio::test]
async fn approve_redirect_terminate() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/workflow/processInstances/execute"))
        .and(body_json(json!({"processInstanceId": "inst-1", "taskId": 42, "actionerUserId": "boss1", "result": "refuse", "remark": "no"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("workflow/execute_process_task.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/workflow/tasks/redirect"))
        .and(body_json(
            json!({"taskId": 42, "operateUserId": "boss1", "toUserId": "deputy1"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"result": true})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/workflow/processInstances/terminate"))
        .and(body_json(
            json!({"processInstanceId": "inst-1", "isSystem": false, "operatingUserId": "manager432"}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("workflow/execute_process_task.ok.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let workflow = client.workflow();
    let decided = workflow
        .execute_process_task(
            ProcessInstanceId::new("inst-1"),
            ApprovalTaskId(42),
            UserId::new("boss1"),
            ApprovalDecision::Refuse,
        )
        .remark("no")
        .await
        .unwrap();
    assert_eq!(decided.result, Some(true));
    workflow
        .redirect_process_task(ApprovalTaskId(42), UserId::new("boss1"), UserId::new("deputy1"))
        .await
        .unwrap();
    workflow
        .terminate_process_instance(ProcessInstanceId::new("inst-1"), UserId::new("manager432"))
        .await
        .unwrap();
}

#[tokio::test]
async fn pending_tasks_send_every_required_value_and_follow_the_token() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/workflow/workRecords/todoTasks"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(query_param("userId", "user1"))
        .and(query_param("status", "0"))
        .and(query_param("nextToken", "0"))
        .and(query_param("maxResults", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "result": {"list": [{"taskId": 7, "instanceId": "pi1", "title": "Leave",
                                 "forms": [{"title": "Days", "content": "2"}]}],
                       "nextToken": 1},
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/workflow/workRecords/todoTasks"))
        .and(query_param("nextToken", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "result": {"list": [{"taskId": 8, "instanceId": "pi2"}]},
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let tasks: Vec<_> = client
        .workflow()
        .list_todo_tasks(UserId::new("user1"))
        .max_results(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[0].task_id, Some(7));
    assert_eq!(tasks[0].forms[0].content.as_deref(), Some("2"));
    assert_eq!(tasks[1].instance_id.as_deref(), Some("pi2"));
    let error = client
        .workflow()
        .list_todo_tasks(UserId::new("user1"))
        .max_results(101)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
}

/// `ListProcessInstanceIdsRequest`: `endTime`, `userIds` and `statuses` by their model names, and a window of
/// exactly 120 days is sent.
#[tokio::test]
async fn instance_ids_send_filters_by_model_names() {
    let server = strict_server().await;
    let start = 1_774_000_000_000_i64;
    let end = start + 120 * 24 * 60 * 60 * 1000;
    Mock::given(method("POST"))
        .and(path("/v1.0/workflow/processes/instanceIds/query"))
        .and(body_json(json!({
            "processCode": "PROC-1", "startTime": start, "endTime": end, "nextToken": 0, "maxResults": 10,
            "userIds": ["manager432"], "statuses": ["NEW", "CANCELED"],
        })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"success": true, "result": {"list": ["inst-9"]}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let ids: Vec<_> = client
        .workflow()
        .list_process_instance_ids(ProcessCode::new("PROC-1"), start)
        .end_time(end)
        .max_results(10)
        .user_ids(vec![UserId::new("manager432")])
        .statuses(vec!["NEW".into(), "CANCELED".into()])
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, [ProcessInstanceId::new("inst-9")]);
}

/// DingTalk answers a `startTime`..`endTime` window of at most 120 days; a wider or reversed one is refused
/// before any request (the strict server fails on any call).
#[tokio::test]
async fn instance_id_windows_are_checked_before_sending() {
    let server = strict_server().await;
    let client = client(&server);
    let start = 1_774_000_000_000_i64;
    let day = 24 * 60 * 60 * 1000_i64;
    for (end, needle) in [
        (start + 120 * day + 1, "120 days"),
        (start - 1, "before startTime"),
    ] {
        let error = client
            .workflow()
            .list_process_instance_ids(ProcessCode::new("PROC-1"), start)
            .end_time(end)
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Validation);
        let detail = std::error::Error::source(&error).unwrap().to_string();
        assert!(detail.contains(needle), "{detail}");
    }
    let error = client
        .workflow()
        .list_process_instance_ids(ProcessCode::new("PROC-1"), -1)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
}
