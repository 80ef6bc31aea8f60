//! Meeting rooms: `GET /v1.0/rooms/groupLists?unionId*` (room groups), `GET
//! /v1.0/rooms/meetingRoomLists?unionId*&maxResults&nextToken` (rooms, integer `nextToken`), and bookings on an
//! event: `POST …/events/{eventId}/meetingRooms` and `…/meetingRooms/batchRemove`. Four seeded rooms in two groups.
//! Faithful to DingTalk's models: the room list takes no group filter (a `groupId` query is ignored, as DingTalk
//! ignores unknown parameters; each room carries its `roomGroup`), and bookings read only
//! `meetingRoomsToAdd`/`meetingRoomsToRemove` (`[{roomId}]`): any other body (a plain `roomIds` array) is
//! `MissingParameter.meetingRoomsToAdd`. Lenient: removing a room that is not booked is not an error.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::owner;
use crate::envelope;
use crate::products::{Obj, Reply, invalid, missing, new_body, not_found, union_user};
use crate::state::Shared;

/// `(groupId, groupName)`.
const GROUPS: [(i64, &str); 2] = [(5, "HQ 5F"), (6, "HQ 6F")];
/// `(roomId, roomName, capacity, groupId)`.
const ROOMS: [(&str, &str, i64, i64); 4] = [
    ("roomSandbox0001", "Sun", 8, 5),
    ("roomSandbox0002", "Moon", 4, 5),
    ("roomSandbox0003", "Mars", 12, 6),
    ("roomSandbox0004", "Venus", 20, 6),
];
const MAX_RESULTS: usize = 100;

pub(super) fn routes() -> Router<Arc<Shared>> {
    const EVENT: &str = "/v1.0/calendar/users/{user}/calendars/{calendar}/events/{event}";
    Router::new()
        .route("/v1.0/rooms/groupLists", get(group_lists))
        .route("/v1.0/rooms/meetingRoomLists", get(room_lists))
        .route(&format!("{EVENT}/meetingRooms"), post(book))
        .route(&format!("{EVENT}/meetingRooms/batchRemove"), post(release))
}

/// A booked room as an event shows it.
pub(super) fn room_ref(id: &str) -> Value {
    let name = ROOMS.iter().find(|r| r.0 == id).map_or("", |r| r.1);
    json!({"roomId": id, "displayName": name, "responseStatus": "accepted"})
}

fn group_name(id: i64) -> &'static str {
    GROUPS.iter().find(|g| g.0 == id).map_or("", |g| g.1)
}

/// The `unionId` query: required, a unionId.
fn caller(shared: &Shared, q: &HashMap<String, String>) -> Result<(), Response> {
    let id = q.get("unionId").map(String::as_str).unwrap_or_default();
    union_user(shared, "unionId", id).map(|_| ())
}

/// `GET /v1.0/rooms/groupLists?unionId*` → `{result[{groupId, groupName, parentId}]}`.
async fn group_lists(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Reply {
    caller(&shared, &q)?;
    let groups: Vec<Value> = GROUPS
        .iter()
        .map(|(id, name)| json!({"groupId": id, "groupName": name, "parentId": 0}))
        .collect();
    Ok(envelope::ok(&json!({"result": groups})))
}

/// `GET /v1.0/rooms/meetingRoomLists?unionId*&maxResults&nextToken` (every room; no group filter).
async fn room_lists(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Reply {
    caller(&shared, &q)?;
    let number = |key: &str, default: usize| -> Result<usize, Response> {
        q.get(key).filter(|v| !v.is_empty()).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| invalid(key, &format!("{key} must be a non-negative integer")))
        })
    };
    let size = number("maxResults", MAX_RESULTS)?;
    if !(1..=MAX_RESULTS).contains(&size) {
        return Err(invalid("maxResults", "maxResults is 1 to 100"));
    }
    let offset = number("nextToken", 0)?;
    let rooms: Vec<Value> = ROOMS
        .iter()
        .map(|(id, name, capacity, gid)| {
            json!({
                "roomId": id, "roomName": name, "roomCapacity": capacity, "roomStatus": 1,
                "roomLocation": {"title": group_name(*gid), "desc": format!("{name}, {}", group_name(*gid))},
                "roomGroup": {"groupId": gid, "groupName": group_name(*gid)},
            })
        })
        .collect();
    let (items, next) = crate::products::page(&rooms, offset, size);
    let mut body = json!({"result": items, "hasMore": next.is_some()});
    if let Some(next) = next {
        body["nextToken"] = json!(next);
    }
    Ok(envelope::ok(&body))
}

/// Room ids from `list[{roomId}]` (the only shape DingTalk reads); each must exist; at least one.
fn room_ids(map: &Obj, list: &str) -> Result<Vec<String>, Response> {
    let ids: Vec<String> = match map.get(list) {
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.get("roomId").and_then(Value::as_str).map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| invalid(list, &format!("{list} is [{{roomId}}]")))?,
        Some(Value::Null) | None => Vec::new(),
        Some(_) => return Err(invalid(list, &format!("{list} is [{{roomId}}]"))),
    };
    if ids.is_empty() {
        return Err(missing(list));
    }
    if let Some(id) = ids.iter().find(|id| !ROOMS.iter().any(|r| r.0 == id.as_str())) {
        return Err(not_found("roomId", &format!("meeting room {id} not found")));
    }
    Ok(ids)
}

/// `POST …/events/{eventId}/meetingRooms {meetingRoomsToAdd*[{roomId}]}` → `{result: true}`.
async fn book(
    State(shared): State<Arc<Shared>>,
    Path((user, calendar, event)): Path<(String, String, String)>,
    body: Bytes,
) -> Reply {
    let me = owner(&shared, &user, &calendar)?;
    let ids = room_ids(&new_body(&body)?, "meetingRoomsToAdd")?;
    let mut st = shared.products.lock();
    let ev = st.calendar.find_mut(&event, &me)?;
    for id in ids {
        if !ev.rooms.contains(&id) {
            ev.rooms.push(id);
        }
    }
    Ok(envelope::ok(&json!({"result": true})))
}

/// `POST …/events/{eventId}/meetingRooms/batchRemove {meetingRoomsToRemove*[{roomId}]}` → `{result: true}`.
async fn release(
    State(shared): State<Arc<Shared>>,
    Path((user, calendar, event)): Path<(String, String, String)>,
    body: Bytes,
) -> Reply {
    let me = owner(&shared, &user, &calendar)?;
    let ids = room_ids(&new_body(&body)?, "meetingRoomsToRemove")?;
    let mut st = shared.products.lock();
    let ev = st.calendar.find_mut(&event, &me)?;
    ev.rooms.retain(|r| !ids.contains(r));
    Ok(envelope::ok(&json!({"result": true})))
}
