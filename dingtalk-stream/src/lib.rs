#![doc = include_str!("../README.md")]

mod ack;
mod backoff;
mod clock;
mod dedup;
mod error;
mod frame;
mod message;

pub use ack::EventStatus;
pub use backoff::{
    BACKOFF_FLOOR, BackoffConfig, DEFAULT_ALERT_AFTER, DEFAULT_BACKOFF_CAP, DEFAULT_BACKOFF_INITIAL,
    DEFAULT_BACKOFF_JITTER,
};
pub use dedup::{
    DEFAULT_DEDUP_CAPACITY, DEFAULT_DEDUP_TTL, DedupStore, MIN_DEDUP_TTL, MemoryDedup, Seen, SqliteDedup, bot_key,
    event_key, frame_key,
};
pub use error::{Error, ErrorKind};
pub use frame::{Frame, FrameError, Headers, decode as decode_frame};
pub use message::{
    AtUser, AudioContent, BotMessage, CardCallback, CardPrivateData, ConversationMsgContext, FileContent,
    GraphRequest, GraphResponse, HostingContext, MarkdownContent, MessageContent, PayloadError, PictureContent,
    RepliedMsg, RichTextItem, TextContent, VideoContent,
};
