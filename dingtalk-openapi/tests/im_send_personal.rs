//! `SendPersonalMessage`: a message sent as the signed-in user (user token, route unverified).

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::timing_out_post;
use dingtalk_core::{BaseUrls, ErrorKind, OpenConversationId, SecretString, StaticToken, Transport, UserId};
use dingtalk_openapi::Client;
use dingtalk_openapi::im::{PersonalMsgType, SendPersonalMessage};
use dingtalk_test_support::strict_server;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const USER_TOKEN: &str = "test-user-token";
const CHAT: &str = "cidG+niQ3Ny/NwUc5KE7mANUQ==";

#[expect(clippy::unwrap_used, reason = "test setup")]
fn user_client(server: &MockServer) -> Client {
    let transport = Transport::builder()
        .base_urls(BaseUrls::single(&server.uri()).unwrap())
        .attempt_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    Client::new(
        transport,
        Arc::new(StaticToken::new(SecretString::from(USER_TOKEN))),
    )
}

#[tokio::test]
async fn text_to_a_group_with_at() {
    let server = strict_server().await;
    let content = r#"{"at":{"atUserIds":["u2"],"isAtAll":true},"content":"release is out"}"#;
    Mock::given(method("POST"))
        .and(path("/v1.0/im/me/messages/send"))
        .and(header("x-acs-dingtalk-access-token", USER_TOKEN))
        .and(body_json(json!({
            "content": content, "msgType": "text", "openConversationId": CHAT,
        })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"result": {"openTaskId": "task1"}, "success": "true"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let sent = user_client(&server)
        .im()
        .send_personal_message(
            SendPersonalMessage::text("release is out", true, &[UserId::new("u2")])
                .group(OpenConversationId::new(CHAT)),
        )
        .await
        .unwrap();
    assert_eq!(sent.success, Some(true));
    assert_eq!(sent.result.unwrap().open_task_id.as_deref(), Some("task1"));
}

#[tokio::test]
async fn markdown_to_a_person_and_a_custom_route() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/im/personal/send"))
        .and(header("x-acs-dingtalk-access-token", USER_TOKEN))
        .and(body_json(json!({
            "content": r#"{"text":"**done**","title":"Notes"}"#,
            "msgType": "markdown",
            "receiverUid": "manager432",
        })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"result": {"openTaskId": "t2"}, "success": true})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let sent = user_client(&server)
        .call(
            SendPersonalMessage::markdown("Notes", "**done**")
                .receiver("manager432")
                .path("/v1.0/im/personal/send"),
        )
        .await
        .unwrap();
    assert_eq!(sent.success, Some(true));
}

#[tokio::test]
async fn plain_text_has_no_at_part() {
    let m = SendPersonalMessage::text("hi", false, &[]);
    assert_eq!(m.content(), r#"{"content":"hi"}"#);
}

#[tokio::test]
async fn bad_requests_fail_before_sending() {
    let server = strict_server().await;
    let client = user_client(&server);
    let cases = [
        // Neither target.
        SendPersonalMessage::text("hi", false, &[]),
        // Both targets.
        SendPersonalMessage::text("hi", false, &[])
            .group(OpenConversationId::new(CHAT))
            .receiver("u1"),
        // Empty text.
        SendPersonalMessage::text("  ", false, &[]).receiver("u1"),
        // Content that is not JSON for a text message.
        SendPersonalMessage::new(PersonalMsgType::Text, "hi").receiver("u1"),
        // Empty reply content.
        SendPersonalMessage::new(PersonalMsgType::Reply, "").receiver("u1"),
        // A route outside the API.
        SendPersonalMessage::text("hi", false, &[])
            .receiver("u1")
            .path("/../gettoken"),
    ];
    for case in cases {
        let err = client.call(case.clone()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation, "{case:?}");
    }
    assert_eq!(PersonalMsgType::parse("reply"), Some(PersonalMsgType::Reply));
    assert_eq!(PersonalMsgType::parse("image"), None);
}

#[tokio::test]
async fn a_send_is_not_retried_after_a_timeout() {
    let (_server, client) = timing_out_post("/v1.0/im/me/messages/send").await;
    let err = client
        .call(SendPersonalMessage::text("hi", false, &[]).receiver("u1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
}

// ---------------------------------------------------------------- against the sandbox twin

/// A sandbox, an app-token client and a user-token client for user001 (device flow, approved on the second poll).
async fn sandbox_clients() -> (dingtalk_sandbox::SandboxHandle, Client, Client) {
    let (sandbox, app_client) = common::sandbox::start().await;
    let user_client = common::sandbox::user001_client(&sandbox).await;
    (sandbox, app_client, user_client)
}

const ENG: &str = "cidSandboxEng0001+demo/Aa==";

#[tokio::test]
async fn the_twin_takes_only_a_user_token_and_records_the_send() {
    let (sandbox, app_client, user_client) = sandbox_clients().await;
    let to_eng = || SendPersonalMessage::text("hi all", true, &[]).group(OpenConversationId::new(ENG));

    // An app token is refused.
    let err = app_client.call(to_eng()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err:?}");
    assert_eq!(err.api_error().unwrap().code().as_str(), "InvalidAuthentication");

    let sent = user_client.call(to_eng()).await.unwrap();
    assert_eq!(sent.success, Some(true));
    let task = sent.result.unwrap().open_task_id.unwrap();
    assert!(!task.is_empty());
    let sent = user_client
        .call(SendPersonalMessage::new(PersonalMsgType::Reply, "ok").receiver("user002"))
        .await
        .unwrap();
    assert_eq!(sent.success, Some(true));

    let outbox: Vec<_> = sandbox
        .outbox(0)
        .into_iter()
        .filter(|e| e.route == "user")
        .collect();
    assert_eq!(outbox.len(), 2, "{outbox:?}");
    assert_eq!(outbox[0].conversation.as_deref(), Some(ENG));
    assert_eq!(outbox[0].msgtype, "text");
    assert_eq!(outbox[0].text.as_deref(), Some("hi all"));
    assert_eq!(outbox[0].body["content"]["at"]["isAtAll"], true);
    assert_eq!(outbox[1].recipients, vec!["user002".to_owned()]);
    assert_eq!(outbox[1].msgtype, "reply");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_twin_rejects_unknown_targets_and_malformed_content() {
    let (sandbox, _, user_client) = sandbox_clients().await;
    let cases = [
        (
            SendPersonalMessage::text("x", false, &[]).group(OpenConversationId::new("cidNoSuchGroup==")),
            "invalid.openConversationId",
        ),
        // user001 is not in "Ops team".
        (
            SendPersonalMessage::text("x", false, &[])
                .group(OpenConversationId::new("cidSandboxOps0002+demo/Bb==")),
            "invalidParameter.openConversationId",
        ),
        (
            SendPersonalMessage::text("x", false, &[]).receiver("nobody"),
            "invalidParameter.receiverUid",
        ),
        (
            SendPersonalMessage::text("x", false, &[UserId::new("nobody")]).receiver("user002"),
            "invalidParameter.content",
        ),
        // Markdown without a title.
        (
            SendPersonalMessage::new(PersonalMsgType::Markdown, r#"{"text":"x"}"#).receiver("user002"),
            "invalidParameter.content",
        ),
    ];
    for (case, code) in cases {
        let err = user_client.call(case.clone()).await.unwrap_err();
        assert_eq!(common::sandbox::api_code(&err), code, "{case:?}");
    }
    assert!(sandbox.outbox(0).iter().all(|e| e.route != "user"));
    sandbox.shutdown().await;
}
