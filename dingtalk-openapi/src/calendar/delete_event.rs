//! `DELETE /v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, CalendarEventId, Endpoint, Method, UnionId};

use crate::calendar::PRIMARY_CALENDAR;
use crate::calendar::model::event_path;
use crate::error::Error;
use crate::macros::call_setters;

/// Deletes an event: `DELETE /v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}` (empty
/// answer).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/delete-event>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{CalendarEventId, UnionId};
/// client.calendar().delete_event(UnionId::new("union1"), CalendarEventId::new("ev1")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct DeleteEvent {
    user: UnionId,
    calendar_id: String,
    event_id: CalendarEventId,
    push_notification: Option<bool>,
}

impl DeleteEvent {
    /// Deletes event `event_id` from `user`'s primary calendar.
    pub fn new(user: UnionId, event_id: CalendarEventId) -> Self {
        Self {
            user,
            calendar_id: PRIMARY_CALENDAR.to_owned(),
            event_id,
            push_notification: None,
        }
    }

    /// Whether attendees get a notification.
    #[must_use]
    pub fn push_notification(mut self, push: bool) -> Self {
        self.push_notification = Some(push);
        self
    }
}

impl Endpoint for DeleteEvent {
    type Response = ();
    const METHOD: Method = Method::Delete;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(event_path(&self.user, &self.calendar_id, &self.event_id))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        self.push_notification
            .iter()
            .map(|p| ("pushNotification", p.to_string()))
            .collect()
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())?;
        dingtalk_core::endpoint::require("eventId", self.event_id.as_str())
    }

    fn decode(&self, _body: &[u8]) -> Result<(), Error> {
        Ok(())
    }
}

call_setters!(DeleteEvent { push_notification(push: bool) });
