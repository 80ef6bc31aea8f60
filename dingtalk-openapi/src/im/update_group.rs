//! `POST /v1.0/im/group/update`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, ChatId, Endpoint, MediaId, Method, UserId};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::macros::call_setters;

/// Updates a group and adds or removes members: `POST /v1.0/im/group/update` (keys are mixed case on the wire:
/// `add_useridlist`, `del_useridlist`; the names are those of `im_1_0` `UpdateGroupRequest`).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/modify-a-group-session>. Idempotent (adding a member
/// twice or renaming twice leaves the same state).
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{ChatId, UserId};
/// client.im().add_group_members(ChatId::new("chat123"), vec![UserId::new("u3")]).await?;
/// client.im().update_group(ChatId::new("chat123")).name("Release 2").await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateGroup {
    chatid: ChatId,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<UserId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon: Option<MediaId>,
    #[serde(rename = "add_useridlist", skip_serializing_if = "Vec::is_empty")]
    add_useridlist: Vec<UserId>,
    #[serde(rename = "del_useridlist", skip_serializing_if = "Vec::is_empty")]
    del_useridlist: Vec<UserId>,
}

impl UpdateGroup {
    /// The longest group name DingTalk takes, in characters.
    pub const MAX_NAME_CHARS: usize = 20;

    /// An update of group `chatid` (set what changes with the setters).
    pub fn new(chatid: ChatId) -> Self {
        Self {
            chatid,
            name: None,
            owner: None,
            icon: None,
            add_useridlist: Vec::new(),
            del_useridlist: Vec::new(),
        }
    }

    /// Renames the group (1 to 20 characters, DingTalk's limit).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Transfers ownership.
    #[must_use]
    pub fn owner(mut self, owner: UserId) -> Self {
        self.owner = Some(owner);
        self
    }

    /// Changes the icon.
    #[must_use]
    pub fn icon(mut self, icon: MediaId) -> Self {
        self.icon = Some(icon);
        self
    }

    /// Adds members.
    #[must_use]
    pub fn add_members(mut self, members: Vec<UserId>) -> Self {
        self.add_useridlist.extend(members);
        self
    }

    /// Removes members.
    #[must_use]
    pub fn remove_members(mut self, members: Vec<UserId>) -> Self {
        self.del_useridlist.extend(members);
        self
    }
}

/// The answer to [`UpdateGroup`].
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct UpdateGroupResponse {
    /// Whether the update was applied.
    #[serde(default, deserialize_with = "crate::wire::lenient_bool::deserialize")]
    pub success: Option<bool>,
}

impl Endpoint for UpdateGroup {
    type Response = UpdateGroupResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/im/group/update"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/im/group/update")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("chatid", self.chatid.as_str())?;
        if let Some(name) = &self.name {
            let chars = name.trim().chars().count();
            if chars == 0 || name.chars().count() > Self::MAX_NAME_CHARS {
                return Err(Error::validation(format!(
                    "name is 1 to {} characters (got {})",
                    Self::MAX_NAME_CHARS,
                    name.chars().count()
                )));
            }
        }
        Ok(())
    }
}

call_setters!(UpdateGroup {
    name(name: impl Into<String>),
    owner(owner: UserId),
    icon(icon: MediaId),
    add_members(members: Vec<UserId>),
    remove_members(members: Vec<UserId>),
});
