//! `POST /v1.0/robot/groupMessages/send`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, OpenConversationId, ProcessQueryKey, RobotCode};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::macros::call_setters;
use crate::robot::RobotMessage;

/// Sends a robot message to a group chat: `POST /v1.0/robot/groupMessages/send`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/the-robot-sends-a-group-message>. Not idempotent: a
/// send that timed out is never retried (it might post twice).
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{OpenConversationId, RobotCode};
/// use dingtalk_openapi::robot::RobotMessage;
/// let chat = OpenConversationId::new("cidG+niQ3Ny/NwUc5KE7mANUQ==");
/// let message = RobotMessage::markdown("Deploy", "**done**");
/// let sent = client.robot().send_group_message(RobotCode::new("dingbot"), chat, message).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendGroupMessage {
    robot_code: RobotCode,
    open_conversation_id: OpenConversationId,
    msg_key: String,
    msg_param: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cool_app_code: Option<String>,
}

impl SendGroupMessage {
    /// A group send of `message` by robot `robot_code` into `open_conversation_id`.
    pub fn new(
        robot_code: RobotCode,
        open_conversation_id: OpenConversationId,
        message: RobotMessage,
    ) -> Self {
        let (msg_key, msg_param) = message.into_parts();
        Self {
            robot_code,
            open_conversation_id,
            msg_key: msg_key.as_str().to_owned(),
            msg_param,
            cool_app_code: None,
        }
    }

    /// The cool-app code, required when the robot was installed into the group through a group cool-app.
    #[must_use]
    pub fn cool_app_code(mut self, cool_app_code: impl Into<String>) -> Self {
        self.cool_app_code = Some(cool_app_code.into());
        self
    }
}

/// The answer to [`SendGroupMessage`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SendGroupMessageResponse {
    /// The handle needed to recall the message or query its read status.
    pub process_query_key: Option<ProcessQueryKey>,
}

impl Endpoint for SendGroupMessage {
    type Response = SendGroupMessageResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = false;

    fn route(&self) -> &'static str {
        "/v1.0/robot/groupMessages/send"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/robot/groupMessages/send")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        super::checks::validate_send(&self.robot_code, &self.msg_key, &self.msg_param)?;
        dingtalk_core::endpoint::require("openConversationId", self.open_conversation_id.as_str())
    }
}

call_setters!(SendGroupMessage { cool_app_code(cool_app_code: impl Into<String>) });
