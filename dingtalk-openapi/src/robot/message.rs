//! Typed robot message bodies: a [`MsgKey`] plus its `msgParam`, serialized as a JSON **string**.

use dingtalk_core::{MediaId, MsgKey};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::Error;

/// The largest `msgParam` DingTalk accepts, in bytes.
pub const MAX_MSG_PARAM_BYTES: usize = 15_000;

/// A robot message for the OpenAPI send endpoints: `msgKey` and `msgParam` (the JSON text of the parameters).
///
/// Built by one constructor per `msgKey` of DingTalk's catalogue (13 keys). `msgParam` is produced here, as a
/// string, because the API wants a string containing JSON rather than an object.
///
/// ```
/// use dingtalk_openapi::robot::RobotMessage;
///
/// let message = RobotMessage::markdown("Deploy", "**done**");
/// assert_eq!(message.msg_key().as_str(), "sampleMarkdown");
/// assert_eq!(message.msg_param(), r#"{"text":"**done**","title":"Deploy"}"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RobotMessage {
    msg_key: MsgKey,
    msg_param: String,
}

/// A button of an action card: a title and the URL it opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionButton {
    /// The button text.
    pub title: String,
    /// The URL opened on tap (`dingtalk://` links work too).
    pub url: String,
}

impl ActionButton {
    /// A button.
    pub fn new(title: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            url: url.into(),
        }
    }
}

impl RobotMessage {
    /// `sampleText`: `{"content"}`.
    pub fn text(content: impl Into<String>) -> Self {
        Self::build(MsgKey::SampleText, [("content", content.into())])
    }

    /// `sampleMarkdown`: `{"title", "text"}`; the title shows in the chat list and push preview.
    pub fn markdown(title: impl Into<String>, text: impl Into<String>) -> Self {
        Self::build(
            MsgKey::SampleMarkdown,
            [("title", title.into()), ("text", text.into())],
        )
    }

    /// `sampleImageMsg`: `{"photoURL"}`, an HTTPS URL or a media id.
    pub fn image(photo_url: impl Into<String>) -> Self {
        Self::build(MsgKey::SampleImageMsg, [("photoURL", photo_url.into())])
    }

    /// `sampleLink`: `{"text", "title", "picUrl", "messageUrl"}`.
    pub fn link(
        title: impl Into<String>,
        text: impl Into<String>,
        pic_url: impl Into<String>,
        message_url: impl Into<String>,
    ) -> Self {
        Self::build(
            MsgKey::SampleLink,
            [
                ("title", title.into()),
                ("text", text.into()),
                ("picUrl", pic_url.into()),
                ("messageUrl", message_url.into()),
            ],
        )
    }

    /// `sampleActionCard`: one full-width button.
    pub fn action_card(title: impl Into<String>, text: impl Into<String>, button: ActionButton) -> Self {
        Self::build(
            MsgKey::SampleActionCard,
            [
                ("title", title.into()),
                ("text", text.into()),
                ("singleTitle", button.title),
                ("singleURL", button.url),
            ],
        )
    }

    /// `sampleActionCard2` … `sampleActionCard5`: 2 to 5 vertical buttons (`actionTitleN`, `actionURLN`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation) when there are fewer than 2 or more than 5 buttons.
    pub fn action_card_vertical(
        title: impl Into<String>,
        text: impl Into<String>,
        buttons: Vec<ActionButton>,
    ) -> Result<Self, Error> {
        let key = match buttons.len() {
            2 => MsgKey::SampleActionCard2,
            3 => MsgKey::SampleActionCard3,
            4 => MsgKey::SampleActionCard4,
            5 => MsgKey::SampleActionCard5,
            _ => return Err(Error::validation("a vertical action card has 2 to 5 buttons")),
        };
        let mut fields = vec![
            ("title".to_owned(), title.into()),
            ("text".to_owned(), text.into()),
        ];
        for (n, button) in buttons.into_iter().enumerate() {
            fields.push((format!("actionTitle{}", n + 1), button.title));
            fields.push((format!("actionURL{}", n + 1), button.url));
        }
        Ok(Self::build(key, fields))
    }

    /// `sampleActionCard6`: two horizontal buttons (`buttonTitle1/2`, `buttonUrl1/2`).
    pub fn action_card_horizontal(
        title: impl Into<String>,
        text: impl Into<String>,
        left: ActionButton,
        right: ActionButton,
    ) -> Self {
        Self::build(
            MsgKey::SampleActionCard6,
            [
                ("title", title.into()),
                ("text", text.into()),
                ("buttonTitle1", left.title),
                ("buttonUrl1", left.url),
                ("buttonTitle2", right.title),
                ("buttonUrl2", right.url),
            ],
        )
    }

    /// `sampleAudio`: `{"mediaId", "duration"}`; the duration is in milliseconds.
    pub fn audio(media_id: &MediaId, duration_ms: u64) -> Self {
        Self::build(
            MsgKey::SampleAudio,
            [
                ("mediaId", media_id.as_str().to_owned()),
                ("duration", duration_ms.to_string()),
            ],
        )
    }

    /// `sampleFile`: `{"mediaId", "fileName", "fileType"}` (`fileType` e.g. `pdf`).
    pub fn file(media_id: &MediaId, file_name: impl Into<String>, file_type: impl Into<String>) -> Self {
        Self::build(
            MsgKey::SampleFile,
            [
                ("mediaId", media_id.as_str().to_owned()),
                ("fileName", file_name.into()),
                ("fileType", file_type.into()),
            ],
        )
    }

    /// `sampleVideo`: `{"duration", "videoMediaId", "videoType", "picMediaId"}`; a cover picture is required and
    /// the duration is in seconds, as DingTalk documents it.
    pub fn video(
        video_media_id: &MediaId,
        video_type: impl Into<String>,
        duration_secs: u64,
        pic_media_id: &MediaId,
    ) -> Self {
        Self::build(
            MsgKey::SampleVideo,
            [
                ("videoMediaId", video_media_id.as_str().to_owned()),
                ("videoType", video_type.into()),
                ("duration", duration_secs.to_string()),
                ("picMediaId", pic_media_id.as_str().to_owned()),
            ],
        )
    }

    /// Any `msgKey` with parameters given as a JSON object (for keys DingTalk adds later).
    pub fn raw(msg_key: MsgKey, msg_param: &impl Serialize) -> Result<Self, Error> {
        let msg_param = serde_json::to_string(msg_param)
            .map_err(|e| Error::validation("msgParam could not be serialized").with_source(e))?;
        Ok(Self { msg_key, msg_param })
    }

    /// The `msgKey` and the `msgParam` JSON text.
    pub fn into_parts(self) -> (MsgKey, String) {
        (self.msg_key, self.msg_param)
    }

    /// The `msgKey`.
    pub fn msg_key(&self) -> &MsgKey {
        &self.msg_key
    }

    /// The `msgParam` JSON text.
    pub fn msg_param(&self) -> &str {
        &self.msg_param
    }

    /// Checks the `msgParam` size cap ([`MAX_MSG_PARAM_BYTES`]).
    pub fn validate(&self) -> Result<(), Error> {
        if self.msg_param.len() > MAX_MSG_PARAM_BYTES {
            return Err(Error::validation(format!(
                "msgParam is {} bytes; the limit is {MAX_MSG_PARAM_BYTES}",
                self.msg_param.len()
            )));
        }
        Ok(())
    }

    fn build<K: Into<String>>(msg_key: MsgKey, fields: impl IntoIterator<Item = (K, String)>) -> Self {
        let map: Map<String, Value> = fields
            .into_iter()
            .map(|(k, v)| (k.into(), Value::String(v)))
            .collect();
        Self {
            msg_key,
            msg_param: Value::Object(map).to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(message: &RobotMessage) -> Value {
        serde_json::from_str(message.msg_param()).unwrap()
    }

    #[test]
    fn every_constructor_writes_its_keys() {
        let media = MediaId::new("@lADO1");
        let cases = [
            (RobotMessage::text("hi"), "sampleText", vec!["content"]),
            (
                RobotMessage::markdown("t", "x"),
                "sampleMarkdown",
                vec!["title", "text"],
            ),
            (
                RobotMessage::image("https://p"),
                "sampleImageMsg",
                vec!["photoURL"],
            ),
            (
                RobotMessage::link("t", "x", "p", "m"),
                "sampleLink",
                vec!["title", "text", "picUrl", "messageUrl"],
            ),
            (
                RobotMessage::action_card("t", "x", ActionButton::new("Open", "https://a")),
                "sampleActionCard",
                vec!["singleTitle", "singleURL"],
            ),
            (
                RobotMessage::action_card_horizontal(
                    "t",
                    "x",
                    ActionButton::new("A", "https://a"),
                    ActionButton::new("B", "https://b"),
                ),
                "sampleActionCard6",
                vec!["buttonTitle1", "buttonUrl1", "buttonTitle2", "buttonUrl2"],
            ),
            (
                RobotMessage::audio(&media, 3000),
                "sampleAudio",
                vec!["mediaId", "duration"],
            ),
            (
                RobotMessage::file(&media, "a.pdf", "pdf"),
                "sampleFile",
                vec!["mediaId", "fileName", "fileType"],
            ),
            (
                RobotMessage::video(&media, "mp4", 12, &media),
                "sampleVideo",
                vec!["duration", "videoMediaId", "videoType", "picMediaId"],
            ),
        ];
        for (message, key, fields) in cases {
            assert_eq!(message.msg_key().as_str(), key);
            let value = param(&message);
            for field in fields {
                assert!(value[field].is_string(), "{key}: {field}");
            }
        }
    }

    #[test]
    fn vertical_cards_pick_the_key_by_button_count() {
        for (n, key) in [
            (2, "sampleActionCard2"),
            (3, "sampleActionCard3"),
            (4, "sampleActionCard4"),
            (5, "sampleActionCard5"),
        ] {
            let buttons = (0..n)
                .map(|i| ActionButton::new(format!("b{i}"), "https://x"))
                .collect();
            let message = RobotMessage::action_card_vertical("t", "x", buttons).unwrap();
            assert_eq!(message.msg_key().as_str(), key);
            assert_eq!(param(&message)[format!("actionURL{n}")], "https://x");
        }
        for n in [0, 1, 6] {
            let buttons = (0..n)
                .map(|i| ActionButton::new(format!("b{i}"), "https://x"))
                .collect();
            let error = RobotMessage::action_card_vertical("t", "x", buttons).unwrap_err();
            assert_eq!(error.kind(), crate::ErrorKind::Validation);
        }
    }

    #[test]
    fn oversized_param_is_refused() {
        assert!(RobotMessage::text("a".repeat(14_000)).validate().is_ok());
        let error = RobotMessage::text("a".repeat(15_000)).validate().unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::Validation);
    }
}
