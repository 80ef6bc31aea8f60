//! Engine tests against a tiny local WebSocket server and a fake ticket source.
//!
//! Real sockets with paused time would let tokio auto-advance timers while a test waits on I/O, so these tests
//! run on real time with short intervals; every wait is bounded.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::AtomicUsize;

use futures_util::{SinkExt, StreamExt};
use secrecy::SecretString;
use serde_json::json;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

use super::*;
use crate::backoff::BackoffConfig;
use crate::client::Client;
use crate::frame::topic;
use crate::inbound::CallbackPayload;
use crate::testkit::*;

#[tokio::test]
async fn ping_is_acked_with_the_same_data() {
    let mut h = harness(&[]).await;
    let conn = h.client().build().unwrap().connect().await.unwrap();
    let mut ws = h.accept().await;
    send_raw(&mut ws, r#"{"specVersion":"1.0","type":"SYSTEM","headers":{"contentType":"application/json","messageId":"0a1b2c3d_4e5_19bfa1a500a_6f7a","time":"1774080000000","topic":"ping"},"data":"{\"opaque\":\"5f0e6a9c-3b1d-4c2e-9a7f-2d4b8c1e0f33\"}"}"#).await;
    assert_eq!(
        next_text(&mut ws).await,
        r#"{"code":200,"headers":{"contentType":"application/json","messageId":"0a1b2c3d_4e5_19bfa1a500a_6f7a"},"message":"OK","data":"{\"opaque\":\"5f0e6a9c-3b1d-4c2e-9a7f-2d4b8c1e0f33\"}"}"#
    );
    assert!(matches!(
        *conn.state().borrow(),
        ConnectionState::Open { generation: 1, .. }
    ));
    assert_eq!(conn.metrics().pings_answered, 1);
}

#[tokio::test]
async fn events_are_acked_success_or_later() {
    let mut h = harness(&[]).await;
    let mut conn = h.client().build().unwrap().connect().await.unwrap();
    let mut ws = h.accept().await;
    send(
        &mut ws,
        &business("EVENT", "*", "e1", &json!({"timeStamp":"1","userId":["u"]})),
    )
    .await;
    send(&mut ws, &business("EVENT", "*", "e2", &json!({}))).await;
    let Inbound::Event(event, responder) = next_item(&mut conn).await else {
        panic!()
    };
    assert_eq!(event.event_type(), "user_add_org");
    assert_eq!(event.event_id().unwrap().as_str(), "ev-e1");
    assert_eq!(event.born_time(), Some(1_774_080_000_950));
    assert_eq!(event.data()["userId"][0], "u");
    responder.ack().await.unwrap();
    let ack = next_json(&mut ws).await;
    assert_eq!(ack["code"], 200);
    assert_eq!(ack["headers"]["messageId"], "e1");
    assert_eq!(ack["data"], r#"{"status":"SUCCESS","message":"success"}"#);
    let Inbound::Event(_, responder) = next_item(&mut conn).await else {
        panic!()
    };
    responder.later("busy").await.unwrap();
    let ack = next_json(&mut ws).await;
    assert_eq!(ack["data"], r#"{"status":"LATER","message":"busy"}"#);
}

#[tokio::test]
async fn callbacks_get_typed_payloads_and_replies() {
    let mut h = harness(&[]).await;
    let mut conn = h.client().build().unwrap().connect().await.unwrap();
    let mut ws = h.accept().await;
    send(&mut ws, &bot("m1", "msg1", "hello")).await;
    let Inbound::Callback(cb, responder) = next_item(&mut conn).await else {
        panic!()
    };
    assert_eq!(cb.bot_message().unwrap().content.text().as_deref(), Some("hello"));
    responder.ack().await.unwrap();
    assert_eq!(next_json(&mut ws).await["data"], r#"{"response":null}"#);

    let card = json!({"type":"actionCallback","outTrackId":"o1","content":"{\"cardPrivateData\":{\"actionIds\":[\"agree\"],\"params\":{}}}"});
    send(&mut ws, &business("CALLBACK", topic::CARD_CALLBACK, "m2", &card)).await;
    let Inbound::Callback(cb, responder) = next_item(&mut conn).await else {
        panic!()
    };
    let CallbackPayload::CardAction(action) = cb.payload() else {
        panic!()
    };
    assert_eq!(action.private_data.as_ref().unwrap().action_ids, ["agree"]);
    responder
        .reply(&json!({"cardData":{"cardParamMap":{"status":"approved"}}}))
        .await
        .unwrap();
    let ack = next_json(&mut ws).await;
    assert_eq!(ack["headers"]["messageId"], "m2");
    assert_eq!(
        ack["data"],
        r#"{"response":{"cardData":{"cardParamMap":{"status":"approved"}}}}"#
    );
}

#[tokio::test]
async fn malformed_frames_are_skipped_or_error_acked() {
    let mut h = harness(&[]).await;
    let mut conn = h
        .client()
        .max_data_bytes(512)
        .build()
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut ws = h.accept().await;
    send_raw(&mut ws, "not json").await;
    send_raw(&mut ws, "").await;
    ws.send(Message::Binary(vec![1, 2, 3].into())).await.unwrap();
    send_raw(&mut ws, r#"{"type":"NOTICE","headers":{},"data":""}"#).await;
    send_raw(
        &mut ws,
        r#"{"type":"SYSTEM","headers":{"topic":"FUTURE"},"data":""}"#,
    )
    .await;
    send_raw(
        &mut ws,
        r#"{"type":"CALLBACK","headers":{"topic":"/v1.0/im/bot/messages/get"},"data":"{}"}"#,
    )
    .await;
    send_raw(&mut ws, r#"{"type":"CALLBACK","header":{"messageId":"d1","topic":"/v1.0/im/bot/messages/get"},"data":{"a":1}}"#).await;
    assert_eq!(next_json(&mut ws).await["code"], 400);
    send(&mut ws, &business("CALLBACK", "/v1.0/unknown", "u1", &json!({}))).await;
    let ack = next_json(&mut ws).await;
    assert_eq!(
        (ack["code"].as_u64(), ack["message"].as_str()),
        (Some(404), Some("topic not supported"))
    );
    send(
        &mut ws,
        &business("CALLBACK", topic::BOT_MESSAGE, "b1", &json!({"msgtype":"text"})),
    )
    .await;
    assert_eq!(next_json(&mut ws).await["code"], 400, "bot message without msgId");
    send(&mut ws, &bot("big", "msgbig", &"x".repeat(600))).await;
    let ack = next_json(&mut ws).await;
    assert_eq!(ack["message"], "payload too large");
    // Still alive: a valid frame gets through.
    send(&mut ws, &bot("ok1", "msgok", "fine")).await;
    let Inbound::Callback(cb, responder) = next_item(&mut conn).await else {
        panic!()
    };
    assert_eq!(cb.message_id(), "ok1");
    responder.ack().await.unwrap();
    let m = conn.metrics();
    assert_eq!(m.frames_malformed, 3);
    assert_eq!(m.frames_unknown, 3);
    assert_eq!(m.frames_oversized, 1);
    assert_eq!(m.connects, 1);
}

#[tokio::test]
async fn disconnect_rotates_make_before_break() {
    let mut h = harness(&[]).await;
    let mut conn = h.client().build().unwrap().connect().await.unwrap();
    let mut a = h.accept().await;
    // A frame handed out before the disconnect stays answerable on A.
    send(&mut a, &bot("a1", "msgA1", "before")).await;
    let Inbound::Callback(_, early) = next_item(&mut conn).await else {
        panic!()
    };
    send_raw(&mut a, r#"{"specVersion":"1.0","type":"SYSTEM","headers":{"contentType":"application/json","messageId":"c0a8000117740800000012345","time":"1774090000000","topic":"disconnect"},"data":"{\"reason\":\"persistent connection is timeout\"}"}"#).await;
    let ack = next_json(&mut a).await;
    assert_eq!(ack["headers"]["messageId"], "c0a8000117740800000012345");
    assert_eq!(ack["data"], r#"{"reason":"persistent connection is timeout"}"#);
    // B opens while A is still up.
    let mut b = h.accept().await;
    // A frame still arriving on A is delivered and acked on A.
    send(&mut a, &bot("a2", "msgA2", "late on A")).await;
    let Inbound::Callback(cb, late) = next_item(&mut conn).await else {
        panic!()
    };
    assert_eq!(cb.message_id(), "a2");
    late.ack().await.unwrap();
    early.ack().await.unwrap();
    let mut acked = [next_json(&mut a).await, next_json(&mut a).await];
    acked.sort_by_key(|v| v["headers"]["messageId"].as_str().unwrap().to_owned());
    assert_eq!(acked[0]["headers"]["messageId"], "a1");
    assert_eq!(acked[1]["headers"]["messageId"], "a2");
    // With no acks pending, A is closed; B keeps working.
    assert!(
        closed(&mut a).await,
        "A must be closed after B is up and A is drained"
    );
    send(&mut b, &bot("b1", "msgB1", "on B")).await;
    let Inbound::Callback(cb, responder) = next_item(&mut conn).await else {
        panic!()
    };
    assert_eq!(cb.message_id(), "b1");
    responder.ack().await.unwrap();
    assert_eq!(next_json(&mut b).await["headers"]["messageId"], "b1");
    let m = conn.metrics();
    assert_eq!(m.reconnects_for(ReconnectReason::Disconnect), 1);
    assert_eq!(m.connects, 2);
    assert_eq!(
        h.source.calls.load(Ordering::SeqCst),
        2,
        "a fresh ticket per connect"
    );
}

#[tokio::test]
async fn ack_for_a_closed_connection_is_dropped_not_rerouted() {
    let mut h = harness(&[]).await;
    let mut conn = h.client().build().unwrap().connect().await.unwrap();
    let mut a = h.accept().await;
    send(&mut a, &bot("a1", "msgA1", "x")).await;
    let Inbound::Callback(_, responder) = next_item(&mut conn).await else {
        panic!()
    };
    drop(a); // abrupt drop
    let mut b = h.accept().await;
    let err = responder.ack().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Closed);
    send(&mut b, &bot("b1", "msgB1", "y")).await;
    let Inbound::Callback(cb, responder) = next_item(&mut conn).await else {
        panic!()
    };
    responder.ack().await.unwrap();
    let ack = next_json(&mut b).await;
    assert_eq!(
        ack["headers"]["messageId"],
        cb.message_id(),
        "only b1's ack reaches B"
    );
    assert_eq!(conn.metrics().acks_dropped, 1);
}

#[tokio::test]
async fn silent_socket_is_replaced_after_pong_timeout() {
    let mut h = harness(&[]).await;
    let conn = h
        .client()
        .ping_interval(Duration::from_millis(100))
        .pong_timeout(Duration::from_millis(150))
        .build()
        .unwrap()
        .connect()
        .await
        .unwrap();
    // Never read A: no pong, no frame.
    let _silent = h.accept().await;
    let mut b = h.accept().await;
    assert_eq!(conn.metrics().reconnects_for(ReconnectReason::PongTimeout), 1);
    // B is read, so its pongs flow and it stays up across several ping intervals.
    let kept = timeout(Duration::from_millis(600), async {
        loop {
            if b.next().await.is_none() {
                break;
            }
        }
    })
    .await;
    assert!(kept.is_err(), "B must stay open while it answers pings");
    assert_eq!(conn.metrics().connects, 2);
}

#[tokio::test]
async fn idle_watchdog_rotates() {
    let mut h = harness(&[]).await;
    let conn = h
        .client()
        .frame_idle_timeout(Duration::from_millis(200))
        .build()
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut a = h.accept().await;
    let _b = h.accept().await;
    assert!(closed(&mut a).await);
    // B is idle too, so it may have rotated as well by now.
    assert!(conn.metrics().reconnects_for(ReconnectReason::IdleWatchdog) >= 1);
}

#[tokio::test]
async fn bad_credentials_are_fatal() {
    let h = harness(&[ErrorKind::AuthRejected]).await;
    let err = h.client().build().unwrap().connect().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AuthRejected);
    assert!(!err.is_retried());
}

#[tokio::test]
async fn bad_credentials_later_end_the_stream_with_the_error() {
    let mut h = harness(&[]).await;
    let mut conn = h.client().build().unwrap().connect().await.unwrap();
    h.source.script.lock().unwrap().push_back(ErrorKind::AuthRejected);
    drop(h.accept().await); // the socket dies; the reconnect is rejected
    let item = timeout(WAIT, conn.next()).await.unwrap().unwrap();
    assert_eq!(item.unwrap_err().kind(), ErrorKind::AuthRejected);
    assert!(
        timeout(WAIT, conn.next()).await.unwrap().is_none(),
        "the stream ends after a fatal error"
    );
    assert_eq!(*conn.state().borrow(), ConnectionState::Closed { fatal: true });
}

#[tokio::test]
async fn auth_rejected_can_be_retried_when_not_fatal() {
    let mut h = harness(&[ErrorKind::AuthRejected]).await;
    let conn = h
        .client()
        .auth_rejected_fatal(false)
        .build()
        .unwrap()
        .connect()
        .await
        .unwrap();
    assert!(matches!(
        *conn.state().borrow(),
        ConnectionState::AuthRejected { .. }
    ));
    let _ws = h.accept().await;
    assert_eq!(conn.metrics().reconnects_for(ReconnectReason::Auth), 1);
}

#[tokio::test]
async fn open_failures_back_off_and_recover() {
    let mut h = harness(&[ErrorKind::Transient, ErrorKind::RateLimited, ErrorKind::Handshake]).await;
    let conn = h.client().build().unwrap().connect().await.unwrap();
    assert!(matches!(
        *conn.state().borrow(),
        ConnectionState::Backoff {
            attempt: 1,
            last_error: ErrorKind::Transient,
            ..
        }
    ));
    let _ws = h.accept().await;
    let mut state = conn.state();
    timeout(
        WAIT,
        state.wait_for(|s| matches!(s, ConnectionState::Open { .. })),
    )
    .await
    .unwrap()
    .unwrap();
    let m = conn.metrics();
    assert_eq!(m.connect_failures, 3);
    assert_eq!(m.reconnects_for(ReconnectReason::ConnectFailed), 3);
}

#[tokio::test]
async fn rejected_upgrade_is_retried() {
    // A ticket source pointing at a port where nothing listens: the upgrade fails, the client keeps trying.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let source = Arc::new(FakeSource {
        endpoint: format!("ws://{addr}/connect"),
        calls: AtomicUsize::new(0),
        script: Mutex::new(VecDeque::new()),
        stale: AtomicUsize::new(0),
    });
    let conn = Client::builder("dingapp", SecretString::from("s"))
        .subscribe_events()
        .ticket_source(Arc::clone(&source) as Arc<dyn TicketSource>)
        .backoff(
            BackoffConfig::default()
                .initial(Duration::from_millis(100))
                .cap(Duration::from_millis(100)),
        )
        .build()
        .unwrap()
        .connect()
        .await
        .unwrap();
    assert!(matches!(
        *conn.state().borrow(),
        ConnectionState::Backoff {
            last_error: ErrorKind::Handshake,
            ..
        }
    ));
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert!(source.calls.load(Ordering::SeqCst) >= 3, "never gives up");
}

#[tokio::test]
async fn dropped_responder_sends_nothing() {
    let mut h = harness(&[]).await;
    let mut conn = h.client().build().unwrap().connect().await.unwrap();
    let mut ws = h.accept().await;
    send(&mut ws, &bot("m1", "msg1", "x")).await;
    send(&mut ws, &bot("m2", "msg2", "y")).await;
    let Inbound::Callback(_, r1) = next_item(&mut conn).await else {
        panic!()
    };
    drop(r1);
    let Inbound::Callback(_, r2) = next_item(&mut conn).await else {
        panic!()
    };
    r2.ack().await.unwrap();
    assert_eq!(
        next_json(&mut ws).await["headers"]["messageId"],
        "m2",
        "m1 got no ack"
    );
    assert_eq!(conn.metrics().responders_dropped, 1);
}

#[tokio::test]
async fn shutdown_drains_then_closes() {
    let mut h = harness(&[]).await;
    let mut conn = h.client().build().unwrap().connect().await.unwrap();
    let mut ws = h.accept().await;
    send(&mut ws, &bot("m1", "msg1", "x")).await;
    let Inbound::Callback(_, responder) = next_item(&mut conn).await else {
        panic!()
    };
    let handle = conn.shutdown_handle();
    let shutdown = tokio::spawn(async move { handle.shutdown().await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    // New business frames are no longer accepted (left unacked), pings still answered.
    send(&mut ws, &bot("m2", "msg2", "y")).await;
    send_raw(
        &mut ws,
        r#"{"type":"SYSTEM","headers":{"messageId":"p1","topic":"ping"},"data":"{\"opaque\":\"o\"}"}"#,
    )
    .await;
    assert_eq!(next_json(&mut ws).await["headers"]["messageId"], "p1");
    responder.ack().await.unwrap();
    assert_eq!(next_json(&mut ws).await["headers"]["messageId"], "m1");
    let report = timeout(WAIT, shutdown).await.unwrap().unwrap();
    assert_eq!(report.unanswered, 0);
    assert!(closed(&mut ws).await);
    assert!(timeout(WAIT, conn.next()).await.unwrap().is_none());
    assert_eq!(*conn.state().borrow(), ConnectionState::Closed { fatal: false });
    assert_eq!(conn.metrics().unacked_overload, 1);
}

#[tokio::test]
async fn dropping_the_connection_closes_the_socket() {
    let mut h = harness(&[]).await;
    let conn = h.client().build().unwrap().connect().await.unwrap();
    let mut ws = h.accept().await;
    drop(conn);
    assert!(closed(&mut ws).await);
}

#[tokio::test]
async fn full_inbound_queue_leaves_frames_unacked() {
    let mut h = harness(&[]).await;
    let mut conn = h
        .client()
        .inbound_capacity(1)
        .build()
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut ws = h.accept().await;
    send(&mut ws, &bot("m1", "msg1", "x")).await;
    send(&mut ws, &bot("m2", "msg2", "y")).await;
    send_raw(
        &mut ws,
        r#"{"type":"SYSTEM","headers":{"messageId":"p1","topic":"ping"},"data":"{}"}"#,
    )
    .await;
    assert_eq!(
        next_json(&mut ws).await["headers"]["messageId"],
        "p1",
        "pings still answered under overload"
    );
    let Inbound::Callback(cb, r) = next_item(&mut conn).await else {
        panic!()
    };
    assert_eq!(cb.message_id(), "m1");
    r.ack().await.unwrap();
    assert_eq!(conn.metrics().unacked_overload, 1);
}

/// A source that always fails and records when it was called (virtual time).
struct Failing {
    kind: ErrorKind,
    calls: Mutex<Vec<Instant>>,
}

#[async_trait::async_trait]
impl TicketSource for Failing {
    async fn open(&self, _subscriptions: &[Subscription]) -> Result<crate::open::Ticket, Error> {
        self.calls.lock().unwrap().push(clock::now());
        Err(Error::new(self.kind))
    }
}

async fn failing_client(kind: ErrorKind, fatal: bool) -> (Arc<Failing>, Connection) {
    let source = Arc::new(Failing {
        kind,
        calls: Mutex::new(Vec::new()),
    });
    let conn = Client::builder("dingapp", SecretString::from("s"))
        .subscribe_events()
        .ticket_source(Arc::clone(&source) as Arc<dyn TicketSource>)
        .backoff_seed(42)
        .auth_rejected_fatal(fatal)
        .build()
        .unwrap()
        .connect()
        .await
        .unwrap();
    (source, conn)
}

#[tokio::test(start_paused = true)]
async fn backoff_follows_r_back_1_and_never_gives_up() {
    let (source, conn) = failing_client(ErrorKind::Transient, true).await;
    tokio::time::sleep(Duration::from_mins(15)).await;
    let calls = source.calls.lock().unwrap().clone();
    assert!(
        calls.len() > 15,
        "still retrying after 15 minutes: {}",
        calls.len()
    );
    let cfg = BackoffConfig::default();
    for (n, pair) in calls.windows(2).enumerate() {
        let gap = pair[1] - pair[0];
        let base = cfg.base_delay(u32::try_from(n).unwrap()).as_secs_f64();
        let (lo, hi) = ((base * 0.7).max(0.1), (base * 1.3).min(60.0));
        assert!(
            gap.as_secs_f64() >= lo - 1e-3 && gap.as_secs_f64() <= hi + 1e-3,
            "gap {n}: {gap:?} not in [{lo}, {hi}]"
        );
    }
    let state = conn.state().borrow().clone();
    let ConnectionState::Backoff {
        attempt,
        degraded,
        last_error,
        ..
    } = state
    else {
        panic!("{state:?}")
    };
    assert!(
        attempt > 10 && degraded,
        "the alert threshold is reported, retries go on"
    );
    assert_eq!(last_error, ErrorKind::Transient);
}

#[tokio::test(start_paused = true)]
async fn non_fatal_auth_rejection_retries_at_the_cap() {
    let (source, conn) = failing_client(ErrorKind::AuthRejected, false).await;
    assert!(
        matches!(*conn.state().borrow(), ConnectionState::AuthRejected { retry_in } if retry_in == Duration::from_mins(1))
    );
    tokio::time::sleep(Duration::from_secs(181)).await;
    let calls = source.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 4);
    for pair in calls.windows(2) {
        assert_eq!(pair[1] - pair[0], Duration::from_mins(1));
    }
}

#[tokio::test(start_paused = true)]
async fn shutdown_cancels_a_pending_retry_at_once() {
    let (source, conn) = failing_client(ErrorKind::Transient, true).await;
    tokio::time::sleep(Duration::from_secs(20)).await;
    let before = source.calls.lock().unwrap().len();
    let started = clock::now();
    let report = conn.shutdown().await;
    assert_eq!(report.unanswered, 0);
    assert!(
        clock::now() - started < Duration::from_secs(1),
        "no waiting for the retry timer"
    );
    tokio::time::sleep(Duration::from_mins(5)).await;
    assert_eq!(
        source.calls.lock().unwrap().len(),
        before,
        "no attempt after shutdown"
    );
}

#[tokio::test]
async fn parallel_connections_share_the_stream_and_ack_on_their_own_socket() {
    let mut h = harness(&[]).await;
    let mut conn = h
        .client()
        .connections(3)
        .build()
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut sockets = vec![h.accept().await, h.accept().await, h.accept().await];
    assert_eq!(conn.states().len(), 3);
    for (i, ws) in sockets.iter_mut().enumerate() {
        send(ws, &bot(&format!("p{i}"), &format!("msg{i}"), "x")).await;
    }
    for _ in 0..3 {
        let Inbound::Callback(_, responder) = next_item(&mut conn).await else {
            panic!()
        };
        responder.ack().await.unwrap();
    }
    for (i, ws) in sockets.iter_mut().enumerate() {
        assert_eq!(next_json(ws).await["headers"]["messageId"], format!("p{i}"));
    }
    assert_eq!(conn.metrics().connects, 3);
    let report = conn.shutdown().await;
    assert_eq!(report.unanswered, 0);
    for ws in &mut sockets {
        assert!(closed(ws).await);
    }
}

/// The next transition, within the test wait.
/// Connects with a 100 ms ping interval on `clock` and waits for the first `Open` transition.
async fn open_on_clock(
    h: &Harness,
    clock: &Arc<crate::clock::test_clock::TestClock>,
) -> (Connection, Transitions) {
    let conn = h
        .client()
        .ping_interval(Duration::from_millis(100))
        .clock(clock.clone())
        .build()
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut steps = conn.transitions();
    let _open = next_transition(&mut steps).await;
    (conn, steps)
}

async fn next_transition(t: &mut Transitions) -> Transition {
    timeout(WAIT, t.next())
        .await
        .expect("no transition")
        .expect("transitions ended")
}

#[tokio::test]
async fn transitions_report_every_step_with_its_reason() {
    let mut h = harness(&[]).await;
    let conn = h.client().build().unwrap().connect().await.unwrap();
    // The first subscriber sees the first attempt's steps too.
    let mut t = conn.transitions();
    let first = next_transition(&mut t).await;
    assert_eq!(first.from, ConnectionState::Connecting { attempt: 0 });
    assert!(matches!(first.to, ConnectionState::Open { generation: 1, .. }));
    assert_eq!((first.reason, first.connection, first.missed), (None, 0, 0));
    let mut a = h.accept().await;
    // A later subscriber starts from its call.
    let mut later = conn.transitions();
    send_raw(
        &mut a,
        r#"{"type":"SYSTEM","headers":{"messageId":"d1","topic":"disconnect"},"data":"{}"}"#,
    )
    .await;
    let _b = h.accept().await;
    for stream in [&mut t, &mut later] {
        let rotating = next_transition(stream).await;
        assert!(matches!(
            rotating.from,
            ConnectionState::Open { generation: 1, .. }
        ));
        assert_eq!(
            rotating.to,
            ConnectionState::Rotating {
                reason: ReconnectReason::Disconnect
            }
        );
        assert_eq!(rotating.reason, Some(ReconnectReason::Disconnect));
        let open = next_transition(stream).await;
        assert!(matches!(open.to, ConnectionState::Open { generation: 2, .. }));
        assert_eq!(open.reason, None);
        assert!(open.at >= rotating.at);
    }
    let handle = conn.shutdown_handle();
    handle.shutdown().await;
    let stopping = next_transition(&mut t).await;
    assert_eq!(stopping.to, ConnectionState::ShuttingDown);
    assert_eq!(stopping.reason, Some(ReconnectReason::Shutdown));
    let closed_step = next_transition(&mut t).await;
    assert_eq!(closed_step.to, ConnectionState::Closed { fatal: false });
}

#[tokio::test]
async fn transitions_report_lost_sockets_and_failed_attempts() {
    let mut h = harness(&[]).await;
    let conn = h.client().build().unwrap().connect().await.unwrap();
    let mut t = conn.transitions();
    let _open = next_transition(&mut t).await;
    let a = h.accept().await;
    h.source.script.lock().unwrap().push_back(ErrorKind::Transient);
    drop(a); // abrupt drop: Open → Backoff(io/server close) → Connecting → Backoff(connect failed) → … → Open
    let _b = h.accept().await;
    let mut steps = Vec::new();
    loop {
        let step = next_transition(&mut t).await;
        let done = matches!(step.to, ConnectionState::Open { .. });
        steps.push((step.to, step.reason));
        if done {
            break;
        }
    }
    assert!(
        matches!(
            steps[0],
            (
                ConnectionState::Backoff { .. },
                Some(ReconnectReason::ServerClose | ReconnectReason::IoError)
            )
        ),
        "{steps:?}"
    );
    assert!(
        steps
            .iter()
            .any(|(to, reason)| matches!(to, ConnectionState::Backoff { .. })
                && *reason == Some(ReconnectReason::ConnectFailed)),
        "{steps:?}"
    );
    assert!(
        steps
            .iter()
            .any(|(to, _)| matches!(to, ConnectionState::Connecting { .. }))
    );
}

#[tokio::test]
async fn tickets_older_than_ticket_max_age_are_never_used() {
    let mut h = harness(&[]).await;
    h.source.stale.store(2, Ordering::SeqCst);
    let conn = h.client().build().unwrap().connect().await.unwrap();
    // tickets 0 and 1 were 61 s old: discarded unused; the upgrade used ticket 2.
    let (_ws, uri) = h.accept_with_uri().await;
    assert_eq!(uri, "/connect?ticket=ticket-2");
    assert_eq!(conn.metrics().tickets_discarded, 2);
    assert_eq!(h.source.calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_source_that_only_has_stale_tickets_fails_the_attempt_and_backs_off() {
    let mut h = harness(&[]).await;
    h.source.stale.store(3, Ordering::SeqCst);
    let conn = h
        .client()
        .ticket_max_age(Duration::from_mins(1))
        .build()
        .unwrap()
        .connect()
        .await
        .unwrap();
    assert!(matches!(
        *conn.state().borrow(),
        ConnectionState::Backoff {
            last_error: ErrorKind::Transient,
            ..
        }
    ));
    // The retry gets a fresh ticket; no stale one ever reached the server.
    let (_ws, uri) = h.accept_with_uri().await;
    assert_eq!(uri, "/connect?ticket=ticket-3");
    assert_eq!(conn.metrics().tickets_discarded, 3);
}

#[tokio::test]
async fn a_wall_clock_jump_means_the_process_slept_so_the_socket_is_replaced() {
    let mut h = harness(&[]).await;
    let clock = Arc::new(crate::clock::test_clock::TestClock::new());
    let (conn, mut steps) = open_on_clock(&h, &clock).await;
    let mut a = h.accept().await;
    // Several ticks with both clocks in step: nothing happens.
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(conn.metrics().suspends_detected, 0);
    // The wall clock runs an hour ahead of the monotonic one, as across a laptop sleep.
    clock.suspend(Duration::from_hours(1));
    let mut b = h.accept().await;
    let rotating = next_transition(&mut steps).await;
    assert_eq!(rotating.reason, Some(ReconnectReason::Suspended));
    // Transition timestamps come from the injected clock too.
    assert_eq!(rotating.at, dingtalk_core::Clock::wall(&*clock));
    assert!(matches!(
        next_transition(&mut steps).await.to,
        ConnectionState::Open { generation: 2, .. }
    ));
    let m = conn.metrics();
    assert_eq!(m.suspends_detected, 1);
    assert_eq!(m.reconnects_for(ReconnectReason::Suspended), 1);
    // The suspect socket was probed with a WebSocket ping.
    let probed = timeout(WAIT, async {
        while let Some(Ok(msg)) = a.next().await {
            if matches!(msg, Message::Ping(_)) {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    assert!(probed);
    // B carries on normally.
    send(&mut b, &bot("b1", "msgB1", "after wake")).await;
    let mut conn = conn;
    let Inbound::Callback(_, responder) = next_item(&mut conn).await else {
        panic!()
    };
    responder.ack().await.unwrap();
}

#[tokio::test]
async fn a_wall_clock_stepped_forward_keeps_the_socket_when_boot_time_is_known() {
    // Regression: an NTP step used to look like a sleep and cost a needless rotation.
    let mut h = harness(&[]).await;
    let clock = Arc::new(crate::clock::test_clock::TestClock::with_boot_time());
    let (conn, mut steps) = open_on_clock(&h, &clock).await;
    let _a = h.accept().await;
    clock.step_wall(Duration::from_hours(1));
    // Several ticks later (every 100 ms): no suspend, no rotation.
    assert!(
        timeout(Duration::from_millis(450), steps.next()).await.is_err(),
        "no transition expected"
    );
    assert_eq!(conn.metrics().suspends_detected, 0);
    // A real sleep (the boot-time clock ran, the monotonic one did not) still replaces the socket.
    clock.suspend(Duration::from_hours(1));
    let _b = h.accept().await;
    let rotating = next_transition(&mut steps).await;
    assert_eq!(rotating.reason, Some(ReconnectReason::Suspended));
    assert_eq!(conn.metrics().suspends_detected, 1);
}

#[tokio::test]
async fn transitions_end_when_the_connection_is_dropped() {
    let mut h = harness(&[]).await;
    let conn = h.client().build().unwrap().connect().await.unwrap();
    let _ws = h.accept().await;
    let mut t = conn.transitions();
    let _open = next_transition(&mut t).await;
    drop(conn);
    let end = timeout(WAIT, t.next()).await.expect("the stream must end");
    assert!(end.is_none());
}
