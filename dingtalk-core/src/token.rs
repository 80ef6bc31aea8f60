//! Access tokens, app credentials and the [`TokenProvider`] trait.

use std::fmt;
use std::time::Instant;

use secrecy::{ExposeSecret, SecretString};

use crate::error::Error;
use crate::id::ClientId;

/// An access token (app or user). `Debug` shows only that a token is present.
#[derive(Clone)]
pub struct AccessToken {
    secret: SecretString,
    expires_at: Option<Instant>,
}

impl AccessToken {
    /// Wraps a token that is valid until `expires_at` (monotonic), or with unknown expiry.
    pub fn new(secret: SecretString, expires_at: Option<Instant>) -> Self {
        Self { secret, expires_at }
    }

    /// The token text. Call only where a header or query value is written.
    pub fn expose_secret(&self) -> &str {
        self.secret.expose_secret()
    }

    /// When the token stops working, if known.
    pub fn expires_at(&self) -> Option<Instant> {
        self.expires_at
    }

    /// Whether two handles carry the same token text (used to invalidate only the token that failed).
    pub fn same_token(&self, other: &AccessToken) -> bool {
        self.secret.expose_secret() == other.secret.expose_secret()
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// An app's credentials: the AppKey (`clientId`) and the AppSecret (`clientSecret`).
#[derive(Clone)]
pub struct AppCredentials {
    client_id: ClientId,
    client_secret: SecretString,
}

impl AppCredentials {
    /// Pairs a client id with its secret.
    pub fn new(client_id: ClientId, client_secret: SecretString) -> Self {
        Self {
            client_id,
            client_secret,
        }
    }

    /// The AppKey.
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// The AppSecret. Call only where a request body is written.
    pub fn client_secret(&self) -> &SecretString {
        &self.client_secret
    }
}

impl fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// Supplies access tokens to clients. Held as `Arc<dyn TokenProvider>`.
///
/// `dingtalk-auth` implements it for app tokens (cached, single-flight) and user tokens (refresh with rotation);
/// [`StaticToken`] serves a token obtained elsewhere.
#[async_trait::async_trait]
pub trait TokenProvider: Send + Sync {
    /// A token valid for at least the provider's refresh margin.
    async fn token(&self) -> Result<AccessToken, Error>;

    /// Reports that `rejected` was refused by the server; the next [`token`](Self::token) call must fetch a new
    /// one unless the provider has already replaced it.
    fn invalidate(&self, rejected: &AccessToken);
}

/// A fixed token, for callers who obtain tokens themselves ("bring your own token").
#[derive(Clone, Debug)]
pub struct StaticToken {
    token: AccessToken,
}

impl StaticToken {
    /// Serves `token` forever.
    pub fn new(token: SecretString) -> Self {
        Self {
            token: AccessToken::new(token, None),
        }
    }
}

#[async_trait::async_trait]
impl TokenProvider for StaticToken {
    async fn token(&self) -> Result<AccessToken, Error> {
        Ok(self.token.clone())
    }

    fn invalidate(&self, _rejected: &AccessToken) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let creds = AppCredentials::new(ClientId::new("ding-app"), SecretString::from("s3cret-v4lue"));
        let shown = format!("{creds:?}");
        assert!(!shown.contains("s3cret-v4lue"));
        assert!(shown.contains("ding-app"));
        let token = StaticToken::new(SecretString::from("t0ken-v4lue"));
        assert!(!format!("{token:?}").contains("t0ken-v4lue"));
    }

    #[tokio::test]
    async fn static_token_serves_the_same_token() {
        let provider = StaticToken::new(SecretString::from("abc"));
        let a = provider.token().await.unwrap();
        provider.invalidate(&a);
        let b = provider.token().await.unwrap();
        assert!(a.same_token(&b));
        assert_eq!(b.expose_secret(), "abc");
    }
}
