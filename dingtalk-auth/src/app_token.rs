//! App access tokens: `POST /v1.0/oauth2/accessToken {appKey, appSecret}`, cached and refreshed single-flight.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dingtalk_core::{
    AccessToken, ApiHost, AppCredentials, Auth, Body, Clock, Endpoint, Error, ExposeSecret, Method,
    SecretString, TokenProvider, Transport,
};
use serde::{Deserialize, Serialize};

use crate::token_cache::TokenCache;

/// Serves the app's access token, fetching it once for any number of concurrent callers and refreshing it a
/// margin before it expires.
///
/// * **Cached:** within its lifetime minus the refresh margin (default 5 minutes) the cached token is returned
///   without I/O.
/// * **Single-flight:** when the cache is cold or due, exactly one request goes out; every concurrent caller waits
///   for it and gets the same token.
/// * **Invalidation:** when the transport reports a token as rejected, the cache is dropped only if it still holds
///   that token, so a burst of failures causes one refresh, not a storm. The transport then retries once.
///
/// ```no_run
/// use std::sync::Arc;
/// use dingtalk_auth::AppTokenProvider;
/// use dingtalk_core::{AppCredentials, ClientId, SecretString, TokenProvider, Transport};
///
/// # async fn demo() -> Result<(), dingtalk_core::Error> {
/// let transport = Transport::builder().build()?;
/// let credentials = AppCredentials::new(ClientId::new("dingxxxx"), SecretString::from("secret"));
/// let tokens: Arc<dyn TokenProvider> = Arc::new(AppTokenProvider::new(transport, credentials));
/// let token = tokens.token().await?;
/// # let _ = token;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct AppTokenProvider {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    credentials: AppCredentials,
    refresh_margin: Duration,
    clock: Arc<dyn Clock>,
    cached: TokenCache,
    refresh: tokio::sync::Mutex<()>,
}

impl AppTokenProvider {
    /// DingTalk's `dws` refreshes five minutes early; so do we.
    pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_mins(5);

    /// A provider fetching tokens for `credentials` through `transport` (whose clock it reads).
    pub fn new(transport: Transport, credentials: AppCredentials) -> Self {
        let clock = transport.clock().clone();
        Self {
            inner: Arc::new(Inner {
                transport,
                credentials,
                refresh_margin: Self::DEFAULT_REFRESH_MARGIN,
                clock,
                cached: TokenCache::default(),
                refresh: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// A copy with a different refresh margin (it shares nothing with the original).
    #[must_use]
    pub fn with_refresh_margin(self, margin: Duration) -> Self {
        let inner = &self.inner;
        Self {
            inner: Arc::new(Inner {
                transport: inner.transport.clone(),
                credentials: inner.credentials.clone(),
                refresh_margin: margin,
                clock: inner.clock.clone(),
                cached: TokenCache::default(),
                refresh: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// The app's credentials.
    pub fn credentials(&self) -> &AppCredentials {
        &self.inner.credentials
    }

    /// The cached token if it is still fresh (valid for longer than the refresh margin).
    fn fresh(&self) -> Option<AccessToken> {
        self.inner.cached.fresh(self.inner.clock.now())
    }

    async fn fetch(&self) -> Result<AccessToken, Error> {
        let request = GetAccessToken {
            credentials: &self.inner.credentials,
        };
        let issued_at = self.inner.clock.now();
        let wire = self.inner.transport.execute(&request, None).await?;
        if wire.access_token.trim().is_empty() {
            return Err(Error::new(dingtalk_core::ErrorKind::Decode).with_source(
                dingtalk_core::error::Message("the token endpoint returned an empty token".into()),
            ));
        }
        let lifetime = Duration::from_secs(wire.expire_in.unwrap_or(7200));
        Ok(AccessToken::new(
            SecretString::from(wire.access_token),
            Some(refresh_at(issued_at, lifetime, self.inner.refresh_margin)),
        ))
    }
}

/// When to stop serving a token: `margin` before expiry, but never later than halfway through a short lifetime.
fn refresh_at(issued_at: Instant, lifetime: Duration, margin: Duration) -> Instant {
    let usable = lifetime.saturating_sub(margin).max(lifetime / 2);
    issued_at + usable
}

#[async_trait::async_trait]
impl TokenProvider for AppTokenProvider {
    async fn token(&self) -> Result<AccessToken, Error> {
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        // Single flight: whoever holds the refresh lock fetches; the others wait and then find a fresh token.
        let _guard = self.inner.refresh.lock().await;
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let token = self.fetch().await?;
        self.inner.cached.set(token.clone());
        tracing::debug!(client_id = %self.inner.credentials.client_id(), "fetched an app access token");
        Ok(token)
    }

    fn invalidate(&self, rejected: &AccessToken) {
        if self.inner.cached.invalidate(rejected) {
            tracing::debug!(client_id = %self.inner.credentials.client_id(), "app token invalidated");
        }
    }
}

impl fmt::Debug for AppTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppTokenProvider")
            .field("credentials", &self.inner.credentials)
            .field("refresh_margin", &self.inner.refresh_margin)
            .finish_non_exhaustive()
    }
}

/// `POST /v1.0/oauth2/accessToken`: no token, secret in the body. Idempotent: within its lifetime DingTalk returns
/// the same token.
struct GetAccessToken<'a> {
    credentials: &'a AppCredentials,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetAccessTokenBody<'a> {
    app_key: &'a str,
    app_secret: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccessTokenWire {
    #[serde(default)]
    access_token: String,
    expire_in: Option<u64>,
}

impl Endpoint for GetAccessToken<'_> {
    type Response = AccessTokenWire;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;
    const AUTH: Auth = Auth::None;

    fn route(&self) -> &'static str {
        "/v1.0/oauth2/accessToken"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/oauth2/accessToken")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(&GetAccessTokenBody {
            app_key: self.credentials.client_id().as_str(),
            app_secret: self.credentials.client_secret().expose_secret(),
        })
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("appKey", self.credentials.client_id().as_str())?;
        dingtalk_core::endpoint::require("appSecret", self.credentials.client_secret().expose_secret())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_point_respects_margin_and_short_lifetimes() {
        let t0 = dingtalk_core::SystemClock.now();
        let margin = Duration::from_mins(5);
        assert_eq!(
            refresh_at(t0, Duration::from_hours(2), margin),
            t0 + Duration::from_mins(115)
        );
        assert_eq!(
            refresh_at(t0, Duration::from_secs(10), margin),
            t0 + Duration::from_secs(5)
        );
    }

    #[tokio::test]
    async fn debug_hides_the_secret() {
        let transport = Transport::builder().build().unwrap();
        let creds = AppCredentials::new("dingapp".into(), SecretString::from("s3cret-v4lue"));
        let provider = AppTokenProvider::new(transport, creds);
        let shown = format!("{provider:?}");
        assert!(!shown.contains("s3cret-v4lue") && shown.contains("dingapp"));
    }
}
