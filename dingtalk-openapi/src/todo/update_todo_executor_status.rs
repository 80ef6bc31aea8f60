//! `PUT /v1.0/todo/users/{unionId}/tasks/{taskId}/executorStatus?operatorId=`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, TodoTaskId, UnionId};
use serde::Serialize;

use crate::error::Error;
use crate::todo::TodoResult;
use crate::todo::model::task_path;

/// Marks executors done or not done: `PUT /v1.0/todo/users/{unionId}/tasks/{taskId}/executorStatus?operatorId=`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/update-dingtalk-to-do-status>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{TodoTaskId, UnionId};
/// client.todo()
///     .update_todo_executor_status(UnionId::new("union1"), TodoTaskId::new("task1"), vec![(UnionId::new("union2"), true)])
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTodoExecutorStatus {
    #[serde(skip)]
    user: UnionId,
    #[serde(skip)]
    task_id: TodoTaskId,
    #[serde(skip)]
    operator_id: UnionId,
    executor_status_list: Vec<ExecutorStatus>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ExecutorStatus {
    id: UnionId,
    is_done: bool,
}

impl UpdateTodoExecutorStatus {
    /// Sets each `(executor, done)` of task `task_id`, performed by `user`.
    pub fn new(user: UnionId, task_id: TodoTaskId, statuses: Vec<(UnionId, bool)>) -> Self {
        Self {
            operator_id: user.clone(),
            user,
            task_id,
            executor_status_list: statuses
                .into_iter()
                .map(|(id, is_done)| ExecutorStatus { id, is_done })
                .collect(),
        }
    }
}

impl Endpoint for UpdateTodoExecutorStatus {
    type Response = TodoResult;
    const METHOD: Method = Method::Put;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/todo/users/{unionId}/tasks/{taskId}/executorStatus"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(format!("{}/executorStatus", task_path(&self.user, &self.task_id)))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        vec![("operatorId", self.operator_id.to_string())]
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())?;
        dingtalk_core::endpoint::require("taskId", self.task_id.as_str())?;
        if self.executor_status_list.is_empty() {
            return Err(Error::validation("executorStatusList is required"));
        }
        Ok(())
    }
}
