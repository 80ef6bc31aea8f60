//! `PUT /v1.0/todo/users/{unionId}/tasks/{taskId}?operatorId=`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, TodoTaskId, UnionId};
use serde::Serialize;

use crate::error::Error;
use crate::macros::call_setters;
use crate::todo::TodoResult;
use crate::todo::model::task_path;

/// Changes a todo: `PUT /v1.0/todo/users/{unionId}/tasks/{taskId}?operatorId=<unionId>` (only the fields set).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/updates-dingtalk-to-do-tasks>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{TodoTaskId, UnionId};
/// client.todo().update_todo(UnionId::new("union1"), TodoTaskId::new("task1")).done(true).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTodo {
    #[serde(skip)]
    user: UnionId,
    #[serde(skip)]
    task_id: TodoTaskId,
    #[serde(skip)]
    operator_id: UnionId,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    due_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    done: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    executor_ids: Option<Vec<UnionId>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    participant_ids: Option<Vec<UnionId>>,
}

impl UpdateTodo {
    /// An update of task `task_id` of `user`, performed by `user`.
    pub fn new(user: UnionId, task_id: TodoTaskId) -> Self {
        Self {
            operator_id: user.clone(),
            user,
            task_id,
            subject: None,
            description: None,
            due_time: None,
            done: None,
            executor_ids: None,
            participant_ids: None,
        }
    }

    /// Who performs the call (`operatorId`).
    #[must_use]
    pub fn operator_id(mut self, operator_id: UnionId) -> Self {
        self.operator_id = operator_id;
        self
    }

    /// A new title.
    #[must_use]
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// A new description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// A new due time, Unix milliseconds.
    #[must_use]
    pub fn due_time(mut self, due_time_ms: i64) -> Self {
        self.due_time = Some(due_time_ms);
        self
    }

    /// Marks the whole task done or open.
    #[must_use]
    pub fn done(mut self, done: bool) -> Self {
        self.done = Some(done);
        self
    }

    /// Replaces the executors.
    #[must_use]
    pub fn executor_ids(mut self, executor_ids: Vec<UnionId>) -> Self {
        self.executor_ids = Some(executor_ids);
        self
    }

    /// Replaces the participants.
    #[must_use]
    pub fn participant_ids(mut self, participant_ids: Vec<UnionId>) -> Self {
        self.participant_ids = Some(participant_ids);
        self
    }
}

impl Endpoint for UpdateTodo {
    type Response = TodoResult;
    const METHOD: Method = Method::Put;
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

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())?;
        dingtalk_core::endpoint::require("taskId", self.task_id.as_str())
    }
}

call_setters!(UpdateTodo {
    operator_id(operator_id: UnionId),
    subject(subject: impl Into<String>),
    description(description: impl Into<String>),
    due_time(due_time_ms: i64),
    done(done: bool),
    executor_ids(executor_ids: Vec<UnionId>),
    participant_ids(participant_ids: Vec<UnionId>),
});
