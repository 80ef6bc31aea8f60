//! App-owned card templates, the 1 KB value limit, advisory streaming warnings and unrenderable templates.
#![expect(clippy::unwrap_used, reason = "test helpers panic on setup failures")]

mod common;

use dingtalk_sandbox::{CardTemplate, DEMO_CLIENT_ID, Sandbox, SandboxHandle};
use serde_json::{Value, json};

const OWN: &str = "app-owned-0001.schema";
const FOREIGN: &str = "other-app-0001.schema";
const STOCK: &str = "382e4302-551d-4880-bf29-a30acfab2e71.schema";

async fn create(sb: &SandboxHandle, tok: &str, template: &str, id: &str, params: Value) -> (u16, Value) {
    common::call(
        &reqwest::Client::new(),
        sb,
        tok,
        "POST",
        "/v1.0/card/instances/createAndDeliver",
        json!({
            "cardTemplateId": template, "outTrackId": id, "cardData": {"cardParamMap": params},
            "openSpaceId": "dtv1.card//IM_ROBOT.user001",
            "imRobotOpenDeliverModel": {"spaceType": "IM_ROBOT", "robotCode": DEMO_CLIENT_ID},
        }),
    )
    .await
}

async fn stream(
    sb: &SandboxHandle,
    tok: &str,
    id: &str,
    guid: &str,
    key: &str,
    content: &str,
    finalize: bool,
) -> u16 {
    common::call(
        &reqwest::Client::new(),
        sb,
        tok,
        "PUT",
        "/v1.0/card/streaming",
        json!({"outTrackId": id, "guid": guid, "key": key, "content": content, "isFull": true, "isFinalize": finalize}),
    )
    .await
    .0
}

#[tokio::test]
async fn app_owned_templates_limits_and_render_states() {
    let sb = Sandbox::builder()
        .card_template(
            CardTemplate::new(OWN)
                .variables(["title", "body"])
                .stream_keys(["body"])
                .flow_status(false)
                .owner(DEMO_CLIENT_ID),
        )
        .card_template(
            CardTemplate::new(FOREIGN)
                .variables(["x"])
                .owner("dingsomeotherapp"),
        )
        .start()
        .await
        .unwrap();
    let tok = common::app_token(&sb).await;

    // A custom template without flowStatus: finished once its stream key is finalized.
    assert_eq!(create(&sb, &tok, OWN, "c1", json!({"title": "T"})).await.0, 200);
    assert_eq!(
        stream(&sb, &tok, "c1", "g1", "nope", "x", false).await,
        400,
        "not a template key"
    );
    assert_eq!(stream(&sb, &tok, "c1", "g2", "body", "hello", false).await, 200);
    assert_eq!(sb.card("c1").unwrap().render_state, "spinning");
    // Over 1 KB in one frame: accepted, with a warning.
    let long = "y".repeat(1500);
    assert_eq!(stream(&sb, &tok, "c1", "g3", "body", &long, true).await, 200);
    let card = sb.card("c1").unwrap();
    assert_eq!(card.render_state, "finished");
    assert_eq!(card.warnings.len(), 1, "{:?}", card.warnings);
    assert!(card.warnings[0].contains("1500 bytes"));

    // cardParamMap values are capped at 1 KB on create and update.
    let (status, err) = create(&sb, &tok, STOCK, "c2", json!({"msgContent": "z".repeat(1025)})).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("param.cardParamMap.valueTooLong"))
    );
    assert_eq!(
        create(
            &sb,
            &tok,
            STOCK,
            "c2",
            json!({"msgContent": "z".repeat(1024), "flowStatus": "2"})
        )
        .await
        .0,
        200
    );
    let (status, err) = common::call(
        &reqwest::Client::new(),
        &sb,
        &tok,
        "PUT",
        "/v1.0/card/instances",
        json!({"outTrackId": "c2", "cardData": {"cardParamMap": {"msgContent": "é".repeat(513)}}, "cardUpdateOptions": {"updateCardDataByKey": true}}),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("param.cardParamMap.valueTooLong"))
    );

    // Another app's template: accepted, but it does not load.
    assert_eq!(create(&sb, &tok, FOREIGN, "c3", json!({"x": "1"})).await.0, 200);
    assert_eq!(sb.card("c3").unwrap().render_state, "load_failed");
}

#[tokio::test]
async fn unrenderable_switch_and_runtime_templates() {
    let sb = Sandbox::start().await.unwrap();
    let tok = common::app_token(&sb).await;
    assert_eq!(
        create(&sb, &tok, STOCK, "c2", json!({"flowStatus": "2"})).await.0,
        200
    );
    // The "accepted but unrenderable" switch, over the control API and the handle.
    assert_eq!(sb.card("c2").unwrap().render_state, "spinning");
    let r: Value = reqwest::Client::new()
        .post(format!("{}/_sandbox/templates", sb.base_url()))
        .json(&json!({"id": STOCK, "renderable": false}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let stock = r["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == STOCK)
        .unwrap();
    assert_eq!(stock["renderable"], false);
    assert_eq!(
        stock["streamKeys"],
        json!(["msgContent"]),
        "patching keeps the other fields"
    );
    assert_eq!(sb.card("c2").unwrap().render_state, "load_failed");
    assert!(sb.set_template_renderable(STOCK, true));
    assert!(!sb.set_template_renderable("nope.schema", true));
    assert_eq!(sb.card("c2").unwrap().render_state, "spinning");

    // A template registered at run time over HTTP, then used.
    let r = reqwest::Client::new()
        .post(format!("{}/_sandbox/templates", sb.base_url()))
        .json(&json!({"id": "runtime.schema", "variables": ["flowStatus", "md"], "streamKeys": ["md"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        create(&sb, &tok, "runtime.schema", "c4", json!({"flowStatus": "3"}))
            .await
            .0,
        200
    );
    assert_eq!(sb.card("c4").unwrap().render_state, "finished");
    sb.add_card_template(CardTemplate::new("handle.schema"));
    assert_eq!(create(&sb, &tok, "handle.schema", "c5", json!({})).await.0, 200);
}
