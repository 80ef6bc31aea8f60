//! `PUT /v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, CalendarEventId, Endpoint, Method, UnionId};
use serde::Serialize;

use crate::calendar::model::event_path;
use crate::calendar::{Event, EventTime, Location, PRIMARY_CALENDAR};
use crate::error::Error;
use crate::macros::call_setters;

/// Changes an event (patch semantics: only the fields set are changed):
/// `PUT /v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/modify-schedule>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{CalendarEventId, UnionId};
/// client.calendar().update_event(UnionId::new("union1"), CalendarEventId::new("ev1")).summary("Moved").await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateEvent {
    #[serde(skip)]
    user: UnionId,
    #[serde(skip)]
    calendar_id: String,
    id: CalendarEventId,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<EventTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<EventTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Location>,
}

impl UpdateEvent {
    /// An update of event `event_id` in `user`'s primary calendar.
    pub fn new(user: UnionId, event_id: CalendarEventId) -> Self {
        Self {
            user,
            calendar_id: PRIMARY_CALENDAR.to_owned(),
            id: event_id,
            summary: None,
            description: None,
            start: None,
            end: None,
            location: None,
        }
    }

    /// A new title.
    #[must_use]
    pub fn summary(mut self, summary: impl Into<String>) -> Self {
        self.summary = Some(summary.into());
        self
    }

    /// A new description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// New start and end.
    #[must_use]
    pub fn time(mut self, start: EventTime, end: EventTime) -> Self {
        self.start = Some(start);
        self.end = Some(end);
        self
    }

    /// A new location text.
    #[must_use]
    pub fn location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(Location {
            display_name: Some(location.into()),
        });
        self
    }
}

impl Endpoint for UpdateEvent {
    type Response = Event;
    const METHOD: Method = Method::Put;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(event_path(&self.user, &self.calendar_id, &self.id))
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())?;
        dingtalk_core::endpoint::require("eventId", self.id.as_str())
    }
}

call_setters!(UpdateEvent {
    summary(summary: impl Into<String>),
    description(description: impl Into<String>),
    time(start: EventTime, end: EventTime),
    location(location: impl Into<String>),
});
