//! `POST oapi /topapi/attendance/shift/list`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Cursor, Endpoint, Method, Paginated, UserId};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Lists attendance shifts: `POST https://oapi.dingtalk.com/topapi/attendance/shift/list` (cursor paging).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/query-shift-list>. Idempotent; `.into_stream()` yields
/// [`Shift`]s.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UserId;
/// use futures_util::TryStreamExt;
/// let shifts: Vec<_> = client.attendance().list_shifts(UserId::new("manager432")).into_stream().try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct ListShifts {
    op_user_id: UserId,
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<i64>,
}

impl ListShifts {
    /// Shifts visible to `op_user_id` (an attendance administrator).
    pub fn new(op_user_id: UserId) -> Self {
        Self {
            op_user_id,
            cursor: None,
        }
    }
}

/// One page of [`ListShifts`].
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct ListShiftsResponse {
    /// The shifts.
    #[serde(default)]
    pub result: Vec<Shift>,
    /// Whether more pages exist.
    pub has_more: Option<bool>,
    /// The next page's cursor.
    pub cursor: Option<i64>,
}

/// A shift.
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct Shift {
    /// The shift id.
    pub id: i64,
    /// The name.
    pub name: Option<String>,
}

impl Endpoint for ListShifts {
    type Response = ListShiftsResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/topapi/attendance/shift/list"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/topapi/attendance/shift/list")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("op_user_id", self.op_user_id.as_str())
    }

    fn decode(&self, body: &[u8]) -> Result<Self::Response, Error> {
        crate::wire::legacy_result::<Option<Self::Response>>(body).map(Option::unwrap_or_default)
    }
}

impl Paginated for ListShifts {
    type Item = Shift;

    fn with_cursor(&self, cursor: Option<&Cursor>) -> Self {
        let mut next = self.clone();
        next.cursor = match cursor {
            Some(Cursor::Number(n)) => Some(*n),
            _ => None,
        };
        next
    }

    fn cursor(&self) -> Option<Cursor> {
        self.cursor.map(Cursor::Number)
    }

    fn split(&self, response: Self::Response) -> (Vec<Shift>, Option<Cursor>) {
        (
            response.result,
            Cursor::topapi(response.cursor, response.has_more),
        )
    }
}
