//! Tests of the client itself: meta, priority, dry runs, redaction.

mod common;

use std::sync::Arc;

use common::{TOKEN, client, fixture};
use dingtalk_core::{
    BaseUrls, OpenConversationId, Priority, RobotCode, SecretString, StaticToken, Transport, UserId,
};
use dingtalk_openapi::Client;
use dingtalk_openapi::contact::GetUser;
use dingtalk_openapi::robot::RobotMessage;
use dingtalk_test_support::{assert_redacted, strict_server};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn with_meta_returns_request_id_and_attempts() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/robot/groupMessages/send"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-acs-request-id", "REQ-1")
                .set_body_json(fixture("robot/send_group_message.ok.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let (sent, meta) = client
        .robot()
        .send_group_message(
            RobotCode::new("dingbot"),
            OpenConversationId::new("cid1=="),
            RobotMessage::text("x"),
        )
        .priority(Priority::High)
        .with_meta()
        .await
        .unwrap();
    assert!(sent.process_query_key.is_some());
    assert_eq!(meta.request_id.as_deref(), Some("REQ-1"));
    assert_eq!(meta.attempts, 1);
    assert_eq!(meta.http_status, 200);
}

#[tokio::test]
async fn requests_are_data_and_dry_runs_carry_no_token() {
    let server = strict_server().await;
    let client = client(&server);
    let call = client.contact().get_user(UserId::new("manager432"));
    let prepared = client.transport().prepare(call.endpoint()).unwrap();
    assert_eq!(prepared.token_placement, Some("query access_token"));
    assert!(!prepared.url.contains(TOKEN));
    assert_eq!(prepared.body.json_text(), Some(r#"{"userid":"manager432"}"#));
    let endpoint: GetUser = call.into_endpoint();
    assert!(format!("{endpoint:?}").contains("manager432"));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn client_debug_hides_the_token() {
    let transport = Transport::builder()
        .base_urls(BaseUrls::single("http://127.0.0.1:9").unwrap())
        .build()
        .unwrap();
    let client = Client::new(
        transport,
        Arc::new(StaticToken::new(SecretString::from("canary-t0ken"))),
    );
    assert_redacted(&format!("{client:?}"), "canary-t0ken");
    let call = client.robot().send_custom_webhook(
        SecretString::from("hook-canary"),
        Some(SecretString::from("SEC-canary")),
        dingtalk_openapi::robot::WebhookMessage::text("x"),
    );
    let shown = format!("{call:?}");
    assert_redacted(&shown, "hook-canary");
    assert_redacted(&shown, "SEC-canary");
}

#[tokio::test]
async fn a_repeated_cursor_ends_the_stream_with_a_decode_error() {
    use futures_util::TryStreamExt;
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/contact/users/search"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"hasMore": true, "list": []})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/im/innerGroups/members/query"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"userIds": ["u1"], "hasMore": true, "nextToken": "same"})),
        )
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    // An empty page with hasMore ends the walk instead of looping.
    let ids: Vec<UserId> = client
        .contact()
        .search_users("x")
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(ids.is_empty());
    let error = client
        .im()
        .list_group_members(OpenConversationId::new("cid1=="), UserId::new("u1"))
        .into_stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), dingtalk_core::ErrorKind::Decode);
}

#[tokio::test]
async fn max_pages_caps_the_walk() {
    use futures_util::TryStreamExt;
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/contact/users/search"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"hasMore": true, "list": ["a", "b"]})),
        )
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    let ids: Vec<UserId> = client
        .contact()
        .search_users("x")
        .size(2)
        .max_pages(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids.len(), 4);
}

#[tokio::test]
async fn idempotent_legacy_reads_are_retried_when_busy() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/topapi/v2/user/get"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"errcode": -1, "errmsg": "系统繁忙"})),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/topapi/v2/user/get"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("contact/get_user.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let (user, meta) = client
        .contact()
        .get_user(UserId::new("manager432"))
        .with_meta()
        .await
        .unwrap();
    assert_eq!(user.userid.as_str(), "manager432");
    assert_eq!(meta.attempts, 2);
}
