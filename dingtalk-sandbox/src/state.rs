//! The shared sandbox state behind one `Arc`.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;

use crate::clock::Clock;
use crate::config::{App, Config};
use crate::model::{CardView, FaultRule, OutboxEntry};
use crate::org::Org;
use crate::tokens::TokenStore;

/// Everything the handlers share.
pub(crate) struct Shared {
    pub(crate) cfg: Config,
    pub(crate) base_url: String,
    pub(crate) clock: Clock,
    pub(crate) org: Org,
    pub(crate) products: crate::products::state::Products,
    pub(crate) inner: Mutex<Inner>,
    pub(crate) shutdown: watch::Sender<bool>,
}

/// A command to one connection's task.
#[derive(Debug)]
pub(crate) enum ConnCmd {
    Text(Utf8Bytes),
    Batch(Vec<Utf8Bytes>),
    Binary(Vec<u8>),
    Disconnect(String),
    Close(u16),
    Drop,
    Zombie,
}

/// A live (or past) Stream connection.
#[derive(Debug)]
pub(crate) struct Conn {
    pub(crate) client_id: String,
    pub(crate) topics: Vec<(String, String)>,
    pub(crate) tx: mpsc::UnboundedSender<ConnCmd>,
    pub(crate) open: bool,
    pub(crate) disconnected: bool,
    pub(crate) silent: bool,
    pub(crate) delivered: u64,
    pub(crate) acked: u64,
    pub(crate) ping_acks: u64,
    pub(crate) order: u64,
}

impl Conn {
    pub(crate) fn accepts(&self, kind: &str, topic: &str) -> bool {
        self.open
            && !self.disconnected
            && !self.silent
            && self
                .topics
                .iter()
                .any(|(k, t)| k == kind && (t == topic || (kind == "EVENT" && t == "*")))
    }
}

/// One business push (the first delivery and each redelivery share `push_id`).
#[derive(Debug)]
pub(crate) struct Push {
    pub(crate) client_id: Arc<str>,
    pub(crate) kind: &'static str,
    pub(crate) topic: Arc<str>,
    pub(crate) data: String,
    pub(crate) extra_headers: Vec<(String, String)>,
    pub(crate) attempts: u32,
    pub(crate) acked: bool,
    pub(crate) current_message_id: Option<String>,
    pub(crate) generation: u64,
}

/// One frame sent for a push, keyed by `messageId`.
#[derive(Debug)]
pub(crate) struct Sent {
    pub(crate) push_id: u64,
    pub(crate) attempt: u32,
    pub(crate) connection_id: String,
    pub(crate) pushed_at: Instant,
    pub(crate) acked_at: Option<Instant>,
    pub(crate) ack_code: Option<i64>,
    pub(crate) ack_data: Option<String>,
}

/// A Stream ticket.
#[derive(Debug)]
pub(crate) struct Ticket {
    pub(crate) client_id: String,
    pub(crate) topics: Vec<(String, String)>,
    pub(crate) expires_at: Instant,
}

/// A session webhook.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) client_id: String,
    pub(crate) conversation_id: String,
    pub(crate) sender_staff_id: String,
    pub(crate) expires_at_ms: u64,
}

/// A card template (defined next to the card routes).
pub(crate) use crate::cards::CardTemplate as Template;

/// Card state.
#[derive(Debug, Clone)]
pub(crate) struct Card {
    pub(crate) view: CardView,
    pub(crate) guids: Vec<String>,
    pub(crate) last_frame: HashMap<String, Instant>,
}

/// Mutable state. Never held across an `.await`.
pub(crate) struct Inner {
    pub(crate) tokens: TokenStore,
    pub(crate) tickets: HashMap<String, Ticket>,
    pub(crate) conns: BTreeMap<String, Conn>,
    pub(crate) conn_counter: u64,
    pub(crate) rr_cursor: u64,
    pub(crate) pushes: HashMap<u64, Push>,
    pub(crate) push_counter: u64,
    pub(crate) sent: HashMap<String, Sent>,
    pub(crate) due: BinaryHeap<Reverse<(Instant, u64, u64)>>,
    pub(crate) queued: VecDeque<u64>,
    pub(crate) delivered: u64,
    pub(crate) acked: u64,
    pub(crate) redelivered: u64,
    pub(crate) latencies_us: Vec<u64>,
    pub(crate) violations: Vec<String>,
    pub(crate) callback_waiters: HashMap<u64, oneshot::Sender<Value>>,
    pub(crate) outbox: Vec<OutboxEntry>,
    pub(crate) cards: BTreeMap<String, Card>,
    pub(crate) templates: HashMap<String, Template>,
    pub(crate) sessions: HashMap<String, Session>,
    pub(crate) inbound_msg_ids: HashMap<String, String>,
    pub(crate) faults: Vec<(FaultRule, u32)>,
    pub(crate) media: HashMap<String, (String, Vec<u8>)>,
    pub(crate) download_codes: HashMap<String, (String, Vec<u8>)>,
    pub(crate) files: HashMap<String, (String, Vec<u8>)>,
    pub(crate) streaming_calls: HashMap<String, VecDeque<Instant>>,
    pub(crate) redelivery_after: Duration,
    /// Stream ordering state (queued pushes per route, lost connections).
    pub(crate) stream_order: crate::stream::delivery::OrderState,
    pub(crate) rng: StdRng,
    pub(crate) id_counter: u64,
    /// When set, business frames are collected per connection and sent as one batch by the caller.
    pub(crate) batch: Option<HashMap<String, Vec<Utf8Bytes>>>,
    pub(crate) login: crate::oauth::LoginState,
    /// Scopes, webhook robots and other registries (`registry.rs`).
    pub(crate) registry: crate::registry::Registry,
    pub(crate) requests: Vec<crate::model::RequestRecord>,
    pub(crate) api_calls: HashMap<(String, String), VecDeque<Instant>>,
}

impl Inner {
    pub(crate) fn new(cfg: &Config) -> Self {
        Self {
            tokens: TokenStore::default(),
            tickets: HashMap::new(),
            conns: BTreeMap::new(),
            conn_counter: 0,
            rr_cursor: 0,
            pushes: HashMap::new(),
            push_counter: 0,
            sent: HashMap::new(),
            due: BinaryHeap::new(),
            queued: VecDeque::new(),
            delivered: 0,
            acked: 0,
            redelivered: 0,
            latencies_us: Vec::new(),
            violations: Vec::new(),
            callback_waiters: HashMap::new(),
            outbox: Vec::new(),
            cards: BTreeMap::new(),
            templates: crate::cards::templates(cfg),
            sessions: HashMap::new(),
            inbound_msg_ids: HashMap::new(),
            faults: Vec::new(),
            media: HashMap::new(),
            download_codes: HashMap::new(),
            files: HashMap::new(),
            streaming_calls: HashMap::new(),
            redelivery_after: cfg.redelivery_after,
            stream_order: crate::stream::delivery::OrderState::default(),
            rng: StdRng::seed_from_u64(cfg.seed),
            id_counter: 0,
            batch: None,
            login: crate::oauth::LoginState::new(cfg),
            registry: crate::registry::Registry::new(cfg),
            requests: Vec::new(),
            api_calls: HashMap::new(),
        }
    }

    /// Clears records, pushes and faults; keeps tokens, connections and the org.
    pub(crate) fn reset(&mut self, cfg: &Config) {
        self.pushes.clear();
        self.sent.clear();
        self.due.clear();
        self.queued.clear();
        self.stream_order = crate::stream::delivery::OrderState::default();
        self.delivered = 0;
        self.acked = 0;
        self.redelivered = 0;
        self.latencies_us.clear();
        self.violations.clear();
        self.outbox.clear();
        self.requests.clear();
        self.cards.clear();
        self.sessions.clear();
        self.inbound_msg_ids.clear();
        self.faults.clear();
        self.media.clear();
        self.download_codes.clear();
        self.files.clear();
        self.registry.read_marks.clear();
        self.streaming_calls.clear();
        self.redelivery_after = cfg.redelivery_after;
        self.conns.retain(|_, c| c.open);
        for c in self.conns.values_mut() {
            c.delivered = 0;
            c.acked = 0;
            c.ping_acks = 0;
        }
    }

    /// A fresh opaque id: `prefix` + counter + random hex.
    pub(crate) fn new_id(&mut self, prefix: &str) -> String {
        self.id_counter += 1;
        let r: u64 = self.rng.random();
        format!("{prefix}{:x}{r:016x}", self.id_counter)
    }

    /// A `headers.messageId` in DingTalk's `hex_hex_hex_hex` shape.
    pub(crate) fn new_message_id(&mut self) -> String {
        self.id_counter += 1;
        let r: u64 = self.rng.random();
        format!(
            "{:08x}_{:x}_{:x}_{:06x}",
            r >> 32,
            self.id_counter,
            r & 0xffff_ffff,
            self.id_counter & 0xff_ffff
        )
    }

    pub(crate) fn app<'a>(cfg: &'a Config, client_id: &str) -> Option<&'a App> {
        cfg.apps.iter().find(|a| a.client_id == client_id)
    }
}

impl Shared {
    /// `/_sandbox/reset`: clears records, pushes and faults and returns the product twins to their seeds (keeps
    /// tokens, connections and the org).
    pub(crate) fn reset(&self) {
        self.lock().reset(&self.cfg);
        self.products.reset();
    }

    /// Locks the state; a poisoned lock is recovered (no handler panics while holding it).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn demo_client_id(&self) -> String {
        self.cfg
            .apps
            .first()
            .map(|a| a.client_id.clone())
            .unwrap_or_default()
    }
}
