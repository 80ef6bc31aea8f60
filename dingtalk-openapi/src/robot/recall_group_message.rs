//! `POST /v1.0/robot/groupMessages/recall`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, OpenConversationId, ProcessQueryKey, RobotCode};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Recalls robot messages from a group chat: `POST /v1.0/robot/groupMessages/recall`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/enterprise-chatbot-withdraws-internal-group-messages>.
/// Idempotent: recalling twice is harmless.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{OpenConversationId, ProcessQueryKey, RobotCode};
/// let keys = vec![ProcessQueryKey::new("pqk1")];
/// let result = client.robot().recall_group_message(RobotCode::new("dingbot"), OpenConversationId::new("cid1=="), keys).await?;
/// assert!(result.failed_result.is_empty());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecallGroupMessage {
    robot_code: RobotCode,
    open_conversation_id: OpenConversationId,
    process_query_keys: Vec<ProcessQueryKey>,
}

impl RecallGroupMessage {
    /// Recalls the messages `process_query_keys` sent by `robot_code` into `open_conversation_id`.
    pub fn new(
        robot_code: RobotCode,
        open_conversation_id: OpenConversationId,
        process_query_keys: Vec<ProcessQueryKey>,
    ) -> Self {
        Self {
            robot_code,
            open_conversation_id,
            process_query_keys,
        }
    }
}

/// The answer to a recall: which keys were recalled and why the others were not.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RecallResponse {
    /// Keys recalled.
    #[serde(default)]
    pub success_result: Vec<ProcessQueryKey>,
    /// Keys not recalled, with DingTalk's reason.
    #[serde(default)]
    pub failed_result: BTreeMap<String, String>,
}

impl RecallResponse {
    /// Whether some keys were not recalled.
    pub fn is_partial(&self) -> bool {
        !self.failed_result.is_empty()
    }
}

impl Endpoint for RecallGroupMessage {
    type Response = RecallResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/robot/groupMessages/recall"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/robot/groupMessages/recall")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("robotCode", self.robot_code.as_str())?;
        dingtalk_core::endpoint::require("openConversationId", self.open_conversation_id.as_str())?;
        super::checks::require_keys(&self.process_query_keys)
    }
}
