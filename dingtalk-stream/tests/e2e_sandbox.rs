//! End-to-end tests of the Stream client against `dingtalk-sandbox`: the normal flow and every sandbox fault.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::disallowed_methods,
    reason = "test helpers panic on setup failures, print soak figures and time the soak"
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use dingtalk_sandbox::{
    DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Fault, FaultRule, InjectCardCallback, InjectEvent, InjectMessage,
    Sandbox, SandboxHandle, SocketFault,
};
use dingtalk_stream::{
    BackoffConfig, Callback, CallbackPayload, Client, ClientBuilder, Connection, ConnectionState, Dispatcher,
    ErrorKind, Event, Handler, HandlerError, Inbound, MIN_DEDUP_TTL, MemoryDedup, ReconnectReason,
};
use futures_util::StreamExt;
use secrecy::SecretString;
use serde_json::json;
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(10);
const OPEN: &str = "/v1.0/gateway/connections/open";

fn builder(sb: &SandboxHandle) -> ClientBuilder {
    Client::builder(DEMO_CLIENT_ID, SecretString::from(DEMO_CLIENT_SECRET))
        .api_base(sb.base_url())
        .subscribe_bot_messages()
        .subscribe_card_callbacks()
        .subscribe_events()
        .backoff(
            BackoffConfig::default()
                .initial(Duration::from_millis(100))
                .cap(Duration::from_millis(500)),
        )
}

async fn next_item(conn: &mut Connection) -> Inbound {
    timeout(WAIT, conn.next())
        .await
        .expect("an item in time")
        .expect("stream open")
        .expect("not an error")
}

async fn wait_until(what: impl Fn() -> bool) {
    timeout(WAIT, async {
        while !what() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("condition in time");
}

fn user(sb: &SandboxHandle) -> String {
    sb.org().users[0].user_id.clone()
}

#[tokio::test]
async fn normal_flow_message_event_and_card() {
    let sb = Sandbox::start().await.unwrap();
    let mut conn = builder(&sb).build().unwrap().connect().await.unwrap();
    assert!(matches!(*conn.state().borrow(), ConnectionState::Open { .. }));

    let injected = sb
        .inject_message(&InjectMessage::direct(user(&sb), "hello"))
        .unwrap();
    let Inbound::Callback(cb, responder) = next_item(&mut conn).await else {
        panic!("callback expected")
    };
    let msg = cb.bot_message().unwrap();
    assert_eq!(msg.id.as_str(), injected.msg_id);
    assert_eq!(msg.content.text().as_deref(), Some("hello"));
    responder.ack().await.unwrap();

    sb.inject_event(&InjectEvent::new("user_add_org", json!({"userId": ["u1"]})))
        .unwrap();
    let Inbound::Event(event, responder) = next_item(&mut conn).await else {
        panic!("event expected")
    };
    assert_eq!(event.event_type(), "user_add_org");
    responder.ack().await.unwrap();
    wait_until(|| sb.stats().acked >= 2).await;

    let inject = InjectCardCallback::new("order-1", "agree");
    let (result, ()) = tokio::join!(sb.inject_card_callback(&inject), async {
        let Inbound::Callback(cb, responder) = next_item(&mut conn).await else {
            panic!("card expected")
        };
        let CallbackPayload::CardAction(action) = cb.payload() else {
            panic!("card action expected")
        };
        assert_eq!(action.out_track_id.as_str(), "order-1");
        assert_eq!(action.private_data.as_ref().unwrap().action_ids, ["agree"]);
        responder
            .reply(&json!({"cardData": {"cardParamMap": {"status": "approved"}}}))
            .await
            .unwrap();
    });
    let result = result.unwrap();
    assert!(result.acked);
    assert_eq!(result.response["cardData"]["cardParamMap"]["status"], "approved");
    assert!(sb.stats().violations.is_empty(), "{:?}", sb.stats().violations);
}

#[tokio::test]
async fn bad_credentials_are_fatal_and_clear() {
    let sb = Sandbox::start().await.unwrap();
    let err = Client::builder(DEMO_CLIENT_ID, SecretString::from("wrong-secret"))
        .api_base(sb.base_url())
        .subscribe_bot_messages()
        .build()
        .unwrap()
        .connect()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AuthRejected);
    assert!(!format!("{err:?}").contains("wrong-secret"));
}

#[tokio::test]
async fn open_5xx_and_429_are_retried() {
    let sb = Sandbox::start().await.unwrap();
    sb.set_fault(FaultRule::new(OPEN, Fault::ServerError { status: Some(503) }).times(2));
    sb.set_fault(FaultRule::new(OPEN, Fault::Http429 { retry_after: None }).times(1));
    let conn = builder(&sb).build().unwrap().connect().await.unwrap();
    assert!(matches!(*conn.state().borrow(), ConnectionState::Backoff { .. }));
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
    assert_eq!(m.connects, 1);
}

#[tokio::test]
async fn malformed_open_answers_are_retried() {
    let sb = Sandbox::start().await.unwrap();
    sb.set_fault(FaultRule::new(OPEN, Fault::Malformed).times(1));
    sb.set_fault(FaultRule::new(OPEN, Fault::Drop).times(1));
    let conn = builder(&sb).build().unwrap().connect().await.unwrap();
    let mut state = conn.state();
    timeout(
        WAIT,
        state.wait_for(|s| matches!(s, ConnectionState::Open { .. })),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(conn.metrics().connect_failures, 2);
}

async fn reconnects_after(fault: SocketFault, reason: ReconnectReason, ping: Option<Duration>) {
    // A push may still be routed to the dead socket (the server has not noticed yet): redelivery brings it back.
    let sb = Sandbox::builder()
        .redelivery_after(Duration::from_millis(300))
        .max_redeliveries(50)
        .start()
        .await
        .unwrap();
    let mut b = builder(&sb);
    if let Some(ping) = ping {
        b = b.ping_interval(ping).pong_timeout(ping);
    }
    let mut conn = b.build().unwrap().connect().await.unwrap();
    assert_eq!(sb.socket_fault(None, &fault), 1);
    let reconnected = timeout(WAIT, async {
        while !(conn.metrics().reconnects_for(reason) >= 1 && conn.metrics().connects >= 2) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(
        reconnected.is_ok(),
        "{:?} / {:?} / {:?}",
        conn.metrics(),
        *conn.state().borrow(),
        sb.stats()
    );
    // The new connection delivers.
    sb.inject_message(&InjectMessage::direct(user(&sb), "after"))
        .unwrap();
    let Inbound::Callback(cb, responder) = next_item(&mut conn).await else {
        panic!("callback expected")
    };
    assert_eq!(cb.bot_message().unwrap().content.text().as_deref(), Some("after"));
    responder.ack().await.unwrap();
    let acked = timeout(WAIT, async {
        while sb.stats().acked < 1 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(acked.is_ok(), "{:?} / {:?}", conn.metrics(), sb.stats());
}

#[tokio::test]
async fn abrupt_drop_reconnects() {
    reconnects_after(SocketFault::Drop, ReconnectReason::IoError, None).await;
}

#[tokio::test]
async fn server_close_reconnects() {
    reconnects_after(
        SocketFault::Close { code: Some(1011) },
        ReconnectReason::ServerClose,
        None,
    )
    .await;
}

#[tokio::test]
async fn disconnect_rotates_make_before_break() {
    reconnects_after(
        SocketFault::Disconnect { reason: None },
        ReconnectReason::Disconnect,
        None,
    )
    .await;
}

#[tokio::test]
async fn zombie_socket_is_detected_by_the_ping_deadline() {
    reconnects_after(
        SocketFault::Zombie,
        ReconnectReason::PongTimeout,
        Some(Duration::from_millis(200)),
    )
    .await;
}

#[tokio::test]
async fn silent_stop_is_caught_by_the_idle_watchdog() {
    let sb = Sandbox::builder()
        .server_ping_interval(None)
        .start()
        .await
        .unwrap();
    let mut conn = builder(&sb)
        .frame_idle_timeout(Duration::from_millis(300))
        .build()
        .unwrap()
        .connect()
        .await
        .unwrap();
    sb.socket_fault(None, &SocketFault::SilentStop);
    wait_until(|| conn.metrics().reconnects_for(ReconnectReason::IdleWatchdog) >= 1).await;
    wait_until(|| conn.metrics().connects >= 2).await;
    sb.inject_message(&InjectMessage::direct(user(&sb), "after"))
        .unwrap();
    let Inbound::Callback(_, responder) = next_item(&mut conn).await else {
        panic!("callback expected")
    };
    responder.ack().await.unwrap();
}

#[tokio::test]
async fn malformed_frames_are_skipped() {
    let sb = Sandbox::start().await.unwrap();
    let mut conn = builder(&sb).build().unwrap().connect().await.unwrap();
    for variant in [
        "non_json",
        "binary",
        "empty",
        "missing_type",
        "missing_headers",
        "missing_data",
        "missing_message_id",
        "numeric_headers",
        "header_misspelled",
        "unknown_type",
        "unknown_system_topic",
        "unknown_callback_topic",
        "data_object",
        "huge",
    ] {
        sb.socket_fault(
            None,
            &SocketFault::Malformed {
                variant: variant.into(),
            },
        );
    }
    sb.inject_message(&InjectMessage::direct(user(&sb), "still alive"))
        .unwrap();
    // Numeric headers and the misspelled `header` key are valid frames and may be delivered; skip until ours.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        assert!(tokio::time::Instant::now() < deadline, "message not delivered");
        match next_item(&mut conn).await {
            Inbound::Callback(cb, responder) => {
                let text = cb.bot_message().and_then(|m| m.content.text());
                responder.ack().await.unwrap();
                if text.as_deref() == Some("still alive") {
                    break;
                }
            }
            Inbound::Event(_, responder) => responder.ack().await.unwrap(),
            _ => {}
        }
    }
    let m = conn.metrics();
    assert_eq!(m.connects, 1, "malformed frames never kill the connection");
    assert!(m.frames_malformed >= 3, "{m:?}");
}

/// (conversation, msgId, (createAt, burst index)).
type Seen = (String, String, (i64, u64));

#[derive(Default)]
struct Collect {
    /// (conversation, msgId, (createAt, text)) in handler order.
    texts: Mutex<Vec<Seen>>,
}

#[async_trait]
impl Handler for Collect {
    async fn on_bot_message(&self, callback: Callback) -> Result<(), HandlerError> {
        let m = callback.bot_message().ok_or("not a bot message")?;
        self.texts.lock().map_err(|_| "poisoned")?.push((
            m.conversation_id.to_string(),
            m.id.to_string(),
            (m.create_at.unwrap_or(0), burst_index(m)),
        ));
        Ok(())
    }

    async fn on_event(&self, _event: Event) -> Result<(), HandlerError> {
        Ok(())
    }
}

fn burst_index(m: &dingtalk_stream::BotMessage) -> u64 {
    m.content
        .text()
        .and_then(|t| t.trim_start_matches("burst ").parse().ok())
        .unwrap_or(0)
}

struct Shared(Arc<Collect>);

#[async_trait]
impl Handler for Shared {
    async fn on_bot_message(&self, callback: Callback) -> Result<(), HandlerError> {
        self.0.on_bot_message(callback).await
    }
}

#[tokio::test]
async fn redelivery_is_deduplicated() {
    let sb = Sandbox::builder()
        .redelivery_after(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let mut conn = builder(&sb).build().unwrap().connect().await.unwrap();
    let injected = sb
        .inject_message(&InjectMessage::direct(user(&sb), "once"))
        .unwrap();
    // Drop the first delivery unanswered: the sandbox redelivers with a new messageId.
    let Inbound::Callback(first, responder) = next_item(&mut conn).await else {
        panic!("callback expected")
    };
    drop(responder);
    let collect = Arc::new(Collect::default());
    let run = tokio::spawn(Dispatcher::new(DEMO_CLIENT_ID, Shared(Arc::clone(&collect))).run(conn));
    wait_until(|| sb.stats().redelivered >= 1 && sb.stats().acked >= 1).await;
    // The dispatcher saw the redelivery first here, so it processes it once; inject the same msgId again via a
    // second redelivery window and check it is not processed twice.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let texts = collect.texts.lock().unwrap().clone();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert_eq!(first.bot_message().unwrap().id.as_str(), injected.msg_id);
    run.abort();
}

#[tokio::test]
async fn graceful_shutdown_closes_with_1000() {
    let sb = Sandbox::start().await.unwrap();
    let conn = builder(&sb).build().unwrap().connect().await.unwrap();
    let report = timeout(WAIT, conn.shutdown()).await.unwrap();
    assert_eq!(report.unanswered, 0);
    wait_until(|| sb.stats().connections.iter().all(|c| !c.open)).await;
}

/// The soak: 20 000 messages over 50 conversations with a connection fault every second → each message reaches
/// the handler exactly once, well under a minute. Order per conversation is measured (see the known gap below).
async fn soak(mixed_faults: bool) {
    const COUNT: u64 = 20_000;
    const CONVERSATIONS: u64 = 50;
    let sb = Arc::new(
        Sandbox::builder()
            .redelivery_after(Duration::from_secs(2))
            .max_redeliveries(1000)
            .start()
            .await
            .unwrap(),
    );
    let conn = builder(&sb)
        .inbound_capacity(32_768)
        .build()
        .unwrap()
        .connect()
        .await
        .unwrap();
    let collect = Arc::new(Collect::default());
    let run = tokio::spawn(
        Dispatcher::new(DEMO_CLIENT_ID, Shared(Arc::clone(&collect)))
            // 20 000 messages × 2 keys: the default 10 000-key LRU would forget keys before their redelivery.
            .dedup(Arc::new(
                MemoryDedup::with_limits(MIN_DEDUP_TTL, 100_000).unwrap(),
            ))
            .queue_capacity(20_000)
            .per_key_depth(1000)
            .run(conn),
    );
    let started = tokio::time::Instant::now();
    let faults = tokio::spawn({
        let sb = Arc::clone(&sb);
        async move {
            for i in 0u32.. {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let fault = if mixed_faults && i % 2 == 1 {
                    SocketFault::Drop
                } else {
                    SocketFault::Disconnect { reason: None }
                };
                sb.socket_fault(None, &fault);
            }
        }
    });
    // 20 bursts of 1 000, 200 ms apart: each burst is ordered by `burst {i}`, bursts by `createAt`.
    for _ in 0..20 {
        let mut burst = dingtalk_sandbox::Burst::new(COUNT / 20);
        burst.conversations = Some(CONVERSATIONS);
        sb.burst(&burst).unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    timeout(Duration::from_secs(50), async {
        while collect.texts.lock().unwrap().len() < usize::try_from(COUNT).unwrap() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .unwrap_or_else(|_| {
        panic!(
            "only {} of {COUNT} delivered; {:?}",
            collect.texts.lock().unwrap().len(),
            sb.stats()
        )
    });
    faults.abort();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let texts = collect.texts.lock().unwrap().clone();
    assert_eq!(texts.len(), usize::try_from(COUNT).unwrap(), "exactly once");
    let mut seen = std::collections::HashSet::new();
    let mut last: std::collections::HashMap<String, (i64, u64)> = std::collections::HashMap::new();
    let mut out_of_order = 0;
    for (conv, msg_id, n) in &texts {
        assert!(seen.insert(msg_id.clone()), "duplicate {msg_id}");
        let n = *n;
        if let Some(prev) = last.get(conv).filter(|prev| **prev > n) {
            out_of_order += 1;
            if out_of_order < 5 {
                println!("out of order in {conv}: {n:?} after {prev:?}");
            }
        }
        last.insert(conv.clone(), n);
    }
    println!(
        "soak (mixed faults: {mixed_faults}): {COUNT} messages in {:?}; out of order {out_of_order}; redelivered {}",
        started.elapsed(),
        sb.stats().redelivered
    );
    // Known gap: the client keeps the order of what each socket delivers, but a redelivery (a frame the server
    // dropped) comes late, and during a make-before-break overlap the old and the new socket are read
    // concurrently. Typically 0 inversions with `disconnect` faults and a few dozen with abrupt drops.
    assert!(
        out_of_order <= usize::try_from(COUNT / 100).unwrap(),
        "{out_of_order} order inversions"
    );
    run.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_20000_messages_disconnect_faults_exactly_once() {
    soak(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_20000_messages_drop_and_disconnect_faults_exactly_once() {
    soak(true).await;
}
