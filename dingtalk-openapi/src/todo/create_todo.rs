//! `POST /v1.0/todo/users/{unionId}/tasks?operatorId=`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, UnionId};
use serde::Serialize;

use crate::error::Error;
use crate::macros::call_setters;
use crate::todo::TodoTask;
use crate::todo::model::tasks_path;

/// The longest todo subject, in characters.
pub const MAX_SUBJECT_CHARS: usize = 1024;

/// Creates a todo: `POST /v1.0/todo/users/{unionId}/tasks?operatorId=<unionId>`. All ids are **union ids**.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/add-dingtalk-to-do-task>. Not idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UnionId;
/// let task = client.todo()
///     .create_todo(UnionId::new("union1"), "Review PR")
///     .executor_ids(vec![UnionId::new("union2")])
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTodo {
    #[serde(skip)]
    user: UnionId,
    #[serde(skip)]
    operator_id: UnionId,
    subject: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    due_time: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    executor_ids: Vec<UnionId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    participant_ids: Vec<UnionId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_id: Option<String>,
}

impl CreateTodo {
    /// A todo `subject` owned by `user`, created by `user` (change with [`operator_id`](Self::operator_id)).
    pub fn new(user: UnionId, subject: impl Into<String>) -> Self {
        Self {
            operator_id: user.clone(),
            user,
            subject: subject.into(),
            description: None,
            due_time: None,
            executor_ids: Vec::new(),
            participant_ids: Vec::new(),
            priority: None,
            source_id: None,
        }
    }

    /// Who performs the call (`operatorId`).
    #[must_use]
    pub fn operator_id(mut self, operator_id: UnionId) -> Self {
        self.operator_id = operator_id;
        self
    }

    /// The description (at most 4096 characters).
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Due time, Unix milliseconds.
    #[must_use]
    pub fn due_time(mut self, due_time_ms: i64) -> Self {
        self.due_time = Some(due_time_ms);
        self
    }

    /// Executors.
    #[must_use]
    pub fn executor_ids(mut self, executor_ids: Vec<UnionId>) -> Self {
        self.executor_ids = executor_ids;
        self
    }

    /// Participants.
    #[must_use]
    pub fn participant_ids(mut self, participant_ids: Vec<UnionId>) -> Self {
        self.participant_ids = participant_ids;
        self
    }

    /// Priority (DingTalk's examples use 20 for normal). Not forwarded on [`Call`](crate::Call), whose
    /// `priority` is the rate-limiter priority: build the request and send it with `client.call(..)`.
    #[must_use]
    pub fn priority(mut self, priority: i32) -> Self {
        self.priority = Some(priority);
        self
    }

    /// The caller's own id for the task.
    #[must_use]
    pub fn source_id(mut self, source_id: impl Into<String>) -> Self {
        self.source_id = Some(source_id.into());
        self
    }
}

impl Endpoint for CreateTodo {
    type Response = TodoTask;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = false;

    fn route(&self) -> &'static str {
        "/v1.0/todo/users/{unionId}/tasks"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(tasks_path(&self.user))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        vec![("operatorId", self.operator_id.to_string())]
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())?;
        dingtalk_core::endpoint::require("subject", &self.subject)?;
        if self.subject.chars().count() > MAX_SUBJECT_CHARS {
            return Err(Error::validation(format!(
                "subject is at most {MAX_SUBJECT_CHARS} characters"
            )));
        }
        Ok(())
    }
}

call_setters!(CreateTodo {
    operator_id(operator_id: UnionId),
    description(description: impl Into<String>),
    due_time(due_time_ms: i64),
    executor_ids(executor_ids: Vec<UnionId>),
    participant_ids(participant_ids: Vec<UnionId>),
    source_id(source_id: impl Into<String>),
});
