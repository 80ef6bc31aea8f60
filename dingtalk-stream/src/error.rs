//! The crate's one error type.

use std::fmt;
use std::time::Duration;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A Stream client operation failed. Match on [`Error::kind`]; the cause is in `source()`.
#[derive(thiserror::Error)]
#[error("{kind}")]
pub struct Error {
    kind: ErrorKind,
    retry_after: Option<Duration>,
    #[source]
    source: Option<BoxError>,
}

/// What kind of failure an [`Error`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The configuration is invalid (e.g. a dedup TTL under 10 minutes, an empty client id).
    Config,
    /// DingTalk rejected the credentials (HTTP 401/403, `invalid.client`, `unauthorized.client`). Fatal by default.
    AuthRejected,
    /// `connections/open` answered 429; see [`Error::retry_after`].
    RateLimited,
    /// `connections/open` failed in a way worth retrying: 5xx, network error, timeout or an unusable body.
    Transient,
    /// The WebSocket upgrade was refused or timed out (e.g. an expired or reused ticket).
    Handshake,
    /// The WebSocket failed after it was open (I/O error, oversized frame, write timeout).
    Transport,
    /// The connection is closed: shut down, or the frame's connection is gone so the ack could not be sent.
    Closed,
    /// The dedup store failed.
    Storage,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Config => "invalid Stream client configuration",
            Self::AuthRejected => "DingTalk rejected the client id or secret",
            Self::RateLimited => "DingTalk rate limited the connection request",
            Self::Transient => "opening a Stream connection failed",
            Self::Handshake => "the Stream gateway refused the WebSocket upgrade",
            Self::Transport => "the Stream WebSocket failed",
            Self::Closed => "the Stream connection is closed",
            Self::Storage => "the dedup store failed",
        })
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind);
        if let Some(r) = self.retry_after {
            d.field("retry_after", &r);
        }
        d.field("source", &self.source).finish()
    }
}

impl Error {
    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// For [`ErrorKind::RateLimited`]: the server's `Retry-After`, when it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// Whether the client keeps retrying after this error on its own. Only `AuthRejected` (fatal by default),
    /// `Config` and `Closed` are not retried.
    pub fn is_retried(&self) -> bool {
        match self.kind {
            ErrorKind::RateLimited
            | ErrorKind::Transient
            | ErrorKind::Handshake
            | ErrorKind::Transport
            | ErrorKind::Storage => true,
            ErrorKind::Config | ErrorKind::AuthRejected | ErrorKind::Closed => false,
        }
    }

    pub(crate) fn new(kind: ErrorKind) -> Self {
        Self {
            kind,
            retry_after: None,
            source: None,
        }
    }

    pub(crate) fn with_source(kind: ErrorKind, source: impl Into<BoxError>) -> Self {
        Self {
            kind,
            retry_after: None,
            source: Some(source.into()),
        }
    }

    pub(crate) fn config(reason: &'static str) -> Self {
        Self::with_source(ErrorKind::Config, reason)
    }

    #[must_use]
    pub(crate) fn retry_after_hint(mut self, retry_after: Option<Duration>) -> Self {
        self.retry_after = retry_after;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_the_kind_only() {
        let e = Error::with_source(ErrorKind::Transient, "secret-ticket-123");
        assert_eq!(e.to_string(), "opening a Stream connection failed");
        assert_eq!(e.kind(), ErrorKind::Transient);
        assert!(e.is_retried());
        assert!(!Error::new(ErrorKind::AuthRejected).is_retried());
        let e = Error::new(ErrorKind::RateLimited).retry_after_hint(Some(Duration::from_secs(3)));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
        assert!(format!("{e:?}").contains("RateLimited"));
    }
}
