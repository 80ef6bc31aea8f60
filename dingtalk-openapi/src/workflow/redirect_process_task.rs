//! `POST /v1.0/workflow/tasks/redirect`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, ApprovalTaskId, Body, Endpoint, Method, UserId};
use serde::Serialize;

use crate::error::Error;
use crate::macros::call_setters;
use crate::workflow::WorkflowResult;

/// Transfers an approval task to another user: `POST /v1.0/workflow/tasks/redirect`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/approval-task-transfer>. Not idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{ApprovalTaskId, UserId};
/// client.workflow()
///     .redirect_process_task(ApprovalTaskId(42), UserId::new("manager432"), UserId::new("deputy1"))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectProcessTask {
    task_id: ApprovalTaskId,
    operate_user_id: UserId,
    to_user_id: UserId,
    #[serde(skip_serializing_if = "Option::is_none")]
    remark: Option<String>,
}

impl RedirectProcessTask {
    /// `operate_user_id` hands task `task_id` to `to_user_id`.
    pub fn new(task_id: ApprovalTaskId, operate_user_id: UserId, to_user_id: UserId) -> Self {
        Self {
            task_id,
            operate_user_id,
            to_user_id,
            remark: None,
        }
    }

    /// A comment.
    #[must_use]
    pub fn remark(mut self, remark: impl Into<String>) -> Self {
        self.remark = Some(remark.into());
        self
    }
}

impl Endpoint for RedirectProcessTask {
    type Response = WorkflowResult;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = false;

    fn route(&self) -> &'static str {
        "/v1.0/workflow/tasks/redirect"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/workflow/tasks/redirect")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("operateUserId", self.operate_user_id.as_str())?;
        dingtalk_core::endpoint::require("toUserId", self.to_user_id.as_str())
    }
}

call_setters!(RedirectProcessTask { remark(remark: impl Into<String>) });
