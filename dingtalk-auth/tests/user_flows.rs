//! User OAuth against wiremock: the exact requests of the code exchange, refresh, device flow and browser callback,
//! every branch of both flows, and refresh with rotation across two processes.

#![expect(clippy::unwrap_used, reason = "tests: a failure should panic with context")]

use std::sync::Arc;
use std::time::Duration;

use dingtalk_auth::device::{self, DeviceFlowOptions};
use dingtalk_auth::store::{FileKey, Session, TokenStore};
use dingtalk_auth::{BrowserLogin, BrowserOptions, ErrorKind, UserTokenProvider, UserTokens, oauth};
use dingtalk_core::{
    AppCredentials, BaseUrls, ClientId, CorpId, ExposeSecret, RetryPolicy, SecretString, TokenProvider,
    Transport, UserId,
};
use dingtalk_test_support::{TempDir, assert_redacted, strict_server};
use serde_json::json;
use wiremock::matchers::{body_json, body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn app() -> AppCredentials {
    AppCredentials::new(ClientId::new("dingapp"), SecretString::from("app-secret"))
}

fn transport(server: &MockServer) -> Transport {
    Transport::builder()
        .base_urls(BaseUrls::single(&server.uri()).unwrap())
        .retry_policy(RetryPolicy::new(
            2,
            Duration::from_millis(5),
            Duration::from_millis(20),
        ))
        .build()
        .unwrap()
}

fn fast() -> DeviceFlowOptions {
    DeviceFlowOptions {
        time_unit: Duration::from_millis(10),
        ..DeviceFlowOptions::default()
    }
}

// ---- code exchange and refresh --------------------------------------------------------------------------

#[tokio::test]
async fn code_exchange_sends_the_documented_body_and_accepts_expires_in() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/oauth2/userAccessToken"))
        .and(body_json(json!({
            "clientId": "dingapp", "clientSecret": "app-secret", "code": "the-code", "grantType": "authorization_code"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"accessToken": "ua", "refreshToken": "ur", "expiresIn": 3600, "corpId": "dingcorp"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let t = transport(&server);
    let before = t.clock().epoch_millis();
    let tokens = oauth::exchange_code(&t, &app(), &SecretString::from("the-code"))
        .await
        .unwrap();
    assert_eq!(tokens.access_token().expose_secret(), "ua");
    assert_eq!(tokens.refresh_token().unwrap().expose_secret(), "ur");
    assert_eq!(tokens.corp_id().unwrap().as_str(), "dingcorp");
    let lifetime = tokens.expires_at_ms() - before;
    assert!((3_599_000..=3_601_000).contains(&lifetime), "{lifetime}");
}

#[tokio::test]
async fn a_reused_refresh_token_is_refresh_rejected_and_not_retried() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/oauth2/userAccessToken"))
        .and(body_json(json!({
            "clientId": "dingapp", "clientSecret": "app-secret", "refreshToken": "old", "grantType": "refresh_token"
        })))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"code": "invalidParameter.authCode.notFound", "message": "x", "requestid": "r"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let error = oauth::refresh(&transport(&server), &app(), &SecretString::from("old"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RefreshRejected);
    assert_eq!(
        error.api_error().unwrap().code(),
        "invalidParameter.authCode.notFound"
    );
    assert_redacted(&format!("{error:?}"), "app-secret");
}

#[tokio::test]
async fn the_code_exchange_is_not_retried_after_a_timeout() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .expect(1)
        .mount(&server)
        .await;
    let t = Transport::builder()
        .base_urls(BaseUrls::single(&server.uri()).unwrap())
        .attempt_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let error = oauth::exchange_code(&t, &app(), &SecretString::from("c"))
        .await
        .unwrap_err();
    assert_eq!(error.core_kind(), Some(dingtalk_core::ErrorKind::Timeout));
}

// ---- device flow ------------------------------------------------------------------------------------------

async fn mount_device_code(server: &MockServer, interval: i64, expires: i64) {
    Mock::given(method("POST"))
        .and(path("/oauth2/device/code.json"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string_contains("client_id=dingapp"))
        .and(body_string_contains("scope=openid+corpid"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": true,
            "result": {"deviceCode": "dev-code", "userCode": "ZT3M-V3DQ",
                       "verificationUri": "https://login.example/verify", "verificationUriComplete": "https://login.example/verify?c=ZT3M",
                       "expiresIn": expires, "interval": interval, "flowId": "f"},
            "errorCode": "", "errorMsg": ""
        })))
        .expect(1)
        .mount(server)
        .await;
}

async fn mount_poll_answers(server: &MockServer, answers: &[serde_json::Value]) {
    for (i, answer) in answers.iter().enumerate() {
        let last = i + 1 == answers.len();
        let mock = Mock::given(method("POST"))
            .and(path("/oauth2/device/token.json"))
            .and(body_string_contains(
                "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code",
            ))
            .and(body_string_contains("device_code=dev-code"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"success": true, "result": answer})),
            )
            .with_priority(u8::try_from(i + 1).unwrap());
        let mock = if last { mock } else { mock.up_to_n_times(1) };
        mock.mount(server).await;
    }
}

/// `dingapp`'s device flow against `server`, started and polled to its end with [`fast`] options.
async fn start_and_poll(server: &MockServer) -> Result<SecretString, dingtalk_auth::Error> {
    let t = transport(server);
    let auth = device::start(&t, &ClientId::new("dingapp"), &fast())
        .await
        .unwrap();
    device::poll(&t, &ClientId::new("dingapp"), &auth, &fast()).await
}

#[tokio::test]
async fn device_flow_pending_slow_down_then_approved() {
    let server = strict_server().await;
    mount_device_code(&server, 2, 900).await;
    mount_poll_answers(
        &server,
        &[
            json!({"error": "authorization_pending"}),
            json!({"error": "slow_down"}),
            json!({"error": "authorization_pending"}),
            json!({"error": "", "authCode": "approved-code"}),
        ],
    )
    .await;
    let t = transport(&server);
    let opts = fast();
    let auth = device::start(&t, &ClientId::new("dingapp"), &opts).await.unwrap();
    assert_eq!(auth.user_code(), "ZT3M-V3DQ");
    assert_eq!(auth.url_to_open(), "https://login.example/verify?c=ZT3M");
    assert_eq!(auth.interval(), Duration::from_millis(20));
    assert!(auth.qr_code().is_some());
    let start = t.clock().now();
    let code = device::poll(&t, &ClientId::new("dingapp"), &auth, &opts)
        .await
        .unwrap();
    assert_eq!(code.expose_secret(), "approved-code");
    // 4 polls: 20 + 20 + (20+50) + 70 ms of waiting at least, i.e. the slow_down added 5 "seconds".
    assert!(t.clock().now() - start >= Duration::from_millis(180));
    assert_eq!(server.received_requests().await.unwrap().len(), 5);
}

#[tokio::test]
async fn device_flow_denied() {
    let server = strict_server().await;
    mount_device_code(&server, 1, 900).await;
    mount_poll_answers(
        &server,
        &[
            json!({"error": "authorization_pending"}),
            json!({"error": "access_denied"}),
        ],
    )
    .await;
    let error = start_and_poll(&server).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::AccessDenied);
}

#[tokio::test]
async fn device_flow_expired_token_answer() {
    let server = strict_server().await;
    mount_device_code(&server, 1, 900).await;
    mount_poll_answers(&server, &[json!({"error": "expired_token"})]).await;
    let error = start_and_poll(&server).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Expired);
}

#[tokio::test]
async fn device_flow_stops_at_expires_in_and_survives_server_errors() {
    let server = strict_server().await;
    mount_device_code(&server, 1, 10).await;
    Mock::given(method("POST"))
        .and(path("/oauth2/device/token.json"))
        .respond_with(ResponseTemplate::new(502).set_body_string("bad gateway"))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    mount_poll_answers(&server, &[json!({"error": "authorization_pending"})]).await;
    let error = start_and_poll(&server).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Expired);
    let polls = server.received_requests().await.unwrap().len() - 1;
    assert!(
        (5..=11).contains(&polls),
        "{polls} polls in 10 units at 1 unit each"
    );
}

#[tokio::test]
async fn device_code_response_without_codes_is_a_protocol_error() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/device/code.json"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"success": true, "result": {"deviceCode": ""}})),
        )
        .mount(&server)
        .await;
    let error = device::start(&transport(&server), &ClientId::new("dingapp"), &fast())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Protocol);
}

// ---- browser flow -----------------------------------------------------------------------------------------

fn query(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

/// `dingapp`'s browser login with `options`, its authorize page on an address nothing listens on.
async fn prepare_login(options: &BrowserOptions) -> BrowserLogin {
    let bases = BaseUrls::single("http://127.0.0.1:9").unwrap();
    BrowserLogin::prepare(&bases, &ClientId::new("dingapp"), options)
        .await
        .unwrap()
}

#[tokio::test]
async fn browser_flow_accepts_auth_code_with_the_right_state() {
    let login = prepare_login(&BrowserOptions::default()).await;
    let url = login.authorize_url().to_owned();
    assert!(url.starts_with("http://127.0.0.1:9/oauth2/auth?"));
    assert_eq!(query(&url, "client_id"), "dingapp");
    assert_eq!(query(&url, "response_type"), "code");
    assert_eq!(query(&url, "scope"), "openid corpid");
    assert_eq!(query(&url, "prompt"), "consent");
    let state = query(&url, "state");
    assert_eq!(state.len(), 32);
    let redirect = query(&url, "redirect_uri");
    assert_eq!(redirect, login.redirect_uri());
    let waiter = tokio::spawn(login.wait(Duration::from_secs(10)));
    let client = reqwest::Client::new();
    // A stray request first (browsers ask for a favicon).
    let favicon = client
        .get(redirect.replace("/callback", "/favicon.ico"))
        .send()
        .await
        .unwrap();
    assert_eq!(favicon.status(), 404);
    let page = client
        .get(format!("{redirect}?authCode=the-code&state={state}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Login complete"));
    assert_eq!(waiter.await.unwrap().unwrap().expose_secret(), "the-code");
}

#[tokio::test]
async fn browser_flow_accepts_plain_code_too() {
    let login = prepare_login(&BrowserOptions::default()).await;
    let state = query(login.authorize_url(), "state");
    let redirect = login.redirect_uri().to_owned();
    let waiter = tokio::spawn(login.wait(Duration::from_secs(10)));
    reqwest::get(format!("{redirect}?code=c2&state={state}"))
        .await
        .unwrap();
    assert_eq!(waiter.await.unwrap().unwrap().expose_secret(), "c2");
}

#[tokio::test]
async fn browser_flow_rejects_a_state_mismatch() {
    let login = prepare_login(&BrowserOptions::default()).await;
    let redirect = login.redirect_uri().to_owned();
    let waiter = tokio::spawn(login.wait(Duration::from_secs(10)));
    let page = reqwest::get(format!("{redirect}?authCode=evil&state=forged"))
        .await
        .unwrap();
    assert_eq!(page.status(), 400);
    assert_eq!(
        waiter.await.unwrap().unwrap_err().kind(),
        ErrorKind::StateMismatch
    );
}

#[tokio::test]
async fn browser_flow_reports_denial() {
    let login = prepare_login(&BrowserOptions {
        corp_id: Some(CorpId::new("dingcorp")),
        ..Default::default()
    })
    .await;
    assert_eq!(query(login.authorize_url(), "corpId"), "dingcorp");
    let state = query(login.authorize_url(), "state");
    let redirect = login.redirect_uri().to_owned();
    let waiter = tokio::spawn(login.wait(Duration::from_secs(10)));
    reqwest::get(format!("{redirect}?error=access_denied&state={state}"))
        .await
        .unwrap();
    assert_eq!(waiter.await.unwrap().unwrap_err().kind(), ErrorKind::AccessDenied);
}

#[tokio::test]
async fn browser_flow_times_out() {
    let login = prepare_login(&BrowserOptions::default()).await;
    let error = login.wait(Duration::from_millis(50)).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
}

// ---- the user token provider: refresh with rotation -------------------------------------------------------

fn store_in(dir: &std::path::Path) -> Arc<TokenStore> {
    Arc::new(TokenStore::open(dir.join("store"), Box::new(FileKey::new(dir.join("dek")))).unwrap())
}

fn session(access: &str, refresh: &str, expires_at_ms: u64) -> Session {
    Session {
        corp_id: CorpId::new("dingcorp"),
        user_id: UserId::new("u1"),
        union_id: None,
        user_name: "Alice".into(),
        client_id: "dingapp".into(),
        tokens: UserTokens::new(
            SecretString::from(access),
            Some(SecretString::from(refresh)),
            expires_at_ms,
            None,
            Some(CorpId::new("dingcorp")),
        ),
        updated_at_ms: 0,
        last_refresh: None,
    }
}

async fn mount_rotation(
    server: &MockServer,
    old: &str,
    new_access: &str,
    new_refresh: &str,
    delay: Duration,
) {
    Mock::given(method("POST"))
        .and(path("/v1.0/oauth2/userAccessToken"))
        .and(body_json(json!({
            "clientId": "dingapp", "clientSecret": "app-secret", "refreshToken": old, "grantType": "refresh_token"
        })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"accessToken": new_access, "refreshToken": new_refresh, "expireIn": 7200, "corpId": "dingcorp"}))
                .set_delay(delay),
        )
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn provider_serves_a_valid_token_without_refreshing() {
    let server = strict_server().await;
    let dir = TempDir::new("dingtalk-auth-flow");
    let store = store_in(dir.path());
    let t = transport(&server);
    let far = t.clock().epoch_millis() + 3_600_000;
    store.put(&session("valid", "r0", far)).unwrap();
    let provider = UserTokenProvider::new(t, app(), store, "dingcorp:u1");
    assert_eq!(provider.token().await.unwrap().expose_secret(), "valid");
    assert_redacted(&format!("{provider:?}"), "app-secret");
}

#[tokio::test]
async fn provider_refreshes_inside_the_margin_and_writes_the_rotated_pair_once() {
    let server = strict_server().await;
    mount_rotation(&server, "r0", "a1", "r1", Duration::ZERO).await;
    let dir = TempDir::new("dingtalk-auth-flow");
    let store = store_in(dir.path());
    let t = transport(&server);
    let soon = t.clock().epoch_millis() + 60_000; // inside the 5-minute margin
    store.put(&session("a0", "r0", soon)).unwrap();
    let provider = Arc::new(UserTokenProvider::new(t, app(), store.clone(), "dingcorp:u1"));
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let p = provider.clone();
            tokio::spawn(async move { p.token().await.unwrap().expose_secret().to_owned() })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap(), "a1");
    }
    let saved = store.get("dingcorp:u1").unwrap().unwrap();
    assert_eq!(saved.tokens.refresh_token().unwrap().expose_secret(), "r1");
    assert!(saved.last_refresh.unwrap().ok);
}

#[tokio::test]
async fn a_failed_refresh_is_recorded_and_reported() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/oauth2/userAccessToken"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"code": "invalidParameter.authCode.notFound", "message": "x", "requestid": "r"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let dir = TempDir::new("dingtalk-auth-flow");
    let store = store_in(dir.path());
    let t = transport(&server);
    store.put(&session("a0", "r0", 1)).unwrap();
    let provider = UserTokenProvider::new(t, app(), store.clone(), "dingcorp:u1");
    let error = provider.token().await.unwrap_err();
    assert_eq!(error.kind(), dingtalk_core::ErrorKind::Unauthorized);
    let outcome = store.get("dingcorp:u1").unwrap().unwrap().last_refresh.unwrap();
    assert!(!outcome.ok);
}

#[tokio::test]
async fn not_logged_in_is_unauthorized() {
    let server = strict_server().await;
    let dir = TempDir::new("dingtalk-auth-flow");
    let provider = UserTokenProvider::new(transport(&server), app(), store_in(dir.path()), "dingcorp:nobody");
    assert_eq!(
        provider.token().await.unwrap_err().kind(),
        dingtalk_core::ErrorKind::Unauthorized
    );
}

/// Two processes refresh the same identity at once: one refresh reaches the server and both end up with its token.
#[tokio::test]
async fn concurrent_refresh_from_two_processes_refreshes_once() {
    let server = strict_server().await;
    mount_rotation(&server, "r0", "a1", "r1", Duration::from_millis(300)).await;
    let dir = TempDir::new("dingtalk-auth-flow");
    let store = store_in(dir.path());
    store.put(&session("a0", "r0", 1)).unwrap();
    drop(store);
    let exe = std::env::current_exe().unwrap();
    let spawn = || {
        tokio::process::Command::new(&exe)
            .args([
                "--exact",
                "two_process_child",
                "--ignored",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env("DINGTALK_AUTH_CHILD_DIR", dir.path())
            .env("DINGTALK_AUTH_CHILD_URL", server.uri())
            .output()
    };
    let (a, b) = tokio::join!(spawn(), spawn());
    for output in [a.unwrap(), b.unwrap()] {
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("CHILD-TOKEN=a1"), "{stdout}");
    }
    let saved = store_in(dir.path()).get("dingcorp:u1").unwrap().unwrap();
    assert_eq!(saved.tokens.refresh_token().unwrap().expose_secret(), "r1");
}

/// Run only as a child of `concurrent_refresh_from_two_processes_refreshes_once`.
#[tokio::test]
#[ignore = "helper process for concurrent_refresh_from_two_processes_refreshes_once"]
async fn two_process_child() {
    let dir = std::env::var("DINGTALK_AUTH_CHILD_DIR").expect("run by the parent test");
    let url = std::env::var("DINGTALK_AUTH_CHILD_URL").expect("run by the parent test");
    let t = Transport::builder()
        .base_urls(BaseUrls::single(&url).unwrap())
        .build()
        .unwrap();
    let provider = UserTokenProvider::new(t, app(), store_in(std::path::Path::new(&dir)), "dingcorp:u1");
    let token = provider.token().await.unwrap();
    println!("CHILD-TOKEN={}", token.expose_secret());
}
