//! The handler layer over a [`Connection`]: dedup, ack policy, bounded concurrency, per-conversation order.
//!
//! - Bot messages (R-ACK-1): reserve a queue slot and a place in the conversation's lane → check dedup on
//!   `bot:{robotCode}:{msgId}` and `frame:{clientId}:{messageId}` → ack → enqueue. No slot: the frame is left
//!   unacked and DingTalk redelivers. A duplicate is acked at once and not processed.
//! - Events (R-ACK-2): run concurrently; `Ok` → `SUCCESS`, `Err`, panic or `event_handler_timeout` → `LATER`
//!   and the dedup keys are removed so the redelivery runs again (R-DUP-4).
//! - Other callbacks (R-ACK-3): card actions are ordered by `outTrackId`; the handler's response is the ack; an
//!   error, panic or `callback_handler_timeout` → code 500.
//! - Frames with the same ordering key run one at a time in arrival order; different keys run in parallel, at
//!   most `max_in_flight` at once.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::timeout;

use crate::connection::{Connection, ShutdownReport};
use crate::dedup::{DedupStore, MemoryDedup, Seen, bot_key, event_key, frame_key};
use crate::error::Error;
use crate::inbound::{Callback, CallbackPayload, CallbackResponder, Event, EventResponder, Inbound};
use crate::state::{Metrics, inc};

/// Default number of handlers running at once: 16.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 16;
/// Default number of accepted frames (running or queued): 256.
pub const DEFAULT_QUEUE_CAPACITY: usize = 256;
/// Default number of queued frames per ordering key: 32.
pub const DEFAULT_PER_KEY_DEPTH: usize = 32;
/// Default event handler deadline: 30 s.
pub const DEFAULT_EVENT_HANDLER_TIMEOUT: Duration = Duration::from_secs(30);
/// Default reorder window for bot messages: off. Real DingTalk redelivers a lost push about 60 s later, far past
/// any window worth its delay, and every held message waits up to the window before its handler runs; turn it on
/// where one conversation's messages can race by a little (several parallel connections, a server that
/// redelivers within seconds).
pub const DEFAULT_REORDER_WINDOW: Duration = Duration::ZERO;
/// Default card/graph callback handler deadline: 10 s.
pub const DEFAULT_CALLBACK_HANDLER_TIMEOUT: Duration = Duration::from_secs(10);

/// The error a handler returns.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// Application logic called by the [`Dispatcher`]. Every method has a default, so implement only what you
/// subscribed to.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    /// A bot or delegate message, already acked. Calls with the same `(robotCode, conversationId)` run one at a
    /// time in arrival order. An error is logged; the message is not redelivered.
    async fn on_bot_message(&self, callback: Callback) -> Result<(), HandlerError> {
        let _ = callback;
        Ok(())
    }

    /// An event. `Ok` acks `SUCCESS`; `Err` acks `LATER` (DingTalk redelivers).
    async fn on_event(&self, event: Event) -> Result<(), HandlerError> {
        let _ = event;
        Ok(())
    }

    /// Any other callback (card action, graph call, other topics). `Ok(Some(response))` is sent as
    /// `{"response": …}`, `Ok(None)` as `{"response":null}`, `Err` as a 500 ack.
    async fn on_callback(&self, callback: Callback) -> Result<Option<Value>, HandlerError> {
        let _ = callback;
        Ok(None)
    }
}

/// Runs a [`Handler`] over a [`Connection`].
pub struct Dispatcher<H> {
    handler: Arc<H>,
    client_id: String,
    dedup: Arc<dyn DedupStore>,
    max_in_flight: usize,
    queue_capacity: usize,
    per_key_depth: usize,
    event_handler_timeout: Duration,
    callback_handler_timeout: Duration,
    reorder_window: Duration,
}

impl<H> std::fmt::Debug for Dispatcher<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("client_id", &self.client_id)
            .field("max_in_flight", &self.max_in_flight)
            .field("queue_capacity", &self.queue_capacity)
            .field("per_key_depth", &self.per_key_depth)
            .field("reorder_window", &self.reorder_window)
            .finish_non_exhaustive()
    }
}

impl<H: Handler> Dispatcher<H> {
    /// A dispatcher with an in-memory dedup store and the default limits. `client_id` scopes the frame and event
    /// dedup keys.
    pub fn new(client_id: impl Into<String>, handler: H) -> Self {
        Self {
            handler: Arc::new(handler),
            client_id: client_id.into(),
            dedup: Arc::new(MemoryDedup::new()),
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
            per_key_depth: DEFAULT_PER_KEY_DEPTH,
            event_handler_timeout: DEFAULT_EVENT_HANDLER_TIMEOUT,
            callback_handler_timeout: DEFAULT_CALLBACK_HANDLER_TIMEOUT,
            reorder_window: DEFAULT_REORDER_WINDOW,
        }
    }

    /// Replaces the dedup store (e.g. [`SqliteDedup`](crate::SqliteDedup) to survive restarts).
    #[must_use]
    pub fn dedup(mut self, store: Arc<dyn DedupStore>) -> Self {
        self.dedup = store;
        self
    }

    /// Handlers running at once (at least 1).
    #[must_use]
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = n.max(1);
        self
    }

    /// Accepted frames, running or queued (at least 1).
    #[must_use]
    pub fn queue_capacity(mut self, n: usize) -> Self {
        self.queue_capacity = n.max(1);
        self
    }

    /// Queued frames per ordering key (at least 1).
    #[must_use]
    pub fn per_key_depth(mut self, n: usize) -> Self {
        self.per_key_depth = n.max(1);
        self
    }

    /// Event handler deadline; past it the event is acked `LATER` and the handler is cancelled.
    #[must_use]
    pub fn event_handler_timeout(mut self, d: Duration) -> Self {
        self.event_handler_timeout = d;
        self
    }

    /// Card/graph callback deadline; past it the ack is code 500 and the handler is cancelled.
    #[must_use]
    pub fn callback_handler_timeout(mut self, d: Duration) -> Self {
        self.callback_handler_timeout = d;
        self
    }

    /// Bot messages of one conversation are held up to this long after they arrive and handed to the handler in
    /// `createAt` order, so a message that arrives a little after a later one still runs first (default
    /// [`DEFAULT_REORDER_WINDOW`]: off). Acks are not delayed: bot messages are acked on arrival (R-ACK-1). A
    /// message that arrives after a later one was already released runs at once and is counted in
    /// [`MetricsSnapshot::reorder_late`](crate::MetricsSnapshot::reorder_late). At most `per_key_depth` messages
    /// are held per conversation, on top of the `per_key_depth` queued.
    #[must_use]
    pub fn reorder_window(mut self, window: Duration) -> Self {
        self.reorder_window = window;
        self
    }

    /// Runs until the connection's stream ends. Returns the first fatal error the stream yielded, if any.
    ///
    /// # Errors
    /// A fatal connection error (bad credentials).
    pub async fn run(self, conn: Connection) -> Result<(), Error> {
        self.run_until(conn, std::future::pending()).await.map(|_| ())
    }

    /// Runs until `stop` completes, then shuts down gracefully (R-STOP-1): no new frames are accepted, accepted
    /// work (including acked-but-unstarted bot messages) finishes within the connection's `shutdown_drain`, and
    /// the sockets close.
    ///
    /// # Errors
    /// A fatal connection error (bad credentials).
    pub async fn run_until(
        self,
        mut conn: Connection,
        stop: impl Future<Output = ()> + Send,
    ) -> Result<ShutdownReport, Error> {
        let metrics = conn.metrics_handle();
        let drain = conn.shutdown_drain();
        let shared = Arc::new(Shared {
            handler: Arc::clone(&self.handler),
            dedup: Arc::clone(&self.dedup),
            client_id: self.client_id.clone(),
            running: Arc::new(Semaphore::new(self.max_in_flight)),
            event_timeout: self.event_handler_timeout,
            callback_timeout: self.callback_handler_timeout,
            metrics,
            lanes: Mutex::new(HashMap::new()),
            per_key_depth: self.per_key_depth,
            reorder_window: self.reorder_window,
            released: Mutex::new(HashMap::new()),
            outcomes: Mutex::new(Outcomes::default()),
        });
        let slots = Arc::new(Semaphore::new(self.queue_capacity));
        let mut tasks = JoinSet::new();
        let mut stop = std::pin::pin!(stop);
        let mut shutdown: Option<tokio::task::JoinHandle<ShutdownReport>> = None;
        let mut fatal = None;
        loop {
            tokio::select! {
                () = &mut stop, if shutdown.is_none() => {
                    let handle = conn.shutdown_handle();
                    shutdown = Some(tokio::spawn(async move { handle.shutdown().await }));
                }
                item = conn.next() => match item {
                    None => break,
                    Some(Err(e)) => {
                        tracing::error!(kind = ?e.kind(), "stream ended with an error");
                        fatal = Some(e);
                    }
                    Some(Ok(inbound)) => {
                        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
                            inc(&shared.metrics.unacked_overload);
                            tracing::debug!("dispatcher queue full; frame left unacked for redelivery");
                            continue; // the responder drops unanswered: DingTalk redelivers
                        };
                        accept(&shared, &mut tasks, inbound, slot).await;
                    }
                },
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        // Finish accepted work (bot messages are already acked) within the drain budget.
        let _ = timeout(drain, async { while tasks.join_next().await.is_some() {} }).await;
        let aborted = tasks.len();
        if aborted > 0 {
            tracing::warn!(aborted, "shutdown drain ended with work still running");
        }
        tasks.abort_all();
        let report = match shutdown {
            Some(handle) => handle.await.unwrap_or_default(),
            None => ShutdownReport::default(),
        };
        match fatal {
            Some(e) => Err(e),
            None => Ok(report),
        }
    }
}

struct Shared<H> {
    handler: Arc<H>,
    dedup: Arc<dyn DedupStore>,
    client_id: String,
    running: Arc<Semaphore>,
    event_timeout: Duration,
    callback_timeout: Duration,
    metrics: Arc<Metrics>,
    lanes: Mutex<HashMap<String, mpsc::Sender<Job>>>,
    per_key_depth: usize,
    reorder_window: Duration,
    /// The latest `createAt` released per conversation lane whose worker has exited (reorder window only), so a
    /// late message is still recognised after its lane went idle. Bounded by [`RELEASED_CAPACITY`].
    released: Mutex<HashMap<String, i64>>,
    outcomes: Mutex<Outcomes>,
}

/// Conversations whose latest released `createAt` is remembered; past it the memory starts over (only the
/// `reorder_late` count can miss a few then).
const RELEASED_CAPACITY: usize = 4096;

/// The answer given to an event or a non-bot callback, replayed to its duplicates (R-DUP-3).
#[derive(Debug, Clone)]
enum Answer {
    /// Event `SUCCESS`, or a callback acked with `{"response":null}`.
    Ack,
    /// Event `LATER`, or callback code 500, with the short reason.
    Later(&'static str),
    /// A callback's `response`.
    Reply(Value),
}

/// How many answers are kept for duplicates (the oldest go first).
const OUTCOME_CAPACITY: usize = 10_000;

type Outcome = watch::Receiver<Option<Answer>>;

/// Answers of accepted frames by dedup key: pending while the handler runs, then final. In memory only: after
/// a restart (with a persistent dedup store) a duplicate gets the plain ack.
#[derive(Default)]
struct Outcomes {
    by_key: HashMap<String, Outcome>,
    order: VecDeque<String>,
}

impl Outcomes {
    /// Registers `answer` under `keys`, dropping the oldest keys beyond `capacity`.
    fn insert(&mut self, keys: &[String], answer: &Outcome, capacity: usize) {
        for key in keys {
            if self.by_key.insert(key.clone(), answer.clone()).is_none() {
                self.order.push_back(key.clone());
            }
        }
        while self.order.len() > capacity {
            if let Some(old) = self.order.pop_front() {
                self.by_key.remove(&old);
            }
        }
    }

    fn get(&self, keys: &[String]) -> Option<Outcome> {
        keys.iter().find_map(|k| self.by_key.get(k).cloned())
    }

    /// Forgets `keys` in the map and in the eviction order (a stale order entry would later evict the key's next
    /// registration early). Linear in the capacity; only `LATER` answers call it.
    fn remove(&mut self, keys: &[String]) {
        for key in keys {
            self.by_key.remove(key);
        }
        self.order.retain(|k| !keys.contains(k));
    }
}

impl<H> Shared<H> {
    fn outcomes(&self) -> std::sync::MutexGuard<'_, Outcomes> {
        self.outcomes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a pending answer under `keys`; the sender publishes it.
    fn register(&self, keys: &[String]) -> watch::Sender<Option<Answer>> {
        let (tx, rx) = watch::channel(None);
        self.outcomes().insert(keys, &rx, OUTCOME_CAPACITY);
        tx
    }

    fn lookup(&self, keys: &[String]) -> Option<Outcome> {
        self.outcomes().get(keys)
    }

    /// Forgets the answers under `keys` (a `LATER` or 500 answer: the redelivery runs again).
    fn forget(&self, keys: &[String]) {
        self.outcomes().remove(keys);
    }

    /// The original's answer: waits while it is in flight (up to `wait`). `None` when unknown or too slow.
    async fn replay(&self, keys: &[String], wait: Duration) -> Option<Answer> {
        let mut rx = self.lookup(keys)?;
        timeout(wait, rx.wait_for(Option::is_some))
            .await
            .ok()?
            .ok()?
            .clone()
    }
}

/// How long a duplicate waits for its in-flight original beyond the handler deadline.
const REPLAY_MARGIN: Duration = Duration::from_secs(5);

type Run = Box<dyn FnOnce() -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// One unit of work in a key's lane.
struct Job {
    /// `createAt` of a bot message: its place under a reorder window.
    create_at: Option<i64>,
    run: Run,
}

/// Routes one accepted item; `slot` is held until its work is done.
async fn accept<H: Handler>(
    shared: &Arc<Shared<H>>,
    tasks: &mut JoinSet<()>,
    inbound: Inbound,
    slot: tokio::sync::OwnedSemaphorePermit,
) {
    match inbound {
        Inbound::Event(event, responder) => {
            let mut keys = vec![frame_key(&shared.client_id, event.message_id())];
            if let Some(id) = event.event_id() {
                keys.push(event_key(&shared.client_id, id.as_str()));
            }
            if check(shared, &keys).await == Seen::Duplicate {
                // R-DUP-3: the same answer as the original, waiting for it while it runs.
                tasks.spawn(replay_event(Arc::clone(shared), keys, responder, slot));
                return;
            }
            let answer = shared.register(&keys);
            let shared = Arc::clone(shared);
            tasks.spawn(async move {
                let _slot = slot;
                run_event(&shared, event, responder, keys, answer).await;
            });
        }
        Inbound::Callback(callback, responder) => {
            if let Some(msg) = callback.bot_message() {
                let create_at = msg.create_at;
                let lane = format!("bot:{}:{}", msg.robot_code, msg.conversation_id);
                let keys = vec![
                    bot_key(msg.robot_code.as_str(), msg.id.as_str()),
                    frame_key(&shared.client_id, callback.message_id()),
                ];
                let Some(permit) = lane_permit(shared, tasks, &lane) else {
                    inc(&shared.metrics.unacked_overload);
                    return; // per-key depth reached: unacked, DingTalk redelivers
                };
                if check(shared, &keys).await == Seen::Duplicate {
                    let _ = responder.ack().await;
                    return;
                }
                // Ack before processing (R-ACK-1): the slot and lane place are already reserved.
                let _ = responder.ack().await;
                let shared2 = Arc::clone(shared);
                let run: Run = Box::new(move || {
                    Box::pin(async move {
                        let _slot = slot;
                        let handler = Arc::clone(&shared2.handler);
                        let _running = shared2.running.acquire().await;
                        let started = crate::clock::now();
                        let result =
                            tokio::spawn(async move { handler.on_bot_message(callback).await }).await;
                        shared2
                            .metrics
                            .handler_ran(crate::clock::now().saturating_duration_since(started));
                        match result {
                            Ok(Ok(())) => {}
                            Ok(Err(e)) => tracing::warn!(error = %e, "bot message handler failed"),
                            Err(_) => tracing::error!("bot message handler panicked"),
                        }
                    })
                });
                permit.send(Job { create_at, run });
            } else {
                let lane = match callback.payload() {
                    CallbackPayload::CardAction(card) => Some(format!("card:{}", card.out_track_id)),
                    _ => None,
                };
                let keys = vec![frame_key(&shared.client_id, callback.message_id())];
                let permit = lane.as_deref().map(|lane| lane_permit(shared, tasks, lane));
                if let Some(None) = permit {
                    inc(&shared.metrics.unacked_overload);
                    return;
                }
                let permit = permit.flatten();
                if check(shared, &keys).await == Seen::Duplicate {
                    // R-DUP-3: the cached response (waiting for the original while it runs). Not queued in the
                    // lane: the original holds its place.
                    drop(permit);
                    tasks.spawn(replay_callback(Arc::clone(shared), keys, responder, slot));
                    return;
                }
                let answer = shared.register(&keys);
                let shared2 = Arc::clone(shared);
                let job = move || -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> {
                    Box::pin(async move {
                        let _slot = slot;
                        run_callback(&shared2, callback, responder, keys, answer).await;
                    })
                };
                match permit {
                    Some(permit) => {
                        permit.send(Job {
                            create_at: None,
                            run: Box::new(job),
                        });
                    }
                    None => {
                        tasks.spawn(job());
                    }
                }
            }
        }
    }
}

/// Answers a duplicate event like its original (R-DUP-3).
async fn replay_event<H: Handler>(
    shared: Arc<Shared<H>>,
    keys: Vec<String>,
    responder: EventResponder,
    _slot: tokio::sync::OwnedSemaphorePermit,
) {
    let wait = shared.event_timeout + REPLAY_MARGIN;
    let _ = match shared.replay(&keys, wait).await {
        Some(Answer::Later(reason)) => responder.later(reason).await,
        _ => responder.ack().await,
    };
}

/// Answers a duplicate callback like its original: the cached response (R-DUP-3).
async fn replay_callback<H: Handler>(
    shared: Arc<Shared<H>>,
    keys: Vec<String>,
    responder: CallbackResponder,
    _slot: tokio::sync::OwnedSemaphorePermit,
) {
    let wait = shared.callback_timeout + REPLAY_MARGIN;
    let _ = match shared.replay(&keys, wait).await {
        Some(Answer::Reply(response)) => responder.reply(&response).await,
        Some(Answer::Later(reason)) => responder.later(reason).await,
        Some(Answer::Ack) | None => responder.ack().await,
    };
}

async fn check<H>(shared: &Shared<H>, keys: &[String]) -> Seen {
    match shared.dedup.check_and_insert(keys).await {
        Ok(Seen::Duplicate) => {
            inc(&shared.metrics.duplicates);
            tracing::debug!(
                key = keys.first().map(String::as_str),
                "duplicate frame acked without processing"
            );
            Seen::Duplicate
        }
        Ok(_) => Seen::New,
        Err(e) => {
            // Fail open: processing twice beats losing a message.
            tracing::warn!(kind = ?e.kind(), "dedup store failed; processing the frame");
            Seen::New
        }
    }
}

/// Reserves a place in a key's lane, starting its worker if needed. `None` when the lane is full.
fn lane_permit<H: Handler>(
    shared: &Arc<Shared<H>>,
    tasks: &mut JoinSet<()>,
    key: &str,
) -> Option<mpsc::OwnedPermit<Job>> {
    let mut lanes = shared.lanes.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(tx) = lanes.get(key) {
        match tx.clone().try_reserve_owned() {
            Ok(permit) => return Some(permit),
            Err(mpsc::error::TrySendError::Full(_)) => return None,
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }
    let (tx, rx) = mpsc::channel::<Job>(shared.per_key_depth);
    let permit = tx.clone().try_reserve_owned().ok()?;
    lanes.insert(key.to_owned(), tx);
    let shared = Arc::clone(shared);
    let key = key.to_owned();
    if shared.reorder_window.is_zero() {
        tasks.spawn(lane_worker(shared, key, rx));
    } else {
        tasks.spawn(reordering_lane_worker(shared, key, rx));
    }
    Some(permit)
}

/// Runs one key's jobs in order; exits (and unregisters) when its queue is empty.
async fn lane_worker<H>(shared: Arc<Shared<H>>, key: String, mut rx: mpsc::Receiver<Job>) {
    loop {
        let job = match rx.try_recv() {
            Ok(job) => job,
            Err(mpsc::error::TryRecvError::Empty) => {
                // Unregister under the lock unless a job arrived meanwhile; permits already handed out keep
                // the channel open, so wait for them before leaving.
                if lane_idle(&shared, &key, &rx) {
                    return;
                }
                match timeout(Duration::from_millis(50), rx.recv()).await {
                    Ok(Some(job)) => job,
                    Ok(None) => return,
                    Err(_) => continue,
                }
            }
            Err(mpsc::error::TryRecvError::Disconnected) => return,
        };
        (job.run)().await;
    }
}

/// Unregisters an idle lane: `true` when it may exit (no job queued, no place reserved).
fn lane_idle<H>(shared: &Shared<H>, key: &str, rx: &mpsc::Receiver<Job>) -> bool {
    let mut lanes = shared.lanes.lock().unwrap_or_else(PoisonError::into_inner);
    let reserved = lanes
        .get(key)
        .is_some_and(|tx| tx.capacity() < shared.per_key_depth);
    if rx.is_empty() && !reserved {
        lanes.remove(key);
        return true;
    }
    false
}

/// Jobs held by a reorder window, released in `createAt` order.
struct Held {
    /// `(createAt, arrival sequence)` → (arrival time, job).
    jobs: std::collections::BTreeMap<(i64, u64), (tokio::time::Instant, Run)>,
    seq: u64,
    seen_max: Option<i64>,
    released_max: Option<i64>,
}

impl Held {
    fn push(&mut self, job: Job, metrics: &crate::state::Metrics) {
        if let (Some(at), Some(released)) = (job.create_at, self.released_max)
            && at < released
        {
            inc(&metrics.reorder_late);
        }
        // A message without `createAt` keeps its arrival place after what has been seen.
        let order = job.create_at.or(self.seen_max).unwrap_or(i64::MIN);
        self.seen_max = self.seen_max.max(job.create_at);
        self.jobs
            .insert((order, self.seq), (crate::clock::now(), job.run));
        self.seq += 1;
    }

    /// When the earliest-arrived job's hold ends: the smallest `createAt` is released then.
    fn due(&self, window: Duration) -> Option<tokio::time::Instant> {
        self.jobs.values().map(|(at, _)| *at).min().map(|at| at + window)
    }

    fn pop(&mut self) -> Option<Run> {
        let ((order, _), (_, run)) = self.jobs.pop_first()?;
        self.released_max = self.released_max.max(Some(order));
        Some(run)
    }
}

/// [`lane_worker`] with a reorder window: each job waits until the earliest-arrived one has been held for the
/// window, then the one with the smallest `createAt` runs. No job waits longer than the window before it is
/// eligible.
async fn reordering_lane_worker<H>(shared: Arc<Shared<H>>, key: String, mut rx: mpsc::Receiver<Job>) {
    let window = shared.reorder_window;
    let released_max = shared
        .released
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .remove(&key);
    let mut held = Held {
        jobs: std::collections::BTreeMap::new(),
        seq: 0,
        seen_max: released_max,
        released_max,
    };
    let mut open = true;
    loop {
        while open && held.jobs.len() < shared.per_key_depth {
            match rx.try_recv() {
                Ok(job) => held.push(job, &shared.metrics),
                Err(mpsc::error::TryRecvError::Empty) => break,
                Err(mpsc::error::TryRecvError::Disconnected) => open = false,
            }
        }
        let Some(due) = held.due(window) else {
            if !open || lane_idle(&shared, &key, &rx) {
                if let Some(at) = held.released_max {
                    let mut released = shared.released.lock().unwrap_or_else(PoisonError::into_inner);
                    if released.len() >= RELEASED_CAPACITY {
                        released.clear();
                    }
                    released.insert(key, at);
                }
                return;
            }
            match timeout(Duration::from_millis(50), rx.recv()).await {
                Ok(Some(job)) => held.push(job, &shared.metrics),
                Ok(None) => open = false,
                Err(_) => {}
            }
            continue;
        };
        if crate::clock::now() >= due {
            if let Some(run) = held.pop() {
                run().await;
            }
            continue;
        }
        if open && held.jobs.len() < shared.per_key_depth {
            tokio::select! {
                job = rx.recv() => match job {
                    Some(job) => held.push(job, &shared.metrics),
                    None => open = false,
                },
                () = tokio::time::sleep_until(due) => {}
            }
        } else {
            tokio::time::sleep_until(due).await;
        }
    }
}

async fn run_event<H: Handler>(
    shared: &Shared<H>,
    event: Event,
    responder: EventResponder,
    keys: Vec<String>,
    answer: watch::Sender<Option<Answer>>,
) {
    let _running = shared.running.acquire().await;
    let handler = Arc::clone(&shared.handler);
    let event_id = event.event_id();
    let started = crate::clock::now();
    let task = tokio::spawn(async move { handler.on_event(event).await });
    let abort = task.abort_handle();
    let finished = timeout(shared.event_timeout, task).await;
    shared
        .metrics
        .handler_ran(crate::clock::now().saturating_duration_since(started));
    let outcome = match finished {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(e))) => Err(format!("handler error: {e}")),
        Ok(Err(_)) => Err("handler panicked".to_owned()),
        Err(_) => {
            abort.abort();
            Err("handler timeout".to_owned())
        }
    };
    match outcome {
        Ok(()) => {
            answer.send_replace(Some(Answer::Ack));
            let _ = responder.ack().await;
        }
        Err(reason) => {
            tracing::warn!(
                event_id = event_id.as_ref().map(dingtalk_core::id::EventId::as_str),
                reason,
                "event acked LATER"
            );
            let _ = shared.dedup.remove(&keys).await;
            shared.forget(&keys);
            let reason = short(&reason);
            answer.send_replace(Some(Answer::Later(reason)));
            let _ = responder.later(reason).await;
        }
    }
}

async fn run_callback<H: Handler>(
    shared: &Shared<H>,
    callback: Callback,
    responder: CallbackResponder,
    keys: Vec<String>,
    answer: watch::Sender<Option<Answer>>,
) {
    let _running = shared.running.acquire().await;
    let handler = Arc::clone(&shared.handler);
    let started = crate::clock::now();
    let task = tokio::spawn(async move { handler.on_callback(callback).await });
    let abort = task.abort_handle();
    let finished = timeout(shared.callback_timeout, task).await;
    shared
        .metrics
        .handler_ran(crate::clock::now().saturating_duration_since(started));
    let outcome = match finished {
        Ok(Ok(Ok(response))) => Ok(response),
        Ok(Ok(Err(_))) => Err("handler error"),
        Ok(Err(_)) => Err("handler panicked"),
        Err(_) => {
            abort.abort();
            Err("handler timeout")
        }
    };
    match outcome {
        Ok(Some(response)) => {
            let _ = responder.reply(&response).await;
            answer.send_replace(Some(Answer::Reply(response)));
        }
        Ok(None) => {
            answer.send_replace(Some(Answer::Ack));
            let _ = responder.ack().await;
        }
        Err(reason) => {
            tracing::warn!(reason, "callback answered 500");
            let _ = shared.dedup.remove(&keys).await;
            shared.forget(&keys);
            answer.send_replace(Some(Answer::Later(reason)));
            let _ = responder.later(reason).await;
        }
    }
}

/// Server-bound reasons stay short and never carry handler error text.
fn short(reason: &str) -> &'static str {
    if reason.starts_with("handler error") {
        "handler error"
    } else if reason.starts_with("handler panicked") {
        "handler panicked"
    } else if reason.starts_with("handler timeout") {
        "handler timeout"
    } else {
        "handler failed"
    }
}

#[cfg(test)]
mod tests;
