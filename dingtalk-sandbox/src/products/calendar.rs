//! Calendar twins on `/v1.0/calendar/users/{unionId}/calendars/primary/events…` and `querySchedule`.
//! The path user must be a **unionId**; `calendarId` must be `primary`; `end > start`. [`rooms`] serves meeting
//! rooms, their groups and room bookings on events.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::time::{CST, iso_cst, parse_date, parse_datetime};
use super::{Obj, Reply, invalid, new_body, not_found, union_user};
use crate::envelope;
use crate::org::Org;
use crate::state::Shared;

mod rooms;

const MAX_RESULTS: usize = 100;
/// The attendee list's page cap (DingTalk's page: default 100, at most 500).
const MAX_ATTENDEE_RESULTS: usize = 500;

/// One attendee of an event.
#[derive(Debug, Clone)]
pub(crate) struct AttendeeRec {
    union_id: String,
    optional: bool,
    status: &'static str,
}

/// One event.
#[derive(Debug, Clone)]
pub(crate) struct EventRec {
    id: String,
    organizer: String,
    summary: String,
    description: Option<String>,
    start: Value,
    end: Value,
    start_s: i64,
    end_s: i64,
    all_day: bool,
    location: Option<String>,
    attendees: Vec<AttendeeRec>,
    created_s: i64,
    updated_s: i64,
    /// Meeting rooms booked on the event.
    rooms: Vec<String>,
}

/// The event store, by id, and the `x-client-token` idempotency keys (per organiser).
#[derive(Debug, Default)]
pub(crate) struct Events {
    events: BTreeMap<String, EventRec>,
    client_tokens: HashMap<(String, String), String>,
}

impl Events {
    /// Three weekly meetings organised by user001 with user002/user003, and one 1:1 per other early user.
    pub(crate) fn seed(org: &Org) -> Self {
        let mut events = BTreeMap::new();
        let union = |i: usize| org.users.get(i).map(|u| u.union_id.clone()).unwrap_or_default();
        let base = parse_datetime("2026-03-23T10:00:00+08:00", 0).unwrap_or(0);
        let titles = ["Sprint planning", "Architecture review", "Demo day"];
        for (i, title) in titles.iter().enumerate() {
            let start = base + i64::try_from(i).unwrap_or(0) * 86_400;
            let id = format!("evtSandbox{:04}", i + 1);
            events.insert(
                id.clone(),
                EventRec {
                    id,
                    organizer: union(0),
                    summary: (*title).to_owned(),
                    description: Some(format!("{title} (seeded)")),
                    start: time_json(start),
                    end: time_json(start + 3600),
                    start_s: start,
                    end_s: start + 3600,
                    all_day: false,
                    location: Some("Room 1".into()),
                    attendees: vec![
                        attendee(&union(0), "accepted"),
                        attendee(&union(1), "needsAction"),
                        attendee(&union(2), "needsAction"),
                    ],
                    created_s: base - 86_400,
                    updated_s: base - 86_400,
                    rooms: Vec::new(),
                },
            );
        }
        Self {
            events,
            client_tokens: HashMap::new(),
        }
    }
}

fn attendee(union_id: &str, status: &'static str) -> AttendeeRec {
    AttendeeRec {
        union_id: union_id.to_owned(),
        optional: false,
        status,
    }
}

fn time_json(epoch_s: i64) -> Value {
    json!({"dateTime": iso_cst(epoch_s), "timeZone": "Asia/Shanghai"})
}

pub(super) fn routes() -> Router<Arc<Shared>> {
    const EVENTS: &str = "/v1.0/calendar/users/{user}/calendars/{calendar}/events";
    Router::new()
        .route(EVENTS, post(create).get(list))
        .route(
            "/v1.0/calendar/users/{user}/calendars/{calendar}/events/{event}",
            get(get_one).put(update).delete(delete),
        )
        .route(
            "/v1.0/calendar/users/{user}/calendars/{calendar}/events/{event}/attendees",
            post(add_attendees).get(list_attendees),
        )
        .route(
            "/v1.0/calendar/users/{user}/calendars/{calendar}/events/{event}/attendees/batchRemove",
            post(remove_attendees),
        )
        .route("/v1.0/calendar/users/{user}/querySchedule", post(query_schedule))
        .merge(rooms::routes())
}

/// Checks the path owner (a unionId) and the calendar id.
fn owner(shared: &Shared, user: &str, calendar: &str) -> Result<String, Response> {
    let u = union_user(shared, "userId", user)?;
    if calendar != "primary" {
        return Err(not_found("calendarId", &format!("calendar {calendar} not found")));
    }
    Ok(u.union_id.clone())
}

/// Parses `{dateTime, timeZone}` or `{date}` into epoch seconds.
fn parse_time(map: &Obj, key: &str) -> Result<Option<(Value, i64)>, Response> {
    let Some(value) = map.get(key).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let bad = || invalid(key, &format!("{key} must be {{dateTime, timeZone}} or {{date}}"));
    let Value::Object(obj) = value else {
        return Err(bad());
    };
    let secs = if let Some(dt) = obj.get("dateTime").and_then(Value::as_str) {
        parse_datetime(dt, CST)
    } else if let Some(d) = obj.get("date").and_then(Value::as_str) {
        parse_date(d).map(|days| days * 86_400 - CST)
    } else {
        None
    };
    secs.map(|s| Some((value.clone(), s))).ok_or_else(bad)
}

fn attendee_list(shared: &Shared, map: &Obj, key: &str) -> Result<Vec<AttendeeRec>, Response> {
    let Some(items) = map.get(key).filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let Value::Array(items) = items else {
        return Err(invalid(key, &format!("{key} must be an array")));
    };
    let mut out = Vec::new();
    for item in items {
        let id = item.get("id").and_then(Value::as_str).unwrap_or_default();
        let user = union_user(shared, key, id)?;
        out.push(AttendeeRec {
            union_id: user.union_id.clone(),
            optional: item.get("isOptional").and_then(Value::as_bool).unwrap_or(false),
            status: "needsAction",
        });
    }
    Ok(out)
}

fn visible(ev: &EventRec, union_id: &str) -> bool {
    ev.organizer == union_id || ev.attendees.iter().any(|a| a.union_id == union_id)
}

fn name_of(shared: &Shared, union_id: &str) -> String {
    super::by_union(shared, union_id)
        .map(|u| u.name.clone())
        .unwrap_or_default()
}

fn attendee_json(shared: &Shared, a: &AttendeeRec, me: &str) -> Value {
    json!({
        "id": a.union_id, "displayName": name_of(shared, &a.union_id), "responseStatus": a.status,
        "isOptional": a.optional, "self": a.union_id == me,
    })
}

fn event_json(shared: &Shared, ev: &EventRec, me: &str) -> Value {
    let mut v = json!({
        "id": ev.id, "summary": ev.summary, "start": ev.start, "end": ev.end, "isAllDay": ev.all_day,
        "organizer": {
            "id": ev.organizer, "displayName": name_of(shared, &ev.organizer), "responseStatus": "accepted",
            "self": ev.organizer == me,
        },
        "attendees": ev.attendees.iter().map(|a| attendee_json(shared, a, me)).collect::<Vec<_>>(),
        "status": "confirmed", "reminders": [{"method": "dingtalk", "minutes": "15"}],
        "createTime": iso_cst(ev.created_s), "updateTime": iso_cst(ev.updated_s),
    });
    if let Some(d) = &ev.description {
        v["description"] = json!(d);
    }
    if let Some(l) = &ev.location {
        v["location"] = json!({"displayName": l});
    }
    if !ev.rooms.is_empty() {
        v["meetingRooms"] = json!(ev.rooms.iter().map(|r| rooms::room_ref(r)).collect::<Vec<_>>());
    }
    v
}

fn no_event(id: &str) -> Response {
    not_found("eventId", &format!("event {id} not found"))
}

impl Events {
    /// Event `id` if `me` organises or attends it; otherwise DingTalk's not-found answer.
    fn find(&self, id: &str, me: &str) -> Result<&EventRec, Response> {
        self.events
            .get(id)
            .filter(|e| visible(e, me))
            .ok_or_else(|| no_event(id))
    }

    /// [`Events::find`], for changing the event.
    fn find_mut(&mut self, id: &str, me: &str) -> Result<&mut EventRec, Response> {
        self.events
            .get_mut(id)
            .filter(|e| visible(e, me))
            .ok_or_else(|| no_event(id))
    }
}

fn empty_ok() -> Response {
    let rid = envelope::request_id();
    let mut resp = StatusCode::OK.into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&rid) {
        resp.headers_mut().insert(envelope::REQUEST_ID_HEADER, v);
    }
    resp
}

/// `POST …/events {summary*, start*, end*, isAllDay, description, location, attendees}`.
/// A repeated `x-client-token` answers the event it created (the create is idempotent).
async fn create(
    State(shared): State<Arc<Shared>>,
    Path((user, calendar)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let me = owner(&shared, &user, &calendar)?;
    let client_token = headers
        .get("x-client-token")
        .and_then(|v| v.to_str().ok())
        .filter(|t| !t.is_empty())
        .map(|t| (me.clone(), t.to_owned()));
    if let Some(key) = &client_token {
        let st = shared.products.lock();
        if let Some(ev) = st
            .calendar
            .client_tokens
            .get(key)
            .and_then(|id| st.calendar.events.get(id))
        {
            return Ok(envelope::ok(&event_json(&shared, ev, &me)));
        }
    }
    let map = new_body(&body)?;
    let summary = super::req_str(&map, "summary")?.to_owned();
    let (start, start_s) = parse_time(&map, "start")?.ok_or_else(|| super::missing("start"))?;
    let (end, end_s) = parse_time(&map, "end")?.ok_or_else(|| super::missing("end"))?;
    if end_s <= start_s {
        return Err(invalid("end", "结束时间必须晚于开始时间"));
    }
    let mut attendees = vec![attendee(&me, "accepted")];
    for a in attendee_list(&shared, &map, "attendees")? {
        if !attendees.iter().any(|x| x.union_id == a.union_id) {
            attendees.push(a);
        }
    }
    let now = i64::try_from(shared.clock.epoch_ms() / 1000).unwrap_or(0);
    let mut st = shared.products.lock();
    let id = st.next_id("evt");
    let ev = EventRec {
        id: id.clone(),
        organizer: me.clone(),
        summary,
        description: envelope::opt_str(&map, "description").map(str::to_owned),
        start,
        end,
        start_s,
        end_s,
        all_day: envelope::opt_bool(&map, "isAllDay"),
        location: map
            .get("location")
            .and_then(|l| l.get("displayName"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        attendees,
        created_s: now,
        updated_s: now,
        rooms: Vec::new(),
    };
    let body = event_json(&shared, &ev, &me);
    if let Some(key) = client_token {
        st.calendar.client_tokens.insert(key, id.clone());
    }
    st.calendar.events.insert(id, ev);
    Ok(envelope::ok(&body))
}

/// `GET …/events/{eventId}`.
async fn get_one(
    State(shared): State<Arc<Shared>>,
    Path((user, calendar, event)): Path<(String, String, String)>,
) -> Reply {
    let me = owner(&shared, &user, &calendar)?;
    let st = shared.products.lock();
    let ev = st.calendar.find(&event, &me)?;
    Ok(envelope::ok(&event_json(&shared, ev, &me)))
}

/// `GET …/events?timeMin&timeMax&maxResults&nextToken`: events the user organises or attends, by start.
async fn list(
    State(shared): State<Arc<Shared>>,
    Path((user, calendar)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    let me = owner(&shared, &user, &calendar)?;
    let bound = |key: &str| -> Result<Option<i64>, Response> {
        match q.get(key) {
            None => Ok(None),
            Some(t) => parse_datetime(t, 0)
                .map(Some)
                .ok_or_else(|| invalid(key, &format!("{key} must be ISO-8601"))),
        }
    };
    let (min, max) = (bound("timeMin")?, bound("timeMax")?);
    let size = match q.get("maxResults") {
        None => MAX_RESULTS,
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_RESULTS).contains(n))
            .ok_or_else(|| invalid("maxResults", "maxResults is 1 to 100"))?,
    };
    let offset = super::token_offset(q.get("nextToken").map(String::as_str))?;
    let st = shared.products.lock();
    let mut evs: Vec<&EventRec> = st
        .calendar
        .events
        .values()
        .filter(|e| visible(e, &me))
        .filter(|e| min.is_none_or(|m| e.end_s > m) && max.is_none_or(|m| e.start_s < m))
        .collect();
    evs.sort_by_key(|e| (e.start_s, e.id.clone()));
    let (items, next) = super::page(&evs, offset, size);
    Ok(envelope::ok(&json!({
        "events": items.iter().map(|e| event_json(&shared, e, &me)).collect::<Vec<_>>(),
        "nextToken": super::next_token(next),
    })))
}

/// `PUT …/events/{eventId}` (patch): organiser only.
async fn update(
    State(shared): State<Arc<Shared>>,
    Path((user, calendar, event)): Path<(String, String, String)>,
    body: Bytes,
) -> Reply {
    let me = owner(&shared, &user, &calendar)?;
    let map = new_body(&body)?;
    let start = parse_time(&map, "start")?;
    let end = parse_time(&map, "end")?;
    let now = i64::try_from(shared.clock.epoch_ms() / 1000).unwrap_or(0);
    let mut st = shared.products.lock();
    let ev = st.calendar.find_mut(&event, &me)?;
    if ev.organizer != me {
        return Err(envelope::api_error(
            StatusCode::FORBIDDEN,
            "forbidden.notOrganizer",
            "只有组织者可以修改日程",
        ));
    }
    let start_s = start.as_ref().map_or(ev.start_s, |s| s.1);
    let end_s = end.as_ref().map_or(ev.end_s, |e| e.1);
    if end_s <= start_s {
        return Err(invalid("end", "结束时间必须晚于开始时间"));
    }
    if let Some((v, s)) = start {
        ev.start = v;
        ev.start_s = s;
    }
    if let Some((v, s)) = end {
        ev.end = v;
        ev.end_s = s;
    }
    if let Some(s) = envelope::opt_str(&map, "summary") {
        s.clone_into(&mut ev.summary);
    }
    if let Some(d) = envelope::opt_str(&map, "description") {
        ev.description = Some(d.to_owned());
    }
    if let Some(l) = map
        .get("location")
        .and_then(|l| l.get("displayName"))
        .and_then(Value::as_str)
    {
        ev.location = Some(l.to_owned());
    }
    ev.updated_s = now;
    let body = event_json(&shared, ev, &me);
    Ok(envelope::ok(&body))
}

/// `DELETE …/events/{eventId}`: the organiser deletes; an attendee leaves.
async fn delete(
    State(shared): State<Arc<Shared>>,
    Path((user, calendar, event)): Path<(String, String, String)>,
) -> Reply {
    let me = owner(&shared, &user, &calendar)?;
    let mut st = shared.products.lock();
    let ev = st.calendar.find_mut(&event, &me)?;
    if ev.organizer == me {
        st.calendar.events.remove(&event);
    } else {
        ev.attendees.retain(|a| a.union_id != me);
    }
    Ok(empty_ok())
}

/// `POST …/attendees {attendeesToAdd*[{id, isOptional}]}`.
async fn add_attendees(
    State(shared): State<Arc<Shared>>,
    Path((user, calendar, event)): Path<(String, String, String)>,
    body: Bytes,
) -> Reply {
    let me = owner(&shared, &user, &calendar)?;
    let map = new_body(&body)?;
    let add = attendee_list(&shared, &map, "attendeesToAdd")?;
    if add.is_empty() {
        return Err(super::missing("attendeesToAdd"));
    }
    let mut st = shared.products.lock();
    let ev = st.calendar.find_mut(&event, &me)?;
    for a in add {
        if !ev.attendees.iter().any(|x| x.union_id == a.union_id) {
            ev.attendees.push(a);
        }
    }
    Ok(empty_ok())
}

/// `POST …/attendees/batchRemove {attendeesToRemove*[{id}]}`.
async fn remove_attendees(
    State(shared): State<Arc<Shared>>,
    Path((user, calendar, event)): Path<(String, String, String)>,
    body: Bytes,
) -> Reply {
    let me = owner(&shared, &user, &calendar)?;
    let map = new_body(&body)?;
    let remove = attendee_list(&shared, &map, "attendeesToRemove")?;
    if remove.is_empty() {
        return Err(super::missing("attendeesToRemove"));
    }
    let mut st = shared.products.lock();
    let ev = st.calendar.find_mut(&event, &me)?;
    if remove.iter().any(|r| r.union_id == ev.organizer) {
        return Err(invalid("attendeesToRemove", "不能移除组织者"));
    }
    ev.attendees
        .retain(|a| !remove.iter().any(|r| r.union_id == a.union_id));
    Ok(empty_ok())
}

/// `GET …/attendees?maxResults&nextToken`.
async fn list_attendees(
    State(shared): State<Arc<Shared>>,
    Path((user, calendar, event)): Path<(String, String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    let me = owner(&shared, &user, &calendar)?;
    let size = match q.get("maxResults") {
        None => MAX_RESULTS,
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_ATTENDEE_RESULTS).contains(n))
            .ok_or_else(|| invalid("maxResults", "maxResults is 1 to 500"))?,
    };
    let offset = super::token_offset(q.get("nextToken").map(String::as_str))?;
    let st = shared.products.lock();
    let ev = st.calendar.find(&event, &me)?;
    let (items, next) = super::page(&ev.attendees, offset, size);
    Ok(envelope::ok(&json!({
        "attendees": items.iter().map(|a| attendee_json(&shared, a, &me)).collect::<Vec<_>>(),
        "nextToken": super::next_token(next),
    })))
}

/// `POST /v1.0/calendar/users/{unionId}/querySchedule {userIds*, startTime*, endTime*}`: BUSY items.
async fn query_schedule(State(shared): State<Arc<Shared>>, Path(user): Path<String>, body: Bytes) -> Reply {
    union_user(&shared, "userId", &user)?;
    let map = new_body(&body)?;
    let ids = super::str_list(&map, "userIds")?;
    if ids.is_empty() {
        return Err(super::missing("userIds"));
    }
    let bound = |key: &str| -> Result<i64, Response> {
        let text = super::req_str(&map, key)?;
        parse_datetime(text, 0).ok_or_else(|| invalid(key, &format!("{key} must be ISO-8601")))
    };
    let (from, to) = (bound("startTime")?, bound("endTime")?);
    if to <= from {
        return Err(invalid("endTime", "endTime必须晚于startTime"));
    }
    let st = shared.products.lock();
    let info: Vec<Value> = ids
        .iter()
        .map(|id| {
            if super::by_union(&shared, id).is_none() {
                return json!({"userId": id, "error": "user not found", "scheduleItems": []});
            }
            let mut evs: Vec<&EventRec> = st
                .calendar
                .events
                .values()
                .filter(|e| visible(e, id) && e.end_s > from && e.start_s < to)
                .collect();
            evs.sort_by_key(|e| e.start_s);
            let items: Vec<Value> = evs
                .iter()
                .map(|e| json!({"status": "BUSY", "start": e.start, "end": e.end}))
                .collect();
            json!({"userId": id, "scheduleItems": items})
        })
        .collect();
    Ok(envelope::ok(&json!({"scheduleInformation": info})))
}
