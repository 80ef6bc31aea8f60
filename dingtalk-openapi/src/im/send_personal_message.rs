//! `POST /v1.0/im/me/messages/send` (route unverified; see [`SendPersonalMessage`]).

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, OpenConversationId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::Error;
use crate::macros::call_setters;

/// `msgType` of a [`SendPersonalMessage`]: the three values of `im_1_0` `SendPersonalMessageRequest`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum PersonalMsgType {
    /// `text`: `content` is `{"content": text, "at": {"atUserIds": [...], "isAtAll": bool}}`.
    Text,
    /// `markdown`: `content` is `{"title": ..., "text": ...}` (the inner shape is unverified).
    Markdown,
    /// `reply`: `content` is passed as given (its inner shape is undocumented).
    Reply,
}

impl PersonalMsgType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            PersonalMsgType::Text => "text",
            PersonalMsgType::Markdown => "markdown",
            PersonalMsgType::Reply => "reply",
        }
    }

    /// Parses a wire value (`text`, `markdown`, `reply`).
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "text" => Some(PersonalMsgType::Text),
            "markdown" => Some(PersonalMsgType::Markdown),
            "reply" => Some(PersonalMsgType::Reply),
            _ => None,
        }
    }
}

/// Sends a message **as the signed-in user** to a group (`openConversationId`) or to one person (`receiverUid`).
/// Needs a **user** token (OAuth) in `x-acs-dingtalk-access-token`; an app token is not enough.
///
/// The body is that of `im_1_0` `SendPersonalMessageRequest` in DingTalk's official SDK: `content` (a JSON
/// **string**, e.g. `{"content":"月会通知<@all> ","at":{"atUserIds":[],"isAtAll":true}}` for `text`), `msgType`
/// (`text` | `markdown` | `reply`), and exactly one of `openConversationId` or `receiverUid`. The answer is
/// `{"result": {"openTaskId"}, "success"}` (`SendPersonalMessageResponseBody`).
///
/// **Unverified:** the SDK model was found but not its route; [`DEFAULT_PATH`](Self::DEFAULT_PATH) is the one the
/// `dws` reference names. Use [`path`](Self::path) to send to another route without a new release. Also unverified:
/// whether `receiverUid` takes an org `userId` or DingTalk's numeric uid (the SDK's example is numeric), whether the
/// text must carry `<@all>`/`<@userId>` markers for the `at` part to show, and the inner shape of `markdown` content.
///
/// DingTalk docs (model only): <https://github.com/aliyun/dingtalk-sdk> (`im_1_0` `SendPersonalMessageRequest`).
/// Not idempotent (a second send posts a second message).
///
/// ```no_run
/// # async fn run(user_client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{OpenConversationId, UserId};
/// use dingtalk_openapi::im::SendPersonalMessage;
/// let to_group = SendPersonalMessage::text("release is out", false, &[UserId::new("u2")])
///     .group(OpenConversationId::new("cidG+niQ3Ny/NwUc5KE7mANUQ=="));
/// let sent = user_client.call(to_group).await?;
/// println!("{:?}", sent.result.and_then(|r| r.open_task_id));
/// let to_person = SendPersonalMessage::markdown("Notes", "**done**").receiver("manager432");
/// user_client.call(to_person).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendPersonalMessage {
    content: String,
    msg_type: PersonalMsgType,
    #[serde(skip_serializing_if = "Option::is_none")]
    open_conversation_id: Option<OpenConversationId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    receiver_uid: Option<String>,
    #[serde(skip)]
    path: Option<String>,
}

impl SendPersonalMessage {
    /// The route the `dws` reference names (unverified against DingTalk).
    pub const DEFAULT_PATH: &'static str = "/v1.0/im/me/messages/send";

    /// A message of `msg_type` whose `content` (a JSON string, sent as given) is built by the caller. Set the
    /// target with [`group`](Self::group) or [`receiver`](Self::receiver).
    pub fn new(msg_type: PersonalMsgType, content: impl Into<String>) -> Self {
        Self {
            content: content.into(),
            msg_type,
            open_conversation_id: None,
            receiver_uid: None,
            path: None,
        }
    }

    /// A `text` message; `at_all` and `at_user_ids` fill the `at` part (left out when nobody is @-mentioned).
    pub fn text(text: impl Into<String>, at_all: bool, at_user_ids: &[UserId]) -> Self {
        let text = text.into();
        let content = if at_all || !at_user_ids.is_empty() {
            json!({"content": text, "at": {"atUserIds": at_user_ids, "isAtAll": at_all}})
        } else {
            json!({ "content": text })
        };
        Self::new(PersonalMsgType::Text, content.to_string())
    }

    /// A `markdown` message: `content` is `{"title", "text"}` (inner shape unverified).
    pub fn markdown(title: impl Into<String>, text: impl Into<String>) -> Self {
        let content = json!({"title": title.into(), "text": text.into()});
        Self::new(PersonalMsgType::Markdown, content.to_string())
    }

    /// Sends into the group `open_conversation_id`.
    #[must_use]
    pub fn group(mut self, open_conversation_id: OpenConversationId) -> Self {
        self.open_conversation_id = Some(open_conversation_id);
        self
    }

    /// Sends to one person (`receiverUid`).
    #[must_use]
    pub fn receiver(mut self, receiver_uid: impl Into<String>) -> Self {
        self.receiver_uid = Some(receiver_uid.into());
        self
    }

    /// Sends to `path` instead of [`DEFAULT_PATH`](Self::DEFAULT_PATH) (the route is unverified). Must start with
    /// `/v1.0/` or `/v2.0/`.
    #[must_use]
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The `content` string as sent.
    pub fn content(&self) -> &str {
        &self.content
    }
}

/// The answer to [`SendPersonalMessage`] (`SendPersonalMessageResponseBody`).
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct SendPersonalMessageResponse {
    /// The send task.
    pub result: Option<PersonalMessageResult>,
    /// Whether it was sent (a string `"true"` in the SDK model; booleans are taken too).
    #[serde(default, deserialize_with = "crate::wire::lenient_bool::deserialize")]
    pub success: Option<bool>,
}

/// `result` of [`SendPersonalMessageResponse`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PersonalMessageResult {
    /// The id of the send task.
    pub open_task_id: Option<String>,
}

impl Endpoint for SendPersonalMessage {
    type Response = SendPersonalMessageResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = false;

    fn route(&self) -> &'static str {
        if self.path.is_some() {
            "{custom SendPersonalMessage route}"
        } else {
            Self::DEFAULT_PATH
        }
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.path.as_deref().unwrap_or(Self::DEFAULT_PATH))
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        if let Some(p) = &self.path
            && (!(p.starts_with("/v1.0/") || p.starts_with("/v2.0/"))
                || p.contains("..")
                || p.contains(['?', '#', ' ']))
        {
            return Err(Error::validation(format!(
                "path must be a /v1.0/ or /v2.0/ route without query (got {p:?})"
            )));
        }
        match (&self.open_conversation_id, &self.receiver_uid) {
            (Some(cid), None) => dingtalk_core::endpoint::require("openConversationId", cid.as_str())?,
            (None, Some(uid)) => dingtalk_core::endpoint::require("receiverUid", uid.trim())?,
            _ => {
                return Err(Error::validation(
                    "give exactly one of openConversationId (group) or receiverUid (person)",
                ));
            }
        }
        dingtalk_core::endpoint::require("content", self.content.trim())?;
        if self.msg_type == PersonalMsgType::Reply {
            return Ok(());
        }
        let parsed: serde_json::Value = serde_json::from_str(&self.content).map_err(|_| {
            Error::validation(format!(
                "content of a {} message is a JSON object",
                self.msg_type.as_str()
            ))
        })?;
        let text_key = match self.msg_type {
            PersonalMsgType::Text => "content",
            _ => "text",
        };
        match parsed.get(text_key).and_then(serde_json::Value::as_str) {
            Some(t) if !t.trim().is_empty() => Ok(()),
            _ => Err(Error::validation(format!(
                "content of a {} message needs a non-empty \"{text_key}\"",
                self.msg_type.as_str()
            ))),
        }
    }
}

call_setters!(SendPersonalMessage {
    group(open_conversation_id: OpenConversationId),
    receiver(receiver_uid: impl Into<String>),
    path(path: impl Into<String>),
});
