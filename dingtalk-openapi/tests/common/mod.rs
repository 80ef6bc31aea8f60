//! Shared setup for the endpoint tests.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test binary uses a different subset"
)]

pub mod sandbox;

use std::sync::Arc;
use std::time::Duration;

use dingtalk_core::{BaseUrls, RetryPolicy, SecretString, StaticToken, Transport};
use dingtalk_openapi::Client;
use wiremock::MockServer;

/// The app token every test client sends.
pub const TOKEN: &str = "test-app-token";

/// A client pointed at `server` for all three hosts, with fast retries.
pub fn client(server: &MockServer) -> Client {
    client_with(server, Duration::from_secs(5))
}

/// A client with a given attempt timeout.
#[expect(clippy::unwrap_used, reason = "test setup: a bad mock URL must fail loudly")]
pub fn client_with(server: &MockServer, attempt_timeout: Duration) -> Client {
    let transport = Transport::builder()
        .base_urls(BaseUrls::single(&server.uri()).unwrap())
        .retry_policy(RetryPolicy::new(
            3,
            Duration::from_millis(1),
            Duration::from_millis(5),
        ))
        .attempt_timeout(attempt_timeout)
        .jitter_seed(7)
        .build()
        .unwrap();
    Client::new(transport, Arc::new(StaticToken::new(SecretString::from(TOKEN))))
}

/// A strict server whose `POST route` answers only after 2 s (and must be called exactly once), and a client
/// that gives up on an attempt after 100 ms: for "a non-idempotent write is not retried after a timeout".
pub async fn timing_out_post(route: impl Into<String>) -> (MockServer, Client) {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    let server = dingtalk_test_support::strict_server().await;
    Mock::given(method("POST"))
        .and(path(route.into()))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_with(&server, Duration::from_millis(100));
    (server, client)
}

/// The fixture `tests/fixtures/<name>` as a JSON body.
pub fn fixture(name: &str) -> serde_json::Value {
    dingtalk_test_support::fixture(name)
}
