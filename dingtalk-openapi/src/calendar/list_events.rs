//! `GET /v1.0/calendar/users/{unionId}/calendars/{calendarId}/events`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Cursor, Endpoint, Method, Paginated, UnionId};
use serde::Deserialize;

use crate::calendar::model::events_path;
use crate::calendar::{Event, PRIMARY_CALENDAR};
use crate::error::Error;
use crate::macros::call_setters;

/// Lists events: `GET /v1.0/calendar/users/{unionId}/calendars/{calendarId}/events?timeMin=&timeMax=&maxResults=&nextToken=`
/// (`nextToken` paging).
///
/// Time bounds are ISO 8601 (DingTalk documents UTC `yyyy-MM-ddTHH:mmZ`). DingTalk docs:
/// <https://open.dingtalk.com/document/orgapp/query-an-event-list>. Idempotent; `.into_stream()` yields [`Event`]s.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UnionId;
/// use futures_util::TryStreamExt;
/// let events: Vec<_> = client.calendar().list_events(UnionId::new("union1"))
///     .time_min("2026-03-01T00:00Z").time_max("2026-04-01T00:00Z")
///     .into_stream().try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ListEvents {
    user: UnionId,
    calendar_id: String,
    time_min: Option<String>,
    time_max: Option<String>,
    max_results: Option<u32>,
    next_token: Option<String>,
}

impl ListEvents {
    /// Events of `user`'s primary calendar.
    pub fn new(user: UnionId) -> Self {
        Self {
            user,
            calendar_id: PRIMARY_CALENDAR.to_owned(),
            time_min: None,
            time_max: None,
            max_results: None,
            next_token: None,
        }
    }

    /// Events ending after this time.
    #[must_use]
    pub fn time_min(mut self, time: impl Into<String>) -> Self {
        self.time_min = Some(time.into());
        self
    }

    /// Events starting before this time.
    #[must_use]
    pub fn time_max(mut self, time: impl Into<String>) -> Self {
        self.time_max = Some(time.into());
        self
    }

    /// Page size (at most 100).
    #[must_use]
    pub fn max_results(mut self, max_results: u32) -> Self {
        self.max_results = Some(max_results);
        self
    }
}

/// One page of [`ListEvents`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListEventsResponse {
    /// The events.
    #[serde(default)]
    pub events: Vec<Event>,
    /// The next page's token.
    pub next_token: Option<String>,
    /// A token for incremental sync.
    pub sync_token: Option<String>,
}

impl Endpoint for ListEvents {
    type Response = ListEventsResponse;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/calendar/users/{unionId}/calendars/{calendarId}/events"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(events_path(&self.user, &self.calendar_id))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        let mut query = Vec::new();
        query.extend(self.time_min.clone().map(|v| ("timeMin", v)));
        query.extend(self.time_max.clone().map(|v| ("timeMax", v)));
        query.extend(self.max_results.map(|v| ("maxResults", v.to_string())));
        query.extend(self.next_token.clone().map(|v| ("nextToken", v)));
        query
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())?;
        if self.max_results.is_some_and(|n| n == 0 || n > 100) {
            return Err(Error::validation("maxResults is 1 to 100"));
        }
        Ok(())
    }
}

impl Paginated for ListEvents {
    type Item = Event;

    crate::macros::next_token_cursor!();

    fn split(&self, response: Self::Response) -> (Vec<Event>, Option<Cursor>) {
        (response.events, Cursor::next_token(response.next_token, None))
    }
}

call_setters!(ListEvents {
    time_min(time: impl Into<String>),
    time_max(time: impl Into<String>),
    max_results(max_results: u32),
});
