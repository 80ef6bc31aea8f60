//! HTTP fault injection and the shared per-request guard (faults, then token check).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::envelope::{self, Host};
use crate::model::{Fault, FaultRule};
use crate::state::{Inner, Shared};
use crate::tokens::{self, TokenCheck, TokenPlace};

/// Paths whose handler renders `business_error_200` as the real partial failure on HTTP 200.
const HANDLER_BUSINESS_ERRORS: [&str; 3] = [
    "/v1.0/robot/oToMessages/batchSend",
    "/v1.0/card/instances/createAndDeliver",
    "/v1.0/card/instances/deliver",
];

/// The largest body the guard buffers (the router's own limit).
const MAX_BUFFERED_BODY: usize = 32 * 1024 * 1024;

/// Marks a request on which a `business_error_200` fault is to be rendered by the handler.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BusinessFault;

/// The app that made an authenticated call.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) client_id: String,
    /// Set for user (OAuth) tokens.
    pub(crate) user_id: Option<String>,
}

fn path_matches(pattern: &str, path: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => pattern == path,
    }
}

/// Picks the fault (if any) for this call, updating counters.
pub(crate) fn take_fault(inner: &mut Inner, path: &str) -> Option<Fault> {
    let mut hit = None;
    for (rule, seen) in &mut inner.faults {
        if hit.is_some() || !path_matches(&rule.path, path) {
            continue;
        }
        *seen += 1;
        if let Some(n) = rule.nth
            && *seen != n
        {
            continue;
        }
        if let Some(times) = rule.times.as_mut() {
            if *times == 0 {
                continue;
            }
            *times -= 1;
        }
        hit = Some(rule.fault.clone());
    }
    inner
        .faults
        .retain(|(r, seen)| r.times != Some(0) && r.nth.is_none_or(|n| *seen < n));
    hit
}

pub(crate) fn add_rule(inner: &mut Inner, rule: FaultRule) {
    inner.faults.push((rule, 0));
}

/// Renders a fault that answers instead of the handler.
fn render(fault: &Fault, method: &axum::http::Method, path: &str) -> Option<Response> {
    let host = Host::of(path);
    let scope = crate::registry::required_scope(method, path);
    let resp = match (fault, host) {
        (Fault::Latency { .. } | Fault::TokenExpired, _) => return None,
        (Fault::Http429 { retry_after }, _) => {
            let mut r = envelope::api_error(StatusCode::TOO_MANY_REQUESTS, "Throttling", "请求过于频繁");
            if let Some(secs) = retry_after
                && let Ok(v) = HeaderValue::from_str(&secs.to_string())
            {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        (Fault::ThrottleQps { code }, Host::New) => envelope::api_error(
            StatusCode::FORBIDDEN,
            code.as_deref()
                .unwrap_or("Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"),
            "调用频率超过限制",
        ),
        (Fault::ThrottleQps { .. }, Host::Legacy) => {
            envelope::legacy_error(90018, "当前应用调用该接口的并发量超过限制")
        }
        (Fault::ServerError { status }, Host::New) => envelope::api_error(
            status
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "unknownError",
            "未知错误",
        ),
        (Fault::ServerError { .. }, Host::Legacy) => envelope::legacy_error(-1, "系统繁忙"),
        (Fault::BusinessError200 { errcode, errmsg }, Host::New) => envelope::ok(&json!({
            "success": false,
            "errcode": errcode.unwrap_or(400_002),
            "errmsg": errmsg.as_deref().unwrap_or("业务处理失败"),
        })),
        (Fault::BusinessError200 { errcode, errmsg }, Host::Legacy) => envelope::legacy_error(
            errcode.unwrap_or(400_002),
            errmsg.as_deref().unwrap_or("业务处理失败"),
        ),
        (Fault::PermissionDenied, _) => crate::registry::permission_denied(path, scope),
        (Fault::Drop, _) => {
            let stream = futures_util::stream::once(async {
                Err::<Vec<u8>, std::io::Error>(std::io::Error::other("sandbox drop fault"))
            });
            (StatusCode::OK, Body::from_stream(stream)).into_response()
        }
        (Fault::Malformed, _) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "{\"errcode\":0,\"result\":{\"tru",
        )
            .into_response(),
    };
    Some(resp)
}

/// Middleware on every API route: faults first, then the token check; every call is recorded.
pub(crate) async fn api_guard(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(crate::redact::query);
    let time = shared.clock.epoch_ms();
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BUFFERED_BODY).await else {
        return envelope::api_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalidParameter.body.tooLarge",
            "请求体过大",
        );
    };
    let recorded_body = crate::redact::body(parts.headers.get(header::CONTENT_TYPE), &bytes);
    let req = Request::from_parts(parts, Body::from(bytes));
    let (resp, fault, client_id) = guarded(&shared, req, next, &path).await;
    let mut inner = shared.lock();
    let seq = inner.requests.len() as u64 + 1;
    inner.requests.push(crate::model::RequestRecord {
        seq,
        time,
        method,
        path,
        status: resp.status().as_u16(),
        fault: fault.map(|f| {
            serde_json::to_value(&f)
                .ok()
                .and_then(|v| {
                    v.get("kind")
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned)
                })
                .unwrap_or_default()
        }),
        client_id,
        query,
        body: recorded_body,
    });
    resp
}

async fn guarded(
    shared: &Shared,
    mut req: Request,
    next: Next,
    path: &str,
) -> (Response, Option<Fault>, Option<String>) {
    let place = tokens::token_place(path);
    let token = tokens::extract(place, req.headers(), req.uri().query());
    let fault = take_fault(&mut shared.lock(), path);
    if let Some(fault) = &fault {
        if let Fault::Latency { ms } = fault {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
        }
        if let Fault::TokenExpired = fault
            && let Some(t) = &token
        {
            shared.lock().tokens.kill(t);
        }
        if matches!(fault, Fault::BusinessError200 { .. }) && HANDLER_BUSINESS_ERRORS.contains(&path) {
            // These handlers render the realistic partial failure themselves.
            req.extensions_mut().insert(BusinessFault);
        } else if let Some(resp) = render(fault, req.method(), path) {
            return (resp, Some(fault.clone()), None);
        }
    }
    let mut client = None;
    if place != TokenPlace::None {
        let check = shared.lock().tokens.check(token.as_deref(), shared.clock.now());
        match check {
            TokenCheck::Valid(client_id, user_id) => {
                if over_api_qps(shared, &client_id, path) {
                    let throttle = Fault::ThrottleQps { code: None };
                    let resp = render(&throttle, req.method(), path);
                    if let Some(resp) = resp {
                        return (resp, Some(throttle), Some(client_id));
                    }
                }
                if let Some(resp) = crate::registry::check_scope(shared, &client_id, req.method(), path) {
                    return (resp, fault, Some(client_id));
                }
                client = Some(client_id.clone());
                req.extensions_mut().insert(Caller { client_id, user_id });
            }
            other => return (tokens::reject(&other, path), fault, None),
        }
    }
    (next.run(req).await, fault, client)
}

/// Sliding one-second window per (app, path) when `api_qps` is configured.
fn over_api_qps(shared: &Shared, client_id: &str, path: &str) -> bool {
    let Some(qps) = shared.cfg.api_qps else {
        return false;
    };
    let now = shared.clock.now();
    let mut inner = shared.lock();
    let window = inner
        .api_calls
        .entry((client_id.to_owned(), path.to_owned()))
        .or_default();
    while window
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= Duration::from_secs(1))
    {
        window.pop_front();
    }
    if window.len() >= qps as usize {
        return true;
    }
    window.push_back(now);
    false
}

/// Adds `x-acs-request-id` to every response lacking one.
pub(crate) async fn request_id_layer(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    if !resp.headers().contains_key(envelope::REQUEST_ID_HEADER)
        && let Ok(v) = HeaderValue::from_str(&envelope::request_id())
    {
        resp.headers_mut().insert(envelope::REQUEST_ID_HEADER, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(path_matches("*", "/x"));
        assert!(path_matches("/v1.0/card/*", "/v1.0/card/streaming"));
        assert!(!path_matches("/v1.0/card/streaming", "/v1.0/card/instances"));
    }
}
