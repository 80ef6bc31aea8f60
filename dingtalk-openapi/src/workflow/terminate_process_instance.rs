//! `POST /v1.0/workflow/processInstances/terminate`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, ProcessInstanceId, UserId};
use serde::Serialize;

use crate::error::Error;
use crate::macros::call_setters;
use crate::workflow::WorkflowResult;

/// Revokes (terminates) an approval instance: `POST /v1.0/workflow/processInstances/terminate`.
///
/// As the originator by default (`isSystem: false`); DingTalk refuses within ~15 s of the start. DingTalk docs:
/// <https://open.dingtalk.com/document/orgapp/terminate-a-workflow-by-using-an-instance-id>. Idempotent
/// (terminating twice leaves it terminated).
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{ProcessInstanceId, UserId};
/// client.workflow()
///     .terminate_process_instance(ProcessInstanceId::new("inst-1"), UserId::new("manager432"))
///     .remark("duplicate")
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TerminateProcessInstance {
    process_instance_id: ProcessInstanceId,
    is_system: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    operating_user_id: Option<UserId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remark: Option<String>,
}

impl TerminateProcessInstance {
    /// The originator `operating_user_id` revokes `process_instance_id`.
    pub fn new(process_instance_id: ProcessInstanceId, operating_user_id: UserId) -> Self {
        Self {
            process_instance_id,
            is_system: false,
            operating_user_id: Some(operating_user_id),
            remark: None,
        }
    }

    /// The app terminates it as the system (`isSystem: true`, no operating user).
    pub fn by_system(process_instance_id: ProcessInstanceId) -> Self {
        Self {
            process_instance_id,
            is_system: true,
            operating_user_id: None,
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

impl Endpoint for TerminateProcessInstance {
    type Response = WorkflowResult;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/workflow/processInstances/terminate"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/workflow/processInstances/terminate")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("processInstanceId", self.process_instance_id.as_str())
    }
}

call_setters!(TerminateProcessInstance { remark(remark: impl Into<String>) });
