//! The transport against wiremock: envelopes, token placement, every retry class, Retry-After, timeouts of
//! non-idempotent requests, redirects, the trusted-host policy, size caps and pagination.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use dingtalk_core::{
    AccessToken, ApiHost, BaseUrls, Body, Cursor, Endpoint, Error, ErrorKind, Method, Paginated, RetryClass,
    RetryPolicy, SecretString, StaticToken, TokenProvider, Transport, TrustedHosts, paginate,
};
use dingtalk_test_support::{fixture, strict_server};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

// ---- endpoints used by the tests -------------------------------------------------------------------------

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct SendThing {
    robot_code: String,
    #[serde(skip)]
    extra_header: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct SendThingResponse {
    process_query_key: String,
}

impl Endpoint for SendThing {
    type Response = SendThingResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = false;

    fn route(&self) -> &'static str {
        "/v1.0/robot/groupMessages/send"
    }
    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/robot/groupMessages/send")
    }
    fn headers(&self) -> Vec<(&'static str, String)> {
        self.extra_header
            .iter()
            .map(|v| ("x-client-token", v.clone()))
            .collect()
    }
    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }
}

fn send_thing() -> SendThing {
    SendThing {
        robot_code: "dingrobot".into(),
        extra_header: None,
    }
}

#[derive(Clone)]
struct GetThing;

impl Endpoint for GetThing {
    type Response = serde_json::Value;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/contact/users/me"
    }
    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/contact/users/me")
    }
}

#[derive(Clone, Serialize)]
struct LegacyUserGet {
    userid: String,
}

impl Endpoint for LegacyUserGet {
    type Response = serde_json::Value;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::Legacy;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/topapi/v2/user/get"
    }
    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/topapi/v2/user/get")
    }
    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }
}

#[derive(Clone, Default)]
struct ListThings {
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListThingsResponse {
    #[serde(default)]
    list: Vec<u32>,
    next_token: Option<String>,
    has_more: Option<bool>,
}

impl Endpoint for ListThings {
    type Response = ListThingsResponse;
    const METHOD: Method = Method::Get;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/things"
    }
    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/things")
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        self.next_token.iter().map(|t| ("nextToken", t.clone())).collect()
    }
}

impl Paginated for ListThings {
    type Item = u32;
    fn with_cursor(&self, cursor: Option<&Cursor>) -> Self {
        Self {
            next_token: cursor.map(Cursor::to_text),
        }
    }
    fn split(&self, response: ListThingsResponse) -> (Vec<u32>, Option<Cursor>) {
        (
            response.list,
            Cursor::next_token(response.next_token, response.has_more),
        )
    }
}

/// Hands out `token-1`, `token-2`, … and counts fetches and invalidations.
#[derive(Default)]
struct CountingTokens {
    fetched: AtomicUsize,
    current: AtomicUsize,
    invalidated: AtomicUsize,
}

#[async_trait::async_trait]
impl TokenProvider for CountingTokens {
    async fn token(&self) -> Result<AccessToken, Error> {
        self.fetched.fetch_add(1, Ordering::SeqCst);
        let n = self.current.load(Ordering::SeqCst) + 1;
        Ok(AccessToken::new(SecretString::from(format!("token-{n}")), None))
    }
    fn invalidate(&self, _rejected: &AccessToken) {
        self.invalidated.fetch_add(1, Ordering::SeqCst);
        self.current.fetch_add(1, Ordering::SeqCst);
    }
}

#[expect(clippy::unwrap_used, reason = "test helper")]
fn transport(server: &MockServer) -> Transport {
    Transport::builder()
        .base_urls(BaseUrls::single(&server.uri()).unwrap())
        .retry_policy(RetryPolicy::new(
            3,
            Duration::from_millis(5),
            Duration::from_millis(50),
        ))
        .attempt_timeout(Duration::from_millis(500))
        .operation_timeout(Duration::from_secs(5))
        .jitter_seed(1)
        .build()
        .unwrap()
}

fn token() -> StaticToken {
    StaticToken::new(SecretString::from("tok-abc"))
}

// ---- tests ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn v1_call_places_token_in_header_and_decodes() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/robot/groupMessages/send"))
        .and(header("x-acs-dingtalk-access-token", "tok-abc"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"robotCode": "dingrobot"})))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-acs-request-id", "req-1")
                .set_body_json(json!({"processQueryKey": "pqk-1"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (response, meta) = transport(&server)
        .execute_with_meta(&send_thing(), Some(&token()))
        .await
        .unwrap();
    assert_eq!(response.process_query_key, "pqk-1");
    assert_eq!(meta.request_id.as_deref(), Some("req-1"));
    assert_eq!(meta.attempts, 1);
}

#[tokio::test]
async fn legacy_call_places_token_in_query_and_decodes_whole_body() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(path("/topapi/v2/user/get"))
        .and(query_param("access_token", "tok-abc"))
        .and(body_json(json!({"userid": "manager432"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("envelopes/legacy.user_get.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let body = transport(&server)
        .execute(
            &LegacyUserGet {
                userid: "manager432".into(),
            },
            Some(&token()),
        )
        .await
        .unwrap();
    assert_eq!(body["result"]["userid"], "manager432");
}

#[tokio::test]
async fn v1_error_envelope_is_decoded() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(fixture("envelopes/v1.client_error.json")))
        .expect(1)
        .mount(&server)
        .await;
    let error = transport(&server)
        .execute(&send_thing(), Some(&token()))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.retry_class(), RetryClass::Permanent);
    let api = error.api_error().unwrap();
    assert_eq!(api.code(), "invalidParameter.userIds.overMax");
    assert_eq!(api.request_id(), Some("R-400"));
    assert_eq!(api.http_status(), 400);
}

#[tokio::test]
async fn new_host_unknown_path_quirk_is_an_error() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("envelopes/v1.unknown_path.json")))
        .expect(1)
        .mount(&server)
        .await;
    let error = transport(&server)
        .execute(&GetThing, Some(&token()))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.api_error().unwrap().code(), "404");
}

#[tokio::test]
async fn legacy_wrapped_token_error_refreshes_once_and_retries() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .and(query_param("access_token", "token-1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("envelopes/legacy.wrapped_40014.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(query_param("access_token", "token-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("envelopes/legacy.user_get.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let tokens = CountingTokens::default();
    let body = transport(&server)
        .execute(&LegacyUserGet { userid: "u".into() }, Some(&tokens))
        .await
        .unwrap();
    assert_eq!(body["errcode"], 0);
    assert_eq!(tokens.invalidated.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn auth_error_after_refresh_is_returned() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(fixture("envelopes/v1.invalid_authentication.json")),
        )
        .expect(2)
        .mount(&server)
        .await;
    let tokens = CountingTokens::default();
    let error = transport(&server)
        .execute(&GetThing, Some(&tokens))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert_eq!(error.retry_class(), RetryClass::Reauth);
    assert_eq!(
        error.api_error().unwrap().request_id(),
        Some("01A08FE7-CD6B-79BB-8B2E-35D8768AD457")
    );
    assert_eq!(tokens.invalidated.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn server_errors_retry_idempotent_requests_only() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_json(fixture("envelopes/v1.unknown_error.json")))
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_string("<html>busy</html>"))
        .expect(1)
        .mount(&server)
        .await;
    let t = transport(&server);
    let error = t.execute(&GetThing, Some(&token())).await.unwrap_err();
    assert_eq!(error.retry_class(), RetryClass::MaybeSent);
    assert_eq!(error.api_error().unwrap().code(), "unknownError");
    let error = t.execute(&send_thing(), Some(&token())).await.unwrap_err();
    assert_eq!(error.retry_class(), RetryClass::MaybeSent);
    assert_eq!(error.http_status(), Some(503));
}

#[tokio::test]
async fn legacy_busy_is_retried_for_idempotent_calls() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("envelopes/legacy.busy.json")))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("envelopes/legacy.user_get.ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let body = transport(&server)
        .execute(&LegacyUserGet { userid: "u".into() }, Some(&token()))
        .await
        .unwrap();
    assert_eq!(body["result"]["name"], "Alice");
}

#[tokio::test]
async fn throttling_is_retried_even_for_non_idempotent_requests() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(403).set_body_json(fixture("envelopes/v1.qps_limit.json")))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"processQueryKey": "k"})))
        .expect(1)
        .mount(&server)
        .await;
    let (_, meta) = transport(&server)
        .execute_with_meta(&send_thing(), Some(&token()))
        .await
        .unwrap();
    assert_eq!(meta.attempts, 2);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .expect(1)
        .mount(&server)
        .await;
    let t = Transport::builder()
        .base_urls(BaseUrls::single(&server.uri()).unwrap())
        .retry_policy(RetryPolicy::new(
            3,
            Duration::from_millis(5),
            Duration::from_secs(2),
        ))
        .jitter_seed(1)
        .build()
        .unwrap();
    let clock = t.clock().clone();
    let start = clock.now();
    t.execute(&GetThing, Some(&token())).await.unwrap();
    assert!(clock.now() - start >= Duration::from_secs(1));
}

#[tokio::test]
async fn retry_after_beyond_the_cap_gives_up_with_the_delay() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "120"))
        .expect(1)
        .mount(&server)
        .await;
    let error = transport(&server)
        .execute(&GetThing, Some(&token()))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.retry_after(), Some(Duration::from_mins(2)));
}

#[tokio::test]
async fn non_idempotent_request_is_not_retried_after_a_timeout() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .expect(1)
        .mount(&server)
        .await;
    let t = Transport::builder()
        .base_urls(BaseUrls::single(&server.uri()).unwrap())
        .attempt_timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::new(
            3,
            Duration::from_millis(5),
            Duration::from_millis(50),
        ))
        .build()
        .unwrap();
    let error = t.execute(&send_thing(), Some(&token())).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(error.retry_class(), RetryClass::MaybeSent);
}

#[tokio::test]
async fn idempotent_request_is_retried_after_a_timeout() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .expect(3)
        .mount(&server)
        .await;
    let t = Transport::builder()
        .base_urls(BaseUrls::single(&server.uri()).unwrap())
        .attempt_timeout(Duration::from_millis(150))
        .retry_policy(RetryPolicy::new(
            3,
            Duration::from_millis(5),
            Duration::from_millis(20),
        ))
        .build()
        .unwrap();
    let error = t.execute(&GetThing, Some(&token())).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
}

#[tokio::test]
async fn connection_refused_is_not_sent_and_retried() {
    // Bind and drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let t = Transport::builder()
        .base_urls(BaseUrls::single(&format!("http://127.0.0.1:{port}")).unwrap())
        .retry_policy(RetryPolicy::new(
            2,
            Duration::from_millis(1),
            Duration::from_millis(5),
        ))
        .build()
        .unwrap();
    let error = t.execute(&send_thing(), Some(&token())).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert_eq!(error.retry_class(), RetryClass::NotSent);
}

#[tokio::test]
async fn redirect_to_another_origin_strips_the_token() {
    let target = strict_server().await;
    Mock::given(method("GET"))
        .and(path("/landing"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": 1})))
        .expect(1)
        .mount(&target)
        .await;
    let origin = strict_server().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/contact/users/me"))
        .respond_with(ResponseTemplate::new(302).insert_header(
            "location",
            format!("{}/landing?access_token=leak", target.uri()).as_str(),
        ))
        .expect(1)
        .mount(&origin)
        .await;
    let body = transport(&origin)
        .execute(&GetThing, Some(&token()))
        .await
        .unwrap();
    assert_eq!(body["ok"], 1);
    let requests = target.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].headers.get("x-acs-dingtalk-access-token").is_none());
    assert!(!requests[0].url.as_str().contains("access_token"));
    // The origin did receive the token.
    let first = origin.received_requests().await.unwrap();
    assert_eq!(
        first[0].headers.get("x-acs-dingtalk-access-token").unwrap(),
        "tok-abc"
    );
}

#[tokio::test]
async fn redirect_on_a_post_is_an_error() {
    let server = strict_server().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", "/elsewhere"))
        .expect(1)
        .mount(&server)
        .await;
    let error = transport(&server)
        .execute(&send_thing(), Some(&token()))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport);
}

#[tokio::test]
async fn tokens_are_never_sent_to_untrusted_or_plain_http_hosts() {
    let server = strict_server().await;
    // Loopback refused by a strict policy: the builder fails, nothing is sent.
    let error = Transport::builder()
        .base_urls(BaseUrls::single(&server.uri()).unwrap())
        .trusted_hosts(TrustedHosts::dingtalk().without_loopback())
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Config);
    // Plain HTTP to a DingTalk host and HTTPS to a foreign host are refused too.
    for base in ["http://api.dingtalk.com", "https://api.example.com"] {
        let error = Transport::builder()
            .base_urls(BaseUrls::single(base).unwrap())
            .build()
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config, "{base}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn header_injection_is_refused_before_sending() {
    let server = strict_server().await;
    let endpoint = SendThing {
        robot_code: "r".into(),
        extra_header: Some("ok\r\nx-evil: 1".into()),
    };
    let error = transport(&server)
        .execute(&endpoint, Some(&token()))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
    let bad_token = StaticToken::new(SecretString::from("tok\nx-evil: 1"));
    let error = transport(&server)
        .execute(&send_thing(), Some(&bad_token))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn responses_over_the_cap_are_refused() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(4096)))
        .expect(1)
        .mount(&server)
        .await;
    let t = Transport::builder()
        .base_urls(BaseUrls::single(&server.uri()).unwrap())
        .max_response_bytes(1024)
        .build()
        .unwrap();
    let error = t.execute(&GetThing, Some(&token())).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ResponseTooLarge);
}

#[tokio::test]
async fn missing_token_provider_is_a_config_error() {
    let server = strict_server().await;
    let error = transport(&server).execute(&GetThing, None).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Config);
}

#[tokio::test]
async fn pages_are_walked_as_a_stream() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/things"))
        .and(wiremock::matchers::query_param_is_missing("nextToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"list": [1, 2], "nextToken": "p2"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("nextToken", "p2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"list": [3], "nextToken": "p3", "hasMore": true})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("nextToken", "p3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"hasMore": false})))
        .expect(1)
        .mount(&server)
        .await;
    let t = transport(&server);
    let tok = token();
    let items: Vec<u32> = paginate(&t, Some(&tok), ListThings::default(), None)
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(items, vec![1, 2, 3]);
}

#[tokio::test]
async fn a_repeated_cursor_ends_the_walk_with_a_decode_error() {
    let server = strict_server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"list": [1], "nextToken": "same"})))
        .mount(&server)
        .await;
    let t = transport(&server);
    let tok = token();
    let results: Vec<Result<u32, Error>> = paginate(&t, Some(&tok), ListThings::default(), Some(10))
        .collect()
        .await;
    assert_eq!(results.len(), 2); // page 1's item, then the error when page 2 repeats the cursor
    assert_eq!(
        results.last().unwrap().as_ref().unwrap_err().kind(),
        ErrorKind::Decode
    );
    let capped: Vec<Result<u32, Error>> = paginate(&t, Some(&tok), ListThings::default(), Some(1))
        .collect()
        .await;
    assert_eq!(capped.len(), 1);
}

#[test]
fn debug_output_of_configuration_has_no_secrets() {
    let t = Transport::builder().build().unwrap();
    let shown = format!("{t:?}");
    assert!(shown.contains("api.dingtalk.com"));
    let tok = token();
    dingtalk_test_support::assert_redacted(&format!("{tok:?}"), "tok-abc");
    let _ = Arc::new(tok);
}

/// Regression (found in review): a network failure on the legacy host put the request URL, and with it
/// `?access_token=…`, into the error's source chain.
#[tokio::test]
async fn network_errors_never_carry_the_token_in_their_chain() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let t = Transport::builder()
        .base_urls(BaseUrls::single(&format!("http://127.0.0.1:{port}")).unwrap())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let error = t
        .execute(&LegacyUserGet { userid: "u".into() }, Some(&token()))
        .await
        .unwrap_err();
    let mut chain = format!("{error} {error:?}");
    let mut source = std::error::Error::source(&error);
    while let Some(e) = source {
        chain = format!("{chain} {e} {e:?}");
        source = e.source();
    }
    dingtalk_test_support::assert_redacted(&chain, "tok-abc");
}

#[test]
fn dry_run_urls_hide_credentials_in_the_query() {
    #[derive(Clone)]
    struct Webhook;
    impl Endpoint for Webhook {
        type Response = serde_json::Value;
        const METHOD: Method = Method::Post;
        const HOST: ApiHost = ApiHost::Legacy;
        const IDEMPOTENT: bool = false;
        const AUTH: dingtalk_core::Auth = dingtalk_core::Auth::None;
        fn route(&self) -> &'static str {
            "/robot/send"
        }
        fn path(&self) -> Cow<'_, str> {
            Cow::Borrowed("/robot/send")
        }
        fn query(&self) -> Vec<(&'static str, String)> {
            vec![
                ("access_token", "hook-s3cret".into()),
                ("timestamp", "1".into()),
                ("sign", "sig-s3cret".into()),
            ]
        }
    }
    let prepared = Transport::builder().build().unwrap().prepare(&Webhook).unwrap();
    dingtalk_test_support::assert_redacted(&prepared.url, "hook-s3cret");
    dingtalk_test_support::assert_redacted(&prepared.url, "sig-s3cret");
    assert!(prepared.url.contains("timestamp=1"), "{}", prepared.url);
}
