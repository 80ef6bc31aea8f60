//! End-to-end Stream tests with a raw WebSocket client.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers panic on setup failures"
)]

use std::time::Duration;

use dingtalk_sandbox::{InjectCardCallback, InjectEvent, InjectMessage, Sandbox, SandboxHandle, SocketFault};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const APP: &str = "dingsandboxdemo";
const SECRET: &str = "sandbox-secret";
const BOT: &str = "/v1.0/im/bot/messages/get";

async fn open(sb: &SandboxHandle) -> (String, String) {
    let body: Value = reqwest::Client::new()
        .post(format!("{}/v1.0/gateway/connections/open", sb.base_url()))
        .header("accept", "application/json")
        .json(&json!({
            "clientId": APP, "clientSecret": SECRET, "ua": "test/1.0",
            "subscriptions": [{"type": "EVENT", "topic": "*"}, {"type": "CALLBACK", "topic": BOT},
                              {"type": "CALLBACK", "topic": "/v1.0/card/instances/callback"}],
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        body["endpoint"].as_str().unwrap().to_owned(),
        body["ticket"].as_str().unwrap().to_owned(),
    )
}

async fn connect(sb: &SandboxHandle) -> Ws {
    let (endpoint, ticket) = open(sb).await;
    let (ws, _) = tokio_tungstenite::connect_async(format!("{endpoint}?ticket={ticket}"))
        .await
        .unwrap();
    ws
}

/// Next text frame as JSON, bounded by a timeout.
async fn next_frame(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("frame in time")
            .unwrap()
            .unwrap();
        if let Message::Text(t) = msg {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

async fn ack(ws: &mut Ws, frame: &Value, data: &str) {
    let ack = json!({"code": 200, "headers": {"contentType": "application/json", "messageId": frame["headers"]["messageId"]}, "message": "OK", "data": data});
    ws.send(Message::Text(ack.to_string().into())).await.unwrap();
}

async fn wait_until(sb: &SandboxHandle, what: impl Fn(&dingtalk_sandbox::Stats) -> bool) {
    for _ in 0..1000 {
        if what(&sb.stats()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("condition not reached: {:?}", sb.stats());
}

#[tokio::test]
async fn open_validates_credentials_accept_and_body() {
    let sb = Sandbox::start().await.unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}/v1.0/gateway/connections/open", sb.base_url());
    let good = json!({"clientId": APP, "clientSecret": SECRET, "subscriptions": [{"type": "CALLBACK", "topic": BOT}]});
    let r = http
        .post(&url)
        .header("accept", "application/json")
        .json(&json!({"clientId": APP, "clientSecret": "x", "subscriptions": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "invalid.client");
    let r = http
        .post(&url)
        .header("accept", "application/json")
        .json(&json!({"clientId": APP}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let r = http.post(&url).header("accept", "application/json").json(&json!({"clientId": APP, "clientSecret": SECRET, "subscriptions": [{"type": "EVENT", "topic": "x"}]})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let r = http.post(&url).json(&good).send().await.unwrap();
    assert!(r.text().await.unwrap().starts_with("<?xml"));
    let (endpoint, ticket) = open(&sb).await;
    assert!(endpoint.starts_with("ws://127.0.0.1:"));
    let bad = tokio_tungstenite::connect_async(format!("{endpoint}?ticket=nope")).await;
    assert!(bad.is_err());
    let (_ws, _) = tokio_tungstenite::connect_async(format!("{endpoint}?ticket={ticket}"))
        .await
        .unwrap();
    let reused = tokio_tungstenite::connect_async(format!("{endpoint}?ticket={ticket}")).await;
    assert!(reused.is_err(), "tickets are single use");
    let (endpoint, ticket) = open(&sb).await;
    sb.advance(Duration::from_secs(91));
    assert!(
        tokio_tungstenite::connect_async(format!("{endpoint}?ticket={ticket}"))
            .await
            .is_err(),
        "tickets expire"
    );
}

#[tokio::test]
async fn bot_message_is_delivered_acked_and_webhook_replies_are_recorded() {
    let sb = Sandbox::start().await.unwrap();
    let mut ws = connect(&sb).await;
    let injected = sb
        .inject_message(&InjectMessage::group(
            "cidSandboxOps0002+demo/Bb==",
            "user007",
            "deploy?",
        ))
        .unwrap();
    assert!(injected.delivered);
    let frame = next_frame(&mut ws).await;
    assert_eq!(frame["type"], "CALLBACK");
    assert_eq!(frame["specVersion"], "1.0");
    assert_eq!(frame["headers"]["topic"], BOT);
    assert!(frame["headers"]["time"].is_string());
    assert!(frame["headers"]["connectionId"].is_string());
    assert_eq!(frame["headers"]["messageId"], injected.message_id.as_str());
    let data: Value = serde_json::from_str(frame["data"].as_str().unwrap()).unwrap();
    assert_eq!(data["conversationType"], "2");
    assert_eq!(data["text"]["content"], " deploy?");
    assert_eq!(data["senderStaffId"], "user007");
    assert_eq!(data["isInAtList"], true);
    let expires = data["sessionWebhookExpiredTime"].as_u64().unwrap();
    assert_eq!(expires - data["createAt"].as_u64().unwrap(), 90 * 60 * 1000);
    ack(&mut ws, &frame, r#"{"response":null}"#).await;
    assert!(
        sb.wait_for_ack(&injected.message_id, Duration::from_secs(5))
            .await
    );
    let stats = sb.stats();
    assert_eq!(stats.delivered, 1);
    assert_eq!(stats.connections[0].acked, 1);
    assert!(stats.violations.is_empty(), "{:?}", stats.violations);

    let http = reqwest::Client::new();
    let webhook = data["sessionWebhook"].as_str().unwrap();
    let reply: Value = http
        .post(webhook)
        .json(&json!({"msgtype": "markdown", "markdown": {"title": "Re", "text": "ok"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply, json!({"errcode": 0, "errmsg": "ok"}));
    let out = sb.outbox(0);
    assert_eq!(out[0].route, "webhook");
    assert_eq!(
        out[0].conversation.as_deref(),
        Some("cidSandboxOps0002+demo/Bb==")
    );
    sb.advance(Duration::from_mins(91));
    let after_expiry: Value = http
        .post(webhook)
        .json(&json!({"msgtype": "text", "text": {"content": "late"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after_expiry["errcode"], 300_001);
}

#[tokio::test]
async fn unacked_callback_is_redelivered_with_new_message_id_and_same_data() {
    let sb = Sandbox::builder()
        .redelivery_after(Duration::from_millis(150))
        .start()
        .await
        .unwrap();
    let mut ws = connect(&sb).await;
    sb.inject_message(&InjectMessage::direct("user002", "hello"))
        .unwrap();
    let first = next_frame(&mut ws).await;
    let second = next_frame(&mut ws).await;
    assert_ne!(first["headers"]["messageId"], second["headers"]["messageId"]);
    assert_eq!(first["data"], second["data"]);
    ack(&mut ws, &second, r#"{"response":null}"#).await;
    wait_until(&sb, |s| s.acked >= 1 && s.redelivered >= 1).await;
}

#[tokio::test]
async fn event_acked_later_is_redelivered() {
    let sb = Sandbox::builder()
        .redelivery_after(Duration::from_mins(10))
        .start()
        .await
        .unwrap();
    let mut ws = connect(&sb).await;
    sb.inject_event(&InjectEvent::new("user_add_org", json!({"userId": ["user001"]})))
        .unwrap();
    let first = next_frame(&mut ws).await;
    assert_eq!(first["type"], "EVENT");
    assert_eq!(first["headers"]["eventType"], "user_add_org");
    assert!(first["headers"]["eventBornTime"].is_string());
    ack(&mut ws, &first, r#"{"status":"LATER","message":"busy"}"#).await;
    let second = next_frame(&mut ws).await;
    assert_eq!(second["data"], first["data"]);
    ack(&mut ws, &second, r#"{"status":"SUCCESS","message":"ok"}"#).await;
    wait_until(&sb, |s| s.acked == 2 && s.redelivered == 1).await;
}

#[tokio::test]
async fn server_ping_expects_an_echo() {
    let sb = Sandbox::builder()
        .server_ping_interval(Some(Duration::from_millis(50)))
        .start()
        .await
        .unwrap();
    let mut ws = connect(&sb).await;
    let ping = next_frame(&mut ws).await;
    assert_eq!(ping["type"], "SYSTEM");
    assert_eq!(ping["headers"]["topic"], "ping");
    let opaque: Value = serde_json::from_str(ping["data"].as_str().unwrap()).unwrap();
    assert!(opaque["opaque"].is_string());
    ack(&mut ws, &ping, ping["data"].as_str().unwrap()).await;
    wait_until(&sb, |s| s.connections.first().is_some_and(|c| c.ping_acks >= 1)).await;
    assert!(sb.stats().violations.is_empty());
}

#[tokio::test]
async fn disconnect_stops_delivery_then_closes() {
    let sb = Sandbox::builder()
        .disconnect_close_after(Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    let mut ws = connect(&sb).await;
    assert_eq!(
        sb.socket_fault(None, &SocketFault::Disconnect { reason: None }),
        1
    );
    let frame = next_frame(&mut ws).await;
    assert_eq!(frame["headers"]["topic"], "disconnect");
    ack(&mut ws, &frame, frame["data"].as_str().unwrap()).await;
    let injected = sb
        .inject_message(&InjectMessage::direct("user003", "queued"))
        .unwrap();
    assert!(!injected.delivered, "no business frames after disconnect");
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match ws.next().await {
                None | Some(Err(_) | Ok(Message::Close(_))) => break,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(end.is_ok(), "closed after the delay");
    let mut ws2 = connect(&sb).await;
    let frame = next_frame(&mut ws2).await;
    assert_eq!(
        frame["headers"]["topic"], BOT,
        "queued push goes to the new connection"
    );
}

#[tokio::test]
async fn pushes_spread_over_connections_round_robin() {
    let sb = Sandbox::builder()
        .distribution(dingtalk_sandbox::Distribution::RoundRobin)
        .start()
        .await
        .unwrap();
    let mut a = connect(&sb).await;
    let mut b = connect(&sb).await;
    assert!(sb.wait_for_connections(2, Duration::from_secs(5)).await);
    for i in 0..4 {
        sb.inject_message(&InjectMessage::direct("user004", format!("m{i}")))
            .unwrap();
    }
    for _ in 0..2 {
        let fa = next_frame(&mut a).await;
        ack(&mut a, &fa, r#"{"response":null}"#).await;
        let fb = next_frame(&mut b).await;
        ack(&mut b, &fb, r#"{"response":null}"#).await;
    }
    wait_until(&sb, |s| s.acked == 4).await;
    assert!(
        sb.stats()
            .connections
            .iter()
            .all(|c| c.delivered == 2 && c.acked == 2)
    );
}

#[tokio::test]
async fn card_callback_returns_the_client_response() {
    let sb = Sandbox::start().await.unwrap();
    let mut ws = connect(&sb).await;
    let handle = tokio::spawn(async move {
        let frame = next_frame(&mut ws).await;
        assert_eq!(frame["headers"]["topic"], "/v1.0/card/instances/callback");
        let data: Value = serde_json::from_str(frame["data"].as_str().unwrap()).unwrap();
        let content: Value = serde_json::from_str(data["content"].as_str().unwrap()).unwrap();
        assert_eq!(content["cardPrivateData"]["actionIds"][0], "btn_stop");
        ack(
            &mut ws,
            &frame,
            r#"{"response":{"cardData":{"cardParamMap":{"status":"stopped"}}}}"#,
        )
        .await;
        ws
    });
    let result = sb
        .inject_card_callback(&InjectCardCallback::new("card-x", "btn_stop"))
        .await
        .unwrap();
    assert!(result.acked);
    assert_eq!(result.response["cardData"]["cardParamMap"]["status"], "stopped");
    drop(handle.await.unwrap());
}

#[tokio::test]
async fn malformed_frames_and_drop_faults() {
    let sb = Sandbox::start().await.unwrap();
    let mut ws = connect(&sb).await;
    sb.socket_fault(
        None,
        &SocketFault::Malformed {
            variant: "numeric_headers".into(),
        },
    );
    let frame = next_frame(&mut ws).await;
    assert!(frame["headers"]["time"].is_number());
    sb.socket_fault(
        None,
        &SocketFault::Malformed {
            variant: "binary".into(),
        },
    );
    let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(matches!(msg, Message::Binary(_)));
    sb.socket_fault(None, &SocketFault::Drop);
    let end = tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .unwrap();
    assert!(
        !matches!(end, Some(Ok(Message::Close(_)))),
        "drop sends no close frame"
    );
}

#[tokio::test]
async fn burst_via_control_api() {
    let sb = Sandbox::start().await.unwrap();
    let mut ws = connect(&sb).await;
    let r: Value = reqwest::Client::new()
        .post(format!("{}/_sandbox/burst", sb.base_url()))
        .json(&json!({"count": 50, "conversations": 5}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["pushed"], 50);
    for _ in 0..50 {
        let f = next_frame(&mut ws).await;
        ack(&mut ws, &f, r#"{"response":null}"#).await;
    }
    wait_until(&sb, |s| s.acked == 50).await;
    let stats: Value = reqwest::get(format!("{}/_sandbox/stats", sb.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["delivered"], 50);
    assert!(stats["ackLatencyP99Ms"].is_number());
}

#[tokio::test]
async fn inject_message_via_http_control_api() {
    let sb = Sandbox::start().await.unwrap();
    let mut ws = connect(&sb).await;
    let r: Value = reqwest::Client::new()
        .post(format!("{}/_sandbox/messages", sb.base_url()))
        .json(&json!({"conversationType": "1", "senderStaffId": "user010", "text": "hi"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(r["msgId"].as_str().unwrap().starts_with("msg"));
    let frame = next_frame(&mut ws).await;
    let data: Value = serde_json::from_str(frame["data"].as_str().unwrap()).unwrap();
    assert_eq!(data["msgId"], r["msgId"]);
    let bad = reqwest::Client::new()
        .post(format!("{}/_sandbox/messages", sb.base_url()))
        .json(&json!({"conversationType": "2", "senderStaffId": "user010", "openConversationId": "cidNope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
}

#[tokio::test]
async fn old_connections_get_disconnect_and_silent_clients_are_dropped() {
    let sb = Sandbox::builder()
        .max_connection_age(Some(Duration::from_millis(50)))
        .disconnect_close_after(Duration::from_secs(30))
        .start()
        .await
        .unwrap();
    let mut ws = connect(&sb).await;
    let frame = next_frame(&mut ws).await;
    assert_eq!(frame["headers"]["topic"], "disconnect");
    let data: Value = serde_json::from_str(frame["data"].as_str().unwrap()).unwrap();
    assert_eq!(data["reason"], "persistent connection is timeout");

    let sb = Sandbox::builder()
        .server_ping_interval(Some(Duration::from_millis(20)))
        .close_after_missed_pings(Some(2))
        .start()
        .await
        .unwrap();
    let mut ws = connect(&sb).await;
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match ws.next().await {
                None | Some(Err(_) | Ok(Message::Close(_))) => break,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "dropped after missed pings");
    assert!(
        sb.wait_for(Duration::from_secs(5), |s| s.connections.iter().all(|c| !c.open))
            .await
    );
}

#[tokio::test]
async fn shutdown_closes_stream_connections_promptly() {
    let sb = Sandbox::start().await.unwrap();
    let mut ws = connect(&sb).await;
    assert!(sb.wait_for_connections(1, Duration::from_secs(5)).await);
    tokio::time::timeout(Duration::from_secs(3), sb.shutdown())
        .await
        .expect("shutdown in time");
    let end = tokio::time::timeout(Duration::from_secs(3), async {
        loop {
            match ws.next().await {
                None | Some(Err(_) | Ok(Message::Close(_))) => break,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(end.is_ok(), "the socket is closed by shutdown");
}
