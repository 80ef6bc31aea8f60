//! User login end to end over raw HTTP: the authorize page, code exchange, refresh rotation, revocation,
//! `users/me`, and every device-flow status.
#![expect(clippy::unwrap_used, reason = "test helpers panic on setup failures")]

use std::collections::HashMap;
use std::time::Duration;

use dingtalk_sandbox::{AuthorizeMode, Sandbox, SandboxHandle};
use serde_json::{Value, json};

const APP: &str = "dingsandboxdemo";
const SECRET: &str = "sandbox-secret";
const CALLBACK: &str = "http%3A%2F%2F127.0.0.1%3A4711%2Fcallback";

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `GET /oauth2/auth` with the given extra query; returns (status, redirect query or empty, body).
async fn authorize(sb: &SandboxHandle, query: &str) -> (u16, HashMap<String, String>, String) {
    let r = http()
        .get(format!("{}/oauth2/auth?{query}", sb.base_url()))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let q = r
        .headers()
        .get("location")
        .map(|l| {
            url::Url::parse(l.to_str().unwrap())
                .unwrap()
                .query_pairs()
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    (status, q, r.text().await.unwrap())
}

fn good_query(extra: &str) -> String {
    format!(
        "client_id={APP}&redirect_uri={CALLBACK}&response_type=code&scope=openid%20corpid&prompt=consent&state=s1{extra}"
    )
}

async fn exchange(sb: &SandboxHandle, body: Value) -> (u16, Value) {
    let r = http()
        .post(format!("{}/v1.0/oauth2/userAccessToken", sb.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn code_for(sb: &SandboxHandle, extra: &str) -> String {
    let (status, q, _) = authorize(sb, &good_query(extra)).await;
    assert_eq!(status, 302);
    q["authCode"].clone()
}

async fn login(sb: &SandboxHandle, extra: &str) -> Value {
    let code = code_for(sb, extra).await;
    let (status, tok) = exchange(
        sb,
        json!({"clientId": APP, "clientSecret": SECRET, "code": code, "grantType": "authorization_code"}),
    )
    .await;
    assert_eq!(status, 200);
    tok
}

async fn me(sb: &SandboxHandle, token: &str) -> (u16, Value) {
    let r = http()
        .get(format!("{}/v1.0/contact/users/me", sb.base_url()))
        .header("x-acs-dingtalk-access-token", token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn control(sb: &SandboxHandle, path: &str, body: Value) -> (u16, Value) {
    let r = http()
        .post(format!("{}{path}", sb.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn device_code(sb: &SandboxHandle) -> (String, String, Value) {
    let dc: Value = http()
        .post(format!("{}/oauth2/device/code.json", sb.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("client_id={APP}&scope=openid%20corpid"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(dc["success"], true);
    let r = &dc["result"];
    (
        r["deviceCode"].as_str().unwrap().to_owned(),
        r["userCode"].as_str().unwrap().to_owned(),
        dc,
    )
}

async fn poll(sb: &SandboxHandle, device: &str) -> Value {
    let v: Value = http()
        .post(format!("{}/oauth2/device/token.json", sb.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code={device}&client_id={APP}"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["success"], true, "{v}");
    v["result"].clone()
}

#[tokio::test]
async fn authorize_page_validates_every_parameter() {
    let sb = Sandbox::start().await.unwrap();
    let cases = [
        format!("client_id=nosuch&redirect_uri={CALLBACK}&response_type=code&scope=openid&prompt=consent"),
        format!(
            "client_id={APP}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&response_type=code&scope=openid&prompt=consent"
        ),
        format!("client_id={APP}&redirect_uri=not-a-url&response_type=code&scope=openid&prompt=consent"),
        format!("client_id={APP}&redirect_uri={CALLBACK}&response_type=token&scope=openid&prompt=consent"),
        format!("client_id={APP}&redirect_uri={CALLBACK}&response_type=code&scope=corpid&prompt=consent"),
        format!("client_id={APP}&redirect_uri={CALLBACK}&response_type=code&scope=openid"),
    ];
    for q in &cases {
        let (status, _, _) = authorize(&sb, q).await;
        assert_eq!(status, 400, "{q}");
    }
    // Loopback is port-agnostic; localhost and the registered login host pass too.
    for redirect in [
        "http%3A%2F%2F127.0.0.1%3A1%2Fcb",
        "http%3A%2F%2Flocalhost%3A65000%2Fcb",
        "https%3A%2F%2Flogin.dingtalk.com%2F",
    ] {
        let q = format!(
            "client_id={APP}&redirect_uri={redirect}&response_type=code&scope=openid&prompt=consent&state=z"
        );
        let (status, loc, _) = authorize(&sb, &q).await;
        assert_eq!(status, 302, "{redirect}");
        assert_eq!(loc["state"], "z");
        assert!(loc.contains_key("authCode"));
    }
}

#[tokio::test]
async fn authorize_approves_the_chosen_user_or_denies_or_shows_a_form() {
    let sb = Sandbox::start().await.unwrap();
    // Default user, then login_hint, then the control API's login user.
    let tok = login(&sb, "").await;
    assert_eq!(
        me(&sb, tok["accessToken"].as_str().unwrap()).await.1["nick"],
        "Alice"
    );
    let tok = login(&sb, "&login_hint=user002").await;
    assert_eq!(
        me(&sb, tok["accessToken"].as_str().unwrap()).await.1["nick"],
        "Bob"
    );
    let (status, body) = control(&sb, "/_sandbox/login", json!({"loginUser": "user004"})).await;
    assert_eq!((status, body["loginUser"].as_str()), (200, Some("user004")));
    let tok = login(&sb, "").await;
    assert_eq!(
        me(&sb, tok["accessToken"].as_str().unwrap()).await.1["nick"],
        "Dave"
    );
    sb.set_login_user("user005").unwrap();
    assert!(sb.set_login_user("nobody").is_err());
    let tok = login(&sb, "").await;
    assert_eq!(
        me(&sb, tok["accessToken"].as_str().unwrap()).await.1["nick"],
        "Erin"
    );
    let (status, _, _) = authorize(&sb, &good_query("&sandbox_user=nobody")).await;
    assert_eq!(status, 400);

    // Deny mode: error=access_denied with the state.
    let (status, _) = control(&sb, "/_sandbox/login", json!({"authorizeMode": "deny"})).await;
    assert_eq!(status, 200);
    let (status, q, _) = authorize(&sb, &good_query("")).await;
    assert_eq!(status, 302);
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["state"], "s1");
    assert!(!q.contains_key("authCode"));

    // Form mode: an HTML page, then the form's approve submission redirects with a code for the picked user.
    sb.set_authorize_mode(AuthorizeMode::Form);
    let (status, _, html) = authorize(&sb, &good_query("")).await;
    assert_eq!(status, 200);
    assert!(html.contains("<form") && html.contains("user024"), "{html}");
    let (status, q, _) = authorize(&sb, &good_query("&sandbox_user=user003&sandbox_decision=approve")).await;
    assert_eq!(status, 302);
    let (_, tok) = exchange(
        &sb,
        json!({"clientId": APP, "clientSecret": SECRET, "code": q["authCode"], "grantType": "authorization_code"}),
    )
    .await;
    assert_eq!(
        me(&sb, tok["accessToken"].as_str().unwrap()).await.1["nick"],
        "Carol"
    );
    let (_, q, _) = authorize(&sb, &good_query("&sandbox_decision=deny")).await;
    assert_eq!(q["error"], "access_denied");
}

#[tokio::test]
async fn codes_are_single_use_and_expire_after_five_minutes() {
    let sb = Sandbox::start().await.unwrap();
    let code = code_for(&sb, "").await;
    let body =
        json!({"clientId": APP, "clientSecret": SECRET, "code": code, "grantType": "authorization_code"});
    assert_eq!(exchange(&sb, body.clone()).await.0, 200);
    let (status, err) = exchange(&sb, body).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("invalidParameter.authCode.notFound"))
    );
    let late = code_for(&sb, "").await;
    sb.advance(Duration::from_secs(301));
    let (status, err) = exchange(
        &sb,
        json!({"clientId": APP, "clientSecret": SECRET, "code": late, "grantType": "authorization_code"}),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("invalidParameter.authCode.notFound"))
    );
    let (status, err) = exchange(
        &sb,
        json!({"clientId": APP, "clientSecret": "bad", "code": "x", "grantType": "authorization_code"}),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("invalidClientIdOrSecret"))
    );
    let (status, err) = exchange(
        &sb,
        json!({"clientId": APP, "clientSecret": SECRET, "code": "x", "grantType": "password"}),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("invalidParameter.grantType"))
    );
}

#[tokio::test]
async fn refresh_rotates_and_revocation_kills_access_and_refresh_tokens() {
    let sb = Sandbox::start().await.unwrap();
    let first = login(&sb, "&sandbox_user=user002").await;
    let refresh = |rt: &Value| json!({"clientId": APP, "clientSecret": SECRET, "refreshToken": rt, "grantType": "refresh_token"});
    let (status, second) = exchange(&sb, refresh(&first["refreshToken"])).await;
    assert_eq!(status, 200);
    assert_ne!(second["refreshToken"], first["refreshToken"]);
    let (status, err) = exchange(&sb, refresh(&first["refreshToken"])).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("invalidParameter.authCode.notFound"))
    );
    // Over HTTP: revoke user002's tokens; the access token and the current refresh token stop working.
    let token = second["accessToken"].as_str().unwrap();
    assert_eq!(me(&sb, token).await.0, 200);
    let (status, body) = control(&sb, "/_sandbox/oauth/revoke", json!({"userId": "user002"})).await;
    assert_eq!(status, 200);
    assert!(body["revoked"].as_u64().unwrap() >= 2, "{body}");
    let (status, err) = me(&sb, token).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("InvalidAuthentication"))
    );
    let (status, err) = exchange(&sb, refresh(&second["refreshToken"])).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("invalidParameter.authCode.notFound"))
    );
    // Through the handle; another user's session is untouched.
    let other = login(&sb, "&sandbox_user=user003").await;
    let mine = login(&sb, "&sandbox_user=user004").await;
    assert_eq!(sb.revoke_user_tokens("user004"), 2);
    assert_eq!(exchange(&sb, refresh(&mine["refreshToken"])).await.0, 400);
    assert_eq!(exchange(&sb, refresh(&other["refreshToken"])).await.0, 200);
}

#[tokio::test]
async fn users_me_distinguishes_expired_user_tokens_and_app_tokens() {
    let sb = Sandbox::builder()
        .token_ttl(Duration::from_mins(1))
        .start()
        .await
        .unwrap();
    let tok = login(&sb, "").await;
    let token = tok["accessToken"].as_str().unwrap();
    let (status, body) = me(&sb, token).await;
    assert_eq!(status, 200);
    assert_eq!(body["unionId"], "unionSandbox001iiiiEiE");
    sb.advance(Duration::from_secs(61));
    let (status, err) = me(&sb, token).await;
    assert_eq!((status, err["code"].as_str()), (400, Some("accesstoken.expired")));
    let app: Value = http()
        .post(format!("{}/v1.0/oauth2/accessToken", sb.base_url()))
        .json(&json!({"appKey": APP, "appSecret": SECRET}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (status, err) = me(&sb, app["accessToken"].as_str().unwrap()).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("InvalidAuthentication"))
    );
}

#[tokio::test]
async fn device_flow_answers_every_status() {
    let sb = Sandbox::builder()
        .device_interval(Duration::from_secs(1))
        .device_expires_in(Duration::from_secs(30))
        .device_auto_approve_after(None)
        .start()
        .await
        .unwrap();
    let (device, user_code, raw) = device_code(&sb).await;
    assert_eq!(raw["result"]["interval"], 1);
    assert_eq!(raw["result"]["expiresIn"], 30);
    assert_eq!(raw["errorCode"], "");
    assert!(
        raw["result"]["verificationUriComplete"]
            .as_str()
            .unwrap()
            .contains(&user_code)
    );
    assert_eq!(poll(&sb, &device).await["error"], "authorization_pending");
    // Faster than `interval` on the sandbox clock: slow_down.
    assert_eq!(poll(&sb, &device).await["error"], "slow_down");
    sb.advance(Duration::from_secs(1));
    assert_eq!(poll(&sb, &device).await["error"], "authorization_pending");
    // Approve through the control API, as a chosen user.
    let (status, _) = control(
        &sb,
        "/_sandbox/device/approve",
        json!({"userCode": user_code, "userId": "user006"}),
    )
    .await;
    assert_eq!(status, 200);
    let approved = poll(&sb, &device).await;
    assert_eq!(approved["error"], "");
    let (_, tok) = exchange(
        &sb,
        json!({"clientId": APP, "clientSecret": SECRET, "code": approved["authCode"], "grantType": "authorization_code"}),
    )
    .await;
    assert_eq!(
        me(&sb, tok["accessToken"].as_str().unwrap()).await.1["nick"],
        "Frank"
    );
    // The device code is used up.
    assert_eq!(poll(&sb, &device).await["error"], "expired_token");

    // Denied over HTTP and through the handle.
    let (device, user_code, _) = device_code(&sb).await;
    let (status, _) = control(&sb, "/_sandbox/device/deny", json!({"userCode": user_code})).await;
    assert_eq!(status, 200);
    assert_eq!(poll(&sb, &device).await["error"], "access_denied");
    let (device, user_code, _) = device_code(&sb).await;
    sb.deny_device(&user_code).unwrap();
    assert_eq!(poll(&sb, &device).await["error"], "access_denied");
    let (status, err) = control(&sb, "/_sandbox/device/approve", json!({"userCode": "NOPE-0000"})).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("invalidParameter.userCode"))
    );

    // Expiry on the sandbox clock.
    let (device, user_code, _) = device_code(&sb).await;
    sb.advance(Duration::from_secs(31));
    assert_eq!(poll(&sb, &device).await["error"], "expired_token");
    assert!(sb.approve_device(&user_code).is_err());

    // Handle approval as the login user.
    let (device, user_code, _) = device_code(&sb).await;
    sb.approve_device(&user_code).unwrap();
    assert!(!poll(&sb, &device).await["authCode"].as_str().unwrap().is_empty());

    // Auto-approval after N polls (set at run time), and the bad-grant answer.
    sb.set_device_auto_approve_after(Some(3));
    let (device, _, _) = device_code(&sb).await;
    assert_eq!(poll(&sb, &device).await["error"], "authorization_pending");
    sb.advance(Duration::from_secs(1));
    assert_eq!(poll(&sb, &device).await["error"], "authorization_pending");
    assert!(!poll(&sb, &device).await["authCode"].as_str().unwrap().is_empty());
    let bad: Value = http()
        .post(format!("{}/oauth2/device/token.json", sb.base_url()))
        .body(format!("grant_type=password&device_code={device}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(bad["result"]["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn device_verify_page_approves_by_user_code() {
    let sb = Sandbox::builder()
        .device_auto_approve_after(None)
        .start()
        .await
        .unwrap();
    let (device, user_code, raw) = device_code(&sb).await;
    let page = http()
        .get(raw["result"]["verificationUriComplete"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains(&user_code));
    let r = http()
        .get(format!(
            "{}/oauth2/device/verify.htm?user_code={user_code}&decision=approve&sandbox_user=user002",
            sb.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(!poll(&sb, &device).await["authCode"].as_str().unwrap().is_empty());
    let state: Value = http()
        .get(format!("{}/_sandbox/login", sb.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["loginUser"], "user001");
    assert_eq!(state["deviceAutoApproveAfter"], 0);
}
