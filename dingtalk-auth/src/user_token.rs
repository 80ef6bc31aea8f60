//! A [`TokenProvider`] for a stored user session, refreshing with rotation.

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use dingtalk_core::{AccessToken, AppCredentials, Clock, ExposeSecret, TokenProvider, Transport};

use crate::error::{Error, ErrorKind};
use crate::oauth;
use crate::store::{RefreshOutcome, Session, TokenStore};
use crate::token_cache::TokenCache;

/// Serves a stored user's access token and refreshes it a margin (default 5 minutes) before it expires.
///
/// Refresh is single-flight inside the process and, across processes, runs under the identity's file lock: after
/// taking the lock the store is read again, so when two processes race only one refreshes and both use its token.
/// DingTalk rotates refresh tokens, so the new pair is written to the store exactly once, before the new access
/// token is handed out. A failed refresh is recorded in the session for `auth status`.
#[derive(Clone)]
pub struct UserTokenProvider {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    app: AppCredentials,
    store: Arc<TokenStore>,
    identity: String,
    margin: Duration,
    clock: Arc<dyn Clock>,
    cached: TokenCache,
    rejected: RwLock<Option<AccessToken>>,
    refresh: tokio::sync::Mutex<()>,
}

impl UserTokenProvider {
    /// Default refresh margin.
    pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_mins(5);

    /// A provider for `identity` (`corpId:userId`) in `store`, refreshing through `transport` with `app`.
    pub fn new(
        transport: Transport,
        app: AppCredentials,
        store: Arc<TokenStore>,
        identity: impl Into<String>,
    ) -> Self {
        Self::with_margin(transport, app, store, identity, Self::DEFAULT_REFRESH_MARGIN)
    }

    /// Like [`new`](Self::new) with a custom refresh margin.
    pub fn with_margin(
        transport: Transport,
        app: AppCredentials,
        store: Arc<TokenStore>,
        identity: impl Into<String>,
        margin: Duration,
    ) -> Self {
        let clock = transport.clock().clone();
        Self {
            inner: Arc::new(Inner {
                transport,
                app,
                store,
                identity: identity.into(),
                margin,
                clock,
                cached: TokenCache::default(),
                rejected: RwLock::new(None),
                refresh: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// The identity this provider serves.
    pub fn identity(&self) -> &str {
        &self.inner.identity
    }

    /// Refreshes now regardless of expiry (`dws auth status --check`), returning the new session.
    pub async fn refresh_now(&self) -> Result<Session, Error> {
        let _guard = self.inner.refresh.lock().await;
        self.refresh_locked(true).await
    }

    /// Returns a usable token, refreshing when needed. Requires the in-process refresh lock to be held.
    async fn obtain(&self) -> Result<AccessToken, Error> {
        let now_ms = self.inner.clock.epoch_millis();
        let session = self.load()?;
        if session.tokens.access_valid_for(now_ms, self.inner.margin) && !self.was_rejected(&session) {
            return Ok(self.to_access_token(&session, now_ms));
        }
        let session = self.refresh_locked(false).await?;
        Ok(self.to_access_token(&session, self.inner.clock.epoch_millis()))
    }

    /// Refreshes under the cross-process lock. Unless `force`, a token refreshed meanwhile by another process is
    /// used as is.
    async fn refresh_locked(&self, force: bool) -> Result<Session, Error> {
        let _lock = self.inner.store.lock_identity(&self.inner.identity).await?;
        let mut session = self.load()?;
        let now_ms = self.inner.clock.epoch_millis();
        if !force
            && session.tokens.access_valid_for(now_ms, self.inner.margin)
            && !self.was_rejected(&session)
        {
            return Ok(session);
        }
        let Some(refresh_token) = session
            .tokens
            .refresh_token()
            .cloned()
            .filter(|_| session.tokens.can_refresh(now_ms))
        else {
            return Err(Error::msg(
                ErrorKind::RefreshRejected,
                "no usable refresh token; log in again",
            ));
        };
        match oauth::refresh(&self.inner.transport, &self.inner.app, &refresh_token).await {
            Ok(tokens) => {
                session.tokens = tokens;
                session.updated_at_ms = self.inner.clock.epoch_millis();
                session.last_refresh = Some(RefreshOutcome {
                    at_ms: session.updated_at_ms,
                    ok: true,
                    error: None,
                });
                // Written before use: the old refresh token is already dead.
                self.inner.store.put(&session).map_err(|e| {
                    Error::msg(
                        ErrorKind::Io,
                        "the refreshed tokens could not be saved; log in again",
                    )
                    .with_source(e)
                })?;
                *self
                    .inner
                    .rejected
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
                tracing::debug!(identity = %self.inner.identity, "user token refreshed");
                Ok(session)
            }
            Err(error) => {
                session.last_refresh = Some(RefreshOutcome {
                    at_ms: now_ms,
                    ok: false,
                    error: Some(error.kind().to_string()),
                });
                if let Err(store_error) = self.inner.store.put(&session) {
                    tracing::warn!(kind = ?store_error.kind(), "could not record the failed refresh");
                }
                Err(error)
            }
        }
    }

    fn load(&self) -> Result<Session, Error> {
        self.inner
            .store
            .get(&self.inner.identity)?
            .ok_or_else(|| Error::new(ErrorKind::NotLoggedIn))
    }

    fn was_rejected(&self, session: &Session) -> bool {
        let rejected = self
            .inner
            .rejected
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        rejected
            .as_ref()
            .is_some_and(|r| r.expose_secret() == session.tokens.access_token().expose_secret())
    }

    fn to_access_token(&self, session: &Session, now_ms: u64) -> AccessToken {
        let margin_ms = u64::try_from(self.inner.margin.as_millis()).unwrap_or(u64::MAX);
        let usable_ms = session
            .tokens
            .expires_at_ms()
            .saturating_sub(now_ms)
            .saturating_sub(margin_ms);
        let expires_at = self.inner.clock.now() + Duration::from_millis(usable_ms);
        let token = AccessToken::new(session.tokens.access_token().clone(), Some(expires_at));
        self.inner.cached.set(token.clone());
        token
    }

    fn fresh(&self) -> Option<AccessToken> {
        self.inner.cached.fresh(self.inner.clock.now())
    }
}

#[async_trait::async_trait]
impl TokenProvider for UserTokenProvider {
    async fn token(&self) -> Result<AccessToken, dingtalk_core::Error> {
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let _guard = self.inner.refresh.lock().await;
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        Ok(self.obtain().await?)
    }

    fn invalidate(&self, rejected: &AccessToken) {
        self.inner.cached.invalidate(rejected);
        *self
            .inner
            .rejected
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(rejected.clone());
    }
}

impl fmt::Debug for UserTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserTokenProvider")
            .field("identity", &self.inner.identity)
            .field("app", &self.inner.app)
            .field("margin", &self.inner.margin)
            .finish_non_exhaustive()
    }
}
