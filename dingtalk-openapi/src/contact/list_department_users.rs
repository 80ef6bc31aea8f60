//! `POST oapi /topapi/v2/user/list`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Cursor, DeptId, Endpoint, Method, Paginated};
use serde::{Deserialize, Serialize};

use crate::contact::User;
use crate::error::Error;
use crate::macros::call_setters;

/// Lists the users of a department with details: `POST https://oapi.dingtalk.com/topapi/v2/user/list`
/// (topapi `cursor` paging).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/queries-the-complete-information-of-a-department-user>.
/// Idempotent. `.into_stream()` yields every [`User`].
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::DeptId;
/// use futures_util::TryStreamExt;
/// let users: Vec<_> = client.contact().list_department_users(DeptId::new("1")).into_stream().try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct ListDepartmentUsers {
    #[serde(with = "crate::wire::dept_id")]
    dept_id: DeptId,
    cursor: i64,
    size: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<String>,
}

impl ListDepartmentUsers {
    /// The default and largest page size.
    pub const DEFAULT_SIZE: u32 = 100;

    /// The users of `dept_id` (root is `1`).
    pub fn new(dept_id: DeptId) -> Self {
        Self {
            dept_id,
            cursor: 0,
            size: Self::DEFAULT_SIZE,
            language: None,
        }
    }

    /// Page size (1 to 100).
    #[must_use]
    pub fn size(mut self, size: u32) -> Self {
        self.size = size;
        self
    }

    /// The language of department names (`zh_CN`, `en_US`).
    #[must_use]
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }
}

/// One page of [`ListDepartmentUsers`].
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct ListDepartmentUsersResponse {
    /// Whether more pages exist.
    pub has_more: Option<bool>,
    /// The next page's cursor.
    pub next_cursor: Option<i64>,
    /// The users.
    #[serde(default)]
    pub list: Vec<User>,
}

impl Endpoint for ListDepartmentUsers {
    type Response = ListDepartmentUsersResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/topapi/v2/user/list"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/topapi/v2/user/list")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("dept_id", self.dept_id.as_str())?;
        if !(1..=Self::DEFAULT_SIZE).contains(&self.size) {
            return Err(Error::validation("size is 1 to 100"));
        }
        Ok(())
    }

    fn decode(&self, body: &[u8]) -> Result<Self::Response, Error> {
        crate::wire::legacy_result::<Option<Self::Response>>(body).map(Option::unwrap_or_default)
    }
}

impl Paginated for ListDepartmentUsers {
    type Item = User;

    fn with_cursor(&self, cursor: Option<&Cursor>) -> Self {
        let mut next = self.clone();
        next.cursor = match cursor {
            Some(Cursor::Number(n)) => *n,
            _ => 0,
        };
        next
    }

    fn cursor(&self) -> Option<Cursor> {
        (self.cursor > 0).then_some(Cursor::Number(self.cursor))
    }

    fn split(&self, response: Self::Response) -> (Vec<User>, Option<Cursor>) {
        (
            response.list,
            Cursor::topapi(response.next_cursor, response.has_more),
        )
    }
}

call_setters!(ListDepartmentUsers {
    size(size: u32),
    language(language: impl Into<String>),
});
