//! `POST oapi /topapi/v2/department/listsub`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Cursor, DeptId, Endpoint, Method, Paginated};
use serde::Serialize;

use crate::contact::Department;
use crate::error::Error;

/// Lists the direct child departments: `POST https://oapi.dingtalk.com/topapi/v2/department/listsub` (one level,
/// one page; `.into_stream()` yields the children).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/obtain-the-department-list-v2>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::DeptId;
/// let children = client.contact().list_sub_departments(DeptId::new("1")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct ListSubDepartments {
    #[serde(with = "crate::wire::dept_id")]
    dept_id: DeptId,
}

impl ListSubDepartments {
    /// The children of `dept_id` (root is `1`).
    pub fn new(dept_id: DeptId) -> Self {
        Self { dept_id }
    }
}

impl Endpoint for ListSubDepartments {
    type Response = Vec<Department>;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/topapi/v2/department/listsub"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/topapi/v2/department/listsub")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("dept_id", self.dept_id.as_str())
    }

    fn decode(&self, body: &[u8]) -> Result<Vec<Department>, Error> {
        crate::wire::legacy_result::<Option<Vec<Department>>>(body).map(Option::unwrap_or_default)
    }
}

impl Paginated for ListSubDepartments {
    type Item = Department;

    fn with_cursor(&self, _cursor: Option<&Cursor>) -> Self {
        self.clone()
    }

    fn split(&self, response: Vec<Department>) -> (Vec<Department>, Option<Cursor>) {
        (response, None)
    }
}
