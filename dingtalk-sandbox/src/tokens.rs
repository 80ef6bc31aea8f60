//! App access tokens: issuing, checking and expiring.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use tokio::time::Instant;

use crate::envelope::{self, Host};
use crate::state::{Inner, Shared};

#[derive(Debug, Clone)]
struct TokenRec {
    client_id: String,
    user_id: Option<String>,
    expires_at: Instant,
    dead: bool,
}

/// Issued tokens.
#[derive(Debug, Default)]
pub(crate) struct TokenStore {
    by_token: HashMap<String, TokenRec>,
    current: HashMap<String, String>,
}

/// A live token as written to the state file (expiry in epoch ms, since `Instant`s do not survive a restart).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SavedToken {
    token: String,
    client_id: String,
    user_id: Option<String>,
    expires_ms: u64,
    current: bool,
}

/// The outcome of a token check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenCheck {
    Missing,
    Invalid,
    Expired,
    /// An expired user (OAuth) token: `accesstoken.expired` on the new host.
    ExpiredUser,
    /// `(client_id, user_id for user tokens)`.
    Valid(String, Option<String>),
}

impl TokenStore {
    /// Issues a token, or re-issues the current one with a fresh lifetime.
    fn issue(
        &mut self,
        client_id: &str,
        now: Instant,
        ttl: Duration,
        fresh: impl FnOnce() -> String,
    ) -> String {
        if let Some(tok) = self.current.get(client_id)
            && let Some(rec) = self.by_token.get_mut(tok)
            && !rec.dead
            && rec.expires_at > now
        {
            rec.expires_at = crate::clock::later(now, ttl);
            return tok.clone();
        }
        let tok = fresh();
        self.by_token.insert(
            tok.clone(),
            TokenRec {
                client_id: client_id.to_owned(),
                user_id: None,
                expires_at: crate::clock::later(now, ttl),
                dead: false,
            },
        );
        self.current.insert(client_id.to_owned(), tok.clone());
        tok
    }

    pub(crate) fn check(&self, token: Option<&str>, now: Instant) -> TokenCheck {
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return TokenCheck::Missing;
        };
        match self.by_token.get(token) {
            None => TokenCheck::Invalid,
            Some(rec) if (rec.dead || rec.expires_at <= now) && rec.user_id.is_some() => {
                TokenCheck::ExpiredUser
            }
            Some(rec) if rec.dead || rec.expires_at <= now => TokenCheck::Expired,
            Some(rec) => TokenCheck::Valid(rec.client_id.clone(), rec.user_id.clone()),
        }
    }

    /// Issues a fresh user token (never re-issued).
    pub(crate) fn issue_user(&mut self, token: String, client_id: &str, user_id: &str, expires_at: Instant) {
        self.by_token.insert(
            token,
            TokenRec {
                client_id: client_id.to_owned(),
                user_id: Some(user_id.to_owned()),
                expires_at,
                dead: false,
            },
        );
    }

    pub(crate) fn kill(&mut self, token: &str) {
        if let Some(rec) = self.by_token.get_mut(token) {
            rec.dead = true;
        }
    }

    /// Forgets a user's tokens (of every app, or one); returns how many.
    pub(crate) fn revoke_user(&mut self, user_id: &str, client_id: Option<&str>) -> usize {
        let before = self.by_token.len();
        self.by_token.retain(|_, rec| {
            rec.user_id.as_deref() != Some(user_id) || client_id.is_some_and(|c| c != rec.client_id)
        });
        before - self.by_token.len()
    }

    /// The live tokens, for the state file.
    pub(crate) fn export(&self, now: Instant, now_ms: u64) -> Vec<SavedToken> {
        let mut out: Vec<SavedToken> = self
            .by_token
            .iter()
            .filter(|(_, rec)| !rec.dead && rec.expires_at > now)
            .map(|(token, rec)| {
                let left = u64::try_from(rec.expires_at.saturating_duration_since(now).as_millis())
                    .unwrap_or(u64::MAX);
                SavedToken {
                    token: token.clone(),
                    client_id: rec.client_id.clone(),
                    user_id: rec.user_id.clone(),
                    expires_ms: now_ms.saturating_add(left),
                    current: rec.user_id.is_none() && self.current.get(&rec.client_id) == Some(token),
                }
            })
            .collect();
        out.sort_by(|a, b| a.token.cmp(&b.token));
        out
    }

    /// Restores tokens saved by [`Self::export`]; expired ones are skipped.
    pub(crate) fn import(&mut self, saved: Vec<SavedToken>, now: Instant, now_ms: u64) {
        for t in saved.into_iter().filter(|t| t.expires_ms > now_ms) {
            let left = Duration::from_millis(t.expires_ms - now_ms);
            if t.current {
                self.current.insert(t.client_id.clone(), t.token.clone());
            }
            self.by_token.insert(
                t.token,
                TokenRec {
                    client_id: t.client_id,
                    user_id: t.user_id,
                    expires_at: crate::clock::later(now, left),
                    dead: false,
                },
            );
        }
    }

    pub(crate) fn expire_all(&mut self) {
        for rec in self.by_token.values_mut() {
            rec.dead = true;
        }
    }
}

fn issue(shared: &Shared, inner: &mut Inner, client_id: &str) -> String {
    let now = shared.clock.now();
    let fresh = uuid::Uuid::new_v4().simple().to_string();
    inner.tokens.issue(client_id, now, shared.cfg.token_ttl, || fresh)
}

fn app_matches(shared: &Shared, key: &str, secret: &str) -> bool {
    shared
        .cfg
        .apps
        .iter()
        .any(|a| a.client_id == key && a.client_secret == secret)
}

/// `POST /v1.0/oauth2/accessToken {appKey, appSecret}`.
pub(crate) async fn v1_access_token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let map = match envelope::parse_object(Host::New, &body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let key = envelope::opt_str(&map, "appKey").unwrap_or_default();
    let secret = envelope::opt_str(&map, "appSecret").unwrap_or_default();
    if key.is_empty() || secret.is_empty() {
        return envelope::bad_param("MissingParameter", "appKey and appSecret are mandatory");
    }
    if !app_matches(&shared, key, secret) {
        return envelope::api_error(
            StatusCode::BAD_REQUEST,
            "invalidClientIdOrSecret",
            "无效的clientId或者clientSecret",
        );
    }
    let token = issue(&shared, &mut shared.lock(), key);
    envelope::ok(&json!({"accessToken": token, "expireIn": shared.cfg.token_ttl.as_secs()}))
}

/// `GET /gettoken?appkey=&appsecret=` (query only).
pub(crate) async fn legacy_gettoken(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (Some(key), Some(secret)) = (q.get("appkey"), q.get("appsecret")) else {
        return envelope::legacy_error(40035, "缺少参数 appkey 或 appsecret");
    };
    if !app_matches(&shared, key, secret) {
        return envelope::legacy_error(40096, "不合法的appKey或appSecret");
    }
    let token = issue(&shared, &mut shared.lock(), key);
    envelope::ok(&json!({
        "errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": shared.cfg.token_ttl.as_secs()
    }))
}

/// `POST /v1.0/oauth2/{corpId}/token {client_id, client_secret, grant_type}`.
pub(crate) async fn corp_token(
    State(shared): State<Arc<Shared>>,
    axum::extract::Path(corp_id): axum::extract::Path<String>,
    body: Bytes,
) -> Response {
    if corp_id != shared.org.corp_id {
        return envelope::api_error(StatusCode::INTERNAL_SERVER_ERROR, "unknownError", "未知错误");
    }
    let map = match envelope::parse_object(Host::New, &body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    if envelope::opt_str(&map, "grant_type") != Some("client_credentials") {
        return envelope::api_error(
            StatusCode::BAD_REQUEST,
            "unsupported.grant.type",
            "不支持的grant_type",
        );
    }
    let key = envelope::opt_str(&map, "client_id").unwrap_or_default();
    let secret = envelope::opt_str(&map, "client_secret").unwrap_or_default();
    if !app_matches(&shared, key, secret) {
        return envelope::api_error(StatusCode::BAD_REQUEST, "invalid.client", "无效的client");
    }
    let token = issue(&shared, &mut shared.lock(), key);
    envelope::ok(&json!({"access_token": token, "expires_in": shared.cfg.token_ttl.as_secs()}))
}

/// Where the token of a request comes from, by path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenPlace {
    None,
    Header,
    Query,
}

pub(crate) fn token_place(path: &str) -> TokenPlace {
    const EXEMPT: [&str; 7] = [
        "/v1.0/oauth2/accessToken",
        "/robot/send",
        "/v1.0/oauth2/userAccessToken",
        "/v1.0/gateway/connections/open",
        "/gettoken",
        "/robot/sendBySession",
        "/connect",
    ];
    if EXEMPT.contains(&path)
        || path.starts_with("/_sandbox")
        || path.starts_with("/files/")
        || path.starts_with("/oauth2/")
        || (path.starts_with("/v1.0/oauth2/") && path.ends_with("/token"))
    {
        TokenPlace::None
    } else if Host::of(path) == Host::New {
        TokenPlace::Header
    } else {
        TokenPlace::Query
    }
}

/// Reads the token for `path` from headers or query.
pub(crate) fn extract(place: TokenPlace, headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    match place {
        TokenPlace::None => None,
        TokenPlace::Header => headers
            .get("x-acs-dingtalk-access-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        TokenPlace::Query => query.and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "access_token")
                .map(|(_, v)| v.into_owned())
        }),
    }
}

/// The DingTalk error for a failed check on `path`.
pub(crate) fn reject(check: &TokenCheck, path: &str) -> Response {
    let topapi = path.starts_with("/topapi/");
    match (Host::of(path), check) {
        (Host::New, TokenCheck::Missing) => envelope::api_error(
            StatusCode::BAD_REQUEST,
            "AuthenticationFailed.MissingParameter",
            "x-acs-dingtalk-access-token is mandatory for this action.",
        ),
        (Host::New, TokenCheck::ExpiredUser) => envelope::api_error(
            StatusCode::BAD_REQUEST,
            "accesstoken.expired",
            "用户access_token已过期",
        ),
        (Host::New, _) => envelope::api_error(
            StatusCode::BAD_REQUEST,
            "InvalidAuthentication",
            "不合法的access_token",
        ),
        (Host::Legacy, TokenCheck::Missing) if topapi => {
            envelope::topapi_error("40000", "access_token is blank")
        }
        (Host::Legacy, TokenCheck::Missing) => envelope::legacy_error(41001, "缺少access_token参数"),
        (Host::Legacy, TokenCheck::Expired | TokenCheck::ExpiredUser) if topapi => {
            envelope::topapi_error("42001", "access_token已过期")
        }
        (Host::Legacy, TokenCheck::Expired | TokenCheck::ExpiredUser) => {
            envelope::legacy_error(42001, "access_token超时")
        }
        (Host::Legacy, _) if topapi => envelope::topapi_error("40014", "不合法的access_token"),
        (Host::Legacy, _) => envelope::legacy_error(40014, "不合法的access_token"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reissue_within_validity_returns_same_token() {
        let mut store = TokenStore::default();
        let now = crate::clock::Clock::new().now();
        let ttl = Duration::from_secs(10);
        let a = store.issue("app", now, ttl, || "t1".into());
        let b = store.issue("app", now + Duration::from_secs(5), ttl, || "t2".into());
        assert_eq!(a, b);
        assert_eq!(
            store.check(Some("t1"), now + Duration::from_secs(14)),
            TokenCheck::Valid("app".into(), None)
        );
        assert_eq!(
            store.check(Some("t1"), now + Duration::from_secs(16)),
            TokenCheck::Expired
        );
        assert_eq!(store.check(Some("zz"), now), TokenCheck::Invalid);
        assert_eq!(store.check(None, now), TokenCheck::Missing);
    }

    #[test]
    fn token_places() {
        assert_eq!(token_place("/v1.0/robot/groupMessages/send"), TokenPlace::Header);
        assert_eq!(token_place("/topapi/v2/user/get"), TokenPlace::Query);
        assert_eq!(token_place("/gettoken"), TokenPlace::None);
        assert_eq!(token_place("/_sandbox/health"), TokenPlace::None);
    }
}
