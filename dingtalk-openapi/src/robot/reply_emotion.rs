//! `POST /v1.0/robot/emotion/reply`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, MsgId, OpenConversationId, RobotCode};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::macros::call_setters;

/// Adds an emotion (reaction) to an inbound message: `POST /v1.0/robot/emotion/reply`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/robot-reply-emoticon>. The defaults
/// (`emotionType` 2, `emotionId` `2659900`, `backgroundId` `im_bg_1`) are what DingTalk's own connectors send; their
/// meaning is undocumented. Not idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{MsgId, OpenConversationId, RobotCode};
/// client.robot()
///     .reply_emotion(RobotCode::new("dingbot"), MsgId::new("msg1"), OpenConversationId::new("cid1=="), "Thinking")
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplyEmotion {
    robot_code: RobotCode,
    open_msg_id: MsgId,
    open_conversation_id: OpenConversationId,
    emotion_type: i32,
    emotion_name: String,
    text_emotion: TextEmotion,
}

/// The `textEmotion` object of an emotion reply or recall.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TextEmotion {
    emotion_id: String,
    emotion_name: String,
    text: String,
    background_id: String,
}

impl ReplyEmotion {
    /// A text emotion named `name` on message `open_msg_id` (the inbound `msgId`).
    pub fn new(
        robot_code: RobotCode,
        open_msg_id: MsgId,
        open_conversation_id: OpenConversationId,
        name: impl Into<String>,
    ) -> Self {
        let name = name.into();
        Self {
            robot_code,
            open_msg_id,
            open_conversation_id,
            emotion_type: 2,
            emotion_name: name.clone(),
            text_emotion: TextEmotion {
                emotion_id: "2659900".to_owned(),
                emotion_name: name.clone(),
                text: name,
                background_id: "im_bg_1".to_owned(),
            },
        }
    }

    /// The `textEmotion.emotionId` (default `2659900`).
    #[must_use]
    pub fn emotion_id(mut self, emotion_id: impl Into<String>) -> Self {
        self.text_emotion.emotion_id = emotion_id.into();
        self
    }

    /// The `textEmotion.backgroundId` (default `im_bg_1`).
    #[must_use]
    pub fn background_id(mut self, background_id: impl Into<String>) -> Self {
        self.text_emotion.background_id = background_id.into();
        self
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("robotCode", self.robot_code.as_str())?;
        dingtalk_core::endpoint::require("openMsgId", self.open_msg_id.as_str())?;
        dingtalk_core::endpoint::require("openConversationId", self.open_conversation_id.as_str())?;
        dingtalk_core::endpoint::require("emotionName", &self.emotion_name)
    }
}

/// The answer to an emotion reply or recall.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EmotionResponse {
    /// Whether DingTalk applied the change.
    pub success: Option<bool>,
}

impl Endpoint for ReplyEmotion {
    type Response = EmotionResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = false;

    fn route(&self) -> &'static str {
        "/v1.0/robot/emotion/reply"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/robot/emotion/reply")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        self.check()
    }
}

call_setters!(ReplyEmotion {
    emotion_id(emotion_id: impl Into<String>),
    background_id(background_id: impl Into<String>),
});
