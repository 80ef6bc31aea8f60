//! User OAuth end to end against the sandbox: the browser flow through the sandbox's authorize page, the device
//! flow, refresh with rotation (an old refresh token is refused), and the stored session serving API calls.

#![expect(clippy::unwrap_used, reason = "tests: a failure should panic with context")]

use std::sync::Arc;
use std::time::Duration;

use dingtalk_auth::device::{self, DeviceFlowOptions};
use dingtalk_auth::store::{FileKey, TokenStore};
use dingtalk_auth::{
    AppTokenProvider, BrowserLogin, BrowserOptions, DeviceAuthorization, Error, ErrorKind, UserTokenProvider,
    complete_login, oauth,
};
use dingtalk_core::{
    AppCredentials, BaseUrls, ClientId, ExposeSecret, SecretString, TokenProvider, Transport,
};
use dingtalk_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox, SandboxHandle};
use dingtalk_test_support::TempDir;
use tokio::task::JoinHandle;

fn app() -> AppCredentials {
    AppCredentials::new(
        ClientId::new(DEMO_CLIENT_ID),
        SecretString::from(DEMO_CLIENT_SECRET),
    )
}

fn transport(sandbox: &SandboxHandle) -> Transport {
    Transport::builder()
        .base_urls(BaseUrls::single(&sandbox.base_url()).unwrap())
        .build()
        .unwrap()
}

fn fast() -> DeviceFlowOptions {
    DeviceFlowOptions {
        time_unit: Duration::from_millis(20),
        ..DeviceFlowOptions::default()
    }
}

/// Plays the browser: opens the authorize URL on the sandbox and follows its redirect to our loopback listener.
async fn browse(url: &str) -> reqwest::StatusCode {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .unwrap();
    http.get(url).send().await.unwrap().status()
}

/// The demo app's device flow on the sandbox, approved by the sandbox itself: the code to exchange.
async fn device_code(t: &Transport) -> SecretString {
    let client = ClientId::new(DEMO_CLIENT_ID);
    let authorization = device::start(t, &client, &fast()).await.unwrap();
    device::poll(t, &client, &authorization, &fast()).await.unwrap()
}

/// Starts the demo app's device flow with the sandbox's auto-approval off, and polls it in a task: the user code
/// for the test to approve or deny, and what [`poll_result`] waits for.
async fn spawn_device_poll(
    sandbox: &SandboxHandle,
) -> (DeviceAuthorization, JoinHandle<Result<SecretString, Error>>) {
    sandbox.set_device_auto_approve_after(None);
    let t = transport(sandbox);
    let client = ClientId::new(DEMO_CLIENT_ID);
    let authorization = device::start(&t, &client, &fast()).await.unwrap();
    let poll = tokio::spawn({
        let authorization = authorization.clone();
        async move { device::poll(&t, &client, &authorization, &fast()).await }
    });
    (authorization, poll)
}

/// The outcome of a [`spawn_device_poll`] task, which must end within 10 s.
async fn poll_result(poll: JoinHandle<Result<SecretString, Error>>) -> Result<SecretString, Error> {
    tokio::time::timeout(Duration::from_secs(10), poll)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn browser_login_against_the_sandbox_authorize_page() {
    let sandbox = Sandbox::start().await.unwrap();
    let t = transport(&sandbox);
    let bases = BaseUrls::single(&sandbox.base_url()).unwrap();
    let login = BrowserLogin::prepare(&bases, &ClientId::new(DEMO_CLIENT_ID), &BrowserOptions::default())
        .await
        .unwrap();
    let url = login.authorize_url().to_owned();
    let waiter = tokio::spawn(login.wait(Duration::from_secs(10)));
    assert_eq!(browse(&url).await, 200, "the callback page answers the browser");
    let code = waiter.await.unwrap().unwrap();
    let app_tokens = AppTokenProvider::new(t.clone(), app());
    let session = complete_login(&t, &app(), &app_tokens, &code).await.unwrap();
    assert_eq!(
        session.identity(),
        format!("{}:user001", dingtalk_sandbox::DEMO_CORP_ID)
    );
    assert!(session.union_id.is_some());
    // A code is single-use.
    let again = oauth::exchange_code(&t, &app(), &code).await.unwrap_err();
    assert_eq!(
        again.kind(),
        ErrorKind::RefreshRejected,
        "code reuse is refused with authCode.notFound"
    );
}

#[tokio::test]
async fn device_login_against_the_sandbox() {
    let sandbox = Sandbox::start().await.unwrap();
    let t = transport(&sandbox);
    let authorization = device::start(&t, &ClientId::new(DEMO_CLIENT_ID), &fast())
        .await
        .unwrap();
    assert!(!authorization.user_code().is_empty());
    assert!(authorization.url_to_open().starts_with(&sandbox.base_url()));
    let code = tokio::time::timeout(
        Duration::from_secs(20),
        device::poll(&t, &ClientId::new(DEMO_CLIENT_ID), &authorization, &fast()),
    )
    .await
    .unwrap()
    .unwrap();
    let session = complete_login(&t, &app(), &AppTokenProvider::new(t.clone(), app()), &code)
        .await
        .unwrap();
    assert_eq!(session.user_id.as_str(), "user001");
}

#[tokio::test]
async fn device_login_with_an_unknown_app_is_a_protocol_error() {
    let sandbox = Sandbox::start().await.unwrap();
    let error = device::start(&transport(&sandbox), &ClientId::new("dingnosuchapp"), &fast())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Protocol);
}

#[tokio::test]
async fn refresh_rotates_and_an_old_refresh_token_is_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let t = transport(&sandbox);
    let code = device_code(&t).await;
    let first = oauth::exchange_code(&t, &app(), &code).await.unwrap();
    let old_refresh = first.refresh_token().unwrap().clone();
    let second = oauth::refresh(&t, &app(), &old_refresh).await.unwrap();
    assert_ne!(
        second.refresh_token().unwrap().expose_secret(),
        old_refresh.expose_secret(),
        "rotated"
    );
    let reuse = oauth::refresh(&t, &app(), &old_refresh).await.unwrap_err();
    assert_eq!(reuse.kind(), ErrorKind::RefreshRejected);
    assert_eq!(
        reuse.api_error().unwrap().code(),
        "invalidParameter.authCode.notFound"
    );
}

#[tokio::test]
async fn a_stored_session_serves_api_calls_and_refreshes_when_due() {
    let sandbox = Sandbox::builder()
        .token_ttl(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let t = transport(&sandbox);
    let code = device_code(&t).await;
    let session = complete_login(&t, &app(), &AppTokenProvider::new(t.clone(), app()), &code)
        .await
        .unwrap();
    let dir = TempDir::new("auth-e2e");
    let store = Arc::new(
        TokenStore::open(
            dir.path().join("store"),
            Box::new(FileKey::new(dir.path().join("dek"))),
        )
        .unwrap(),
    );
    store.put(&session).unwrap();
    // A margin of 5 minutes is longer than the sandbox's token lifetime: every call refreshes first.
    let provider = UserTokenProvider::new(t.clone(), app(), store.clone(), session.identity());
    let me = oauth::current_user(&t, &provider).await.unwrap();
    assert_eq!(me.nick, "Alice");
    let stored = store.get(&session.identity()).unwrap().unwrap();
    assert!(stored.last_refresh.unwrap().ok);
    assert_ne!(
        stored.tokens.refresh_token().unwrap().expose_secret(),
        session.tokens.refresh_token().unwrap().expose_secret(),
        "the rotated refresh token was written back"
    );
    let token = provider.token().await.unwrap();
    assert!(!token.expose_secret().is_empty());
}

#[tokio::test]
async fn device_login_denied_by_the_user() {
    let sandbox = Sandbox::start().await.unwrap();
    let (authorization, poll) = spawn_device_poll(&sandbox).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    sandbox.deny_device(authorization.user_code()).unwrap();
    let error = poll_result(poll).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::AccessDenied);
}

#[tokio::test]
async fn device_login_expires_when_nobody_approves() {
    let sandbox = Sandbox::start().await.unwrap();
    let (_, poll) = spawn_device_poll(&sandbox).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The server's clock passes the code's lifetime: it answers expired_token.
    sandbox.advance(Duration::from_hours(1));
    let error = poll_result(poll).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Expired);
}

#[tokio::test]
async fn device_login_backs_off_on_slow_down_and_completes_on_approval() {
    // The server wants 2 s between polls; this client polls every 40 ms at first and must slow down.
    let sandbox = Sandbox::start().await.unwrap();
    let (authorization, poll) = spawn_device_poll(&sandbox).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    sandbox.approve_device(authorization.user_code()).unwrap();
    let code = poll_result(poll).await.unwrap();
    assert!(!code.expose_secret().is_empty());
    let polls = sandbox
        .requests(0)
        .iter()
        .filter(|r| r.path == "/oauth2/device/token.json")
        .count();
    // Without slow_down handling 1.5 s at 40 ms would be ~37 polls; each slow_down adds 100 ms to the interval.
    assert!(polls < 15, "{polls} polls: the client did not slow down");
}

#[tokio::test]
async fn the_browser_flow_reports_a_denial_from_the_authorize_page() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.set_authorize_mode(dingtalk_sandbox::AuthorizeMode::Deny);
    let bases = BaseUrls::single(&sandbox.base_url()).unwrap();
    let login = BrowserLogin::prepare(&bases, &ClientId::new(DEMO_CLIENT_ID), &BrowserOptions::default())
        .await
        .unwrap();
    let url = login.authorize_url().to_owned();
    let waiter = tokio::spawn(login.wait(Duration::from_secs(10)));
    assert_eq!(browse(&url).await, 400, "the callback page reports the failure");
    assert_eq!(waiter.await.unwrap().unwrap_err().kind(), ErrorKind::AccessDenied);
}

#[tokio::test]
async fn a_revoked_session_cannot_refresh() {
    let sandbox = Sandbox::builder()
        .token_ttl(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let t = transport(&sandbox);
    let code = device_code(&t).await;
    let tokens = oauth::exchange_code(&t, &app(), &code).await.unwrap();
    assert!(sandbox.revoke_user_tokens("user001") > 0);
    let error = oauth::refresh(&t, &app(), tokens.refresh_token().unwrap())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RefreshRejected);
}
