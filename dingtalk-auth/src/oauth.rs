//! User tokens: the code exchange and refresh at `POST /v1.0/oauth2/userAccessToken`, and identity lookups.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use dingtalk_core::{
    ApiHost, AppCredentials, Auth, Body, CorpId, Endpoint, Error as CoreError, ExposeSecret, Method,
    SecretString, TokenProvider, Transport, UnionId, UserId,
};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};

/// DingTalk documents 30 days for a refresh token.
pub const REFRESH_TOKEN_LIFETIME: Duration = Duration::from_hours(30 * 24);

/// A user's token pair with absolute expiries in Unix epoch milliseconds (they outlive the process).
#[derive(Clone)]
pub struct UserTokens {
    access_token: SecretString,
    refresh_token: Option<SecretString>,
    expires_at_ms: u64,
    refresh_expires_at_ms: Option<u64>,
    corp_id: Option<CorpId>,
}

impl UserTokens {
    /// Assembles a token pair (for example from `dws auth login --token AT --refresh-token RT`).
    pub fn new(
        access_token: SecretString,
        refresh_token: Option<SecretString>,
        expires_at_ms: u64,
        refresh_expires_at_ms: Option<u64>,
        corp_id: Option<CorpId>,
    ) -> Self {
        Self {
            access_token,
            refresh_token,
            expires_at_ms,
            refresh_expires_at_ms,
            corp_id,
        }
    }

    /// The access token.
    pub fn access_token(&self) -> &SecretString {
        &self.access_token
    }

    /// The refresh token, if any.
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.refresh_token.as_ref()
    }

    /// When the access token expires (epoch ms).
    pub fn expires_at_ms(&self) -> u64 {
        self.expires_at_ms
    }

    /// When the refresh token expires (epoch ms), if known.
    pub fn refresh_expires_at_ms(&self) -> Option<u64> {
        self.refresh_expires_at_ms
    }

    /// The organisation the token is for, when DingTalk said.
    pub fn corp_id(&self) -> Option<&CorpId> {
        self.corp_id.as_ref()
    }

    /// Whether the access token is valid for longer than `margin` at `now_ms`.
    pub fn access_valid_for(&self, now_ms: u64, margin: Duration) -> bool {
        let margin_ms = u64::try_from(margin.as_millis()).unwrap_or(u64::MAX);
        self.expires_at_ms > now_ms.saturating_add(margin_ms)
    }

    /// Whether a refresh can still work at `now_ms`.
    pub fn can_refresh(&self, now_ms: u64) -> bool {
        self.refresh_token.is_some() && self.refresh_expires_at_ms.is_none_or(|at| at > now_ms)
    }
}

impl fmt::Debug for UserTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserTokens")
            .field("access_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at_ms", &self.expires_at_ms)
            .field("refresh_expires_at_ms", &self.refresh_expires_at_ms)
            .field("corp_id", &self.corp_id)
            .finish()
    }
}

/// Exchanges an authorization code (from the browser or device flow) for user tokens.
pub async fn exchange_code(
    transport: &Transport,
    app: &AppCredentials,
    code: &SecretString,
) -> Result<UserTokens, Error> {
    user_token_call(transport, app, Grant::Code(code)).await
}

/// Trades a refresh token for a new pair. DingTalk rotates refresh tokens: the old one is dead afterwards, so the
/// caller must persist the result before using it.
pub async fn refresh(
    transport: &Transport,
    app: &AppCredentials,
    refresh_token: &SecretString,
) -> Result<UserTokens, Error> {
    user_token_call(transport, app, Grant::Refresh(refresh_token)).await
}

async fn user_token_call(
    transport: &Transport,
    app: &AppCredentials,
    grant: Grant<'_>,
) -> Result<UserTokens, Error> {
    let now_ms = transport.clock().epoch_millis();
    let wire = transport.execute(&UserAccessToken { app, grant }, None).await?;
    if wire.access_token.trim().is_empty() {
        return Err(Error::msg(
            ErrorKind::Protocol,
            "the token endpoint returned an empty access token",
        ));
    }
    // The SDK model says `expireIn`; the official CLI parses `expiresIn`. Accept either, default 7200 s.
    let lifetime_s = wire
        .expire_in
        .or(wire.expires_in)
        .filter(|s| *s > 0)
        .unwrap_or(7200);
    let refresh_ms = u64::try_from(REFRESH_TOKEN_LIFETIME.as_millis()).unwrap_or(u64::MAX);
    Ok(UserTokens {
        access_token: SecretString::from(wire.access_token),
        refresh_token: wire
            .refresh_token
            .filter(|t| !t.is_empty())
            .map(SecretString::from),
        expires_at_ms: now_ms + lifetime_s * 1000,
        refresh_expires_at_ms: Some(now_ms + refresh_ms),
        corp_id: wire.corp_id.filter(|c| !c.is_empty()).map(CorpId::new),
    })
}

enum Grant<'a> {
    Code(&'a SecretString),
    Refresh(&'a SecretString),
}

/// `POST /v1.0/oauth2/userAccessToken`. Not idempotent: codes are single-use and refresh tokens rotate, so a call
/// that may have reached the server is never retried.
struct UserAccessToken<'a> {
    app: &'a AppCredentials,
    grant: Grant<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserAccessTokenBody<'a> {
    client_id: &'a str,
    client_secret: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
    grant_type: &'static str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserAccessTokenWire {
    #[serde(default)]
    access_token: String,
    refresh_token: Option<String>,
    expire_in: Option<u64>,
    expires_in: Option<u64>,
    corp_id: Option<String>,
}

impl Endpoint for UserAccessToken<'_> {
    type Response = UserAccessTokenWire;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = false;
    const AUTH: Auth = Auth::None;

    fn route(&self) -> &'static str {
        "/v1.0/oauth2/userAccessToken"
    }
    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/oauth2/userAccessToken")
    }
    fn body(&self) -> Result<Body, CoreError> {
        let (code, refresh_token, grant_type) = match &self.grant {
            Grant::Code(code) => (Some(code.expose_secret()), None, "authorization_code"),
            Grant::Refresh(token) => (None, Some(token.expose_secret()), "refresh_token"),
        };
        Body::json(&UserAccessTokenBody {
            client_id: self.app.client_id().as_str(),
            client_secret: self.app.client_secret().expose_secret(),
            code,
            refresh_token,
            grant_type,
        })
    }
    fn validate(&self) -> Result<(), CoreError> {
        dingtalk_core::endpoint::require("clientId", self.app.client_id().as_str())?;
        dingtalk_core::endpoint::require("clientSecret", self.app.client_secret().expose_secret())
    }
}

/// Who a user token belongs to: `GET /v1.0/contact/users/me`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CurrentUser {
    /// Display name.
    #[serde(default)]
    pub nick: String,
    /// The user's union id.
    pub union_id: UnionId,
    /// The open id.
    #[serde(default)]
    pub open_id: Option<String>,
    /// Mobile number (needs an extra scope).
    #[serde(default)]
    pub mobile: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
}

struct GetCurrentUser;

impl Endpoint for GetCurrentUser {
    type Response = CurrentUser;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;
    fn route(&self) -> &'static str {
        "/v1.0/contact/users/me"
    }
    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/contact/users/me")
    }
}

/// Fetches the profile of the user a token belongs to.
pub async fn current_user(
    transport: &Transport,
    user_token: &dyn TokenProvider,
) -> Result<CurrentUser, Error> {
    Ok(transport.execute(&GetCurrentUser, Some(user_token)).await?)
}

#[derive(Serialize)]
struct GetByUnionId<'a> {
    unionid: &'a str,
}

#[derive(Deserialize)]
struct GetByUnionIdWire {
    result: Option<GetByUnionIdResult>,
}

#[derive(Deserialize)]
struct GetByUnionIdResult {
    userid: Option<String>,
}

impl Endpoint for GetByUnionId<'_> {
    type Response = GetByUnionIdWire;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = true;
    fn route(&self) -> &'static str {
        "/topapi/user/getbyunionid"
    }
    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/topapi/user/getbyunionid")
    }
    fn body(&self) -> Result<Body, CoreError> {
        Body::json(self)
    }
}

/// Resolves a union id to the org's user id with an **app** token (`POST oapi /topapi/user/getbyunionid`).
pub async fn user_id_by_union_id(
    transport: &Transport,
    app_token: &dyn TokenProvider,
    union_id: &UnionId,
) -> Result<UserId, Error> {
    let wire = transport
        .execute(
            &GetByUnionId {
                unionid: union_id.as_str(),
            },
            Some(app_token),
        )
        .await?;
    wire.result
        .and_then(|r| r.userid)
        .filter(|id| !id.is_empty())
        .map(UserId::new)
        .ok_or_else(|| Error::msg(ErrorKind::Protocol, "getbyunionid returned no userid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_tokens() {
        let tokens = UserTokens::new(
            SecretString::from("acc-s3cret"),
            Some(SecretString::from("ref-s3cret")),
            10,
            None,
            None,
        );
        let shown = format!("{tokens:?}");
        assert!(!shown.contains("acc-s3cret") && !shown.contains("ref-s3cret"));
    }

    #[test]
    fn validity_checks() {
        let tokens = UserTokens::new(SecretString::from("a"), None, 1_000_000, None, None);
        assert!(tokens.access_valid_for(0, Duration::from_secs(999)));
        assert!(!tokens.access_valid_for(0, Duration::from_secs(1000)));
        assert!(!tokens.can_refresh(0));
    }
}
