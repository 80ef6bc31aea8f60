//! `POST /robot/send?access_token=<webhook token>` (custom webhook robot).

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use dingtalk_core::{ApiHost, Auth, Body, Endpoint, ExposeSecret, Method, SecretString};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::Error;
use crate::robot::{WebhookMessage, WebhookResponse};

/// Posts to a custom webhook robot (group-only, no app involved):
/// `POST /robot/send?access_token=<webhook token>[&timestamp=<ms>&sign=<sig>]`.
///
/// The webhook token is unrelated to app tokens and is sent in the query, never the app token (`Auth::None`). When
/// the robot's signing option is on, [`signed`](Self::signed) adds `timestamp` and `sign` (HMAC-SHA256 of
/// `timestamp + "\n" + secret`, standard Base64, percent-encoded in the URL). The token and secret are
/// `SecretString`s and `Debug` hides them. Limits: 20 messages per minute per robot, body ≤ 20000 bytes.
/// DingTalk docs: <https://open.dingtalk.com/document/robots/custom-robot-access>. Not idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::SecretString;
/// use dingtalk_openapi::robot::WebhookMessage;
/// let token = SecretString::from("webhook-token");
/// let secret = SecretString::from("SECxxxx");
/// client.robot().send_custom_webhook(token, Some(secret), WebhookMessage::text("deployed")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SendCustomWebhook {
    access_token: SecretString,
    signing: Option<(SecretString, i64)>,
    message: WebhookMessage,
}

impl SendCustomWebhook {
    /// A post of `message` to the webhook robot whose URL carries `access_token`.
    pub fn new(access_token: SecretString, message: WebhookMessage) -> Self {
        Self {
            access_token,
            signing: None,
            message,
        }
    }

    /// Signs the request with the robot's `SEC…` secret at `timestamp_ms` (Unix milliseconds, within an hour of
    /// DingTalk's clock).
    #[must_use]
    pub fn signed(mut self, secret: SecretString, timestamp_ms: i64) -> Self {
        self.signing = Some((secret, timestamp_ms));
        self
    }
}

/// The custom-robot signature: `Base64(HMAC-SHA256(key = secret, message = timestamp + "\n" + secret))`, before
/// percent-encoding (the URL encoder escapes `+`, `/` and `=` once).
pub fn webhook_signature(secret: &SecretString, timestamp_ms: i64) -> String {
    let secret = secret.expose_secret();
    let to_sign = format!("{timestamp_ms}\n{secret}");
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        unreachable!("HMAC accepts keys of any length")
    };
    mac.update(to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

impl fmt::Debug for SendCustomWebhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendCustomWebhook")
            .field("access_token", &"<redacted>")
            .field("signed", &self.signing.is_some())
            .field("message", &self.message)
            .finish()
    }
}

impl Endpoint for SendCustomWebhook {
    type Response = WebhookResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = false;
    const AUTH: Auth = Auth::None;

    fn route(&self) -> &'static str {
        "/robot/send"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/robot/send")
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        let mut query = vec![("access_token", self.access_token.expose_secret().to_owned())];
        if let Some((secret, timestamp)) = &self.signing {
            query.push(("timestamp", timestamp.to_string()));
            query.push(("sign", webhook_signature(secret, *timestamp)));
        }
        query
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(&self.message)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("access_token", self.access_token.expose_secret())?;
        if let Some((secret, _)) = &self.signing {
            dingtalk_core::endpoint::require("secret", secret.expose_secret())?;
        }
        self.message.validate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_token_and_secret() {
        let send = SendCustomWebhook::new(SecretString::from("tok-canary"), WebhookMessage::text("x"))
            .signed(SecretString::from("SEC-canary"), 1);
        let shown = format!("{send:?}");
        assert!(!shown.contains("tok-canary") && !shown.contains("SEC-canary"));
    }
}
