//! `GET /v1.0/todo/users/{unionId}/tasks/{taskId}`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Endpoint, Method, TodoTaskId, UnionId};

use crate::error::Error;
use crate::todo::TodoTask;
use crate::todo::model::task_path;

/// Reads a todo: `GET /v1.0/todo/users/{unionId}/tasks/{taskId}`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/query-the-details-of-dingtalk-to-do-tasks>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{TodoTaskId, UnionId};
/// let task = client.todo().get_todo(UnionId::new("union1"), TodoTaskId::new("task1")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct GetTodo {
    user: UnionId,
    task_id: TodoTaskId,
}

impl GetTodo {
    /// Reads task `task_id` of `user`.
    pub fn new(user: UnionId, task_id: TodoTaskId) -> Self {
        Self { user, task_id }
    }
}

impl Endpoint for GetTodo {
    type Response = TodoTask;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/todo/users/{unionId}/tasks/{taskId}"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(task_path(&self.user, &self.task_id))
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())?;
        dingtalk_core::endpoint::require("taskId", self.task_id.as_str())
    }
}
