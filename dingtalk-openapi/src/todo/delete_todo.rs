//! `DELETE /v1.0/todo/users/{unionId}/tasks/{taskId}?operatorId=`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Endpoint, Method, TodoTaskId, UnionId};

use crate::error::Error;
use crate::todo::TodoResult;
use crate::todo::model::task_path;

/// Deletes a todo: `DELETE /v1.0/todo/users/{unionId}/tasks/{taskId}?operatorId=<unionId>`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/delete-dingtalk-to-do-task>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{TodoTaskId, UnionId};
/// client.todo().delete_todo(UnionId::new("union1"), TodoTaskId::new("task1")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct DeleteTodo {
    user: UnionId,
    task_id: TodoTaskId,
    operator_id: UnionId,
}

impl DeleteTodo {
    /// Deletes task `task_id` of `user`, performed by `user`.
    pub fn new(user: UnionId, task_id: TodoTaskId) -> Self {
        Self {
            operator_id: user.clone(),
            user,
            task_id,
        }
    }
}

impl Endpoint for DeleteTodo {
    type Response = TodoResult;
    const METHOD: Method = Method::Delete;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/todo/users/{unionId}/tasks/{taskId}"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(task_path(&self.user, &self.task_id))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        vec![("operatorId", self.operator_id.to_string())]
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())?;
        dingtalk_core::endpoint::require("taskId", self.task_id.as_str())
    }
}
