//! Webhook message bodies (session webhook and custom webhook robot): `text`, `markdown`, `link`, `actionCard`,
//! `feedCard`, plus the `at` block.

use serde::Serialize;
use serde_json::{Value, json};

use crate::error::Error;
use crate::robot::ActionButton;

/// The largest webhook body DingTalk accepts, in bytes.
pub const MAX_WEBHOOK_BODY_BYTES: usize = 20_000;
/// The most people one webhook message may mention.
pub const MAX_WEBHOOK_MENTIONS: usize = 50;

/// A message for a session webhook ([`SendBySession`](crate::robot::SendBySession)) or a custom webhook robot
/// ([`SendCustomWebhook`](crate::robot::SendCustomWebhook)).
///
/// To really mention someone, the `@userId` or `@mobile` text must also appear in the content.
///
/// ```
/// use dingtalk_core::UserId;
/// use dingtalk_openapi::robot::WebhookMessage;
///
/// let message = WebhookMessage::text("hi @manager432").at_user_ids(vec![UserId::new("manager432")]);
/// let body = serde_json::to_value(&message).unwrap();
/// assert_eq!(body["msgtype"], "text");
/// assert_eq!(body["at"]["atUserIds"][0], "manager432");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookMessage {
    msgtype: &'static str,
    content: Value,
    at: At,
}

/// The `at` block.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
struct At {
    #[serde(rename = "atUserIds", skip_serializing_if = "Vec::is_empty")]
    user_ids: Vec<String>,
    #[serde(rename = "atMobiles", skip_serializing_if = "Vec::is_empty")]
    mobiles: Vec<String>,
    #[serde(rename = "isAtAll")]
    all: bool,
}

/// One entry of a feed card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedLink {
    /// The entry title.
    pub title: String,
    /// The URL opened on tap.
    pub message_url: String,
    /// The picture URL.
    pub pic_url: String,
}

impl WebhookMessage {
    /// `{"msgtype":"text","text":{"content"}}`.
    pub fn text(content: impl Into<String>) -> Self {
        Self::new("text", json!({ "content": content.into() }))
    }

    /// `{"msgtype":"markdown","markdown":{"title","text"}}`.
    pub fn markdown(title: impl Into<String>, text: impl Into<String>) -> Self {
        Self::new("markdown", json!({ "title": title.into(), "text": text.into() }))
    }

    /// `{"msgtype":"link","link":{"title","text","picUrl","messageUrl"}}`.
    pub fn link(
        title: impl Into<String>,
        text: impl Into<String>,
        pic_url: impl Into<String>,
        message_url: impl Into<String>,
    ) -> Self {
        Self::new(
            "link",
            json!({ "title": title.into(), "text": text.into(), "picUrl": pic_url.into(), "messageUrl": message_url.into() }),
        )
    }

    /// An action card with one full-width button (`singleTitle`, `singleURL`).
    pub fn action_card(title: impl Into<String>, text: impl Into<String>, button: ActionButton) -> Self {
        let ActionButton {
            title: single_title,
            url,
        } = button;
        Self::new(
            "actionCard",
            json!({ "title": title.into(), "text": text.into(), "singleTitle": single_title, "singleURL": url }),
        )
    }

    /// An action card with several buttons (`btns`), stacked vertically or side by side.
    pub fn action_card_buttons(
        title: impl Into<String>,
        text: impl Into<String>,
        buttons: Vec<ActionButton>,
        horizontal: bool,
    ) -> Self {
        let btns: Vec<Value> = buttons
            .into_iter()
            .map(|b| json!({ "title": b.title, "actionURL": b.url }))
            .collect();
        Self::new(
            "actionCard",
            json!({
                "title": title.into(),
                "text": text.into(),
                "btnOrientation": if horizontal { "1" } else { "0" },
                "btns": btns,
            }),
        )
    }

    /// A feed card (custom webhook robots only).
    pub fn feed_card(links: Vec<FeedLink>) -> Self {
        let links: Vec<Value> = links
            .into_iter()
            .map(|l| json!({ "title": l.title, "messageURL": l.message_url, "picURL": l.pic_url }))
            .collect();
        Self::new("feedCard", json!({ "links": links }))
    }

    /// Mentions these users (`at.atUserIds`).
    #[must_use]
    pub fn at_user_ids(mut self, user_ids: Vec<dingtalk_core::UserId>) -> Self {
        self.at.user_ids = user_ids
            .into_iter()
            .map(dingtalk_core::UserId::into_string)
            .collect();
        self
    }

    /// Mentions these phone numbers (`at.atMobiles`).
    #[must_use]
    pub fn at_mobiles(mut self, mobiles: Vec<String>) -> Self {
        self.at.mobiles = mobiles;
        self
    }

    /// Mentions everyone (`at.isAtAll`).
    #[must_use]
    pub fn at_all(mut self) -> Self {
        self.at.all = true;
        self
    }

    /// The `msgtype`.
    pub fn msgtype(&self) -> &str {
        self.msgtype
    }

    /// Checks the mention cap and the body size cap.
    pub fn validate(&self) -> Result<(), Error> {
        if self.at.user_ids.len() + self.at.mobiles.len() > MAX_WEBHOOK_MENTIONS {
            return Err(Error::validation(format!(
                "a webhook message mentions at most {MAX_WEBHOOK_MENTIONS} people"
            )));
        }
        let size = serde_json::to_vec(self).map_or(usize::MAX, |v| v.len());
        if size > MAX_WEBHOOK_BODY_BYTES {
            return Err(Error::validation(format!(
                "a webhook body is at most {MAX_WEBHOOK_BODY_BYTES} bytes"
            )));
        }
        Ok(())
    }

    fn new(msgtype: &'static str, content: Value) -> Self {
        Self {
            msgtype,
            content,
            at: At::default(),
        }
    }
}

impl Serialize for WebhookMessage {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("msgtype", self.msgtype)?;
        map.serialize_entry(self.msgtype, &self.content)?;
        map.serialize_entry("at", &self.at)?;
        map.end()
    }
}

/// The answer of a webhook: `{"errcode":0,"errmsg":"ok"}` (non-zero codes become errors in the transport).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[non_exhaustive]
pub struct WebhookResponse {
    /// `0` on success.
    pub errcode: Option<i64>,
    /// `ok` on success.
    pub errmsg: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_have_the_documented_shape() {
        let body = serde_json::to_value(WebhookMessage::markdown("Build", "#### Done").at_all()).unwrap();
        assert_eq!(
            body,
            json!({"msgtype":"markdown","markdown":{"title":"Build","text":"#### Done"},"at":{"isAtAll":true}})
        );
        let body = serde_json::to_value(WebhookMessage::action_card_buttons(
            "t",
            "x",
            vec![ActionButton::new("A", "https://a")],
            true,
        ))
        .unwrap();
        assert_eq!(body["actionCard"]["btns"][0]["actionURL"], "https://a");
        assert_eq!(body["actionCard"]["btnOrientation"], "1");
    }

    #[test]
    fn caps_are_checked() {
        let many = (0..51).map(|i| format!("1380000{i:04}")).collect();
        assert!(WebhookMessage::text("x").at_mobiles(many).validate().is_err());
        assert!(WebhookMessage::text("x".repeat(20_001)).validate().is_err());
        assert!(WebhookMessage::text("x").validate().is_ok());
    }
}
