//! The OAuth device flow on the login host: `POST /oauth2/device/code.json`, then poll
//! `POST /oauth2/device/token.json` until the user approves, then exchange the `authCode`.
//!
//! These endpoints are undocumented; their shape is known only from DingTalk's own CLI (see the project's OpenAPI
//! reference §4.4), and whether they accept third-party apps is unverified. The timings below are configurable.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use dingtalk_core::{
    ApiHost, Auth, Body, ClientId, Endpoint, Error as CoreError, ExposeSecret, Method, SecretString,
    Transport,
};
use serde::Deserialize;

use crate::error::{Error, ErrorKind};

/// What the user must do: open `verification_uri` and enter `user_code` (or open `verification_uri_complete`).
#[derive(Clone)]
pub struct DeviceAuthorization {
    device_code: SecretString,
    user_code: String,
    verification_uri: String,
    verification_uri_complete: Option<String>,
    expires_in: Duration,
    interval: Duration,
}

impl DeviceAuthorization {
    /// The short code the user types, e.g. `ZT3M-V3DQ`.
    pub fn user_code(&self) -> &str {
        &self.user_code
    }

    /// The page where the code is entered.
    pub fn verification_uri(&self) -> &str {
        &self.verification_uri
    }

    /// The page with the code pre-filled, when the server gave one.
    pub fn verification_uri_complete(&self) -> Option<&str> {
        self.verification_uri_complete.as_deref()
    }

    /// How long the code stays valid.
    pub fn expires_in(&self) -> Duration {
        self.expires_in
    }

    /// The polling interval the server asked for.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The URL worth showing and encoding as a QR code: the complete one when present.
    pub fn url_to_open(&self) -> &str {
        self.verification_uri_complete
            .as_deref()
            .unwrap_or(&self.verification_uri)
    }

    /// A QR code of [`url_to_open`](Self::url_to_open) drawn with Unicode half blocks, for terminals.
    pub fn qr_code(&self) -> Option<String> {
        let code = qrcode::QrCode::new(self.url_to_open().as_bytes()).ok()?;
        let width = code.width();
        let colors = code.to_colors();
        let dark = |x: usize, y: usize| y < width && colors[y * width + x] == qrcode::Color::Dark;
        let mut out = String::new();
        // Quiet zone of one row/column each side; two modules per character row.
        let mut y = 0;
        while y < width {
            out.push(' ');
            for x in 0..width {
                out.push(match (dark(x, y), dark(x, y + 1)) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                });
            }
            out.push('\n');
            y += 2;
        }
        Some(out)
    }
}

impl fmt::Debug for DeviceAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceAuthorization")
            .field("device_code", &"<redacted>")
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

/// Timing of the device flow. Every server-given number of seconds is multiplied by `time_unit` (1 s), which lets
/// tests run the whole flow in milliseconds.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceFlowOptions {
    /// Requested scope (`openid corpid`).
    pub scope: String,
    /// Length of one server second.
    pub time_unit: Duration,
    /// Interval used when the server's is missing, ≤ 0 or > 30 (2 s).
    pub default_interval_secs: u64,
    /// Added to the interval on `slow_down` (5 s).
    pub slow_down_secs: u64,
    /// Ceiling of the interval (30 s).
    pub max_interval_secs: u64,
    /// Lifetime used when the server's `expiresIn` is missing or ≤ 0 (900 s).
    pub default_expires_secs: u64,
    /// Upper bound of the whole wait regardless of `expiresIn` (600 s).
    pub max_wait_secs: u64,
}

impl Default for DeviceFlowOptions {
    fn default() -> Self {
        Self {
            scope: "openid corpid".to_owned(),
            time_unit: Duration::from_secs(1),
            default_interval_secs: 2,
            slow_down_secs: 5,
            max_interval_secs: 30,
            default_expires_secs: 900,
            max_wait_secs: 600,
        }
    }
}

/// Requests a device code.
pub async fn start(
    transport: &Transport,
    client_id: &ClientId,
    options: &DeviceFlowOptions,
) -> Result<DeviceAuthorization, Error> {
    let wire = transport
        .execute(
            &DeviceCodeRequest {
                client_id,
                scope: &options.scope,
            },
            None,
        )
        .await?;
    let result = match (wire.success, wire.result) {
        (Some(false), _) | (_, None) => {
            return Err(Error::msg(
                ErrorKind::Protocol,
                format!(
                    "device code request refused ({})",
                    wire.error_code.unwrap_or_default()
                ),
            ));
        }
        (_, Some(result)) => result,
    };
    let device_code = result.device_code.filter(|c| !c.is_empty());
    let user_code = result.user_code.filter(|c| !c.is_empty());
    let (Some(device_code), Some(user_code)) = (device_code, user_code) else {
        return Err(Error::msg(
            ErrorKind::Protocol,
            "device code response lacks deviceCode or userCode",
        ));
    };
    let interval = match result.interval {
        Some(i) if i > 0 && i.unsigned_abs() <= options.max_interval_secs => i.unsigned_abs(),
        _ => options.default_interval_secs,
    };
    let expires = match result.expires_in {
        Some(e) if e > 0 => e.unsigned_abs(),
        _ => options.default_expires_secs,
    };
    Ok(DeviceAuthorization {
        device_code: SecretString::from(device_code),
        user_code,
        verification_uri: result.verification_uri.unwrap_or_default(),
        verification_uri_complete: result.verification_uri_complete.filter(|u| !u.is_empty()),
        expires_in: options.time_unit * u32::try_from(expires).unwrap_or(u32::MAX),
        interval: options.time_unit * u32::try_from(interval).unwrap_or(u32::MAX),
    })
}

/// Polls until the user approves and returns the authorization code to exchange.
///
/// `authorization_pending` keeps polling; `slow_down` adds 5 s to the interval (up to 30 s); `access_denied` and
/// `expired_token` stop with [`ErrorKind::AccessDenied`] / [`ErrorKind::Expired`]; other answers, non-200 statuses
/// and network errors keep polling. The wait ends at `min(expiresIn, 10 min)` with [`ErrorKind::Expired`].
pub async fn poll(
    transport: &Transport,
    client_id: &ClientId,
    authorization: &DeviceAuthorization,
    options: &DeviceFlowOptions,
) -> Result<SecretString, Error> {
    let clock = transport.clock();
    let max_wait = options.time_unit * u32::try_from(options.max_wait_secs).unwrap_or(u32::MAX);
    let deadline = clock.now() + authorization.expires_in.min(max_wait);
    let step = options.time_unit * u32::try_from(options.slow_down_secs).unwrap_or(u32::MAX);
    let ceiling = options.time_unit * u32::try_from(options.max_interval_secs).unwrap_or(u32::MAX);
    let mut interval = authorization.interval;
    loop {
        if clock.now() + interval > deadline {
            return Err(Error::msg(
                ErrorKind::Expired,
                "the device code expired before it was approved",
            ));
        }
        tokio::time::sleep(interval).await;
        let request = DeviceTokenRequest {
            client_id,
            device_code: &authorization.device_code,
        };
        let result = match transport.execute(&request, None).await {
            Ok(wire) => wire.result,
            Err(error) => {
                tracing::debug!(kind = ?error.kind(), "device token poll failed; polling on");
                continue;
            }
        };
        let Some(result) = result else { continue };
        match result.error.as_deref().unwrap_or("") {
            "" => {
                if let Some(code) = result.auth_code.filter(|c| !c.is_empty()) {
                    return Ok(SecretString::from(code));
                }
            }
            "authorization_pending" => {}
            "slow_down" => interval = (interval + step).min(ceiling),
            "access_denied" => return Err(Error::new(ErrorKind::AccessDenied)),
            "expired_token" => return Err(Error::new(ErrorKind::Expired)),
            other => tracing::debug!(error = other, "unknown device flow status; polling on"),
        }
    }
}

struct DeviceCodeRequest<'a> {
    client_id: &'a ClientId,
    scope: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeviceEnvelope<T> {
    success: Option<bool>,
    result: Option<T>,
    error_code: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeviceCodeWire {
    device_code: Option<String>,
    user_code: Option<String>,
    verification_uri: Option<String>,
    verification_uri_complete: Option<String>,
    expires_in: Option<i64>,
    interval: Option<i64>,
}

impl Endpoint for DeviceCodeRequest<'_> {
    type Response = DeviceEnvelope<DeviceCodeWire>;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Login;
    const IDEMPOTENT: bool = true;
    const AUTH: Auth = Auth::None;
    fn route(&self) -> &'static str {
        "/oauth2/device/code.json"
    }
    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/oauth2/device/code.json")
    }
    fn body(&self) -> Result<Body, CoreError> {
        Ok(Body::Form(vec![
            ("client_id".to_owned(), self.client_id.as_str().to_owned()),
            ("scope".to_owned(), self.scope.to_owned()),
        ]))
    }
    fn validate(&self) -> Result<(), CoreError> {
        dingtalk_core::endpoint::require("client_id", self.client_id.as_str())
    }
}

struct DeviceTokenRequest<'a> {
    client_id: &'a ClientId,
    device_code: &'a SecretString,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeviceTokenWire {
    auth_code: Option<String>,
    error: Option<String>,
}

impl Endpoint for DeviceTokenRequest<'_> {
    type Response = DeviceEnvelope<DeviceTokenWire>;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Login;
    const IDEMPOTENT: bool = true;
    const AUTH: Auth = Auth::None;
    fn route(&self) -> &'static str {
        "/oauth2/device/token.json"
    }
    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/oauth2/device/token.json")
    }
    fn body(&self) -> Result<Body, CoreError> {
        Ok(Body::Form(vec![
            (
                "grant_type".to_owned(),
                "urn:ietf:params:oauth:grant-type:device_code".to_owned(),
            ),
            (
                "device_code".to_owned(),
                self.device_code.expose_secret().to_owned(),
            ),
            ("client_id".to_owned(), self.client_id.as_str().to_owned()),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_and_debug() {
        let auth = DeviceAuthorization {
            device_code: SecretString::from("dev-s3cret"),
            user_code: "ABCD-EFGH".into(),
            verification_uri: "https://login.dingtalk.com/oauth2/device/verify.htm".into(),
            verification_uri_complete: None,
            expires_in: Duration::from_mins(15),
            interval: Duration::from_secs(2),
        };
        assert!(!format!("{auth:?}").contains("dev-s3cret"));
        let qr = auth.qr_code().unwrap();
        assert!(qr.lines().count() > 10 && qr.contains('█'));
    }
}
