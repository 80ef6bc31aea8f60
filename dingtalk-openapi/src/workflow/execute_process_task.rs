//! `POST /v1.0/workflow/processInstances/execute`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, ApprovalTaskId, Body, Endpoint, Method, ProcessInstanceId, UserId};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::macros::call_setters;

/// An approver's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ApprovalDecision {
    /// `agree`.
    Agree,
    /// `refuse`.
    Refuse,
}

/// Approves or rejects an approval task: `POST /v1.0/workflow/processInstances/execute`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/approve-or-reject-the-approval-task>. Not idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{ApprovalTaskId, ProcessInstanceId, UserId};
/// use dingtalk_openapi::workflow::ApprovalDecision;
/// client.workflow()
///     .execute_process_task(ProcessInstanceId::new("inst-1"), ApprovalTaskId(42), UserId::new("manager432"), ApprovalDecision::Agree)
///     .remark("ok")
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteProcessTask {
    process_instance_id: ProcessInstanceId,
    task_id: ApprovalTaskId,
    actioner_user_id: UserId,
    result: ApprovalDecision,
    #[serde(skip_serializing_if = "Option::is_none")]
    remark: Option<String>,
}

impl ExecuteProcessTask {
    /// `actioner_user_id` decides task `task_id` of `process_instance_id`.
    pub fn new(
        process_instance_id: ProcessInstanceId,
        task_id: ApprovalTaskId,
        actioner_user_id: UserId,
        result: ApprovalDecision,
    ) -> Self {
        Self {
            process_instance_id,
            task_id,
            actioner_user_id,
            result,
            remark: None,
        }
    }

    /// A comment shown with the decision.
    #[must_use]
    pub fn remark(mut self, remark: impl Into<String>) -> Self {
        self.remark = Some(remark.into());
        self
    }
}

/// The `{success, result}` answer of approval writes.
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct WorkflowResult {
    /// Whether the call succeeded.
    #[serde(default, deserialize_with = "crate::wire::lenient_bool::deserialize")]
    pub success: Option<bool>,
    /// Whether the change was applied.
    #[serde(default, deserialize_with = "crate::wire::lenient_bool::deserialize")]
    pub result: Option<bool>,
}

impl Endpoint for ExecuteProcessTask {
    type Response = WorkflowResult;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = false;

    fn route(&self) -> &'static str {
        "/v1.0/workflow/processInstances/execute"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/workflow/processInstances/execute")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("processInstanceId", self.process_instance_id.as_str())?;
        dingtalk_core::endpoint::require("actionerUserId", self.actioner_user_id.as_str())
    }
}

call_setters!(ExecuteProcessTask { remark(remark: impl Into<String>) });
