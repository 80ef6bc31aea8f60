//! `POST /v1.0/robot/groupMessages/query`.

use std::borrow::Cow;

use dingtalk_core::{
    ApiHost, Body, Cursor, Endpoint, Method, OpenConversationId, Paginated, ProcessQueryKey, RobotCode,
    UserId,
};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::macros::call_setters;

/// The most readers one page may ask for (`maxResults`), per DingTalk's documentation.
pub const MAX_READ_STATUS_PAGE: u32 = 200;

/// Lists who read a robot group message: `POST /v1.0/robot/groupMessages/query` (`nextToken` paging).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/chatbots-query-the-read-list-of-group-messages>.
/// Idempotent. `.into_stream()` yields the readers' [`UserId`]s across pages.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::ProcessQueryKey;
/// use futures_util::TryStreamExt;
/// let readers: Vec<_> = client.im().query_group_message_read_status(ProcessQueryKey::new("pqk1"))
///     .into_stream().try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryGroupMessageReadStatus {
    process_query_key: ProcessQueryKey,
    #[serde(skip_serializing_if = "Option::is_none")]
    robot_code: Option<RobotCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    open_conversation_id: Option<OpenConversationId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_results: Option<u32>,
}

impl QueryGroupMessageReadStatus {
    /// The read status of message `process_query_key`.
    pub fn new(process_query_key: ProcessQueryKey) -> Self {
        Self {
            process_query_key,
            robot_code: None,
            open_conversation_id: None,
            next_token: None,
            max_results: None,
        }
    }

    /// The robot that sent the message.
    #[must_use]
    pub fn robot_code(mut self, robot_code: RobotCode) -> Self {
        self.robot_code = Some(robot_code);
        self
    }

    /// The group the message was sent to.
    #[must_use]
    pub fn open_conversation_id(mut self, open_conversation_id: OpenConversationId) -> Self {
        self.open_conversation_id = Some(open_conversation_id);
        self
    }

    /// Page size.
    #[must_use]
    pub fn max_results(mut self, max_results: u32) -> Self {
        self.max_results = Some(max_results);
        self
    }

    /// Start at this page token.
    #[must_use]
    pub fn next_token(mut self, next_token: impl Into<String>) -> Self {
        self.next_token = Some(next_token.into());
        self
    }
}

/// One page of [`QueryGroupMessageReadStatus`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct QueryGroupMessageReadStatusResponse {
    /// The send status.
    pub send_status: Option<String>,
    /// Ids of the users who read the message.
    #[serde(default)]
    pub read_user_ids: Vec<UserId>,
    /// Whether more pages exist.
    pub has_more: Option<bool>,
    /// The next page's token.
    pub next_token: Option<String>,
}

impl Endpoint for QueryGroupMessageReadStatus {
    type Response = QueryGroupMessageReadStatusResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/robot/groupMessages/query"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/robot/groupMessages/query")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("processQueryKey", self.process_query_key.as_str())?;
        match self.max_results {
            Some(n) if !(1..=MAX_READ_STATUS_PAGE).contains(&n) => Err(Error::validation(format!(
                "maxResults must be 1 to {MAX_READ_STATUS_PAGE}, got {n}"
            ))),
            _ => Ok(()),
        }
    }
}

impl Paginated for QueryGroupMessageReadStatus {
    type Item = UserId;

    crate::macros::next_token_cursor!();

    fn split(&self, response: Self::Response) -> (Vec<UserId>, Option<Cursor>) {
        (
            response.read_user_ids,
            Cursor::next_token(response.next_token, response.has_more),
        )
    }
}

call_setters!(QueryGroupMessageReadStatus {
    robot_code(robot_code: RobotCode),
    open_conversation_id(open_conversation_id: OpenConversationId),
    max_results(max_results: u32),
    next_token(next_token: impl Into<String>),
});
