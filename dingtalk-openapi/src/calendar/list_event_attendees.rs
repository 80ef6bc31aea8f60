//! `GET /v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}/attendees`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, CalendarEventId, Cursor, Endpoint, Method, Paginated, UnionId};
use serde::Deserialize;

use crate::calendar::model::event_path;
use crate::calendar::{Attendee, PRIMARY_CALENDAR};
use crate::error::Error;
use crate::macros::call_setters;

/// Lists an event's attendees:
/// `GET /v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}/attendees?maxResults=&nextToken=`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/obtain-the-list-of-schedule-participants>.
/// Idempotent; `.into_stream()` yields [`Attendee`]s.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{CalendarEventId, UnionId};
/// use futures_util::TryStreamExt;
/// let people: Vec<_> = client.calendar()
///     .list_event_attendees(UnionId::new("union1"), CalendarEventId::new("ev1"))
///     .into_stream().try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ListEventAttendees {
    user: UnionId,
    calendar_id: String,
    event_id: CalendarEventId,
    max_results: Option<u32>,
    next_token: Option<String>,
}

impl ListEventAttendees {
    /// The largest page DingTalk serves (its default is 100).
    pub const MAX_RESULTS: u32 = 500;

    /// The attendees of event `event_id`.
    pub fn new(user: UnionId, event_id: CalendarEventId) -> Self {
        Self {
            user,
            calendar_id: PRIMARY_CALENDAR.to_owned(),
            event_id,
            max_results: None,
            next_token: None,
        }
    }

    /// Page size (1 to 500).
    #[must_use]
    pub fn max_results(mut self, max_results: u32) -> Self {
        self.max_results = Some(max_results);
        self
    }
}

/// One page of [`ListEventAttendees`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListEventAttendeesResponse {
    /// The attendees.
    #[serde(default)]
    pub attendees: Vec<Attendee>,
    /// The next page's token.
    pub next_token: Option<String>,
}

impl Endpoint for ListEventAttendees {
    type Response = ListEventAttendeesResponse;
    const METHOD: Method = Method::Get;
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

    fn query(&self) -> Vec<(&'static str, String)> {
        let mut query = Vec::new();
        query.extend(self.max_results.map(|v| ("maxResults", v.to_string())));
        query.extend(self.next_token.clone().map(|v| ("nextToken", v)));
        query
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())?;
        dingtalk_core::endpoint::require("eventId", self.event_id.as_str())?;
        if let Some(n) = self.max_results
            && !(1..=Self::MAX_RESULTS).contains(&n)
        {
            return Err(Error::validation("maxResults is 1 to 500"));
        }
        Ok(())
    }
}

impl Paginated for ListEventAttendees {
    type Item = Attendee;

    crate::macros::next_token_cursor!();

    fn split(&self, response: Self::Response) -> (Vec<Attendee>, Option<Cursor>) {
        (response.attendees, Cursor::next_token(response.next_token, None))
    }
}

call_setters!(ListEventAttendees { max_results(max_results: u32) });
