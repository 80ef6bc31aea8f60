//! Typed payloads: robot messages (§4.2–4.5), card action callbacks (§4.6), graph API calls (§4.7) and generic
//! events (§4.8).
//!
//! Decoding is lenient by construction: each known field is taken from the JSON object only when it has a usable
//! type (a number sent as a string, or the reverse, is accepted); a field with an odd type is left in the `extra`
//! map instead of failing the message, and unknown fields land there too. A known `msgtype` whose `content` does
//! not fit its shape decodes as [`MessageContent::Unknown`] (R-BAD-3).

use std::collections::BTreeMap;

use dingtalk_core::id::{
    ConversationId, CorpId, DownloadCode, MsgId, OutTrackId, RobotCode, SenderId, StaffId, UserId,
};
use dingtalk_core::wire::{ConversationType, MsgType};
use serde::Serialize;
use serde_json::{Map, Value};

/// A robot message: the `data` of `/v1.0/im/bot/messages/get` or `/v1.0/im/bot/messages/delegate`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct BotMessage {
    /// `msgId`: stable across redeliveries; with `robot_code`, the primary dedup key.
    pub id: MsgId,
    /// `msgtype` as sent.
    pub msg_type: MsgType,
    /// The typed content.
    pub content: MessageContent,
    /// `createAt` (epoch ms).
    pub create_at: Option<i64>,
    /// `conversationId` (`cid…`); in groups it is the `openConversationId` used by OpenAPI sends.
    pub conversation_id: ConversationId,
    /// `conversationType`: 1:1 or group.
    pub conversation_type: Option<ConversationType>,
    /// `conversationTitle` (groups).
    pub conversation_title: Option<String>,
    /// `openThreadId`.
    pub open_thread_id: Option<String>,
    /// `senderId` (encrypted).
    pub sender_id: SenderId,
    /// `senderNick`.
    pub sender_nick: Option<String>,
    /// `senderStaffId`: the org user id; missing for external users.
    pub sender_staff_id: Option<StaffId>,
    /// `senderCorpId`.
    pub sender_corp_id: Option<CorpId>,
    /// `senderPlatform`, e.g. `Mac`.
    pub sender_platform: Option<String>,
    /// `isAdmin`.
    pub is_admin: Option<bool>,
    /// `chatbotUserId` (encrypted).
    pub chatbot_user_id: Option<String>,
    /// `chatbotCorpId`.
    pub chatbot_corp_id: Option<CorpId>,
    /// `robotCode`: scopes dedup.
    pub robot_code: RobotCode,
    /// `isInAtList` (groups).
    pub is_in_at_list: Option<bool>,
    /// `atUsers` (groups).
    pub at_users: Vec<AtUser>,
    /// `sessionWebhook`: token-less reply URL.
    pub session_webhook: Option<String>,
    /// `sessionWebhookExpiredTime` (epoch ms).
    pub session_webhook_expired_time: Option<i64>,
    /// `hostingContext` (delegate messages).
    pub hosting_context: Option<HostingContext>,
    /// `conversationMsgContext` (delegate messages).
    pub conversation_msg_context: Vec<ConversationMsgContext>,
    /// Every field not decoded above, including known fields with an unusable type.
    pub extra: Map<String, Value>,
}

/// A mentioned user (`atUsers[]`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AtUser {
    /// `dingtalkId` (encrypted).
    pub dingtalk_id: String,
    /// `staffId`, when known.
    pub staff_id: Option<StaffId>,
}

/// `hostingContext` of a delegate message: the user the bot acts for.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HostingContext {
    /// `userId`.
    pub user_id: Option<UserId>,
    /// `nick`.
    pub nick: Option<String>,
}

/// One `conversationMsgContext[]` entry of a delegate message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConversationMsgContext {
    /// `readStatus` (`"2"` = read by me).
    pub read_status: Option<String>,
    /// `senderUserId`.
    pub sender_user_id: Option<String>,
    /// `sendTime` (epoch ms).
    pub send_time: Option<i64>,
}

/// The content of a robot message, per `msgtype` (§4.3).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum MessageContent {
    /// `text`.
    Text(TextContent),
    /// `richText`: text mixed with pictures and mentions.
    RichText(Vec<RichTextItem>),
    /// `picture`.
    Picture(PictureContent),
    /// `audio`, with DingTalk's speech recognition.
    Audio(AudioContent),
    /// `video`.
    Video(VideoContent),
    /// `file`.
    File(FileContent),
    /// `markdown` (from `content.{title,text}` or `text.content`).
    Markdown(MarkdownContent),
    /// `interactiveCard`: raw `content`.
    InteractiveCard(Value),
    /// `chatRecord`: raw `content`.
    ChatRecord(Value),
    /// Any other `msgtype`, or a known one whose content did not fit its shape.
    Unknown {
        /// The `msgtype` as sent.
        msgtype: String,
        /// The raw `content` (or `text`) member, `Null` when absent.
        raw: Value,
    },
}

impl MessageContent {
    /// The plain text a user typed, when the message has any: `text`, markdown text, audio recognition, or the
    /// joined text items of a rich text message. Not trimmed.
    pub fn text(&self) -> Option<String> {
        match self {
            Self::Text(t) => Some(t.content.clone()),
            Self::Markdown(m) => Some(m.text.clone()),
            Self::Audio(a) => a.recognition.clone(),
            Self::RichText(items) => {
                let text: String = items
                    .iter()
                    .filter_map(|i| match i {
                        RichTextItem::Text(t) => Some(t.as_str()),
                        _ => None,
                    })
                    .collect();
                Some(text)
            }
            _ => None,
        }
    }
}

/// `text` content, including the quoted-reply fields.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TextContent {
    /// `content`. In groups it usually starts with a space left by the removed @mention.
    pub content: String,
    /// `isReplyMsg`: this message quotes another one.
    pub is_reply_msg: bool,
    /// `repliedMsg`: the quoted message.
    pub replied_msg: Option<RepliedMsg>,
    /// Other members of `text`.
    pub extra: Map<String, Value>,
}

/// The quoted message of a reply (`text.repliedMsg`; shape unverified).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RepliedMsg {
    /// `msgType`.
    pub msg_type: Option<String>,
    /// `msgId`.
    pub msg_id: Option<MsgId>,
    /// `senderId`.
    pub sender_id: Option<SenderId>,
    /// `createdAt` (epoch ms).
    pub created_at: Option<i64>,
    /// Raw `content`.
    pub content: Value,
}

/// One `richText` item.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum RichTextItem {
    /// `{"text": …}`.
    Text(String),
    /// `{"type":"picture", "downloadCode", "pictureDownloadCode"}`.
    Picture(PictureContent),
    /// `{"type":"at", "atName", "atUserId"}`.
    At {
        /// `atName`.
        name: Option<String>,
        /// `atUserId`.
        user_id: Option<String>,
    },
    /// Anything else, raw.
    Unknown(Value),
}

/// `picture` content (also a rich text picture item).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PictureContent {
    /// `downloadCode`.
    pub download_code: DownloadCode,
    /// `pictureDownloadCode`.
    pub picture_download_code: Option<DownloadCode>,
}

/// `audio` content.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AudioContent {
    /// `duration` in ms (number or numeric string; may be missing).
    pub duration_ms: Option<u64>,
    /// `downloadCode`.
    pub download_code: DownloadCode,
    /// `recognition`: DingTalk's speech-to-text.
    pub recognition: Option<String>,
}

/// `video` content.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VideoContent {
    /// `duration` in ms.
    pub duration_ms: Option<u64>,
    /// `downloadCode`.
    pub download_code: DownloadCode,
    /// `videoType`, e.g. `mp4`.
    pub video_type: Option<String>,
}

/// `file` content.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileContent {
    /// `downloadCode`.
    pub download_code: DownloadCode,
    /// `fileId`.
    pub file_id: Option<String>,
    /// `fileName`.
    pub file_name: Option<String>,
    /// `spaceId`.
    pub space_id: Option<String>,
}

/// `markdown` content.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MarkdownContent {
    /// `title`.
    pub title: Option<String>,
    /// `text`.
    pub text: String,
}

/// Why a payload could not be decoded at all (the engine answers 400).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// `data` is not a JSON object.
    #[error("payload is not a JSON object")]
    NotObject,
    /// A field needed to identify the payload is missing.
    #[error("payload misses `{0}`")]
    Missing(&'static str),
}

impl BotMessage {
    /// Whether `data` decodes as a robot message ([`BotMessage::from_json`] succeeds), without building it: one
    /// scan that allocates nothing for the usual frame. Unusual text (escaped keys, odd `msgId` types) is decided
    /// by a full decode.
    pub(crate) fn check(data: &str) -> Result<(), PayloadError> {
        match serde_json::from_str::<peek::MsgIdPeek>(data) {
            Ok(peek::MsgIdPeek(true)) => Ok(()),
            _ => Self::from_json(data).map(drop),
        }
    }

    /// Decodes the `data` text of a bot message frame.
    pub fn from_json(data: &str) -> Result<Self, PayloadError> {
        let Ok(Value::Object(map)) = serde_json::from_str::<Value>(data) else {
            return Err(PayloadError::NotObject);
        };
        Self::from_map(map)
    }

    fn from_map(map: Map<String, Value>) -> Result<Self, PayloadError> {
        let mut f = Fields(map);
        let id = f
            .string("msgId")
            .filter(|s| !s.is_empty())
            .ok_or(PayloadError::Missing("msgId"))?;
        let msgtype = f.string("msgtype").unwrap_or_default();
        let content = decode_content(&msgtype, &mut f);
        let at_users = f
            .array("atUsers")
            .unwrap_or_default()
            .into_iter()
            .filter_map(|v| match v {
                Value::Object(m) => {
                    let mut u = Fields(m);
                    Some(AtUser {
                        dingtalk_id: u.string("dingtalkId").unwrap_or_default(),
                        staff_id: u.string("staffId").map(StaffId::new),
                    })
                }
                _ => None,
            })
            .collect();
        let hosting_context = f.object("hostingContext").map(|m| {
            let mut h = Fields(m);
            HostingContext {
                user_id: h.string("userId").map(UserId::new),
                nick: h.string("nick"),
            }
        });
        let conversation_msg_context = f
            .array("conversationMsgContext")
            .unwrap_or_default()
            .into_iter()
            .filter_map(|v| match v {
                Value::Object(m) => {
                    let mut c = Fields(m);
                    Some(ConversationMsgContext {
                        read_status: c.string("readStatus"),
                        sender_user_id: c.string("senderUserId"),
                        send_time: c.int("sendTime"),
                    })
                }
                _ => None,
            })
            .collect();
        Ok(Self {
            id: MsgId::new(id),
            msg_type: MsgType::from(msgtype),
            content,
            create_at: f.int("createAt"),
            conversation_id: ConversationId::new(f.string("conversationId").unwrap_or_default()),
            conversation_type: f.string("conversationType").map(ConversationType::from),
            conversation_title: f.string("conversationTitle"),
            open_thread_id: f.string("openThreadId"),
            sender_id: SenderId::new(f.string("senderId").unwrap_or_default()),
            sender_nick: f.string("senderNick"),
            sender_staff_id: f
                .string("senderStaffId")
                .filter(|s| !s.is_empty())
                .map(StaffId::new),
            sender_corp_id: f.string("senderCorpId").map(CorpId::new),
            sender_platform: f.string("senderPlatform"),
            is_admin: f.boolean("isAdmin"),
            chatbot_user_id: f.string("chatbotUserId"),
            chatbot_corp_id: f.string("chatbotCorpId").map(CorpId::new),
            robot_code: RobotCode::new(f.string("robotCode").unwrap_or_default()),
            is_in_at_list: f.boolean("isInAtList"),
            at_users,
            session_webhook: f.string("sessionWebhook"),
            session_webhook_expired_time: f.int("sessionWebhookExpiredTime"),
            hosting_context,
            conversation_msg_context,
            extra: f.0,
        })
    }
}

fn decode_content(msgtype: &str, f: &mut Fields) -> MessageContent {
    let unknown = |raw: Value| MessageContent::Unknown {
        msgtype: msgtype.to_owned(),
        raw,
    };
    match msgtype {
        "text" => match f.object("text") {
            Some(m) => {
                let mut t = Fields(m);
                match t.string("content") {
                    Some(content) => MessageContent::Text(TextContent {
                        content,
                        is_reply_msg: t.boolean("isReplyMsg").unwrap_or(false),
                        replied_msg: t.object("repliedMsg").map(|m| {
                            let mut r = Fields(m);
                            RepliedMsg {
                                msg_type: r.string("msgType"),
                                msg_id: r.string("msgId").map(MsgId::new),
                                sender_id: r.string("senderId").map(SenderId::new),
                                created_at: r.int("createdAt"),
                                content: r.0.remove("content").unwrap_or(Value::Null),
                            }
                        }),
                        extra: t.0,
                    }),
                    None => unknown(Value::Object(t.0)),
                }
            }
            None => unknown(f.0.remove("text").unwrap_or(Value::Null)),
        },
        "markdown" => {
            if let Some(m) = f.object("content") {
                let mut c = Fields(m);
                match c.string("text") {
                    Some(text) => MessageContent::Markdown(MarkdownContent {
                        title: c.string("title"),
                        text,
                    }),
                    None => unknown(Value::Object(c.0)),
                }
            } else if let Some(m) = f.object("text") {
                let mut t = Fields(m);
                match t.string("content") {
                    Some(text) => MessageContent::Markdown(MarkdownContent {
                        title: t.string("title"),
                        text,
                    }),
                    None => unknown(Value::Object(t.0)),
                }
            } else {
                unknown(Value::Null)
            }
        }
        "picture" | "richText" | "audio" | "video" | "file" | "interactiveCard" | "chatRecord" => {
            let Some(raw) = f.0.remove("content") else {
                return unknown(Value::Null);
            };
            decode_content_object(msgtype, &raw).unwrap_or_else(|| unknown(raw))
        }
        _ => unknown(f.0.remove("content").unwrap_or(Value::Null)),
    }
}

fn decode_content_object(msgtype: &str, raw: &Value) -> Option<MessageContent> {
    match msgtype {
        "interactiveCard" => return Some(MessageContent::InteractiveCard(raw.clone())),
        "chatRecord" => return Some(MessageContent::ChatRecord(raw.clone())),
        _ => {}
    }
    let mut c = Fields(raw.as_object()?.clone());
    Some(match msgtype {
        "picture" => MessageContent::Picture(picture(&mut c)?),
        "richText" => MessageContent::RichText(c.array("richText")?.into_iter().map(rich_item).collect()),
        "audio" => MessageContent::Audio(AudioContent {
            duration_ms: c.uint("duration"),
            download_code: DownloadCode::new(c.string("downloadCode")?),
            recognition: c.string("recognition"),
        }),
        "video" => MessageContent::Video(VideoContent {
            duration_ms: c.uint("duration"),
            download_code: DownloadCode::new(c.string("downloadCode")?),
            video_type: c.string("videoType"),
        }),
        "file" => MessageContent::File(FileContent {
            download_code: DownloadCode::new(c.string("downloadCode")?),
            file_id: c.string("fileId"),
            file_name: c.string("fileName"),
            space_id: c.string("spaceId"),
        }),
        _ => return None,
    })
}

fn picture(c: &mut Fields) -> Option<PictureContent> {
    Some(PictureContent {
        download_code: DownloadCode::new(c.string("downloadCode")?),
        picture_download_code: c.string("pictureDownloadCode").map(DownloadCode::new),
    })
}

fn rich_item(value: Value) -> RichTextItem {
    let Value::Object(map) = value else {
        return RichTextItem::Unknown(value);
    };
    let mut c = Fields(map);
    match c.0.get("type").and_then(Value::as_str) {
        Some("picture") => match picture(&mut c) {
            Some(p) => RichTextItem::Picture(p),
            None => RichTextItem::Unknown(Value::Object(c.0)),
        },
        Some("at") => RichTextItem::At {
            name: c.string("atName"),
            user_id: c.string("atUserId"),
        },
        None | Some("text") if c.0.get("text").is_some_and(Value::is_string) => {
            RichTextItem::Text(c.string("text").unwrap_or_default())
        }
        _ => RichTextItem::Unknown(Value::Object(c.0)),
    }
}

/// A card action callback: the `data` of `/v1.0/card/instances/callback` (§4.6).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CardCallback {
    /// `type`, normally `actionCallback`.
    pub callback_type: Option<String>,
    /// `outTrackId`: the card instance id chosen at create time. The ordering key of card callbacks.
    pub out_track_id: OutTrackId,
    /// `corpId`.
    pub corp_id: Option<CorpId>,
    /// `userId`: the user who acted.
    pub user_id: Option<UserId>,
    /// `userIdType` (`1` = staff userId).
    pub user_id_type: Option<i64>,
    /// `spaceId` (may be empty).
    pub space_id: Option<String>,
    /// `spaceType`, e.g. `IM_GROUP` (may be empty).
    pub space_type: Option<String>,
    /// `cardPrivateData` parsed from the `content` JSON string (or `value` when `content` is unusable).
    pub private_data: Option<CardPrivateData>,
    /// `extension` parsed from its JSON string; the raw string when it is not JSON.
    pub extension: Option<Value>,
    /// Every other field, including `content`/`value` when they could not be parsed.
    pub extra: Map<String, Value>,
}

/// `cardPrivateData` of a card action.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct CardPrivateData {
    /// `actionIds`: which buttons or actions fired.
    pub action_ids: Vec<String>,
    /// `params`: values may be strings, arrays or objects.
    pub params: Map<String, Value>,
}

impl CardCallback {
    /// Decodes the `data` text of a card callback frame.
    pub fn from_json(data: &str) -> Result<Self, PayloadError> {
        let Ok(Value::Object(map)) = serde_json::from_str::<Value>(data) else {
            return Err(PayloadError::NotObject);
        };
        let mut f = Fields(map);
        let out_track_id = f
            .string("outTrackId")
            .ok_or(PayloadError::Missing("outTrackId"))?;
        let mut private_data = None;
        for key in ["content", "value"] {
            if private_data.is_some() {
                break;
            }
            let parsed = match f.0.get(key) {
                Some(Value::String(s)) => serde_json::from_str::<Value>(s).ok(),
                Some(v @ Value::Object(_)) => Some(v.clone()),
                _ => None,
            };
            if let Some(p) = parsed.as_ref().and_then(parse_private_data) {
                f.0.remove(key);
                private_data = Some(p);
            }
        }
        let extension = match f.0.remove("extension") {
            Some(Value::String(s)) => Some(serde_json::from_str(&s).unwrap_or(Value::String(s))),
            other => other,
        };
        Ok(Self {
            callback_type: f.string("type"),
            out_track_id: OutTrackId::new(out_track_id),
            corp_id: f.string("corpId").map(CorpId::new),
            user_id: f.string("userId").map(UserId::new),
            user_id_type: f.int("userIdType"),
            space_id: f.string("spaceId"),
            space_type: f.string("spaceType"),
            private_data,
            extension,
            extra: f.0,
        })
    }
}

fn parse_private_data(content: &Value) -> Option<CardPrivateData> {
    let private = content.get("cardPrivateData")?.as_object()?;
    let action_ids = match private.get("actionIds") {
        Some(Value::Array(ids)) => ids.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        Some(Value::String(id)) => vec![id.clone()],
        _ => Vec::new(),
    };
    let params = private
        .get("params")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    Some(CardPrivateData { action_ids, params })
}

/// A graph API plugin call: the `data` of `/v1.0/graph/api/invoke` (§4.7).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GraphRequest {
    /// `requestLine.method`.
    pub method: String,
    /// `requestLine.uri`, query included.
    pub uri: String,
    /// `headers`, values coerced to strings.
    pub headers: BTreeMap<String, String>,
    /// `body` (text).
    pub body: String,
}

impl GraphRequest {
    /// Decodes the `data` text of a graph API frame.
    pub fn from_json(data: &str) -> Result<Self, PayloadError> {
        let Ok(Value::Object(map)) = serde_json::from_str::<Value>(data) else {
            return Err(PayloadError::NotObject);
        };
        let mut f = Fields(map);
        let mut line = Fields(
            f.object("requestLine")
                .ok_or(PayloadError::Missing("requestLine"))?,
        );
        let headers = f
            .object("headers")
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, v)| scalar_string(v).map(|v| (k, v)))
            .collect();
        Ok(Self {
            method: line.string("method").unwrap_or_default(),
            uri: line.string("uri").unwrap_or_default(),
            headers,
            body: f.string("body").unwrap_or_default(),
        })
    }

    /// The path: `uri` up to `?`.
    pub fn path(&self) -> &str {
        self.uri.split('?').next().unwrap_or("")
    }
}

/// The answer to a [`GraphRequest`], sent as the callback `response`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphResponse {
    status_line: StatusLine,
    headers: BTreeMap<String, String>,
    body: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusLine {
    code: u16,
    reason_phrase: String,
}

impl GraphResponse {
    /// A response with a status code and reason phrase, no headers and an empty body.
    pub fn new(code: u16, reason_phrase: impl Into<String>) -> Self {
        Self {
            status_line: StatusLine {
                code,
                reason_phrase: reason_phrase.into(),
            },
            headers: BTreeMap::new(),
            body: String::new(),
        }
    }

    /// `200 OK` with a JSON body and `Content-Type: application/json`.
    pub fn json(body: impl Into<String>) -> Self {
        Self::new(200, "OK")
            .header("Content-Type", "application/json")
            .body(body)
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }

    /// Sets the body text.
    #[must_use]
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = body.into();
        self
    }
}

/// A JSON object whose known members are taken out one by one; what remains is the `extra` map.
struct Fields(Map<String, Value>);

impl Fields {
    /// A string member; numbers and booleans are accepted as text. Any other type stays in the map.
    fn string(&mut self, key: &str) -> Option<String> {
        if !matches!(
            self.0.get(key)?,
            Value::String(_) | Value::Number(_) | Value::Bool(_)
        ) {
            return None;
        }
        scalar_string(self.0.remove(key)?)
    }

    /// An integer member, from a number or a numeric string.
    fn int(&mut self, key: &str) -> Option<i64> {
        let v = match self.0.get(key)? {
            Value::Number(n) => n.as_i64().or_else(|| n.as_f64().and_then(float_to_i64)),
            Value::String(s) => s
                .trim()
                .parse::<i64>()
                .ok()
                .or_else(|| s.trim().parse().ok().and_then(float_to_i64)),
            _ => None,
        }?;
        self.0.remove(key);
        Some(v)
    }

    /// A non-negative integer member.
    fn uint(&mut self, key: &str) -> Option<u64> {
        let v = self.int(key)?;
        u64::try_from(v).ok()
    }

    /// A boolean member, from a bool or `"true"`/`"false"`.
    fn boolean(&mut self, key: &str) -> Option<bool> {
        let v = match self.0.get(key)? {
            Value::Bool(b) => *b,
            Value::String(s) if s == "true" => true,
            Value::String(s) if s == "false" => false,
            _ => return None,
        };
        self.0.remove(key);
        Some(v)
    }

    fn object(&mut self, key: &str) -> Option<Map<String, Value>> {
        if !self.0.get(key)?.is_object() {
            return None;
        }
        match self.0.remove(key) {
            Some(Value::Object(m)) => Some(m),
            _ => None,
        }
    }

    fn array(&mut self, key: &str) -> Option<Vec<Value>> {
        if !self.0.get(key)?.is_array() {
            return None;
        }
        match self.0.remove(key) {
            Some(Value::Array(a)) => Some(a),
            _ => None,
        }
    }
}

fn scalar_string(value: Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[expect(
    clippy::cast_possible_truncation,
    reason = "guarded: integral and within ±2^53"
)]
fn float_to_i64(f: f64) -> Option<i64> {
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0).then_some(f as i64)
}

/// [`BotMessage::check`]: finds whether the last `msgId` of a JSON object is a usable, non-empty scalar.
mod peek {
    use std::fmt;

    use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

    /// `true` when the text is an object whose `msgId` decodes to a non-empty id.
    pub(super) struct MsgIdPeek(pub(super) bool);

    impl<'de> Deserialize<'de> for MsgIdPeek {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_map(ObjectVisitor)
        }
    }

    struct ObjectVisitor;

    impl<'de> Visitor<'de> for ObjectVisitor {
        type Value = MsgIdPeek;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MsgIdPeek, A::Error> {
            let mut ok = false;
            while let Some(key) = map.next_key::<&'de str>()? {
                if key == "msgId" {
                    // A later duplicate wins, as in a JSON object.
                    ok = map.next_value::<IdOk>()?.0;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(MsgIdPeek(ok))
        }
    }

    struct IdOk(bool);

    impl<'de> Deserialize<'de> for IdOk {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(IdVisitor)
        }
    }

    struct IdVisitor;

    impl Visitor<'_> for IdVisitor {
        type Value = IdOk;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a scalar")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<IdOk, E> {
            Ok(IdOk(!v.is_empty()))
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<IdOk, E> {
            Ok(IdOk(true))
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<IdOk, E> {
            Ok(IdOk(true))
        }

        fn visit_u64<E: de::Error>(self, _: u64) -> Result<IdOk, E> {
            Ok(IdOk(true))
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<IdOk, E> {
            Ok(IdOk(true))
        }

        fn visit_unit<E: de::Error>(self) -> Result<IdOk, E> {
            Ok(IdOk(false))
        }
    }
}

#[cfg(test)]
mod tests;
