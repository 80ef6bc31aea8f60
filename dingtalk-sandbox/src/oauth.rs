//! User login: the authorize page, code exchange and refresh, the device flow, revocation and `users/me`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::config::{Config, SandboxBuilder};
use crate::envelope::{self, Host};
use crate::faults::Caller;
use crate::state::{Inner, Shared};

const CODE_TTL_MS: u64 = 5 * 60 * 1000;
const REFRESH_TTL_MS: u64 = 30 * 24 * 3600 * 1000;
/// Default device-code lifetime.
const DEFAULT_DEVICE_EXPIRES_IN: Duration = Duration::from_mins(15);
/// Default polling interval advertised by `device/code.json`.
const DEFAULT_DEVICE_INTERVAL: Duration = Duration::from_secs(2);
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const DEFAULT_LOGIN_USER: &str = "user001";

/// What the authorize page (`GET /oauth2/auth`) does with a valid request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuthorizeMode {
    /// Redirect at once with an `authCode` for the login user (default).
    #[default]
    AutoApprove,
    /// Show a small HTML form to pick a user and approve or deny.
    Form,
    /// Redirect at once with `error=access_denied`.
    Deny,
}

/// Login settings fixed at start (the run-time ones are copied into [`LoginState`]).
#[derive(Debug, Clone)]
pub(crate) struct LoginConfig {
    pub(crate) login_user: String,
    pub(crate) authorize_mode: AuthorizeMode,
    pub(crate) device_interval: Duration,
    pub(crate) device_expires_in: Duration,
    pub(crate) device_auto_approve_after: Option<u32>,
    pub(crate) redirect_uris: Vec<String>,
}

impl Default for LoginConfig {
    fn default() -> Self {
        Self {
            login_user: DEFAULT_LOGIN_USER.to_owned(),
            authorize_mode: AuthorizeMode::AutoApprove,
            device_interval: DEFAULT_DEVICE_INTERVAL,
            device_expires_in: DEFAULT_DEVICE_EXPIRES_IN,
            device_auto_approve_after: Some(2),
            redirect_uris: vec!["https://login.dingtalk.com".to_owned()],
        }
    }
}

impl SandboxBuilder {
    /// The demo user the login pages approve as (default `user001`); `sandbox_user`/`login_hint` override it.
    pub fn login_user(mut self, user_id: impl Into<String>) -> Self {
        self.config.login.login_user = user_id.into();
        self
    }

    /// What `GET /oauth2/auth` does (default: approve at once).
    pub fn authorize_mode(mut self, mode: AuthorizeMode) -> Self {
        self.config.login.authorize_mode = mode;
        self
    }

    /// The device-flow polling `interval` (default 2 s; whole seconds, at least 1): faster polls of a pending code
    /// answer `slow_down`.
    pub fn device_interval(mut self, interval: Duration) -> Self {
        self.config.login.device_interval = interval;
        self
    }

    /// The device-code lifetime `expiresIn` (default 900 s; whole seconds, at least 1) on the sandbox clock.
    pub fn device_expires_in(mut self, expires_in: Duration) -> Self {
        self.config.login.device_expires_in = expires_in;
        self
    }

    /// Approve a device code as the login user on its `n`-th poll (default `Some(2)`); `None`: only the control API
    /// (`approve_device`/`deny_device`) decides.
    pub fn device_auto_approve_after(mut self, polls: Option<u32>) -> Self {
        self.config.login.device_auto_approve_after = polls;
        self
    }

    /// Registers a redirect URL prefix for the authorize page besides loopback (any port) and
    /// `https://login.dingtalk.com`.
    pub fn redirect_uri(mut self, prefix: impl Into<String>) -> Self {
        self.config.login.redirect_uris.push(prefix.into());
        self
    }
}

/// A pending login grant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Grant {
    pub(crate) client_id: String,
    pub(crate) user_id: String,
    pub(crate) expires_ms: u64,
}

/// Where a device code stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DeviceStatus {
    Pending,
    Approved(String),
    Denied,
}

/// A device-flow authorization.
#[derive(Debug, Clone)]
pub(crate) struct Device {
    pub(crate) client_id: String,
    pub(crate) user_code: String,
    pub(crate) polls: u32,
    pub(crate) expires_ms: u64,
    pub(crate) last_poll_ms: Option<u64>,
    pub(crate) status: DeviceStatus,
}

/// Login state kept in `Inner`.
#[derive(Debug)]
pub(crate) struct LoginState {
    pub(crate) codes: HashMap<String, Grant>,
    pub(crate) refresh: HashMap<String, Grant>,
    pub(crate) devices: HashMap<String, Device>,
    pub(crate) login_user: String,
    pub(crate) authorize_mode: AuthorizeMode,
    pub(crate) device_auto_approve_after: Option<u32>,
}

impl Default for LoginState {
    fn default() -> Self {
        Self::new(&Config::default())
    }
}

impl LoginState {
    pub(crate) fn new(cfg: &Config) -> Self {
        Self {
            codes: HashMap::new(),
            refresh: HashMap::new(),
            devices: HashMap::new(),
            login_user: cfg.login.login_user.clone(),
            authorize_mode: cfg.login.authorize_mode,
            device_auto_approve_after: cfg.login.device_auto_approve_after,
        }
    }
}

/// Login settings that can change at run time (`POST /_sandbox/login`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LoginSettings {
    /// The user the login pages approve as.
    pub login_user: Option<String>,
    /// What `GET /oauth2/auth` does.
    pub authorize_mode: Option<AuthorizeMode>,
    /// Approve device codes on their n-th poll; `0` turns auto-approval off.
    pub device_auto_approve_after: Option<u32>,
}

/// Applies run-time login settings.
pub(crate) fn apply_settings(shared: &Shared, s: &LoginSettings) -> Result<(), (String, String)> {
    if let Some(user) = &s.login_user
        && shared.org.user(user).is_none()
    {
        return Err((
            "invalidParameter.loginUser".into(),
            format!("unknown user {user}"),
        ));
    }
    let mut inner = shared.lock();
    if let Some(user) = &s.login_user {
        inner.login.login_user.clone_from(user);
    }
    if let Some(mode) = s.authorize_mode {
        inner.login.authorize_mode = mode;
    }
    if let Some(n) = s.device_auto_approve_after {
        inner.login.device_auto_approve_after = (n > 0).then_some(n);
    }
    Ok(())
}

/// Approves (`Some(user)`, or the login user for `None`) or denies a pending device code, by user code.
pub(crate) fn decide_device(
    shared: &Shared,
    user_code: &str,
    approve: bool,
    user_id: Option<&str>,
) -> Result<(), (String, String)> {
    if let Some(user) = user_id
        && shared.org.user(user).is_none()
    {
        return Err(("invalidParameter.userId".into(), format!("unknown user {user}")));
    }
    let now = shared.clock.epoch_ms();
    let mut inner = shared.lock();
    let login_user = inner.login.login_user.clone();
    let Some(device) = inner
        .login
        .devices
        .values_mut()
        .find(|d| d.user_code.eq_ignore_ascii_case(user_code))
    else {
        return Err(("invalidParameter.userCode".into(), "unknown user code".into()));
    };
    if device.expires_ms <= now {
        return Err((
            "invalidParameter.userCode.expired".into(),
            "the device code expired".into(),
        ));
    }
    device.status = if approve {
        DeviceStatus::Approved(user_id.map_or(login_user, str::to_owned))
    } else {
        DeviceStatus::Denied
    };
    Ok(())
}

/// Revokes a user's tokens (every app, or one): access tokens stop working and refresh tokens are refused.
pub(crate) fn revoke_user_tokens(shared: &Shared, user_id: &str, client_id: Option<&str>) -> usize {
    let mut inner = shared.lock();
    let matches = |g: &Grant| g.user_id == user_id && client_id.is_none_or(|c| c == g.client_id);
    let before = inner.login.refresh.len();
    inner.login.refresh.retain(|_, g| !matches(g));
    inner.login.codes.retain(|_, g| !matches(g));
    let refresh_revoked = before - inner.login.refresh.len();
    refresh_revoked + inner.tokens.revoke_user(user_id, client_id)
}

fn page(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html;charset=utf-8")],
        format!("<html><body>{text}</body></html>"),
    )
        .into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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

/// A loopback redirect matches on scheme and host only (any port); others match a registered prefix.
fn redirect_allowed(cfg: &Config, redirect: &url::Url) -> bool {
    if !matches!(redirect.scheme(), "http" | "https") {
        return false;
    }
    let loopback = match redirect.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    loopback
        || cfg
            .login
            .redirect_uris
            .iter()
            .any(|p| redirect.as_str().starts_with(p.as_str()))
}

fn valid_scope(scope: &str) -> bool {
    let parts: Vec<&str> = scope.split([' ', '+']).filter(|s| !s.is_empty()).collect();
    parts.contains(&"openid") && parts.iter().all(|p| matches!(*p, "openid" | "corpid"))
}

fn issue_code(shared: &Shared, inner: &mut Inner, client_id: &str, user_id: &str) -> String {
    let code = inner.new_id("code");
    inner.login.codes.insert(
        code.clone(),
        Grant {
            client_id: client_id.to_owned(),
            user_id: user_id.to_owned(),
            expires_ms: shared.clock.epoch_ms() + CODE_TTL_MS,
        },
    );
    code
}

fn authorize_form(q: &HashMap<String, String>, shared: &Shared, login_user: &str) -> Response {
    use std::fmt::Write as _;
    let mut hidden = String::new();
    for (k, v) in q
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "sandbox_user" | "sandbox_decision"))
    {
        let _ = write!(
            hidden,
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            html_escape(k),
            html_escape(v)
        );
    }
    let mut options = String::new();
    for u in &shared.org.users {
        let selected = if u.user_id == login_user { " selected" } else { "" };
        let _ = write!(
            options,
            "<option value=\"{id}\"{selected}>{id} {name}</option>",
            id = html_escape(&u.user_id),
            name = html_escape(&u.name)
        );
    }
    page(
        StatusCode::OK,
        &format!(
            "<h1>Sandbox login</h1><form method=\"get\" action=\"/oauth2/auth\">{hidden}\
             <select name=\"sandbox_user\">{options}</select>\
             <button name=\"sandbox_decision\" value=\"approve\">Approve</button>\
             <button name=\"sandbox_decision\" value=\"deny\">Deny</button></form>"
        ),
    )
}

/// `GET /oauth2/auth`: validates the request, then approves (as `sandbox_user`, `login_hint` or the login user),
/// denies, or shows a form, per the authorize mode (`sandbox_deny=1` always denies).
pub(crate) async fn authorize(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    let client_id = get("client_id");
    if Inner::app(&shared.cfg, client_id).is_none() {
        return page(StatusCode::BAD_REQUEST, "invalid client_id");
    }
    let Ok(redirect_url) = url::Url::parse(get("redirect_uri")) else {
        return page(StatusCode::BAD_REQUEST, "invalid redirect_uri");
    };
    if !redirect_allowed(&shared.cfg, &redirect_url) {
        return page(
            StatusCode::BAD_REQUEST,
            "redirect_uri is not registered for this app",
        );
    }
    if get("response_type") != "code" {
        return page(StatusCode::BAD_REQUEST, "unsupported response_type");
    }
    if !valid_scope(get("scope")) {
        return page(StatusCode::BAD_REQUEST, "invalid scope (openid or openid corpid)");
    }
    if get("prompt") != "consent" {
        return page(StatusCode::BAD_REQUEST, "prompt must be consent");
    }
    let redirect = get("redirect_uri");
    let state = get("state");
    let (mode, login_user) = {
        let inner = shared.lock();
        (inner.login.authorize_mode, inner.login.login_user.clone())
    };
    let decision = match get("sandbox_decision") {
        "approve" => AuthorizeMode::AutoApprove,
        "deny" => AuthorizeMode::Deny,
        _ if get("sandbox_deny") == "1" => AuthorizeMode::Deny,
        _ => mode,
    };
    let location = match decision {
        AuthorizeMode::Form => return authorize_form(&q, &shared, &login_user),
        AuthorizeMode::Deny => with_query(redirect, &[("error", "access_denied"), ("state", state)]),
        AuthorizeMode::AutoApprove => {
            let user_id = q
                .get("sandbox_user")
                .or_else(|| q.get("login_hint"))
                .cloned()
                .unwrap_or(login_user);
            if shared.org.user(&user_id).is_none() {
                return page(StatusCode::BAD_REQUEST, "unknown sandbox_user");
            }
            let code = issue_code(&shared, &mut shared.lock(), client_id, &user_id);
            with_query(redirect, &[("authCode", &code), ("state", state)])
        }
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
        "unionId": user.union_id, "email": format!("{}@sandbox.invalid", user.user_id),
        "loginEmail": format!("{}@sandbox.invalid", user.user_id), "stateCode": "86", "visitor": false,
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

fn device_result(error: &str, auth_code: &str) -> Response {
    device_envelope(
        &json!({"authCode": auth_code, "redirectUrl": "", "error": error}),
        "",
    )
}

fn whole_secs(d: Duration) -> u64 {
    d.as_secs().max(1)
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
    let expires_in = whole_secs(shared.cfg.login.device_expires_in);
    let interval = whole_secs(shared.cfg.login.device_interval);
    let expires_ms = shared.clock.epoch_ms() + expires_in * 1000;
    let mut inner = shared.lock();
    let device_code = inner.new_id("dev");
    let r: u32 = rand::Rng::random(&mut inner.rng);
    let user_code = format!("SBX{:04}-{:04}", inner.id_counter % 10_000, r % 10_000);
    inner.login.devices.insert(
        device_code.clone(),
        Device {
            client_id,
            user_code: user_code.clone(),
            polls: 0,
            expires_ms,
            last_poll_ms: None,
            status: DeviceStatus::Pending,
        },
    );
    let verify = format!("{}/oauth2/device/verify.htm", shared.base_url);
    device_envelope(
        &json!({
            "deviceCode": device_code, "userCode": user_code, "verificationUri": verify,
            "verificationUriComplete": format!("{verify}?user_code={user_code}"), "expiresIn": expires_in,
            "interval": interval, "flowId": "",
        }),
        "",
    )
}

/// `POST /oauth2/device/token.json`: `authorization_pending` until approved (by the control API, the verify page
/// or the n-th poll), `slow_down` when a pending code is polled faster than `interval`, `access_denied`,
/// `expired_token`, or the `authCode`.
pub(crate) async fn device_token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let map = form(&body);
    if envelope::opt_str(&map, "grant_type") != Some(DEVICE_GRANT) {
        return device_result("unsupported_grant_type", "");
    }
    let code = envelope::opt_str(&map, "device_code").unwrap_or_default();
    let client_id = envelope::opt_str(&map, "client_id");
    let now = shared.clock.epoch_ms();
    let interval_ms = whole_secs(shared.cfg.login.device_interval) * 1000;
    let mut inner = shared.lock();
    let auto_after = inner.login.device_auto_approve_after;
    let login_user = inner.login.login_user.clone();
    let Some(device) = inner
        .login
        .devices
        .get_mut(code)
        .filter(|d| client_id.is_none_or(|c| c == d.client_id))
    else {
        return device_result("expired_token", "");
    };
    if device.expires_ms <= now {
        return device_result("expired_token", "");
    }
    device.polls += 1;
    let too_fast = device
        .last_poll_ms
        .is_some_and(|last| now.saturating_sub(last) < interval_ms);
    device.last_poll_ms = Some(now);
    if device.status == DeviceStatus::Pending && auto_after.is_some_and(|n| device.polls >= n) {
        device.status = DeviceStatus::Approved(login_user);
    }
    match device.status.clone() {
        DeviceStatus::Pending if too_fast => device_result("slow_down", ""),
        DeviceStatus::Pending => device_result("authorization_pending", ""),
        DeviceStatus::Denied => {
            inner.login.devices.remove(code);
            device_result("access_denied", "")
        }
        DeviceStatus::Approved(user_id) => {
            let client_id = device.client_id.clone();
            inner.login.devices.remove(code);
            let auth_code = issue_code(&shared, &mut inner, &client_id, &user_id);
            device_result("", &auth_code)
        }
    }
}

/// `GET /oauth2/device/verify.htm?user_code=`: a page to approve or deny (`decision=approve|deny`, `sandbox_user`).
pub(crate) async fn device_verify(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let user_code = q.get("user_code").map(String::as_str).unwrap_or_default();
    let decision = q.get("decision").map(String::as_str);
    if let Some(decision) = decision {
        let user = q.get("sandbox_user").map(String::as_str);
        return match decide_device(&shared, user_code, decision == "approve", user) {
            Ok(()) if decision == "approve" => page(StatusCode::OK, "approved; return to your device"),
            Ok(()) => page(StatusCode::OK, "denied"),
            Err((_, message)) => page(StatusCode::BAD_REQUEST, &html_escape(&message)),
        };
    }
    let code = html_escape(user_code);
    page(
        StatusCode::OK,
        &format!(
            "<h1>Sandbox device login</h1><form method=\"get\"><input name=\"user_code\" value=\"{code}\">\
             <input name=\"sandbox_user\" placeholder=\"user001\">\
             <button name=\"decision\" value=\"approve\">Approve</button>\
             <button name=\"decision\" value=\"deny\">Deny</button></form>"
        ),
    )
}

/// `GET /oauth2/logout`.
pub(crate) async fn logout() -> Response {
    page(StatusCode::OK, "logged out")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_and_redirects() {
        assert!(valid_scope("openid"));
        assert!(valid_scope("openid corpid"));
        assert!(valid_scope("openid+corpid"));
        assert!(!valid_scope("corpid"));
        assert!(!valid_scope("openid Contact.User.Read"));
        let cfg = Config::default();
        let ok = |u: &str| redirect_allowed(&cfg, &url::Url::parse(u).unwrap());
        assert!(ok("http://127.0.0.1:4567/callback"));
        assert!(ok("http://localhost/cb"));
        assert!(ok("http://[::1]:9/cb"));
        assert!(ok("https://login.dingtalk.com/x"));
        assert!(!ok("https://evil.example/cb"));
        assert!(!ok("ftp://127.0.0.1/cb"));
    }
}
