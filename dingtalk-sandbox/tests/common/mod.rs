//! Shared by the sandbox's tests: the demo app's token, a new-host call; for the property tests one sandbox (with an app token) per
//! test binary, and a JSON generator biased
//! toward the field names and ids the handlers under test look for.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::sync::OnceLock;

use dingtalk_sandbox::{Sandbox, SandboxHandle};
use proptest::prelude::*;
use serde_json::{Value, json};

/// A sandbox shared by every case of a test binary, with the runtime that serves it.
pub(crate) struct Env {
    /// Runs the sandbox and the test's requests.
    pub(crate) rt: tokio::runtime::Runtime,
    /// The sandbox under test.
    pub(crate) sandbox: SandboxHandle,
    /// An app access token for the demo app.
    pub(crate) token: String,
    /// The client the cases send with.
    pub(crate) http: reqwest::Client,
}

/// Starts the shared sandbox on first use.
pub(crate) fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let http = reqwest::Client::new();
        let (sandbox, token) = rt.block_on(async {
            let sandbox = Sandbox::start().await.unwrap();
            let token = demo_app_token(&http, &sandbox.base_url()).await;
            (sandbox, token)
        });
        Env {
            rt,
            sandbox,
            token,
            http,
        }
    })
}

/// An app access token for the sandbox's demo app, from the sandbox at `base`.
pub(crate) async fn demo_app_token(http: &reqwest::Client, base: &str) -> String {
    let body: Value = http
        .post(format!("{base}/v1.0/oauth2/accessToken"))
        .json(&json!({"appKey": dingtalk_sandbox::DEMO_CLIENT_ID, "appSecret": dingtalk_sandbox::DEMO_CLIENT_SECRET}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["accessToken"].as_str().unwrap().to_owned()
}

/// An app access token for the demo app, from the sandbox `sb`.
pub(crate) async fn app_token(sb: &SandboxHandle) -> String {
    demo_app_token(&reqwest::Client::new(), &sb.base_url()).await
}

/// `method path` (PUT, else POST) on the new host with the app token `tok` and a JSON body: the status and the
/// JSON answer (`Null` when the answer is not JSON).
pub(crate) async fn call(
    http: &reqwest::Client,
    sb: &SandboxHandle,
    tok: &str,
    method: &str,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let url = format!("{}{path}", sb.base_url());
    let req = match method {
        "PUT" => http.put(url),
        _ => http.post(url),
    };
    let resp = req
        .header("x-acs-dingtalk-access-token", tok)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Random JSON up to three levels deep: scalars of every type, the given meaningful `strings`, and objects keyed
/// by the given field names (so handlers get past their first checks).
pub(crate) fn json_value(
    strings: &'static [&'static str],
    keys: &'static [&'static str],
) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-3_i64..40).prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[a-zA-Z0-9_:./=+ -]{0,12}".prop_map(Value::String),
        prop::sample::select(strings).prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(prop::sample::select(keys).prop_map(str::to_owned), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
