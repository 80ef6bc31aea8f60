//! `POST /v1.0/robot/emotion/recall`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, MsgId, OpenConversationId, RobotCode};
use serde::Serialize;

use crate::error::Error;
use crate::robot::{EmotionResponse, ReplyEmotion};

/// Removes an emotion the robot added: `POST /v1.0/robot/emotion/recall` (same body as [`ReplyEmotion`]).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/robot-recall-emoticon>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{MsgId, OpenConversationId, RobotCode};
/// client.robot()
///     .recall_emotion(RobotCode::new("dingbot"), MsgId::new("msg1"), OpenConversationId::new("cid1=="), "Thinking")
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(transparent)]
pub struct RecallEmotion(ReplyEmotion);

impl RecallEmotion {
    /// Recalls the text emotion named `name` from message `open_msg_id`.
    pub fn new(
        robot_code: RobotCode,
        open_msg_id: MsgId,
        open_conversation_id: OpenConversationId,
        name: impl Into<String>,
    ) -> Self {
        Self(ReplyEmotion::new(
            robot_code,
            open_msg_id,
            open_conversation_id,
            name,
        ))
    }
}

impl Endpoint for RecallEmotion {
    type Response = EmotionResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/robot/emotion/recall"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/robot/emotion/recall")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        self.0.check()
    }
}
