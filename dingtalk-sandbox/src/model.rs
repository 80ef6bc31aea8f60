//! Public serde types of the control API, shared by the HTTP control routes and the Rust handle.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A user message to deliver to the app's Stream connections (`POST /_sandbox/messages`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct InjectMessage {
    /// `"1"` for a 1:1 chat with the robot, `"2"` for a group.
    pub conversation_type: String,
    /// The group (required when `conversation_type` is `"2"`).
    pub open_conversation_id: Option<String>,
    /// The sending user's id (staff id) in the demo org.
    pub sender_staff_id: String,
    /// `text` (default), `picture`, `richText`, `audio`, `video`, `file`, `markdown` or any other value.
    pub msgtype: Option<String>,
    /// Text for `text` messages.
    pub text: Option<String>,
    /// The `content` object for non-text messages; for `text`, extra members of `text` (for a quoted reply:
    /// `{"isReplyMsg": true, "repliedMsg": {...}}`), except `originalProcessQueryKey` (quoting a card: its
    /// delivery `carrierId`), which is put at the top level of the message as DingTalk does.
    pub content: Option<Value>,
    /// Whether the robot is @-mentioned (groups; default true).
    pub at_bot: Option<bool>,
    /// The app (client id) to deliver to (default: the demo app).
    pub client_id: Option<String>,
}

impl InjectMessage {
    /// A 1:1 text message from `sender_staff_id`.
    pub fn direct(sender_staff_id: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            conversation_type: "1".into(),
            sender_staff_id: sender_staff_id.into(),
            text: Some(text.into()),
            ..Self::default()
        }
    }

    /// A group text message that @-mentions the robot.
    pub fn group(
        open_conversation_id: impl Into<String>,
        sender_staff_id: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        Self {
            conversation_type: "2".into(),
            open_conversation_id: Some(open_conversation_id.into()),
            sender_staff_id: sender_staff_id.into(),
            text: Some(text.into()),
            at_bot: Some(true),
            ..Self::default()
        }
    }

    /// Sets the message type and its `content` object.
    #[must_use]
    pub fn with_content(mut self, msgtype: impl Into<String>, content: Value) -> Self {
        self.msgtype = Some(msgtype.into());
        self.content = Some(content);
        self
    }
}

/// What an injection produced.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Injected {
    /// The inbound `msgId` (stable across redeliveries).
    pub msg_id: String,
    /// The first push's `headers.messageId`.
    pub message_id: String,
    /// Whether it went to a connection now (false: queued until one connects).
    pub delivered: bool,
    /// The session webhook URL in the payload.
    pub session_webhook: String,
}

/// One message the app sent to users, webhook or OpenAPI (`GET /_sandbox/outbox`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OutboxEntry {
    /// 1-based sequence number, in send order.
    pub seq: u64,
    /// Virtual epoch milliseconds.
    pub time: u64,
    /// `webhook` or `openapi`.
    pub route: String,
    /// Request path, e.g. `/v1.0/robot/groupMessages/send`.
    pub endpoint: String,
    /// The conversation (open conversation id), when known.
    pub conversation: Option<String>,
    /// Recipient user ids (1:1 sends).
    pub recipients: Vec<String>,
    /// Webhook `msgtype` or OpenAPI `msgKey`.
    pub msgtype: String,
    /// Title, when the message has one.
    pub title: Option<String>,
    /// Main text (text content or markdown text), when present.
    pub text: Option<String>,
    /// `processQueryKey` for OpenAPI sends.
    pub process_query_key: Option<String>,
    /// Whether it was recalled.
    pub recalled: bool,
    /// The request body as received (`msgParam` parsed when it was JSON text).
    pub body: Value,
}

/// One recorded call on a card.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CardCall {
    /// Virtual epoch milliseconds.
    pub time: u64,
    /// `METHOD /path`.
    pub endpoint: String,
    /// The request body.
    pub body: Value,
    /// The HTTP status answered.
    pub status: u16,
}

/// One `flowStatus` value change.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FlowStatusChange {
    /// Virtual epoch milliseconds.
    pub time: u64,
    /// The new value.
    pub value: String,
}

/// Streaming state of one card variable.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StreamKeyState {
    /// Current content.
    pub content: String,
    /// A frame with `isFinalize` arrived.
    pub finalized: bool,
    /// A frame with `isError` arrived.
    pub error: bool,
    /// Frames accepted.
    pub frames: u64,
    /// Frames that arrived after finalize.
    pub late_frames: u64,
    /// Smallest gap between two frames, in ms.
    pub min_frame_gap_ms: Option<u64>,
}

/// A card's state and history (`GET /_sandbox/cards/{outTrackId}`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CardView {
    /// The caller's card id.
    pub out_track_id: String,
    /// The template.
    pub card_template_id: String,
    /// The owning app's client id.
    pub client_id: String,
    /// Spaces it was delivered to (`IM_GROUP.cid…`).
    pub spaces: Vec<String>,
    /// Current `cardParamMap`.
    pub variables: BTreeMap<String, String>,
    /// Current `flowStatus`, if set.
    pub flow_status: Option<String>,
    /// Every `flowStatus` change.
    pub flow_status_history: Vec<FlowStatusChange>,
    /// Per-key streaming state.
    pub streams: BTreeMap<String, StreamKeyState>,
    /// `spinning`, `finished`, `failed`, `blank` or `load_failed` (unrenderable template, or another app's).
    pub render_state: String,
    /// Advisory findings that did not fail a call (e.g. a streaming frame over 1 KB).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Every call on this card, in order.
    pub calls: Vec<CardCall>,
}

/// Per-connection Stream statistics.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ConnectionStats {
    /// Server-side connection id (the `connectionId` header).
    pub connection_id: String,
    /// The app.
    pub client_id: String,
    /// Whether the socket is still open.
    pub open: bool,
    /// Whether a SYSTEM `disconnect` was sent.
    pub disconnected: bool,
    /// Business frames pushed.
    pub delivered: u64,
    /// Business acks received.
    pub acked: u64,
    /// Ping acks received.
    pub ping_acks: u64,
}

/// Stream statistics (`GET /_sandbox/stats`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Stats {
    /// Every connection seen since the last reset.
    pub connections: Vec<ConnectionStats>,
    /// Business frames pushed (redeliveries included).
    pub delivered: u64,
    /// Business acks received.
    pub acked: u64,
    /// Redeliveries.
    pub redelivered: u64,
    /// Pushes waiting for a connection.
    pub queued: u64,
    /// Median ack latency in ms.
    pub ack_latency_p50_ms: f64,
    /// 99th percentile ack latency in ms.
    pub ack_latency_p99_ms: f64,
    /// Ack protocol violations recorded.
    pub violations: Vec<String>,
}

/// An HTTP fault rule (`POST /_sandbox/faults {"action":"set", ...}`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FaultRule {
    /// `*` (every API path), an exact path, or a prefix ending in `*`.
    pub path: String,
    /// What to do.
    #[serde(flatten)]
    pub fault: Fault,
    /// Apply this many times, then drop the rule (default: forever).
    #[serde(default)]
    pub times: Option<u32>,
    /// Apply only to the n-th matching call (1-based).
    #[serde(default)]
    pub nth: Option<u32>,
}

impl FaultRule {
    /// A rule applying `fault` to `path` on every matching call.
    pub fn new(path: impl Into<String>, fault: Fault) -> Self {
        Self {
            path: path.into(),
            fault,
            times: None,
            nth: None,
        }
    }

    /// Applies the rule this many times only.
    #[must_use]
    pub fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }

    /// Applies the rule to the n-th matching call only (1-based).
    #[must_use]
    pub fn nth(mut self, nth: u32) -> Self {
        self.nth = Some(nth);
        self
    }
}

/// An HTTP fault kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", rename_all_fields = "camelCase")]
#[non_exhaustive]
pub enum Fault {
    /// HTTP 429 with an optional `Retry-After` (seconds).
    #[serde(rename = "http_429")]
    Http429 {
        /// `Retry-After` value in seconds.
        #[serde(default)]
        retry_after: Option<u64>,
    },
    /// 403 `Forbidden.AccessDenied.QpsLimitForAppkeyAndApi` (or `code`); legacy `90018`.
    ThrottleQps {
        /// Another throttle code, e.g. `Forbidden.AccessDenied.QpsLimitForApi`.
        #[serde(default)]
        code: Option<String>,
    },
    /// 500 `unknownError` (or `status`); legacy `-1`.
    ServerError {
        /// Another 5xx status.
        #[serde(default)]
        status: Option<u16>,
    },
    /// Adds latency, then answers normally.
    Latency {
        /// Delay in ms.
        ms: u64,
    },
    /// HTTP 200 with a business error body.
    #[serde(rename = "business_error_200")]
    BusinessError200 {
        /// Legacy `errcode` (default 400002).
        #[serde(default)]
        errcode: Option<i64>,
        /// Message.
        #[serde(default)]
        errmsg: Option<String>,
    },
    /// The caller's token is treated as expired (and killed).
    TokenExpired,
    /// 403 `Forbidden.AccessDenied.AccessTokenPermissionDenied`; legacy `88`/`60011`.
    PermissionDenied,
    /// The connection is aborted without a complete response.
    Drop,
    /// HTTP 200 with truncated JSON.
    Malformed,
}

/// A fault on Stream connections (`POST /_sandbox/socket-faults`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", rename_all_fields = "camelCase")]
#[non_exhaustive]
pub enum SocketFault {
    /// Close TCP without a close frame.
    Drop,
    /// Send SYSTEM `disconnect`, stop business delivery, close after the configured delay.
    Disconnect {
        /// The `reason` (default `persistent connection is timeout`).
        #[serde(default)]
        reason: Option<String>,
    },
    /// Close with a WebSocket close frame.
    Close {
        /// Close code (default 1000).
        #[serde(default)]
        code: Option<u16>,
    },
    /// Stop reading and writing (no pongs, no acks read, no frames).
    Zombie,
    /// Keep pings going but route no business frames here.
    SilentStop,
    /// Send one malformed frame.
    Malformed {
        /// `non_json`, `binary`, `empty`, `missing_type`, `missing_headers`, `missing_data`,
        /// `missing_message_id`, `numeric_headers`, `header_misspelled`, `unknown_type`,
        /// `unknown_system_topic`, `unknown_callback_topic`, `data_object`, `huge`.
        variant: String,
    },
}

/// A card action to inject (`POST /_sandbox/card-callbacks`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct InjectCardCallback {
    /// The card.
    pub out_track_id: String,
    /// The acting user (default `user001`).
    pub user_id: Option<String>,
    /// The action id (default `btn_stop`).
    pub action_id: Option<String>,
    /// `cardPrivateData.params`.
    pub params: Option<Value>,
    /// How long to wait for the ack, in ms (default 5000).
    pub wait_ms: Option<u64>,
    /// The app (default: the card's app, else the demo app).
    pub client_id: Option<String>,
}

impl InjectCardCallback {
    /// A press of `action_id` on card `out_track_id`.
    pub fn new(out_track_id: impl Into<String>, action_id: impl Into<String>) -> Self {
        Self {
            out_track_id: out_track_id.into(),
            action_id: Some(action_id.into()),
            ..Self::default()
        }
    }
}

/// What a card callback injection produced.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CardCallbackResult {
    /// The push's `headers.messageId`.
    pub message_id: String,
    /// Whether the client acked within the wait.
    pub acked: bool,
    /// The ack's `data.response` (`null` when none).
    pub response: Value,
}

/// An EVENT to inject (`POST /_sandbox/events`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct InjectEvent {
    /// `headers.eventType`, e.g. `user_add_org`.
    pub event_type: String,
    /// The event payload (sent as JSON text).
    pub data: Value,
    /// The app (default: the demo app).
    pub client_id: Option<String>,
}

impl InjectEvent {
    /// An event of `event_type` with `data`.
    pub fn new(event_type: impl Into<String>, data: Value) -> Self {
        Self {
            event_type: event_type.into(),
            data,
            client_id: None,
        }
    }
}

/// Load generation (`POST /_sandbox/burst`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct Burst {
    /// Number of bot messages.
    pub count: u64,
    /// Topic (default `/v1.0/im/bot/messages/get`).
    pub topic: Option<String>,
    /// Number of distinct conversations, round-robin (default 1).
    pub conversations: Option<u64>,
    /// The app (default: the demo app).
    pub client_id: Option<String>,
}

impl Burst {
    /// `count` bot messages over one conversation.
    pub fn new(count: u64) -> Self {
        Self {
            count,
            ..Self::default()
        }
    }
}

/// One API request as the sandbox answered it (`GET /_sandbox/requests`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RequestRecord {
    /// 1-based sequence number.
    pub seq: u64,
    /// Virtual epoch milliseconds when the request arrived.
    pub time: u64,
    /// HTTP method.
    pub method: String,
    /// Path, without the query (tokens never recorded).
    pub path: String,
    /// HTTP status answered.
    pub status: u16,
    /// The injected fault, if any (its `kind`).
    pub fault: Option<String>,
    /// The calling app, when a token identified one.
    pub client_id: Option<String>,
    /// The query string, secrets (`access_token`, `sign`, …) replaced by `<redacted>`.
    #[serde(default)]
    pub query: Option<String>,
    /// The body: JSON (or form fields as a JSON object) with secrets, tokens and codes redacted, or
    /// `{"bytes": n}` for other bodies.
    #[serde(default)]
    pub body: Option<Value>,
}

/// One frame pushed for a business message (`GET /_sandbox/pushes`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PushRecord {
    /// The frame's `headers.messageId`.
    pub message_id: String,
    /// The connection that carried it.
    pub connection_id: String,
    /// `EVENT` or `CALLBACK`.
    pub kind: String,
    /// The topic.
    pub topic: String,
    /// 0 for the first delivery, then 1, 2, ... for redeliveries.
    pub attempt: u32,
    /// Whether this frame was acked.
    pub acked: bool,
    /// The ack's `code`.
    pub ack_code: Option<i64>,
    /// The ack's `data` text.
    pub ack_data: Option<String>,
    /// Ack latency in ms.
    pub ack_latency_ms: Option<f64>,
    /// The pushed `data` text.
    pub data: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_kinds_use_the_documented_names() {
        let rule: FaultRule = serde_json::from_value(
            serde_json::json!({"path": "*", "kind": "http_429", "retryAfter": 2, "times": 1}),
        )
        .unwrap();
        assert_eq!(rule.fault, Fault::Http429 { retry_after: Some(2) });
        for kind in [
            "throttle_qps",
            "server_error",
            "business_error_200",
            "token_expired",
            "permission_denied",
            "drop",
            "malformed",
        ] {
            let v = serde_json::json!({"path": "*", "kind": kind});
            assert!(serde_json::from_value::<FaultRule>(v).is_ok(), "{kind}");
        }
        let latency: FaultRule =
            serde_json::from_value(serde_json::json!({"path": "*", "kind": "latency", "ms": 5})).unwrap();
        assert_eq!(latency.fault, Fault::Latency { ms: 5 });
        let sock: SocketFault =
            serde_json::from_value(serde_json::json!({"kind": "silent_stop", "connectionId": "x"})).unwrap();
        assert_eq!(sock, SocketFault::SilentStop);
    }
}
