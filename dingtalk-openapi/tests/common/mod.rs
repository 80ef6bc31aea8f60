//! Shared setup for the endpoint tests.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test binary uses a different subset"
)]

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

/// The fixture `tests/fixtures/<name>` as a JSON body.
pub fn fixture(name: &str) -> serde_json::Value {
    dingtalk_test_support::fixture(name)
}
