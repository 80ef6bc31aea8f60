//! The `client.calendar()` namespace.

use dingtalk_core::{CalendarEventId, UnionId};

use crate::calendar::{
    AddEventAttendees, AddMeetingRooms, Attendee, CreateEvent, DeleteEvent, EventTime, GetEvent,
    ListEventAttendees, ListEvents, ListMeetingRoomGroups, ListMeetingRooms, QuerySchedule,
    RemoveEventAttendees, RemoveMeetingRooms, UpdateEvent,
};
use crate::client::{Call, Client};

/// Calendar operations (users are union ids); from [`Client::calendar`].
#[derive(Clone, Copy, Debug)]
pub struct Calendar<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Calendar<'c> {
    /// [`CreateEvent`]: creates an event in `user`'s primary calendar.
    pub fn create_event(
        self,
        user: UnionId,
        summary: impl Into<String>,
        start: EventTime,
        end: EventTime,
    ) -> Call<'c, CreateEvent> {
        self.client.call(CreateEvent::new(user, summary, start, end))
    }

    /// [`GetEvent`]: reads an event.
    pub fn get_event(self, user: UnionId, event_id: CalendarEventId) -> Call<'c, GetEvent> {
        self.client.call(GetEvent::new(user, event_id))
    }

    /// [`UpdateEvent`]: changes an event.
    pub fn update_event(self, user: UnionId, event_id: CalendarEventId) -> Call<'c, UpdateEvent> {
        self.client.call(UpdateEvent::new(user, event_id))
    }

    /// [`DeleteEvent`]: deletes an event.
    pub fn delete_event(self, user: UnionId, event_id: CalendarEventId) -> Call<'c, DeleteEvent> {
        self.client.call(DeleteEvent::new(user, event_id))
    }

    /// [`ListEvents`]: lists events.
    pub fn list_events(self, user: UnionId) -> Call<'c, ListEvents> {
        self.client.call(ListEvents::new(user))
    }

    /// [`AddEventAttendees`]: adds attendees.
    pub fn add_event_attendees(
        self,
        user: UnionId,
        event_id: CalendarEventId,
        attendees: Vec<Attendee>,
    ) -> Call<'c, AddEventAttendees> {
        self.client
            .call(AddEventAttendees::new(user, event_id, attendees))
    }

    /// [`RemoveEventAttendees`]: removes attendees.
    pub fn remove_event_attendees(
        self,
        user: UnionId,
        event_id: CalendarEventId,
        attendees: Vec<UnionId>,
    ) -> Call<'c, RemoveEventAttendees> {
        self.client
            .call(RemoveEventAttendees::new(user, event_id, attendees))
    }

    /// [`ListEventAttendees`]: lists attendees.
    pub fn list_event_attendees(
        self,
        user: UnionId,
        event_id: CalendarEventId,
    ) -> Call<'c, ListEventAttendees> {
        self.client.call(ListEventAttendees::new(user, event_id))
    }

    /// [`QuerySchedule`]: free/busy of several users.
    pub fn query_schedule(
        self,
        user: UnionId,
        user_ids: Vec<UnionId>,
        start_time: impl Into<String>,
        end_time: impl Into<String>,
    ) -> Call<'c, QuerySchedule> {
        self.client
            .call(QuerySchedule::new(user, user_ids, start_time, end_time))
    }

    /// [`ListMeetingRoomGroups`]: the meeting room groups.
    pub fn list_meeting_room_groups(self, user: UnionId) -> Call<'c, ListMeetingRoomGroups> {
        self.client.call(ListMeetingRoomGroups::new(user))
    }

    /// [`ListMeetingRooms`]: the meeting rooms.
    pub fn list_meeting_rooms(self, user: UnionId) -> Call<'c, ListMeetingRooms> {
        self.client.call(ListMeetingRooms::new(user))
    }

    /// [`AddMeetingRooms`]: books rooms on an event.
    pub fn add_meeting_rooms(
        self,
        user: UnionId,
        event_id: CalendarEventId,
        rooms: Vec<String>,
    ) -> Call<'c, AddMeetingRooms> {
        self.client.call(AddMeetingRooms::new(user, event_id, rooms))
    }

    /// [`RemoveMeetingRooms`]: releases rooms of an event.
    pub fn remove_meeting_rooms(
        self,
        user: UnionId,
        event_id: CalendarEventId,
        rooms: Vec<String>,
    ) -> Call<'c, RemoveMeetingRooms> {
        self.client.call(RemoveMeetingRooms::new(user, event_id, rooms))
    }
}
