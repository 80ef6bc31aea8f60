//! `GET /v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, CalendarEventId, Endpoint, Method, UnionId};

use crate::calendar::model::event_path;
use crate::calendar::{Event, PRIMARY_CALENDAR};
use crate::error::Error;

/// Reads an event: `GET /v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/query-a-single-schedule>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{CalendarEventId, UnionId};
/// let event = client.calendar().get_event(UnionId::new("union1"), CalendarEventId::new("ev1")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct GetEvent {
    user: UnionId,
    calendar_id: String,
    event_id: CalendarEventId,
}

impl GetEvent {
    /// Event `event_id` of `user`'s primary calendar.
    pub fn new(user: UnionId, event_id: CalendarEventId) -> Self {
        Self {
            user,
            calendar_id: PRIMARY_CALENDAR.to_owned(),
            event_id,
        }
    }
}

impl Endpoint for GetEvent {
    type Response = Event;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(event_path(&self.user, &self.calendar_id, &self.event_id))
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())?;
        dingtalk_core::endpoint::require("eventId", self.event_id.as_str())
    }
}
