//! The card driver: executes the state machine's commands over `dingtalk-openapi` (CARD-02).
//!
//! One task per account holds every live card of that account, so the app-wide [`PriorityLimiter`] sees all of
//! them. The task owns the timers, fills in a fresh `guid` per streaming request, classifies every outcome once,
//! writes the journal, starts continuation cards, and reports fallbacks and stop requests to the reply's owner
//! through its [`CardHandle`].
//!
//! [`PriorityLimiter`]: crate::PriorityLimiter

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dingtalk_core::{
    CardTemplateId, Clock, ErrorKind, OpenConversationId, OutTrackId, Priority, RetryClass, RobotCode,
    SystemClock, UserId,
};
use dingtalk_openapi::Client;
use dingtalk_openapi::cards::{
    CallbackType, CardParamMap, CreateAndDeliverCard, CreateCard, DeliverCard, OpenSpaceId, UpdateCard,
    UpdateCardStreaming,
};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::config::{CardConfig, TemplateSpec};
use crate::journal::{CardJournal, JournalRow};
use crate::machine::{
    Call, CallKind, Card, CardSpec, CardStats, Command, Event, FallbackReason, Input, JournalOp, Outcome,
    Phase,
};

/// Where a reply card goes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CardTarget {
    /// A group (`IM_GROUP`), by its open conversation id.
    Group(OpenConversationId),
    /// A one-to-one chat with the robot (`IM_ROBOT`), by the user's id.
    Direct(UserId),
}

impl CardTarget {
    fn space(&self) -> OpenSpaceId {
        match self {
            CardTarget::Group(cid) => OpenSpaceId::im_group(cid),
            CardTarget::Direct(user) => OpenSpaceId::im_robot(user),
        }
    }
}

/// What the driver tells a reply's owner.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CardEvent {
    /// Send this as markdown instead (the card path failed or overflowed).
    Fallback {
        /// The text.
        text: String,
        /// Why.
        reason: FallbackReason,
    },
    /// The user stopped the reply: kill the agent.
    StopAgent {
        /// Who.
        by: String,
    },
    /// The reply ended; counters of its last card.
    Ended(CardStats),
    /// A card of the reply reached its conversation: its id and the delivery `carrierId`s (what a user's quote
    /// of the card refers to as `originalProcessQueryKey`).
    Delivered {
        /// The card.
        out_track_id: OutTrackId,
        /// Delivery carriers (empty when DingTalk named none).
        carrier_ids: Vec<String>,
    },
}

/// Driver settings for one account.
#[derive(Clone, Debug)]
pub struct DriverConfig {
    /// The account id (journal rows name it).
    pub account: String,
    /// The robot that delivers cards.
    pub robot_code: RobotCode,
    /// Card timing and texts.
    pub card: CardConfig,
    /// The template.
    pub template: TemplateSpec,
    /// Card button callbacks arrive on the Stream connection (`callbackType: STREAM`).
    pub stream_callbacks: bool,
}

impl DriverConfig {
    /// The app's call budget (QPS) assumed when pacing frames (CARD-15): the limiter's default.
    pub const PACING_QPS: f64 = 20.0;
}

enum Msg {
    Start {
        reply: u64,
        id: OutTrackId,
        target: CardTarget,
        events: mpsc::UnboundedSender<CardEvent>,
    },
    Input {
        reply: u64,
        input: Input,
    },
    Shutdown,
}

/// A reply in a card: push text as it grows, then finish, fail or stop. Dropping it unfinished closes the card as
/// failed ("reply interrupted").
#[derive(Debug)]
pub struct CardHandle {
    reply: u64,
    out_track_id: OutTrackId,
    tx: mpsc::UnboundedSender<Msg>,
    events: mpsc::UnboundedReceiver<CardEvent>,
    done: bool,
    keys: Vec<String>,
}

impl CardHandle {
    /// The id of the reply's first card (a card callback names it; continuation cards have their own, see
    /// [`keys`](Self::keys)).
    pub fn out_track_id(&self) -> &OutTrackId {
        &self.out_track_id
    }

    /// The keys of the reply's cards seen so far by [`next_event`](Self::next_event) or
    /// [`closed`](Self::closed): every `outTrackId` and delivery `carrierId` (for a
    /// [`FinalTexts`](crate::FinalTexts) store).
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    fn note(&mut self, event: &CardEvent) {
        if let CardEvent::Delivered {
            out_track_id,
            carrier_ids,
        } = event
        {
            self.keys.push(out_track_id.as_str().to_owned());
            self.keys
                .extend(carrier_ids.iter().filter(|c| !c.is_empty()).cloned());
        }
    }

    /// The whole answer so far.
    pub fn push(&self, text: impl Into<String>) {
        self.send(Input::Text(text.into()));
    }

    /// A status line (tool in use); keeps the idle watchdog quiet.
    pub fn progress(&self, status: impl Into<String>) {
        self.send(Input::Progress(status.into()));
    }

    /// The reply waits behind others: show `notice` (such as `⏳ 已排队（前面还有 2 条）`) while the card stays in
    /// `flowStatus "1"`, without the idle watchdog, until the first [`push`](Self::push) (an empty text will
    /// do), [`progress`](Self::progress) or terminal call, which blanks the notice. Call again to replace the
    /// notice; the absolute watchdog counts from the latest one.
    pub fn queued(&self, notice: impl Into<String>) {
        self.send(Input::Queued(notice.into()));
    }

    /// The final answer.
    pub fn finish(&mut self, text: impl Into<String>) {
        self.done = true;
        self.send(Input::Finish(text.into()));
    }

    /// A real failure; `reason` is short and safe to show.
    pub fn fail(&mut self, reason: impl Into<String>) {
        self.done = true;
        self.send(Input::Fail(reason.into()));
    }

    /// The user stopped the reply.
    pub fn stop(&mut self, by: impl Into<String>) {
        self.done = true;
        self.send(Input::Stop { by: by.into() });
    }

    /// The next event of this reply (`None` once the driver is gone).
    pub async fn next_event(&mut self) -> Option<CardEvent> {
        let event = self.events.recv().await;
        if let Some(event) = &event {
            self.note(event);
        }
        event
    }

    /// Waits for the end of the reply, collecting fallback texts (to send as markdown) on the way.
    pub async fn closed(&mut self) -> (Vec<(String, FallbackReason)>, Option<CardStats>) {
        let mut fallbacks = Vec::new();
        while let Some(event) = self.next_event().await {
            match event {
                CardEvent::Fallback { text, reason } => fallbacks.push((text, reason)),
                CardEvent::Ended(stats) => return (fallbacks, Some(stats)),
                _ => {}
            }
        }
        (fallbacks, None)
    }

    fn send(&self, input: Input) {
        // The driver may be gone at shutdown; nothing useful can be done about it here.
        let _ = self.tx.send(Msg::Input {
            reply: self.reply,
            input,
        });
    }
}

impl Drop for CardHandle {
    fn drop(&mut self) {
        if !self.done {
            self.send(Input::HandleDropped);
        }
    }
}

/// Runs the cards of one account.
#[derive(Debug)]
pub struct CardDriver {
    tx: mpsc::UnboundedSender<Msg>,
    task: Option<JoinHandle<()>>,
    next_reply: std::sync::atomic::AtomicU64,
    degraded: Degraded,
}

/// Until when the account's replies go as markdown, shared by the driver task and its handle.
#[derive(Clone)]
struct Degraded {
    until: Arc<std::sync::Mutex<Option<Instant>>>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Degraded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Degraded").field("now", &self.now()).finish()
    }
}

impl Degraded {
    fn now(&self) -> bool {
        self.until
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some_and(|until| self.clock.now() < until)
    }

    fn set(&self, until: Instant) {
        *self
            .until
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(until);
    }
}

impl CardDriver {
    /// Starts the driver task. `client` should use a transport without automatic retries for card calls (the
    /// state machine retries) and with the app's [`PriorityLimiter`](crate::PriorityLimiter).
    pub fn spawn(client: Client, config: DriverConfig, journal: Arc<dyn CardJournal>) -> Self {
        Self::spawn_with_clock(client, config, journal, Arc::new(SystemClock))
    }

    /// Like [`spawn`](Self::spawn) with an explicit clock.
    pub fn spawn_with_clock(
        client: Client,
        config: DriverConfig,
        journal: Arc<dyn CardJournal>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let degraded = Degraded {
            until: Arc::default(),
            clock: clock.clone(),
        };
        let task = tokio::spawn(run(
            Engine::new(client, config, journal, clock, degraded.clone()),
            rx,
        ));
        Self {
            tx,
            task: Some(task),
            next_reply: std::sync::atomic::AtomicU64::new(1),
            degraded,
        }
    }

    /// Whether replies currently go as markdown without a card (after permission or template errors, CARD-40):
    /// a reply started now gets no card.
    pub fn is_degraded(&self) -> bool {
        self.degraded.now()
    }

    /// Starts a reply card for `target`. Creation happens in the background; text can be pushed at once.
    pub fn start(&self, target: CardTarget) -> CardHandle {
        let reply = self.next_reply.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (events_tx, events) = mpsc::unbounded_channel();
        let id = new_out_track_id();
        let _ = self.tx.send(Msg::Start {
            reply,
            id: id.clone(),
            target,
            events: events_tx,
        });
        CardHandle {
            reply,
            out_track_id: id,
            tx: self.tx.clone(),
            events,
            done: false,
            keys: Vec::new(),
        }
    }

    /// Like [`shutdown`](Self::shutdown) for a driver shared behind a reference: closes every live card ("service
    /// restarting"), refuses new ones (they answer as markdown), and waits up to `grace` for the closing calls.
    pub async fn close_all(&self, grace: Duration) {
        let _ = self.tx.send(Msg::Shutdown);
        // The driver task ends (dropping its inbox) once every card is closed.
        let _ = tokio::time::timeout(grace, self.tx.closed()).await;
    }

    /// Closes every live card ("service restarting") and waits up to `grace` for the closing calls; rows not
    /// confirmed by then stay in the journal for the next start.
    pub async fn shutdown(mut self, grace: Duration) {
        let _ = self.tx.send(Msg::Shutdown);
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(grace, task).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for CardDriver {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

struct Reply {
    current: OutTrackId,
    target: CardTarget,
    events: mpsc::UnboundedSender<CardEvent>,
    /// The whole answer so far (for degraded replies and continuation cards).
    text: String,
    continuation: u32,
}

struct Live {
    card: Card,
    reply: u64,
    wake: Option<Instant>,
    created_at_ms: u64,
    space: String,
}

struct Engine {
    client: Client,
    config: DriverConfig,
    journal: Arc<dyn CardJournal>,
    clock: Arc<dyn Clock>,
    cards: HashMap<OutTrackId, Live>,
    replies: HashMap<u64, Reply>,
    degraded: Degraded,
    shutting_down: bool,
}

/// A finished call: the card, the request id, the outcome, and the delivery carriers of a successful delivery.
type CallResult = (OutTrackId, u64, Outcome, Option<Vec<String>>);

async fn run(mut engine: Engine, mut rx: mpsc::UnboundedReceiver<Msg>) {
    let mut calls: FuturesUnordered<futures_util::future::BoxFuture<'static, CallResult>> =
        FuturesUnordered::new();
    let mut inbox_open = true;
    loop {
        if engine.shutting_down && engine.cards.is_empty() && calls.is_empty() {
            break;
        }
        let next_wake = engine.cards.values().filter_map(|l| l.wake).min();
        let sleep = async {
            match next_wake {
                Some(at) => tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await,
                None => std::future::pending().await,
            }
        };
        let mut pending = Vec::new();
        tokio::select! {
            msg = rx.recv(), if inbox_open => {
                if let Some(msg) = msg {
                    engine.on_msg(msg, &mut pending);
                } else {
                    inbox_open = false;
                    engine.shutdown_all(&mut pending);
                }
            }
            Some((id, req, outcome, carriers)) = calls.next(), if !calls.is_empty() => {
                if let Some(carrier_ids) = carriers
                    && let Some(reply) = engine.cards.get(&id).map(|l| l.reply)
                {
                    engine.emit(reply, CardEvent::Delivered { out_track_id: id.clone(), carrier_ids });
                }
                engine.apply(&id, Input::ApiResult { req, outcome }, &mut pending);
            }
            () = sleep => {
                let now = engine.clock.now();
                let due: Vec<OutTrackId> =
                    engine.cards.iter().filter(|(_, l)| l.wake.is_some_and(|w| w <= now)).map(|(id, _)| id.clone()).collect();
                for id in due {
                    if let Some(live) = engine.cards.get_mut(&id) {
                        live.wake = None;
                    }
                    engine.apply(&id, Input::Tick, &mut pending);
                }
            }
        }
        for (id, call) in pending {
            calls.push(Box::pin(engine.execute(id, call)));
        }
        if !inbox_open && engine.cards.is_empty() && calls.is_empty() {
            break;
        }
    }
}

impl Engine {
    fn new(
        client: Client,
        config: DriverConfig,
        journal: Arc<dyn CardJournal>,
        clock: Arc<dyn Clock>,
        degraded: Degraded,
    ) -> Self {
        Self {
            client,
            config,
            journal,
            clock,
            cards: HashMap::new(),
            replies: HashMap::new(),
            degraded,
            shutting_down: false,
        }
    }

    fn on_msg(&mut self, msg: Msg, pending: &mut Vec<(OutTrackId, Call)>) {
        match msg {
            Msg::Start {
                reply,
                id,
                target,
                events,
            } => {
                // No card while degraded or shutting down: the reply goes out as markdown.
                let card = !(self.degraded.now() || self.shutting_down);
                self.replies.insert(
                    reply,
                    Reply {
                        current: if card { id.clone() } else { OutTrackId::new("") },
                        target,
                        events,
                        text: String::new(),
                        continuation: 0,
                    },
                );
                if card {
                    self.start_card(reply, &id, 0, 0, pending);
                }
            }
            Msg::Input { reply, input } => self.on_input(reply, input, pending),
            Msg::Shutdown => self.shutdown_all(pending),
        }
    }

    fn on_input(&mut self, reply: u64, input: Input, pending: &mut Vec<(OutTrackId, Call)>) {
        let Some(r) = self.replies.get_mut(&reply) else {
            return;
        };
        if let Input::Text(t) | Input::Finish(t) = &input {
            r.text.clone_from(t);
        }
        let current = r.current.clone();
        if current.is_empty() {
            // Degraded reply: only terminal inputs matter.
            let text = r.text.clone();
            let fallback = match input {
                Input::Finish(_) => Some(if text.trim().is_empty() {
                    self.config.card.empty_reply_text.clone()
                } else {
                    text
                }),
                Input::Fail(reason) => Some(format!("{text}{}{reason}", self.config.card.failure_prefix)),
                Input::HandleDropped => Some(format!(
                    "{text}{}reply interrupted",
                    self.config.card.failure_prefix
                )),
                Input::Stop { by } => {
                    let _ = r.events.send(CardEvent::StopAgent { by });
                    Some(format!("{text}{}", self.config.card.stop_line))
                }
                _ => None,
            };
            if let Some(text) = fallback {
                let events = r.events.clone();
                let _ = events.send(CardEvent::Fallback {
                    text: text.trim_start().to_owned(),
                    reason: FallbackReason::CardUnavailable,
                });
                let _ = events.send(CardEvent::Ended(CardStats::default()));
                self.replies.remove(&reply);
            }
            return;
        }
        self.apply(&current, input, pending);
    }

    fn start_card(
        &mut self,
        reply: u64,
        id: &OutTrackId,
        offset: usize,
        continuation: u32,
        pending: &mut Vec<(OutTrackId, Call)>,
    ) {
        let Some(target) = self.replies.get(&reply).map(|r| r.target.clone()) else {
            return;
        };
        let spec = CardSpec {
            out_track_id: id.clone(),
            template: self.config.template.clone(),
            offset,
            continuation,
        };
        let (card, commands) = Card::start(spec, self.config.card.clone(), self.clock.now());
        let live = Live {
            card,
            reply,
            wake: None,
            created_at_ms: self.clock.epoch_millis(),
            space: target.space().as_str().to_owned(),
        };
        self.cards.insert(id.clone(), live);
        self.repace();
        self.run_commands(id, commands, pending);
        // Text that arrived before a continuation card existed.
        let text = self
            .replies
            .get(&reply)
            .map(|r| r.text.clone())
            .unwrap_or_default();
        if continuation > 0 && !text.is_empty() {
            self.apply(id, Input::Text(text), pending);
        }
    }

    fn shutdown_all(&mut self, pending: &mut Vec<(OutTrackId, Call)>) {
        self.shutting_down = true;
        let ids: Vec<OutTrackId> = self.cards.keys().cloned().collect();
        for id in ids {
            self.apply(&id, Input::Shutdown, pending);
        }
    }

    fn apply(&mut self, id: &OutTrackId, input: Input, pending: &mut Vec<(OutTrackId, Call)>) {
        let now = self.clock.now();
        let Some(live) = self.cards.get_mut(id) else {
            return;
        };
        let commands = live.card.apply(input, now);
        self.run_commands(id, commands, pending);
    }

    fn run_commands(
        &mut self,
        id: &OutTrackId,
        commands: Vec<Command>,
        pending: &mut Vec<(OutTrackId, Call)>,
    ) {
        let Some(reply_id) = self.cards.get(id).map(|l| l.reply) else {
            return;
        };
        for command in commands {
            match command {
                Command::Call(call) => pending.push((id.clone(), call)),
                Command::WakeAt(at) => {
                    if let Some(live) = self.cards.get_mut(id) {
                        live.wake = Some(at);
                    }
                }
                Command::Fallback { text, reason } => {
                    self.emit(reply_id, CardEvent::Fallback { text, reason });
                }
                Command::Journal(JournalOp::Upsert(entry)) => {
                    if let Some(row) = self.row(id, &entry)
                        && let Err(e) = self.journal.upsert(&row)
                    {
                        tracing::warn!(error = %e, "card journal write failed");
                    }
                }
                Command::Journal(JournalOp::Remove) => {
                    if let Err(e) = self.journal.remove(id.as_str()) {
                        tracing::warn!(error = %e, "card journal delete failed");
                    }
                }
                Command::Degrade { duration, outcome } => {
                    tracing::warn!(?outcome, ?duration, account = %self.config.account, "cards degraded to markdown");
                    self.degraded.set(self.clock.now() + duration);
                }
                Command::Emit(Event::StopAgent { by }) => self.emit(reply_id, CardEvent::StopAgent { by }),
                Command::Emit(Event::Continue { from_offset }) => {
                    let next = new_out_track_id();
                    let continuation = match self.replies.get_mut(&reply_id) {
                        Some(r) => {
                            r.current = next.clone();
                            r.continuation += 1;
                            r.continuation
                        }
                        None => continue,
                    };
                    self.start_card(reply_id, &next, from_offset, continuation, pending);
                }
                Command::Emit(Event::Stats(stats)) => {
                    tracing::info!(out_track_id = %id, calls = stats.api_calls(), throttled = stats.throttled, "card ended");
                    let is_current = self.replies.get(&reply_id).is_some_and(|r| &r.current == id);
                    if is_current {
                        self.emit(reply_id, CardEvent::Ended(stats));
                    }
                }
                Command::Emit(Event::CardUnavailable | Event::LateInput) => {}
            }
        }
        let done = self.cards.get(id).is_some_and(|l| {
            l.card.is_terminal() && *l.card.phase() != Phase::Failed(crate::Fallback::Buffering)
        });
        if done {
            self.cards.remove(id);
            self.repace();
            let is_current = self.replies.get(&reply_id).is_some_and(|r| &r.current == id);
            if is_current {
                self.replies.remove(&reply_id);
            }
        }
    }

    /// CARD-15: with n live cards, frames of each card are at least `n × 1000 / (QPS × 0.5)` ms apart, so
    /// intermediate frames never use more than half of the app's budget.
    fn repace(&mut self) {
        let live = f64::from(u32::try_from(self.cards.len()).unwrap_or(u32::MAX));
        let pace = Duration::from_secs_f64(live / (DriverConfig::PACING_QPS * 0.5));
        for card in self.cards.values_mut() {
            card.card.set_pace(pace);
        }
    }

    fn emit(&self, reply: u64, event: CardEvent) {
        if let Some(r) = self.replies.get(&reply) {
            let _ = r.events.send(event);
        }
    }

    fn row(&self, id: &OutTrackId, entry: &crate::machine::JournalEntry) -> Option<JournalRow> {
        let live = self.cards.get(id)?;
        Some(JournalRow {
            out_track_id: id.to_string(),
            account: self.config.account.clone(),
            open_space_id: live.space.clone(),
            template_id: self.config.template.id.clone(),
            stream_key: self.config.template.stream_key.clone(),
            phase: entry.phase.to_owned(),
            stream_opened: entry.stream_opened,
            last_content: entry.last_content.clone(),
            created_at_ms: live.created_at_ms,
            updated_at_ms: self.clock.epoch_millis(),
            attempts: 0,
        })
    }

    /// Builds the future of one API call; it resolves to the classified outcome.
    fn execute(
        &self,
        id: OutTrackId,
        call: Call,
    ) -> impl std::future::Future<Output = CallResult> + Send + 'static {
        let client = self.client.clone();
        let template = CardTemplateId::new(self.config.template.id.clone());
        let robot = self.config.robot_code.clone();
        let stream_callbacks = self.config.stream_callbacks;
        let space = self
            .replies
            .values()
            .find(|r| r.current == id)
            .map(|r| r.target.space());
        let space = space.or_else(|| {
            self.cards
                .get(&id)
                .map(|l| OpenSpaceId::from_raw(l.space.clone()))
        });
        async move {
            let (outcome, carriers) = execute_call(
                &client,
                &id,
                &template,
                &robot,
                space,
                stream_callbacks,
                call.kind,
                call.priority,
            )
            .await;
            (id, call.req, outcome, carriers)
        }
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one call's full context, kept flat for readability"
)]
async fn execute_call(
    client: &Client,
    id: &OutTrackId,
    template: &CardTemplateId,
    robot: &RobotCode,
    space: Option<OpenSpaceId>,
    stream_callbacks: bool,
    kind: CallKind,
    priority: Priority,
) -> (Outcome, Option<Vec<String>>) {
    let space = space.unwrap_or_else(|| OpenSpaceId::from_raw(""));
    let carriers = |results: &[dingtalk_openapi::cards::DeliverResult]| {
        results
            .iter()
            .filter_map(|r| r.carrier_id.clone())
            .collect::<Vec<_>>()
    };
    let result = match kind {
        CallKind::CreateAndDeliver { vars } => {
            let mut request =
                CreateAndDeliverCard::new(template.clone(), id.clone(), vars.into_iter().collect(), space)
                    .robot_code(robot.clone());
            if stream_callbacks {
                request = request.callback_type(CallbackType::Stream);
            }
            match client.call(request).priority(priority).await {
                Ok(response) if response.failed_deliveries().next().is_some() => {
                    return (Outcome::Business, None);
                }
                Ok(response) => return (Outcome::Ok, Some(carriers(&response.result.deliver_results))),
                Err(e) => Err(e),
            }
        }
        CallKind::Create { vars } => {
            let mut request =
                CreateCard::new(template.clone(), id.clone(), vars.into_iter().collect()).for_spaces(&space);
            if stream_callbacks {
                request = request.callback_type(CallbackType::Stream);
            }
            client.call(request).priority(priority).await.map(drop)
        }
        CallKind::Deliver => {
            match client
                .call(DeliverCard::new(id.clone(), space).robot_code(robot.clone()))
                .priority(priority)
                .await
            {
                Ok(response) if response.result.iter().any(|r| !r.success) => {
                    return (Outcome::Business, None);
                }
                Ok(response) => return (Outcome::Ok, Some(carriers(&response.result))),
                Err(e) => Err(e),
            }
        }
        CallKind::UpdateVars { vars } => client
            .call(UpdateCard::new(id.clone(), vars.into_iter().collect()))
            .priority(priority)
            .await
            .map(drop),
        CallKind::Stream {
            key,
            content,
            finalize,
            error,
        } => {
            let guid = uuid::Uuid::new_v4().to_string();
            let mut request = UpdateCardStreaming::new(id.clone(), guid, key, content).full();
            if finalize {
                request = request.finalize();
            }
            if error {
                request = request.error();
            }
            client.call(request).priority(priority).await.map(drop)
        }
    };
    match result {
        Ok(()) => (Outcome::Ok, None),
        Err(e) => (classify(&e), None),
    }
}

/// Classifies a failed card call once (CARD-05).
pub fn classify(error: &dingtalk_core::Error) -> Outcome {
    let code = error
        .api_error()
        .map(|a| a.code().as_str().to_owned())
        .unwrap_or_default();
    if error.retry_class() == RetryClass::Throttled || error.kind() == ErrorKind::RateLimited {
        return Outcome::Throttled {
            retry_after: error.retry_after(),
        };
    }
    if code == "cardNotExist" {
        return Outcome::NotFound;
    }
    if code == "unknownError" || code.starts_with("param.") {
        return Outcome::Template;
    }
    match error.kind() {
        ErrorKind::Forbidden => Outcome::Permission,
        ErrorKind::Timeout | ErrorKind::Transport | ErrorKind::Unauthorized | ErrorKind::Token => {
            Outcome::Transient
        }
        _ if error.http_status().is_some_and(|s| s >= 500) => Outcome::Transient,
        _ => Outcome::Business,
    }
}

fn new_out_track_id() -> OutTrackId {
    OutTrackId::new(format!("card_{}", uuid::Uuid::new_v4().simple()))
}

/// Closes the cards a previous process left live (CARD-52): each journal row gets its last content plus
/// `interrupted_line`, a finalize frame with `isError` when a key was opened, and `flowStatus "5"`. `cardNotExist`
/// deletes the row; rows older than 24 h get one attempt and are dropped.
pub async fn recover(
    client: &Client,
    journal: &dyn CardJournal,
    account: &str,
    interrupted_line: &str,
) -> RecoveryReport {
    let mut report = RecoveryReport::default();
    let now_ms = SystemClock.epoch_millis();
    let Ok(rows) = journal.rows() else { return report };
    for mut row in rows.into_iter().filter(|r| r.account == account) {
        let id = OutTrackId::new(row.out_track_id.clone());
        let content = format!("{}{interrupted_line}", row.last_content);
        let mut outcome = Outcome::Ok;
        if row.stream_opened {
            let guid = uuid::Uuid::new_v4().to_string();
            let frame = UpdateCardStreaming::new(id.clone(), guid, row.stream_key.clone(), content.clone())
                .full()
                .finalize()
                .error();
            if let Err(e) = client.call(frame).priority(Priority::Critical).await {
                outcome = classify(&e);
            }
        }
        if outcome == Outcome::Ok {
            let mut vars = CardParamMap::new();
            vars.insert("flowStatus", "5");
            vars.insert(row.stream_key.clone(), content);
            if let Err(e) = client
                .call(UpdateCard::new(id.clone(), vars))
                .priority(Priority::Critical)
                .await
            {
                outcome = classify(&e);
            }
        }
        let stale = now_ms.saturating_sub(row.created_at_ms) > 24 * 3_600_000;
        match outcome {
            Outcome::Ok => report.closed += 1,
            Outcome::NotFound => report.gone += 1,
            _ if stale => report.dropped += 1,
            _ => {
                report.kept += 1;
                row.attempts += 1;
                let _ = journal.upsert(&row);
                continue;
            }
        }
        let _ = journal.remove(&row.out_track_id);
    }
    report
}

/// What [`recover`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecoveryReport {
    /// Cards closed as failed.
    pub closed: u32,
    /// Cards DingTalk no longer knows (`cardNotExist`).
    pub gone: u32,
    /// Cards that could not be closed and stay journaled.
    pub kept: u32,
    /// Rows older than 24 h given up on.
    pub dropped: u32,
}
