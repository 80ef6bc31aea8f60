//! Quickstart: app token, a typed call on each host style, a throttled call that retries, and a clear error for
//! bad credentials.
//!
//! With no arguments it starts the embedded DingTalk sandbox, so it runs on any machine:
//!
//! ```sh
//! cargo run -p examples --example quickstart
//! ```
//!
//! Against DingTalk itself, set the base URL and your app's credentials (the same code runs unchanged):
//!
//! ```sh
//! DINGTALK_BASE_URL=https://api.dingtalk.com DINGTALK_OAPI_URL=https://oapi.dingtalk.com \
//! DINGTALK_CLIENT_ID=ding... DINGTALK_CLIENT_SECRET=... DINGTALK_USER_ID=manager432 \
//!   cargo run -p examples --example quickstart
//! ```

#![expect(clippy::print_stdout, reason = "an example prints what it does")]

use std::borrow::Cow;
use std::sync::Arc;

use dingtalk_auth::AppTokenProvider;
use dingtalk_core::{
    ApiHost, AppCredentials, BaseUrls, Body, ClientId, Endpoint, Error, ErrorKind, Method, SecretString,
    TokenProvider, Transport,
};
use dingtalk_sandbox::{Fault, FaultRule, Sandbox};
use serde::{Deserialize, Serialize};

/// `POST https://oapi.dingtalk.com/topapi/v2/user/get`: one user's profile (legacy host, token in the query).
#[derive(Serialize)]
struct GetUser {
    userid: String,
}

#[derive(Debug, Deserialize)]
struct GetUserResponse {
    result: UserDetail,
}

#[derive(Debug, Deserialize)]
struct UserDetail {
    userid: String,
    name: String,
    #[serde(default)]
    unionid: String,
}

impl Endpoint for GetUser {
    type Response = GetUserResponse;
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
    fn validate(&self) -> Result<(), Error> {
        dingtalk_core::endpoint::require("userid", &self.userid)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. Where to talk to: the real service when configured, else an embedded sandbox.
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let (sandbox, bases, client_id, secret, user_id) = if let Some(api) = env("DINGTALK_BASE_URL") {
        let oapi = env("DINGTALK_OAPI_URL").unwrap_or_else(|| BaseUrls::DINGTALK_OAPI.to_owned());
        let bases = BaseUrls::parse(&api, &oapi, BaseUrls::DINGTALK_LOGIN)?;
        let id = env("DINGTALK_CLIENT_ID").ok_or("set DINGTALK_CLIENT_ID")?;
        let secret = env("DINGTALK_CLIENT_SECRET").ok_or("set DINGTALK_CLIENT_SECRET")?;
        let user = env("DINGTALK_USER_ID").ok_or("set DINGTALK_USER_ID")?;
        (None, bases, id, secret, user)
    } else {
        let sandbox = Sandbox::start().await?;
        println!("sandbox     embedded DingTalk emulator at {}", sandbox.base_url());
        let bases = BaseUrls::single(&sandbox.base_url())?;
        let user = sandbox
            .org()
            .users
            .first()
            .map(|u| u.user_id.clone())
            .ok_or("demo org has no users")?;
        let (id, secret) = (
            dingtalk_sandbox::DEMO_CLIENT_ID,
            dingtalk_sandbox::DEMO_CLIENT_SECRET,
        );
        (Some(sandbox), bases, id.to_owned(), secret.to_owned(), user)
    };

    // 2. One transport per process; one token provider per app.
    let transport = Transport::builder().base_urls(bases).build()?;
    let credentials = AppCredentials::new(ClientId::new(client_id.clone()), SecretString::from(secret));
    let tokens = Arc::new(AppTokenProvider::new(transport.clone(), credentials));

    // 3. Many concurrent callers on a cold cache share one token request.
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let tokens = tokens.clone();
            tokio::spawn(async move { tokens.token().await })
        })
        .collect();
    for call in calls {
        call.await??;
    }
    println!("app token   100 concurrent callers served by one token request (app {client_id})");

    // 4. A typed call on the legacy host: the token goes in the query, errors come as `errcode`.
    let user = transport
        .execute(
            &GetUser {
                userid: user_id.clone(),
            },
            Some(tokens.as_ref()),
        )
        .await?;
    println!(
        "user        {} = {} (unionId {})",
        user.result.userid, user.result.name, user.result.unionid
    );

    // 5. Throttling is retried with backoff, honouring Retry-After (sandbox only: we inject the fault).
    if let Some(sandbox) = &sandbox {
        sandbox.set_fault(
            FaultRule::new("/topapi/v2/user/get", Fault::Http429 { retry_after: Some(1) }).times(1),
        );
        let (_, meta) = transport
            .execute_with_meta(
                &GetUser {
                    userid: user_id.clone(),
                },
                Some(tokens.as_ref()),
            )
            .await?;
        println!(
            "throttled   HTTP 429 + Retry-After: 1 → answered after {} attempts",
            meta.attempts
        );
    }

    // 6. Bad credentials fail fast with a kind and DingTalk's code, and the secret is never printed.
    let wrong = AppCredentials::new(ClientId::new(client_id), SecretString::from("not-the-secret"));
    let Err(error) = AppTokenProvider::new(transport.clone(), wrong).token().await else {
        return Err("a wrong secret was accepted".into());
    };
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    let code = error.api_error().map_or("-", |e| e.code().as_str());
    println!(
        "bad secret  error kind {:?}, DingTalk code {code}: \"{error}\"",
        error.kind()
    );

    if let Some(sandbox) = sandbox {
        sandbox.shutdown().await;
    }
    println!("done");
    Ok(())
}
