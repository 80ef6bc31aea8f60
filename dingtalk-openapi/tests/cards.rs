//! Endpoint tests for the cards product.

mod common;

use common::{TOKEN, client, fixture};
use dingtalk_core::{CardTemplateId, ErrorKind, OpenConversationId, OutTrackId, RobotCode, UserId};
use dingtalk_openapi::cards::{CallbackType, CardParamMap, OpenSpaceId};
use dingtalk_test_support::strict_server;
use serde_json::json;
use wiremock::matchers::{body_json, body_partial_json, header, method, path};
use wiremock::{Mock, ResponseTemplate};

const CHAT: &str = "cidG+niQ3Ny/NwUc5KE7mANUQ==";

#[tokio::test]
async fn create_and_deliver_to_a_group() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/card/instances/createAndDeliver"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(json!({
            "cardTemplateId": "tpl.schema",
            "outTrackId": "card-1",
            "cardData": {"cardParamMap": {"content": "thinking", "flowStatus": "1"}},
            "openSpaceId": format!("dtv1.card//IM_GROUP.{CHAT}"),
            "callbackType": "STREAM",
            "imGroupOpenSpaceModel": {"supportForward": true},
            "imGroupOpenDeliverModel": {"robotCode": "dingbot"},
        })))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("cards/create_and_deliver_card.ok.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let data = CardParamMap::new()
        .with("content", "thinking")
        .with("flowStatus", "1");
    let answer = client
        .cards()
        .create_and_deliver_card(
            CardTemplateId::new("tpl.schema"),
            OutTrackId::new("card-1"),
            data,
            OpenSpaceId::im_group(&OpenConversationId::new(CHAT)),
        )
        .robot_code(RobotCode::new("dingbot"))
        .callback_type(CallbackType::Stream)
        .await
        .unwrap()
        .into_delivered()
        .unwrap();
    assert_eq!(
        answer.result.deliver_results[0].carrier_id.as_deref(),
        Some("carrier-1")
    );
}

#[tokio::test]
async fn failed_delivery_on_200_is_surfaced() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/card/instances/createAndDeliver"))
        .and(body_partial_json(json!({
            "openSpaceId": "dtv1.card//IM_ROBOT.manager432",
            "imRobotOpenDeliverModel": {"spaceType": "IM_ROBOT", "robotCode": "dingbot"},
        })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(fixture("cards/create_and_deliver_card.deliver_failed.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let answer = client
        .cards()
        .create_and_deliver_card(
            CardTemplateId::new("tpl.schema"),
            OutTrackId::new("card-1"),
            CardParamMap::new(),
            OpenSpaceId::im_robot(&UserId::new("manager432")),
        )
        .robot_code(RobotCode::new("dingbot"))
        .await
        .unwrap();
    assert_eq!(answer.failed_deliveries().count(), 1);
    let error = answer.into_delivered().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.api_error().unwrap().code().as_str(), "card.deliverFailed");
}

#[tokio::test]
async fn robot_spaces_need_a_robot_code() {
    let server = strict_server().await;
    let client = client(&server);
    let error = client
        .cards()
        .create_and_deliver_card(
            CardTemplateId::new("tpl.schema"),
            OutTrackId::new("card-1"),
            CardParamMap::new(),
            OpenSpaceId::im_group(&OpenConversationId::new(CHAT)),
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
    let long = OutTrackId::new("x".repeat(65));
    let error = client
        .cards()
        .update_card(long, CardParamMap::new())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
}

#[tokio::test]
async fn template_mismatch_is_a_server_error_with_code() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/card/instances/createAndDeliver"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_json(fixture("cards/create_and_deliver_card.template_mismatch.json")),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let error = client
        .cards()
        .create_and_deliver_card(
            CardTemplateId::new("tpl.schema"),
            OutTrackId::new("card-1"),
            CardParamMap::new(),
            OpenSpaceId::im_group(&OpenConversationId::new(CHAT)),
        )
        .robot_code(RobotCode::new("dingbot"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.api_error().unwrap().code().as_str(), "unknownError");
}

/// The space model is the card's (`CreateCardRequest`), the deliver model the delivery's (`DeliverCardRequest`
/// has no `im*OpenSpaceModel`): the first call registers the robot chat, the second sends only the deliver model.
#[tokio::test]
async fn create_then_deliver() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/card/instances"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(json!({
            "cardTemplateId": "tpl.schema",
            "outTrackId": "card-1",
            "cardData": {"cardParamMap": {"title": "Build"}},
            "imRobotOpenSpaceModel": {"supportForward": true},
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("cards/create_card.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/card/instances/deliver"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(json!({
            "outTrackId": "card-1",
            "openSpaceId": "dtv1.card//IM_ROBOT.manager432",
            "imRobotOpenDeliverModel": {"spaceType": "IM_ROBOT", "robotCode": "dingbot"},
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("cards/deliver_card.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let created = client
        .cards()
        .create_card(
            CardTemplateId::new("tpl.schema"),
            OutTrackId::new("card-1"),
            CardParamMap::new().with("title", "Build"),
        )
        .for_spaces(&OpenSpaceId::im_robot(&UserId::new("manager432")))
        .await
        .unwrap();
    assert_eq!(created.result.as_deref(), Some("card-1"));
    let delivered = client
        .cards()
        .deliver_card(
            OutTrackId::new("card-1"),
            OpenSpaceId::im_robot(&UserId::new("manager432")),
        )
        .robot_code(RobotCode::new("dingbot"))
        .await
        .unwrap()
        .into_delivered()
        .unwrap();
    assert!(delivered.result[0].success);
}

#[tokio::test]
async fn update_merges_by_key_with_put() {
    let server = strict_server().await;
    Mock::given(method("PUT"))
        .and(path("/v1.0/card/instances"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(json!({
            "outTrackId": "card-1",
            "cardData": {"cardParamMap": {"flowStatus": "3"}},
            "cardUpdateOptions": {"updateCardDataByKey": true},
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("cards/update_card.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let answer = client
        .cards()
        .update_card(
            OutTrackId::new("card-1"),
            CardParamMap::new().with("flowStatus", "3"),
        )
        .await
        .unwrap();
    assert_eq!(answer.result, Some(true));
}

#[tokio::test]
async fn streaming_update_sends_flags() {
    let server = strict_server().await;
    Mock::given(method("PUT"))
        .and(path("/v1.0/card/streaming"))
        .and(header("x-acs-dingtalk-access-token", TOKEN))
        .and(body_json(json!({
            "outTrackId": "card-1",
            "guid": "g-1",
            "key": "content",
            "content": "Hello",
            "isFull": true,
            "isFinalize": true,
            "isError": false,
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("cards/update_card.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    client
        .cards()
        .update_card_streaming(OutTrackId::new("card-1"), "g-1", "content", "Hello")
        .full()
        .finalize()
        .await
        .unwrap();
}

#[tokio::test]
async fn streaming_permission_error_is_forbidden() {
    let server = strict_server().await;
    Mock::given(method("PUT"))
        .and(path("/v1.0/card/streaming"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(fixture("cards/update_card_streaming.permission_denied.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let error = client
        .cards()
        .update_card_streaming(OutTrackId::new("card-1"), "g-2", "content", "x")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Forbidden);
    assert_eq!(
        error.api_error().unwrap().code().as_str(),
        "Forbidden.AccessDenied.AccessTokenPermissionDenied"
    );
}

/// `for_spaces` registers every robot space of the id (group and robot chat) and nothing for other space types;
/// without it no space model is sent.
#[tokio::test]
async fn create_registers_group_and_robot_spaces() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/card/instances"))
        .and(body_json(json!({
            "cardTemplateId": "tpl.schema",
            "outTrackId": "card-2",
            "cardData": {"cardParamMap": {}},
            "imGroupOpenSpaceModel": {"supportForward": true},
            "imRobotOpenSpaceModel": {"supportForward": true},
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("cards/create_card.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/card/instances"))
        .and(body_json(json!({
            "cardTemplateId": "tpl.schema",
            "outTrackId": "card-3",
            "cardData": {"cardParamMap": {}},
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("cards/create_card.ok.json")))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    let both = OpenSpaceId::im_group(&OpenConversationId::new(CHAT)).and_im_robot(&UserId::new("manager432"));
    client
        .cards()
        .create_card(
            CardTemplateId::new("tpl.schema"),
            OutTrackId::new("card-2"),
            CardParamMap::new(),
        )
        .for_spaces(&both)
        .await
        .unwrap();
    client
        .cards()
        .create_card(
            CardTemplateId::new("tpl.schema"),
            OutTrackId::new("card-3"),
            CardParamMap::new(),
        )
        .await
        .unwrap();
    client
        .cards()
        .create_card(
            CardTemplateId::new("tpl.schema"),
            OutTrackId::new("card-3"),
            CardParamMap::new(),
        )
        .for_spaces(&OpenSpaceId::from_raw("dtv1.card//ONE_BOX.cid1=="))
        .await
        .unwrap();
}
