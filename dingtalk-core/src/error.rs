//! The crate's error type.

use std::fmt;
use std::time::Duration;

use crate::api_error::ApiError;
use crate::retry::RetryClass;

/// A call failed. Match on [`Error::kind`]; DingTalk's own answer is in [`Error::api_error`], the cause in
/// `source()`.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    retry_class: RetryClass,
    retry_after: Option<Duration>,
    http_status: Option<u16>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// What kind of failure an [`Error`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request is invalid before any I/O (missing field, bad value, unsafe header value).
    Validation,
    /// The configuration is invalid (bad base URL, untrusted base host).
    Config,
    /// A token would have gone to a host outside the trusted-host policy, or over plain HTTP off loopback.
    UntrustedHost,
    /// An attempt or the whole operation ran out of time.
    Timeout,
    /// The connection failed (DNS, refused, reset, TLS).
    Transport,
    /// A response could not be decoded.
    Decode,
    /// The response was larger than the configured cap.
    ResponseTooLarge,
    /// DingTalk refused the request; see [`Error::api_error`].
    Api,
    /// DingTalk rejected the credentials or the token, and a refresh did not help.
    Unauthorized,
    /// The app lacks a permission scope, or the caller's IP is not allow-listed.
    Forbidden,
    /// DingTalk throttled the request and retries were exhausted; see [`Error::retry_after`].
    RateLimited,
    /// Obtaining a token failed.
    Token,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::Validation => "invalid request",
            ErrorKind::Config => "invalid configuration",
            ErrorKind::UntrustedHost => "refused to send a token to an untrusted host",
            ErrorKind::Timeout => "request timed out",
            ErrorKind::Transport => "connection failed",
            ErrorKind::Decode => "could not decode the response",
            ErrorKind::ResponseTooLarge => "response exceeded the size limit",
            ErrorKind::Api => "DingTalk rejected the request",
            ErrorKind::Unauthorized => "DingTalk rejected the credentials",
            ErrorKind::Forbidden => "the app is not allowed to call this API",
            ErrorKind::RateLimited => "DingTalk throttled the request",
            ErrorKind::Token => "could not obtain an access token",
        })
    }
}

impl Error {
    /// A new error of `kind` with no cause.
    pub fn new(kind: ErrorKind) -> Self {
        let retry_class = match kind {
            ErrorKind::Timeout => RetryClass::MaybeSent,
            ErrorKind::RateLimited => RetryClass::Throttled,
            _ => RetryClass::Permanent,
        };
        Self {
            kind,
            retry_class,
            retry_after: None,
            http_status: None,
            source: None,
        }
    }

    /// A validation error explaining what is wrong.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Validation).with_source(Message(message.into()))
    }

    /// A configuration error explaining what is wrong.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config).with_source(Message(message.into()))
    }

    /// An error carrying DingTalk's answer; the kind is derived from the code.
    pub fn api(api_error: ApiError) -> Self {
        let retry_class = api_error.retry_class();
        let code = api_error.code().as_str();
        let kind = match retry_class {
            RetryClass::Throttled => ErrorKind::RateLimited,
            RetryClass::Reauth => ErrorKind::Unauthorized,
            _ if is_credential_code(code) => ErrorKind::Unauthorized,
            _ if is_permission_code(code) => ErrorKind::Forbidden,
            _ => ErrorKind::Api,
        };
        Self {
            kind,
            retry_class,
            retry_after: api_error.retry_after(),
            http_status: Some(api_error.http_status()),
            source: Some(Box::new(api_error)),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Retry, re-authenticate or give up.
    pub fn retry_class(&self) -> RetryClass {
        self.retry_class
    }

    /// How long the server asked us to wait, when it did.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The HTTP status of the response that failed, if there was one.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// DingTalk's answer, found anywhere in the `source()` chain.
    pub fn api_error(&self) -> Option<&ApiError> {
        find_api_error(self)
    }

    /// A copy with the cause set.
    #[must_use]
    pub fn with_source(mut self, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// A copy with a different kind (the retry class is kept).
    #[must_use]
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// A copy with a different retry class.
    #[must_use]
    pub fn with_retry_class(mut self, retry_class: RetryClass) -> Self {
        self.retry_class = retry_class;
        self
    }

    /// A copy with the server-requested delay.
    #[must_use]
    pub fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// A copy with the HTTP status.
    #[must_use]
    pub fn with_http_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
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

/// Walks an error's `source()` chain for an [`ApiError`]; other crates' errors use this for their own
/// `api_error()`.
pub fn find_api_error<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a ApiError> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(api) = e.downcast_ref::<ApiError>() {
            return Some(api);
        }
        current = e.source();
    }
    None
}

/// A plain-text cause. Its text is ours (never server text or secrets), so it may be shown.
#[derive(Debug)]
pub struct Message(pub String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Message {}

fn is_credential_code(code: &str) -> bool {
    matches!(
        code,
        "invalidClientIdOrSecret"
            | "invalidSuiteKey"
            | "invalidSuiteTicket"
            | "invalid.client"
            | "unauthorized.client"
            | "unsupported.grant.type"
            | "invalidParameter.authCode.notFound"
            | "AuthenticationFailed.MissingParameter"
            | "40089"
            | "40096"
            | "41001"
    )
}

fn is_permission_code(code: &str) -> bool {
    code.starts_with("Forbidden.AccessDenied.")
        || matches!(
            code,
            "apiPermissionDenied" | "60011" | "60020" | "50002" | "50004"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_get_kinds_by_code() {
        let cases = [
            (
                "Forbidden.AccessDenied.AccessTokenPermissionDenied",
                403,
                ErrorKind::Forbidden,
            ),
            (
                "Forbidden.AccessDenied.QpsLimitForApi",
                403,
                ErrorKind::RateLimited,
            ),
            ("invalidClientIdOrSecret", 400, ErrorKind::Unauthorized),
            ("InvalidAuthentication", 400, ErrorKind::Unauthorized),
            ("60011", 200, ErrorKind::Forbidden),
            ("invalidParameter.userIds.overMax", 400, ErrorKind::Api),
        ];
        for (code, status, kind) in cases {
            let error = Error::api(ApiError::new(code, "m", status));
            assert_eq!(error.kind(), kind, "{code}");
            assert_eq!(error.api_error().map(|a| a.code().as_str()), Some(code));
            assert_eq!(error.http_status(), Some(status));
        }
    }

    #[test]
    fn display_is_the_kind_only() {
        let error = Error::api(ApiError::new("x", "SERVER TEXT", 400));
        assert_eq!(error.to_string(), "DingTalk rejected the request");
        let error = Error::validation("robotCode is empty");
        assert_eq!(error.to_string(), "invalid request");
    }

    #[test]
    fn api_error_is_found_through_wrappers() {
        #[derive(Debug)]
        struct Outer(Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("outer")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let outer = Outer(Error::api(ApiError::new("code-x", "m", 400)));
        assert_eq!(find_api_error(&outer).map(|a| a.code().as_str()), Some("code-x"));
    }
}
