//! Card configuration and templates.

use std::time::Duration;

use crate::machine::Vars;

/// A card template and how it binds variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateSpec {
    /// The `cardTemplateId`.
    pub id: String,
    /// The streamed variable (`msgContent` on DingTalk's AI templates).
    pub stream_key: String,
    /// Variables sent at create time besides `flowStatus` and the stream key.
    pub static_params: Vars,
    /// Whether the template switches on `flowStatus`.
    pub supports_flow_status: bool,
    /// The variable that shows a stop button, if any; set to `"false"` when the reply ends by a stop.
    pub stop_key: Option<String>,
}

impl TemplateSpec {
    /// DingTalk's "AI Markdown card" template (`382e4302…`), stream key `msgContent`.
    pub fn stock() -> Self {
        Self {
            id: "382e4302-551d-4880-bf29-a30acfab2e71.schema".to_owned(),
            stream_key: "msgContent".to_owned(),
            static_params: [("staticMsgContent".to_owned(), String::new())]
                .into_iter()
                .collect(),
            supports_flow_status: true,
            stop_key: None,
        }
    }

    /// The template DingTalk's connector calls public (`02fcf2f4…`), stream key `msgContent`.
    pub fn public() -> Self {
        Self {
            id: "02fcf2f4-5e02-4a85-b672-46d1f715543e.schema".to_owned(),
            stream_key: "msgContent".to_owned(),
            static_params: [
                ("staticMsgContent".to_owned(), String::new()),
                (
                    "sys_full_json_obj".to_owned(),
                    r#"{"order":["msgContent"]}"#.to_owned(),
                ),
                ("config".to_owned(), r#"{"autoLayout":true}"#.to_owned()),
            ]
            .into_iter()
            .collect(),
            supports_flow_status: true,
            stop_key: None,
        }
    }
}

/// What happens when a reply outgrows one card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Overflow {
    /// Close this card at a split point and continue in a new card (default).
    Continuation,
    /// Close this card at a split point and send the rest as markdown.
    Markdown,
    /// Cut at the split point.
    Truncate,
}

/// Timing, budgets and texts of a card. Defaults follow the project's card reference.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools, reason = "independent switches")]
pub struct CardConfig {
    /// Minimum spacing of frames (300 ms; at least 100 ms).
    pub stream_interval: Duration,
    /// Ceiling of the spacing after throttling (2 s).
    pub max_interval: Duration,
    /// No frame or finalize earlier than this after delivery (500 ms).
    pub first_frame_gap: Duration,
    /// Give up creating after this long (15 s).
    pub create_deadline: Duration,
    /// Create attempts (3).
    pub create_attempts: u32,
    /// Retries of each closing call (5).
    pub finalize_retries: u32,
    /// Idle watchdog (300 s).
    pub watchdog_idle: Duration,
    /// Absolute watchdog (1800 s).
    pub watchdog_max: Duration,
    /// Content budget in characters (2500).
    pub budget_chars: usize,
    /// Content budget in UTF-8 bytes (12288).
    pub budget_bytes: usize,
    /// The overflow policy.
    pub overflow: Overflow,
    /// Continuation cards at most (4).
    pub max_continuations: u32,
    /// Create and deliver in one call (true) or two.
    pub one_call_create: bool,
    /// Normalize newlines for the card renderer.
    pub normalize_newlines: bool,
    /// Card degrade after permission or template errors (30 min).
    pub degrade: Duration,
    /// Card degrade after throttling or transient errors on create (2 min).
    pub transient_degrade: Duration,
    /// Shown for an empty answer.
    pub empty_reply_text: String,
    /// Prefix of the failure line (the reason follows).
    pub failure_prefix: String,
    /// Appended on stop.
    pub stop_line: String,
    /// Appended when a continuation card follows.
    pub continuation_line: String,
    /// Appended when the rest follows as markdown.
    pub spill_line: String,
    /// Appended when the text is cut.
    pub truncated_line: String,
    /// Appended when the card broke and the answer follows as markdown.
    pub pointer_line: String,
}

impl Default for CardConfig {
    fn default() -> Self {
        Self {
            stream_interval: Duration::from_millis(300),
            max_interval: Duration::from_secs(2),
            first_frame_gap: Duration::from_millis(500),
            create_deadline: Duration::from_secs(15),
            create_attempts: 3,
            finalize_retries: 5,
            watchdog_idle: Duration::from_mins(5),
            watchdog_max: Duration::from_mins(30),
            budget_chars: 2500,
            budget_bytes: 12_288,
            overflow: Overflow::Continuation,
            max_continuations: 4,
            one_call_create: true,
            normalize_newlines: true,
            degrade: Duration::from_mins(30),
            transient_degrade: Duration::from_mins(2),
            empty_reply_text: "（无回复内容）".to_owned(),
            failure_prefix: "\n\n❌ 处理失败：".to_owned(),
            stop_line: "\n\n⏹️ 已停止".to_owned(),
            continuation_line: "\n\n（续见下一张卡片）".to_owned(),
            spill_line: "\n\n（完整内容见下方消息）".to_owned(),
            truncated_line: "…（内容过长已截断）".to_owned(),
            pointer_line: "\n\n⚠️ 卡片更新失败，完整回复见下方消息".to_owned(),
        }
    }
}
