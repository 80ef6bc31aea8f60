//! The crate's error type.

use std::fmt;

use dingtalk_core::{ApiError, RetryClass};

/// A login, refresh or token-store operation failed. Match on [`Error::kind`]; the cause is in `source()`.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// What kind of failure an [`Error`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A DingTalk call failed; see [`Error::api_error`] and [`Error::core_kind`].
    Api,
    /// The user refused the authorization (`access_denied`).
    AccessDenied,
    /// The device code or authorization code expired before the user approved (`expired_token`).
    Expired,
    /// The login was not completed in time.
    Timeout,
    /// The browser callback's `state` did not match the request: a possible forgery; nothing was exchanged.
    StateMismatch,
    /// The callback or device-flow answer was malformed.
    Protocol,
    /// The refresh token was rejected (unknown, already used or expired): log in again.
    RefreshRejected,
    /// No tokens are stored for the selected identity.
    NotLoggedIn,
    /// The token store file is corrupt, from another program, or cannot be decrypted with the available key. It was
    /// left untouched.
    StoreUnreadable,
    /// Reading or writing the token store, key file or lock failed.
    Io,
    /// The OS keyring failed.
    Keyring,
    /// A passphrase-protected export could not be decrypted (wrong passphrase or damaged file).
    BadPassphrase,
    /// A profile selector matched no profile.
    ProfileNotFound,
    /// A profile selector matched several profiles; the message lists them.
    AmbiguousProfile,
    /// Invalid input or configuration (empty client id, missing secret, bad selector).
    Invalid,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::Api => "a DingTalk call failed",
            ErrorKind::AccessDenied => "the user denied the authorization",
            ErrorKind::Expired => "the authorization expired before it was approved",
            ErrorKind::Timeout => "the login timed out",
            ErrorKind::StateMismatch => "the login callback did not match this request",
            ErrorKind::Protocol => "unexpected answer from the login server",
            ErrorKind::RefreshRejected => "the refresh token was rejected",
            ErrorKind::NotLoggedIn => "not logged in",
            ErrorKind::StoreUnreadable => "the token store cannot be read",
            ErrorKind::Io => "token store I/O failed",
            ErrorKind::Keyring => "the OS keyring failed",
            ErrorKind::BadPassphrase => "wrong passphrase or damaged export",
            ErrorKind::ProfileNotFound => "no such profile",
            ErrorKind::AmbiguousProfile => "the profile selector is ambiguous",
            ErrorKind::Invalid => "invalid input",
        })
    }
}

impl Error {
    /// A new error of `kind`.
    pub fn new(kind: ErrorKind) -> Self {
        Self { kind, source: None }
    }

    /// An error of `kind` with an explanatory message of our own (never server text or secrets).
    pub fn msg(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self::new(kind).with_source(dingtalk_core::error::Message(message.into()))
    }

    /// A copy with the cause set.
    #[must_use]
    pub fn with_source(mut self, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// DingTalk's answer, when a call was refused.
    pub fn api_error(&self) -> Option<&ApiError> {
        dingtalk_core::error::find_api_error(self)
    }

    /// The kind of the underlying `dingtalk-core` error, when there is one.
    pub fn core_kind(&self) -> Option<dingtalk_core::ErrorKind> {
        self.source
            .as_deref()?
            .downcast_ref::<dingtalk_core::Error>()
            .map(dingtalk_core::Error::kind)
    }

    /// Retry, re-authenticate or give up.
    pub fn retry_class(&self) -> RetryClass {
        match self
            .source
            .as_deref()
            .and_then(|s| s.downcast_ref::<dingtalk_core::Error>())
        {
            Some(core) => core.retry_class(),
            None => RetryClass::Permanent,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.kind, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<dingtalk_core::Error> for Error {
    fn from(error: dingtalk_core::Error) -> Self {
        let refresh_rejected = error
            .api_error()
            .is_some_and(|api| api.code() == dingtalk_core::ErrorCode::AUTH_CODE_NOT_FOUND);
        let kind = if refresh_rejected {
            ErrorKind::RefreshRejected
        } else {
            ErrorKind::Api
        };
        Self::new(kind).with_source(error)
    }
}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Self {
        Self::new(ErrorKind::Io).with_source(error)
    }
}

/// Converts an auth error into a core error, for `TokenProvider` implementations.
impl From<Error> for dingtalk_core::Error {
    fn from(error: Error) -> Self {
        let kind = match error.kind {
            ErrorKind::Api => match error.core_kind() {
                Some(kind) => kind,
                None => dingtalk_core::ErrorKind::Token,
            },
            ErrorKind::RefreshRejected | ErrorKind::NotLoggedIn => dingtalk_core::ErrorKind::Unauthorized,
            ErrorKind::AccessDenied
            | ErrorKind::Expired
            | ErrorKind::Timeout
            | ErrorKind::StateMismatch
            | ErrorKind::Protocol
            | ErrorKind::StoreUnreadable
            | ErrorKind::Io
            | ErrorKind::Keyring
            | ErrorKind::BadPassphrase
            | ErrorKind::ProfileNotFound
            | ErrorKind::AmbiguousProfile
            | ErrorKind::Invalid => dingtalk_core::ErrorKind::Token,
        };
        dingtalk_core::Error::new(kind).with_source(error)
    }
}
