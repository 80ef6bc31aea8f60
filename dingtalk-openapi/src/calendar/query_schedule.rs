//! `POST /v1.0/calendar/users/{unionId}/querySchedule`.

use std::borrow::Cow;

use dingtalk_core::endpoint::encode_segment;
use dingtalk_core::{ApiHost, Body, Endpoint, Method, UnionId};
use serde::{Deserialize, Serialize};

use crate::calendar::EventTime;
use crate::error::Error;

/// Reads free/busy schedules: `POST /v1.0/calendar/users/{unionId}/querySchedule`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/query-the-free-busy-status-of-a-user>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UnionId;
/// let busy = client.calendar()
///     .query_schedule(UnionId::new("union1"), vec![UnionId::new("union2")], "2026-03-25T00:00Z", "2026-03-26T00:00Z")
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuerySchedule {
    #[serde(skip)]
    user: UnionId,
    user_ids: Vec<UnionId>,
    start_time: String,
    end_time: String,
}

impl QuerySchedule {
    /// The schedules of `user_ids` between `start_time` and `end_time`, asked by `user`.
    pub fn new(
        user: UnionId,
        user_ids: Vec<UnionId>,
        start_time: impl Into<String>,
        end_time: impl Into<String>,
    ) -> Self {
        Self {
            user,
            user_ids,
            start_time: start_time.into(),
            end_time: end_time.into(),
        }
    }
}

/// The answer to [`QuerySchedule`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct QueryScheduleResponse {
    /// One entry per asked user.
    #[serde(default)]
    pub schedule_information: Vec<ScheduleInformation>,
}

/// One user's schedule.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScheduleInformation {
    /// The user's union id.
    pub user_id: Option<UnionId>,
    /// Why the schedule could not be read, if it could not.
    pub error: Option<String>,
    /// Busy slots.
    #[serde(default)]
    pub schedule_items: Vec<ScheduleItem>,
}

/// One busy slot.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScheduleItem {
    /// `BUSY`, `TENTATIVE`, …
    pub status: Option<String>,
    /// The start.
    pub start: Option<EventTime>,
    /// The end.
    pub end: Option<EventTime>,
}

impl Endpoint for QuerySchedule {
    type Response = QueryScheduleResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/calendar/users/{unionId}/querySchedule"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(format!(
            "/v1.0/calendar/users/{}/querySchedule",
            encode_segment(self.user.as_str())
        ))
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())?;
        dingtalk_core::endpoint::require("startTime", &self.start_time)?;
        dingtalk_core::endpoint::require("endTime", &self.end_time)?;
        if self.user_ids.is_empty() {
            return Err(Error::validation("userIds is required"));
        }
        Ok(())
    }
}
