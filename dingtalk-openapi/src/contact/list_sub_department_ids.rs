//! `POST oapi /topapi/v2/department/listsubid`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Cursor, DeptId, Endpoint, Method, Paginated};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Lists the ids of the direct child departments: `POST https://oapi.dingtalk.com/topapi/v2/department/listsubid`
/// (one page; `.into_stream()` yields the ids).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/obtain-a-sub-department-id-list-v2>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::DeptId;
/// let ids = client.contact().list_sub_department_ids(DeptId::new("1")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct ListSubDepartmentIds {
    #[serde(with = "crate::wire::dept_id")]
    dept_id: DeptId,
}

impl ListSubDepartmentIds {
    /// The child ids of `dept_id`.
    pub fn new(dept_id: DeptId) -> Self {
        Self { dept_id }
    }
}

/// The answer to [`ListSubDepartmentIds`].
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct ListSubDepartmentIdsResponse {
    /// The child department ids.
    #[serde(default, deserialize_with = "crate::wire::dept_ids::deserialize")]
    pub dept_id_list: Vec<DeptId>,
}

impl Endpoint for ListSubDepartmentIds {
    type Response = ListSubDepartmentIdsResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/topapi/v2/department/listsubid"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/topapi/v2/department/listsubid")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("dept_id", self.dept_id.as_str())
    }

    fn decode(&self, body: &[u8]) -> Result<Self::Response, Error> {
        crate::wire::legacy_result::<Option<Self::Response>>(body).map(Option::unwrap_or_default)
    }
}

impl Paginated for ListSubDepartmentIds {
    type Item = DeptId;

    fn with_cursor(&self, _cursor: Option<&Cursor>) -> Self {
        self.clone()
    }

    fn split(&self, response: Self::Response) -> (Vec<DeptId>, Option<Cursor>) {
        (response.dept_id_list, None)
    }
}
