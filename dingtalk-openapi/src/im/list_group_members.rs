//! `POST /v1.0/im/innerGroups/members/query`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Cursor, Endpoint, Method, OpenConversationId, Paginated, UserId};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::macros::call_setters;

/// Lists the members of an internal group: `POST /v1.0/im/innerGroups/members/query` (`nextToken` paging).
///
/// The model is `im_1_0` `GetInnerGroupMembers` (the route some clients call, `…/memberLists/query`, has no model).
/// `user_id` is the operator, who must be in the group. DingTalk docs:
/// <https://open.dingtalk.com/document/orgapp/queries-the-list-of-all-members-of-a-group>. Idempotent;
/// `.into_stream()` yields every member's [`UserId`].
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{OpenConversationId, UserId};
/// use futures_util::TryStreamExt;
/// let members: Vec<_> = client.im()
///     .list_group_members(OpenConversationId::new("cid1=="), UserId::new("manager432"))
///     .into_stream().try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListGroupMembers {
    open_conversation_id: OpenConversationId,
    user_id: UserId,
    max_results: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

impl ListGroupMembers {
    /// The default page size.
    pub const DEFAULT_MAX_RESULTS: u32 = 100;

    /// The members of `open_conversation_id`, asked by member `user_id`.
    pub fn new(open_conversation_id: OpenConversationId, user_id: UserId) -> Self {
        Self {
            open_conversation_id,
            user_id,
            max_results: Self::DEFAULT_MAX_RESULTS,
            next_token: None,
        }
    }

    /// Page size.
    #[must_use]
    pub fn max_results(mut self, max_results: u32) -> Self {
        self.max_results = max_results;
        self
    }
}

/// One page of [`ListGroupMembers`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListGroupMembersResponse {
    /// Member ids.
    #[serde(default)]
    pub user_ids: Vec<UserId>,
    /// Whether more pages exist.
    pub has_more: Option<bool>,
    /// The next page's token.
    pub next_token: Option<String>,
}

impl Endpoint for ListGroupMembers {
    type Response = ListGroupMembersResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/im/innerGroups/members/query"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/im/innerGroups/members/query")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("openConversationId", self.open_conversation_id.as_str())?;
        dingtalk_core::endpoint::require("userId", self.user_id.as_str())?;
        if self.max_results == 0 {
            return Err(Error::validation("maxResults must be positive"));
        }
        Ok(())
    }
}

impl Paginated for ListGroupMembers {
    type Item = UserId;

    crate::macros::next_token_cursor!();

    fn split(&self, response: Self::Response) -> (Vec<UserId>, Option<Cursor>) {
        (
            response.user_ids,
            Cursor::next_token(response.next_token, response.has_more),
        )
    }
}

call_setters!(ListGroupMembers { max_results(max_results: u32) });
