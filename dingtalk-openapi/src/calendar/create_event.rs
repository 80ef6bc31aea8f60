//! `POST /v1.0/calendar/users/{unionId}/calendars/{calendarId}/events`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, UnionId};
use serde::Serialize;

use crate::calendar::model::events_path;
use crate::calendar::{Attendee, Event, EventTime, Location, PRIMARY_CALENDAR};
use crate::error::Error;
use crate::macros::call_setters;

/// Creates a calendar event: `POST /v1.0/calendar/users/{unionId}/calendars/{calendarId}/events`.
///
/// The path's user is a **union id**. Without [`client_token`](Self::client_token) the call is not idempotent and
/// is never retried once it may have arrived; with one (`x-client-token`) DingTalk deduplicates, but the transport
/// still treats the call as non-idempotent. DingTalk docs: <https://open.dingtalk.com/document/orgapp/create-event>.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UnionId;
/// use dingtalk_openapi::calendar::EventTime;
/// let event = client.calendar()
///     .create_event(UnionId::new("union1"), "Sync",
///         EventTime::at("2026-03-25T10:00:00+08:00", "Asia/Shanghai"),
///         EventTime::at("2026-03-25T10:30:00+08:00", "Asia/Shanghai"))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateEvent {
    #[serde(skip)]
    user: UnionId,
    #[serde(skip)]
    calendar_id: String,
    #[serde(skip)]
    client_token: Option<String>,
    summary: String,
    start: EventTime,
    end: EventTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_all_day: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attendees: Vec<Attendee>,
}

impl CreateEvent {
    /// An event `summary` from `start` to `end` in `user`'s primary calendar.
    pub fn new(user: UnionId, summary: impl Into<String>, start: EventTime, end: EventTime) -> Self {
        Self {
            user,
            calendar_id: PRIMARY_CALENDAR.to_owned(),
            client_token: None,
            summary: summary.into(),
            start,
            end,
            is_all_day: None,
            description: None,
            location: None,
            attendees: Vec::new(),
        }
    }

    /// Another calendar than `primary`.
    #[must_use]
    pub fn calendar_id(mut self, calendar_id: impl Into<String>) -> Self {
        self.calendar_id = calendar_id.into();
        self
    }

    /// An idempotency key sent as `x-client-token`.
    #[must_use]
    pub fn client_token(mut self, token: impl Into<String>) -> Self {
        self.client_token = Some(token.into());
        self
    }

    /// Marks the event as all-day (use [`EventTime::all_day`] times).
    #[must_use]
    pub fn all_day(mut self) -> Self {
        self.is_all_day = Some(true);
        self
    }

    /// The description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The location text.
    #[must_use]
    pub fn location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(Location {
            display_name: Some(location.into()),
        });
        self
    }

    /// The attendees.
    #[must_use]
    pub fn attendees(mut self, attendees: Vec<Attendee>) -> Self {
        self.attendees = attendees;
        self
    }
}

impl Endpoint for CreateEvent {
    type Response = Event;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = false;

    fn route(&self) -> &'static str {
        "/v1.0/calendar/users/{unionId}/calendars/{calendarId}/events"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(events_path(&self.user, &self.calendar_id))
    }

    fn headers(&self) -> Vec<(&'static str, String)> {
        self.client_token
            .iter()
            .map(|token| ("x-client-token", token.clone()))
            .collect()
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())?;
        dingtalk_core::endpoint::require("calendarId", &self.calendar_id)?;
        dingtalk_core::endpoint::require("summary", &self.summary)
    }
}

call_setters!(CreateEvent {
    calendar_id(calendar_id: impl Into<String>),
    client_token(token: impl Into<String>),
    all_day(),
    description(description: impl Into<String>),
    location(location: impl Into<String>),
    attendees(attendees: Vec<Attendee>),
});
