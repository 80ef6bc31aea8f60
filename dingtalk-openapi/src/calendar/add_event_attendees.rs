//! `POST /v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}/attendees`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, CalendarEventId, Endpoint, Method, UnionId};
use serde::Serialize;

use crate::calendar::model::event_path;
use crate::calendar::{Attendee, PRIMARY_CALENDAR};
use crate::error::Error;

/// Adds attendees to an event:
/// `POST /v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}/attendees` (empty answer).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/add-schedule-participant>. Idempotent (adding an
/// attendee twice leaves the same list).
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{CalendarEventId, UnionId};
/// use dingtalk_openapi::calendar::Attendee;
/// client.calendar()
///     .add_event_attendees(UnionId::new("union1"), CalendarEventId::new("ev1"), vec![Attendee::new(UnionId::new("union2"))])
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddEventAttendees {
    #[serde(skip)]
    user: UnionId,
    #[serde(skip)]
    calendar_id: String,
    #[serde(skip)]
    event_id: CalendarEventId,
    attendees_to_add: Vec<Attendee>,
}

impl AddEventAttendees {
    /// Adds `attendees` to event `event_id` of `user`'s primary calendar.
    pub fn new(user: UnionId, event_id: CalendarEventId, attendees: Vec<Attendee>) -> Self {
        Self {
            user,
            calendar_id: PRIMARY_CALENDAR.to_owned(),
            event_id,
            attendees_to_add: attendees,
        }
    }
}

impl Endpoint for AddEventAttendees {
    type Response = ();
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}/attendees"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(format!(
            "{}/attendees",
            event_path(&self.user, &self.calendar_id, &self.event_id)
        ))
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())?;
        dingtalk_core::endpoint::require("eventId", self.event_id.as_str())?;
        if self.attendees_to_add.is_empty() {
            return Err(Error::validation("attendeesToAdd is required"));
        }
        Ok(())
    }

    fn decode(&self, _body: &[u8]) -> Result<(), Error> {
        Ok(())
    }
}
