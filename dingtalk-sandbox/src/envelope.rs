//! DingTalk error and success bodies for both hosts.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub(crate) const REQUEST_ID_HEADER: &str = "x-acs-request-id";

/// Which API generation a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Host {
    /// `api.dingtalk.com`: `/v1.0/...`, header token, `{code,message,requestid}` errors.
    New,
    /// `oapi.dingtalk.com`: query token, HTTP 200 + `errcode`.
    Legacy,
}

impl Host {
    pub(crate) fn of(path: &str) -> Self {
        if path.starts_with("/v1.0/") || path.starts_with("/v2.0/") {
            Self::New
        } else {
            Self::Legacy
        }
    }
}

pub(crate) fn request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_uppercase()
}

/// A JSON response with a request id header.
pub(crate) fn json_response(status: StatusCode, body: &Value, request_id: &str) -> Response {
    let mut resp = (
        status,
        [(header::CONTENT_TYPE, "application/json;charset=utf-8")],
        body.to_string(),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    resp
}

/// 200 with a JSON body.
pub(crate) fn ok(body: &Value) -> Response {
    json_response(StatusCode::OK, body, &request_id())
}

/// A new-host error: non-2xx with `{code, message, requestid}`.
pub(crate) fn api_error(status: StatusCode, code: &str, message: &str) -> Response {
    let rid = request_id();
    json_response(
        status,
        &json!({"requestid": rid, "code": code, "message": message}),
        &rid,
    )
}

/// A legacy error: HTTP 200 with `errcode`.
pub(crate) fn legacy_error(errcode: i64, errmsg: &str) -> Response {
    let rid = request_id();
    json_response(
        StatusCode::OK,
        &json!({"errcode": errcode, "errmsg": errmsg, "request_id": rid}),
        &rid,
    )
}

/// A `/topapi` error wrapped as `88` with a string `sub_code`.
pub(crate) fn topapi_error(sub_code: &str, sub_msg: &str) -> Response {
    let rid = request_id();
    json_response(
        StatusCode::OK,
        &json!({
            "errcode": 88,
            "sub_code": sub_code,
            "sub_msg": sub_msg,
            "errmsg": format!("ding talk error[subcode={sub_code},submsg={sub_msg}]"),
            "request_id": rid,
        }),
        &rid,
    )
}

/// 400 `invalidParameter`-style error on the new host.
pub(crate) fn bad_param(code: &str, message: &str) -> Response {
    api_error(StatusCode::BAD_REQUEST, code, message)
}

/// The new-host "unknown path" quirk: HTTP 200 `{"errcode":404,...}`.
pub(crate) fn new_host_not_found() -> Response {
    let rid = request_id();
    json_response(
        StatusCode::OK,
        &json!({"errcode": 404, "errmsg": "请求的URI地址不存在"}),
        &rid,
    )
}

/// Unknown `/topapi` method: `errcode 22`.
pub(crate) fn topapi_not_found(path: &str) -> Response {
    let rid = request_id();
    let api_name = format!(
        "dingtalk.oapi{}",
        path.trim_start_matches("/topapi").replace('/', ".")
    );
    let sub_msg = format!("不合法ApiName，ApiName = {api_name}");
    json_response(
        StatusCode::OK,
        &json!({"errcode": 22, "sub_msg": sub_msg, "errmsg": format!("Invalid method[submsg={sub_msg}]"), "request_id": rid}),
        &rid,
    )
}

/// Parses a JSON object body; `Err` is a ready DingTalk-style error for `host`.
pub(crate) fn parse_object(host: Host, bytes: &[u8]) -> Result<serde_json::Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(match host {
            Host::New => bad_param("invalidParameter.body.invalid", "请求体不是合法的JSON对象"),
            Host::Legacy => legacy_error(40035, "不合法的参数"),
        }),
    }
}

/// A required non-empty string field.
pub(crate) fn req_str<'a>(map: &'a serde_json::Map<String, Value>, key: &str) -> Result<&'a str, Response> {
    match map.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        None | Some(Value::String(_) | Value::Null) => Err(bad_param(
            &format!("MissingParameter.{key}"),
            &format!("{key} is mandatory for this action."),
        )),
        Some(_) => Err(bad_param(
            &format!("invalidParameter.{key}"),
            &format!("{key} must be a string"),
        )),
    }
}

/// An optional string field (non-strings count as absent).
pub(crate) fn opt_str<'a>(map: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

/// An optional boolean, accepting `"true"`/`"false"` strings.
pub(crate) fn opt_bool(map: &serde_json::Map<String, Value>, key: &str) -> bool {
    match map.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    }
}
