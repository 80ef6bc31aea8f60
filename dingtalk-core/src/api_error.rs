//! What DingTalk said when it refused a call, decoded from either error envelope.
//!
//! DingTalk has two error shapes:
//!
//! * the new host (`api.dingtalk.com`) answers non-2xx with `{"code", "message", "requestid"}`;
//! * the legacy host (`oapi.dingtalk.com`) always answers HTTP 200 and puts `{"errcode", "errmsg"}` in the body,
//!   wrapping auth failures of `/topapi/*` as `errcode: 88` with a string `sub_code`.
//!
//! [`ApiError`] holds either, with the most specific code in [`ApiError::code`], and [`RetryClass`] says what a
//! caller should do about it. Classification is by code, never by message text: DingTalk's messages are localized.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::retry::RetryClass;

/// A DingTalk error code: the most specific one sent (a legacy `sub_code` over its `errcode`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ErrorCode(Box<str>);

impl ErrorCode {
    /// Token invalid or expired on the new host.
    pub const INVALID_AUTHENTICATION: &'static str = "InvalidAuthentication";
    /// Token header missing on the new host.
    pub const MISSING_TOKEN: &'static str = "AuthenticationFailed.MissingParameter";
    /// User token expired.
    pub const USER_TOKEN_EXPIRED: &'static str = "accesstoken.expired";
    /// Bad app key or secret on the token endpoint.
    pub const INVALID_CLIENT: &'static str = "invalidClientIdOrSecret";
    /// The app lacks a permission scope.
    pub const PERMISSION_DENIED: &'static str = "Forbidden.AccessDenied.AccessTokenPermissionDenied";
    /// Per-app, per-API QPS exceeded.
    pub const QPS_LIMIT_APP: &'static str = "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi";
    /// Server fault, or (on card APIs) a template/variable mismatch.
    pub const UNKNOWN_ERROR: &'static str = "unknownError";
    /// An OAuth code or refresh token is unknown or already used.
    pub const AUTH_CODE_NOT_FOUND: &'static str = "invalidParameter.authCode.notFound";
    /// Legacy "system busy".
    pub const LEGACY_BUSY: &'static str = "-1";
    /// Legacy wrapper code for `/topapi` auth and permission failures.
    pub const LEGACY_WRAPPED: &'static str = "88";
    /// A session webhook that expired or never existed.
    pub const SESSION_EXPIRED: &'static str = "300001";
    /// A non-JSON body on an API call: IP-level throttle or ban page (our own code).
    pub const IP_THROTTLED: &'static str = "ip.throttled";

    /// Wraps a code string.
    pub fn new(code: impl Into<String>) -> Self {
        Self(code.into().into_boxed_str())
    }

    /// The code as DingTalk sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ErrorCode({:?})", &*self.0)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

/// Which of DingTalk's error shapes an [`ApiError`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Envelope {
    /// New host: non-2xx with `{code, message, requestid}`.
    V1,
    /// Legacy host (or the new host's unknown-path quirk): HTTP 200 with `{errcode, errmsg}`.
    Legacy,
    /// Not JSON at all: an IP throttle page or a proxy error.
    NonJson,
}

/// A refusal from DingTalk, decoded from either envelope.
///
/// `Display` is our own short phrase; the server's (often localized) text is only in [`ApiError::message`].
#[derive(Clone, Debug)]
pub struct ApiError {
    code: ErrorCode,
    outer_code: Option<ErrorCode>,
    message: String,
    request_id: Option<String>,
    http_status: u16,
    envelope: Envelope,
    retry_after: Option<Duration>,
    required_scopes: Vec<String>,
}

impl ApiError {
    /// Builds an error by hand (tests, sandbox checks, synthetic failures such as a failed card delivery).
    pub fn new(code: impl Into<String>, message: impl Into<String>, http_status: u16) -> Self {
        Self {
            code: ErrorCode::new(code),
            outer_code: None,
            message: message.into(),
            request_id: None,
            http_status,
            envelope: Envelope::V1,
            retry_after: None,
            required_scopes: Vec::new(),
        }
    }

    /// The most specific code: a legacy `sub_code` over its `errcode`, else `errcode`, else the v1 `code`.
    pub fn code(&self) -> &ErrorCode {
        &self.code
    }

    /// The wrapping legacy `errcode` when a `sub_code` was present (e.g. `88`).
    pub fn outer_code(&self) -> Option<&ErrorCode> {
        self.outer_code.as_ref()
    }

    /// The server's message, verbatim (often Chinese). Never spliced into our `Display`.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The request id (`requestid`, `request_id` or the `x-acs-request-id` header).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The HTTP status of the response (200 for legacy errors).
    pub fn http_status(&self) -> u16 {
        self.http_status
    }

    /// Which envelope the error was decoded from.
    pub fn envelope(&self) -> Envelope {
        self.envelope
    }

    /// The delay the server asked for (`Retry-After`, or the `wait` of an IP throttle body).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// Scopes named by a permission error (`accessdenieddetail.requiredScopes`), if any.
    pub fn required_scopes(&self) -> &[String] {
        &self.required_scopes
    }

    /// A copy with the request id set (when it came from a header).
    #[must_use]
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        if self.request_id.is_none() {
            self.request_id = request_id;
        }
        self
    }

    /// A copy with the server-requested delay set.
    #[must_use]
    pub fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        if retry_after.is_some() {
            self.retry_after = retry_after;
        }
        self
    }

    /// What a caller should do about this error. See [`classify`] for the table.
    pub fn retry_class(&self) -> RetryClass {
        classify(self.code.as_str(), self.http_status)
    }

    /// Decodes an error from a response, if the response is one.
    ///
    /// * non-2xx: the v1 envelope (lenient key spellings), or a non-JSON body classified as an IP throttle;
    /// * 2xx: `Some` only when the body carries a nonzero `errcode` (legacy errors, and the new host's unknown-path
    ///   quirk), or is a recognised throttle body (`punish: deny`).
    pub fn from_response(http_status: u16, body: &[u8]) -> Option<Self> {
        let parsed: Option<Value> = serde_json::from_slice(body).ok();
        let success = (200..300).contains(&http_status);
        match parsed {
            Some(Value::Object(map)) => {
                if map.get("punish").and_then(Value::as_str) == Some("deny") {
                    let wait = map.get("wait").and_then(Value::as_u64).map(Duration::from_secs);
                    let mut error = Self::new(
                        ErrorCode::IP_THROTTLED,
                        "IP-level throttle (punish: deny)",
                        http_status,
                    );
                    error.envelope = Envelope::NonJson;
                    error.retry_after = wait.or(Some(Duration::from_mins(5)));
                    return Some(error);
                }
                if let Some(errcode) = map.get("errcode").and_then(code_text) {
                    if errcode != "0" {
                        return Some(Self::from_legacy(&map, errcode, http_status));
                    }
                    if success {
                        return None;
                    }
                }
                if success {
                    return None;
                }
                Some(Self::from_v1(&Value::Object(map), http_status))
            }
            _ if success => None,
            _ => {
                let code = if http_status == 429 || http_status == 403 {
                    ErrorCode::IP_THROTTLED.to_owned()
                } else {
                    format!("http.{http_status}")
                };
                let mut error = Self::new(code, truncate(&String::from_utf8_lossy(body), 256), http_status);
                error.envelope = Envelope::NonJson;
                Some(error)
            }
        }
    }

    fn from_v1(value: &Value, http_status: u16) -> Self {
        let wire: V1Wire = serde_json::from_value(value.clone()).unwrap_or_default();
        let code = wire
            .code
            .as_ref()
            .and_then(code_text)
            .unwrap_or_else(|| format!("http.{http_status}"));
        let mut error = Self::new(code, wire.message.unwrap_or_default(), http_status);
        error.request_id = wire.request_id;
        error.required_scopes = wire
            .access_denied_detail
            .map(|d| d.required_scopes)
            .unwrap_or_default();
        error
    }

    fn from_legacy(map: &serde_json::Map<String, Value>, errcode: String, http_status: u16) -> Self {
        let sub_code = map.get("sub_code").and_then(code_text).filter(|s| !s.is_empty());
        let message = map
            .get("sub_msg")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .or_else(|| map.get("errmsg").and_then(Value::as_str))
            .unwrap_or_default()
            .to_owned();
        let request_id = map.get("request_id").and_then(Value::as_str).map(str::to_owned);
        let (code, outer) = match sub_code {
            Some(sub) => (sub, Some(ErrorCode::new(errcode))),
            None => (errcode, None),
        };
        let mut error = Self::new(code, message, http_status);
        error.outer_code = outer;
        error.request_id = request_id;
        error.envelope = Envelope::Legacy;
        error
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DingTalk error {}", self.code)
    }
}

impl std::error::Error for ApiError {}

/// Maps a DingTalk code and the HTTP status to a [`RetryClass`].
///
/// The table follows the project's OpenAPI reference §2.4. Codes we do not know fall back on the HTTP status:
/// 429 is throttling, 5xx may have been acted on, anything else is permanent.
pub fn classify(code: &str, http_status: u16) -> RetryClass {
    const REAUTH: &[&str] = &[
        ErrorCode::INVALID_AUTHENTICATION,
        ErrorCode::USER_TOKEN_EXPIRED,
        // legacy invalid / blank / bad / expired token, raw or wrapped in 88
        "40014",
        "40000",
        "40001",
        "42001",
    ];
    const THROTTLED: &[&str] = &[
        "Forbidden.AccessDenied.QpsLimitForApi",
        ErrorCode::QPS_LIMIT_APP,
        "Forbidden.AccessDenied.QpmLimitForAppkeyAndApi",
        "Forbidden.AccessDenied.QpsLimitForSuitekeyAndOrgAndApi",
        "Forbidden.AccessDenied.QpmLimitForSuitekeyAndOrgAndApi",
        "qps.exceed.limit",
        "request.overlimit",
        "oaplus.query.limit",
        "send.too.fast",
        "too.many.group",
        "too.many.people",
        "send.byToken.tooFast",
        ErrorCode::IP_THROTTLED,
        // legacy throttles: per-dimension bans, per-app QPS, webhook robot per-minute limits
        "90001",
        "90002",
        "90003",
        "90004",
        "90005",
        "90006",
        "90007",
        "90008",
        "90009",
        "90010",
        "90011",
        "90012",
        "90013",
        "90014",
        "90018",
        "130101",
        "410100",
        "660026",
    ];
    const MAYBE_SENT: &[&str] = &[ErrorCode::UNKNOWN_ERROR, "server.error", ErrorCode::LEGACY_BUSY];

    // The monthly quota is a throttle that no retry can fix.
    if code == "Forbidden.AccessDenied.ApiCountLimitForOrg" || code == "90020" {
        return RetryClass::Permanent;
    }
    if REAUTH.contains(&code) {
        return RetryClass::Reauth;
    }
    if THROTTLED.contains(&code) || code.contains("QpsLimit") || code.contains("QpmLimit") {
        return RetryClass::Throttled;
    }
    if MAYBE_SENT.contains(&code) {
        return RetryClass::MaybeSent;
    }
    match http_status {
        429 => RetryClass::Throttled,
        500..=599 => RetryClass::MaybeSent,
        _ => RetryClass::Permanent,
    }
}

#[derive(Debug, Default, Deserialize)]
struct V1Wire {
    #[serde(alias = "Code", alias = "errcode")]
    code: Option<Value>,
    #[serde(alias = "Message", alias = "errmsg")]
    message: Option<String>,
    #[serde(
        rename = "requestid",
        alias = "requestId",
        alias = "RequestId",
        alias = "request_id"
    )]
    request_id: Option<String>,
    #[serde(rename = "accessdenieddetail")]
    access_denied_detail: Option<AccessDeniedDetail>,
}

#[derive(Debug, Default, Deserialize)]
struct AccessDeniedDetail {
    #[serde(rename = "requiredScopes", default)]
    required_scopes: Vec<String>,
}

/// Reads a code that DingTalk sends as a number or a string.
fn code_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Truncates to at most `max` bytes on a char boundary.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(status: u16, body: &str) -> ApiError {
        ApiError::from_response(status, body.as_bytes()).expect("an error")
    }

    #[test]
    fn v1_envelope() {
        let e = decode(
            400,
            r#"{"code":"InvalidAuthentication","message":"不合法的access_token","requestid":"01A0"}"#,
        );
        assert_eq!(e.code(), "InvalidAuthentication");
        assert_eq!(e.request_id(), Some("01A0"));
        assert_eq!(e.http_status(), 400);
        assert_eq!(e.envelope(), Envelope::V1);
        assert_eq!(e.retry_class(), RetryClass::Reauth);
    }

    #[test]
    fn legacy_wrapped_sub_code_wins() {
        let e = decode(
            200,
            r#"{"errcode":88,"sub_code":"40014","sub_msg":"不合法的access_token","errmsg":"x","request_id":"r1"}"#,
        );
        assert_eq!(e.code(), "40014");
        assert_eq!(e.outer_code().map(ErrorCode::as_str), Some("88"));
        assert_eq!(e.request_id(), Some("r1"));
        assert_eq!(e.retry_class(), RetryClass::Reauth);
        assert_eq!(e.envelope(), Envelope::Legacy);
    }

    #[test]
    fn legacy_string_zero_is_success() {
        assert!(ApiError::from_response(200, br#"{"errcode":"0","errmsg":"ok"}"#).is_none());
        assert!(ApiError::from_response(200, br#"{"errcode":0,"access_token":"x"}"#).is_none());
        assert!(ApiError::from_response(200, br#"{"result":1}"#).is_none());
        assert!(ApiError::from_response(204, b"").is_none());
    }

    #[test]
    fn new_host_unknown_path_quirk_is_an_error() {
        let e = decode(200, r#"{"errcode":404,"errmsg":"请求的URI地址不存在"}"#);
        assert_eq!(e.code(), "404");
        assert_eq!(e.retry_class(), RetryClass::Permanent);
    }

    #[test]
    fn permission_error_keeps_scopes() {
        let e = decode(
            403,
            r#"{"code":"Forbidden.AccessDenied.AccessTokenPermissionDenied","message":"m","requestid":"q",
                "accessdenieddetail":{"requiredScopes":["Card.Instance.Write"]}}"#,
        );
        assert_eq!(e.required_scopes(), ["Card.Instance.Write".to_owned()]);
        assert_eq!(e.retry_class(), RetryClass::Permanent);
    }

    #[test]
    fn non_json_bodies() {
        let ban = decode(
            200,
            r#"{"status":1111,"wait":5,"source":"x5","punish":"deny","uuid":"u"}"#,
        );
        assert_eq!(ban.code(), ErrorCode::IP_THROTTLED);
        assert_eq!(ban.retry_after(), Some(Duration::from_secs(5)));
        assert_eq!(ban.retry_class(), RetryClass::Throttled);
        let html = decode(403, "<html>denied</html>");
        assert_eq!(html.envelope(), Envelope::NonJson);
        assert_eq!(html.retry_class(), RetryClass::Throttled);
        let gateway = decode(502, "<html>bad gateway</html>");
        assert_eq!(gateway.retry_class(), RetryClass::MaybeSent);
    }

    #[test]
    fn classification_table() {
        let cases: &[(&str, u16, RetryClass)] = &[
            (
                "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi",
                403,
                RetryClass::Throttled,
            ),
            (
                "Forbidden.AccessDenied.QpsLimitForApi",
                403,
                RetryClass::Throttled,
            ),
            (
                "Forbidden.AccessDenied.ApiCountLimitForOrg",
                403,
                RetryClass::Permanent,
            ),
            (
                "Forbidden.AccessDenied.IpNotInWhiteList",
                403,
                RetryClass::Permanent,
            ),
            (
                "AuthenticationFailed.MissingParameter",
                400,
                RetryClass::Permanent,
            ),
            ("invalidClientIdOrSecret", 400, RetryClass::Permanent),
            ("accesstoken.expired", 400, RetryClass::Reauth),
            ("unknownError", 500, RetryClass::MaybeSent),
            ("whatever", 503, RetryClass::MaybeSent),
            ("whatever", 429, RetryClass::Throttled),
            ("invalidParameter.userIds.overMax", 400, RetryClass::Permanent),
            ("-1", 200, RetryClass::MaybeSent),
            ("42001", 200, RetryClass::Reauth),
            ("42001", 200, RetryClass::Reauth),
            ("60011", 200, RetryClass::Permanent),
            ("90018", 200, RetryClass::Throttled),
            ("90020", 200, RetryClass::Permanent),
            ("40096", 200, RetryClass::Permanent),
            ("410100", 200, RetryClass::Throttled),
            ("300001", 200, RetryClass::Permanent),
        ];
        for (code, status, want) in cases {
            assert_eq!(classify(code, *status), *want, "{code} {status}");
        }
    }

    #[test]
    fn display_never_contains_server_text() {
        let e = decode(400, r#"{"code":"x","message":"SERVER-TEXT","requestid":"r"}"#);
        assert!(!e.to_string().contains("SERVER-TEXT"));
    }
}
