//! Endpoint tests for the IM product.

mod common;

use common::{TOKEN, client, fixture, timing_out_post};
use dingtalk_core::{ChatId, ErrorKind, OpenConversationId, UserId};
use dingtalk_test_support::strict_server;
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, ResponseTemplate};

const CHAT: &str = "cidG+niQ3Ny/NwUc5KE7mANUQ==";

#[tokio::test]
async fn create_group() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/im/group/create"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(json!({"name": "Release", "owner": "manager432", "useridlist": ["u1", "u2"], "conversationTag": 2})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("im/create_group.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let group = client
        .im()
        .create_group(
            "Release",
            UserId::new("manager432"),
            vec![UserId::new("u1"), UserId::new("u2")],
        )
        .enterprise()
        .await
        .unwrap();
    assert_eq!(group.open_conversation_id.unwrap().as_str(), CHAT);
}

#[tokio::test]
async fn create_group_is_not_retried_after_a_timeout() {
    let (_server, client) = timing_out_post("/v1.0/im/group/create").await;
    let error = client
        .im()
        .create_group("Release", UserId::new("manager432"), vec![UserId::new("u1")])
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
}

#[tokio::test]
async fn get_group_and_its_error() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/im/groups/baseInfos/query"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(json!({"openConversationId": CHAT})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("im/get_group.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/im/groups/baseInfos/query"))
        .and(body_json(json!({"openConversationId": "cidBAD"})))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(fixture("im/get_group.invalid_conversation.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let info = client
        .im()
        .get_group(OpenConversationId::new(CHAT))
        .await
        .unwrap();
    assert_eq!(info.result.unwrap().member_count, Some(3));
    let error = client
        .im()
        .get_group(OpenConversationId::new("cidBAD"))
        .await
        .unwrap_err();
    assert_eq!(
        error.api_error().unwrap().code().as_str(),
        "invalid.openConversationId"
    );
}

#[tokio::test]
async fn members_are_added_and_removed_through_update() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/im/group/update"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(json!({"chatid": "chat1", "add_useridlist": ["u3"]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("im/update_group.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/im/group/update"))
        .and(body_json(
            json!({"chatid": "chat1", "del_useridlist": ["u2"], "name": "Renamed"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("im/update_group.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let added = client
        .im()
        .add_group_members(ChatId::new("chat1"), vec![UserId::new("u3")])
        .await
        .unwrap();
    assert_eq!(added.success, Some(true));
    client
        .im()
        .remove_group_members(ChatId::new("chat1"), vec![UserId::new("u2")])
        .name("Renamed")
        .await
        .unwrap();
}

#[tokio::test]
async fn group_members_stream_across_pages() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/im/innerGroups/members/query"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(
            json!({"openConversationId": CHAT, "userId": "manager432", "maxResults": 2}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("im/list_group_members.page1.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/im/innerGroups/members/query"))
        .and(body_json(
            json!({"openConversationId": CHAT, "userId": "manager432", "maxResults": 2, "nextToken": "n2"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("im/list_group_members.page2.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let members: Vec<UserId> = client
        .im()
        .list_group_members(OpenConversationId::new(CHAT), UserId::new("manager432"))
        .max_results(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        members.iter().map(UserId::as_str).collect::<Vec<_>>(),
        ["u1", "u2", "u3"]
    );
}

/// `UpdateGroupRequest.name` is 1 to 20 characters (DingTalk's page); characters, not bytes, are counted.
#[tokio::test]
async fn group_names_are_1_to_20_characters() {
    let server = strict_server().await;
    let twenty = "研发群".repeat(6) + "二群";
    assert_eq!(twenty.chars().count(), 20);
    Mock::given(method("POST"))
        .and(path("/v1.0/im/group/update"))
        .and(body_json(json!({"chatid": "chat1", "name": twenty})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("im/update_group.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    client
        .im()
        .update_group(ChatId::new("chat1"))
        .name(twenty.clone())
        .await
        .unwrap();
    for bad in [format!("{twenty}!"), String::new(), "   ".to_owned()] {
        let error = client
            .im()
            .update_group(ChatId::new("chat1"))
            .name(bad)
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Validation);
        let detail = std::error::Error::source(&error).unwrap().to_string();
        assert!(detail.contains("1 to 20"), "{detail}");
    }
}
