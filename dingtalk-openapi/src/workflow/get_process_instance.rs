//! `GET /v1.0/workflow/processInstances?processInstanceId=`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, ApprovalTaskId, Endpoint, Method, ProcessInstanceId, UserId};
use serde::Deserialize;

use crate::error::Error;

/// Reads an approval instance: `GET /v1.0/workflow/processInstances?processInstanceId=`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/obtains-the-details-of-a-single-approval-instance-pop>.
/// Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::ProcessInstanceId;
/// let instance = client.workflow().get_process_instance(ProcessInstanceId::new("inst-1")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct GetProcessInstance {
    process_instance_id: ProcessInstanceId,
}

impl GetProcessInstance {
    /// Reads `process_instance_id`.
    pub fn new(process_instance_id: ProcessInstanceId) -> Self {
        Self { process_instance_id }
    }
}

/// The answer to [`GetProcessInstance`].
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct GetProcessInstanceResponse {
    /// Whether the call succeeded (a string in some answers).
    #[serde(default, deserialize_with = "crate::wire::lenient_bool::deserialize")]
    pub success: Option<bool>,
    /// The instance.
    pub result: Option<ProcessInstance>,
}

/// An approval instance.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProcessInstance {
    /// The title.
    pub title: Option<String>,
    /// The business id.
    pub business_id: Option<String>,
    /// Who started it.
    pub originator_user_id: Option<UserId>,
    /// `RUNNING`, `TERMINATED`, `COMPLETED`.
    pub status: Option<String>,
    /// `agree`, `refuse`, or empty while running.
    pub result: Option<String>,
    /// Creation time (ISO 8601).
    pub create_time: Option<String>,
    /// Finish time (ISO 8601).
    pub finish_time: Option<String>,
    /// The tasks.
    #[serde(default)]
    pub tasks: Vec<ProcessTask>,
}

/// One approval task.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProcessTask {
    /// The task id (int64).
    pub task_id: ApprovalTaskId,
    /// The assignee.
    pub user_id: Option<UserId>,
    /// `NEW`, `RUNNING`, `PAUSED`, `CANCELED`, `COMPLETED`, `TERMINATED`.
    pub status: Option<String>,
    /// `AGREE`, `REFUSE`, `REDIRECTED`, `NONE`.
    pub result: Option<String>,
    /// The approval node.
    pub activity_id: Option<String>,
}

impl Endpoint for GetProcessInstance {
    type Response = GetProcessInstanceResponse;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/workflow/processInstances"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/workflow/processInstances")
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        vec![("processInstanceId", self.process_instance_id.to_string())]
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("processInstanceId", self.process_instance_id.as_str())
    }
}
