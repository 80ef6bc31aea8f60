//! The one exit-code enum and the CLI error type every failure becomes.

use std::process::ExitCode;

use dingtalk_core::ErrorKind;

/// Process exit codes, numbered like Go `dws` so scripts keep working.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Success, dry run, broken pipe.
    Ok = 0,
    /// DingTalk refused the request, or the network failed.
    Api = 1,
    /// Authentication failed.
    Auth = 2,
    /// Bad input, including `confirmation_required`.
    Validation = 3,
    /// The app lacks a permission; an admin must act.
    Permission = 4,
    /// A bug.
    Internal = 5,
    /// No public API, untrusted host, sandbox unreachable.
    Endpoint = 6,
    /// Some items of a batch failed.
    Partial = 7,
    /// Interrupted (Ctrl-C).
    Interrupted = 130,
}

impl Exit {
    /// The category name used in error JSON.
    pub(crate) fn category(self) -> &'static str {
        match self {
            Exit::Ok => "ok",
            Exit::Api => "api",
            Exit::Auth => "auth",
            Exit::Validation => "validation",
            Exit::Permission => "permission",
            Exit::Internal => "internal",
            Exit::Endpoint => "endpoint",
            Exit::Partial => "partial_failure",
            Exit::Interrupted => "interrupted",
        }
    }

    /// The numeric code.
    pub(crate) fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// A failure of one run (boxed, so `Result<_, CliError>` stays small).
#[derive(Debug, Clone)]
pub(crate) struct CliError(Box<ErrorData>);

impl std::ops::Deref for CliError {
    type Target = ErrorData;
    fn deref(&self) -> &ErrorData {
        &self.0
    }
}

impl std::ops::DerefMut for CliError {
    fn deref_mut(&mut self) -> &mut ErrorData {
        &mut self.0
    }
}

/// What the error JSON on stderr says.
#[derive(Debug, Clone)]
pub(crate) struct ErrorData {
    pub(crate) exit: Exit,
    pub(crate) reason: String,
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
    pub(crate) retryable: bool,
    pub(crate) retry_after_seconds: Option<u64>,
    pub(crate) http_status: Option<u16>,
    pub(crate) upstream_code: Option<String>,
    pub(crate) trace_id: Option<String>,
    pub(crate) param: Option<String>,
    pub(crate) broken_pipe: bool,
}

impl CliError {
    /// A new error.
    pub(crate) fn new(exit: Exit, reason: &str, message: impl Into<String>) -> Self {
        Self(Box::new(ErrorData {
            exit,
            reason: reason.to_owned(),
            message: message.into(),
            hint: None,
            retryable: false,
            retry_after_seconds: None,
            http_status: None,
            upstream_code: None,
            trace_id: None,
            param: None,
            broken_pipe: false,
        }))
    }

    /// A validation error (exit 3).
    pub(crate) fn validation(reason: &str, message: impl Into<String>) -> Self {
        Self::new(Exit::Validation, reason, message)
    }

    /// An internal error (exit 5).
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(Exit::Internal, "internal", message)
    }

    /// Adds a hint.
    #[must_use]
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Names the offending flag.
    #[must_use]
    pub(crate) fn param(mut self, param: &str) -> Self {
        self.param = Some(param.to_owned());
        self
    }

    /// Whether this error is a closed stdout (exit 0, nothing printed).
    pub(crate) fn is_broken_pipe(&self) -> bool {
        self.broken_pipe
    }
}

impl From<std::io::Error> for CliError {
    fn from(err: std::io::Error) -> Self {
        let mut e = CliError::internal(format!("I/O error: {err}"));
        "io".clone_into(&mut e.reason);
        e.broken_pipe = err.kind() == std::io::ErrorKind::BrokenPipe;
        e
    }
}

/// Legacy and new-host codes that mean "an admin must grant something".
const PERMISSION_CODES: &[&str] = &["60011", "60020", "50002"];
/// Codes that mean bad app credentials.
const AUTH_CODES: &[&str] = &["invalidClientIdOrSecret", "40096", "40089", "invalid.client"];

impl From<dingtalk_core::Error> for CliError {
    fn from(err: dingtalk_core::Error) -> Self {
        let api = err.api_error();
        let code = api.map(|a| a.code().as_str().to_owned());
        let (exit, reason, hint) = match err.kind() {
            ErrorKind::Validation => (Exit::Validation, "invalid_request", None),
            ErrorKind::Config => (Exit::Endpoint, "config", None),
            ErrorKind::UntrustedHost => (
                Exit::Endpoint,
                "untrusted_host",
                Some("add the host to DWS_TRUSTED_DOMAINS or use --sandbox for a local emulator"),
            ),
            ErrorKind::Timeout => (Exit::Api, "timeout", Some("raise --timeout or retry later")),
            ErrorKind::Transport => (
                Exit::Api,
                "network",
                Some("check the network, proxy settings and `dws doctor`"),
            ),
            ErrorKind::Decode | ErrorKind::ResponseTooLarge => (Exit::Api, "bad_response", None),
            ErrorKind::Unauthorized | ErrorKind::Token => (
                Exit::Auth,
                "auth_failed",
                Some("check --client-id/--client-secret (or DWS_CLIENT_ID/DWS_CLIENT_SECRET)"),
            ),
            ErrorKind::Forbidden => (
                Exit::Permission,
                "scope_missing",
                Some("ask an org admin to grant the missing permission to the app in the developer console"),
            ),
            ErrorKind::RateLimited => (Exit::Api, "rate_limited", Some("wait and retry")),
            ErrorKind::Api | _ => (Exit::Api, "api_error", None),
        };
        let (exit, reason, hint) = match code.as_deref() {
            Some(c)
                if PERMISSION_CODES.contains(&c) || c.starts_with("Forbidden.AccessDenied.AccessToken") =>
            {
                (
                    Exit::Permission,
                    "scope_missing",
                    Some(
                        "ask an org admin to grant the missing permission to the app in the developer console",
                    ),
                )
            }
            Some(c) if AUTH_CODES.contains(&c) => (
                Exit::Auth,
                "invalid_credentials",
                Some("check --client-id/--client-secret (or DWS_CLIENT_ID/DWS_CLIENT_SECRET)"),
            ),
            Some("monthly_quota" | "ApiCountLimitForOrg" | "90020") => (Exit::Api, "monthly_quota", None),
            _ => (exit, reason, hint),
        };
        let message = match api {
            Some(a) => format!("{}: {}", err.kind(), a.message()),
            None => err.to_string(),
        };
        let mut out = CliError::new(exit, reason, message);
        out.hint = hint.map(str::to_owned);
        out.retryable = matches!(
            err.retry_class(),
            dingtalk_core::RetryClass::Throttled | dingtalk_core::RetryClass::NotSent
        );
        out.retry_after_seconds = err.retry_after().map(|d| d.as_secs());
        out.http_status = err
            .http_status()
            .or_else(|| api.map(dingtalk_core::ApiError::http_status));
        out.upstream_code = code;
        out.trace_id = api.and_then(|a| a.request_id().map(str::to_owned));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_table() {
        assert_eq!(Exit::Validation.code(), 3);
        assert_eq!(Exit::Partial.code(), 7);
        assert_eq!(Exit::Interrupted.code(), 130);
    }

    #[test]
    fn permission_codes_map_to_4() {
        let api = dingtalk_core::ApiError::new("60011", "no permission", 200);
        let err: CliError = dingtalk_core::Error::api(api).into();
        assert_eq!(err.exit, Exit::Permission);
        assert_eq!(err.upstream_code.as_deref(), Some("60011"));
    }
}
