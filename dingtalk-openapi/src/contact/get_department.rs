//! `POST oapi /topapi/v2/department/get`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, DeptId, Endpoint, Method};
use serde::Serialize;

use crate::contact::Department;
use crate::error::Error;

/// Reads one department: `POST https://oapi.dingtalk.com/topapi/v2/department/get`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/query-department-details0-v2>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::DeptId;
/// let dept = client.contact().get_department(DeptId::new("1")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct GetDepartment {
    #[serde(with = "crate::wire::dept_id")]
    dept_id: DeptId,
}

impl GetDepartment {
    /// Reads department `dept_id`.
    pub fn new(dept_id: DeptId) -> Self {
        Self { dept_id }
    }
}

impl Endpoint for GetDepartment {
    type Response = Department;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/topapi/v2/department/get"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/topapi/v2/department/get")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("dept_id", self.dept_id.as_str())
    }

    fn decode(&self, body: &[u8]) -> Result<Department, Error> {
        crate::wire::legacy_result(body)
    }
}
