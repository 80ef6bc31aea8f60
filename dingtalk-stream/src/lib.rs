#![doc = include_str!("../README.md")]

mod ack;
mod backoff;
mod client;
mod clock;
mod config;
mod connection;
mod dedup;
mod dispatch;
mod error;
mod frame;
mod inbound;
mod message;
mod open;
mod socket;
mod state;
#[cfg(test)]
mod testkit;

pub use ack::EventStatus;
pub use backoff::{
    BACKOFF_FLOOR, BackoffConfig, DEFAULT_ALERT_AFTER, DEFAULT_BACKOFF_CAP, DEFAULT_BACKOFF_INITIAL,
    DEFAULT_BACKOFF_JITTER,
};
pub use client::{Client, ClientBuilder, DEFAULT_UA};
pub use config::{
    DEFAULT_DRAIN_GRACE, DEFAULT_DRAIN_QUIET, DEFAULT_FRAME_IDLE_TIMEOUT, DEFAULT_HEALTHY_AFTER,
    DEFAULT_INBOUND_CAPACITY, DEFAULT_MAX_DATA_BYTES, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_PING_INTERVAL,
    DEFAULT_PONG_TIMEOUT, DEFAULT_SHUTDOWN_DRAIN, DEFAULT_TICKET_MAX_AGE, DEFAULT_WRITE_TIMEOUT,
    DEFAULT_WRITER_CAPACITY, DEFAULT_WS_HANDSHAKE_TIMEOUT,
};
pub use connection::{Connection, ShutdownHandle, ShutdownReport, Transitions};
pub use dedup::{
    DEFAULT_DEDUP_CAPACITY, DEFAULT_DEDUP_TTL, DedupStore, MIN_DEDUP_TTL, MemoryDedup, Seen, SqliteDedup,
    bot_key, event_key, frame_key,
};
pub use dispatch::{
    DEFAULT_CALLBACK_HANDLER_TIMEOUT, DEFAULT_EVENT_HANDLER_TIMEOUT, DEFAULT_MAX_IN_FLIGHT,
    DEFAULT_PER_KEY_DEPTH, DEFAULT_QUEUE_CAPACITY, DEFAULT_REORDER_WINDOW, Dispatcher, Handler, HandlerError,
};
pub use error::{Error, ErrorKind};
pub use frame::{Frame, FrameError, Headers, decode as decode_frame};
pub use inbound::{Callback, CallbackPayload, CallbackResponder, Event, EventResponder, Inbound};
pub use message::{
    AtUser, AudioContent, BotMessage, CardCallback, CardPrivateData, ConversationMsgContext, FileContent,
    GraphRequest, GraphResponse, HostingContext, MarkdownContent, MessageContent, PayloadError,
    PictureContent, RepliedMsg, RichTextItem, TextContent, VideoContent,
};
pub use open::{
    DEFAULT_API_BASE, DEFAULT_HTTP_TIMEOUT, HttpTicketSource, Subscription, Ticket, TicketSource,
};
pub use state::{
    ConnectionState, MAX_TOPICS, MetricsSnapshot, OTHER_TOPICS, ReconnectReason, TRANSITION_BUFFER,
    Transition,
};
