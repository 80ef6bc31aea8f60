//! Twins of the typed product clients (`dingtalk-openapi`): contact, IM, calendar, todo, approval, attendance,
//! DING, report, AI table and workbench. Each route validates like DingTalk (required fields, id kinds, existence,
//! caps), answers with the real error envelope of its host and serves the seeded demo org plus the product seeds in
//! [`state`]. The token check and faults come from the shared `api_guard` layer.

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::envelope::{self, Host};
use crate::org::User;
use crate::state::Shared;

mod attendance;
mod calendar;
mod contact;
mod ding;
mod im;
mod media;
mod notable;
mod report;
mod robot;
pub(crate) mod state;
mod time;
mod todo;
mod workbench;
mod workflow;

/// A handler's answer: `Err` carries a ready DingTalk error response.
pub(crate) type Reply = Result<Response, Response>;

/// A JSON object body.
pub(crate) type Obj = Map<String, Value>;

/// Every product route; merged into the API router before the token/fault guard.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .merge(contact::routes())
        .merge(im::routes())
        .merge(calendar::routes())
        .merge(todo::routes())
        .merge(workflow::routes())
        .merge(attendance::routes())
        .merge(ding::routes())
        .merge(report::routes())
        .merge(notable::routes())
        .merge(workbench::routes())
        .merge(robot::routes())
        .merge(media::routes())
}

/// Parses a new-host JSON object body.
pub(crate) fn new_body(bytes: &[u8]) -> Result<Obj, Response> {
    envelope::parse_object(Host::New, bytes)
}

/// Reads a legacy body: JSON, or form encoding with JSON-string fields.
pub(crate) fn legacy_body(bytes: &[u8]) -> Obj {
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(bytes) {
        return map;
    }
    url::form_urlencoded::parse(bytes)
        .map(|(k, v)| {
            let v = v.into_owned();
            let parsed = match serde_json::from_str::<Value>(&v) {
                Ok(value @ (Value::Array(_) | Value::Object(_))) => value,
                _ => Value::String(v),
            };
            (k.into_owned(), parsed)
        })
        .collect()
}

/// A legacy success: `{"errcode":0,"errmsg":"ok","result":…}`.
pub(crate) fn legacy_ok(result: Value) -> Response {
    let mut body = json!({"errcode": 0, "errmsg": "ok", "request_id": envelope::request_id()});
    body["result"] = result;
    envelope::ok(&body)
}

/// 400 `MissingParameter.<key>`.
pub(crate) fn missing(key: &str) -> Response {
    envelope::bad_param(
        &format!("MissingParameter.{key}"),
        &format!("{key} is mandatory for this action."),
    )
}

/// 400 `invalidParameter.<key>` with a message.
pub(crate) fn invalid(key: &str, message: &str) -> Response {
    envelope::bad_param(&format!("invalidParameter.{key}"), message)
}

/// 404 `invalidParameter.<what>.notFound`.
pub(crate) fn not_found(what: &str, message: &str) -> Response {
    envelope::api_error(
        StatusCode::NOT_FOUND,
        &format!("invalidParameter.{what}.notFound"),
        message,
    )
}

/// A required string (new host).
pub(crate) fn req_str<'a>(map: &'a Obj, key: &str) -> Result<&'a str, Response> {
    envelope::req_str(map, key)
}

/// An integer given as a number or a numeric string.
pub(crate) fn int(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An optional integer field: `Ok(None)` when absent, `Err` when not an integer.
pub(crate) fn opt_int(map: &Obj, key: &str) -> Result<Option<i64>, Response> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        v => int(v)
            .map(Some)
            .ok_or_else(|| invalid(key, &format!("{key} must be an integer"))),
    }
}

/// A list of strings (absent = empty); `Err` on a non-string element.
pub(crate) fn str_list(map: &Obj, key: &str) -> Result<Vec<String>, Response> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| invalid(key, &format!("{key} must be an array of strings"))),
        Some(Value::String(s)) => Ok(s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()),
        Some(_) => Err(invalid(key, &format!("{key} must be an array of strings"))),
    }
}

/// Finds a user by union id.
pub(crate) fn by_union<'a>(shared: &'a Shared, union_id: &str) -> Option<&'a User> {
    shared.org.users.iter().find(|u| u.union_id == union_id)
}

/// Checks that `id` is a known union id; a user id in its place is a distinct, explicit error.
pub(crate) fn union_user<'a>(shared: &'a Shared, key: &str, id: &str) -> Result<&'a User, Response> {
    if id.is_empty() {
        return Err(missing(key));
    }
    if let Some(user) = by_union(shared, id) {
        return Ok(user);
    }
    if shared.org.user(id).is_some() {
        return Err(invalid(
            key,
            &format!("{key} must be a unionId, not a userId: {id}"),
        ));
    }
    Err(not_found("user", &format!("user {id} not found")))
}

/// One page of `items` from `offset`, `size` long; the next offset when more remain.
pub(crate) fn page<T: Clone>(items: &[T], offset: usize, size: usize) -> (Vec<T>, Option<usize>) {
    let start = offset.min(items.len());
    let end = start.saturating_add(size).min(items.len());
    let next = (end < items.len()).then_some(end);
    (items[start..end].to_vec(), next)
}

/// Decodes an opaque `nextToken` (`nt<offset>`) into an offset; `Err` for a foreign token.
pub(crate) fn token_offset(token: Option<&str>) -> Result<usize, Response> {
    match token.filter(|t| !t.is_empty()) {
        None => Ok(0),
        Some(t) => t
            .strip_prefix("nt")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| invalid("nextToken", "nextToken不合法")),
    }
}

/// The opaque `nextToken` for an offset.
pub(crate) fn next_token(offset: Option<usize>) -> Value {
    offset.map_or(Value::Null, |n| Value::String(format!("nt{n}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_tokens() {
        let items: Vec<u32> = (0..5).collect();
        assert_eq!(page(&items, 0, 2), (vec![0, 1], Some(2)));
        assert_eq!(page(&items, 4, 2), (vec![4], None));
        assert_eq!(page(&items, 9, 2), (vec![], None));
        assert_eq!(token_offset(Some("nt4")).ok(), Some(4));
        assert!(token_offset(Some("x")).is_err());
        assert_eq!(next_token(Some(3)), json!("nt3"));
    }

    #[test]
    fn legacy_form_bodies_decode_json_fields() {
        let map = legacy_body(b"dept_id=1&userid_list=%5B%22a%22%5D");
        assert_eq!(map.get("dept_id"), Some(&json!("1")));
        assert_eq!(map.get("userid_list"), Some(&json!(["a"])));
    }
}
