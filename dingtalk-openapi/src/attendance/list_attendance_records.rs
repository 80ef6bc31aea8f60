//! `POST oapi /attendance/listRecord`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Cursor, Endpoint, Method, Paginated, UserId};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Lists raw punch records: `POST https://oapi.dingtalk.com/attendance/listRecord` (one page).
///
/// At most 50 users and a 7-day window. DingTalk docs:
/// <https://open.dingtalk.com/document/orgapp/attendance-clock-in-record-is-open>. Idempotent; `.into_stream()`
/// yields [`AttendanceRecord`]s.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UserId;
/// let page = client.attendance()
///     .list_attendance_records(vec![UserId::new("manager432")], "2026-03-23 00:00:00", "2026-03-27 00:00:00")
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListAttendanceRecords {
    user_ids: Vec<UserId>,
    check_date_from: String,
    check_date_to: String,
}

impl ListAttendanceRecords {
    /// Records of `user_ids` between `from` and `to` (`yyyy-MM-dd HH:mm:ss`).
    pub fn new(user_ids: Vec<UserId>, from: impl Into<String>, to: impl Into<String>) -> Self {
        Self {
            user_ids,
            check_date_from: from.into(),
            check_date_to: to.into(),
        }
    }
}

/// The answer to [`ListAttendanceRecords`].
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct ListAttendanceRecordsResponse {
    /// The records.
    #[serde(default)]
    pub recordresult: Vec<AttendanceRecord>,
}

/// One raw punch.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AttendanceRecord {
    /// The user.
    pub user_id: Option<UserId>,
    /// The punch time, Unix milliseconds.
    pub user_check_time: Option<i64>,
    /// `OnDuty` or `OffDuty`.
    pub check_type: Option<String>,
    /// The time verdict.
    pub time_result: Option<String>,
    /// The location verdict.
    pub location_result: Option<String>,
    /// How the punch was made.
    pub source_type: Option<String>,
    /// The punch address.
    pub user_address: Option<String>,
    /// The device.
    pub device_id: Option<String>,
}

impl Endpoint for ListAttendanceRecords {
    type Response = ListAttendanceRecordsResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/attendance/listRecord"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/attendance/listRecord")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        super::span::check_span(&self.check_date_from, &self.check_date_to)?;
        if self.user_ids.is_empty() || self.user_ids.len() > 50 {
            return Err(Error::validation("userIds holds 1 to 50 users"));
        }
        Ok(())
    }
}

impl Paginated for ListAttendanceRecords {
    type Item = AttendanceRecord;

    fn with_cursor(&self, _cursor: Option<&Cursor>) -> Self {
        self.clone()
    }

    fn split(&self, response: Self::Response) -> (Vec<AttendanceRecord>, Option<Cursor>) {
        (response.recordresult, None)
    }
}
