//! Meeting rooms booked on an event: `POST …/events/{eventId}/meetingRooms` and `…/meetingRooms/batchRemove`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, CalendarEventId, Endpoint, Method, UnionId};
use serde::{Deserialize, Serialize};

use crate::calendar::PRIMARY_CALENDAR;
use crate::calendar::model::event_path;
use crate::error::Error;

/// One room in `meetingRoomsToAdd` / `meetingRoomsToRemove`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RoomRef {
    room_id: String,
}

fn room_refs(rooms: Vec<String>) -> Vec<RoomRef> {
    rooms.into_iter().map(|room_id| RoomRef { room_id }).collect()
}

fn check_rooms(field: &str, rooms: &[RoomRef]) -> Result<(), Error> {
    if rooms.is_empty() {
        return Err(Error::validation(format!("{field} is required")));
    }
    if rooms.iter().any(|r| r.room_id.trim().is_empty()) {
        return Err(Error::validation(format!("{field}: a roomId is empty")));
    }
    Ok(())
}

/// The answer of a room booking or release: `{result}`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MeetingRoomsResult {
    /// Whether DingTalk applied the change.
    #[serde(default)]
    pub result: bool,
}

/// Books meeting rooms on an event:
/// `POST /v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}/meetingRooms`
/// with `{meetingRoomsToAdd: [{roomId}]}`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/add-a-meeting-room>. Idempotent (a booked room
/// stays booked).
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{CalendarEventId, UnionId};
/// client.calendar()
///     .add_meeting_rooms(UnionId::new("union1"), CalendarEventId::new("ev1"), vec!["room1".into()])
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddMeetingRooms {
    #[serde(skip)]
    user: UnionId,
    #[serde(skip)]
    calendar_id: String,
    #[serde(skip)]
    event_id: CalendarEventId,
    meeting_rooms_to_add: Vec<RoomRef>,
}

impl AddMeetingRooms {
    /// Books `rooms` (room ids) on event `event_id` of `user`'s primary calendar.
    pub fn new(user: UnionId, event_id: CalendarEventId, rooms: Vec<String>) -> Self {
        Self {
            user,
            calendar_id: PRIMARY_CALENDAR.to_owned(),
            event_id,
            meeting_rooms_to_add: room_refs(rooms),
        }
    }
}

impl Endpoint for AddMeetingRooms {
    type Response = MeetingRoomsResult;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}/meetingRooms"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(format!(
            "{}/meetingRooms",
            event_path(&self.user, &self.calendar_id, &self.event_id)
        ))
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())?;
        dingtalk_core::endpoint::require("eventId", self.event_id.as_str())?;
        check_rooms("meetingRoomsToAdd", &self.meeting_rooms_to_add)
    }
}

/// Releases meeting rooms of an event:
/// `POST /v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}/meetingRooms/batchRemove`
/// with `{meetingRoomsToRemove: [{roomId}]}`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/remove-a-meeting-room>. Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{CalendarEventId, UnionId};
/// client.calendar()
///     .remove_meeting_rooms(UnionId::new("union1"), CalendarEventId::new("ev1"), vec!["room1".into()])
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveMeetingRooms {
    #[serde(skip)]
    user: UnionId,
    #[serde(skip)]
    calendar_id: String,
    #[serde(skip)]
    event_id: CalendarEventId,
    meeting_rooms_to_remove: Vec<RoomRef>,
}

impl RemoveMeetingRooms {
    /// Releases `rooms` (room ids) from event `event_id` of `user`'s primary calendar.
    pub fn new(user: UnionId, event_id: CalendarEventId, rooms: Vec<String>) -> Self {
        Self {
            user,
            calendar_id: PRIMARY_CALENDAR.to_owned(),
            event_id,
            meeting_rooms_to_remove: room_refs(rooms),
        }
    }
}

impl Endpoint for RemoveMeetingRooms {
    type Response = MeetingRoomsResult;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/calendar/users/{unionId}/calendars/{calendarId}/events/{eventId}/meetingRooms/batchRemove"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(format!(
            "{}/meetingRooms/batchRemove",
            event_path(&self.user, &self.calendar_id, &self.event_id)
        ))
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())?;
        dingtalk_core::endpoint::require("eventId", self.event_id.as_str())?;
        check_rooms("meetingRoomsToRemove", &self.meeting_rooms_to_remove)
    }
}
