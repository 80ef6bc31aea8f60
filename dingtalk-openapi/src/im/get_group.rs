//! `POST /v1.0/im/groups/baseInfos/query`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, OpenConversationId};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Reads a group's base information: `POST /v1.0/im/groups/baseInfos/query`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/query-group-basic-information>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::OpenConversationId;
/// let info = client.im().get_group(OpenConversationId::new("cid1==")).await?;
/// println!("{:?}", info.result.and_then(|r| r.title));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetGroup {
    open_conversation_id: OpenConversationId,
}

impl GetGroup {
    /// Reads group `open_conversation_id`.
    pub fn new(open_conversation_id: OpenConversationId) -> Self {
        Self { open_conversation_id }
    }
}

/// The answer to [`GetGroup`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GetGroupResponse {
    /// Whether the call succeeded.
    #[serde(default, deserialize_with = "crate::wire::lenient_bool::deserialize")]
    pub success: Option<bool>,
    /// The group.
    pub result: Option<GroupInfo>,
}

/// A group's base information.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GroupInfo {
    /// The conversation id.
    pub open_conversation_id: Option<OpenConversationId>,
    /// The group name.
    pub title: Option<String>,
    /// The icon.
    pub icon: Option<String>,
    /// The number of members.
    pub member_count: Option<u64>,
    /// The group tag.
    pub tag: Option<i64>,
}

impl Endpoint for GetGroup {
    type Response = GetGroupResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/im/groups/baseInfos/query"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/im/groups/baseInfos/query")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("openConversationId", self.open_conversation_id.as_str())
    }
}
