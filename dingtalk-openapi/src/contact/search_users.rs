//! `POST /v1.0/contact/users/search`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Cursor, Endpoint, Method, Paginated, UserId};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::macros::call_setters;

/// Searches users by name: `POST /v1.0/contact/users/search` (`offset` + `size` paging; ids only).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/address-book-search-user-id>. Idempotent.
/// `.into_stream()` yields every matching [`UserId`].
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use futures_util::TryStreamExt;
/// let ids: Vec<_> = client.contact().search_users("Zhang").into_stream().try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchUsers {
    query_word: String,
    offset: u64,
    size: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_match_field: Option<i32>,
}

impl SearchUsers {
    /// The default and largest page size.
    pub const DEFAULT_SIZE: u32 = 20;

    /// Users whose name contains `query_word`.
    pub fn new(query_word: impl Into<String>) -> Self {
        Self {
            query_word: query_word.into(),
            offset: 0,
            size: Self::DEFAULT_SIZE,
            full_match_field: None,
        }
    }

    /// Page size (1 to 20).
    #[must_use]
    pub fn size(mut self, size: u32) -> Self {
        self.size = size;
        self
    }

    /// Start at this offset.
    #[must_use]
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// Exact-match mode (`fullMatchField`; values undocumented).
    #[must_use]
    pub fn full_match_field(mut self, field: i32) -> Self {
        self.full_match_field = Some(field);
        self
    }
}

/// One page of [`SearchUsers`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SearchUsersResponse {
    /// Whether more pages exist.
    pub has_more: Option<bool>,
    /// Total matches.
    pub total_count: Option<u64>,
    /// Matching user ids.
    #[serde(default)]
    pub list: Vec<UserId>,
}

impl Endpoint for SearchUsers {
    type Response = SearchUsersResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/contact/users/search"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/contact/users/search")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("queryWord", &self.query_word)?;
        if !(1..=Self::DEFAULT_SIZE).contains(&self.size) {
            return Err(Error::validation("size is 1 to 20"));
        }
        Ok(())
    }
}

impl Paginated for SearchUsers {
    type Item = UserId;

    fn with_cursor(&self, cursor: Option<&Cursor>) -> Self {
        let mut next = self.clone();
        next.offset = match cursor {
            Some(Cursor::Offset(n)) => *n,
            _ => 0,
        };
        next
    }

    fn cursor(&self) -> Option<Cursor> {
        (self.offset > 0).then_some(Cursor::Offset(self.offset))
    }

    fn split(&self, response: SearchUsersResponse) -> (Vec<UserId>, Option<Cursor>) {
        let next = Cursor::offset(self.offset, response.list.len(), response.has_more);
        (response.list, next)
    }
}

call_setters!(SearchUsers {
    size(size: u32),
    offset(offset: u64),
    full_match_field(field: i32),
});
