//! Dispatcher tests over the local WebSocket server.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::json;
use tokio::sync::Notify;

use super::*;
use crate::frame::topic;
use crate::testkit::*;

#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<(String, String)>>,
    gate: Option<Arc<Notify>>,
    fail_events_once: Mutex<bool>,
    slow: Duration,
}

#[async_trait]
impl Handler for Recorder {
    async fn on_bot_message(&self, callback: Callback) -> Result<(), HandlerError> {
        let msg = callback.bot_message().unwrap().clone();
        if let Some(gate) = &self.gate {
            gate.notified().await;
        }
        if !self.slow.is_zero() {
            tokio::time::sleep(self.slow).await;
        }
        self.seen.lock().unwrap().push((
            msg.conversation_id.to_string(),
            msg.content.text().unwrap_or_default(),
        ));
        Ok(())
    }

    async fn on_event(&self, event: Event) -> Result<(), HandlerError> {
        let mut fail = self.fail_events_once.lock().unwrap();
        if *fail {
            *fail = false;
            return Err("boom".into());
        }
        self.seen
            .lock()
            .unwrap()
            .push(("event".into(), event.event_id().unwrap().to_string()));
        Ok(())
    }

    async fn on_callback(&self, callback: Callback) -> Result<Option<Value>, HandlerError> {
        match callback.payload() {
            CallbackPayload::CardAction(card) if card.out_track_id.as_str() == "panic" => {
                panic!("handler bug")
            }
            CallbackPayload::CardAction(card) if card.out_track_id.as_str() == "slow" => {
                tokio::time::sleep(Duration::from_mins(1)).await;
                Ok(None)
            }
            CallbackPayload::CardAction(card) => Ok(Some(
                json!({"cardData":{"cardParamMap":{"id":card.out_track_id.as_str()}}}),
            )),
            _ => Ok(None),
        }
    }
}

fn card(message_id: &str, out_track_id: &str) -> Value {
    business(
        "CALLBACK",
        topic::CARD_CALLBACK,
        message_id,
        &json!({"outTrackId": out_track_id}),
    )
}

#[tokio::test]
async fn bot_messages_are_acked_before_processing_and_deduped() {
    let mut h = harness(&[]).await;
    let conn = h.client().build().unwrap().connect().await.unwrap();
    let mut ws = h.accept().await;
    let gate = Arc::new(Notify::new());
    let recorder = Arc::new(Recorder {
        gate: Some(Arc::clone(&gate)),
        ..Recorder::default()
    });
    let handler = ArcHandler(Arc::clone(&recorder));
    let run = tokio::spawn(Dispatcher::new("dingapp", handler).run(conn));
    send(&mut ws, &bot("f1", "msg1", "hello")).await;
    // The ack arrives while the handler is still blocked.
    assert_eq!(next_json(&mut ws).await["headers"]["messageId"], "f1");
    assert!(recorder.seen.lock().unwrap().is_empty());
    // Redelivery: new messageId, same msgId → acked, not processed again.
    send(&mut ws, &bot("f2", "msg1", "hello")).await;
    assert_eq!(next_json(&mut ws).await["headers"]["messageId"], "f2");
    // Same frame messageId again → also a duplicate.
    send(&mut ws, &bot("f1", "msg-other", "hello")).await;
    assert_eq!(next_json(&mut ws).await["headers"]["messageId"], "f1");
    gate.notify_one();
    tokio::time::sleep(Duration::from_millis(100)).await;
    gate.notify_one();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(recorder.seen.lock().unwrap().len(), 1);
    run.abort();
}

struct ArcHandler(Arc<Recorder>);

#[async_trait]
impl Handler for ArcHandler {
    async fn on_bot_message(&self, callback: Callback) -> Result<(), HandlerError> {
        self.0.on_bot_message(callback).await
    }
    async fn on_event(&self, event: Event) -> Result<(), HandlerError> {
        self.0.on_event(event).await
    }
    async fn on_callback(&self, callback: Callback) -> Result<Option<Value>, HandlerError> {
        self.0.on_callback(callback).await
    }
}

#[tokio::test]
async fn per_conversation_order_exactly_once() {
    let mut h = harness(&[]).await;
    let conn = h.client().build().unwrap().connect().await.unwrap();
    let mut ws = h.accept().await;
    let recorder = Arc::new(Recorder {
        slow: Duration::from_millis(1),
        ..Recorder::default()
    });
    let run = tokio::spawn(
        Dispatcher::new("dingapp", ArcHandler(Arc::clone(&recorder)))
            .max_in_flight(4)
            .per_key_depth(64)
            .run(conn),
    );
    let (convs, per) = (5, 40);
    for i in 0..per {
        for c in 0..convs {
            send(
                &mut ws,
                &bot_in(
                    &format!("f-{c}-{i}"),
                    &format!("m-{c}-{i}"),
                    &format!("cid{c}"),
                    &i.to_string(),
                ),
            )
            .await;
        }
    }
    for _ in 0..convs * per {
        assert_eq!(next_json(&mut ws).await["code"], 200);
    }
    timeout(WAIT, async {
        while recorder.seen.lock().unwrap().len() < convs * per {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap();
    let seen = recorder.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), convs * per);
    let mut by_conv: HashMap<String, Vec<usize>> = HashMap::new();
    for (conv, text) in seen {
        by_conv.entry(conv).or_default().push(text.parse().unwrap());
    }
    for (conv, order) in by_conv {
        assert_eq!(order, (0..per).collect::<Vec<_>>(), "order in {conv}");
    }
    run.abort();
}

#[tokio::test]
async fn failed_event_is_acked_later_and_runs_again_on_redelivery() {
    let mut h = harness(&[]).await;
    let conn = h.client().build().unwrap().connect().await.unwrap();
    let mut ws = h.accept().await;
    let recorder = Arc::new(Recorder {
        fail_events_once: Mutex::new(true),
        ..Recorder::default()
    });
    let run = tokio::spawn(Dispatcher::new("dingapp", ArcHandler(Arc::clone(&recorder))).run(conn));
    let mut frame = business("EVENT", "*", "e1", &json!({}));
    frame["headers"]["eventId"] = json!("ev-same");
    send(&mut ws, &frame).await;
    assert_eq!(
        next_json(&mut ws).await["data"],
        r#"{"status":"LATER","message":"handler error"}"#
    );
    frame["headers"]["messageId"] = json!("e2");
    send(&mut ws, &frame).await;
    assert_eq!(
        next_json(&mut ws).await["data"],
        r#"{"status":"SUCCESS","message":"success"}"#
    );
    // A third delivery of the same event is a duplicate: SUCCESS without running.
    frame["headers"]["messageId"] = json!("e3");
    send(&mut ws, &frame).await;
    assert_eq!(
        next_json(&mut ws).await["data"],
        r#"{"status":"SUCCESS","message":"success"}"#
    );
    assert_eq!(recorder.seen.lock().unwrap().len(), 1);
    run.abort();
}

#[tokio::test]
async fn slow_event_handler_gets_later() {
    struct Slow;
    #[async_trait]
    impl Handler for Slow {
        async fn on_event(&self, _event: Event) -> Result<(), HandlerError> {
            tokio::time::sleep(Duration::from_mins(1)).await;
            Ok(())
        }
    }
    let mut h = harness(&[]).await;
    let conn = h.client().build().unwrap().connect().await.unwrap();
    let mut ws = h.accept().await;
    let run = tokio::spawn(
        Dispatcher::new("dingapp", Slow)
            .event_handler_timeout(Duration::from_millis(100))
            .run(conn),
    );
    send(&mut ws, &business("EVENT", "*", "e1", &json!({}))).await;
    assert_eq!(
        next_json(&mut ws).await["data"],
        r#"{"status":"LATER","message":"handler timeout"}"#
    );
    run.abort();
}

#[tokio::test]
async fn card_callbacks_reply_and_failures_answer_500() {
    let mut h = harness(&[]).await;
    let conn = h.client().build().unwrap().connect().await.unwrap();
    let mut ws = h.accept().await;
    let run = tokio::spawn(
        Dispatcher::new("dingapp", Recorder::default())
            .callback_handler_timeout(Duration::from_millis(100))
            .run(conn),
    );
    send(&mut ws, &card("c1", "order-1")).await;
    let ack = next_json(&mut ws).await;
    assert_eq!(
        ack["data"],
        r#"{"response":{"cardData":{"cardParamMap":{"id":"order-1"}}}}"#
    );
    send(&mut ws, &card("c2", "panic")).await;
    let ack = next_json(&mut ws).await;
    assert_eq!(
        (ack["code"].as_u64(), ack["message"].as_str()),
        (Some(500), Some("handler panicked"))
    );
    send(&mut ws, &card("c3", "slow")).await;
    let ack = next_json(&mut ws).await;
    assert_eq!(
        (ack["code"].as_u64(), ack["message"].as_str()),
        (Some(500), Some("handler timeout"))
    );
    run.abort();
}

#[tokio::test]
async fn per_key_overflow_leaves_frames_unacked() {
    let mut h = harness(&[]).await;
    let conn = h.client().build().unwrap().connect().await.unwrap();
    let mut ws = h.accept().await;
    let gate = Arc::new(Notify::new());
    let recorder = Arc::new(Recorder {
        gate: Some(Arc::clone(&gate)),
        ..Recorder::default()
    });
    let run = tokio::spawn(
        Dispatcher::new("dingapp", ArcHandler(Arc::clone(&recorder)))
            .per_key_depth(1)
            .run(conn),
    );
    send(&mut ws, &bot("f1", "m1", "a")).await; // running (blocked)
    assert_eq!(next_json(&mut ws).await["headers"]["messageId"], "f1");
    send(&mut ws, &bot("f2", "m2", "b")).await; // queued
    assert_eq!(next_json(&mut ws).await["headers"]["messageId"], "f2");
    send(&mut ws, &bot("f3", "m3", "c")).await; // lane full: unacked
    send(&mut ws, &bot_in("g1", "n1", "other", "d")).await; // another lane is fine
    assert_eq!(next_json(&mut ws).await["headers"]["messageId"], "g1");
    // The overflowed frame was not recorded in dedup: its redelivery is accepted.
    gate.notify_waiters();
    tokio::time::sleep(Duration::from_millis(50)).await;
    gate.notify_waiters();
    tokio::time::sleep(Duration::from_millis(50)).await;
    send(&mut ws, &bot("f3b", "m3", "c")).await;
    assert_eq!(next_json(&mut ws).await["headers"]["messageId"], "f3b");
    run.abort();
}

#[tokio::test]
async fn run_until_drains_accepted_bot_messages() {
    let mut h = harness(&[]).await;
    let conn = h.client().build().unwrap().connect().await.unwrap();
    let mut ws = h.accept().await;
    let recorder = Arc::new(Recorder {
        slow: Duration::from_millis(30),
        ..Recorder::default()
    });
    let stop = Arc::new(Notify::new());
    let stop2 = Arc::clone(&stop);
    let run = tokio::spawn(
        Dispatcher::new("dingapp", ArcHandler(Arc::clone(&recorder)))
            .run_until(conn, async move { stop2.notified().await }),
    );
    for i in 0..5 {
        send(&mut ws, &bot(&format!("f{i}"), &format!("m{i}"), &i.to_string())).await;
    }
    for _ in 0..5 {
        assert_eq!(next_json(&mut ws).await["code"], 200);
    }
    stop.notify_one();
    let report = timeout(WAIT, run).await.unwrap().unwrap().unwrap();
    assert_eq!(report.unanswered, 0);
    assert_eq!(
        recorder.seen.lock().unwrap().len(),
        5,
        "acked-but-unstarted work finished before shutdown returned"
    );
    assert!(closed(&mut ws).await);
}

/// Events wait for the gate, then fail when `fail` is set.
struct GatedEvents {
    gate: Arc<Notify>,
    fail: bool,
    runs: Mutex<u32>,
}

#[async_trait]
impl Handler for Arc<GatedEvents> {
    async fn on_event(&self, _event: Event) -> Result<(), HandlerError> {
        *self.runs.lock().unwrap() += 1;
        self.gate.notified().await;
        if self.fail { Err("boom".into()) } else { Ok(()) }
    }
}

async fn in_flight_duplicate_event(fail: bool) -> (HashMap<String, String>, u32) {
    let mut h = harness(&[]).await;
    let conn = h.client().build().unwrap().connect().await.unwrap();
    let mut ws = h.accept().await;
    let handler = Arc::new(GatedEvents {
        gate: Arc::new(Notify::new()),
        fail,
        runs: Mutex::new(0),
    });
    let run = tokio::spawn(Dispatcher::new("dingapp", Arc::clone(&handler)).run(conn));
    let mut frame = business("EVENT", "*", "e1", &json!({}));
    frame["headers"]["eventId"] = json!("ev-same");
    send(&mut ws, &frame).await;
    frame["headers"]["messageId"] = json!("e2");
    send(&mut ws, &frame).await;
    // Neither is answered while the original runs.
    assert!(
        tokio::time::timeout(Duration::from_millis(200), next_json(&mut ws))
            .await
            .is_err()
    );
    handler.gate.notify_one();
    let mut acks = HashMap::new();
    for _ in 0..2 {
        let ack = next_json(&mut ws).await;
        acks.insert(
            ack["headers"]["messageId"].as_str().unwrap().to_owned(),
            ack["data"].as_str().unwrap().to_owned(),
        );
    }
    run.abort();
    let runs = *handler.runs.lock().unwrap();
    (acks, runs)
}

#[tokio::test]
async fn in_flight_duplicate_event_waits_and_gets_the_same_success() {
    let (acks, runs) = in_flight_duplicate_event(false).await;
    let success = r#"{"status":"SUCCESS","message":"success"}"#;
    assert_eq!(
        (acks["e1"].as_str(), acks["e2"].as_str(), runs),
        (success, success, 1)
    );
}

#[tokio::test]
async fn in_flight_duplicate_event_waits_and_gets_the_same_later() {
    let (acks, runs) = in_flight_duplicate_event(true).await;
    let later = r#"{"status":"LATER","message":"handler error"}"#;
    assert_eq!(
        (acks["e1"].as_str(), acks["e2"].as_str(), runs),
        (later, later, 1)
    );
}

#[tokio::test]
async fn duplicate_card_callback_gets_the_cached_response() {
    let mut h = harness(&[]).await;
    let conn = h.client().build().unwrap().connect().await.unwrap();
    let mut ws = h.accept().await;
    let run = tokio::spawn(Dispatcher::new("dingapp", Recorder::default()).run(conn));
    send(&mut ws, &card("c1", "order-1")).await;
    let first = next_json(&mut ws).await;
    send(&mut ws, &card("c1", "order-1")).await;
    let second = next_json(&mut ws).await;
    assert_eq!(
        first["data"],
        r#"{"response":{"cardData":{"cardParamMap":{"id":"order-1"}}}}"#
    );
    assert_eq!(first, second);
    run.abort();
}

#[tokio::test]
async fn metrics_count_topics_and_time_handlers() {
    let mut h = harness(&[]).await;
    let conn = h.client().build().unwrap().connect().await.unwrap();
    let metrics = conn.metrics_handle();
    let mut ws = h.accept().await;
    let run = tokio::spawn(Dispatcher::new("dingapp", Recorder::default()).run(conn));
    send(&mut ws, &business("EVENT", "*", "e1", &json!({}))).await;
    next_json(&mut ws).await;
    send(&mut ws, &card("c1", "order-1")).await;
    next_json(&mut ws).await;
    let snap = metrics.snapshot();
    assert_eq!(
        snap.topics,
        [("*".to_owned(), 1), (topic::CARD_CALLBACK.to_owned(), 1)]
    );
    assert_eq!(snap.handler_runs, 2);
    assert!(snap.handler_latency_p99.is_some());
    run.abort();
}

/// Regression: forgetting a key (a `LATER` answer) also drops it from the eviction order, so its next
/// registration is not evicted early by the stale entry.
#[test]
fn forgotten_answers_leave_no_stale_eviction_entry() {
    let keys = |k: &str| vec![k.to_owned()];
    let (_tx, rx) = watch::channel(None);
    let mut o = Outcomes::default();
    o.insert(&keys("a"), &rx, 2);
    o.remove(&keys("a"));
    o.insert(&keys("a"), &rx, 2);
    o.insert(&keys("b"), &rx, 2);
    assert!(o.get(&keys("a")).is_some(), "the newest two answers are kept");
    assert!(o.get(&keys("b")).is_some());
    o.insert(&keys("c"), &rx, 2);
    assert!(o.get(&keys("a")).is_none(), "the oldest goes first");
    assert_eq!(o.order.len(), 2);
}

/// A bot message in `cid1` with a given `createAt`.
fn bot_at(message_id: &str, create_at: i64, text: &str) -> Value {
    business(
        "CALLBACK",
        topic::BOT_MESSAGE,
        message_id,
        &json!({"msgId": format!("msg-{message_id}"),"msgtype":"text","text":{"content":text},"conversationId":"cid1",
                "conversationType":"1","senderId":"$:s","robotCode":"dingabc","createAt":create_at}),
    )
}

/// Sends `frames` back to back, reads their acks, then waits until the recorder saw `n` messages.
async fn run_frames(window: Duration, frames: &[Value], pause_before_last: Duration) -> (Vec<String>, u64) {
    let mut h = harness(&[]).await;
    let conn = h.client().build().unwrap().connect().await.unwrap();
    let metrics = conn.metrics_handle();
    let mut ws = h.accept().await;
    let recorder = Arc::new(Recorder::default());
    let run = tokio::spawn(
        Dispatcher::new("dingapp", ArcHandler(Arc::clone(&recorder)))
            .reorder_window(window)
            .run(conn),
    );
    let (last, first) = frames.split_last().unwrap();
    for frame in first {
        send(&mut ws, frame).await;
    }
    tokio::time::sleep(pause_before_last).await;
    send(&mut ws, last).await;
    // Acks are never held back by the window.
    for _ in frames {
        assert_eq!(next_json(&mut ws).await["code"], 200);
    }
    timeout(WAIT, async {
        while recorder.seen.lock().unwrap().len() < frames.len() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("not every message handled");
    run.abort();
    let seen = recorder
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|(_, t)| t.clone())
        .collect();
    (seen, metrics.snapshot().reorder_late)
}

#[tokio::test]
async fn reorder_window_hands_messages_over_in_create_at_order() {
    let frames = [
        bot_at("f3", 3_000, "c"),
        bot_at("f1", 1_000, "a"),
        bot_at("f2", 2_000, "b"),
    ];
    // Without a window: arrival order (the control that shows the window matters).
    let (seen, _) = run_frames(Duration::ZERO, &frames, Duration::ZERO).await;
    assert_eq!(seen, ["c", "a", "b"]);
    // A generous window, so a loaded machine cannot spread the three arrivals past it.
    let (seen, late) = run_frames(Duration::from_secs(1), &frames, Duration::ZERO).await;
    assert_eq!(seen, ["a", "b", "c"]);
    assert_eq!(late, 0);
}

#[tokio::test]
async fn reorder_window_is_bounded_and_counts_what_it_could_not_fix() {
    // "d" (createAt 4) arrives 1 s after "e" (createAt 5), which was released at 200 ms: "d" runs at once, after "e".
    let frames = [bot_at("f5", 5_000, "e"), bot_at("f4", 4_000, "d")];
    let started = crate::clock::now();
    let (seen, late) = run_frames(Duration::from_millis(200), &frames, Duration::from_secs(1)).await;
    assert_eq!(seen, ["e", "d"]);
    assert_eq!(late, 1);
    // Bounded: nothing waited for a window that never closes.
    assert!(crate::clock::now().saturating_duration_since(started) < Duration::from_secs(5));
}
