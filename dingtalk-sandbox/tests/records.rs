//! The request log (bodies recorded, secrets redacted), 1:1 read status, and tokens kept in the state file.
#![expect(clippy::unwrap_used, reason = "test helpers panic on setup failures")]

mod common;

use dingtalk_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox, SandboxHandle};
use serde_json::{Value, json};

async fn post(sb: &SandboxHandle, tok: &str, path: &str, body: &Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}{path}", sb.base_url()))
        .header("x-acs-dingtalk-access-token", tok)
        .json(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn read_status(sb: &SandboxHandle, tok: &str, query: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(format!(
            "{}/v1.0/robot/oToMessages/readStatus?{query}",
            sb.base_url()
        ))
        .header("x-acs-dingtalk-access-token", tok)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn request_log_keeps_bodies_without_secrets() {
    let sb = Sandbox::start().await.unwrap();
    let tok = common::app_token(&sb).await;
    let send = json!({"robotCode": DEMO_CLIENT_ID, "openConversationId": "cidSandboxEng0001+demo/Aa==",
                      "msgKey": "sampleText", "msgParam": "{\"content\":\"hello log\"}"});
    assert_eq!(
        post(&sb, &tok, "/v1.0/robot/groupMessages/send", &send).await.0,
        200
    );
    let legacy = reqwest::Client::new()
        .post(format!("{}/topapi/v2/user/get?access_token={tok}", sb.base_url()))
        .json(&json!({"userid": "user001"}))
        .send()
        .await
        .unwrap();
    assert_eq!(legacy.status().as_u16(), 200);
    let device = reqwest::Client::new()
        .post(format!("{}/oauth2/device/token.json", sb.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=devSECRETCODE&client_id=x")
        .send()
        .await
        .unwrap();
    assert_eq!(device.status().as_u16(), 200);

    let log: Value = reqwest::Client::new()
        .get(format!("{}/_sandbox/requests?since=0", sb.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = log.to_string();
    for secret in [DEMO_CLIENT_SECRET, tok.as_str(), "devSECRETCODE"] {
        assert!(!text.contains(secret), "{secret} leaked into {text}");
    }
    let reqs = sb.requests(0);
    let token_call = reqs
        .iter()
        .find(|r| r.path == "/v1.0/oauth2/accessToken")
        .unwrap();
    let body = token_call.body.as_ref().unwrap();
    assert_eq!(body["appKey"], DEMO_CLIENT_ID);
    assert_eq!(body["appSecret"], "<redacted>");
    let send_call = reqs
        .iter()
        .find(|r| r.path == "/v1.0/robot/groupMessages/send")
        .unwrap();
    assert_eq!(send_call.body.as_ref().unwrap()["msgKey"], "sampleText");
    assert_eq!(send_call.client_id.as_deref(), Some(DEMO_CLIENT_ID));
    let legacy_call = reqs.iter().find(|r| r.path == "/topapi/v2/user/get").unwrap();
    assert_eq!(legacy_call.query.as_deref(), Some("access_token=<redacted>"));
    assert_eq!(legacy_call.body.as_ref().unwrap()["userid"], "user001");
    let device_call = reqs
        .iter()
        .find(|r| r.path == "/oauth2/device/token.json")
        .unwrap();
    assert_eq!(device_call.body.as_ref().unwrap()["device_code"], "<redacted>");
}

#[tokio::test]
async fn one_to_one_read_status_follows_the_read_model() {
    let sb = Sandbox::start().await.unwrap();
    let tok = common::app_token(&sb).await;
    let (status, sent) = post(
        &sb,
        &tok,
        "/v1.0/robot/oToMessages/batchSend",
        &json!({"robotCode": DEMO_CLIENT_ID, "userIds": ["user001", "user002", "user003"],
                "msgKey": "sampleText", "msgParam": "{\"content\":\"hi\"}"}),
    )
    .await;
    assert_eq!(status, 200);
    let pqk = sent["processQueryKey"].as_str().unwrap().to_owned();
    let q = format!("robotCode={DEMO_CLIENT_ID}&processQueryKey={pqk}");
    let (status, body) = read_status(&sb, &tok, &q).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["sendStatus"], "SUCCESS");
    let read_states: Vec<&str> = body["messageReadInfoList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["readStatus"].as_str().unwrap())
        .collect();
    assert_eq!(read_states, ["READ", "READ", "UNREAD"]);
    assert_eq!(body["messageReadInfoList"][0]["name"], "Alice");
    // Mark the third as read over the control API.
    let r = reqwest::Client::new()
        .post(format!("{}/_sandbox/reads", sb.base_url()))
        .json(&json!({"processQueryKey": pqk, "userIds": ["user003"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let (_, body) = read_status(&sb, &tok, &q).await;
    assert_eq!(body["messageReadInfoList"][2]["readStatus"], "READ");
    let (status, err) = read_status(
        &sb,
        &tok,
        &format!("robotCode={DEMO_CLIENT_ID}&processQueryKey=nope"),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("invalidParameter.processQueryKey"))
    );
    let (status, err) = read_status(&sb, &tok, &format!("robotCode={DEMO_CLIENT_ID}")).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("MissingParameter.processQueryKey"))
    );
    let (status, err) = read_status(&sb, &tok, &format!("robotCode=other&processQueryKey={pqk}")).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("invalidParameter.robotCode.auth"))
    );
}

#[tokio::test]
async fn tokens_and_refresh_tokens_survive_a_restart_with_a_state_file() {
    let path = std::env::temp_dir().join(format!(
        "dingtalk-sandbox-tokens-{}.sqlite",
        uuid::Uuid::new_v4().simple()
    ));
    let sb = Sandbox::builder().state_file(&path).start().await.unwrap();
    let tok = common::app_token(&sb).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let loc = http
        .get(format!(
            "{}/oauth2/auth?client_id={DEMO_CLIENT_ID}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&response_type=code&scope=openid&prompt=consent",
            sb.base_url()
        ))
        .send()
        .await
        .unwrap()
        .headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    let code = url::Url::parse(&loc)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "authCode")
        .unwrap()
        .1
        .into_owned();
    let user: Value = http
        .post(format!("{}/v1.0/oauth2/userAccessToken", sb.base_url()))
        .json(&json!({"clientId": DEMO_CLIENT_ID, "clientSecret": DEMO_CLIENT_SECRET, "code": code, "grantType": "authorization_code"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    sb.shutdown().await;

    let sb = Sandbox::builder().state_file(&path).start().await.unwrap();
    assert_eq!(
        common::app_token(&sb).await,
        tok,
        "the app token is re-issued, not replaced"
    );
    let me = http
        .get(format!("{}/v1.0/contact/users/me", sb.base_url()))
        .header(
            "x-acs-dingtalk-access-token",
            user["accessToken"].as_str().unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(me.status().as_u16(), 200);
    let refreshed = http
        .post(format!("{}/v1.0/oauth2/userAccessToken", sb.base_url()))
        .json(&json!({"clientId": DEMO_CLIENT_ID, "clientSecret": DEMO_CLIENT_SECRET, "refreshToken": user["refreshToken"], "grantType": "refresh_token"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status().as_u16(), 200);
    sb.shutdown().await;
    let _ = std::fs::remove_file(&path);
}
