//! The crate's error type.
//!
//! Decision: this crate re-exports `dingtalk_core`'s [`Error`] and [`ErrorKind`] instead of wrapping them. Every
//! failure an OpenAPI call can have (validation, timeout, transport, decode, DingTalk's refusal, throttling,
//! credentials) is already one of core's kinds, and core's `Error` already offers `kind()`, `api_error()`,
//! `retry_class()`, `retry_after()` and `http_status()`. A wrapper would add a second type to match on and no
//! information. Business failures reported inside HTTP 200 bodies (robot partial delivery, failed card delivery)
//! are response data with helper methods; where a caller wants them as an error, the helper builds an
//! [`ErrorKind::Api`] error carrying a synthetic [`ApiError`](dingtalk_core::ApiError).

pub use dingtalk_core::{Error, ErrorKind};

use dingtalk_core::ApiError;

/// A business failure reported inside a 2xx body, as an [`ErrorKind::Api`] error.
pub(crate) fn business_failure(code: &str, message: impl Into<String>) -> Error {
    Error::api(ApiError::new(code, message, 200))
}
