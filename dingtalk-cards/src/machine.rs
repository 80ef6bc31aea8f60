//! The pure AI-card state machine: `step(card, input, now) -> (card, commands)`.
//!
//! No I/O, no clock reads, no randomness: time comes in as `now`, and everything the card wants done comes out as
//! [`Command`]s for a driver to execute. Guarantees (property-tested in `tests/machine.rs`):
//!
//! * at most one request in flight per card, across all request kinds;
//! * latest text wins: a newer text replaces unsent text, and the newest is always sent (trailing flush);
//! * every card ends terminal after `Finish`, `Fail`, `Stop`, a dropped handle, a watchdog or `Shutdown`, with the
//!   closing frame (when a stream key was opened) and the `flowStatus` update both confirmed, or with a markdown
//!   fallback carrying the text;
//! * no API call after a terminal state.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use dingtalk_core::{OutTrackId, Priority};

use crate::config::{CardConfig, Overflow, TemplateSpec};
use crate::text::{fits, normalize_for_card, split_for_budget, trim_partial_frame};

/// Card variables (`cardParamMap`): string keys to string values, by type.
pub type Vars = BTreeMap<String, String>;

/// What the caller tells a card.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Input {
    /// The whole answer so far (not a delta).
    Text(String),
    /// A status line (tool in use); resets the idle watchdog.
    Progress(String),
    /// The reply waits behind others: show this notice (such as its place in the queue) in `flowStatus "1"`. While
    /// it waits the idle watchdog is off and the absolute one counts from the latest notice; the first answer
    /// input (text, progress or an ending) ends the wait, restarts both and blanks the notice until text comes. A
    /// later notice replaces an earlier one.
    Queued(String),
    /// The final answer.
    Finish(String),
    /// A real failure; the reason is short and safe to show (no paths, tokens or stderr).
    Fail(String),
    /// The user (or an owner) stopped the reply.
    Stop {
        /// Who stopped it.
        by: String,
    },
    /// The handle was dropped without a terminal call.
    HandleDropped,
    /// The outcome of a [`Call`].
    ApiResult {
        /// The call's request id.
        req: u64,
        /// How it went.
        outcome: Outcome,
    },
    /// A timer set by [`Command::WakeAt`] fired.
    Tick,
    /// The service is shutting down.
    Shutdown,
}

/// How a card API call went, classified once by the driver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// 2xx and no business failure.
    Ok,
    /// 403 `QpsLimit*`, 429 or `90018`.
    Throttled {
        /// The server's requested delay.
        retry_after: Option<Duration>,
    },
    /// 5xx (other than template errors), timeouts, resets, or a token the driver could not refresh in time.
    Transient,
    /// 403 `Forbidden.AccessDenied.*` other than QPS.
    Permission,
    /// 500 `unknownError`, 400 `param.*` (template or variables do not match).
    Template,
    /// `cardNotExist`.
    NotFound,
    /// HTTP 200 with `success: false` or a failed `deliverResults` entry.
    Business,
}

impl Outcome {
    /// The server-requested delay of a throttled call.
    pub fn retry_after(self) -> Option<Duration> {
        match self {
            Outcome::Throttled { retry_after } => retry_after,
            _ => None,
        }
    }
}

/// What the card wants done.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// Make an API call and report its [`Outcome`] as [`Input::ApiResult`].
    Call(Call),
    /// Deliver [`Input::Tick`] at this instant (replaces any earlier timer of this card).
    WakeAt(Instant),
    /// Send this text as a markdown message instead (the card path failed or overflowed).
    Fallback {
        /// The text to send.
        text: String,
        /// Why.
        reason: FallbackReason,
    },
    /// Update the crash-recovery journal.
    Journal(JournalOp),
    /// Stop creating cards for this account for a while; reply with markdown meanwhile.
    Degrade {
        /// How long.
        duration: Duration,
        /// Why.
        outcome: Outcome,
    },
    /// Something for the owner to know.
    Emit(Event),
}

/// An API call of a card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// Request id, echoed in [`Input::ApiResult`].
    pub req: u64,
    /// Rate-limiter priority: `Critical` closers, `High` create, `Normal` state updates, `Low` frames.
    pub priority: Priority,
    /// What to call.
    pub kind: CallKind,
}

/// The card API calls.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallKind {
    /// `POST /v1.0/card/instances/createAndDeliver` with these variables.
    CreateAndDeliver {
        /// Initial variables.
        vars: Vars,
    },
    /// `POST /v1.0/card/instances` (two-call variant).
    Create {
        /// Initial variables.
        vars: Vars,
    },
    /// `POST /v1.0/card/instances/deliver` (two-call variant).
    Deliver,
    /// `PUT /v1.0/card/instances` with `updateCardDataByKey: true`.
    UpdateVars {
        /// The variables to merge.
        vars: Vars,
    },
    /// `PUT /v1.0/card/streaming` with `isFull: true`.
    Stream {
        /// The template variable.
        key: String,
        /// The full text so far.
        content: String,
        /// `isFinalize`.
        finalize: bool,
        /// `isError`.
        error: bool,
    },
}

/// Why a fallback message is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FallbackReason {
    /// The card could not be created or updated.
    CardUnavailable,
    /// The text outgrew the card budget (overflow policy `markdown`, or continuations exhausted).
    Overflow,
    /// Closing calls kept failing; the card stays in the journal for repair.
    CloseFailed,
}

/// Journal updates.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JournalOp {
    /// Insert or update the card's row.
    Upsert(JournalEntry),
    /// The card is confirmed closed: delete the row.
    Remove,
}

/// What the journal keeps of a live card, enough to close it after a crash.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct JournalEntry {
    /// The card.
    pub out_track_id: OutTrackId,
    /// The phase name.
    pub phase: &'static str,
    /// Whether a stream key was opened (a closing frame is owed).
    pub stream_opened: bool,
    /// The last content shown.
    pub last_content: String,
    /// The last `flowStatus` set.
    pub last_flow_status: &'static str,
}

/// Notices for the card's owner.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The card could not be created; the reply continues as markdown.
    CardUnavailable,
    /// Kill the agent: the user stopped the reply.
    StopAgent {
        /// Who stopped it.
        by: String,
    },
    /// Input arrived after the card ended; it was ignored.
    LateInput,
    /// Start a continuation card for the text from this character offset of the whole answer.
    Continue {
        /// Offset (in chars) of the whole answer where the new card starts.
        from_offset: usize,
    },
    /// The card ended; its counters.
    Stats(CardStats),
}

/// Per-card counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CardStats {
    /// Create (and createAndDeliver) calls.
    pub create_calls: u32,
    /// Deliver calls.
    pub deliver_calls: u32,
    /// `PUT /v1.0/card/instances` calls.
    pub update_calls: u32,
    /// Non-final streaming frames.
    pub stream_frames: u32,
    /// Finalize frames.
    pub finalize_frames: u32,
    /// Retried calls.
    pub retries: u32,
    /// Throttled answers.
    pub throttled: u32,
    /// Texts replaced before they were sent.
    pub coalesced: u32,
    /// Bytes of content sent.
    pub bytes_sent: u64,
    /// Time from start to the first visible text.
    pub first_visible: Option<Duration>,
    /// Time from start to the terminal state.
    pub total: Option<Duration>,
}

impl CardStats {
    /// Every API call the card made.
    pub fn api_calls(&self) -> u32 {
        self.create_calls + self.deliver_calls + self.update_calls + self.stream_frames + self.finalize_frames
    }
}

/// Where a card is in its life.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Phase {
    /// Create (and deliver) in flight.
    Creating,
    /// Visible in `flowStatus "1"`; no text yet.
    Delivered,
    /// `flowStatus "2"`; frames being coalesced.
    Streaming,
    /// Closing calls in flight.
    Finalizing(Closing),
    /// Terminal: the answer is shown.
    Finished,
    /// Terminal: the user stopped the reply.
    Stopped,
    /// Terminal for the card; the text may still go out as markdown.
    Failed(Fallback),
}

/// What a closing sequence leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Closing {
    /// The answer is complete.
    Finished,
    /// Closed at a split point; a continuation card follows.
    Continue,
    /// Closed at a split point; the rest goes as markdown when the answer completes.
    Spill,
    /// The user stopped the reply.
    Stopped,
    /// A real failure.
    Failed,
    /// The card API broke mid-reply; the answer continues as markdown.
    Broken,
}

/// The fallback state of a failed card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fallback {
    /// Nothing more to send.
    None,
    /// Collecting text to send as markdown when the answer completes.
    Buffering,
    /// The markdown fallback was sent.
    Sent,
}

/// Everything needed to create a card.
#[derive(Clone, Debug)]
pub struct CardSpec {
    /// The card id.
    pub out_track_id: OutTrackId,
    /// The template.
    pub template: TemplateSpec,
    /// Offset (chars) of the whole answer where this card starts: 0, or more for a continuation card.
    pub offset: usize,
    /// How many continuation cards came before this one.
    pub continuation: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    Create,
    Deliver,
    /// The queued notice (variables only; `flowStatus` stays `"1"`).
    Notice,
    OpenStream,
    Frame,
    Close,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Intent {
    Finish(String),
    Fail(String),
    Stop(String),
}

/// One card. Build it with [`Card::start`], drive it with [`Card::apply`] (or the free function [`step`]).
#[derive(Clone, Debug)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent flags of one state machine"
)]
pub struct Card {
    spec: CardSpec,
    cfg: CardConfig,
    phase: Phase,
    /// The latest full text of the whole answer (offset not applied).
    text: String,
    /// The last text successfully shown on the card (own part).
    shown: String,
    /// The last text sent (or in flight) in a frame, normalized.
    last_sent: Option<String>,
    in_flight: Option<(u64, Purpose)>,
    /// The call to retry, and when.
    retry: Option<(Instant, CallKind, Priority, Purpose)>,
    closing: VecDeque<CallKind>,
    closing_outcome: Option<Closing>,
    /// The text the closing calls show (sent as markdown if they cannot be confirmed).
    closing_text: String,
    intent: Option<Intent>,
    next_req: u64,
    started_at: Instant,
    /// Where the absolute watchdog counts from: the start, or the end of a queued wait.
    watch_from: Instant,
    /// The queued notice while the reply waits (`Input::Queued`), and the last one shown.
    notice: Option<String>,
    notice_shown: Option<String>,
    /// The wait ended with a notice on screen and no answer text yet: blank the card's text.
    clear_notice: bool,
    delivered_at: Option<Instant>,
    last_activity: Instant,
    next_allowed: Instant,
    interval: Duration,
    /// A floor set by the driver so intermediate frames never take more than half the app's budget (CARD-15).
    pace: Duration,
    create_attempts: u32,
    transient_retries: u32,
    throttled_in_row: u32,
    close_attempts: u32,
    quiet: bool,
    stream_opened: bool,
    vars_set: bool,
    spill_from: Option<usize>,
    pending_since_sent: bool,
    stats: CardStats,
}

/// The pure transition function: the card after `input` at `now`, and the commands to execute.
pub fn step(mut card: Card, input: Input, now: Instant) -> (Card, Vec<Command>) {
    let commands = card.apply(input, now);
    (card, commands)
}

impl Card {
    /// Creates the card: write-ahead journal row, the create call and the create deadline.
    pub fn start(spec: CardSpec, cfg: CardConfig, now: Instant) -> (Self, Vec<Command>) {
        let interval = cfg.stream_interval;
        let pace = cfg.stream_interval;
        let mut card = Self {
            spec,
            cfg,
            phase: Phase::Creating,
            text: String::new(),
            shown: String::new(),
            last_sent: None,
            in_flight: None,
            retry: None,
            closing: VecDeque::new(),
            closing_outcome: None,
            closing_text: String::new(),
            intent: None,
            next_req: 1,
            started_at: now,
            watch_from: now,
            notice: None,
            notice_shown: None,
            clear_notice: false,
            delivered_at: None,
            last_activity: now,
            next_allowed: now,
            interval,
            pace,
            create_attempts: 0,
            transient_retries: 0,
            throttled_in_row: 0,
            close_attempts: 0,
            quiet: false,
            stream_opened: false,
            vars_set: false,
            spill_from: None,
            pending_since_sent: false,
            stats: CardStats::default(),
        };
        let mut out = vec![Command::Journal(JournalOp::Upsert(card.journal_entry("1")))];
        let create = card.create_call();
        card.issue(create, Priority::High, Purpose::Create, &mut out);
        card.push_wake(&mut out);
        (card, out)
    }

    /// The current phase.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// Whether the card has ended.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self.phase,
            Phase::Finished | Phase::Stopped | Phase::Failed(Fallback::None | Fallback::Sent)
        )
    }

    /// Whether a request is in flight.
    pub fn in_flight(&self) -> bool {
        self.in_flight.is_some()
    }

    /// The counters so far.
    pub fn stats(&self) -> &CardStats {
        &self.stats
    }

    /// Sets the minimum spacing of intermediate frames, e.g. `live cards × 1000 / (app QPS × 0.5)` ms so that
    /// frames never take more than half of the app's call budget (CARD-15). Closing calls are not affected.
    pub fn set_pace(&mut self, pace: Duration) {
        self.pace = pace.min(self.cfg.max_interval.max(self.cfg.stream_interval) * 4);
    }

    /// The card id.
    pub fn out_track_id(&self) -> &OutTrackId {
        &self.spec.out_track_id
    }

    /// Applies one input.
    pub fn apply(&mut self, input: Input, now: Instant) -> Vec<Command> {
        let mut out = Vec::new();
        if self.is_terminal() {
            if !matches!(input, Input::Tick | Input::ApiResult { .. }) {
                out.push(Command::Emit(Event::LateInput));
            }
            return out;
        }
        if !matches!(input, Input::Queued(_) | Input::ApiResult { .. } | Input::Tick)
            && self.notice.take().is_some()
        {
            // The wait is over: the watchdogs count from now.
            self.watch_from = now;
            self.last_activity = now;
            self.clear_notice = self.notice_shown.is_some();
        }
        match input {
            Input::Text(text) => self.on_text(text, now),
            Input::Progress(_) => self.last_activity = now,
            Input::Queued(notice) => {
                self.last_activity = now;
                self.watch_from = now;
                // Only before any answer text went out: a notice never replaces an answer.
                if self.text.is_empty()
                    && self.last_sent.is_none()
                    && matches!(self.phase, Phase::Creating | Phase::Delivered)
                {
                    self.notice = Some(notice);
                    self.clear_notice = false;
                }
            }
            Input::Finish(text) => self.on_intent(Intent::Finish(text), now, &mut out),
            Input::Fail(reason) => self.on_intent(Intent::Fail(reason), now, &mut out),
            Input::Stop { by } => {
                out.push(Command::Emit(Event::StopAgent { by: by.clone() }));
                self.on_intent(Intent::Stop(by), now, &mut out);
            }
            Input::HandleDropped => {
                self.on_intent(Intent::Fail("reply interrupted".to_owned()), now, &mut out);
            }
            Input::Shutdown => self.on_intent(Intent::Fail("service restarting".to_owned()), now, &mut out),
            Input::ApiResult { req, outcome } => self.on_result(req, outcome, now, &mut out),
            Input::Tick => self.on_tick(now, &mut out),
        }
        self.advance(now, &mut out);
        if !self.is_terminal() {
            self.push_wake(&mut out);
        }
        out
    }

    // ---- inputs ---------------------------------------------------------------------------------------------

    fn on_text(&mut self, text: String, now: Instant) {
        self.last_activity = now;
        if self.pending_since_sent && text != self.text {
            self.stats.coalesced += 1;
        }
        self.pending_since_sent = true;
        self.text = text;
    }

    fn on_intent(&mut self, intent: Intent, now: Instant, out: &mut Vec<Command>) {
        self.last_activity = now;
        if let Intent::Finish(text) = &intent {
            self.text.clone_from(text);
        }
        match self.phase {
            Phase::Failed(Fallback::Buffering) => self.fallback_now(&intent, out),
            Phase::Finalizing(Closing::Broken) => {
                // The card is closing after a breakage; the answer goes out as markdown afterwards.
                if self.intent.is_none() || matches!(intent, Intent::Finish(_)) {
                    self.intent = Some(intent);
                }
            }
            Phase::Finalizing(_) => {}
            _ => {
                if self.intent.is_none() {
                    self.intent = Some(intent);
                }
            }
        }
    }

    fn on_result(&mut self, req: u64, outcome: Outcome, now: Instant, out: &mut Vec<Command>) {
        let Some((current, purpose)) = self.in_flight else {
            return;
        };
        if current != req {
            return;
        }
        self.in_flight = None;
        if let Outcome::Throttled { .. } = outcome {
            self.stats.throttled += 1;
        }
        match (purpose, outcome) {
            (Purpose::Create, Outcome::Ok) if !self.cfg.one_call_create => {
                self.issue(CallKind::Deliver, Priority::High, Purpose::Deliver, out);
            }
            (Purpose::Create | Purpose::Deliver, Outcome::Ok) => {
                self.phase = Phase::Delivered;
                self.delivered_at = Some(now);
                self.next_allowed = now + self.cfg.first_frame_gap;
                out.push(Command::Journal(JournalOp::Upsert(self.journal_entry("1"))));
            }
            (Purpose::Create | Purpose::Deliver, Outcome::Throttled { .. } | Outcome::Transient)
                if self.create_attempts < self.cfg.create_attempts =>
            {
                let wait = retry_wait(outcome, self.create_attempts);
                let kind = if purpose == Purpose::Deliver {
                    CallKind::Deliver
                } else {
                    self.create_call()
                };
                self.retry = Some((now + wait, kind, Priority::High, purpose));
            }
            (Purpose::Create | Purpose::Deliver, _) => self.fail_creating(outcome, out),
            (Purpose::Notice, Outcome::Ok) => self.next_allowed = now + self.effective_interval(),
            (Purpose::Notice, Outcome::Throttled { .. } | Outcome::Transient) => {
                // Shown again at the next chance (the notice is cosmetic; the answer's calls decide the card's fate).
                self.notice_shown = None;
                self.next_allowed = now + self.effective_interval() * 2;
            }
            (Purpose::Notice, _) => {
                // Not retried: the notice cannot be shown on this card.
                self.notice = None;
            }
            (Purpose::OpenStream | Purpose::Frame, Outcome::Ok) => {
                self.throttled_in_row = 0;
                self.transient_retries = 0;
                if purpose == Purpose::OpenStream {
                    self.phase = Phase::Streaming;
                    self.vars_set = true;
                    out.push(Command::Journal(JournalOp::Upsert(self.journal_entry("2"))));
                } else {
                    self.stream_opened = true;
                }
                if let Some(sent) = &self.last_sent {
                    self.shown.clone_from(sent);
                }
                if self.stats.first_visible.is_none() {
                    self.stats.first_visible = Some(now.saturating_duration_since(self.started_at));
                }
                self.next_allowed = now + self.effective_interval();
            }
            (Purpose::OpenStream | Purpose::Frame, Outcome::Throttled { retry_after }) => {
                self.throttled_in_row += 1;
                self.interval = (self.interval * 2).min(self.cfg.max_interval);
                self.next_allowed = now + retry_after.unwrap_or(self.interval);
                self.last_sent = None;
                if self.throttled_in_row >= 5 {
                    self.quiet = true;
                }
            }
            (Purpose::OpenStream | Purpose::Frame, Outcome::Transient) => {
                self.transient_retries += 1;
                self.last_sent = None;
                self.next_allowed = now + self.effective_interval();
                if self.transient_retries > 2 {
                    self.quiet = true;
                }
            }
            (Purpose::OpenStream | Purpose::Frame, _) => {
                // The card API broke mid-reply: close what is shown (best effort), answer as markdown.
                out.push(Command::Degrade {
                    duration: self.degrade_for(outcome),
                    outcome,
                });
                let pointer = format!("{}{}", self.shown, self.cfg.pointer_line);
                self.begin_closing(Closing::Broken, self.failed_closing(&pointer), out);
            }
            (Purpose::Close, Outcome::Ok) => {
                self.close_attempts = 0;
                self.closing.pop_front();
            }
            (Purpose::Close, Outcome::Throttled { .. } | Outcome::Transient)
                if self.close_attempts < self.cfg.finalize_retries =>
            {
                self.close_attempts += 1;
                let wait = retry_wait(outcome, self.close_attempts);
                if let Some(kind) = self.closing.front().cloned() {
                    self.retry = Some((now + wait, kind, Priority::Critical, Purpose::Close));
                }
            }
            (Purpose::Close, _) => self.close_failed(out),
        }
    }

    fn on_tick(&mut self, now: Instant, out: &mut Vec<Command>) {
        let waiting = self.notice.is_some();
        let idle = !waiting && now.saturating_duration_since(self.last_activity) >= self.cfg.watchdog_idle;
        let too_old = now.saturating_duration_since(self.watch_from) >= self.cfg.watchdog_max;
        let creating_late = self.phase == Phase::Creating
            && now.saturating_duration_since(self.started_at) >= self.cfg.create_deadline;
        if creating_late && self.in_flight.is_none() {
            self.fail_creating(Outcome::Transient, out);
        } else if (idle || too_old) && !matches!(self.phase, Phase::Finalizing(_) | Phase::Failed(_)) {
            self.intent = Some(Intent::Fail("timed out".to_owned()));
        } else if (idle || too_old) && self.phase == Phase::Failed(Fallback::Buffering) {
            self.fallback_now(&Intent::Fail("timed out".to_owned()), out);
        }
    }

    // ---- the engine -----------------------------------------------------------------------------------------

    /// Does whatever can be done now: retries that are due, the closing sequence, intents, frames.
    fn advance(&mut self, now: Instant, out: &mut Vec<Command>) {
        if self.in_flight.is_some() || self.is_terminal() {
            return;
        }
        if let Some((at, _, _, _)) = &self.retry {
            if now < *at {
                return;
            }
            if let Some((_, kind, priority, purpose)) = self.retry.take() {
                self.stats.retries += 1;
                self.issue(kind, priority, purpose, out);
                return;
            }
        }
        match self.phase.clone() {
            Phase::Creating | Phase::Failed(_) | Phase::Finished | Phase::Stopped => {}
            Phase::Finalizing(outcome) => self.next_close(outcome, now, out),
            Phase::Delivered | Phase::Streaming => {
                let gap_done = now >= self.delivered_at.unwrap_or(now) + self.cfg.first_frame_gap;
                if let Some(intent) = self.intent.take() {
                    if gap_done {
                        self.close_for(intent, out);
                        self.advance(now, out);
                    } else {
                        self.intent = Some(intent);
                    }
                    return;
                }
                self.maybe_overflow(out);
                if matches!(self.phase, Phase::Finalizing(_)) {
                    self.advance(now, out);
                    return;
                }
                self.maybe_frame(now, out);
            }
        }
    }

    fn maybe_frame(&mut self, now: Instant, out: &mut Vec<Command>) {
        if self.quiet || now < self.next_allowed {
            return;
        }
        if let Some(notice) = self.notice.clone() {
            if self.phase == Phase::Delivered && self.notice_shown.as_ref() != Some(&notice) {
                let content = self.shape(&notice);
                self.notice_shown = Some(notice);
                let vars = self.vars([(self.key(), content.as_str())]);
                self.issue(CallKind::UpdateVars { vars }, Priority::Low, Purpose::Notice, out);
            }
            return;
        }
        let own = self.own_text();
        let content = self.shape(trim_partial_frame(&own));
        if content.is_empty() && self.clear_notice && self.phase == Phase::Delivered {
            self.clear_notice = false;
            let vars = self.vars([(self.key(), "")]);
            self.issue(CallKind::UpdateVars { vars }, Priority::Low, Purpose::Notice, out);
            return;
        }
        if content.is_empty() || self.last_sent.as_deref() == Some(content.as_str()) {
            return;
        }
        self.clear_notice = false;
        self.pending_since_sent = false;
        self.last_sent = Some(content.clone());
        if self.phase == Phase::Delivered {
            let vars = self.vars([("flowStatus", "2"), (self.key(), &content)]);
            self.issue(
                CallKind::UpdateVars { vars },
                Priority::Normal,
                Purpose::OpenStream,
                out,
            );
        } else {
            let kind = CallKind::Stream {
                key: self.key().to_owned(),
                content,
                finalize: false,
                error: false,
            };
            self.issue(kind, Priority::Low, Purpose::Frame, out);
        }
    }

    /// CARD-30..32: a text over the budget closes this card at a split point.
    fn maybe_overflow(&mut self, out: &mut Vec<Command>) {
        let own = self.own_text();
        if fits(&own, self.cfg.budget_chars, self.cfg.budget_bytes) {
            return;
        }
        let split = split_for_budget(&own, self.cfg.budget_chars, self.cfg.budget_bytes);
        let rest_chars = own[..split.rest_at].chars().count();
        let from_offset = self.spec.offset + rest_chars;
        let policy = if self.cfg.overflow == Overflow::Continuation
            && self.spec.continuation >= self.cfg.max_continuations
        {
            Overflow::Markdown
        } else {
            self.cfg.overflow
        };
        match policy {
            Overflow::Continuation => {
                let content = self.shape(&format!("{}{}", split.head, self.cfg.continuation_line));
                out.push(Command::Emit(Event::Continue { from_offset }));
                self.begin_closing(Closing::Continue, self.finished_closing(&content, None), out);
            }
            Overflow::Markdown => {
                let content = self.shape(&format!("{}{}", split.head, self.cfg.spill_line));
                self.spill_from = Some(from_offset);
                self.begin_closing(Closing::Spill, self.finished_closing(&content, None), out);
            }
            Overflow::Truncate => {
                let content = self.shape(&format!("{}{}", split.head, self.cfg.truncated_line));
                self.begin_closing(Closing::Finished, self.finished_closing(&content, None), out);
            }
        }
    }

    fn close_for(&mut self, intent: Intent, out: &mut Vec<Command>) {
        match intent {
            Intent::Finish(_) => {
                let own = self.own_text();
                if !fits(&own, self.cfg.budget_chars, self.cfg.budget_bytes) {
                    // Finish with an over-long text: the overflow policy applies first.
                    self.intent = Some(Intent::Finish(self.text.clone()));
                    self.maybe_overflow(out);
                    if matches!(self.phase, Phase::Finalizing(_)) {
                        return;
                    }
                    self.intent = None;
                }
                let text = if own.trim().is_empty() {
                    self.cfg.empty_reply_text.clone()
                } else {
                    own
                };
                let content = self.shape(&text);
                let calls = self.finished_closing(&content, None);
                self.begin_closing(Closing::Finished, calls, out);
            }
            Intent::Fail(reason) => {
                let content = self.shape(&format!(
                    "{}{}{}",
                    self.shown_or_text(),
                    self.cfg.failure_prefix,
                    reason
                ));
                let calls = self.failed_closing(&content);
                self.begin_closing(Closing::Failed, calls, out);
            }
            Intent::Stop(_) => {
                let content = self.shape(&format!("{}{}", self.shown_or_text(), self.cfg.stop_line));
                let stop_key = self.spec.template.stop_key.clone();
                let calls = self.finished_closing(&content, stop_key.as_deref());
                self.begin_closing(Closing::Stopped, calls, out);
            }
        }
    }

    /// Finish / stop / continuation: [open vars if never set], finalize frame, `flowStatus "3"`.
    fn finished_closing(&self, content: &str, stop_key: Option<&str>) -> VecDeque<CallKind> {
        let mut calls = VecDeque::new();
        calls.push_back(CallKind::Stream {
            key: self.key().to_owned(),
            content: content.to_owned(),
            finalize: true,
            error: false,
        });
        let mut vars = self.vars([("flowStatus", "3"), (self.key(), content)]);
        if let Some(stop_key) = stop_key {
            vars.insert(stop_key.to_owned(), "false".to_owned());
        }
        calls.push_back(CallKind::UpdateVars { vars });
        calls
    }

    /// Failure: finalize frame with `isError` when a key was opened, then `flowStatus "5"`.
    fn failed_closing(&self, content: &str) -> VecDeque<CallKind> {
        let mut calls = VecDeque::new();
        if self.stream_opened || self.vars_set {
            calls.push_back(CallKind::Stream {
                key: self.key().to_owned(),
                content: content.to_owned(),
                finalize: true,
                error: true,
            });
        }
        calls.push_back(CallKind::UpdateVars {
            vars: self.vars([("flowStatus", "5"), (self.key(), content)]),
        });
        calls
    }

    fn begin_closing(&mut self, outcome: Closing, calls: VecDeque<CallKind>, out: &mut Vec<Command>) {
        self.closing_text = calls
            .iter()
            .find_map(|call| match call {
                CallKind::Stream { content, .. } => Some(content.clone()),
                CallKind::UpdateVars { vars } => vars.get(self.key()).cloned(),
                _ => None,
            })
            .unwrap_or_default();
        self.phase = Phase::Finalizing(outcome);
        self.closing = calls;
        self.closing_outcome = Some(outcome);
        self.retry = None;
        self.close_attempts = 0;
        out.push(Command::Journal(JournalOp::Upsert(self.journal_entry("2"))));
    }

    fn next_close(&mut self, outcome: Closing, now: Instant, out: &mut Vec<Command>) {
        let _ = now;
        if let Some(kind) = self.closing.front().cloned() {
            self.issue(kind, Priority::Critical, Purpose::Close, out);
            return;
        }
        // Every closing call is confirmed.
        out.push(Command::Journal(JournalOp::Remove));
        self.phase = match outcome {
            Closing::Finished | Closing::Continue => Phase::Finished,
            Closing::Stopped => Phase::Stopped,
            Closing::Failed => Phase::Failed(Fallback::None),
            Closing::Spill | Closing::Broken => Phase::Failed(Fallback::Buffering),
        };
        if self.phase == Phase::Failed(Fallback::Buffering)
            && let Some(intent) = self.intent.take()
        {
            self.fallback_now(&intent, out);
        }
        self.finish_stats(now, out);
    }

    fn close_failed(&mut self, out: &mut Vec<Command>) {
        // Row 22: the journal row stays (no Remove) so the repair loop or the next boot closes the card.
        self.closing.clear();
        if let Some(Closing::Broken | Closing::Spill) = self.closing_outcome {
            // The answer is still coming: it goes out as markdown when it completes.
            self.phase = Phase::Failed(Fallback::Buffering);
            if let Some(intent) = self.intent.take() {
                self.fallback_now(&intent, out);
            }
        } else {
            self.phase = Phase::Failed(Fallback::Sent);
            let text = self.fallback_text(&self.closing_text);
            out.push(Command::Fallback {
                text,
                reason: FallbackReason::CloseFailed,
            });
        }
        self.finish_stats(self.started_at, out);
    }

    fn fail_creating(&mut self, outcome: Outcome, out: &mut Vec<Command>) {
        self.retry = None;
        self.phase = Phase::Failed(Fallback::Buffering);
        out.push(Command::Degrade {
            duration: self.degrade_for(outcome),
            outcome,
        });
        out.push(Command::Journal(JournalOp::Remove));
        out.push(Command::Emit(Event::CardUnavailable));
        if let Some(intent) = self.intent.take() {
            self.fallback_now(&intent, out);
        }
    }

    fn fallback_now(&mut self, intent: &Intent, out: &mut Vec<Command>) {
        let text = match intent {
            Intent::Finish(text) => {
                let own = self.spill_text(text);
                if own.trim().is_empty() {
                    self.cfg.empty_reply_text.clone()
                } else {
                    own
                }
            }
            Intent::Fail(reason) => {
                format!(
                    "{}{}{}",
                    self.spill_text(&self.text),
                    self.cfg.failure_prefix,
                    reason
                )
            }
            Intent::Stop(_) => format!("{}{}", self.spill_text(&self.text), self.cfg.stop_line),
        };
        let reason = if self.spill_from.is_some() {
            FallbackReason::Overflow
        } else {
            FallbackReason::CardUnavailable
        };
        self.phase = Phase::Failed(Fallback::Sent);
        out.push(Command::Fallback {
            text: text.trim_start().to_owned(),
            reason,
        });
    }

    fn spill_text(&self, whole: &str) -> String {
        let from = self.spill_from.unwrap_or(self.spec.offset);
        whole.chars().skip(from).collect()
    }

    fn fallback_text(&self, own: &str) -> String {
        if own.trim().is_empty() {
            self.cfg.empty_reply_text.clone()
        } else {
            own.to_owned()
        }
    }

    fn finish_stats(&mut self, now: Instant, out: &mut Vec<Command>) {
        self.stats.total = Some(now.saturating_duration_since(self.started_at));
        out.push(Command::Emit(Event::Stats(self.stats.clone())));
    }

    fn issue(&mut self, kind: CallKind, priority: Priority, purpose: Purpose, out: &mut Vec<Command>) {
        let req = self.next_req;
        self.next_req += 1;
        match &kind {
            CallKind::CreateAndDeliver { .. } | CallKind::Create { .. } => {
                self.create_attempts += 1;
                self.stats.create_calls += 1;
            }
            CallKind::Deliver => self.stats.deliver_calls += 1,
            CallKind::UpdateVars { .. } => self.stats.update_calls += 1,
            CallKind::Stream {
                content, finalize, ..
            } => {
                self.stats.bytes_sent += content.len() as u64;
                if *finalize {
                    self.stats.finalize_frames += 1;
                } else {
                    self.stats.stream_frames += 1;
                }
            }
        }
        self.in_flight = Some((req, purpose));
        out.push(Command::Call(Call { req, priority, kind }));
    }

    /// The earliest instant the card needs a tick, if any.
    fn push_wake(&self, out: &mut Vec<Command>) {
        let mut wake = None::<Instant>;
        let mut consider = |at: Instant| wake = Some(wake.map_or(at, |w: Instant| w.min(at)));
        if let Some((at, ..)) = &self.retry {
            consider(*at);
        }
        match self.phase {
            Phase::Creating => consider(self.started_at + self.cfg.create_deadline),
            Phase::Delivered | Phase::Streaming if self.in_flight.is_none() => {
                let gap = self.delivered_at.unwrap_or(self.started_at) + self.cfg.first_frame_gap;
                if self.intent.is_some() {
                    consider(gap);
                } else if !self.quiet && self.has_unsent_text() {
                    consider(self.next_allowed.max(gap));
                } else if !self.quiet
                    && self.phase == Phase::Delivered
                    && match &self.notice {
                        Some(notice) => self.notice_shown.as_ref() != Some(notice),
                        None => self.clear_notice,
                    }
                {
                    consider(self.next_allowed);
                }
            }
            _ => {}
        }
        if !matches!(self.phase, Phase::Finalizing(_)) {
            if self.notice.is_none() {
                consider(self.last_activity + self.cfg.watchdog_idle);
            }
            consider(self.watch_from + self.cfg.watchdog_max);
        }
        if let Some(at) = wake {
            out.push(Command::WakeAt(at));
        }
    }

    fn has_unsent_text(&self) -> bool {
        let own = self.own_text();
        let content = self.shape(trim_partial_frame(&own));
        !content.is_empty() && self.last_sent.as_deref() != Some(content.as_str())
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    fn create_call(&self) -> CallKind {
        let mut vars = self.spec.template.static_params.clone();
        if self.spec.template.supports_flow_status {
            vars.insert("flowStatus".to_owned(), "1".to_owned());
        }
        vars.insert(self.key().to_owned(), String::new());
        if self.cfg.one_call_create {
            CallKind::CreateAndDeliver { vars }
        } else {
            CallKind::Create { vars }
        }
    }

    fn key(&self) -> &str {
        &self.spec.template.stream_key
    }

    fn vars<'a>(&self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vars {
        pairs
            .into_iter()
            .filter(|(k, _)| *k != "flowStatus" || self.spec.template.supports_flow_status)
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    fn own_text(&self) -> String {
        if self.spec.offset == 0 {
            self.text.clone()
        } else {
            self.text.chars().skip(self.spec.offset).collect()
        }
    }

    fn shown_or_text(&self) -> String {
        if self.shown.is_empty() {
            trim_partial_frame(&self.own_text()).to_owned()
        } else {
            self.shown.clone()
        }
    }

    fn shape(&self, text: &str) -> String {
        if self.cfg.normalize_newlines {
            normalize_for_card(text)
        } else {
            text.to_owned()
        }
    }

    fn effective_interval(&self) -> Duration {
        self.interval.max(self.cfg.stream_interval).max(self.pace)
    }

    fn degrade_for(&self, outcome: Outcome) -> Duration {
        match outcome {
            Outcome::Permission | Outcome::Template => self.cfg.degrade,
            _ => self.cfg.transient_degrade,
        }
    }

    fn journal_entry(&self, flow_status: &'static str) -> JournalEntry {
        JournalEntry {
            out_track_id: self.spec.out_track_id.clone(),
            phase: match self.phase {
                Phase::Creating => "creating",
                Phase::Delivered => "delivered",
                Phase::Streaming => "streaming",
                Phase::Finalizing(_) => "finalizing",
                Phase::Finished => "finished",
                Phase::Stopped => "stopped",
                Phase::Failed(_) => "failed",
            },
            stream_opened: self.stream_opened,
            last_content: self.shown.clone(),
            last_flow_status: flow_status,
        }
    }
}

/// The wait before retrying a create or close call: the server's delay when it gave one; for a QPS throttle, which
/// clears within a second, at most 2 s; otherwise exponential backoff.
fn retry_wait(outcome: Outcome, attempt: u32) -> Duration {
    match outcome {
        Outcome::Throttled {
            retry_after: Some(after),
        } => after,
        Outcome::Throttled { retry_after: None } => backoff(attempt).min(Duration::from_secs(2)),
        _ => backoff(attempt),
    }
}

/// Backoff for retried create and close calls: 1 s, 2 s, 4 s … capped at 30 s.
fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(1u64 << attempt.saturating_sub(1).min(5)).min(Duration::from_secs(30))
}
