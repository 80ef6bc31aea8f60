//! Shared setup for the end-to-end tests against `dingtalk-sandbox`.

use std::sync::Arc;

use dingtalk_auth::AppTokenProvider;
use dingtalk_core::{AppCredentials, BaseUrls, ClientId, RetryPolicy, SecretString, Transport, UnionId};
use dingtalk_openapi::{Client, Error, ErrorKind};
use dingtalk_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox, SandboxHandle};

/// A fresh sandbox and a client on it: the real transport (no retries, so every answer is seen as sent), the real
/// app-token provider and the sandbox's demo app.
#[expect(
    clippy::unwrap_used,
    reason = "test setup: a sandbox that cannot start must fail loudly"
)]
pub async fn start() -> (SandboxHandle, Client) {
    let sandbox = Sandbox::start().await.unwrap();
    let transport = Transport::builder()
        .base_urls(BaseUrls::single(&sandbox.base_url()).unwrap())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let creds = AppCredentials::new(
        ClientId::new(DEMO_CLIENT_ID),
        SecretString::from(DEMO_CLIENT_SECRET),
    );
    let tokens = Arc::new(AppTokenProvider::new(transport.clone(), creds));
    (sandbox, Client::new(transport, tokens))
}

/// DingTalk's error code of an API error; fails the test for any other kind of error.
#[expect(
    clippy::unwrap_used,
    reason = "tests: an API error always carries DingTalk's answer"
)]
pub fn api_code(error: &Error) -> String {
    assert_eq!(error.kind(), ErrorKind::Api, "{error:?}");
    error.api_error().unwrap().code().as_str().to_owned()
}

/// The seeded user `user001` (Alice) by unionId.
pub fn alice() -> UnionId {
    UnionId::new("unionSandbox001iiiiEiE")
}

/// A client on `sandbox` holding a user token for user001, from the device flow (the sandbox approves on the
/// second poll).
#[expect(
    clippy::unwrap_used,
    reason = "test setup: a sandbox login that fails must fail loudly"
)]
pub async fn user001_client(sandbox: &SandboxHandle) -> Client {
    let transport = Transport::builder()
        .base_urls(BaseUrls::single(&sandbox.base_url()).unwrap())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let options = dingtalk_auth::DeviceFlowOptions {
        time_unit: std::time::Duration::from_millis(5),
        ..dingtalk_auth::DeviceFlowOptions::default()
    };
    let app = ClientId::new(DEMO_CLIENT_ID);
    let started = dingtalk_auth::device::start(&transport, &app, &options)
        .await
        .unwrap();
    let code = dingtalk_auth::device::poll(&transport, &app, &started, &options)
        .await
        .unwrap();
    let creds = AppCredentials::new(app, SecretString::from(DEMO_CLIENT_SECRET));
    let tokens = dingtalk_auth::oauth::exchange_code(&transport, &creds, &code)
        .await
        .unwrap();
    Client::new(
        transport,
        Arc::new(dingtalk_core::StaticToken::new(tokens.access_token().clone())),
    )
}
