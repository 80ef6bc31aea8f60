//! What a [`Connection`](crate::Connection) yields: events and callbacks, each with a `#[must_use]` responder.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use dingtalk_core::id::{CorpId, EventId};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::ack::{self, Ack, EventStatus};
use crate::error::{Error, ErrorKind};
use crate::frame::Headers;
use crate::message::{BotMessage, CardCallback, GraphRequest};
use crate::state::{Metrics, inc};

/// One item of the inbound stream.
#[derive(Debug)]
#[non_exhaustive]
pub enum Inbound {
    /// An EVENT; answer with [`EventResponder::ack`] (SUCCESS) or [`EventResponder::later`] (LATER).
    Event(Event, EventResponder),
    /// A CALLBACK (bot message, card action, graph call, …); answer with the [`CallbackResponder`].
    Callback(Callback, CallbackResponder),
}

/// A generic event (§4.8): routing headers plus raw `data`, decoded into JSON on first use.
#[derive(Clone, Debug)]
pub struct Event {
    headers: Headers,
    raw: String,
    data: OnceLock<Value>,
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.headers == other.headers && self.raw == other.raw
    }
}

impl Event {
    pub(crate) fn new(headers: Headers, raw: String) -> Self {
        Self {
            headers,
            raw,
            data: OnceLock::new(),
        }
    }

    /// `eventType`, e.g. `user_add_org`; empty when absent.
    pub fn event_type(&self) -> &str {
        self.headers.get("eventType").unwrap_or("")
    }

    /// `eventId`: the natural dedup key of an event.
    pub fn event_id(&self) -> Option<EventId> {
        self.headers
            .get("eventId")
            .filter(|s| !s.is_empty())
            .map(EventId::new)
    }

    /// `eventBornTime` (epoch ms), parsed leniently.
    pub fn born_time(&self) -> Option<i64> {
        self.headers
            .get("eventBornTime")
            .and_then(|s| s.trim().parse().ok())
    }

    /// `eventCorpId`.
    pub fn corp_id(&self) -> Option<CorpId> {
        self.headers.get("eventCorpId").map(CorpId::new)
    }

    /// `eventUnifiedAppId`.
    pub fn unified_app_id(&self) -> Option<&str> {
        self.headers.get("eventUnifiedAppId")
    }

    /// The `data` JSON (a JSON string value when `data` was not JSON text). Decoded on the first call.
    pub fn data(&self) -> &Value {
        self.data.get_or_init(|| {
            serde_json::from_str(&self.raw).unwrap_or_else(|_| Value::String(self.raw.clone()))
        })
    }

    /// The `data` text as received.
    pub fn raw_data(&self) -> &str {
        &self.raw
    }

    /// Every header.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// `headers.messageId`.
    pub fn message_id(&self) -> &str {
        self.headers.message_id().unwrap_or("")
    }
}

/// A callback: its headers plus the typed payload.
///
/// Robot messages are decoded into [`BotMessage`] on the first call that asks for the payload
/// ([`payload`](Callback::payload), [`bot_message`](Callback::bot_message), [`into_payload`](Callback::into_payload)),
/// so a consumer that only acks never pays for it; the engine has already checked that the payload decodes
/// (a JSON object with a `msgId`), or answered 400. Other topics are decoded on arrival.
#[derive(Clone, Debug)]
pub struct Callback {
    headers: Headers,
    raw: String,
    payload: OnceLock<CallbackPayload>,
}

impl PartialEq for Callback {
    fn eq(&self, other: &Self) -> bool {
        self.headers == other.headers && self.raw == other.raw
    }
}

/// The typed payload of a [`Callback`], by topic.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum CallbackPayload {
    /// `/v1.0/im/bot/messages/get`.
    BotMessage(Box<BotMessage>),
    /// `/v1.0/im/bot/messages/delegate`.
    Delegate(Box<BotMessage>),
    /// `/v1.0/card/instances/callback`.
    CardAction(Box<CardCallback>),
    /// `/v1.0/graph/api/invoke`.
    Graph(Box<GraphRequest>),
    /// Any other subscribed topic: raw `data` JSON.
    Other(Value),
}

impl Callback {
    /// A callback whose payload is already decoded.
    pub(crate) fn decoded(headers: Headers, raw: String, payload: CallbackPayload) -> Self {
        Self {
            headers,
            raw,
            payload: OnceLock::from(payload),
        }
    }

    /// A robot message (or delegate message) decoded on first use; `raw` was checked with
    /// [`BotMessage::check`].
    pub(crate) fn lazy_bot(headers: Headers, raw: String) -> Self {
        Self {
            headers,
            raw,
            payload: OnceLock::new(),
        }
    }

    fn decode(&self) -> CallbackPayload {
        let delegate = self.topic() == crate::frame::topic::BOT_DELEGATE;
        match BotMessage::from_json(&self.raw) {
            Ok(m) if delegate => CallbackPayload::Delegate(Box::new(m)),
            Ok(m) => CallbackPayload::BotMessage(Box::new(m)),
            // Unreachable after `BotMessage::check`; kept total rather than panicking.
            Err(_) => CallbackPayload::Other(serde_json::from_str(&self.raw).unwrap_or(Value::Null)),
        }
    }

    /// `headers.topic`.
    pub fn topic(&self) -> &str {
        self.headers.topic().unwrap_or("")
    }

    /// `headers.messageId`.
    pub fn message_id(&self) -> &str {
        self.headers.message_id().unwrap_or("")
    }

    /// Every header.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The typed payload (decoded on the first call for robot messages).
    pub fn payload(&self) -> &CallbackPayload {
        self.payload.get_or_init(|| self.decode())
    }

    /// The typed payload, by value.
    pub fn into_payload(mut self) -> CallbackPayload {
        match self.payload.take() {
            Some(p) => p,
            None => self.decode(),
        }
    }

    /// The `data` text as received.
    pub fn raw_data(&self) -> &str {
        &self.raw
    }

    /// The bot message, for bot and delegate callbacks.
    pub fn bot_message(&self) -> Option<&BotMessage> {
        match self.payload() {
            CallbackPayload::BotMessage(m) | CallbackPayload::Delegate(m) => Some(m),
            _ => None,
        }
    }
}

/// A message for a socket's writer task.
#[derive(Debug)]
pub(crate) enum Outbound {
    /// A text frame (an ack).
    Text(String),
    /// A WebSocket Ping.
    Ping,
    /// A Close frame with code 1000, then stop.
    Close,
}

/// Where the answer to one frame goes: the writer of the socket that carried it (R-DISC-4). One `Arc`, so a
/// responder costs one reference count, not one per field.
#[derive(Clone)]
pub(crate) struct AckSink(Arc<AckInner>);

pub(crate) struct AckInner {
    pub(crate) generation: u64,
    pub(crate) tx: mpsc::Sender<Outbound>,
    pub(crate) pending: Arc<AtomicUsize>,
    pub(crate) metrics: Arc<Metrics>,
}

impl std::ops::Deref for AckSink {
    type Target = AckInner;

    fn deref(&self) -> &AckInner {
        &self.0
    }
}

impl AckSink {
    pub(crate) fn new(inner: AckInner) -> Self {
        Self(Arc::new(inner))
    }

    /// Registers one unanswered frame on this socket.
    pub(crate) fn reserve(&self) -> Self {
        self.pending.fetch_add(1, Ordering::SeqCst);
        self.clone()
    }

    async fn send(self, ack: Ack<'_>) -> Result<(), Error> {
        let ok = ack.code() == 200;
        let result = self.tx.send(Outbound::Text(ack.to_json())).await;
        self.pending.fetch_sub(1, Ordering::SeqCst);
        if result.is_err() {
            inc(&self.metrics.acks_dropped);
            tracing::warn!(
                generation = self.generation,
                message_id = ack.message_id(),
                "ack dropped: its connection is gone; DingTalk will redeliver"
            );
            return Err(Error::new(ErrorKind::Closed));
        }
        inc(if ok {
            &self.metrics.acks_ok
        } else {
            &self.metrics.acks_error
        });
        Ok(())
    }

    fn dropped(&self, kind: &str, message_id: &str) {
        self.pending.fetch_sub(1, Ordering::SeqCst);
        inc(&self.metrics.responders_dropped);
        tracing::warn!(
            generation = self.generation,
            message_id,
            "{kind} responder dropped unanswered; DingTalk will redeliver"
        );
    }
}

/// Answers one EVENT. Methods take `self`, so a frame is answered at most once; dropping it sends nothing (the
/// server redelivers) and logs a warning.
#[must_use = "an unanswered event is redelivered by DingTalk"]
pub struct EventResponder {
    message_id: Box<str>,
    sink: Option<AckSink>,
}

impl fmt::Debug for EventResponder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventResponder")
            .field("message_id", &self.message_id)
            .finish_non_exhaustive()
    }
}

impl EventResponder {
    pub(crate) fn new(message_id: Box<str>, sink: &AckSink) -> Self {
        Self {
            message_id,
            sink: Some(sink.reserve()),
        }
    }

    /// The `messageId` this responder answers.
    pub fn message_id(&self) -> &str {
        &self.message_id
    }

    /// Acks with `SUCCESS`: consumed.
    ///
    /// # Errors
    /// [`ErrorKind::Closed`] when the frame's connection is gone (the ack is dropped; DingTalk redelivers).
    pub async fn ack(self) -> Result<(), Error> {
        self.answer(EventStatus::Success, "success").await
    }

    /// Acks with `LATER`: not consumed; DingTalk redelivers.
    ///
    /// # Errors
    /// As [`EventResponder::ack`].
    pub async fn later(self, reason: &str) -> Result<(), Error> {
        self.answer(EventStatus::Later, reason).await
    }

    /// Acks with a given status.
    ///
    /// # Errors
    /// As [`EventResponder::ack`].
    pub async fn answer(mut self, status: EventStatus, message: &str) -> Result<(), Error> {
        match self.sink.take() {
            Some(sink) => sink.send(ack::event(&self.message_id, status, message)).await,
            None => Err(Error::new(ErrorKind::Closed)),
        }
    }
}

impl Drop for EventResponder {
    fn drop(&mut self) {
        if let Some(sink) = self.sink.take() {
            sink.dropped("event", &self.message_id);
        }
    }
}

/// Answers one CALLBACK. Methods take `self`; dropping it sends nothing (the server redelivers) and logs a
/// warning.
#[must_use = "an unanswered callback is redelivered by DingTalk"]
pub struct CallbackResponder {
    message_id: Box<str>,
    sink: Option<AckSink>,
}

impl fmt::Debug for CallbackResponder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackResponder")
            .field("message_id", &self.message_id)
            .finish_non_exhaustive()
    }
}

impl CallbackResponder {
    pub(crate) fn new(message_id: Box<str>, sink: &AckSink) -> Self {
        Self {
            message_id,
            sink: Some(sink.reserve()),
        }
    }

    /// The `messageId` this responder answers.
    pub fn message_id(&self) -> &str {
        &self.message_id
    }

    /// Acks with `{"response":null}` (bot messages; card callbacks without an update).
    ///
    /// # Errors
    /// [`ErrorKind::Closed`] when the frame's connection is gone.
    pub async fn ack(self) -> Result<(), Error> {
        let (id, sink) = self.into_parts();
        deliver(sink, ack::callback(&id, None)).await
    }

    /// Acks with `{"response": <response>}`, e.g. a card update or a [`GraphResponse`](crate::GraphResponse).
    ///
    /// # Errors
    /// [`ErrorKind::Closed`] when the frame's connection is gone. If `response` fails to serialize, a 500 ack is
    /// sent instead and the error is of kind [`ErrorKind::Config`].
    pub async fn reply<T: Serialize + ?Sized>(self, response: &T) -> Result<(), Error> {
        match serde_json::to_string(response) {
            Ok(json) => {
                let (id, sink) = self.into_parts();
                deliver(sink, ack::callback(&id, Some(&json))).await
            }
            Err(e) => {
                let (id, sink) = self.into_parts();
                deliver(sink, ack::error(&id, 500, "response not serializable")).await?;
                Err(Error::with_source(ErrorKind::Config, e))
            }
        }
    }

    /// Answers with code 500 and `{"response":null}`: failed, DingTalk may redeliver (R-ACK-3).
    ///
    /// # Errors
    /// As [`CallbackResponder::ack`].
    pub async fn later(self, reason: &str) -> Result<(), Error> {
        let (id, sink) = self.into_parts();
        deliver(sink, ack::error(&id, 500, reason)).await
    }

    /// Answers with an error code (400 bad payload, 404 topic not supported, 500 failure).
    ///
    /// # Errors
    /// As [`CallbackResponder::ack`].
    pub async fn error(self, code: u16, reason: &str) -> Result<(), Error> {
        let (id, sink) = self.into_parts();
        deliver(sink, ack::error(&id, code, reason)).await
    }

    /// The id and the sink; the responder is spent (its `Drop` sees no sink).
    fn into_parts(mut self) -> (Box<str>, Option<AckSink>) {
        (std::mem::take(&mut self.message_id), self.sink.take())
    }
}

async fn deliver(sink: Option<AckSink>, ack: Ack<'_>) -> Result<(), Error> {
    match sink {
        Some(sink) => sink.send(ack).await,
        None => Err(Error::new(ErrorKind::Closed)),
    }
}

impl Drop for CallbackResponder {
    fn drop(&mut self) {
        if let Some(sink) = self.sink.take() {
            sink.dropped("callback", &self.message_id);
        }
    }
}
