//! Property test: random JSON (and random bytes) thrown at every JSON handler never panics the sandbox.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test setup panics on failure"
)]

mod common;

use common::env;
use proptest::prelude::*;
use serde_json::{Value, json};

const PATHS: [(&str, &str); 19] = [
    ("POST", "/v1.0/oauth2/accessToken"),
    ("POST", "/v1.0/gateway/connections/open"),
    ("POST", "/v1.0/robot/groupMessages/send"),
    ("POST", "/v1.0/robot/oToMessages/batchSend"),
    ("POST", "/v1.0/robot/privateChatMessages/send"),
    ("POST", "/v1.0/robot/groupMessages/recall"),
    ("POST", "/v1.0/robot/otoMessages/batchRecall"),
    ("POST", "/v1.0/robot/emotion/reply"),
    ("POST", "/v1.0/robot/messageFiles/download"),
    ("POST", "/v1.0/card/instances/createAndDeliver"),
    ("POST", "/v1.0/card/instances"),
    ("POST", "/v1.0/card/instances/deliver"),
    ("PUT", "/v1.0/card/instances"),
    ("PUT", "/v1.0/card/streaming"),
    ("POST", "/_sandbox/messages"),
    ("POST", "/_sandbox/faults"),
    ("POST", "/_sandbox/socket-faults"),
    ("POST", "/_sandbox/events"),
    ("POST", "/_sandbox/burst"),
];

const STRINGS: &[&str] = &[
    "dingsandboxdemo",
    "cidSandboxEng0001+demo/Aa==",
    "user001",
    "sampleText",
    "382e4302-551d-4880-bf29-a30acfab2e71.schema",
    "dtv1.card//IM_GROUP.cidSandboxEng0001+demo/Aa==",
    "msgContent",
    "{\"content\":\"x\"}",
    "set",
    "malformed",
];

const KEYS: &[&str] = &[
    "robotCode",
    "openConversationId",
    "msgKey",
    "msgParam",
    "userIds",
    "outTrackId",
    "cardTemplateId",
    "cardData",
    "cardParamMap",
    "openSpaceId",
    "imGroupOpenDeliverModel",
    "guid",
    "key",
    "content",
    "isFull",
    "clientId",
    "clientSecret",
    "subscriptions",
    "type",
    "topic",
    "conversationType",
    "senderStaffId",
    "action",
    "kind",
    "path",
    "count",
    "processQueryKeys",
    "downloadCode",
    "openMsgId",
    "x",
];

fn json_value() -> impl Strategy<Value = Value> {
    common::json_value(STRINGS, KEYS)
}

fn send(method: &str, path: &str, body: Vec<u8>) -> u16 {
    let env = env();
    env.rt.block_on(async {
        let url = format!("{}{path}", env.sandbox.base_url());
        let req = if method == "PUT" {
            env.http.put(url)
        } else {
            env.http.post(url)
        };
        let resp = req
            .header("x-acs-dingtalk-access-token", &env.token)
            .header("accept", "application/json")
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("the sandbox answered (no panic, no dropped connection)");
        resp.status().as_u16()
    })
}

/// Opens a Stream connection, sends `frames` (plus one binary frame), closes, then checks health.
fn ws_round(frames: Vec<String>) -> u16 {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let env = env();
    env.rt.block_on(async {
        let base = env.sandbox.base_url();
        let open: Value = env
            .http
            .post(format!("{base}/v1.0/gateway/connections/open"))
            .header("accept", "application/json")
            .json(
                &json!({"clientId": "dingsandboxdemo", "clientSecret": "sandbox-secret",
                          "subscriptions": [{"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get"}]}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let url = format!(
            "{}?ticket={}",
            open["endpoint"].as_str().unwrap(),
            open["ticket"].as_str().unwrap()
        );
        let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        for f in frames {
            ws.send(Message::Text(f.into())).await.unwrap();
        }
        ws.send(Message::Binary(vec![0xff, 0, 1].into())).await.unwrap();
        let _ = ws.close(None).await;
        env.http
            .get(format!("{base}/_sandbox/health"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_json_never_yields_a_5xx(idx in 0..PATHS.len(), body in json_value()) {
        let (method, path) = PATHS[idx];
        let mut body = body;
        if path == "/_sandbox/burst" {
            body = json!({"count": 3});
        }
        let status = send(method, path, body.to_string().into_bytes());
        prop_assert!(status < 500, "{method} {path} answered {status}");
        env().sandbox.clear_faults();
    }

    #[test]
    fn random_client_frames_never_break_the_gateway(frames in prop::collection::vec(
        prop_oneof![
            json_value().prop_map(|v| v.to_string()),
            "[ -~]{0,40}",
            json_value().prop_map(|v| json!({"code": v, "headers": {"messageId": v}, "data": v}).to_string()),
        ],
        1..6,
    )) {
        let status = ws_round(frames);
        prop_assert_eq!(status, 200);
    }

    #[test]
    fn random_bytes_never_yield_a_5xx(idx in 0..PATHS.len(), body in prop::collection::vec(any::<u8>(), 0..64)) {
        let (method, path) = PATHS[idx];
        let status = send(method, path, body);
        prop_assert!(status < 500, "{method} {path} answered {status}");
    }
}
