//! `POST oapi /topapi/attendance/schedule/listbyusers`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, UserId};
use serde::{Deserialize, Serialize};

use crate::attendance::MAX_SPAN_DAYS;
use crate::error::Error;

/// Most users one [`ListSchedulesByUsers`] call takes.
pub const MAX_SCHEDULE_USERS: usize = 50;

/// Planned shifts (schedules) of up to 50 users over at most 7 days:
/// `POST oapi /topapi/attendance/schedule/listbyusers {op_user_id, userids, from_date_time, to_date_time}`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/development/query-batch-scheduling-information>. `userids`
/// is one comma-separated string; the window is in epoch milliseconds, at most [`MAX_SPAN_DAYS`] days. Needs
/// `qyapi_attendance_group_read`. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UserId;
/// let plan = client.attendance()
///     .list_schedules_by_users(UserId::new("admin"), vec![UserId::new("user1")], 1_772_380_800_000, 1_772_812_800_000)
///     .await?;
/// # let _ = plan; Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct ListSchedulesByUsers {
    op_user_id: UserId,
    #[serde(skip)]
    users: Vec<UserId>,
    userids: String,
    from_date_time: i64,
    to_date_time: i64,
}

impl ListSchedulesByUsers {
    /// The schedules of `users` between `from_ms` and `to_ms`, asked by `op_user_id`.
    pub fn new(op_user_id: UserId, users: Vec<UserId>, from_ms: i64, to_ms: i64) -> Self {
        let userids = users.iter().map(UserId::as_str).collect::<Vec<_>>().join(",");
        Self {
            op_user_id,
            users,
            userids,
            from_date_time: from_ms,
            to_date_time: to_ms,
        }
    }
}

/// A millisecond timestamp or DingTalk's `yyyy-MM-dd HH:mm:ss` text (the docs type these fields as dates).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ScheduleTime {
    /// Epoch milliseconds.
    Millis(i64),
    /// Date text.
    Text(String),
}

/// One planned punch (or a rest day) of one user.
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct Schedule {
    /// The user.
    pub userid: Option<String>,
    /// The work day.
    pub work_date: Option<ScheduleTime>,
    /// `Y` on a rest day, `N` otherwise.
    pub is_rest: Option<String>,
    /// `OnDuty` or `OffDuty`.
    pub check_type: Option<String>,
    /// The planned punch time.
    pub plan_check_time: Option<ScheduleTime>,
    /// The shift id.
    pub shift_id: Option<i64>,
    /// The shift version.
    pub shift_version: Option<i64>,
    /// The attendance group id.
    pub group_id: Option<i64>,
    /// The approval that changed the plan, when one did.
    pub approve_id: Option<i64>,
    /// The schedule entry id.
    pub id: Option<i64>,
}

impl Endpoint for ListSchedulesByUsers {
    type Response = Vec<Schedule>;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/topapi/attendance/schedule/listbyusers"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/topapi/attendance/schedule/listbyusers")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("op_user_id", self.op_user_id.as_str())?;
        if self.users.is_empty() || self.users.len() > MAX_SCHEDULE_USERS {
            return Err(Error::validation(format!(
                "userids: 1 to {MAX_SCHEDULE_USERS} users, got {}",
                self.users.len()
            )));
        }
        if self
            .users
            .iter()
            .any(|u| u.as_str().trim().is_empty() || u.as_str().contains(','))
        {
            return Err(Error::validation("userids: an id is empty or holds a comma"));
        }
        let span = self.to_date_time - self.from_date_time;
        if !(0..=MAX_SPAN_DAYS * 86_400_000).contains(&span) {
            return Err(Error::validation(format!(
                "from_date_time..to_date_time must be at most {MAX_SPAN_DAYS} days"
            )));
        }
        Ok(())
    }

    fn decode(&self, body: &[u8]) -> Result<Vec<Schedule>, Error> {
        let result: Option<Vec<Schedule>> = crate::wire::legacy_result(body)?;
        Ok(result.unwrap_or_default())
    }
}
