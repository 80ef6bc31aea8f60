//! `GET /v1.0/workflow/workRecords/todoTasks`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Cursor, Endpoint, Method, Paginated, UserId};
use serde::Deserialize;

use crate::error::Error;
use crate::macros::call_setters;

/// Largest `maxResults` of [`ListTodoTasks`].
pub const MAX_TODO_TASKS_PER_PAGE: u32 = 100;
const DEFAULT_PAGE: u32 = 20;

/// The approval tasks waiting for a user:
/// `GET /v1.0/workflow/workRecords/todoTasks?userId=&status=&nextToken=&maxResults=`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/query-the-to-do-list-of-approval>. DingTalk marks
/// every query value as required, so all four are always sent (`status` 0 = pending, `nextToken` 0 on the first
/// page, `maxResults` 20 unless set). Idempotent; `.into_stream()` yields [`TodoTask`]s (numeric `nextToken`).
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UserId;
/// use futures_util::TryStreamExt;
/// let tasks: Vec<_> = client.workflow()
///     .list_todo_tasks(UserId::new("user1"))
///     .into_stream().try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ListTodoTasks {
    user: UserId,
    status: i64,
    max_results: u32,
    next_token: i64,
}

impl ListTodoTasks {
    /// The pending tasks of `user`.
    pub fn new(user: UserId) -> Self {
        Self {
            user,
            status: 0,
            max_results: DEFAULT_PAGE,
            next_token: 0,
        }
    }

    /// Page size, 1 to [`MAX_TODO_TASKS_PER_PAGE`].
    #[must_use]
    pub fn max_results(mut self, max_results: u32) -> Self {
        self.max_results = max_results;
        self
    }

    /// The task status DingTalk filters on (`0`, the default, is pending).
    #[must_use]
    pub fn status(mut self, status: i64) -> Self {
        self.status = status;
        self
    }
}

/// One form value shown on a task.
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct TodoTaskForm {
    /// The field title.
    pub title: Option<String>,
    /// The value.
    pub content: Option<String>,
}

/// One approval task waiting for the user.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TodoTask {
    /// The task id (what `ExecuteProcessTask` takes).
    pub task_id: Option<i64>,
    /// The approval instance id.
    pub instance_id: Option<String>,
    /// The approval title.
    pub title: Option<String>,
    /// Where the task opens in DingTalk.
    pub url: Option<String>,
    /// Form values shown with it.
    #[serde(default)]
    pub forms: Vec<TodoTaskForm>,
}

/// One page of [`ListTodoTasks`]: `{result{list, nextToken}}`.
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct ListTodoTasksResponse {
    /// The page.
    #[serde(default)]
    pub result: TodoTaskPage,
}

/// The `result` of [`ListTodoTasksResponse`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TodoTaskPage {
    /// The tasks.
    #[serde(default)]
    pub list: Vec<TodoTask>,
    /// The next page's token; absent on the last page.
    pub next_token: Option<i64>,
}

impl Endpoint for ListTodoTasks {
    type Response = ListTodoTasksResponse;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/workflow/workRecords/todoTasks"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/workflow/workRecords/todoTasks")
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        vec![
            ("userId", self.user.as_str().to_owned()),
            ("status", self.status.to_string()),
            ("nextToken", self.next_token.to_string()),
            ("maxResults", self.max_results.to_string()),
        ]
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("userId", self.user.as_str())?;
        if self.max_results == 0 || self.max_results > MAX_TODO_TASKS_PER_PAGE {
            return Err(Error::validation(format!(
                "maxResults is 1 to {MAX_TODO_TASKS_PER_PAGE}"
            )));
        }
        if self.next_token < 0 {
            return Err(Error::validation("nextToken must be ≥ 0"));
        }
        Ok(())
    }
}

impl Paginated for ListTodoTasks {
    type Item = TodoTask;

    fn with_cursor(&self, cursor: Option<&Cursor>) -> Self {
        let mut next = self.clone();
        next.next_token = match cursor {
            Some(Cursor::Number(n)) => *n,
            Some(other) => other.to_text().parse().unwrap_or(0),
            None => 0,
        };
        next
    }

    fn cursor(&self) -> Option<Cursor> {
        (self.next_token > 0).then_some(Cursor::Number(self.next_token))
    }

    fn split(&self, response: Self::Response) -> (Vec<TodoTask>, Option<Cursor>) {
        let page = response.result;
        let next = page.next_token.filter(|n| *n > 0).map(Cursor::Number);
        (page.list, next)
    }
}

call_setters!(ListTodoTasks {
    max_results(max_results: u32),
    status(status: i64),
});
