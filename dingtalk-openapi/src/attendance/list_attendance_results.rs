//! `POST oapi /attendance/list`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Cursor, Endpoint, Method, Paginated, UserId};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::macros::call_setters;

/// Lists punch results (on-duty/off-duty checks with their verdicts): `POST https://oapi.dingtalk.com/attendance/list`
/// (`offset` + `limit` paging; camelCase body).
///
/// At most 50 users and a 7-day window. DingTalk docs:
/// <https://open.dingtalk.com/document/orgapp/open-attendance-clock-in-data>. Idempotent; `.into_stream()` yields
/// [`AttendanceResult`]s.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UserId;
/// use futures_util::TryStreamExt;
/// let results: Vec<_> = client.attendance()
///     .list_attendance_results(vec![UserId::new("manager432")], "2026-03-23 00:00:00", "2026-03-27 00:00:00")
///     .into_stream().try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListAttendanceResults {
    work_date_from: String,
    work_date_to: String,
    user_id_list: Vec<UserId>,
    offset: u64,
    limit: u32,
}

impl ListAttendanceResults {
    /// The largest page and the most users per query.
    pub const MAX: u32 = 50;

    /// Results of `user_ids` between `from` and `to` (`yyyy-MM-dd HH:mm:ss`).
    pub fn new(user_ids: Vec<UserId>, from: impl Into<String>, to: impl Into<String>) -> Self {
        Self {
            work_date_from: from.into(),
            work_date_to: to.into(),
            user_id_list: user_ids,
            offset: 0,
            limit: Self::MAX,
        }
    }

    /// Page size (1 to 50).
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }
}

/// One page of [`ListAttendanceResults`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListAttendanceResultsResponse {
    /// Whether more pages exist.
    pub has_more: Option<bool>,
    /// The results.
    #[serde(default)]
    pub recordresult: Vec<AttendanceResult>,
}

/// One punch result.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AttendanceResult {
    /// The result id.
    pub id: Option<i64>,
    /// The user.
    pub user_id: Option<UserId>,
    /// The work day, Unix milliseconds.
    pub work_date: Option<i64>,
    /// `OnDuty` or `OffDuty`.
    pub check_type: Option<String>,
    /// `Normal`, `Early`, `Late`, `SeriousLate`, `Absenteeism`, `NotSigned`.
    pub time_result: Option<String>,
    /// `Normal`, `Outside`, `NotSigned`.
    pub location_result: Option<String>,
    /// The scheduled time, Unix milliseconds.
    pub base_check_time: Option<i64>,
    /// The actual punch time, Unix milliseconds.
    pub user_check_time: Option<i64>,
    /// How the punch was made.
    pub source_type: Option<String>,
}

impl Endpoint for ListAttendanceResults {
    type Response = ListAttendanceResultsResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/attendance/list"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/attendance/list")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        super::span::check_span(&self.work_date_from, &self.work_date_to)?;
        if self.user_id_list.is_empty() || self.user_id_list.len() > Self::MAX as usize {
            return Err(Error::validation("userIdList holds 1 to 50 users"));
        }
        if !(1..=Self::MAX).contains(&self.limit) {
            return Err(Error::validation("limit is 1 to 50"));
        }
        Ok(())
    }
}

impl Paginated for ListAttendanceResults {
    type Item = AttendanceResult;

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

    fn split(&self, response: Self::Response) -> (Vec<AttendanceResult>, Option<Cursor>) {
        let next = Cursor::offset(self.offset, response.recordresult.len(), response.has_more);
        (response.recordresult, next)
    }
}

call_setters!(ListAttendanceResults { limit(limit: u32) });
