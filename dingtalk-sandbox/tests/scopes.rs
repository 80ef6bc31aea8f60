//! App scopes: removing one makes its routes answer the DingTalk permission error naming it.
#![expect(clippy::unwrap_used, reason = "test helpers panic on setup failures")]

mod common;

use dingtalk_sandbox::{DEMO_CLIENT_ID, Sandbox, SandboxHandle};
use serde_json::{Value, json};

const TEMPLATE: &str = "382e4302-551d-4880-bf29-a30acfab2e71.schema";

async fn create_card(sb: &SandboxHandle, token: &str, id: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/v1.0/card/instances", sb.base_url()))
        .header("x-acs-dingtalk-access-token", token)
        .json(&json!({"cardTemplateId": TEMPLATE, "outTrackId": id, "cardData": {"cardParamMap": {}}}))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn legacy_user_get(sb: &SandboxHandle, token: &str) -> Value {
    reqwest::Client::new()
        .post(format!(
            "{}/topapi/v2/user/get?access_token={token}",
            sb.base_url()
        ))
        .json(&json!({"userid": "user001"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_removed_scope_is_named_in_the_permission_error() {
    let sb = Sandbox::builder()
        .without_scope(DEMO_CLIENT_ID, "qyapi_get_member")
        .start()
        .await
        .unwrap();
    let token = common::app_token(&sb).await;
    assert_eq!(create_card(&sb, &token, "s-1").await.0, 200);
    // Remove over the control API.
    let r: Value = reqwest::Client::new()
        .post(format!("{}/_sandbox/scopes", sb.base_url()))
        .json(&json!({"remove": ["Card.Instance.Write"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let held: Vec<&str> = r["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(!held.contains(&"Card.Instance.Write") && held.contains(&"Card.Streaming.Write"));
    let (status, err) = create_card(&sb, &token, "s-2").await;
    assert_eq!(status, 403);
    assert_eq!(err["code"], "Forbidden.AccessDenied.AccessTokenPermissionDenied");
    assert!(
        err["message"].as_str().unwrap().contains("Card.Instance.Write"),
        "{err}"
    );
    assert_eq!(
        err["accessdenieddetail"]["requiredScopes"],
        json!(["Card.Instance.Write"])
    );
    assert!(err["requestid"].is_string());
    // Legacy: 88 / "60011", from the builder's removal.
    let legacy = legacy_user_get(&sb, &token).await;
    assert_eq!(legacy["errcode"], 88);
    assert_eq!(legacy["sub_code"], "60011");
    assert!(legacy["sub_msg"].as_str().unwrap().contains("qyapi_get_member"));
    // Grant back through the handle.
    sb.grant_scopes(DEMO_CLIENT_ID, &["Card.Instance.Write", "qyapi_get_member"]);
    assert_eq!(create_card(&sb, &token, "s-3").await.0, 200);
    assert_eq!(legacy_user_get(&sb, &token).await["errcode"], 0);
    sb.remove_scopes(DEMO_CLIENT_ID, &["Card.Streaming.Write"]);
    assert!(
        !sb.scopes(DEMO_CLIENT_ID)
            .iter()
            .any(|s| s == "Card.Streaming.Write")
    );
    assert_eq!(
        sb.scopes(DEMO_CLIENT_ID).len(),
        dingtalk_sandbox::ALL_SCOPES.len() - 1
    );
}

#[tokio::test]
async fn the_dws_twin_routes_check_their_scopes() {
    let sb = Sandbox::builder()
        .without_scope(DEMO_CLIENT_ID, "Rooms.Room.Read")
        .without_scope(DEMO_CLIENT_ID, "qyapi_report_statistics")
        .without_scope(DEMO_CLIENT_ID, "qyapi_report_query")
        .without_scope(DEMO_CLIENT_ID, "Document.Workspace.Read")
        .start()
        .await
        .unwrap();
    let token = common::app_token(&sb).await;
    let http = reqwest::Client::new();
    let base = sb.base_url();
    for (path, scope) in [
        (
            "/v1.0/rooms/groupLists?unionId=unionSandbox001iiiiEiE",
            "Rooms.Room.Read",
        ),
        (
            "/v1.0/report/details?reportId=reportSandbox0001",
            "qyapi_report_query",
        ),
        (
            "/v1.0/doc/docs?operatorId=unionSandbox001iiiiEiE&keyword=proj",
            "Document.Workspace.Read",
        ),
    ] {
        let r = http
            .get(format!("{base}{path}"))
            .header("x-acs-dingtalk-access-token", &token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403, "{path}");
        let err: Value = r.json().await.unwrap();
        assert_eq!(
            err["accessdenieddetail"]["requiredScopes"],
            json!([scope]),
            "{path}"
        );
    }
    let legacy: Value = http
        .post(format!("{base}/topapi/report/statistics?access_token={token}"))
        .json(&json!({"report_id": "reportSandbox0001"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(legacy["errcode"], 88, "{legacy}");
    assert!(
        legacy["sub_msg"]
            .as_str()
            .unwrap()
            .contains("qyapi_report_statistics")
    );
    // Granted back, the same calls answer.
    sb.grant_scopes(DEMO_CLIENT_ID, &["Rooms.Room.Read"]);
    let r = http
        .get(format!(
            "{base}/v1.0/rooms/groupLists?unionId=unionSandbox001iiiiEiE"
        ))
        .header("x-acs-dingtalk-access-token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}
