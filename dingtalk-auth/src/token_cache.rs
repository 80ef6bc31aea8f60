//! The one cached access token each provider serves until its refresh point.

use std::sync::{PoisonError, RwLock};
use std::time::Instant;

use dingtalk_core::AccessToken;

/// A provider's cached token. Its `expires_at` is when to stop serving it (the refresh point), not the server's
/// expiry. A poisoned lock is read through: the value is one whole token or none.
#[derive(Default)]
pub(crate) struct TokenCache(RwLock<Option<AccessToken>>);

impl TokenCache {
    /// The cached token if `now` is before its refresh point.
    pub(crate) fn fresh(&self, now: Instant) -> Option<AccessToken> {
        let cached = self.0.read().unwrap_or_else(PoisonError::into_inner);
        let token = cached.as_ref()?;
        (now < token.expires_at()?).then(|| token.clone())
    }

    /// Caches `token` in place of the previous one.
    pub(crate) fn set(&self, token: AccessToken) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Some(token);
    }

    /// Drops the cached token if it is `rejected`; returns whether it was.
    pub(crate) fn invalidate(&self, rejected: &AccessToken) -> bool {
        let mut cached = self.0.write().unwrap_or_else(PoisonError::into_inner);
        let hit = cached.as_ref().is_some_and(|c| c.same_token(rejected));
        if hit {
            *cached = None;
        }
        hit
    }
}
