//! End-to-end tests over raw HTTP: tokens, errors, robot sends, cards, media, faults, control API.
#![expect(clippy::unwrap_used, reason = "test helpers panic on setup failures")]

mod common;

use std::time::Duration;

use dingtalk_sandbox::{Fault, FaultRule, Sandbox};
use serde_json::{Value, json};

use common::call;

const APP: &str = "dingsandboxdemo";
const SECRET: &str = "sandbox-secret";
const GROUP: &str = "cidSandboxEng0001+demo/Aa==";
const TEMPLATE: &str = "382e4302-551d-4880-bf29-a30acfab2e71.schema";

#[tokio::test]
async fn v1_token_is_reissued_and_bad_credentials_are_rejected() {
    let sb = Sandbox::start().await.unwrap();
    let http = reqwest::Client::new();
    let base = sb.base_url();
    let a = common::demo_app_token(&http, &base).await;
    let b = common::demo_app_token(&http, &base).await;
    assert_eq!(a, b);
    let resp = http
        .post(format!("{base}/v1.0/oauth2/accessToken"))
        .json(&json!({"appKey": APP, "appSecret": "wrong"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert!(resp.headers().contains_key("x-acs-request-id"));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "invalidClientIdOrSecret");
    assert!(body["requestid"].is_string());
}

#[tokio::test]
async fn legacy_gettoken_and_its_errors() {
    let sb = Sandbox::start().await.unwrap();
    let http = reqwest::Client::new();
    let base = sb.base_url();
    let ok: Value = http
        .get(format!("{base}/gettoken?appkey={APP}&appsecret={SECRET}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ok["errcode"], 0);
    assert_eq!(ok["expires_in"], 7200);
    let bad: Value = http
        .get(format!("{base}/gettoken?appkey={APP}&appsecret=nope"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(bad["errcode"], 40096);
}

#[tokio::test]
async fn token_checks_on_both_hosts() {
    let sb = Sandbox::builder()
        .token_ttl(Duration::from_secs(5))
        .start()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let base = sb.base_url();
    let send = json!({"robotCode": APP, "openConversationId": GROUP, "msgKey": "sampleText", "msgParam": "{\"content\":\"hi\"}"});
    let missing = http
        .post(format!("{base}/v1.0/robot/groupMessages/send"))
        .json(&send)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 400);
    assert_eq!(
        missing.json::<Value>().await.unwrap()["code"],
        "AuthenticationFailed.MissingParameter"
    );
    let (status, body) = call(
        &http,
        &sb,
        "bogus",
        "POST",
        "/v1.0/robot/groupMessages/send",
        send.clone(),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("InvalidAuthentication"))
    );
    let tok = common::demo_app_token(&http, &base).await;
    let (status, _) = call(
        &http,
        &sb,
        &tok,
        "POST",
        "/v1.0/robot/groupMessages/send",
        send.clone(),
    )
    .await;
    assert_eq!(status, 200);
    sb.advance(Duration::from_secs(6));
    let (status, body) = call(
        &http,
        &sb,
        &tok,
        "POST",
        "/v1.0/robot/groupMessages/send",
        send.clone(),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("InvalidAuthentication"))
    );
    let topapi: Value = http
        .post(format!("{base}/topapi/v2/user/get"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(topapi["errcode"], 88);
    assert_eq!(topapi["sub_code"], "40000");
    let expired: Value = http
        .post(format!("{base}/topapi/v2/user/get?access_token={tok}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(expired["sub_code"], "42001");
    let media: Value = http
        .post(format!("{base}/media/upload?access_token=nope&type=image"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(media["errcode"], 40014);
}

#[tokio::test]
async fn expire_tokens_kills_current_tokens() {
    let sb = Sandbox::start().await.unwrap();
    let http = reqwest::Client::new();
    let tok = common::demo_app_token(&http, &sb.base_url()).await;
    sb.expire_tokens();
    let (status, body) = call(
        &http,
        &sb,
        &tok,
        "PUT",
        "/v1.0/card/instances",
        json!({"outTrackId": "x"}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("InvalidAuthentication"))
    );
    let fresh = common::demo_app_token(&http, &sb.base_url()).await;
    assert_ne!(fresh, tok);
}

#[tokio::test]
async fn unknown_paths_use_dingtalk_quirks() {
    let sb = Sandbox::start().await.unwrap();
    let http = reqwest::Client::new();
    let base = sb.base_url();
    let r = http.post(format!("{base}/robot/nothing")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["errcode"], 404);
    let t: Value = http
        .post(format!("{base}/topapi/v2/user/notexist"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(t["errcode"], 22);
    let h = http.get(format!("{base}/_sandbox/health")).send().await.unwrap();
    assert_eq!(h.status().as_u16(), 200);
}

#[tokio::test]
async fn robot_sends_are_validated_and_recorded() {
    let sb = Sandbox::start().await.unwrap();
    let http = reqwest::Client::new();
    let tok = common::demo_app_token(&http, &sb.base_url()).await;
    let p = "/v1.0/robot/groupMessages/send";
    let md = json!({"title": "Build", "text": "**done**"}).to_string();
    let (s, b) = call(&http, &sb, &tok, "POST", p, json!({"robotCode": "other", "openConversationId": GROUP, "msgKey": "sampleMarkdown", "msgParam": md})).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (400, Some("invalidParameter.robotCode.auth"))
    );
    let (s, b) = call(&http, &sb, &tok, "POST", p, json!({"robotCode": APP, "openConversationId": GROUP, "msgKey": "sampleMarkdown", "msgParam": {"title": "x"}})).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (400, Some("invalidParameter.msgParam.invalid"))
    );
    let (s, b) = call(
        &http,
        &sb,
        &tok,
        "POST",
        p,
        json!({"robotCode": APP, "openConversationId": GROUP, "msgKey": "sampleNope", "msgParam": md}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (400, Some("invalidParameter.msgKey.invalid"))
    );
    let (s, b) = call(&http, &sb, &tok, "POST", p, json!({"robotCode": APP, "openConversationId": "cidNope==", "msgKey": "sampleMarkdown", "msgParam": md})).await;
    assert_eq!((s, b["code"].as_str()), (400, Some("invalid.openConversationId")));
    let (s, b) = call(
        &http,
        &sb,
        &tok,
        "POST",
        p,
        json!({"robotCode": APP, "openConversationId": GROUP, "msgKey": "sampleMarkdown", "msgParam": md}),
    )
    .await;
    assert_eq!(s, 200);
    let pqk = b["processQueryKey"].as_str().unwrap().to_owned();
    let (s, b) = call(&http, &sb, &tok, "POST", "/v1.0/robot/oToMessages/batchSend", json!({"robotCode": APP, "userIds": ["user001", "ghost"], "msgKey": "sampleText", "msgParam": "{\"content\":\"dm\"}"})).await;
    assert_eq!(s, 200);
    assert_eq!(b["invalidStaffIdList"], json!(["ghost"]));
    let out = sb.outbox(0);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].title.as_deref(), Some("Build"));
    assert_eq!(out[1].recipients, vec!["user001".to_owned()]);
    let (s, b) = call(
        &http,
        &sb,
        &tok,
        "POST",
        "/v1.0/robot/groupMessages/recall",
        json!({"robotCode": APP, "openConversationId": GROUP, "processQueryKeys": [pqk, "nope"]}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(b["successResult"], json!([pqk]));
    assert!(b["failedResult"]["nope"].is_string());
    let over: Vec<String> = (0..21).map(|i| format!("user{i:03}")).collect();
    let (s, b) = call(&http, &sb, &tok, "POST", "/v1.0/robot/oToMessages/batchSend", json!({"robotCode": APP, "userIds": over, "msgKey": "sampleText", "msgParam": "{\"content\":\"dm\"}"})).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (400, Some("invalidParameter.userIds.overMax"))
    );
    let http_outbox: Value = http
        .get(format!("{}/_sandbox/outbox?since=1", sb.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(http_outbox["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one linear card lifecycle")]
async fn card_lifecycle_is_validated_and_tracked() {
    let sb = Sandbox::start().await.unwrap();
    let http = reqwest::Client::new();
    let tok = common::demo_app_token(&http, &sb.base_url()).await;
    let create = json!({
        "cardTemplateId": TEMPLATE, "outTrackId": "card-1", "callbackType": "STREAM",
        "cardData": {"cardParamMap": {"flowStatus": "1", "msgContent": ""}},
        "openSpaceId": format!("dtv1.card//IM_GROUP.{GROUP}"),
        "imGroupOpenSpaceModel": {"supportForward": true},
        "imGroupOpenDeliverModel": {"robotCode": APP},
    });
    let (s, b) = call(
        &http,
        &sb,
        &tok,
        "POST",
        "/v1.0/card/instances/createAndDeliver",
        create.clone(),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["result"]["deliverResults"][0]["success"], true);
    let (s, b) = call(
        &http,
        &sb,
        &tok,
        "POST",
        "/v1.0/card/instances/createAndDeliver",
        create.clone(),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (400, Some("param.outTrackId.duplicated"))
    );
    let mut bad = create.clone();
    bad["outTrackId"] = json!("card-2");
    bad["cardData"]["cardParamMap"]["flowStatus"] = json!(1);
    let (s, b) = call(
        &http,
        &sb,
        &tok,
        "POST",
        "/v1.0/card/instances/createAndDeliver",
        bad,
    )
    .await;
    assert_eq!(s, 400);
    assert!(b["code"].as_str().unwrap().starts_with("param."));
    let upd = |flow: &str| json!({"outTrackId": "card-1", "cardData": {"cardParamMap": {"flowStatus": flow}}, "cardUpdateOptions": {"updateCardDataByKey": true}});
    assert_eq!(
        call(&http, &sb, &tok, "PUT", "/v1.0/card/instances", upd("2"))
            .await
            .0,
        200
    );
    for (i, part) in ["Hel", "Hello"].iter().enumerate() {
        let frame = json!({"outTrackId": "card-1", "guid": format!("g{i}"), "key": "msgContent", "content": part, "isFull": true, "isFinalize": i == 1});
        assert_eq!(
            call(&http, &sb, &tok, "PUT", "/v1.0/card/streaming", frame)
                .await
                .0,
            200
        );
    }
    let late =
        json!({"outTrackId": "card-1", "guid": "g9", "key": "msgContent", "content": "late", "isFull": true});
    assert_eq!(
        call(&http, &sb, &tok, "PUT", "/v1.0/card/streaming", late)
            .await
            .0,
        200
    );
    let wrong_key =
        json!({"outTrackId": "card-1", "guid": "g10", "key": "nope", "content": "x", "isFull": true});
    assert_eq!(
        call(&http, &sb, &tok, "PUT", "/v1.0/card/streaming", wrong_key)
            .await
            .0,
        400
    );
    let card = sb.card("card-1").unwrap();
    assert_eq!(card.render_state, "spinning");
    assert_eq!(
        call(&http, &sb, &tok, "PUT", "/v1.0/card/instances", upd("3"))
            .await
            .0,
        200
    );
    let card = sb.card("card-1").unwrap();
    assert_eq!(card.render_state, "finished");
    assert_eq!(card.variables["msgContent"], "Hello");
    assert_eq!(card.streams["msgContent"].late_frames, 1);
    let flows: Vec<&str> = card
        .flow_status_history
        .iter()
        .map(|f| f.value.as_str())
        .collect();
    assert_eq!(flows, ["1", "2", "3"]);
    let (s, b) = call(
        &http,
        &sb,
        &tok,
        "PUT",
        "/v1.0/card/streaming",
        json!({"outTrackId": "nope", "guid": "g", "key": "msgContent", "content": "x"}),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (400, Some("cardNotExist")));
    let via_http: Value = http
        .get(format!("{}/_sandbox/cards/card-1", sb.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(via_http["flowStatus"], "3");
}

#[tokio::test]
async fn http_faults_apply_by_path_and_count() {
    let sb = Sandbox::start().await.unwrap();
    let http = reqwest::Client::new();
    let base = sb.base_url();
    let tok = common::demo_app_token(&http, &base).await;
    sb.set_fault(FaultRule::new("/v1.0/card/*", Fault::Http429 { retry_after: Some(2) }).times(1));
    let r = http
        .put(format!("{base}/v1.0/card/instances"))
        .header("x-acs-dingtalk-access-token", &tok)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["retry-after"], "2");
    let (s, _) = call(
        &http,
        &sb,
        &tok,
        "PUT",
        "/v1.0/card/instances",
        json!({"outTrackId": "x"}),
    )
    .await;
    assert_eq!(s, 400);
    let set: Value = http
        .post(format!("{base}/_sandbox/faults"))
        .json(&json!({"action": "set", "path": "*", "kind": "throttle_qps", "times": 2}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(set["success"], true);
    let (s, b) = call(&http, &sb, &tok, "PUT", "/v1.0/card/instances", json!({})).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (403, Some("Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"))
    );
    let legacy: Value = http
        .get(format!("{base}/gettoken?appkey={APP}&appsecret={SECRET}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(legacy["errcode"], 90018);
    sb.set_fault(FaultRule::new("/gettoken", Fault::ServerError { status: None }));
    let legacy: Value = http
        .get(format!("{base}/gettoken?appkey={APP}&appsecret={SECRET}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(legacy["errcode"], -1);
    http.post(format!("{base}/_sandbox/faults"))
        .json(&json!({"action": "clear"}))
        .send()
        .await
        .unwrap();
    let legacy: Value = http
        .get(format!("{base}/gettoken?appkey={APP}&appsecret={SECRET}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(legacy["errcode"], 0);
    let reqs = sb.requests(0);
    assert!(
        reqs.iter()
            .any(|r| r.status == 429 && r.fault.as_deref() == Some("http_429"))
    );
    assert!(reqs.iter().all(|r| !r.path.contains("access_token")));
    let set: Value = http
        .post(format!("{base}/_sandbox/faults"))
        .json(&json!({"action": "set", "path": "/gettoken", "kind": "http_429", "retryAfter": 1, "nth": 1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(set["success"], true, "{set}");
    let r = http
        .get(format!("{base}/gettoken?appkey={APP}&appsecret={SECRET}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    let r = http
        .get(format!("{base}/gettoken?appkey={APP}&appsecret={SECRET}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    sb.set_fault(FaultRule::new("/v1.0/card/instances", Fault::TokenExpired).nth(1));
    let (s, b) = call(&http, &sb, &tok, "PUT", "/v1.0/card/instances", json!({})).await;
    assert_eq!((s, b["code"].as_str()), (400, Some("InvalidAuthentication")));
    let (s, b) = call(&http, &sb, &tok, "PUT", "/v1.0/card/instances", json!({})).await;
    assert_eq!((s, b["code"].as_str()), (400, Some("InvalidAuthentication")));
}

#[tokio::test]
async fn media_upload_limits_and_download_url() {
    let sb = Sandbox::start().await.unwrap();
    let http = reqwest::Client::new();
    let base = sb.base_url();
    let tok = common::demo_app_token(&http, &base).await;
    let upload = |name: &str, kind: &str, bytes: &[u8]| {
        let boundary = "sandboxboundary";
        let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        http.post(format!("{base}/media/upload?access_token={tok}&type={kind}"))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
    };
    let ok: Value = upload("a.png", "image", b"png-bytes")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ok["errcode"], 0, "{ok}");
    let media_id = ok["media_id"].as_str().unwrap().to_owned();
    assert!(media_id.starts_with('@'));
    let bad_ext: Value = upload("a.exe", "image", b"x")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(bad_ext["errcode"], 40005);
    let bad_type: Value = upload("a.png", "hologram", b"x")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(bad_type["errcode"], 40004);
    let big = vec![0u8; 2 * 1024 * 1024 + 1];
    let too_big: Value = upload("a.mp3", "voice", &big)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(too_big["errcode"], 40006);
    let (s, b) = call(
        &http,
        &sb,
        &tok,
        "POST",
        "/v1.0/robot/messageFiles/download",
        json!({"downloadCode": media_id, "robotCode": APP}),
    )
    .await;
    assert_eq!(s, 200);
    let bytes = http
        .get(b["downloadUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&bytes[..], b"png-bytes");
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let sb = Sandbox::start().await.unwrap();
    let base = sb.base_url();
    sb.shutdown().await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    assert!(http.get(format!("{base}/_sandbox/health")).send().await.is_err());
}

#[tokio::test]
async fn oauth_code_exchange_refresh_and_users_me() {
    let sb = Sandbox::start().await.unwrap();
    let base = sb.base_url();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = http
        .get(format!(
            "{base}/oauth2/auth?client_id={APP}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&response_type=code&scope=openid&prompt=consent&state=xyz&sandbox_user=user003"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "xyz");
    let code = q["authCode"].clone();
    let exchange = |body: Value| {
        http.post(format!("{base}/v1.0/oauth2/userAccessToken"))
            .json(&body)
            .send()
    };
    let tok: Value = exchange(
        json!({"clientId": APP, "clientSecret": SECRET, "code": code, "grantType": "authorization_code"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let user_token = tok["accessToken"].as_str().unwrap().to_owned();
    let reused = exchange(
        json!({"clientId": APP, "clientSecret": SECRET, "code": code, "grantType": "authorization_code"}),
    )
    .await
    .unwrap();
    assert_eq!(reused.status().as_u16(), 400);
    assert_eq!(
        reused.json::<Value>().await.unwrap()["code"],
        "invalidParameter.authCode.notFound"
    );
    let me: Value = http
        .get(format!("{base}/v1.0/contact/users/me"))
        .header("x-acs-dingtalk-access-token", &user_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["nick"], "Carol");
    let app_tok = common::demo_app_token(&http, &base).await;
    let r = http
        .get(format!("{base}/v1.0/contact/users/me"))
        .header("x-acs-dingtalk-access-token", app_tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let refreshed: Value = exchange(json!({"clientId": APP, "clientSecret": SECRET, "refreshToken": tok["refreshToken"], "grantType": "refresh_token"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(refreshed["accessToken"].is_string());
    assert_ne!(
        refreshed["refreshToken"], tok["refreshToken"],
        "refresh tokens rotate"
    );
    let dc: Value = http
        .post(format!("{base}/oauth2/device/code.json"))
        .body(format!("client_id={APP}&scope=openid"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let device_code = dc["result"]["deviceCode"].as_str().unwrap().to_owned();
    let poll = || {
        http.post(format!("{base}/oauth2/device/token.json"))
            .body(format!("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code={device_code}&client_id={APP}"))
            .send()
    };
    let first: Value = poll().await.unwrap().json().await.unwrap();
    assert_eq!(first["result"]["error"], "authorization_pending");
    let second: Value = poll().await.unwrap().json().await.unwrap();
    assert!(
        second["result"]["authCode"]
            .as_str()
            .is_some_and(|c| !c.is_empty())
    );
}

#[tokio::test]
async fn extreme_control_values_do_not_break_the_sandbox() {
    let sb = Sandbox::builder().token_ttl(Duration::MAX).start().await.unwrap();
    let http = reqwest::Client::new();
    let base = sb.base_url();
    for body in [
        json!({"advanceMs": u64::MAX}),
        json!({"advanceMs": -1}),
        json!({"advanceMs": "soon"}),
    ] {
        let r = http
            .post(format!("{base}/_sandbox/clock"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500);
    }
    let r = http
        .post(format!("{base}/_sandbox/faults"))
        .json(&json!({"action": "set", "redeliveryAfterMs": u64::MAX}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = http
        .post(format!("{base}/_sandbox/burst"))
        .json(&json!({"count": u64::MAX}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let tok = common::demo_app_token(&http, &base).await;
    assert!(!tok.is_empty());
    sb.inject_message(&dingtalk_sandbox::InjectMessage::direct("user001", "still alive"))
        .unwrap();
    let h = http.get(format!("{base}/_sandbox/health")).send().await.unwrap();
    assert_eq!(h.status().as_u16(), 200);
}

#[tokio::test]
async fn business_errors_on_http_200_look_like_partial_failures() {
    let sb = Sandbox::start().await.unwrap();
    let http = reqwest::Client::new();
    let tok = common::demo_app_token(&http, &sb.base_url()).await;
    sb.set_fault(
        FaultRule::new(
            "*",
            Fault::BusinessError200 {
                errcode: None,
                errmsg: None,
            },
        )
        .times(2),
    );
    let (s, b) = call(&http, &sb, &tok, "POST", "/v1.0/robot/oToMessages/batchSend", json!({"robotCode": APP, "userIds": ["user001", "ghost"], "msgKey": "sampleText", "msgParam": "{\"content\":\"dm\"}"})).await;
    assert_eq!(s, 200);
    assert_eq!(b["flowControlledStaffIdList"], json!(["user001"]));
    assert_eq!(b["invalidStaffIdList"], json!(["ghost"]));
    assert!(sb.outbox(0).is_empty());
    let create = json!({
        "cardTemplateId": TEMPLATE, "outTrackId": "card-f", "cardData": {"cardParamMap": {"flowStatus": "1"}},
        "openSpaceId": format!("dtv1.card//IM_GROUP.{GROUP}"), "imGroupOpenDeliverModel": {"robotCode": APP},
    });
    let (s, b) = call(
        &http,
        &sb,
        &tok,
        "POST",
        "/v1.0/card/instances/createAndDeliver",
        create,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(b["result"]["deliverResults"][0]["success"], false);
    let (s, b) = call(
        &http,
        &sb,
        &tok,
        "PUT",
        "/v1.0/card/instances",
        json!({"outTrackId": "card-f"}),
    )
    .await;
    assert_eq!(
        (s, b["success"].as_bool()),
        (200, Some(true)),
        "the fault was used up"
    );
}

/// `/_sandbox/reset` also returns the product twins to their seeds: a todo created before it is gone after it.
#[tokio::test]
async fn reset_returns_product_twins_to_their_seeds() {
    let sb = Sandbox::start().await.unwrap();
    let http = reqwest::Client::new();
    let tok = common::demo_app_token(&http, &sb.base_url()).await;
    let u = "unionSandbox001iiiiEiE";
    let (status, created) = call(
        &http,
        &sb,
        &tok,
        "POST",
        &format!("/v1.0/todo/users/{u}/tasks?operatorId={u}"),
        json!({"subject": "reset me"}),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let get = |http: reqwest::Client, url: String, tok: String| async move {
        http.get(url)
            .header("x-acs-dingtalk-access-token", tok)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    let url = format!("{}/v1.0/todo/users/{u}/tasks/{id}?operatorId={u}", sb.base_url());
    assert_eq!(get(http.clone(), url.clone(), tok.clone()).await, 200);
    let reset = http
        .post(format!("{}/_sandbox/reset", sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status().as_u16(), 200);
    assert_eq!(get(http.clone(), url, tok).await, 404);
}
