//! The card state machine under a simulated driver: call sequences, coalescing, failures, fallbacks, watchdogs,
//! overflow, and properties over random input sequences on virtual time.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use dingtalk_cards::{
    CallKind, Card, CardConfig, CardSpec, Command, Event, Fallback, FallbackReason, Input, JournalOp,
    Outcome, Overflow, Phase, TemplateSpec,
};
use dingtalk_core::Clock as _;
use dingtalk_core::{OutTrackId, Priority, SystemClock};
use proptest::prelude::*;

/// A virtual driver: executes calls with scripted outcomes, fires timers, records everything.
struct Sim {
    card: Card,
    now: Instant,
    t0: Instant,
    wake: Option<Instant>,
    in_flight: Option<(u64, CallKind)>,
    /// Outcomes for the next calls, in order; `Ok` when empty.
    script: VecDeque<Outcome>,
    calls: Vec<(Duration, CallKind, Priority)>,
    fallbacks: Vec<(String, FallbackReason)>,
    events: Vec<Event>,
    journal: Vec<JournalOp>,
    max_in_flight_seen: usize,
}

impl Sim {
    fn new(cfg: CardConfig) -> Self {
        let now = SystemClock.now();
        let spec = CardSpec {
            out_track_id: OutTrackId::new("card_1"),
            template: TemplateSpec::stock(),
            offset: 0,
            continuation: 0,
        };
        let (card, commands) = Card::start(spec, cfg, now);
        let mut sim = Sim {
            card,
            now,
            t0: now,
            wake: None,
            in_flight: None,
            script: VecDeque::new(),
            calls: Vec::new(),
            fallbacks: Vec::new(),
            events: Vec::new(),
            journal: Vec::new(),
            max_in_flight_seen: 0,
        };
        sim.absorb(commands);
        sim
    }

    fn absorb(&mut self, commands: Vec<Command>) {
        for command in commands {
            match command {
                Command::Call(call) => {
                    assert!(
                        self.in_flight.is_none(),
                        "two requests in flight: {:?}",
                        call.kind
                    );
                    self.calls.push((
                        self.now.saturating_duration_since(self.t0),
                        call.kind.clone(),
                        call.priority,
                    ));
                    self.in_flight = Some((call.req, call.kind));
                    self.max_in_flight_seen = 1;
                }
                Command::WakeAt(at) => self.wake = Some(at),
                Command::Fallback { text, reason } => self.fallbacks.push((text, reason)),
                Command::Emit(event) => self.events.push(event),
                Command::Journal(op) => self.journal.push(op),
                _ => {}
            }
        }
    }

    fn input(&mut self, input: Input) {
        let commands = self.card.apply(input, self.now);
        self.absorb(commands);
    }

    /// Completes the in-flight call (after 50 ms of latency) with the next scripted outcome.
    fn respond(&mut self) -> bool {
        let Some((req, _)) = self.in_flight.take() else {
            return false;
        };
        self.now += Duration::from_millis(50);
        let outcome = self.script.pop_front().unwrap_or(Outcome::Ok);
        self.input(Input::ApiResult { req, outcome });
        true
    }

    /// Runs the card until it is idle up to `until` (responding to calls, firing due timers).
    fn run_until(&mut self, until: Instant) {
        for _ in 0..100_000 {
            if self.respond() {
                continue;
            }
            match self.wake {
                Some(at) if at <= until => {
                    self.now = self.now.max(at);
                    self.wake = None;
                    self.input(Input::Tick);
                }
                _ => {
                    self.now = self.now.max(until);
                    return;
                }
            }
        }
        panic!("the card never went idle");
    }

    /// Runs until nothing is in flight and the next timer is only a watchdog (more than a minute away).
    fn settle(&mut self) {
        for _ in 0..100_000 {
            if self.respond() {
                continue;
            }
            match self.wake {
                Some(at) if at <= self.now + Duration::from_mins(1) => {
                    self.now = self.now.max(at);
                    self.wake = None;
                    self.input(Input::Tick);
                }
                _ => return,
            }
        }
        panic!("the card never settled");
    }

    fn advance(&mut self, by: Duration) {
        let until = self.now + by;
        self.run_until(until);
    }

    fn kinds(&self) -> Vec<String> {
        self.calls
            .iter()
            .map(|(_, kind, _)| match kind {
                CallKind::CreateAndDeliver { .. } => "create".to_owned(),
                CallKind::Create { .. } => "create-only".to_owned(),
                CallKind::Deliver => "deliver".to_owned(),
                CallKind::UpdateVars { vars } => {
                    format!("vars{}", vars.get("flowStatus").map_or("", String::as_str))
                }
                CallKind::Stream {
                    finalize: true,
                    error,
                    ..
                } => if *error { "final-error" } else { "final" }.to_owned(),
                CallKind::Stream { .. } => "frame".to_owned(),
                _ => "other".to_owned(),
            })
            .collect()
    }

    fn last_final_content(&self) -> Option<String> {
        self.calls.iter().rev().find_map(|(_, kind, _)| match kind {
            CallKind::UpdateVars { vars } if vars.contains_key("flowStatus") => {
                vars.get("msgContent").cloned()
            }
            _ => None,
        })
    }
}

fn cfg() -> CardConfig {
    CardConfig {
        normalize_newlines: false,
        ..CardConfig::default()
    }
}

#[test]
fn normal_reply_follows_the_documented_sequence() {
    let mut sim = Sim::new(cfg());
    sim.settle();
    assert_eq!(sim.card.phase(), &Phase::Delivered);
    for i in 1..=10 {
        sim.input(Input::Text(format!("part {i}")));
        sim.advance(Duration::from_millis(100));
    }
    sim.input(Input::Finish("the final answer".into()));
    sim.settle();
    assert_eq!(sim.card.phase(), &Phase::Finished);
    let kinds = sim.kinds();
    assert_eq!(kinds.first().unwrap(), "create");
    assert_eq!(kinds[1], "vars2");
    assert_eq!(&kinds[kinds.len() - 2..], ["final", "vars3"]);
    assert_eq!(sim.last_final_content().as_deref(), Some("the final answer"));
    // Frames are at least the interval apart.
    let frames: Vec<Duration> = sim
        .calls
        .iter()
        .filter(|(_, k, _)| matches!(k, CallKind::Stream { finalize: false, .. }))
        .map(|c| c.0)
        .collect();
    for pair in frames.windows(2) {
        assert!(
            pair[1].saturating_sub(pair[0]) >= Duration::from_millis(300),
            "{frames:?}"
        );
    }
    // The first visible text waited for the first-frame gap after delivery.
    let delivered_at = Duration::from_millis(50);
    assert!(sim.calls[1].0 >= delivered_at + Duration::from_millis(500));
    assert!(matches!(sim.journal.last(), Some(JournalOp::Remove)));
    assert!(sim.events.iter().any(|e| matches!(e, Event::Stats(_))));
    // Priorities: create High, closers Critical, frames Low.
    assert_eq!(sim.calls[0].2, Priority::High);
    assert_eq!(sim.calls.last().unwrap().2, Priority::Critical);
}

#[test]
fn finish_before_delivery_waits_and_still_closes_properly() {
    let mut sim = Sim::new(cfg());
    sim.input(Input::Finish("quick".into()));
    sim.settle();
    assert_eq!(sim.card.phase(), &Phase::Finished);
    assert_eq!(sim.kinds(), ["create", "final", "vars3"]);
    assert_eq!(sim.last_final_content().as_deref(), Some("quick"));
}

#[test]
fn empty_answer_gets_the_empty_reply_text() {
    let mut sim = Sim::new(cfg());
    sim.settle();
    sim.input(Input::Finish(String::new()));
    sim.settle();
    assert_eq!(sim.last_final_content().as_deref(), Some("（无回复内容）"));
}

#[test]
fn failure_marks_the_card_failed_with_is_error() {
    let mut sim = Sim::new(cfg());
    sim.settle();
    sim.input(Input::Text("half an answer".into()));
    sim.advance(Duration::from_secs(1));
    sim.input(Input::Fail("agent exited with status 1".into()));
    sim.settle();
    assert_eq!(sim.card.phase(), &Phase::Failed(Fallback::None));
    let kinds = sim.kinds();
    assert_eq!(&kinds[kinds.len() - 2..], ["final-error", "vars5"]);
    let content = sim.last_final_content().unwrap();
    assert!(
        content.starts_with("half an answer") && content.contains("处理失败：agent exited"),
        "{content}"
    );
}

#[test]
fn stop_closes_with_the_stop_line_and_asks_to_kill_the_agent() {
    let mut sim = Sim::new(cfg());
    sim.settle();
    sim.input(Input::Text("working".into()));
    sim.advance(Duration::from_secs(1));
    sim.input(Input::Stop { by: "user1".into() });
    sim.settle();
    assert_eq!(sim.card.phase(), &Phase::Stopped);
    assert!(
        sim.events
            .iter()
            .any(|e| matches!(e, Event::StopAgent { by } if by == "user1"))
    );
    assert!(sim.last_final_content().unwrap().ends_with("⏹️ 已停止"));
    assert_eq!(sim.kinds().last().unwrap(), "vars3");
}

#[test]
fn dropped_handle_and_watchdog_end_the_card() {
    let mut sim = Sim::new(cfg());
    sim.settle();
    sim.input(Input::HandleDropped);
    sim.settle();
    assert_eq!(sim.card.phase(), &Phase::Failed(Fallback::None));

    let mut sim = Sim::new(cfg());
    sim.settle();
    sim.input(Input::Text("then silence".into()));
    sim.advance(Duration::from_mins(6));
    assert_eq!(sim.card.phase(), &Phase::Failed(Fallback::None));
    assert!(sim.last_final_content().unwrap().contains("timed out"));
}

/// A queued card shows its notice in `flowStatus "1"`, outlives the idle watchdog while it waits, and the answer
/// replaces the notice when its turn comes, with fresh watchdogs.
#[test]
fn a_queued_card_waits_without_the_idle_watchdog_then_answers() {
    let mut sim = Sim::new(cfg());
    sim.input(Input::Queued("⏳ 已排队（前面还有 2 条）".into()));
    sim.settle();
    assert_eq!(sim.card.phase(), &Phase::Delivered);
    let notice = sim.calls.iter().find_map(|(_, kind, _)| match kind {
        CallKind::UpdateVars { vars } => Some(vars.clone()),
        _ => None,
    });
    let notice = notice.unwrap();
    assert_eq!(
        notice.get("msgContent").map(String::as_str),
        Some("⏳ 已排队（前面还有 2 条）")
    );
    assert!(
        !notice.contains_key("flowStatus"),
        "the notice keeps flowStatus 1: {notice:?}"
    );
    // Far past the idle watchdog (5 min), with a refreshed notice in between.
    sim.advance(Duration::from_mins(8));
    sim.input(Input::Queued("⏳ 已排队（前面还有 1 条）".into()));
    sim.advance(Duration::from_mins(8));
    assert_eq!(sim.card.phase(), &Phase::Delivered, "{:?}", sim.kinds());
    assert_eq!(sim.kinds(), ["create", "vars", "vars"]);
    // Its turn: the notice is blanked, then the answer streams; the watchdogs count from now.
    sim.input(Input::Progress("Read".into()));
    sim.settle();
    assert_eq!(sim.kinds(), ["create", "vars", "vars", "vars"]);
    assert!(matches!(&sim.calls[3].1, CallKind::UpdateVars { vars } if vars["msgContent"].is_empty()));
    sim.input(Input::Text("the answer".into()));
    sim.settle();
    assert_eq!(sim.card.phase(), &Phase::Streaming);
    sim.advance(Duration::from_mins(4));
    sim.input(Input::Finish("the answer.".into()));
    sim.settle();
    assert_eq!(sim.card.phase(), &Phase::Finished);
    assert_eq!(sim.last_final_content().as_deref(), Some("the answer."));
}

/// The idle watchdog is back once the answer starts, and a queued card whose owner vanished still ends through the
/// absolute watchdog.
#[test]
fn queued_cards_still_end() {
    let mut sim = Sim::new(cfg());
    sim.input(Input::Queued("⏳".into()));
    sim.advance(Duration::from_mins(10));
    sim.input(Input::Text("started".into()));
    sim.advance(Duration::from_mins(6));
    assert!(
        sim.card.is_terminal(),
        "idle after the wait: {:?}",
        sim.card.phase()
    );
    assert!(sim.last_final_content().unwrap().contains("timed out"));

    let mut sim = Sim::new(cfg());
    sim.input(Input::Queued("⏳".into()));
    sim.advance(Duration::from_mins(31));
    sim.settle();
    assert!(sim.card.is_terminal(), "{:?}", sim.card.phase());

    // Dropped while waiting (the bot gave up on the message): closed failed, with no answer text.
    let mut sim = Sim::new(cfg());
    sim.input(Input::Queued("⏳".into()));
    sim.settle();
    sim.input(Input::Fail("排队超时".into()));
    sim.settle();
    assert_eq!(sim.card.phase(), &Phase::Failed(Fallback::None));
    let last = sim.last_final_content().unwrap();
    assert!(last.contains("排队超时") && !last.contains('⏳'), "{last}");
}

#[test]
fn permission_error_on_create_falls_back_to_markdown() {
    let mut sim = Sim::new(cfg());
    sim.script.push_back(Outcome::Permission);
    sim.settle();
    assert_eq!(sim.card.phase(), &Phase::Failed(Fallback::Buffering));
    assert!(sim.events.contains(&Event::CardUnavailable));
    sim.input(Input::Text("partial".into()));
    sim.input(Input::Finish("full answer".into()));
    sim.settle();
    assert_eq!(
        sim.fallbacks,
        [("full answer".to_owned(), FallbackReason::CardUnavailable)]
    );
    assert_eq!(sim.card.phase(), &Phase::Failed(Fallback::Sent));
    assert_eq!(sim.kinds(), ["create"]);
}

#[test]
fn throttled_create_is_retried_then_given_up() {
    let mut sim = Sim::new(cfg());
    sim.script.extend([
        Outcome::Throttled {
            retry_after: Some(Duration::from_secs(1)),
        },
        Outcome::Ok,
    ]);
    sim.settle();
    assert_eq!(sim.card.phase(), &Phase::Delivered);
    assert_eq!(sim.kinds(), ["create", "create"]);

    let mut sim = Sim::new(cfg());
    sim.script
        .extend([Outcome::Transient, Outcome::Transient, Outcome::Transient]);
    sim.input(Input::Finish("answer".into()));
    sim.settle();
    assert_eq!(sim.kinds(), ["create", "create", "create"]);
    assert_eq!(sim.fallbacks.len(), 1);
}

#[test]
fn mid_stream_breakage_closes_the_card_and_sends_the_answer_as_markdown() {
    let mut sim = Sim::new(cfg());
    sim.settle();
    sim.input(Input::Text("shown text".into()));
    sim.advance(Duration::from_secs(1));
    sim.script.push_back(Outcome::Template);
    sim.input(Input::Text("shown text and more".into()));
    sim.advance(Duration::from_secs(1));
    sim.input(Input::Finish("shown text and more and the end".into()));
    sim.settle();
    assert_eq!(sim.fallbacks.len(), 1, "{:?}", sim.kinds());
    assert_eq!(sim.fallbacks[0].0, "shown text and more and the end");
    assert_eq!(sim.card.phase(), &Phase::Failed(Fallback::Sent));
    let kinds = sim.kinds();
    assert_eq!(&kinds[kinds.len() - 2..], ["final-error", "vars5"]);
}

#[test]
fn closing_calls_that_keep_failing_end_in_a_fallback_and_keep_the_journal_row() {
    let mut sim = Sim::new(cfg());
    sim.settle();
    sim.input(Input::Finish("answer".into()));
    sim.script.extend(std::iter::repeat_n(Outcome::Transient, 10));
    sim.settle();
    assert_eq!(sim.card.phase(), &Phase::Failed(Fallback::Sent));
    assert_eq!(sim.fallbacks[0].1, FallbackReason::CloseFailed);
    assert!(!sim.journal.iter().any(|op| matches!(op, JournalOp::Remove)));
}

#[test]
fn throttled_frames_back_off_and_the_final_text_still_arrives() {
    let mut sim = Sim::new(cfg());
    sim.settle();
    sim.script
        .extend(std::iter::repeat_n(Outcome::Throttled { retry_after: None }, 6));
    for i in 0..40 {
        sim.input(Input::Text(format!("text {i}")));
        sim.advance(Duration::from_millis(100));
    }
    sim.input(Input::Finish("final".into()));
    sim.settle();
    assert_eq!(sim.card.phase(), &Phase::Finished);
    assert_eq!(sim.last_final_content().as_deref(), Some("final"));
}

#[test]
fn overflow_continues_in_a_new_card() {
    let config = CardConfig {
        budget_chars: 100,
        ..cfg()
    };
    let mut sim = Sim::new(config);
    sim.settle();
    let long = format!("{}\n\n{}", "a".repeat(80), "b".repeat(80));
    sim.input(Input::Text(long.clone()));
    sim.settle();
    assert_eq!(sim.card.phase(), &Phase::Finished);
    let content = sim.last_final_content().unwrap();
    assert!(
        content.starts_with(&"a".repeat(80)) && content.ends_with("（续见下一张卡片）"),
        "{content}"
    );
    assert_eq!(
        sim.events.iter().find_map(|e| match e {
            Event::Continue { from_offset } => Some(*from_offset),
            _ => None,
        }),
        Some(82)
    );

    let config = CardConfig {
        budget_chars: 100,
        overflow: Overflow::Markdown,
        ..cfg()
    };
    let mut sim = Sim::new(config);
    sim.settle();
    sim.input(Input::Text(long.clone()));
    sim.settle();
    sim.input(Input::Finish(format!("{long} end")));
    sim.settle();
    assert_eq!(sim.fallbacks[0].1, FallbackReason::Overflow);
    assert_eq!(sim.fallbacks[0].0, format!("{} end", "b".repeat(80)));
}

#[test]
fn late_input_after_the_end_makes_no_call() {
    let mut sim = Sim::new(cfg());
    sim.input(Input::Finish("x".into()));
    sim.settle();
    let calls = sim.calls.len();
    sim.input(Input::Text("late".into()));
    sim.input(Input::Fail("late".into()));
    sim.settle();
    assert_eq!(sim.calls.len(), calls);
    assert!(sim.events.contains(&Event::LateInput));
}

#[test]
fn call_budget_for_a_streamed_reply() {
    // A reply streamed for T seconds costs at most 4 + T / interval calls.
    let mut sim = Sim::new(cfg());
    sim.settle();
    let streamed = Duration::from_secs(10);
    let mut text = String::new();
    let start = sim.now;
    while sim.now.saturating_duration_since(start) < streamed {
        text.push_str("word ");
        sim.input(Input::Text(text.clone()));
        sim.advance(Duration::from_millis(40));
    }
    sim.input(Input::Finish(text));
    sim.settle();
    let budget = 4 + (streamed.as_millis() / 300) as usize;
    assert!(sim.calls.len() <= budget, "{} calls > {budget}", sim.calls.len());
    assert!(sim.card.stats().coalesced > 0);
}

// ---- properties ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Step {
    Text(String),
    Wait(u64),
    Outcome(u8),
    Progress,
    Queued,
}

fn step_strategy() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => "[a-z \n]{0,40}".prop_map(Step::Text),
        3 => (1u64..2_000).prop_map(Step::Wait),
        2 => (0u8..8).prop_map(Step::Outcome),
        1 => Just(Step::Progress),
        1 => Just(Step::Queued),
    ]
}

fn outcome(code: u8) -> Outcome {
    match code {
        0 => Outcome::Throttled { retry_after: None },
        1 => Outcome::Transient,
        2 => Outcome::Permission,
        3 => Outcome::Template,
        4 => Outcome::Business,
        5 => Outcome::NotFound,
        _ => Outcome::Ok,
    }
}

#[derive(Clone, Copy, Debug)]
enum End {
    Finish,
    Fail,
    Stop,
    Drop,
    Shutdown,
    Silence,
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    /// No sequence of inputs leaves a card non-terminal after finish, error, stop, drop, shutdown or silence; never
    /// two requests in flight; no call after the end; a finished card shows the last text.
    #[test]
    fn every_card_ends(steps in prop::collection::vec(step_strategy(), 0..40), end in prop_oneof![
        Just(End::Finish), Just(End::Fail), Just(End::Stop), Just(End::Drop), Just(End::Shutdown), Just(End::Silence)
    ], two_call in any::<bool>()) {
        let mut sim = Sim::new(CardConfig { one_call_create: !two_call, normalize_newlines: false, budget_chars: 2500, ..CardConfig::default() });
        let mut last_text = String::new();
        for step in steps {
            match step {
                Step::Text(t) => { last_text.clone_from(&t); sim.input(Input::Text(t)); }
                Step::Wait(ms) => sim.advance(Duration::from_millis(ms)),
                Step::Outcome(code) => sim.script.push_back(outcome(code)),
                Step::Progress => sim.input(Input::Progress("tool".into())),
                Step::Queued => sim.input(Input::Queued("⏳ queued".into())),
            }
        }
        let final_text = format!("{last_text}!");
        match end {
            End::Finish => sim.input(Input::Finish(final_text.clone())),
            End::Fail => sim.input(Input::Fail("boom".into())),
            End::Stop => sim.input(Input::Stop { by: "u".into() }),
            End::Drop => sim.input(Input::HandleDropped),
            End::Shutdown => sim.input(Input::Shutdown),
            End::Silence => {}
        }
        // Past the absolute watchdog: whatever happened, the card must have ended by now.
        sim.advance(Duration::from_mins(31));
        sim.settle();
        prop_assert!(sim.card.is_terminal(), "not terminal: {:?} after {:?}", sim.card.phase(), sim.kinds());
        prop_assert!(sim.in_flight.is_none());
        let calls = sim.calls.len();
        sim.input(Input::Text("late".into()));
        sim.settle();
        prop_assert_eq!(sim.calls.len(), calls);
        if matches!(end, End::Finish) {
            match sim.card.phase() {
                Phase::Finished => prop_assert_eq!(sim.last_final_content(), Some(final_text.clone())),
                Phase::Failed(Fallback::Sent) => prop_assert!(sim.fallbacks.iter().any(|(t, _)| t.ends_with('!'))),
                other => prop_assert!(false, "finish ended as {:?}", other),
            }
        }
    }
}

#[test]
fn the_driver_pace_spaces_frames_but_not_closers() {
    let mut sim = Sim::new(cfg());
    sim.card.set_pace(Duration::from_secs(1));
    sim.settle();
    for i in 0..40 {
        sim.input(Input::Text(format!("t{i}")));
        sim.advance(Duration::from_millis(100));
    }
    let frames: Vec<Duration> = sim
        .calls
        .iter()
        .filter(|(_, k, _)| matches!(k, CallKind::Stream { finalize: false, .. }))
        .map(|c| c.0)
        .collect();
    assert!(frames.len() >= 2, "{frames:?}");
    for pair in frames.windows(2) {
        assert!(
            pair[1].saturating_sub(pair[0]) >= Duration::from_secs(1),
            "{frames:?}"
        );
    }
    sim.input(Input::Finish("end".into()));
    sim.settle();
    assert_eq!(sim.last_final_content().as_deref(), Some("end"));
}
