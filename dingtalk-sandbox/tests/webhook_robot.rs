//! Custom webhook robots (`/robot/send`): token, content type, method, size, signature, keywords, rate limit.
#![expect(clippy::unwrap_used, reason = "test helpers panic on setup failures")]

use std::time::Duration;

use base64::Engine as _;
use dingtalk_sandbox::{DEMO_WEBHOOK_SECRET, DEMO_WEBHOOK_TOKEN, Sandbox, SandboxHandle, WebhookRobot};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// The client side of "加签", written out independently of the sandbox: HMAC-SHA256, base64, percent-encoding.
fn signed_query(secret: &str, timestamp: u64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}\n{secret}").as_bytes());
    let b64 = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let encoded: String = url::form_urlencoded::byte_serialize(b64.as_bytes()).collect();
    format!("&timestamp={timestamp}&sign={encoded}")
}

/// The sandbox's current epoch ms (its clock, not ours).
async fn sandbox_now(sb: &SandboxHandle) -> u64 {
    let v: Value = reqwest::Client::new()
        .post(format!("{}/_sandbox/clock", sb.base_url()))
        .json(&json!({"advanceMs": 0}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["nowMs"].as_u64().unwrap()
}

async fn post(sb: &SandboxHandle, query: &str, body: &Value) -> Value {
    reqwest::Client::new()
        .post(format!("{}/robot/send?{query}", sb.base_url()))
        .json(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn text(content: &str) -> Value {
    json!({"msgtype": "text", "text": {"content": content}, "at": {"isAtAll": false}})
}

#[tokio::test]
async fn demo_robot_checks_token_type_method_size_and_sign() {
    let sb = Sandbox::start().await.unwrap();
    let base = sb.base_url();
    let http = reqwest::Client::new();
    let demo = format!("access_token={DEMO_WEBHOOK_TOKEN}");
    let now = sandbox_now(&sb).await;

    let v = post(&sb, "access_token=nosuch", &text("hi")).await;
    assert_eq!(v["errcode"], 300_005);
    let v: Value = http
        .post(format!(
            "{base}/robot/send?{demo}{}",
            signed_query(DEMO_WEBHOOK_SECRET, now)
        ))
        .header("content-type", "text/plain")
        .body(text("hi").to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["errcode"], 43_004);
    let v: Value = http
        .get(format!("{base}/robot/send?{demo}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["errcode"], 43_002);
    let big = text(&"x".repeat(20_001));
    let v = post(
        &sb,
        &format!("{demo}{}", signed_query(DEMO_WEBHOOK_SECRET, now)),
        &big,
    )
    .await;
    assert_eq!(v["errcode"], 460_101);

    // Signature: missing, wrong secret, stale timestamp (validly signed), then right.
    let v = post(&sb, &demo, &text("hi")).await;
    assert_eq!(
        (v["errcode"].as_i64(), v["errmsg"].as_str()),
        (Some(310_000), Some("invalid timestamp"))
    );
    let v = post(
        &sb,
        &format!("{demo}{}", signed_query("SECwrong", now)),
        &text("hi"),
    )
    .await;
    assert_eq!(
        (v["errcode"].as_i64(), v["errmsg"].as_str()),
        (Some(310_000), Some("sign not match"))
    );
    let stale = now - 3_700_000;
    let v = post(
        &sb,
        &format!("{demo}{}", signed_query(DEMO_WEBHOOK_SECRET, stale)),
        &text("hi"),
    )
    .await;
    assert_eq!(
        (v["errcode"].as_i64(), v["errmsg"].as_str()),
        (Some(310_000), Some("invalid timestamp"))
    );
    let v = post(
        &sb,
        &format!("{demo}{}", signed_query(DEMO_WEBHOOK_SECRET, now)),
        &text("hello"),
    )
    .await;
    assert_eq!(
        (v["errcode"].as_i64(), v["errmsg"].as_str()),
        (Some(0), Some("ok"))
    );

    let out = sb.outbox(0);
    assert_eq!(out.len(), 1, "only the accepted message is recorded");
    assert_eq!(out[0].route, "webhook-robot");
    assert_eq!(out[0].endpoint, "/robot/send");
    assert_eq!(out[0].msgtype, "text");
    assert_eq!(out[0].text.as_deref(), Some("hello"));
    assert_eq!(
        out[0].conversation.as_deref(),
        Some("cidSandboxEng0001+demo/Aa==")
    );
    // The request log never shows the webhook token.
    assert!(
        sb.requests(0)
            .iter()
            .all(|r| !format!("{r:?}").contains(DEMO_WEBHOOK_TOKEN))
    );
}

#[tokio::test]
async fn keywords_every_body_shape_and_the_rate_limit() {
    let sb = Sandbox::builder()
        .webhook_robot(WebhookRobot::new("plainrobot"))
        .start()
        .await
        .unwrap();
    // A keyword robot registered over the control API, in the Ops group.
    let r: Value = reqwest::Client::new()
        .post(format!("{}/_sandbox/webhook-robots", sb.base_url()))
        .json(&json!({"token": "kwrobot", "keywords": ["deploy", "告警"], "conversation": "cidSandboxOps0002+demo/Bb=="}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tokens: Vec<&str> = r["robots"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["token"].as_str())
        .collect();
    assert_eq!(
        tokens,
        ["kwrobot", "plainrobot", DEMO_WEBHOOK_TOKEN],
        "sorted by token"
    );
    assert!(
        !r.to_string().contains(DEMO_WEBHOOK_SECRET),
        "secrets are not listed"
    );
    let v = post(&sb, "access_token=kwrobot", &text("nothing to see")).await;
    assert_eq!(
        (v["errcode"].as_i64(), v["errmsg"].as_str()),
        (Some(310_000), Some("keywords not in content"))
    );
    let md = json!({"msgtype": "markdown", "markdown": {"title": "告警", "text": "#### disk full"}});
    assert_eq!(post(&sb, "access_token=kwrobot", &md).await["errcode"], 0);

    let bodies = [
        json!({"msgtype": "link", "link": {"text": "t", "title": "Link", "picUrl": "", "messageUrl": "https://example.invalid"}}),
        json!({"msgtype": "actionCard", "actionCard": {"title": "Card", "text": "x", "btnOrientation": "1", "btns": [{"title": "A", "actionURL": "https://example.invalid"}]}}),
        json!({"msgtype": "feedCard", "feedCard": {"links": [{"title": "F", "messageURL": "https://example.invalid", "picURL": ""}]}}),
    ];
    for b in &bodies {
        assert_eq!(post(&sb, "access_token=plainrobot", b).await["errcode"], 0, "{b}");
    }
    assert_eq!(
        post(&sb, "access_token=plainrobot", &json!({"msgtype": "image"})).await["errcode"],
        400_105
    );
    let kinds: Vec<String> = sb.outbox(0).iter().map(|e| e.msgtype.clone()).collect();
    assert_eq!(kinds, ["markdown", "link", "actionCard", "feedCard"]);
    assert_eq!(
        sb.outbox(0)[0].conversation.as_deref(),
        Some("cidSandboxOps0002+demo/Bb==")
    );

    // 20 messages per minute (3 already sent), then 410100 for 10 minutes on the sandbox clock.
    for i in 3..20 {
        assert_eq!(
            post(&sb, "access_token=plainrobot", &text(&format!("m{i}"))).await["errcode"],
            0,
            "{i}"
        );
    }
    assert_eq!(
        post(&sb, "access_token=plainrobot", &text("m20")).await["errcode"],
        410_100
    );
    sb.advance(Duration::from_secs(61));
    assert_eq!(
        post(&sb, "access_token=plainrobot", &text("still throttled")).await["errcode"],
        410_100
    );
    assert_eq!(
        post(&sb, "access_token=kwrobot", &text("deploy ok")).await["errcode"],
        0,
        "per robot"
    );
    sb.advance(Duration::from_mins(10));
    assert_eq!(
        post(&sb, "access_token=plainrobot", &text("back")).await["errcode"],
        0
    );
}
