//! `POST /v1.0/im/group/create`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, ChatId, Endpoint, MediaId, Method, OpenConversationId, UserId};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::macros::call_setters;

/// Creates an internal group chat: `POST /v1.0/im/group/create`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/create-group-session>. Not idempotent (each call makes
/// a new group).
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UserId;
/// let members = vec![UserId::new("u1"), UserId::new("u2")];
/// let group = client.im().create_group("Release", UserId::new("manager432"), members).await?;
/// println!("{:?}", group.open_conversation_id);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateGroup {
    name: String,
    owner: UserId,
    useridlist: Vec<UserId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon: Option<MediaId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversation_tag: Option<i32>,
}

impl CreateGroup {
    /// A group `name` owned by `owner` with `members` (the owner is added by DingTalk).
    pub fn new(name: impl Into<String>, owner: UserId, members: Vec<UserId>) -> Self {
        Self {
            name: name.into(),
            owner,
            useridlist: members,
            icon: None,
            conversation_tag: None,
        }
    }

    /// The group icon (an uploaded media id).
    #[must_use]
    pub fn icon(mut self, icon: MediaId) -> Self {
        self.icon = Some(icon);
        self
    }

    /// Makes it an enterprise group (`conversationTag` 2) instead of a normal one (0).
    #[must_use]
    pub fn enterprise(mut self) -> Self {
        self.conversation_tag = Some(2);
        self
    }
}

/// The answer to [`CreateGroup`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateGroupResponse {
    /// The legacy group id.
    pub chatid: Option<ChatId>,
    /// The group's conversation id for OpenAPI calls.
    pub open_conversation_id: Option<OpenConversationId>,
    /// `0` normal, `2` enterprise group.
    pub conversation_tag: Option<i32>,
}

impl Endpoint for CreateGroup {
    type Response = CreateGroupResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = false;

    fn route(&self) -> &'static str {
        "/v1.0/im/group/create"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/im/group/create")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("name", &self.name)?;
        dingtalk_core::endpoint::require("owner", self.owner.as_str())?;
        if self.useridlist.is_empty() {
            return Err(Error::validation("useridlist is required"));
        }
        Ok(())
    }
}

call_setters!(CreateGroup { icon(icon: MediaId), enterprise() });
