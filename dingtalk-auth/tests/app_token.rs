//! The app token provider against wiremock: caching, single flight, refresh margin, invalidation.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use dingtalk_auth::AppTokenProvider;
use dingtalk_core::{
    ApiHost, AppCredentials, BaseUrls, ClientId, Endpoint, ErrorKind, Method, RetryPolicy, SecretString,
    TokenProvider, Transport,
};
use dingtalk_test_support::{ManualClock, assert_redacted, fixture, strict_server};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn credentials() -> AppCredentials {
    AppCredentials::new(ClientId::new("dingapp"), SecretString::from("app-s3cret"))
}

#[expect(clippy::unwrap_used, reason = "test helper")]
fn transport(server: &MockServer, clock: Option<Arc<ManualClock>>) -> Transport {
    let mut builder = Transport::builder()
        .base_urls(BaseUrls::single(&server.uri()).unwrap())
        .retry_policy(RetryPolicy::new(
            3,
            Duration::from_millis(5),
            Duration::from_millis(50),
        ));
    if let Some(clock) = clock {
        builder = builder.clock(clock);
    }
    builder.build().unwrap()
}

async fn mount_token(server: &MockServer, token: &str, expect: u64) {
    Mock::given(method("POST"))
        .and(path("/v1.0/oauth2/accessToken"))
        .and(body_json(json!({"appKey": "dingapp", "appSecret": "app-s3cret"})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"accessToken": token, "expireIn": 7200}))
                .set_delay(Duration::from_millis(100)),
        )
        .expect(expect)
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_cold_callers_cause_exactly_one_request() {
    let server = strict_server().await;
    mount_token(&server, "tok-1", 1).await;
    let provider = Arc::new(AppTokenProvider::new(transport(&server, None), credentials()));
    let mut tasks = Vec::new();
    for _ in 0..1000 {
        let provider = provider.clone();
        tasks.push(tokio::spawn(async move { provider.token().await }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().expose_secret(), "tok-1");
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn token_is_cached_until_the_refresh_margin() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/oauth2/accessToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("oauth2/access_token.ok.json")))
        .expect(2)
        .mount(&server)
        .await;
    let clock = Arc::new(ManualClock::new());
    let provider = AppTokenProvider::new(transport(&server, Some(clock.clone())), credentials());
    provider.token().await.unwrap();
    clock.advance(Duration::from_secs(7200 - 301));
    provider.token().await.unwrap(); // still cached
    clock.advance(Duration::from_secs(2)); // now inside the 5-minute margin
    let token = provider.token().await.unwrap();
    assert_eq!(token.expose_secret(), "fw8ef8we8f76e6f7s8dxxxx");
}

#[tokio::test]
async fn custom_margin_is_respected() {
    let server = strict_server().await;
    mount_token(&server, "tok", 2).await;
    let clock = Arc::new(ManualClock::new());
    let provider = AppTokenProvider::new(transport(&server, Some(clock.clone())), credentials())
        .with_refresh_margin(Duration::from_mins(1));
    provider.token().await.unwrap();
    clock.advance(Duration::from_secs(7200 - 61));
    provider.token().await.unwrap();
    clock.advance(Duration::from_secs(2));
    provider.token().await.unwrap();
}

#[tokio::test]
async fn invalidate_drops_only_the_rejected_token() {
    let server = strict_server().await;
    mount_token(&server, "tok", 2).await;
    let provider = AppTokenProvider::new(transport(&server, None), credentials());
    let first = provider.token().await.unwrap();
    let stale = dingtalk_core::AccessToken::new(SecretString::from("other"), None);
    provider.invalidate(&stale);
    provider.token().await.unwrap(); // still cached: one request so far
    provider.invalidate(&first);
    provider.token().await.unwrap(); // refetched
}

#[tokio::test]
async fn bad_credentials_are_unauthorized_and_not_retried() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/oauth2/accessToken"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(fixture("oauth2/access_token.invalid_client.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let provider = AppTokenProvider::new(transport(&server, None), credentials());
    let error = provider.token().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert_eq!(error.api_error().unwrap().code(), "invalidClientIdOrSecret");
    assert_redacted(&format!("{error:?}"), "app-s3cret");
}

/// A tiny v1 endpoint that needs the app token.
struct Me;

impl Endpoint for Me {
    type Response = serde_json::Value;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;
    fn route(&self) -> &'static str {
        "/v1.0/me"
    }
    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/me")
    }
}

#[tokio::test]
async fn an_auth_error_invalidates_the_token_and_retries_once() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/oauth2/accessToken"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"accessToken": "old", "expireIn": 7200})),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/oauth2/accessToken"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"accessToken": "new", "expireIn": 7200})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/me"))
        .and(header("x-acs-dingtalk-access-token", "old"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": "InvalidAuthentication", "message": "x", "requestid": "r"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/me"))
        .and(header("x-acs-dingtalk-access-token", "new"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"nick": "Alice"})))
        .expect(1)
        .mount(&server)
        .await;
    let t = transport(&server, None);
    let provider = AppTokenProvider::new(t.clone(), credentials());
    let me = t.execute(&Me, Some(&provider)).await.unwrap();
    assert_eq!(me["nick"], "Alice");
}

#[test]
fn debug_of_provider_and_credentials_is_redacted() {
    let provider = AppTokenProvider::new(Transport::builder().build().unwrap(), credentials());
    assert_redacted(&format!("{provider:?}"), "app-s3cret");
    assert_redacted(&format!("{:?}", credentials()), "app-s3cret");
}
