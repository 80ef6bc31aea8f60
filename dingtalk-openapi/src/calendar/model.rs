//! Calendar data shared by the calendar endpoints.

use dingtalk_core::endpoint::encode_segment;
use dingtalk_core::{CalendarEventId, UnionId};
use serde::{Deserialize, Serialize};

/// The calendar id of a user's primary calendar.
pub const PRIMARY_CALENDAR: &str = "primary";

/// A point in time (`dateTime` + `timeZone`) or an all-day date (`date`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EventTime {
    /// ISO 8601 with offset, e.g. `2026-03-25T10:00:00+08:00`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_time: Option<String>,
    /// An IANA zone, e.g. `Asia/Shanghai`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// An all-day date, `yyyy-MM-dd`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

impl EventTime {
    /// A timed point.
    pub fn at(date_time: impl Into<String>, time_zone: impl Into<String>) -> Self {
        Self {
            date_time: Some(date_time.into()),
            time_zone: Some(time_zone.into()),
            date: None,
        }
    }

    /// An all-day date.
    pub fn all_day(date: impl Into<String>) -> Self {
        Self {
            date_time: None,
            time_zone: None,
            date: Some(date.into()),
        }
    }
}

/// An attendee of an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Attendee {
    /// The attendee's union id.
    pub id: UnionId,
    /// Whether attendance is optional.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_optional: Option<bool>,
    /// The display name (responses).
    #[serde(skip_serializing)]
    pub display_name: Option<String>,
    /// `accepted`, `declined`, `tentative`, `needsAction` (responses).
    #[serde(skip_serializing)]
    pub response_status: Option<String>,
    /// Whether this attendee is the user the event was read as (`self`, responses).
    #[serde(rename = "self", skip_serializing)]
    pub is_self: Option<bool>,
}

impl Attendee {
    /// A required attendee.
    pub fn new(id: UnionId) -> Self {
        Self {
            id,
            is_optional: None,
            display_name: None,
            response_status: None,
            is_self: None,
        }
    }

    /// An optional attendee.
    pub fn optional(id: UnionId) -> Self {
        Self {
            is_optional: Some(true),
            ..Self::new(id)
        }
    }
}

/// An event's location.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Location {
    /// The location text.
    pub display_name: Option<String>,
}

/// A calendar event as DingTalk returns it.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Event {
    /// The event id.
    pub id: CalendarEventId,
    /// The title.
    pub summary: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// The start.
    pub start: Option<EventTime>,
    /// The end.
    pub end: Option<EventTime>,
    /// Whether it lasts whole days.
    pub is_all_day: Option<bool>,
    /// The location.
    pub location: Option<Location>,
    /// The attendees.
    #[serde(default)]
    pub attendees: Vec<Attendee>,
    /// `confirmed` or `cancelled`.
    pub status: Option<String>,
    /// Creation time (ISO 8601).
    pub create_time: Option<String>,
    /// Last update time (ISO 8601).
    pub update_time: Option<String>,
    /// The meeting rooms booked on it.
    #[serde(default)]
    pub meeting_rooms: Vec<EventMeetingRoom>,
}

/// A meeting room booked on an [`Event`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EventMeetingRoom {
    /// The room id.
    #[serde(default)]
    pub room_id: String,
    /// The room name.
    pub display_name: Option<String>,
    /// The booking's state (`accepted`, …).
    pub response_status: Option<String>,
}

/// `/v1.0/calendar/users/{unionId}/calendars/{calendarId}/events`, ids encoded.
pub(crate) fn events_path(user: &UnionId, calendar_id: &str) -> String {
    format!(
        "/v1.0/calendar/users/{}/calendars/{}/events",
        encode_segment(user.as_str()),
        encode_segment(calendar_id)
    )
}

/// `…/events/{eventId}`, ids encoded.
pub(crate) fn event_path(user: &UnionId, calendar_id: &str, event: &CalendarEventId) -> String {
    format!(
        "{}/{}",
        events_path(user, calendar_id),
        encode_segment(event.as_str())
    )
}
