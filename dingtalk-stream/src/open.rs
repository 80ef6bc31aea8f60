//! Step 1 of a connection: `POST /v1.0/gateway/connections/open` (R-OPEN-1..3, R-OPEN-6).
//!
//! Behind the [`TicketSource`] trait; [`HttpTicketSource`] is the default, an unauthenticated [`Endpoint`] sent
//! through `dingtalk-core`'s [`Transport`]. Every connect attempt asks for a fresh ticket; tickets are never stored,
//! reused or logged.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use dingtalk_core::id::ClientId;
use dingtalk_core::wire::FrameType;
use dingtalk_core::{
    ApiHost, Auth, BaseUrls, Body, Clock, Endpoint, Error as CoreError, ErrorCode,
    ErrorKind as CoreErrorKind, Method, RetryPolicy, SystemClock, Transport, TrustedHosts,
};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::error::{Error, ErrorKind};

/// Default OpenAPI base: `https://api.dingtalk.com`.
pub const DEFAULT_API_BASE: &str = "https://api.dingtalk.com";
/// Default total timeout of the `connections/open` call: 10 s.
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// One subscription entry: `{"type": …, "topic": …}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Subscription {
    #[serde(rename = "type")]
    kind: FrameType,
    topic: String,
}

impl Subscription {
    /// `{"type":"EVENT","topic":"*"}`: every event ticked in the developer console.
    pub fn events() -> Self {
        Self {
            kind: FrameType::Event,
            topic: "*".into(),
        }
    }

    /// A CALLBACK subscription for one topic.
    pub fn callback(topic: impl Into<String>) -> Self {
        Self {
            kind: FrameType::Callback,
            topic: topic.into(),
        }
    }

    /// The subscription type.
    pub fn kind(&self) -> &FrameType {
        &self.kind
    }

    /// The topic.
    pub fn topic(&self) -> &str {
        &self.topic
    }
}

/// A connection ticket: the gateway endpoint plus a single-use secret valid for about 90 s.
pub struct Ticket {
    endpoint: Url,
    #[expect(clippy::struct_field_names, reason = "the DingTalk name of the secret")]
    ticket: SecretString,
    issued: tokio::time::Instant,
    /// How long before `issued` the ticket was really issued ([`Ticket::issued_ago`]).
    backdated: Duration,
}

impl fmt::Debug for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ticket")
            .field("endpoint", &redacted(&self.endpoint))
            .finish_non_exhaustive()
    }
}

impl Ticket {
    /// A ticket for an endpoint. The endpoint must be `wss://`, or `ws://` on a loopback host.
    ///
    /// # Errors
    /// [`ErrorKind::Transient`] when the endpoint does not parse, has another scheme, or the ticket is empty.
    pub fn new(endpoint: &str, ticket: SecretString) -> Result<Self, Error> {
        let endpoint = Url::parse(endpoint).map_err(|_| bad_body("endpoint is not a URL"))?;
        let loopback = is_loopback(&endpoint);
        match endpoint.scheme() {
            "wss" => {}
            "ws" if loopback => {}
            _ => return Err(bad_body("endpoint scheme is not wss")),
        }
        if ticket.expose_secret().is_empty() {
            return Err(bad_body("empty ticket"));
        }
        Ok(Self {
            endpoint,
            ticket,
            issued: crate::clock::now(),
            backdated: Duration::ZERO,
        })
    }

    /// The same ticket, marked as issued `age` ago. A [`TicketSource`] that caches tickets says so here; the
    /// engine discards a ticket older than [`ticket_max_age`](crate::ClientBuilder::ticket_max_age) instead of
    /// upgrading with it (R-OPEN-4).
    #[must_use]
    pub fn issued_ago(mut self, age: Duration) -> Self {
        self.issued = crate::clock::now();
        self.backdated = age;
        self
    }

    /// Time since the ticket was issued ([`Ticket::new`], moved back by [`Ticket::issued_ago`]).
    pub fn age(&self) -> Duration {
        crate::clock::now()
            .saturating_duration_since(self.issued)
            .saturating_add(self.backdated)
    }

    /// The gateway endpoint, without the ticket.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// The gateway host, for logs.
    pub fn host(&self) -> &str {
        self.endpoint.host_str().unwrap_or("")
    }

    /// The WebSocket URL: the endpoint with `ticket` set in its query (replacing any existing one). Secret.
    pub(crate) fn ws_url(&self) -> SecretString {
        let mut url = self.endpoint.clone();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "ticket")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.set_query(None);
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in &pairs {
                q.append_pair(k, v);
            }
            q.append_pair("ticket", self.ticket.expose_secret());
        }
        SecretString::from(String::from(url))
    }
}

/// Where connection tickets come from. The default is [`HttpTicketSource`]; tests use fakes.
#[async_trait]
pub trait TicketSource: Send + Sync + 'static {
    /// Registers a connection and returns a fresh ticket. Called once per connect attempt.
    ///
    /// Errors are classified per R-OPEN-6: [`ErrorKind::AuthRejected`], [`ErrorKind::RateLimited`] (with
    /// [`Error::retry_after`]) or [`ErrorKind::Transient`].
    async fn open(&self, subscriptions: &[Subscription]) -> Result<Ticket, Error>;
}

/// The default [`TicketSource`]: `POST {api_base}/v1.0/gateway/connections/open` through `dingtalk-core`'s
/// [`Transport`] (trusted hosts, timeouts, response cap, token-free logging), as an unauthenticated [`Endpoint`]:
/// the credentials travel in the body, never in a header or the URL.
pub struct HttpTicketSource {
    transport: Transport,
    url: Url,
    loopback_base: bool,
    client_id: ClientId,
    client_secret: SecretString,
    ua: String,
    local_ip: Option<String>,
}

impl fmt::Debug for HttpTicketSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpTicketSource")
            .field("url", &self.url.as_str())
            .field("client_id", &self.client_id)
            .field("ua", &self.ua)
            .finish_non_exhaustive()
    }
}

/// The largest `connections/open` answer read (the real one is under 200 bytes).
const MAX_OPEN_RESPONSE_BYTES: u64 = 64 * 1024;

impl HttpTicketSource {
    /// A source for one app. `api_base` is `https://` on a trusted DingTalk host (`*.dingtalk.com`,
    /// `*.dingtalk.io`), or `http(s)://` on a loopback host (the sandbox): the client secret goes where a token
    /// may go, and nowhere else.
    ///
    /// # Errors
    /// [`ErrorKind::Config`] for an unusable or untrusted base URL, a zero timeout, or when the HTTP client cannot
    /// be built.
    pub fn new(
        api_base: &str,
        client_id: ClientId,
        client_secret: SecretString,
        ua: impl Into<String>,
        local_ip: Option<String>,
        timeout: Duration,
    ) -> Result<Self, Error> {
        Self::configured(
            api_base,
            client_id,
            client_secret,
            ua,
            local_ip,
            timeout,
            TrustedHosts::dingtalk(),
            Arc::new(SystemClock),
        )
    }

    /// [`new`](Self::new) with the trusted-host policy and the clock from the builder.
    #[expect(clippy::too_many_arguments, reason = "the builder's fields, passed once")]
    pub(crate) fn configured(
        api_base: &str,
        client_id: ClientId,
        client_secret: SecretString,
        ua: impl Into<String>,
        local_ip: Option<String>,
        timeout: Duration,
        trusted: TrustedHosts,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, Error> {
        let base = Url::parse(api_base).map_err(|_| Error::config("api_base is not a URL"))?;
        let loopback_base = is_loopback(&base);
        match base.scheme() {
            "https" => {}
            "http" if loopback_base => {}
            _ => {
                return Err(Error::config(
                    "api_base must be https (or http on a loopback host)",
                ));
            }
        }
        let url = base
            .join(OPEN_PATH)
            .map_err(|_| Error::config("api_base is not a base URL"))?;
        if timeout.is_zero() {
            return Err(Error::config("http_timeout must be positive"));
        }
        let base_urls = BaseUrls::dingtalk()
            .with(ApiHost::V1, api_base)
            .map_err(|e| Error::with_source(ErrorKind::Config, e))?;
        let transport = Transport::builder()
            .base_urls(base_urls)
            // The secret in the body is as sensitive as a token: the base must pass the same policy (by default a
            // DingTalk host over HTTPS, or loopback). `build` refuses anything else.
            .trusted_hosts(trusted)
            .connect_timeout(timeout.min(Transport::DEFAULT_CONNECT_TIMEOUT))
            .attempt_timeout(timeout)
            .operation_timeout(timeout)
            // One attempt per call, on purpose. The reconnect loop already retries a failed open with its own
            // jittered backoff (1 s → 60 s, honouring Retry-After) and asks for a fresh ticket each time
            // (R-OPEN-2); a transport retry inside it would multiply the requests of an outage (3 per attempt)
            // and hide 429s and 5xx from the backoff and the transition stream.
            .retry_policy(RetryPolicy::none())
            .rate_limiter(None)
            .max_response_bytes(MAX_OPEN_RESPONSE_BYTES)
            .clock(clock)
            .build()
            .map_err(|e| Error::with_source(ErrorKind::Config, e))?;
        Ok(Self {
            transport,
            url,
            loopback_base,
            client_id,
            client_secret,
            ua: ua.into(),
            local_ip,
        })
    }
}

/// The `connections/open` path on the v1 host.
const OPEN_PATH: &str = "/v1.0/gateway/connections/open";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OpenBody<'a> {
    client_id: &'a str,
    client_secret: &'a str,
    subscriptions: &'a [Subscription],
    ua: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    local_ip: Option<&'a str>,
}

/// `POST /v1.0/gateway/connections/open` as a core [`Endpoint`]: no token (the credentials are in the body), not
/// idempotent (each call registers a connection and issues a ticket), and answered as raw bytes so
/// [`classify`] reads the ticket straight into a [`SecretString`].
struct OpenConnection<'a> {
    body: OpenBody<'a>,
}

impl Endpoint for OpenConnection<'_> {
    type Response = Vec<u8>;

    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = false;
    const AUTH: Auth = Auth::None;

    fn route(&self) -> &'static str {
        OPEN_PATH
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed(OPEN_PATH)
    }

    fn body(&self) -> Result<Body, CoreError> {
        Body::json(&self.body)
    }

    fn decode(&self, body: &[u8]) -> Result<Vec<u8>, CoreError> {
        Ok(body.to_vec())
    }
}

#[async_trait]
impl TicketSource for HttpTicketSource {
    async fn open(&self, subscriptions: &[Subscription]) -> Result<Ticket, Error> {
        let detected = match self.local_ip {
            Some(_) => None,
            None => detect_local_ip(&self.url).await,
        };
        let endpoint = OpenConnection {
            body: OpenBody {
                client_id: self.client_id.as_str(),
                client_secret: self.client_secret.expose_secret(),
                subscriptions,
                ua: &self.ua,
                local_ip: self.local_ip.as_deref().or(detected.as_deref()),
            },
        };
        let body = self
            .transport
            .execute(&endpoint, None)
            .await
            .map_err(from_transport)?;
        let text = String::from_utf8_lossy(&body);
        let ticket = classify(200, &text, None)?;
        if ticket.endpoint.scheme() == "ws" && !self.loopback_base {
            return Err(bad_body("ws endpoint is only allowed for a loopback api_base"));
        }
        Ok(ticket)
    }
}

/// Maps a transport failure onto R-OPEN-6: rejected credentials are fatal, throttling carries the server's delay,
/// everything else (5xx, network, timeout, oversized or redirected answer) is worth another attempt. The core
/// error rides in `source()`; it never holds the body we sent.
fn from_transport(error: CoreError) -> Error {
    let status = error.http_status();
    let code = error.api_error().map(|api| api.code().as_str().to_owned());
    if is_auth_rejection(status.unwrap_or(0), code.as_deref()) || error.kind() == CoreErrorKind::Unauthorized
    {
        return Error::with_source(ErrorKind::AuthRejected, error);
    }
    if status == Some(429) || error.kind() == CoreErrorKind::RateLimited {
        let retry_after = error.retry_after();
        return Error::with_source(ErrorKind::RateLimited, error).retry_after_hint(retry_after);
    }
    Error::with_source(ErrorKind::Transient, error)
}

/// 401/403, or a code naming the client credentials (`invalid.client`, `unauthorized.client`,
/// `invalidClientIdOrSecret`).
fn is_auth_rejection(status: u16, code: Option<&str>) -> bool {
    status == 401
        || status == 403
        || code.is_some_and(|c| {
            c.contains("invalid.client")
                || c.contains("unauthorized.client")
                || c == ErrorCode::INVALID_CLIENT
        })
}

/// Turns a `connections/open` answer into a ticket or a classified error (R-OPEN-3, R-OPEN-6).
pub(crate) fn classify(status: u16, body: &str, retry_after: Option<Duration>) -> Result<Ticket, Error> {
    let json: Option<Value> = serde_json::from_str(body).ok();
    let code = json.as_ref().and_then(|j| {
        ["code", "Code", "errcode"].iter().find_map(|k| match j.get(*k) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        })
    });
    if is_auth_rejection(status, code.as_deref()) {
        return Err(Error::with_source(
            ErrorKind::AuthRejected,
            format!("connections/open answered {status}"),
        ));
    }
    if status == 429 {
        return Err(
            Error::with_source(ErrorKind::RateLimited, "connections/open answered 429")
                .retry_after_hint(retry_after),
        );
    }
    if status != 200 {
        return Err(Error::with_source(
            ErrorKind::Transient,
            format!("connections/open answered {status}"),
        ));
    }
    let json = json.ok_or_else(|| bad_body("body is not JSON"))?;
    let field = |k: &str| {
        json.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let endpoint = field("endpoint").ok_or_else(|| bad_body("empty endpoint"))?;
    let ticket = field("ticket").ok_or_else(|| bad_body("empty ticket"))?;
    Ticket::new(&endpoint, SecretString::from(ticket))
}

fn bad_body(reason: &'static str) -> Error {
    Error::with_source(ErrorKind::Transient, reason)
}

/// Best-effort `localIp`: the local address the OS would use to reach the gateway host, found with an unconnected
/// UDP socket's `connect` (no packet is sent) to the address the request itself resolves to. Never fails: any
/// error means no `localIp` (the field is diagnostics only). Against a loopback base it is the loopback address,
/// so tests never touch an outside address.
async fn detect_local_ip(url: &Url) -> Option<String> {
    let host = url.host_str()?.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_or_known_default()?;
    let target = tokio::net::lookup_host((host, port)).await.ok()?.next()?;
    let bind: std::net::SocketAddr = if target.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = tokio::net::UdpSocket::bind(bind).await.ok()?;
    socket.connect(target).await.ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified()).then(|| ip.to_string())
}

/// Whether `url`'s host is loopback or `localhost`, by core's rule (the one its trusted-host check uses).
fn is_loopback(url: &Url) -> bool {
    url.host()
        .is_some_and(|host| dingtalk_core::host::is_loopback(&host))
}

/// The endpoint for logs: scheme, host, port and path; never the query.
pub(crate) fn redacted(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    String::from(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_ip_is_detected_toward_the_gateway_and_never_fails() {
        let url = Url::parse("http://127.0.0.1:9/v1.0/gateway/connections/open").unwrap();
        assert_eq!(detect_local_ip(&url).await.as_deref(), Some("127.0.0.1"));
        // No host or no usable address: no localIp, no error.
        let url = Url::parse("data:text/plain,x").unwrap();
        assert_eq!(detect_local_ip(&url).await, None);
    }

    #[test]
    fn subscriptions_serialize_as_documented() {
        let subs = [
            Subscription::events(),
            Subscription::callback("/v1.0/im/bot/messages/get"),
        ];
        assert_eq!(
            serde_json::to_string(&subs).unwrap(),
            r#"[{"type":"EVENT","topic":"*"},{"type":"CALLBACK","topic":"/v1.0/im/bot/messages/get"}]"#
        );
    }

    #[test]
    fn classifies_open_answers() {
        let ok = classify(
            200,
            r#"{"endpoint":"wss://gw.example/connect","ticket":"t-1"}"#,
            None,
        )
        .unwrap();
        assert_eq!(ok.host(), "gw.example");
        assert_eq!(
            classify(401, "{}", None).unwrap_err().kind(),
            ErrorKind::AuthRejected
        );
        assert_eq!(
            classify(403, "", None).unwrap_err().kind(),
            ErrorKind::AuthRejected
        );
        assert_eq!(
            classify(400, r#"{"code":"invalid.client","message":"x"}"#, None)
                .unwrap_err()
                .kind(),
            ErrorKind::AuthRejected
        );
        let rl = classify(429, "", Some(Duration::from_secs(7))).unwrap_err();
        assert_eq!(rl.kind(), ErrorKind::RateLimited);
        assert_eq!(rl.retry_after(), Some(Duration::from_secs(7)));
        assert_eq!(classify(503, "", None).unwrap_err().kind(), ErrorKind::Transient);
        assert_eq!(
            classify(200, "<xml/>", None).unwrap_err().kind(),
            ErrorKind::Transient
        );
        assert_eq!(
            classify(200, r#"{"endpoint":"","ticket":"t"}"#, None)
                .unwrap_err()
                .kind(),
            ErrorKind::Transient
        );
        assert_eq!(
            classify(200, r#"{"endpoint":"wss://gw/connect","ticket":""}"#, None)
                .unwrap_err()
                .kind(),
            ErrorKind::Transient
        );
        assert!(
            classify(
                200,
                r#"{"endpoint":"ws://gw.example/connect","ticket":"t"}"#,
                None
            )
            .is_err()
        );
        assert!(
            classify(
                200,
                r#"{"endpoint":"ws://127.0.0.1:9/connect","ticket":"t"}"#,
                None
            )
            .is_ok()
        );
        assert!(classify(200, r#"{"endpoint":"https://gw/connect","ticket":"t"}"#, None).is_err());
    }

    #[test]
    fn ws_url_sets_and_replaces_ticket_and_debug_hides_it() {
        let t = Ticket::new(
            "wss://gw.example:443/connect?a=1&ticket=old",
            SecretString::from("s3cr3t t"),
        )
        .unwrap();
        let url = t.ws_url();
        assert_eq!(
            url.expose_secret(),
            "wss://gw.example/connect?a=1&ticket=s3cr3t+t"
        );
        let dbg = format!("{t:?}");
        assert!(!dbg.contains("s3cr3t"), "{dbg}");
        assert!(!dbg.contains("old"), "{dbg}");
    }

    #[test]
    fn http_source_requires_https_or_loopback() {
        let mk = |base: &str| {
            HttpTicketSource::new(
                base,
                ClientId::new("ding1"),
                SecretString::from("very-secret"),
                "ua",
                None,
                DEFAULT_HTTP_TIMEOUT,
            )
        };
        assert!(mk("https://api.dingtalk.com").is_ok());
        assert!(mk("http://127.0.0.1:8080").is_ok());
        assert_eq!(
            mk("http://api.dingtalk.com").unwrap_err().kind(),
            ErrorKind::Config
        );
        // The secret goes where a token may go: a DingTalk host or loopback, nowhere else.
        assert_eq!(
            mk("https://api.example.com").unwrap_err().kind(),
            ErrorKind::Config
        );
        let dbg = format!("{:?}", mk("https://api.dingtalk.com").unwrap());
        assert!(!dbg.contains("very-secret"));
    }

    mod over_transport {
        use super::*;
        use wiremock::matchers::{method, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};

        const SECRET: &str = "sup3r-s3cret-value";

        fn source(server: &MockServer) -> HttpTicketSource {
            HttpTicketSource::new(
                &server.uri(),
                ClientId::new("dingapp"),
                SecretString::from(SECRET),
                "ua-test",
                Some("10.0.0.1".into()),
                Duration::from_secs(5),
            )
            .unwrap()
        }

        fn subs() -> [Subscription; 1] {
            [Subscription::callback("/v1.0/im/bot/messages/get")]
        }

        async fn answer(template: ResponseTemplate) -> (MockServer, Result<Ticket, Error>) {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path(OPEN_PATH))
                .respond_with(template)
                .mount(&server)
                .await;
            let result = source(&server).open(&subs()).await;
            (server, result)
        }

        fn assert_hidden(error: &Error) {
            let mut texts = vec![error.to_string(), format!("{error:?}")];
            let mut cause = std::error::Error::source(error);
            while let Some(c) = cause {
                texts.push(c.to_string());
                cause = c.source();
            }
            for text in texts {
                assert!(!text.contains(SECRET), "{text}");
                assert!(!text.contains("t-secret"), "{text}");
            }
        }

        #[tokio::test]
        async fn sends_credentials_in_the_body_only_and_reads_the_ticket() {
            let (server, ticket) = answer(
                ResponseTemplate::new(200)
                    .set_body_string(r#"{"endpoint":"ws://127.0.0.1:9/connect","ticket":"t-secret"}"#),
            )
            .await;
            let ticket = ticket.unwrap();
            assert_eq!(ticket.host(), "127.0.0.1");
            assert!(!format!("{ticket:?}").contains("t-secret"));
            let requests = server.received_requests().await.unwrap();
            assert_eq!(requests.len(), 1);
            let request = &requests[0];
            assert!(request.url.query().is_none(), "nothing in the URL");
            assert!(!request.headers.contains_key("x-acs-dingtalk-access-token"));
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            assert_eq!(body["clientId"], "dingapp");
            assert_eq!(body["clientSecret"], SECRET);
            assert_eq!(body["ua"], "ua-test");
            assert_eq!(body["localIp"], "10.0.0.1");
            assert_eq!(body["subscriptions"][0]["type"], "CALLBACK");
        }

        #[tokio::test]
        async fn server_errors_are_transient_and_not_retried_by_the_transport() {
            for status in [500, 502, 503] {
                let (server, result) = answer(ResponseTemplate::new(status)).await;
                let error = result.unwrap_err();
                assert_eq!(error.kind(), ErrorKind::Transient, "{status}");
                assert!(error.is_retried());
                // The reconnect loop owns retries: one request per attempt, never three.
                assert_eq!(server.received_requests().await.unwrap().len(), 1, "{status}");
                assert_hidden(&error);
            }
        }

        #[tokio::test]
        async fn throttling_is_rate_limited_with_the_servers_delay_and_not_retried() {
            let (server, result) = answer(
                ResponseTemplate::new(429)
                    .insert_header("retry-after", "7")
                    .set_body_string(
                        r#"{"code":"Forbidden.AccessDenied.QpsLimitForAppkeyAndApi","message":"slow down"}"#,
                    ),
            )
            .await;
            let error = result.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::RateLimited);
            assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
            assert_eq!(server.received_requests().await.unwrap().len(), 1);
            // Without Retry-After the transport's own policy would retry after about a second: it must not.
            let (server, result) = answer(ResponseTemplate::new(429).set_body_string("busy")).await;
            assert_eq!(result.unwrap_err().kind(), ErrorKind::RateLimited);
            assert_eq!(server.received_requests().await.unwrap().len(), 1);
        }

        #[tokio::test]
        async fn bad_credentials_are_fatal_clearly_worded_and_hide_the_secret() {
            let cases = [
                ResponseTemplate::new(400)
                    .set_body_string(r#"{"code":"invalid.client","message":"bad clientId or secret"}"#),
                ResponseTemplate::new(401).set_body_string("{}"),
                ResponseTemplate::new(403).set_body_string("denied"),
                ResponseTemplate::new(400)
                    .set_body_string(r#"{"code":"invalidClientIdOrSecret","message":"x"}"#),
                ResponseTemplate::new(200)
                    .set_body_string(r#"{"errcode":"unauthorized.client","errmsg":"x"}"#),
            ];
            for (i, template) in cases.into_iter().enumerate() {
                let (server, result) = answer(template).await;
                let error = result.unwrap_err();
                assert_eq!(error.kind(), ErrorKind::AuthRejected, "case {i}");
                assert!(!error.is_retried());
                assert_eq!(error.to_string(), "DingTalk rejected the client id or secret");
                assert_eq!(server.received_requests().await.unwrap().len(), 1);
                assert_hidden(&error);
            }
        }

        #[tokio::test]
        async fn unusable_answers_are_transient() {
            let huge = format!(
                r#"{{"endpoint":"wss://gw/connect","ticket":"{}"}}"#,
                "x".repeat(100_000)
            );
            for template in [
                ResponseTemplate::new(200).set_body_string("<html/>"),
                ResponseTemplate::new(200).set_body_string(r#"{"endpoint":"","ticket":"t"}"#),
                ResponseTemplate::new(200).set_body_string(huge),
                ResponseTemplate::new(302).insert_header("location", "http://127.0.0.1:1/elsewhere"),
                ResponseTemplate::new(400).set_body_string(r#"{"code":"invalidParameter","message":"x"}"#),
            ] {
                let (_, result) = answer(template).await;
                assert_eq!(result.unwrap_err().kind(), ErrorKind::Transient);
            }
        }

        #[tokio::test]
        async fn a_timeout_is_transient() {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
                .mount(&server)
                .await;
            let source = HttpTicketSource::new(
                &server.uri(),
                ClientId::new("dingapp"),
                SecretString::from(SECRET),
                "ua",
                None,
                Duration::from_millis(200),
            )
            .unwrap();
            let error = source.open(&subs()).await.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Transient);
            assert_eq!(server.received_requests().await.unwrap().len(), 1);
            assert_hidden(&error);
        }
    }
}
