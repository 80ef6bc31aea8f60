//! 1 000 concurrent callers on a cold app-token cache: how many token requests, and how long until every caller
//! has a token. The token endpoint is a local mock answering after 50 ms. For comparison the same load runs
//! without single flight (every caller fetches), which is what a naive cache does on a cold start.
//!
//! Run: `cargo bench -p dingtalk-auth --bench single_flight`

#![expect(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a bench binary reports on stdout"
)]

use std::sync::Arc;
use std::time::Duration;

use dingtalk_auth::AppTokenProvider;
use dingtalk_core::{
    AppCredentials, BaseUrls, ClientId, Clock, SecretString, SystemClock, TokenProvider, Transport,
};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CALLERS: usize = 1000;
const ROUNDS: usize = 5;

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/oauth2/accessToken"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"accessToken": "tok", "expireIn": 7200}))
                .set_delay(Duration::from_millis(50)),
        )
        .mount(&server)
        .await;
    server
}

fn provider(server: &MockServer) -> AppTokenProvider {
    let transport = Transport::builder()
        .base_urls(BaseUrls::single(&server.uri()).unwrap())
        .build()
        .unwrap();
    AppTokenProvider::new(
        transport,
        AppCredentials::new(ClientId::new("dingapp"), SecretString::from("s")),
    )
}

async fn single_flight_round() -> (usize, Duration) {
    let server = server().await;
    let provider = Arc::new(provider(&server));
    let start = SystemClock.now();
    let tasks: Vec<_> = (0..CALLERS)
        .map(|_| {
            let provider = provider.clone();
            tokio::spawn(async move { provider.token().await.unwrap() })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = SystemClock.now() - start;
    (server.received_requests().await.unwrap().len(), elapsed)
}

async fn naive_round() -> (usize, Duration) {
    let server = server().await;
    let start = SystemClock.now();
    let tasks: Vec<_> = (0..CALLERS)
        .map(|_| {
            // A fresh provider per caller: no shared cache, no single flight.
            let provider = provider(&server);
            tokio::spawn(async move { provider.token().await.unwrap() })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = SystemClock.now() - start;
    (server.received_requests().await.unwrap().len(), elapsed)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!("callers per round: {CALLERS}, token endpoint latency: 50 ms, rounds: {ROUNDS}");
    for (name, single) in [
        ("single-flight (AppTokenProvider)", true),
        ("naive: every caller fetches", false),
    ] {
        let mut requests = Vec::new();
        let mut times = Vec::new();
        for _ in 0..ROUNDS {
            let (count, elapsed) = if single {
                single_flight_round().await
            } else {
                naive_round().await
            };
            requests.push(count);
            times.push(elapsed);
        }
        times.sort();
        println!(
            "{name:34} requests/round: {:?}  wall median: {:?}  min: {:?}  max: {:?}",
            requests,
            times[ROUNDS / 2],
            times[0],
            times[ROUNDS - 1]
        );
    }
}
