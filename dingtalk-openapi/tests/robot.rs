//! Endpoint tests for the robot product.

mod common;

use base64::Engine as _;
use common::{TOKEN, client, fixture, timing_out_post};
use dingtalk_core::{
    DownloadCode, ErrorKind, MsgId, OpenConversationId, ProcessQueryKey, RetryClass, RobotCode, SecretString,
    UserId,
};
use dingtalk_openapi::robot::{RobotMessage, WebhookMessage};
use dingtalk_test_support::strict_server;
use futures_util::TryStreamExt;
use hmac::Mac;
use serde_json::json;
use wiremock::matchers::{body_json, body_partial_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

const CHAT: &str = "cidG+niQ3Ny/NwUc5KE7mANUQ==";

#[tokio::test]
async fn send_group_message_posts_msg_param_as_a_string() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/robot/groupMessages/send"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(json!({
            "robotCode": "dingbot",
            "openConversationId": CHAT,
            "msgKey": "sampleMarkdown",
            "msgParam": "{\"text\":\"**done**\",\"title\":\"Deploy\"}",
            "coolAppCode": "COOL1",
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("robot/send_group_message.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let sent = client
        .robot()
        .send_group_message(
            RobotCode::new("dingbot"),
            OpenConversationId::new(CHAT),
            RobotMessage::markdown("Deploy", "**done**"),
        )
        .cool_app_code("COOL1")
        .await
        .unwrap();
    assert_eq!(
        sent.process_query_key.unwrap().as_str(),
        "n4ZRZ2ATzDIJAmbxh8rHnaOoQ7DuR0kP5hT7chSQKyk="
    );
}

#[tokio::test]
async fn send_group_message_error_keeps_code() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/robot/groupMessages/send"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(fixture("robot/send_group_message.robot_code_auth.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let error = client
        .robot()
        .send_group_message(
            RobotCode::new("other"),
            OpenConversationId::new(CHAT),
            RobotMessage::text("x"),
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(
        error.api_error().unwrap().code().as_str(),
        "invalidParameter.robotCode.auth"
    );
    assert_eq!(error.retry_class(), RetryClass::Permanent);
}

#[tokio::test]
async fn send_group_message_is_not_retried_after_a_timeout() {
    let (_server, client) = timing_out_post("/v1.0/robot/groupMessages/send").await;
    let error = client
        .robot()
        .send_group_message(
            RobotCode::new("dingbot"),
            OpenConversationId::new(CHAT),
            RobotMessage::text("x"),
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
}

#[tokio::test]
async fn oversized_msg_param_is_refused_before_sending() {
    let server = strict_server().await;
    let client = client(&server);
    let error = client
        .robot()
        .send_group_message(
            RobotCode::new("dingbot"),
            OpenConversationId::new(CHAT),
            RobotMessage::text("x".repeat(15_001)),
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn batch_send_surfaces_partial_delivery() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/robot/oToMessages/batchSend"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_partial_json(json!({
            "robotCode": "dingbot",
            "userIds": ["manager432", "ghost01", "busy02"],
            "msgKey": "sampleText",
            "msgParam": "{\"content\":\"hi\"}",
        })))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("robot/batch_send_oto_message.partial.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let users = ["manager432", "ghost01", "busy02"].map(UserId::new).to_vec();
    let sent = client
        .robot()
        .batch_send_oto_message(RobotCode::new("dingbot"), users, RobotMessage::text("hi"))
        .await
        .unwrap();
    assert!(sent.is_partial());
    let failed: Vec<&str> = sent.failed_recipients().map(UserId::as_str).collect();
    assert_eq!(failed, ["ghost01", "busy02"]);
    let error = sent.into_complete().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(
        error.api_error().unwrap().code().as_str(),
        "robot.partialDelivery"
    );
}

#[tokio::test]
async fn batch_send_complete_delivery_is_not_partial() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/robot/oToMessages/batchSend"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("robot/batch_send_oto_message.ok.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let sent = client
        .robot()
        .batch_send_oto_message(
            RobotCode::new("dingbot"),
            vec![UserId::new("u1")],
            RobotMessage::text("hi"),
        )
        .await
        .unwrap();
    assert!(!sent.is_partial());
    assert!(sent.into_complete().is_ok());
}

#[tokio::test]
async fn batch_send_caps_recipients_at_20() {
    let server = strict_server().await;
    let client = client(&server);
    let users = (0..21).map(|i| UserId::new(format!("u{i}"))).collect();
    let error = client
        .robot()
        .batch_send_oto_message(RobotCode::new("dingbot"), users, RobotMessage::text("hi"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
}

#[tokio::test]
async fn batch_send_is_not_retried_after_a_timeout() {
    let (_server, client) = timing_out_post("/v1.0/robot/oToMessages/batchSend").await;
    let error = client
        .robot()
        .batch_send_oto_message(
            RobotCode::new("dingbot"),
            vec![UserId::new("u1")],
            RobotMessage::text("x"),
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
}

#[tokio::test]
async fn private_chat_send_requires_cool_app_code() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/robot/privateChatMessages/send"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_partial_json(
            json!({"coolAppCode": "COOL1", "openConversationId": CHAT}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("robot/send_group_message.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let sent = client
        .robot()
        .send_private_chat_message(
            RobotCode::new("dingbot"),
            OpenConversationId::new(CHAT),
            "COOL1",
            RobotMessage::text("x"),
        )
        .await
        .unwrap();
    assert!(sent.process_query_key.is_some());
    let error = client
        .robot()
        .send_private_chat_message(
            RobotCode::new("dingbot"),
            OpenConversationId::new(CHAT),
            "",
            RobotMessage::text("x"),
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
}

#[tokio::test]
async fn recalls_report_failed_keys() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/robot/groupMessages/recall"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(
            json!({"robotCode": "dingbot", "openConversationId": CHAT, "processQueryKeys": ["pqk1", "pqk2"]}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("robot/recall_group_message.partial.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/robot/otoMessages/batchRecall"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(
            json!({"robotCode": "dingbot", "processQueryKeys": ["pqk1"]}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("robot/batch_recall_oto_message.ok.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let keys = vec![ProcessQueryKey::new("pqk1"), ProcessQueryKey::new("pqk2")];
    let group = client
        .robot()
        .recall_group_message(RobotCode::new("dingbot"), OpenConversationId::new(CHAT), keys)
        .await
        .unwrap();
    assert!(group.is_partial());
    assert_eq!(group.failed_result["pqk2"], "message not found");
    let oto = client
        .robot()
        .batch_recall_oto_message(RobotCode::new("dingbot"), vec![ProcessQueryKey::new("pqk1")])
        .await
        .unwrap();
    assert!(!oto.is_partial());
}

#[tokio::test]
async fn emotion_reply_and_recall() {
    let server = strict_server().await;
    for op in ["reply", "recall"] {
        Mock::given(method("POST"))
            .and(path(format!("/v1.0/robot/emotion/{op}")))
            .and(header("x-acs-dingtalk-access-token", TOKEN))
            .and(body_partial_json(json!({
                "robotCode": "dingbot",
                "openMsgId": "msg1",
                "openConversationId": CHAT,
                "emotionType": 2,
                "emotionName": "Thinking",
                "textEmotion": {"emotionId": "2659900", "emotionName": "Thinking", "text": "Thinking", "backgroundId": "im_bg_1"},
            })))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture("robot/reply_emotion.ok.json")))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let robot = client.robot();
    let reply = robot
        .reply_emotion(
            RobotCode::new("dingbot"),
            MsgId::new("msg1"),
            OpenConversationId::new(CHAT),
            "Thinking",
        )
        .await
        .unwrap();
    assert_eq!(reply.success, Some(true));
    robot
        .recall_emotion(
            RobotCode::new("dingbot"),
            MsgId::new("msg1"),
            OpenConversationId::new(CHAT),
            "Thinking",
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn message_file_download_fetches_bytes_without_a_token() {
    let server = strict_server().await;
    let url = format!("{}/ddmedia/abc", server.uri());
    Mock::given(method("POST"))
        .and(path("/v1.0/robot/messageFiles/download"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(json!({"downloadCode": "dc1", "robotCode": "dingbot"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"downloadUrl": url})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/ddmedia/abc"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"PNGDATA".to_vec()))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let bytes = client
        .robot()
        .download_message_file_bytes(RobotCode::new("dingbot"), DownloadCode::new("dc1"), 1024)
        .await
        .unwrap();
    assert_eq!(bytes, b"PNGDATA");
    let requests = server.received_requests().await.unwrap();
    let get = requests.iter().find(|r| r.url.path() == "/ddmedia/abc").unwrap();
    assert!(get.headers.get("x-acs-dingtalk-access-token").is_none());
    assert!(!get.url.as_str().contains(TOKEN));
}

#[tokio::test]
async fn download_url_fixture_decodes() {
    let value = fixture("robot/download_message_file.ok.json");
    let decoded: dingtalk_openapi::robot::DownloadMessageFileResponse =
        serde_json::from_value(value).unwrap();
    assert!(decoded.download_url.starts_with("https://"));
}

#[tokio::test]
async fn group_read_status_streams_every_page() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/robot/groupMessages/query"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(json!({"processQueryKey": "pqk1", "maxResults": 1})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(fixture("robot/query_group_message_read_status.page1.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/robot/groupMessages/query"))
        .and(body_json(
            json!({"processQueryKey": "pqk1", "maxResults": 1, "nextToken": "t2"}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(fixture("robot/query_group_message_read_status.page2.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let readers: Vec<_> = client
        .im()
        .query_group_message_read_status(ProcessQueryKey::new("pqk1"))
        .max_results(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = readers.iter().map(UserId::as_str).collect();
    assert_eq!(ids, ["u1", "u2", "u3"]);
}

/// Audit against the SDK model (`OrgGroupQueryResponseBody`: `readUserIds`, no `readUsers`) and DingTalk's page cap
/// of 200: a page of 200 is sent, 0 and 201 fail validation before any request.
#[tokio::test]
async fn group_read_status_pages_up_to_200_readers() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/robot/groupMessages/query"))
        .and(body_json(json!({"processQueryKey": "pqk1", "maxResults": 200})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(fixture("robot/query_group_message_read_status.page2.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let page = client
        .im()
        .query_group_message_read_status(ProcessQueryKey::new("pqk1"))
        .max_results(200)
        .await
        .unwrap();
    assert_eq!(page.read_user_ids.len(), 2);
    for bad in [0, 201] {
        let error = client
            .im()
            .query_group_message_read_status(ProcessQueryKey::new("pqk1"))
            .max_results(bad)
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Validation);
    }
}

#[tokio::test]
async fn session_webhook_sends_no_token() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/robot/sendBySession"))
        .and(query_param("session", "sess-123"))
        .and(body_json(json!({
            "msgtype": "text",
            "text": {"content": "hi @manager432"},
            "at": {"atUserIds": ["manager432"], "isAtAll": false},
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("robot/webhook.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let webhook = "https://oapi.dingtalk.com/robot/sendBySession?session=sess-123";
    let message = WebhookMessage::text("hi @manager432").at_user_ids(vec![UserId::new("manager432")]);
    let answer = client
        .robot()
        .send_by_session(webhook, message)
        .unwrap()
        .await
        .unwrap();
    assert_eq!(answer.errcode, Some(0));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].headers.get("x-acs-dingtalk-access-token").is_none());
    assert!(!requests[0].url.as_str().contains("access_token"));
    assert!(!requests[0].url.as_str().contains(TOKEN));
}

#[tokio::test]
async fn expired_session_is_an_api_error() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/robot/sendBySession"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("robot/send_by_session.expired.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let error = client
        .robot()
        .send_by_session(
            "https://oapi.dingtalk.com/robot/sendBySession?session=old",
            WebhookMessage::text("x"),
        )
        .unwrap()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.api_error().unwrap().code().as_str(), "300001");
}

/// The HMAC-SHA256 signature computed here, independently of the crate.
#[expect(clippy::unwrap_used, reason = "HMAC takes keys of any length")]
fn expected_sign(secret: &str, timestamp: i64) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}\n{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn custom_webhook_is_signed_and_carries_only_the_webhook_token() {
    let server = strict_server().await;
    let secret = "SEC1234567890abcdef";
    let timestamp = 1_700_000_000_000_i64;
    let sign = expected_sign(secret, timestamp);
    Mock::given(method("POST"))
        .and(path("/robot/send"))
        .and(query_param("access_token", "hook-token"))
        .and(query_param("timestamp", timestamp.to_string()))
        .and(query_param("sign", sign.clone()))
        .and(body_partial_json(
            json!({"msgtype": "markdown", "markdown": {"title": "Build", "text": "ok"}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("robot/webhook.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let endpoint = dingtalk_openapi::robot::SendCustomWebhook::new(
        SecretString::from("hook-token"),
        WebhookMessage::markdown("Build", "ok"),
    )
    .signed(SecretString::from(secret), timestamp);
    client.execute(&endpoint).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert!(requests[0].headers.get("x-acs-dingtalk-access-token").is_none());
    assert!(!requests[0].url.as_str().contains(TOKEN));
    // The signature is percent-encoded exactly once in the URL.
    let raw_query = requests[0].url.query().unwrap();
    let encoded: String = sign.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D");
    assert!(raw_query.contains(&format!("sign={encoded}")), "{raw_query}");
}

#[tokio::test]
async fn custom_webhook_signature_uses_the_clock_and_errors_keep_codes() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/robot/send"))
        .and(query_param("access_token", "hook-token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("robot/send_custom_webhook.sign_mismatch.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let error = client
        .robot()
        .send_custom_webhook(
            SecretString::from("hook-token"),
            Some(SecretString::from("SECx")),
            WebhookMessage::text("x"),
        )
        .await
        .unwrap_err();
    assert_eq!(error.api_error().unwrap().code().as_str(), "310000");
    let requests = server.received_requests().await.unwrap();
    let pairs: Vec<(String, String)> = requests[0]
        .url
        .query_pairs()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    let timestamp: i64 = pairs
        .iter()
        .find(|(k, _)| k == "timestamp")
        .unwrap()
        .1
        .parse()
        .unwrap();
    let sign = &pairs.iter().find(|(k, _)| k == "sign").unwrap().1;
    assert_eq!(sign, &expected_sign("SECx", timestamp));
}
