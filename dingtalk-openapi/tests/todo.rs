//! Endpoint tests for the todo product.

mod common;

use common::{TOKEN, client, fixture, timing_out_post};
use dingtalk_core::{ErrorKind, TodoTaskId, UnionId};
use dingtalk_test_support::strict_server;
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

const TASKS: &str = "/v1.0/todo/users/union1/tasks";

#[tokio::test]
async fn create_todo_sends_operator_id_in_the_query() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path(TASKS))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(query_param("operatorId", "union1"))
        .and(body_json(json!({"subject": "Review PR", "executorIds": ["union2"], "dueTime": 1_774_425_600_000_i64, "sourceId": "pr-42"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("todo/create_todo.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let task = client
        .todo()
        .create_todo(UnionId::new("union1"), "Review PR")
        .executor_ids(vec![UnionId::new("union2")])
        .due_time(1_774_425_600_000)
        .source_id("pr-42")
        .await
        .unwrap();
    assert_eq!(task.id.as_str(), "task1");
    assert_eq!(task.priority, Some(20));
}

#[tokio::test]
async fn create_todo_is_not_retried_after_a_timeout() {
    let (_server, client) = timing_out_post(TASKS).await;
    let error = client
        .todo()
        .create_todo(UnionId::new("union1"), "x")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    let error = client
        .todo()
        .create_todo(UnionId::new("union1"), "x".repeat(1025))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
}

#[tokio::test]
async fn get_update_done_delete() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path(format!("{TASKS}/task1")))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("todo/create_todo.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/todo/users/ghost/tasks/task1"))
        .respond_with(ResponseTemplate::new(404).set_body_json(fixture("todo/get_todo.user_not_found.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{TASKS}/task1")))
        .and(query_param("operatorId", "union9"))
        .and(body_json(json!({"subject": "Renamed", "done": true})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("todo/update_todo.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{TASKS}/task1/executorStatus")))
        .and(query_param("operatorId", "union1"))
        .and(body_json(
            json!({"executorStatusList": [{"id": "union2", "isDone": true}]}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("todo/update_todo.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{TASKS}/task1")))
        .and(query_param("operatorId", "union1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("todo/delete_todo.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let todo = client.todo();
    let task = todo
        .get_todo(UnionId::new("union1"), TodoTaskId::new("task1"))
        .await
        .unwrap();
    assert_eq!(task.executor_ids[0].as_str(), "union2");
    let error = todo
        .get_todo(UnionId::new("ghost"), TodoTaskId::new("task1"))
        .await
        .unwrap_err();
    assert_eq!(
        error.api_error().unwrap().code().as_str(),
        "invalidParameter.user.notFound"
    );
    let updated = todo
        .update_todo(UnionId::new("union1"), TodoTaskId::new("task1"))
        .operator_id(UnionId::new("union9"))
        .subject("Renamed")
        .done(true)
        .await
        .unwrap();
    assert_eq!(updated.result, Some(true));
    todo.update_todo_executor_status(
        UnionId::new("union1"),
        TodoTaskId::new("task1"),
        vec![(UnionId::new("union2"), true)],
    )
    .await
    .unwrap();
    let deleted = todo
        .delete_todo(UnionId::new("union1"), TodoTaskId::new("task1"))
        .await
        .unwrap();
    assert_eq!(deleted.result, Some(true));
}

#[tokio::test]
async fn list_todos_streams_pages() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/todo/users/union1/organizations/tasks/query"))
        .and(body_json(json!({"isDone": false, "roleTypes": [["executor"]]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("todo/list_todos.page1.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/todo/users/union1/organizations/tasks/query"))
        .and(body_json(
            json!({"isDone": false, "roleTypes": [["executor"]], "nextToken": "p2"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("todo/list_todos.page2.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let cards: Vec<_> = client
        .todo()
        .list_todos(UnionId::new("union1"))
        .is_done(false)
        .roles(vec!["executor".to_owned()])
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        cards.iter().map(|c| c.task_id.as_str()).collect::<Vec<_>>(),
        ["task1", "task2"]
    );
}
