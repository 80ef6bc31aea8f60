//! `POST /v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}/attendees/batchRemove`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, CalendarEventId, Endpoint, Method, UnionId};
use serde::Serialize;

use crate::calendar::PRIMARY_CALENDAR;
use crate::calendar::model::event_path;
use crate::error::Error;

/// Removes attendees from an event:
/// `POST /v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}/attendees/batchRemove`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/delete-schedule-participant>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{CalendarEventId, UnionId};
/// client.calendar()
///     .remove_event_attendees(UnionId::new("union1"), CalendarEventId::new("ev1"), vec![UnionId::new("union2")])
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveEventAttendees {
    #[serde(skip)]
    user: UnionId,
    #[serde(skip)]
    calendar_id: String,
    #[serde(skip)]
    event_id: CalendarEventId,
    attendees_to_remove: Vec<AttendeeRef>,
}

#[derive(Clone, Debug, Serialize)]
struct AttendeeRef {
    id: UnionId,
}

impl RemoveEventAttendees {
    /// Removes `attendees` from event `event_id`.
    pub fn new(user: UnionId, event_id: CalendarEventId, attendees: Vec<UnionId>) -> Self {
        Self {
            user,
            calendar_id: PRIMARY_CALENDAR.to_owned(),
            event_id,
            attendees_to_remove: attendees.into_iter().map(|id| AttendeeRef { id }).collect(),
        }
    }
}

impl Endpoint for RemoveEventAttendees {
    type Response = ();
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}/attendees/batchRemove"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(format!(
            "{}/attendees/batchRemove",
            event_path(&self.user, &self.calendar_id, &self.event_id)
        ))
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())?;
        dingtalk_core::endpoint::require("eventId", self.event_id.as_str())?;
        if self.attendees_to_remove.is_empty() {
            return Err(Error::validation("attendeesToRemove is required"));
        }
        Ok(())
    }

    fn decode(&self, _body: &[u8]) -> Result<(), Error> {
        Ok(())
    }
}
