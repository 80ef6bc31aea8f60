//! Meeting room directory: `GET /v1.0/rooms/groupLists` and `GET /v1.0/rooms/meetingRoomLists`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Cursor, Endpoint, Method, Paginated, UnionId};
use serde::Deserialize;

use crate::error::Error;
use crate::macros::call_setters;

/// Largest `maxResults` of the room list.
pub const MAX_ROOMS_PER_PAGE: u32 = 100;

/// A meeting room group.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RoomGroup {
    /// The group id.
    pub group_id: Option<i64>,
    /// The group name.
    pub group_name: Option<String>,
    /// The parent group id (`0` at the top).
    pub parent_id: Option<i64>,
}

/// Where a room is.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RoomLocation {
    /// Short location.
    pub title: Option<String>,
    /// Longer description.
    pub desc: Option<String>,
}

/// A meeting room.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MeetingRoom {
    /// The room id (what [`AddMeetingRooms`](crate::calendar::AddMeetingRooms) books).
    #[serde(default)]
    pub room_id: String,
    /// The room name.
    pub room_name: Option<String>,
    /// Seats.
    pub room_capacity: Option<i64>,
    /// `0` disabled, `1` enabled.
    pub room_status: Option<i64>,
    /// Where the room is.
    pub room_location: Option<RoomLocation>,
    /// The group the room belongs to.
    pub room_group: Option<RoomGroup>,
}

/// Lists the organisation's meeting room groups: `GET /v1.0/rooms/groupLists?unionId=`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/query-the-meeting-room-group-list>. Idempotent;
/// DingTalk answers the whole list, so `.into_stream()` is one page of [`RoomGroup`]s.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UnionId;
/// let groups = client.calendar().list_meeting_room_groups(UnionId::new("union1")).await?;
/// # let _ = groups; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ListMeetingRoomGroups {
    user: UnionId,
}

impl ListMeetingRoomGroups {
    /// The groups `user` (the operator's union id) can see.
    pub fn new(user: UnionId) -> Self {
        Self { user }
    }
}

/// The answer of [`ListMeetingRoomGroups`].
#[derive(Clone, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct ListMeetingRoomGroupsResponse {
    /// The groups.
    #[serde(default)]
    pub result: Vec<RoomGroup>,
}

impl Endpoint for ListMeetingRoomGroups {
    type Response = ListMeetingRoomGroupsResponse;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/rooms/groupLists"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/rooms/groupLists")
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        vec![("unionId", self.user.as_str().to_owned())]
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())
    }
}

impl Paginated for ListMeetingRoomGroups {
    type Item = RoomGroup;

    fn with_cursor(&self, _cursor: Option<&Cursor>) -> Self {
        self.clone()
    }

    fn split(&self, response: Self::Response) -> (Vec<RoomGroup>, Option<Cursor>) {
        (response.result, None)
    }
}

/// Lists the organisation's meeting rooms: `GET /v1.0/rooms/meetingRoomLists?unionId=&maxResults=&nextToken=`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/query-meeting-room-list>. Idempotent;
/// `.into_stream()` yields [`MeetingRoom`]s across pages (numeric `nextToken`). DingTalk has no group filter on
/// this call: filter on [`MeetingRoom::room_group`].
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::UnionId;
/// use futures_util::TryStreamExt;
/// let rooms: Vec<_> = client.calendar()
///     .list_meeting_rooms(UnionId::new("union1"))
///     .into_stream().try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ListMeetingRooms {
    user: UnionId,
    max_results: Option<u32>,
    next_token: Option<i64>,
}

impl ListMeetingRooms {
    /// The rooms `user` (the operator's union id) can see.
    pub fn new(user: UnionId) -> Self {
        Self {
            user,
            max_results: None,
            next_token: None,
        }
    }

    /// Page size, 1 to [`MAX_ROOMS_PER_PAGE`].
    #[must_use]
    pub fn max_results(mut self, max_results: u32) -> Self {
        self.max_results = Some(max_results);
        self
    }
}

/// One page of [`ListMeetingRooms`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListMeetingRoomsResponse {
    /// The rooms.
    #[serde(default)]
    pub result: Vec<MeetingRoom>,
    /// Whether another page follows.
    pub has_more: Option<bool>,
    /// The next page's token.
    pub next_token: Option<i64>,
}

impl Endpoint for ListMeetingRooms {
    type Response = ListMeetingRoomsResponse;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/rooms/meetingRoomLists"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/rooms/meetingRoomLists")
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        let mut query = vec![("unionId", self.user.as_str().to_owned())];
        query.extend(self.max_results.map(|v| ("maxResults", v.to_string())));
        query.extend(self.next_token.map(|v| ("nextToken", v.to_string())));
        query
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("unionId", self.user.as_str())?;
        if self.max_results.is_some_and(|n| n == 0 || n > MAX_ROOMS_PER_PAGE) {
            return Err(Error::validation(format!(
                "maxResults is 1 to {MAX_ROOMS_PER_PAGE}"
            )));
        }
        Ok(())
    }
}

impl Paginated for ListMeetingRooms {
    type Item = MeetingRoom;

    fn with_cursor(&self, cursor: Option<&Cursor>) -> Self {
        let mut next = self.clone();
        next.next_token = match cursor {
            Some(Cursor::Number(n)) => Some(*n),
            Some(other) => other.to_text().parse().ok(),
            None => None,
        };
        next
    }

    fn cursor(&self) -> Option<Cursor> {
        self.next_token.map(Cursor::Number)
    }

    fn split(&self, response: Self::Response) -> (Vec<MeetingRoom>, Option<Cursor>) {
        let next = match (response.has_more, response.next_token) {
            (Some(true), Some(n)) => Some(Cursor::Number(n)),
            _ => None,
        };
        (response.result, next)
    }
}

call_setters!(ListMeetingRooms { max_results(max_results: u32) });
