//! `POST /v1.0/todo/users/{unionId}/organizations/tasks/query`.

use std::borrow::Cow;

use dingtalk_core::endpoint::encode_segment;
use dingtalk_core::{ApiHost, Body, Cursor, Endpoint, Method, Paginated, TodoTaskId, UnionId};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::macros::call_setters;

/// Lists a user's organisation todos: `POST /v1.0/todo/users/{unionId}/organizations/tasks/query` (`nextToken`
/// paging).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/query-the-to-do-list-of-enterprise-users>.
/// Idempotent; `.into_stream()` yields [`TodoCard`]s.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UnionId;
/// use futures_util::TryStreamExt;
/// let open: Vec<_> = client.todo().list_todos(UnionId::new("union1")).is_done(false).into_stream().try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTodos {
    #[serde(skip)]
    user: UnionId,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_done: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    role_types: Vec<Vec<String>>,
}

impl ListTodos {
    /// The todos of `user`.
    pub fn new(user: UnionId) -> Self {
        Self {
            user,
            next_token: None,
            is_done: None,
            role_types: Vec::new(),
        }
    }

    /// Only done (`true`) or open (`false`) todos.
    #[must_use]
    pub fn is_done(mut self, is_done: bool) -> Self {
        self.is_done = Some(is_done);
        self
    }

    /// Only todos where the user has one of these roles (`executor`, `creator`, `participant`).
    #[must_use]
    pub fn roles(mut self, roles: Vec<String>) -> Self {
        self.role_types = roles.into_iter().map(|role| vec![role]).collect();
        self
    }
}

/// One page of [`ListTodos`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListTodosResponse {
    /// The todos.
    #[serde(default)]
    pub todo_cards: Vec<TodoCard>,
    /// The next page's token.
    pub next_token: Option<String>,
}

/// A todo in a list.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TodoCard {
    /// The task id.
    pub task_id: TodoTaskId,
    /// The title.
    pub subject: Option<String>,
    /// Due time, Unix milliseconds.
    pub due_time: Option<i64>,
    /// Whether it is done.
    pub is_done: Option<bool>,
    /// The priority.
    pub priority: Option<i32>,
    /// The creator's union id.
    pub creator_id: Option<UnionId>,
    /// Creation time, Unix milliseconds.
    pub created_time: Option<i64>,
}

impl Endpoint for ListTodos {
    type Response = ListTodosResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/todo/users/{unionId}/organizations/tasks/query"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(format!(
            "/v1.0/todo/users/{}/organizations/tasks/query",
            encode_segment(self.user.as_str())
        ))
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())
    }
}

impl Paginated for ListTodos {
    type Item = TodoCard;

    crate::macros::next_token_cursor!();

    fn split(&self, response: Self::Response) -> (Vec<TodoCard>, Option<Cursor>) {
        (response.todo_cards, Cursor::next_token(response.next_token, None))
    }
}

call_setters!(ListTodos {
    is_done(is_done: bool),
    roles(roles: Vec<String>),
});
