//! Calendar: events (create, get, update, delete, list), attendees (add, remove, list), free/busy, and meeting
//! rooms (groups, rooms, booking on an event). The path's
//! user is always a **union id**.

mod add_event_attendees;
mod create_event;
mod delete_event;
mod get_event;
mod list_event_attendees;
mod list_events;
mod meeting_rooms;
mod model;
mod query_schedule;
mod remove_event_attendees;
mod rooms;
mod update_event;

pub use add_event_attendees::AddEventAttendees;
pub use create_event::CreateEvent;
pub use delete_event::DeleteEvent;
pub use get_event::GetEvent;
pub use list_event_attendees::{ListEventAttendees, ListEventAttendeesResponse};
pub use list_events::{ListEvents, ListEventsResponse};
pub use meeting_rooms::{AddMeetingRooms, MeetingRoomsResult, RemoveMeetingRooms};
pub use model::{Attendee, Event, EventMeetingRoom, EventTime, Location, PRIMARY_CALENDAR};
pub use query_schedule::{QuerySchedule, QueryScheduleResponse, ScheduleInformation, ScheduleItem};
pub use remove_event_attendees::RemoveEventAttendees;
pub use rooms::{
    ListMeetingRoomGroups, ListMeetingRoomGroupsResponse, ListMeetingRooms, ListMeetingRoomsResponse,
    MAX_ROOMS_PER_PAGE, MeetingRoom, RoomGroup, RoomLocation,
};
pub use update_event::UpdateEvent;
