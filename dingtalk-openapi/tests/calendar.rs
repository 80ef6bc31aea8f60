//! Endpoint tests for the calendar product.

mod common;

use common::{TOKEN, client, fixture, timing_out_post};
use dingtalk_core::{CalendarEventId, ErrorKind, UnionId};
use dingtalk_openapi::calendar::{Attendee, EventTime};
use dingtalk_test_support::strict_server;
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, ResponseTemplate};

const EVENTS: &str = "/v1.0/calendar/users/union1/calendars/primary/events";

fn start() -> EventTime {
    EventTime::at("2026-03-25T10:00:00+08:00", "Asia/Shanghai")
}

fn end() -> EventTime {
    EventTime::at("2026-03-25T10:30:00+08:00", "Asia/Shanghai")
}

#[tokio::test]
async fn create_event_with_client_token() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path(EVENTS))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(header("x-client-token", "idem-1"))
        .and(body_json(json!({
            "summary": "Sync",
            "start": {"dateTime": "2026-03-25T10:00:00+08:00", "timeZone": "Asia/Shanghai"},
            "end": {"dateTime": "2026-03-25T10:30:00+08:00", "timeZone": "Asia/Shanghai"},
            "location": {"displayName": "Room 1"},
            "attendees": [{"id": "union2"}],
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("calendar/create_event.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let event = client
        .calendar()
        .create_event(UnionId::new("union1"), "Sync", start(), end())
        .client_token("idem-1")
        .location("Room 1")
        .attendees(vec![Attendee::new(UnionId::new("union2"))])
        .await
        .unwrap();
    assert_eq!(event.id.as_str(), "ev1");
    assert_eq!(event.attendees[0].response_status.as_deref(), Some("needsAction"));
}

#[tokio::test]
async fn create_event_is_not_retried_after_a_timeout() {
    let (_server, client) = timing_out_post(EVENTS).await;
    let error = client
        .calendar()
        .create_event(UnionId::new("union1"), "Sync", start(), end())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
}

#[tokio::test]
async fn union_ids_are_encoded_in_the_path() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path(
            "/v1.0/calendar/users/un%2Bi%2Fon/calendars/primary/events/ev1",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("calendar/create_event.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    client
        .calendar()
        .get_event(UnionId::new("un+i/on"), CalendarEventId::new("ev1"))
        .await
        .unwrap();
}

#[tokio::test]
async fn get_update_delete_event() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path(format!("{EVENTS}/ev1")))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("calendar/create_event.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{EVENTS}/gone")))
        .respond_with(ResponseTemplate::new(404).set_body_json(fixture("calendar/get_event.not_found.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{EVENTS}/ev1")))
        .and(body_json(json!({"id": "ev1", "summary": "Moved"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("calendar/create_event.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{EVENTS}/ev1")))
        .and(query_param("pushNotification", "false"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let calendar = client.calendar();
    let user = || UnionId::new("union1");
    let event = calendar
        .get_event(user(), CalendarEventId::new("ev1"))
        .await
        .unwrap();
    assert_eq!(event.summary.as_deref(), Some("Sync"));
    let error = calendar
        .get_event(user(), CalendarEventId::new("gone"))
        .await
        .unwrap_err();
    assert_eq!(
        error.api_error().unwrap().code().as_str(),
        "invalidParameter.event.notFound"
    );
    calendar
        .update_event(user(), CalendarEventId::new("ev1"))
        .summary("Moved")
        .await
        .unwrap();
    calendar
        .delete_event(user(), CalendarEventId::new("ev1"))
        .push_notification(false)
        .await
        .unwrap();
}

#[tokio::test]
async fn list_events_follows_next_token() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path(EVENTS))
        .and(query_param("timeMin", "2026-03-01T00:00Z"))
        .and(query_param_is_missing("nextToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("calendar/list_events.page1.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(EVENTS))
        .and(query_param("nextToken", "nt2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("calendar/list_events.page2.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let events: Vec<_> = client
        .calendar()
        .list_events(UnionId::new("union1"))
        .time_min("2026-03-01T00:00Z")
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        events.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["ev1", "ev2"]
    );
}

#[tokio::test]
async fn attendees_add_remove_list() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path(format!("{EVENTS}/ev1/attendees")))
        .and(body_json(
            json!({"attendeesToAdd": [{"id": "union2", "isOptional": true}]}),
        ))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{EVENTS}/ev1/attendees/batchRemove")))
        .and(body_json(json!({"attendeesToRemove": [{"id": "union2"}]})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{EVENTS}/ev1/attendees")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("calendar/list_event_attendees.ok.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let calendar = client.calendar();
    calendar
        .add_event_attendees(
            UnionId::new("union1"),
            CalendarEventId::new("ev1"),
            vec![Attendee::optional(UnionId::new("union2"))],
        )
        .await
        .unwrap();
    calendar
        .remove_event_attendees(
            UnionId::new("union1"),
            CalendarEventId::new("ev1"),
            vec![UnionId::new("union2")],
        )
        .await
        .unwrap();
    let people: Vec<_> = calendar
        .list_event_attendees(UnionId::new("union1"), CalendarEventId::new("ev1"))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(people[0].id.as_str(), "union2");
}

#[tokio::test]
async fn free_busy() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/calendar/users/union1/querySchedule"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(
            json!({"userIds": ["union2"], "startTime": "2026-03-25T00:00Z", "endTime": "2026-03-26T00:00Z"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("calendar/query_schedule.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let answer = client
        .calendar()
        .query_schedule(
            UnionId::new("union1"),
            vec![UnionId::new("union2")],
            "2026-03-25T00:00Z",
            "2026-03-26T00:00Z",
        )
        .await
        .unwrap();
    assert_eq!(
        answer.schedule_information[0].schedule_items[0].status.as_deref(),
        Some("BUSY")
    );
}

#[tokio::test]
async fn meeting_rooms_are_booked_and_released_as_room_id_objects() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path(format!("{EVENTS}/ev1/meetingRooms")))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(
            json!({"meetingRoomsToAdd": [{"roomId": "r1"}, {"roomId": "r2"}]}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"result": true})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{EVENTS}/ev1/meetingRooms/batchRemove")))
        .and(body_json(json!({"meetingRoomsToRemove": [{"roomId": "r2"}]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"result": true})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let cal = client.calendar();
    let added = cal
        .add_meeting_rooms(
            UnionId::new("union1"),
            CalendarEventId::new("ev1"),
            vec!["r1".into(), "r2".into()],
        )
        .await
        .unwrap();
    assert!(added.result);
    let removed = cal
        .remove_meeting_rooms(
            UnionId::new("union1"),
            CalendarEventId::new("ev1"),
            vec!["r2".into()],
        )
        .await
        .unwrap();
    assert!(removed.result);
    // No room, or an empty id: refused before any request (the strict server would fail on one).
    for rooms in [vec![], vec![" ".to_owned()]] {
        let error = cal
            .add_meeting_rooms(UnionId::new("union1"), CalendarEventId::new("ev1"), rooms)
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Validation);
    }
}

#[tokio::test]
async fn meeting_room_groups_and_rooms_are_listed() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/rooms/groupLists"))
        .and(query_param("unionId", "union1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "result": [{"groupId": 5, "groupName": "HQ 5F", "parentId": 0}],
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/rooms/meetingRoomLists"))
        .and(query_param("unionId", "union1"))
        .and(query_param("maxResults", "1"))
        .and(query_param_is_missing("nextToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "result": [{"roomId": "r1", "roomName": "Sun", "roomCapacity": 8, "roomStatus": 1,
                        "roomGroup": {"groupId": 5, "groupName": "HQ 5F"}}],
            "hasMore": true, "nextToken": 1,
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/rooms/meetingRoomLists"))
        .and(query_param("nextToken", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "result": [{"roomId": "r2", "roomName": "Moon",
                        "roomLocation": {"title": "HQ", "desc": "5F east"}}],
            "hasMore": false,
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let groups = client
        .calendar()
        .list_meeting_room_groups(UnionId::new("union1"))
        .await
        .unwrap();
    assert_eq!(groups.result[0].group_name.as_deref(), Some("HQ 5F"));
    let rooms: Vec<_> = client
        .calendar()
        .list_meeting_rooms(UnionId::new("union1"))
        .max_results(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rooms.len(), 2);
    assert_eq!(rooms[0].room_group.as_ref().unwrap().group_id, Some(5));
    assert_eq!(
        rooms[1].room_location.as_ref().unwrap().desc.as_deref(),
        Some("5F east")
    );
    let error = client
        .calendar()
        .list_meeting_rooms(UnionId::new("union1"))
        .max_results(101)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
}

/// `ListAttendees` (`calendar_1.0`): `maxResults` and `nextToken` go in the query; the answer's `self` marks the
/// reader's own row.
#[tokio::test]
async fn attendee_pages_use_the_query_and_read_self() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path(format!("{EVENTS}/ev1/attendees")))
        .and(query_param("maxResults", "1"))
        .and(query_param_is_missing("nextToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "attendees": [{"id": "union1", "displayName": "Zhang San", "responseStatus": "accepted", "self": true}],
            "nextToken": "t2",
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{EVENTS}/ev1/attendees")))
        .and(query_param("maxResults", "1"))
        .and(query_param("nextToken", "t2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "attendees": [{"id": "union2", "displayName": "Li Si", "isOptional": true, "self": false}],
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let people: Vec<_> = client
        .calendar()
        .list_event_attendees(UnionId::new("union1"), CalendarEventId::new("ev1"))
        .max_results(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(people.len(), 2);
    assert_eq!(people[0].is_self, Some(true));
    assert_eq!(people[1].is_self, Some(false));
    assert_eq!(people[1].is_optional, Some(true));
}

/// DingTalk's page: `maxResults` is at most 500 (default 100); 0 and 501 are refused before sending.
#[tokio::test]
async fn attendee_page_size_is_1_to_500() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path(format!("{EVENTS}/ev1/attendees")))
        .and(query_param("maxResults", "500"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"attendees": []})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let calendar = client.calendar();
    let none: Vec<_> = calendar
        .list_event_attendees(UnionId::new("union1"), CalendarEventId::new("ev1"))
        .max_results(500)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(none.is_empty());
    for bad in [0, 501] {
        let error = calendar
            .list_event_attendees(UnionId::new("union1"), CalendarEventId::new("ev1"))
            .max_results(bad)
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Validation);
    }
}
