//! Todo data shared by the todo endpoints.

use dingtalk_core::endpoint::encode_segment;
use dingtalk_core::{TodoTaskId, UnionId};
use serde::Deserialize;

/// A todo task as DingTalk returns it.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TodoTask {
    /// The task id.
    pub id: TodoTaskId,
    /// The title.
    pub subject: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// Whether it is done.
    pub done: Option<bool>,
    /// Due time, Unix milliseconds.
    pub due_time: Option<i64>,
    /// Finish time, Unix milliseconds.
    pub finish_time: Option<i64>,
    /// The creator's union id.
    pub creator_id: Option<UnionId>,
    /// Creation time, Unix milliseconds.
    pub created_time: Option<i64>,
    /// Executors' union ids.
    #[serde(default)]
    pub executor_ids: Vec<UnionId>,
    /// Participants' union ids.
    #[serde(default)]
    pub participant_ids: Vec<UnionId>,
    /// The priority (20 is normal in DingTalk's examples).
    pub priority: Option<i32>,
    /// The caller's own id for the task.
    pub source_id: Option<String>,
}

/// The boolean answer of todo writes: `{"result": true}`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TodoResult {
    /// Whether the change was applied.
    pub result: Option<bool>,
    /// DingTalk's request id, when sent in the body.
    pub request_id: Option<String>,
}

/// `/v1.0/todo/users/{unionId}/tasks`, encoded.
pub(crate) fn tasks_path(user: &UnionId) -> String {
    format!("/v1.0/todo/users/{}/tasks", encode_segment(user.as_str()))
}

/// `/v1.0/todo/users/{unionId}/tasks/{taskId}`, encoded.
pub(crate) fn task_path(user: &UnionId, task: &TodoTaskId) -> String {
    format!("{}/{}", tasks_path(user), encode_segment(task.as_str()))
}
