//! The HTTP transport: one generic executor for every [`Endpoint`].
//!
//! It places the token per host, refuses untrusted hosts, applies named timeouts, retries per [`RetryClass`] with
//! capped exponential backoff, full jitter, `Retry-After` and a retry budget, awaits the rate limiter, caps the
//! response size, and decodes both DingTalk error envelopes. One `tracing` span per attempt carries the method,
//! route template, attempt number and request id; never bodies or tokens.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use tracing::Instrument;
use url::Url;

use crate::api_error::ApiError;
use crate::endpoint::{Auth, Body, Endpoint, Method};
use crate::error::{Error, ErrorKind, Message};
use crate::host::{ApiHost, BaseUrls, TrustedHosts};
use crate::rate_limit::{Priority, RateKey, RateLimiter};
use crate::retry::{Decision, RetryBudget, RetryClass, RetryPolicy};
use crate::time::{Clock, SystemClock};
use crate::token::{AccessToken, TokenProvider};

/// The header that carries the token on the new host.
pub const TOKEN_HEADER: &str = "x-acs-dingtalk-access-token";
/// The query parameter that carries the token on the legacy host.
pub const TOKEN_QUERY: &str = "access_token";
/// The response header with DingTalk's request id.
pub const REQUEST_ID_HEADER: &str = "x-acs-request-id";

/// Sends [`Endpoint`]s. Cheap to clone; clones share the connection pool, limiter and retry budget.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

struct Inner {
    http: LazyHttp,
    base_urls: BaseUrls,
    trusted: TrustedHosts,
    attempt_timeout: Duration,
    operation_timeout: Duration,
    retry: RetryPolicy,
    budget: RetryBudget,
    max_response_bytes: u64,
    rate_limiter: Option<Arc<dyn RateLimiter>>,
    clock: Arc<dyn Clock>,
    rng: Mutex<StdRng>,
}

/// The HTTP client, built on first use: building it loads the platform's root certificates (a few milliseconds
/// and ~150 file reads on Linux), which a transport that only prepares requests (dry runs, [`Transport::prepare`])
/// never needs.
struct LazyHttp {
    client: std::sync::OnceLock<reqwest::Client>,
    connect_timeout: Duration,
    user_agent: String,
}

impl LazyHttp {
    fn client(&self) -> Result<&reqwest::Client, Error> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let client = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(&self.user_agent)
            .build()
            .map_err(|e| Error::config("could not build the HTTP client").with_source(e))?;
        // Two first callers may both build one; the first stored wins and the other is dropped.
        Ok(self.client.get_or_init(|| client))
    }
}

/// Facts about a successful call, for logs and the CLI's `meta`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseMeta {
    /// DingTalk's request id, from the header or the body.
    pub request_id: Option<String>,
    /// The HTTP status.
    pub http_status: u16,
    /// How many attempts the call took.
    pub attempts: u32,
}

/// A request as it would be sent, for `--dry-run` and logs. The token is never included.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PreparedRequest {
    /// The method.
    pub method: Method,
    /// The full URL without the token.
    pub url: String,
    /// Where the token would go, if anywhere: `header x-acs-dingtalk-access-token` or `query access_token`.
    pub token_placement: Option<&'static str>,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
}

/// The URL (query included, credentials in clear), the checked extra headers and the body an endpoint sends.
struct RequestParts {
    url: Url,
    headers: Vec<(String, String)>,
    body: Body,
}

impl Transport {
    /// Default connect timeout.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
    /// Default timeout of one attempt.
    pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);
    /// Default timeout of a whole call, retries included.
    pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(30);
    /// Default response size cap.
    pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 10 * 1024 * 1024;
    /// Redirects followed by `GET` calls and downloads.
    pub const MAX_REDIRECTS: usize = 5;

    /// A builder with DingTalk's production hosts and the defaults above.
    pub fn builder() -> TransportBuilder {
        TransportBuilder::default()
    }

    /// The configured base URLs.
    pub fn base_urls(&self) -> &BaseUrls {
        &self.inner.base_urls
    }

    /// The clock the transport reads.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// Sends `endpoint`, with a token from `tokens` when the endpoint needs one.
    pub async fn execute<E: Endpoint>(
        &self,
        endpoint: &E,
        tokens: Option<&dyn TokenProvider>,
    ) -> Result<E::Response, Error> {
        self.execute_with_meta(endpoint, tokens)
            .await
            .map(|(response, _)| response)
    }

    /// Like [`execute`](Self::execute), also returning [`ResponseMeta`].
    pub async fn execute_with_meta<E: Endpoint>(
        &self,
        endpoint: &E,
        tokens: Option<&dyn TokenProvider>,
    ) -> Result<(E::Response, ResponseMeta), Error> {
        self.execute_prioritized(endpoint, tokens, Priority::Normal).await
    }

    /// Like [`execute_with_meta`](Self::execute_with_meta) with a rate-limiter priority.
    pub async fn execute_prioritized<E: Endpoint>(
        &self,
        endpoint: &E,
        tokens: Option<&dyn TokenProvider>,
        priority: Priority,
    ) -> Result<(E::Response, ResponseMeta), Error> {
        endpoint.validate()?;
        let RequestParts { url, headers, body } = self.request_parts(endpoint)?;
        let call = Call {
            method: E::METHOD,
            host: E::HOST,
            route: endpoint.route(),
            idempotent: E::IDEMPOTENT,
            auth: E::AUTH,
            url,
            headers,
            body,
            priority,
        };
        let (status, body, meta) = self.run(&call, tokens).await?;
        let response = endpoint.decode(&body).map_err(|e| e.with_http_status(status))?;
        Ok((response, meta))
    }

    /// Builds the request `endpoint` would send, without sending it or fetching a token. Query values that carry
    /// credentials (`access_token`, `sign`, `session`, secrets) are shown as `<redacted>`.
    pub fn prepare<E: Endpoint>(&self, endpoint: &E) -> Result<PreparedRequest, Error> {
        let RequestParts { url, headers, body } = self.request_parts(endpoint)?;
        let token_placement = match (E::AUTH, E::HOST) {
            (Auth::Token, ApiHost::V1) => Some("header x-acs-dingtalk-access-token"),
            (Auth::Token, ApiHost::Legacy) => Some("query access_token"),
            (Auth::Token, ApiHost::Login) | (Auth::None, _) => None,
        };
        Ok(PreparedRequest {
            method: E::METHOD,
            url: redact_url(&url).to_string(),
            token_placement,
            headers,
            body,
        })
    }

    /// What both [`prepare`](Self::prepare) and a real call need, built once per call.
    fn request_parts<E: Endpoint>(&self, endpoint: &E) -> Result<RequestParts, Error> {
        let mut url = self.inner.base_urls.join(E::HOST, &endpoint.path())?;
        let query = endpoint.query();
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (key, value) in &query {
                pairs.append_pair(key, value);
            }
        }
        let mut headers = Vec::new();
        for (name, value) in endpoint.headers() {
            check_header_value(&value)?;
            headers.push((name.to_owned(), value));
        }
        Ok(RequestParts {
            url,
            headers,
            body: endpoint.body()?,
        })
    }

    /// Downloads `url` without any token (media download URLs are pre-signed), following at most
    /// [`MAX_REDIRECTS`](Self::MAX_REDIRECTS) redirects and never from HTTPS to HTTP.
    pub async fn download(&self, url: &str, max_bytes: u64) -> Result<Vec<u8>, Error> {
        let mut url =
            Url::parse(url).map_err(|e| Error::validation("invalid download URL").with_source(e))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::validation("download URLs must be http(s)"));
        }
        let deadline = self.inner.clock.now() + self.inner.operation_timeout;
        for _ in 0..=Self::MAX_REDIRECTS {
            let remaining = deadline.saturating_duration_since(self.inner.clock.now());
            let request = self.inner.http.client()?.get(url.clone());
            let response = tokio::time::timeout(remaining, request.send())
                .await
                .map_err(|_| Error::new(ErrorKind::Timeout))?
                .map_err(map_reqwest_error)?;
            let status = response.status().as_u16();
            if (300..400).contains(&status) {
                url = next_location(&url, &response)?;
                continue;
            }
            let body = read_capped(response, max_bytes).await?;
            if !(200..300).contains(&status) {
                return Err(Error::new(ErrorKind::Api)
                    .with_http_status(status)
                    .with_source(Message(format!("download answered HTTP {status}"))));
            }
            return Ok(body);
        }
        Err(Error::new(ErrorKind::Transport).with_source(Message("too many redirects".to_owned())))
    }

    async fn run(
        &self,
        call: &Call,
        tokens: Option<&dyn TokenProvider>,
    ) -> Result<(u16, Vec<u8>, ResponseMeta), Error> {
        let inner = &self.inner;
        let deadline = inner.clock.now() + inner.operation_timeout;
        let mut reauthed = false;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let key = RateKey {
                route: call.route,
                priority: call.priority,
            };
            if let Some(limiter) = &inner.rate_limiter {
                limiter.acquire(key).await;
            }
            let token = match (call.auth, tokens) {
                (Auth::None, _) => None,
                (Auth::Token, Some(provider)) => Some(provider.token().await?),
                (Auth::Token, None) => {
                    return Err(Error::config("this endpoint needs a token provider"));
                }
            };
            let remaining = deadline.saturating_duration_since(inner.clock.now());
            if remaining.is_zero() {
                return Err(Error::new(ErrorKind::Timeout));
            }
            let span = tracing::debug_span!(
                "dingtalk.request",
                method = call.method.as_str(),
                route = call.route,
                attempt,
                request_id = tracing::field::Empty,
                status = tracing::field::Empty,
            );
            let outcome = self
                .attempt(call, token.as_ref(), inner.attempt_timeout.min(remaining))
                .instrument(span.clone())
                .await;
            let error = match outcome {
                Ok((status, body, request_id)) => {
                    span.record("status", status);
                    if let Some(id) = &request_id {
                        span.record("request_id", id.as_str());
                    }
                    inner.budget.refill();
                    let meta = ResponseMeta {
                        request_id,
                        http_status: status,
                        attempts: attempt,
                    };
                    return Ok((status, body, meta));
                }
                Err(error) => error,
            };
            let class = error.retry_class();
            if let (RetryClass::Throttled, Some(limiter)) = (class, &inner.rate_limiter) {
                limiter.on_throttled(key, error.retry_after());
            }
            match class.decide(call.idempotent, reauthed) {
                Decision::GiveUp => return Err(error),
                Decision::Reauth => {
                    match (&token, tokens) {
                        (Some(token), Some(provider)) => provider.invalidate(token),
                        _ => return Err(error),
                    }
                    reauthed = true;
                    attempt -= 1; // a refresh is not a retry of the same request
                    tracing::debug!(route = call.route, "token rejected; refreshing once");
                }
                Decision::Retry => {
                    if attempt >= inner.retry.max_attempts() || !inner.budget.try_spend() {
                        return Err(error);
                    }
                    let backoff = {
                        let mut rng = inner
                            .rng
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        inner.retry.backoff(attempt, class, &mut *rng)
                    };
                    let wait = match error.retry_after() {
                        Some(asked) if asked > inner.retry.cap() => return Err(error),
                        Some(asked) => asked.max(backoff),
                        None => backoff,
                    };
                    if inner.clock.now() + wait >= deadline {
                        return Err(error);
                    }
                    tracing::debug!(route = call.route, attempt, ?wait, ?class, "retrying");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// One attempt: build, send, read, classify. Follows redirects for `GET` only, stripping the token when the
    /// origin changes.
    async fn attempt(
        &self,
        call: &Call,
        token: Option<&AccessToken>,
        timeout: Duration,
    ) -> Result<(u16, Vec<u8>, Option<String>), Error> {
        let inner = &self.inner;
        let origin = call.url.origin();
        let mut url = call.url.clone();
        let fut = async {
            for _ in 0..=Self::MAX_REDIRECTS {
                let cross_origin = url.origin() != origin;
                let token = if cross_origin { None } else { token };
                let request = self.build(call, &url, token, cross_origin)?;
                let response = request.send().await.map_err(map_reqwest_error)?;
                let status = response.status().as_u16();
                let request_id = response
                    .headers()
                    .get(REQUEST_ID_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                if (300..400).contains(&status) {
                    if call.method != Method::Get {
                        return Err(Error::new(ErrorKind::Transport)
                            .with_http_status(status)
                            .with_source(Message("unexpected redirect on a non-GET call".to_owned())));
                    }
                    url = next_location(&url, &response)?;
                    continue;
                }
                let retry_after = parse_retry_after(&response);
                let body = read_capped(response, inner.max_response_bytes).await?;
                if let Some(api) = ApiError::from_response(status, &body) {
                    let api = api.with_request_id(request_id).with_retry_after(retry_after);
                    return Err(Error::api(api));
                }
                let request_id = request_id.or_else(|| body_request_id(&body));
                return Ok((status, body, request_id));
            }
            Err(Error::new(ErrorKind::Transport).with_source(Message("too many redirects".to_owned())))
        };
        match tokio::time::timeout(timeout, fut).await {
            Ok(result) => result,
            Err(_) => Err(Error::new(ErrorKind::Timeout)),
        }
    }

    fn build(
        &self,
        call: &Call,
        url: &Url,
        token: Option<&AccessToken>,
        cross_origin: bool,
    ) -> Result<reqwest::RequestBuilder, Error> {
        let mut url = url.clone();
        if cross_origin {
            // A redirect to another origin never carries our credentials, not even ones echoed in Location.
            strip_query_param(&mut url, TOKEN_QUERY);
        }
        if let Some(token) = token {
            self.inner.trusted.check(&url)?;
            check_header_value(token.expose_secret())?;
            if call.host == ApiHost::Legacy {
                url.query_pairs_mut()
                    .append_pair(TOKEN_QUERY, token.expose_secret());
            }
        }
        let method = match call.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut request = self
            .inner
            .http
            .client()?
            .request(method, url)
            .header("accept", "application/json");
        if let (Some(token), ApiHost::V1) = (token, call.host) {
            request = request.header(TOKEN_HEADER, token.expose_secret());
        }
        for (name, value) in &call.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        request = match &call.body {
            Body::Empty => request,
            Body::Json(bytes) => request
                .header("content-type", "application/json")
                .body(bytes.clone()),
            Body::Form(fields) => {
                let encoded = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(fields)
                    .finish();
                request
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(encoded)
            }
            Body::Multipart(parts) => {
                let boundary = format!("dingtalk-rs-{:016x}", rand::random::<u64>());
                request
                    .header(
                        "content-type",
                        format!("multipart/form-data; boundary={boundary}"),
                    )
                    .body(encode_multipart(&boundary, parts)?)
            }
        };
        Ok(request)
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("base_urls", &self.inner.base_urls)
            .field("trusted", &self.inner.trusted)
            .field("attempt_timeout", &self.inner.attempt_timeout)
            .field("operation_timeout", &self.inner.operation_timeout)
            .field("retry", &self.inner.retry)
            .field("rate_limited", &self.inner.rate_limiter.is_some())
            .finish_non_exhaustive()
    }
}

struct Call {
    method: Method,
    host: ApiHost,
    route: &'static str,
    idempotent: bool,
    auth: Auth,
    url: Url,
    headers: Vec<(String, String)>,
    body: Body,
    priority: Priority,
}

/// Configures a [`Transport`]. Holds data only: no I/O, no environment reads.
pub struct TransportBuilder {
    base_urls: BaseUrls,
    trusted: TrustedHosts,
    connect_timeout: Duration,
    attempt_timeout: Duration,
    operation_timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: u64,
    rate_limiter: Option<Arc<dyn RateLimiter>>,
    clock: Arc<dyn Clock>,
    user_agent: String,
    rng_seed: Option<u64>,
}

impl Default for TransportBuilder {
    fn default() -> Self {
        Self {
            base_urls: BaseUrls::dingtalk(),
            trusted: TrustedHosts::dingtalk(),
            connect_timeout: Transport::DEFAULT_CONNECT_TIMEOUT,
            attempt_timeout: Transport::DEFAULT_ATTEMPT_TIMEOUT,
            operation_timeout: Transport::DEFAULT_OPERATION_TIMEOUT,
            retry: RetryPolicy::default(),
            max_response_bytes: Transport::DEFAULT_MAX_RESPONSE_BYTES,
            rate_limiter: None,
            clock: Arc::new(SystemClock),
            user_agent: concat!("dingtalk-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            rng_seed: None,
        }
    }
}

impl TransportBuilder {
    /// The three base URLs.
    #[must_use]
    pub fn base_urls(mut self, base_urls: BaseUrls) -> Self {
        self.base_urls = base_urls;
        self
    }

    /// The trusted-host policy for tokens.
    #[must_use]
    pub fn trusted_hosts(mut self, trusted: TrustedHosts) -> Self {
        self.trusted = trusted;
        self
    }

    /// Timeout for establishing a connection.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Timeout of one attempt.
    #[must_use]
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// Timeout of a whole call, retries included.
    #[must_use]
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// The retry policy.
    #[must_use]
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The response size cap in bytes.
    #[must_use]
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// The rate limiter awaited before every attempt; `None` turns limiting off.
    #[must_use]
    pub fn rate_limiter(mut self, limiter: Option<Arc<dyn RateLimiter>>) -> Self {
        self.rate_limiter = limiter;
        self
    }

    /// The clock.
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The `User-Agent` header.
    #[must_use]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Seeds the backoff jitter, for reproducible tests.
    #[must_use]
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.rng_seed = Some(seed);
        self
    }

    /// Validates the configuration and builds the transport. The HTTP client itself is built on the first request
    /// (a transport that only [`prepare`](Transport::prepare)s never loads the root certificates); if that fails,
    /// the request fails with [`ErrorKind::Config`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`] when a base URL is not trusted by the policy (a token would never be sent to it),
    /// when a timeout is zero, or when the user agent is not a valid header value.
    pub fn build(self) -> Result<Transport, Error> {
        for host in [ApiHost::V1, ApiHost::Legacy] {
            self.trusted
                .check(self.base_urls.base(host))
                .map_err(|e| Error::config("a base URL is outside the trusted-host policy").with_source(e))?;
        }
        if self.attempt_timeout.is_zero()
            || self.operation_timeout.is_zero()
            || self.connect_timeout.is_zero()
        {
            return Err(Error::config("timeouts must be greater than zero"));
        }
        check_header_value(&self.user_agent)?;
        let http = LazyHttp {
            client: std::sync::OnceLock::new(),
            connect_timeout: self.connect_timeout,
            user_agent: self.user_agent,
        };
        let rng = match self.rng_seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_rng(&mut rand::rng()),
        };
        Ok(Transport {
            inner: Arc::new(Inner {
                http,
                base_urls: self.base_urls,
                trusted: self.trusted,
                attempt_timeout: self.attempt_timeout,
                operation_timeout: self.operation_timeout,
                retry: self.retry,
                budget: RetryBudget::default(),
                max_response_bytes: self.max_response_bytes,
                rate_limiter: self.rate_limiter,
                clock: self.clock,
                rng: Mutex::new(rng),
            }),
        })
    }
}

impl fmt::Debug for TransportBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportBuilder")
            .field("base_urls", &self.base_urls)
            .field("trusted", &self.trusted)
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// Refuses header values with CR, LF or NUL (header injection).
pub fn check_header_value(value: &str) -> Result<(), Error> {
    if value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
        Err(Error::validation("header value contains CR, LF or NUL"))
    } else {
        Ok(())
    }
}

fn map_reqwest_error(error: reqwest::Error) -> Error {
    // reqwest's Display includes the URL, whose query may hold a token (`access_token` on the legacy host, a
    // webhook token): never let it into the error chain.
    let error = error.without_url();
    if error.is_timeout() {
        Error::new(ErrorKind::Timeout).with_source(error)
    } else if error.is_connect() {
        Error::new(ErrorKind::Transport)
            .with_retry_class(RetryClass::NotSent)
            .with_source(error)
    } else if error.is_builder() {
        Error::new(ErrorKind::Validation).with_source(error)
    } else {
        Error::new(ErrorKind::Transport)
            .with_retry_class(RetryClass::MaybeSent)
            .with_source(error)
    }
}

async fn read_capped(mut response: reqwest::Response, max: u64) -> Result<Vec<u8>, Error> {
    if response.content_length().is_some_and(|len| len > max) {
        return Err(Error::new(ErrorKind::ResponseTooLarge));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(map_reqwest_error)? {
        if body.len() as u64 + chunk.len() as u64 > max {
            return Err(Error::new(ErrorKind::ResponseTooLarge));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn parse_retry_after(response: &reqwest::Response) -> Option<Duration> {
    let value = response.headers().get("retry-after")?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn next_location(current: &Url, response: &reqwest::Response) -> Result<Url, Error> {
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            Error::new(ErrorKind::Transport).with_source(Message("redirect without Location".into()))
        })?;
    let next = current
        .join(location)
        .map_err(|e| Error::new(ErrorKind::Transport).with_source(e))?;
    if current.scheme() == "https" && next.scheme() != "https" {
        return Err(Error::new(ErrorKind::UntrustedHost)
            .with_source(Message("refused a redirect from HTTPS to HTTP".to_owned())));
    }
    if !matches!(next.scheme(), "http" | "https") {
        return Err(
            Error::new(ErrorKind::Transport).with_source(Message("redirect to a non-HTTP URL".into()))
        );
    }
    Ok(next)
}

/// Query parameters whose values are credentials and never shown.
const SECRET_QUERY_KEYS: &[&str] = &[
    "access_token",
    "sign",
    "session",
    "appsecret",
    "appSecret",
    "clientSecret",
    "ticket",
];

/// A copy of `url` with credential-bearing query values (`access_token`, `sign`, `session`, secrets, `ticket`)
/// replaced by `<redacted>`, for logs and dry runs.
fn redact_url(url: &Url) -> Url {
    let mut shown = url.clone();
    if url.query().is_none() {
        return shown;
    }
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let value = if SECRET_QUERY_KEYS.contains(&k.as_ref()) {
                "<redacted>".to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), value)
        })
        .collect();
    shown.query_pairs_mut().clear().extend_pairs(pairs);
    shown
}

fn strip_query_param(url: &mut Url, name: &str) {
    if url.query().is_none() {
        return;
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
}

fn body_request_id(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Ids {
        #[serde(alias = "requestid", alias = "request_id", alias = "requestId")]
        id: Option<String>,
    }
    if body.first() != Some(&b'{') {
        return None;
    }
    serde_json::from_slice::<Ids>(body).ok().and_then(|ids| ids.id)
}

fn encode_multipart(boundary: &str, parts: &[crate::endpoint::Part]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    for part in parts {
        for text in [part.name.as_str()]
            .into_iter()
            .chain(part.file_name.as_deref())
            .chain(part.content_type.as_deref())
        {
            if text.bytes().any(|b| matches!(b, b'\r' | b'\n' | b'"' | 0)) {
                return Err(Error::validation(
                    "multipart names must not contain quotes or line breaks",
                ));
            }
        }
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match &part.file_name {
            Some(file) => out.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{}\"; filename=\"{file}\"\r\n",
                    part.name
                )
                .as_bytes(),
            ),
            None => out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{}\"\r\n", part.name).as_bytes(),
            ),
        }
        if let Some(content_type) = &part.content_type {
            out.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&part.data);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_with_line_breaks_are_refused() {
        assert!(check_header_value("ok-value").is_ok());
        for bad in ["a\rb", "a\nb", "a\0b"] {
            assert_eq!(check_header_value(bad).unwrap_err().kind(), ErrorKind::Validation);
        }
    }

    /// Building a transport (all a dry run needs before `prepare`) does not build the HTTP client, whose
    /// root-certificate load was the largest part of a `dws --dry-run` call; the first request that goes out
    /// builds it, once.
    #[tokio::test]
    async fn the_http_client_is_built_on_the_first_request_only() {
        let transport = Transport::builder()
            .base_urls(BaseUrls::single("http://127.0.0.1:1").unwrap())
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        assert!(transport.inner.http.client.get().is_none());
        // Port 1 on loopback refuses the connection: the request fails, but it was built and tried.
        let _ = transport.download("http://127.0.0.1:1/x", 16).await;
        assert!(transport.inner.http.client.get().is_some());
        let again = transport.inner.http.client().unwrap();
        assert!(std::ptr::eq(again, transport.inner.http.client.get().unwrap()));
    }

    #[test]
    fn untrusted_base_url_is_a_config_error() {
        let error = Transport::builder()
            .base_urls(BaseUrls::single("https://evil.example").unwrap())
            .build()
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config);
        let error = Transport::builder()
            .base_urls(BaseUrls::single("http://api.dingtalk.com").unwrap())
            .build()
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config);
        assert!(
            Transport::builder()
                .base_urls(BaseUrls::single("http://127.0.0.1:1").unwrap())
                .build()
                .is_ok()
        );
    }

    #[test]
    fn token_query_is_stripped() {
        let mut url = Url::parse("https://x/a?access_token=secret&b=1").unwrap();
        strip_query_param(&mut url, TOKEN_QUERY);
        assert_eq!(url.query(), Some("b=1"));
        let mut url = Url::parse("https://x/a?access_token=secret").unwrap();
        strip_query_param(&mut url, TOKEN_QUERY);
        assert_eq!(url.query(), None);
    }

    #[test]
    fn multipart_encoding_refuses_injection() {
        let part = crate::endpoint::Part {
            name: "media".into(),
            file_name: Some("a\".png".into()),
            content_type: None,
            data: vec![1],
        };
        assert!(encode_multipart("b", &[part]).is_err());
        let part = crate::endpoint::Part {
            name: "media".into(),
            file_name: Some("a.png".into()),
            content_type: Some("image/png".into()),
            data: b"PNG".to_vec(),
        };
        let body = String::from_utf8(encode_multipart("b", &[part]).unwrap()).unwrap();
        assert!(body.contains("filename=\"a.png\"") && body.ends_with("--b--\r\n"));
    }
}
