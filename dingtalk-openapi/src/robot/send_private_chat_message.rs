//! `POST /v1.0/robot/privateChatMessages/send`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, OpenConversationId, RobotCode};
use serde::Serialize;

use crate::error::Error;
use crate::robot::{RobotMessage, SendGroupMessageResponse};

/// Sends a robot message into a person-to-person chat: `POST /v1.0/robot/privateChatMessages/send`.
///
/// Only for robots installed as a direct-message cool-app, hence the required `coolAppCode`. DingTalk docs:
/// <https://open.dingtalk.com/document/orgapp/send-single-chat-messages>. Not idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{OpenConversationId, RobotCode};
/// use dingtalk_openapi::robot::RobotMessage;
/// let chat = OpenConversationId::new("cidPrivate==");
/// client.robot().send_private_chat_message(RobotCode::new("dingbot"), chat, "COOLAPP", RobotMessage::text("hi")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendPrivateChatMessage {
    robot_code: RobotCode,
    open_conversation_id: OpenConversationId,
    cool_app_code: String,
    msg_key: String,
    msg_param: String,
}

impl SendPrivateChatMessage {
    /// A send of `message` into the 1:1 conversation `open_conversation_id`.
    pub fn new(
        robot_code: RobotCode,
        open_conversation_id: OpenConversationId,
        cool_app_code: impl Into<String>,
        message: RobotMessage,
    ) -> Self {
        let (msg_key, msg_param) = message.into_parts();
        Self {
            robot_code,
            open_conversation_id,
            cool_app_code: cool_app_code.into(),
            msg_key: msg_key.as_str().to_owned(),
            msg_param,
        }
    }
}

impl Endpoint for SendPrivateChatMessage {
    type Response = SendGroupMessageResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = false;

    fn route(&self) -> &'static str {
        "/v1.0/robot/privateChatMessages/send"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/robot/privateChatMessages/send")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        super::checks::validate_send(&self.robot_code, &self.msg_key, &self.msg_param)?;
        dingtalk_core::endpoint::require("openConversationId", self.open_conversation_id.as_str())?;
        dingtalk_core::endpoint::require("coolAppCode", &self.cool_app_code)
    }
}
