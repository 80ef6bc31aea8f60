//! Custom webhook robots: `POST /robot/send?access_token=<webhook token>[&timestamp=&sign=]` (reference §5.5).

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Uri, header};
use axum::response::Response;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::Value;
use sha2::Sha256;

use crate::config::SandboxBuilder;
use crate::robot::{self, MAX_WEBHOOK_BYTES, webhook_error};
use crate::state::Shared;

/// The demo webhook robot's token (the `access_token` of its webhook URL).
pub const DEMO_WEBHOOK_TOKEN: &str = "sandboxwebhook0001";
/// The demo webhook robot's signing secret ("加签").
pub const DEMO_WEBHOOK_SECRET: &str = "SECsandbox0123456789abcdef0123456789abcdef0123456789abcdef01234567";

const PER_MINUTE: usize = 20;
const WINDOW_MS: u64 = 60_000;
const THROTTLE_MS: u64 = 10 * 60_000;
const MAX_SKEW_MS: u64 = 3_600_000;
const DEFAULT_CONVERSATION: &str = "cidSandboxEng0001+demo/Aa==";

/// A custom (webhook) robot installed in a group.
#[derive(Clone)]
pub struct WebhookRobot {
    pub(crate) token: String,
    pub(crate) secret: Option<String>,
    pub(crate) keywords: Vec<String>,
    pub(crate) conversation: String,
}

impl fmt::Debug for WebhookRobot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookRobot")
            .field("signed", &self.secret.is_some())
            .field("keywords", &self.keywords)
            .field("conversation", &self.conversation)
            .finish_non_exhaustive()
    }
}

impl WebhookRobot {
    /// A robot with this webhook token, no signing, no keywords, in the Engineering group.
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            token: token.into(),
            secret: None,
            keywords: Vec::new(),
            conversation: DEFAULT_CONVERSATION.to_owned(),
        }
    }

    /// The demo robot: [`DEMO_WEBHOOK_TOKEN`], signed with [`DEMO_WEBHOOK_SECRET`], no keywords.
    pub fn demo() -> Self {
        Self::new(DEMO_WEBHOOK_TOKEN).secret(DEMO_WEBHOOK_SECRET)
    }

    /// Requires `timestamp` + `sign` made with this `SEC…` secret.
    #[must_use]
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// Requires the message to contain one of these keywords.
    #[must_use]
    pub fn keywords<I: IntoIterator<Item = S>, S: Into<String>>(mut self, keywords: I) -> Self {
        self.keywords = keywords.into_iter().map(Into::into).collect();
        self
    }

    /// The group the robot posts to (recorded as the outbox conversation).
    #[must_use]
    pub fn conversation(mut self, open_conversation_id: impl Into<String>) -> Self {
        self.conversation = open_conversation_id.into();
        self
    }

    /// The webhook token.
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl SandboxBuilder {
    /// Registers a custom webhook robot (the demo robot is always there; same token replaces it).
    pub fn webhook_robot(mut self, robot: WebhookRobot) -> Self {
        let list = &mut self.config.registry.webhook_robots;
        list.retain(|r| r.token != robot.token);
        list.push(robot);
        self
    }
}

/// One registered robot and its send window.
#[derive(Debug, Clone)]
pub(crate) struct WebhookEntry {
    pub(crate) robot: WebhookRobot,
    pub(crate) sent_ms: VecDeque<u64>,
    pub(crate) throttled_until_ms: Option<u64>,
}

impl WebhookEntry {
    pub(crate) fn new(robot: WebhookRobot) -> Self {
        Self {
            robot,
            sent_ms: VecDeque::new(),
            throttled_until_ms: None,
        }
    }
}

/// A robot as listed by `GET /_sandbox/webhook-robots` (the secret is not shown).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WebhookView {
    token: String,
    signed: bool,
    keywords: Vec<String>,
    conversation: String,
    throttled: bool,
}

pub(crate) fn list(shared: &Shared) -> Vec<WebhookView> {
    let now = shared.clock.epoch_ms();
    let inner = shared.lock();
    let mut out: Vec<WebhookView> = inner
        .registry
        .webhooks
        .values()
        .map(|e| WebhookView {
            token: e.robot.token.clone(),
            signed: e.robot.secret.is_some(),
            keywords: e.robot.keywords.clone(),
            conversation: e.robot.conversation.clone(),
            throttled: e.throttled_until_ms.is_some_and(|t| t > now),
        })
        .collect();
    out.sort_by(|a, b| a.token.cmp(&b.token));
    out
}

pub(crate) fn register(shared: &Shared, robot: WebhookRobot) {
    let mut inner = shared.lock();
    inner
        .registry
        .webhooks
        .insert(robot.token.clone(), WebhookEntry::new(robot));
}

fn mac(secret: &str, timestamp: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(format!("{timestamp}\n{secret}").as_bytes());
    mac
}

/// Checks `timestamp` and the (already percent-decoded) `sign` in constant time.
fn check_sign(
    secret: &str,
    timestamp: Option<&str>,
    sign: Option<&str>,
    now_ms: u64,
) -> Result<(), &'static str> {
    let Some(ts) = timestamp.and_then(|t| t.parse::<u64>().ok()) else {
        return Err("invalid timestamp");
    };
    if now_ms.abs_diff(ts) > MAX_SKEW_MS {
        return Err("invalid timestamp");
    }
    let Some(given) = sign.and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok()) else {
        return Err("sign not match");
    };
    let ts_text = timestamp.unwrap_or_default();
    mac(secret, ts_text)
        .verify_slice(&given)
        .map_err(|_| "sign not match")
}

/// Raw query value, percent-decoded without turning `+` into a space (a base64 `sign` keeps its `+`).
fn query_value(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == key).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

fn collect_text(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Array(a) => a.iter().for_each(|x| collect_text(x, out)),
        Value::Object(m) => m.values().for_each(|x| collect_text(x, out)),
        _ => {}
    }
}

/// `POST /robot/send?access_token=`.
pub(crate) async fn send(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let query = uri.query().unwrap_or_default();
    let token = query_value(query, "access_token").unwrap_or_default();
    let now = shared.clock.epoch_ms();
    let Some(robot) = shared
        .lock()
        .registry
        .webhooks
        .get(&token)
        .map(|e| e.robot.clone())
    else {
        return webhook_error(300_005, "token is not exist");
    };
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"));
    if !json_type {
        return webhook_error(43_004, "无效的HTTP HEADER Content-Type");
    }
    if body.len() > MAX_WEBHOOK_BYTES {
        return webhook_error(460_101, "message too long, exceed 20000 bytes");
    }
    if let Some(secret) = &robot.secret {
        let ts = query_value(query, "timestamp");
        let sign = query_value(query, "sign");
        if let Err(msg) = check_sign(secret, ts.as_deref(), sign.as_deref(), now) {
            return webhook_error(310_000, msg);
        }
    }
    let mut entry = match robot::webhook_entry(&body, "webhook-robot", "/robot/send") {
        Ok(e) => e,
        Err(r) => return r,
    };
    if !robot.keywords.is_empty() {
        let mut text = String::new();
        if let Some(msg) = entry.body.get(&entry.msgtype) {
            collect_text(msg, &mut text);
        }
        if !robot.keywords.iter().any(|k| text.contains(k.as_str())) {
            return webhook_error(310_000, "keywords not in content");
        }
    }
    let mut inner = shared.lock();
    let Some(state) = inner.registry.webhooks.get_mut(&token) else {
        return webhook_error(300_005, "token is not exist");
    };
    if state.throttled_until_ms.is_some_and(|t| t > now) {
        return webhook_error(410_100, "send too fast, exceed 20 times per minute");
    }
    while state
        .sent_ms
        .front()
        .is_some_and(|t| now.saturating_sub(*t) >= WINDOW_MS)
    {
        state.sent_ms.pop_front();
    }
    if state.sent_ms.len() >= PER_MINUTE {
        state.throttled_until_ms = Some(now + THROTTLE_MS);
        return webhook_error(410_100, "send too fast, exceed 20 times per minute");
    }
    state.sent_ms.push_back(now);
    entry.conversation = Some(robot.conversation.clone());
    robot::record(&mut inner, now, entry);
    webhook_error(0, "ok")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, timestamp: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(mac(secret, timestamp).finalize().into_bytes())
    }

    #[test]
    fn sign_round_trip_and_skew() {
        let now = 1_700_000_000_000_u64;
        let ts = now.to_string();
        let s = sign("SECx", &ts);
        assert_eq!(check_sign("SECx", Some(&ts), Some(&s), now), Ok(()));
        assert_eq!(
            check_sign("SECy", Some(&ts), Some(&s), now),
            Err("sign not match")
        );
        assert_eq!(
            check_sign("SECx", Some(&ts), Some("!!"), now),
            Err("sign not match")
        );
        assert_eq!(
            check_sign("SECx", Some(&ts), Some(&s), now + MAX_SKEW_MS + 1),
            Err("invalid timestamp")
        );
        assert_eq!(check_sign("SECx", None, Some(&s), now), Err("invalid timestamp"));
        assert_eq!(
            query_value("a=1&sign=a%2Bb%3D&x", "sign").as_deref(),
            Some("a+b=")
        );
        assert_eq!(query_value("sign=a+b", "sign").as_deref(), Some("a+b"));
    }
}
