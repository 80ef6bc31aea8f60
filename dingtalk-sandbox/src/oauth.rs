//! User login: the authorize page, code exchange and refresh, the device flow, and `users/me`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::envelope::{self, Host};
use crate::faults::Caller;
use crate::state::{Inner, Shared};

const CODE_TTL_MS: u64 = 5 * 60 * 1000;
const REFRESH_TTL_MS: u64 = 30 * 24 * 3600 * 1000;
const DEVICE_TTL_SECS: u64 = 900;

/// A pending login grant.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) client_id: String,
    pub(crate) user_id: String,
    pub(crate) expires_ms: u64,
}

/// A device-flow authorization.
#[derive(Debug, Clone)]
pub(crate) struct Device {
    pub(crate) client_id: String,
    pub(crate) polls: u32,
    pub(crate) expires_ms: u64,
}

/// Login state kept in `Inner`.
#[derive(Debug, Default)]
pub(crate) struct LoginState {
    pub(crate) codes: HashMap<String, Grant>,
    pub(crate) refresh: HashMap<String, Grant>,
    pub(crate) devices: HashMap<String, Device>,
}

fn page(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html;charset=utf-8")],
        format!("<html><body>{text}</body></html>"),
    )
        .into_response()
}

fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = base.to_owned();
    let mut sep = if base.contains('?') { '&' } else { '?' };
    for (k, v) in pairs {
        out.push(sep);
        sep = '&';
        out.push_str(k);
        out.push('=');
        out.extend(url::form_urlencoded::byte_serialize(v.as_bytes()));
    }
    out
}

/// `GET /oauth2/auth`: auto-approves as `sandbox_user` (default `user001`); `sandbox_deny=1` refuses.
pub(crate) async fn authorize(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    if Inner::app(&shared.cfg, get("client_id")).is_none() {
        return page(StatusCode::BAD_REQUEST, "invalid client_id");
    }
    let redirect = get("redirect_uri");
    if url::Url::parse(redirect).is_err() {
        return page(StatusCode::BAD_REQUEST, "invalid redirect_uri");
    }
    if get("response_type") != "code" {
        return page(StatusCode::BAD_REQUEST, "unsupported response_type");
    }
    let state = get("state");
    let location = if get("sandbox_deny") == "1" {
        with_query(redirect, &[("error", "access_denied"), ("state", state)])
    } else {
        let user_id = q.get("sandbox_user").cloned().unwrap_or_else(|| "user001".into());
        if shared.org.user(&user_id).is_none() {
            return page(StatusCode::BAD_REQUEST, "unknown sandbox_user");
        }
        let expires_ms = shared.clock.epoch_ms() + CODE_TTL_MS;
        let mut inner = shared.lock();
        let code = inner.new_id("code");
        inner.login.codes.insert(
            code.clone(),
            Grant {
                client_id: get("client_id").to_owned(),
                user_id,
                expires_ms,
            },
        );
        with_query(redirect, &[("authCode", &code), ("state", state)])
    };
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

fn issue_user_token(shared: &Shared, inner: &mut Inner, grant: &Grant) -> Value {
    let token = uuid::Uuid::new_v4().simple().to_string();
    let refresh = uuid::Uuid::new_v4().simple().to_string();
    let expires_at = crate::clock::later(shared.clock.now(), shared.cfg.token_ttl);
    inner
        .tokens
        .issue_user(token.clone(), &grant.client_id, &grant.user_id, expires_at);
    let refresh_grant = Grant {
        expires_ms: shared.clock.epoch_ms() + REFRESH_TTL_MS,
        ..grant.clone()
    };
    inner.login.refresh.insert(refresh.clone(), refresh_grant);
    json!({"accessToken": token, "refreshToken": refresh, "expireIn": shared.cfg.token_ttl.as_secs(), "corpId": shared.org.corp_id})
}

/// `POST /v1.0/oauth2/userAccessToken`.
pub(crate) async fn user_access_token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let map = match envelope::parse_object(Host::New, &body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let client_id = envelope::opt_str(&map, "clientId").unwrap_or_default();
    let secret = envelope::opt_str(&map, "clientSecret").unwrap_or_default();
    if !shared
        .cfg
        .apps
        .iter()
        .any(|a| a.client_id == client_id && a.client_secret == secret)
    {
        return envelope::api_error(
            StatusCode::BAD_REQUEST,
            "invalidClientIdOrSecret",
            "无效的clientId或者clientSecret",
        );
    }
    let now = shared.clock.epoch_ms();
    let mut inner = shared.lock();
    let grant = match envelope::opt_str(&map, "grantType") {
        Some("authorization_code") => {
            envelope::opt_str(&map, "code").and_then(|c| inner.login.codes.remove(c))
        }
        Some("refresh_token") => {
            envelope::opt_str(&map, "refreshToken").and_then(|c| inner.login.refresh.remove(c))
        }
        _ => return envelope::bad_param("invalidParameter.grantType", "grantType不合法"),
    };
    match grant.filter(|g| g.client_id == client_id && g.expires_ms > now) {
        Some(grant) => envelope::ok(&issue_user_token(&shared, &mut inner, &grant)),
        None => envelope::bad_param(
            "invalidParameter.authCode.notFound",
            "授权码或refreshToken不存在或已使用",
        ),
    }
}

/// `GET /v1.0/contact/users/me` (user token only).
pub(crate) async fn users_me(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
) -> Response {
    let Some(user) = caller.user_id.as_deref().and_then(|u| shared.org.user(u)) else {
        return envelope::api_error(
            StatusCode::BAD_REQUEST,
            "InvalidAuthentication",
            "需要用户access_token",
        );
    };
    envelope::ok(&json!({
        "nick": user.name, "avatarUrl": "", "mobile": user.mobile, "openId": format!("open{}", user.user_id),
        "unionId": user.union_id, "email": format!("{}@sandbox.invalid", user.user_id), "stateCode": "86", "visitor": false,
    }))
}

fn form(bytes: &[u8]) -> Map<String, Value> {
    url::form_urlencoded::parse(bytes)
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect()
}

fn device_envelope(result: &Value, error_code: &str) -> Response {
    envelope::ok(
        &json!({"success": error_code.is_empty(), "result": result, "errorCode": error_code, "errorMsg": error_code}),
    )
}

/// `POST /oauth2/device/code.json` (form `client_id`, `scope`).
pub(crate) async fn device_code(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let map = form(&body);
    let client_id = envelope::opt_str(&map, "client_id")
        .unwrap_or_default()
        .to_owned();
    if Inner::app(&shared.cfg, &client_id).is_none() {
        return device_envelope(&Value::Null, "invalid_client");
    }
    let expires_ms = shared.clock.epoch_ms() + DEVICE_TTL_SECS * 1000;
    let mut inner = shared.lock();
    let device_code = inner.new_id("dev");
    let user_code = format!(
        "SBX{:04}-{:04}",
        inner.id_counter % 10_000,
        (inner.id_counter * 7) % 10_000
    );
    inner.login.devices.insert(
        device_code.clone(),
        Device {
            client_id,
            polls: 0,
            expires_ms,
        },
    );
    let verify = format!("{}/oauth2/device/verify.htm", shared.base_url);
    device_envelope(
        &json!({
            "deviceCode": device_code, "userCode": user_code, "verificationUri": verify,
            "verificationUriComplete": format!("{verify}?user_code={user_code}"), "expiresIn": DEVICE_TTL_SECS,
            "interval": 2, "flowId": "",
        }),
        "",
    )
}

/// `POST /oauth2/device/token.json`: the first poll is pending, the next one approves as `user001`.
pub(crate) async fn device_token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let map = form(&body);
    if envelope::opt_str(&map, "grant_type") != Some("urn:ietf:params:oauth:grant-type:device_code") {
        return device_envelope(&json!({"error": "unsupported_grant_type"}), "");
    }
    let code = envelope::opt_str(&map, "device_code").unwrap_or_default();
    let now = shared.clock.epoch_ms();
    let mut inner = shared.lock();
    let Some(device) = inner.login.devices.get_mut(code) else {
        return device_envelope(&json!({"error": "expired_token"}), "");
    };
    if device.expires_ms <= now {
        return device_envelope(&json!({"error": "expired_token"}), "");
    }
    device.polls += 1;
    if device.polls < 2 {
        return device_envelope(
            &json!({"authCode": "", "redirectUrl": "", "error": "authorization_pending"}),
            "",
        );
    }
    let client_id = device.client_id.clone();
    inner.login.devices.remove(code);
    let auth_code = inner.new_id("code");
    inner.login.codes.insert(
        auth_code.clone(),
        Grant {
            client_id,
            user_id: "user001".into(),
            expires_ms: now + CODE_TTL_MS,
        },
    );
    device_envelope(
        &json!({"authCode": auth_code, "redirectUrl": "", "error": ""}),
        "",
    )
}

/// `GET /oauth2/logout`.
pub(crate) async fn logout() -> Response {
    page(StatusCode::OK, "logged out")
}
