//! `POST /robot/sendBySession?session=…` (session webhook).

use std::borrow::Cow;
use std::fmt;

use dingtalk_core::{ApiHost, Auth, Body, Endpoint, ExposeSecret, Method, SecretString};

use crate::error::Error;
use crate::robot::{WebhookMessage, WebhookResponse};

/// Replies to an inbound robot message through its session webhook: `POST /robot/sendBySession?session=…`.
///
/// Sends **no token** (`Auth::None`): the `session` value in the webhook URL is the credential, so it is kept as a
/// secret and never shown by `Debug`. Only the URL's `session` parameter is used; the request goes to the
/// transport's configured legacy host (`oapi.dingtalk.com`, or the sandbox), never to whatever host the URL names.
/// Check `sessionWebhookExpiredTime` before sending; an expired session answers `errcode` `300001`.
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/robot-reply-and-send-messages>. Not idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_openapi::robot::WebhookMessage;
/// let webhook = "https://oapi.dingtalk.com/robot/sendBySession?session=abc";
/// client.robot().send_by_session(webhook, WebhookMessage::markdown("Build", "#### Done"))?.await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SendBySession {
    session: SecretString,
    message: WebhookMessage,
}

impl SendBySession {
    /// The path every session webhook uses.
    pub const PATH: &'static str = "/robot/sendBySession";

    /// A reply of `message` through `session_webhook` (the inbound message's `sessionWebhook` URL).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation) when the URL does not parse, does not end in
    /// `/robot/sendBySession`, or has no `session` parameter.
    pub fn new(session_webhook: &str, message: WebhookMessage) -> Result<Self, Error> {
        let session = session_from_url(session_webhook)?;
        Ok(Self { session, message })
    }

    /// A reply using the session value itself.
    pub fn from_session(session: SecretString, message: WebhookMessage) -> Self {
        Self { session, message }
    }
}

impl fmt::Debug for SendBySession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendBySession")
            .field("session", &"<redacted>")
            .field("message", &self.message)
            .finish()
    }
}

impl Endpoint for SendBySession {
    type Response = WebhookResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = false;
    const AUTH: Auth = Auth::None;

    fn route(&self) -> &'static str {
        Self::PATH
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed(Self::PATH)
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        vec![("session", self.session.expose_secret().to_owned())]
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(&self.message)
    }

    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("session", self.session.expose_secret())?;
        self.message.validate()
    }
}

fn session_from_url(webhook: &str) -> Result<SecretString, Error> {
    let invalid = || Error::validation("not a session webhook URL");
    let url = url::Url::parse(webhook).map_err(|e| invalid().with_source(e))?;
    if !url.path().ends_with(SendBySession::PATH) {
        return Err(invalid());
    }
    url.query_pairs()
        .find(|(key, _)| key == "session")
        .map(|(_, value)| value.into_owned())
        .filter(|value| !value.is_empty())
        .map(SecretString::from)
        .ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_is_taken_from_the_url() {
        let send = SendBySession::new(
            "https://oapi.dingtalk.com/robot/sendBySession?session=ab%2Bc&x=1",
            WebhookMessage::text("hi"),
        )
        .unwrap();
        assert_eq!(send.session.expose_secret(), "ab+c");
        assert!(!format!("{send:?}").contains("ab+c"));
        for bad in [
            "https://oapi.dingtalk.com/robot/send?access_token=x",
            "https://oapi.dingtalk.com/robot/sendBySession",
            "https://oapi.dingtalk.com/robot/sendBySession?session=",
        ] {
            let error = SendBySession::new(bad, WebhookMessage::text("hi")).unwrap_err();
            assert_eq!(error.kind(), crate::ErrorKind::Validation, "{bad}");
        }
    }
}
