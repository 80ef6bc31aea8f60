//! Stream push throughput: the sandbox pushes small bot-message frames over one WebSocket to a client that only
//! acks. Run: `cargo bench -p dingtalk-sandbox --bench stream_throughput` (optional arg: frame count).
#![expect(clippy::unwrap_used, clippy::print_stdout, reason = "benchmark binary")]

use std::time::{Duration, Instant};

use dingtalk_sandbox::{Burst, Sandbox};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

#[expect(
    clippy::disallowed_methods,
    reason = "the benchmark measures real elapsed time"
)]
fn now() -> Instant {
    Instant::now()
}

#[tokio::main]
async fn main() {
    let count: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200_000);
    let sb = Sandbox::builder()
        .server_ping_interval(None)
        .redelivery_after(Duration::from_hours(1))
        .start()
        .await
        .unwrap();
    let open: Value = reqwest::Client::new()
        .post(format!("{}/v1.0/gateway/connections/open", sb.base_url()))
        .header("accept", "application/json")
        .json(
            &json!({"clientId": "dingsandboxdemo", "clientSecret": "sandbox-secret",
                      "subscriptions": [{"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get"}]}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = format!(
        "{}?ticket={}",
        open["endpoint"].as_str().unwrap(),
        open["ticket"].as_str().unwrap()
    );
    let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let (mut sink, mut stream) = ws.split();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    // Writer: acks, batched.
    let writer = tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            sink.feed(Message::Text(first.into())).await.unwrap();
            while let Ok(next) = rx.try_recv() {
                sink.feed(Message::Text(next.into())).await.unwrap();
            }
            sink.flush().await.unwrap();
        }
    });
    let reader = tokio::spawn(async move {
        let mut seen = 0u64;
        let mut bytes = 0usize;
        while seen < count {
            let Some(Ok(Message::Text(text))) = stream.next().await else {
                break;
            };
            bytes += text.len();
            // Only the messageId is needed for the ack; find it without a full parse.
            let mid = text
                .split_once("\"messageId\":\"")
                .and_then(|(_, rest)| rest.split_once('"'))
                .map_or("", |(id, _)| id);
            let ack = format!(
                r#"{{"code":200,"headers":{{"contentType":"application/json","messageId":"{mid}"}},"message":"OK","data":"{{\"response\":null}}"}}"#
            );
            if tx.send(ack).is_err() {
                break;
            }
            seen += 1;
        }
        (seen, bytes)
    });
    let start = now();
    sb.burst(&Burst::new(count)).unwrap();
    let pushed = start.elapsed();
    let (seen, bytes) = reader.await.unwrap();
    let received = start.elapsed();
    let mut acked = 0;
    for _ in 0..1000 {
        acked = sb.stats().acked;
        if acked >= seen {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let all_acked = start.elapsed();
    writer.abort();
    let secs = received.as_secs_f64();
    #[expect(clippy::cast_precision_loss, reason = "display only")]
    let rate = seen as f64 / secs;
    #[expect(clippy::cast_precision_loss, reason = "display only")]
    let avg = bytes as f64 / seen.max(1) as f64;
    println!(
        "frames: {seen} (avg {avg:.0} bytes), burst call: {pushed:?}, all received: {received:?}, all acked ({acked}): {all_acked:?}"
    );
    println!("throughput: {rate:.0} frames/s over one connection");
    sb.shutdown().await;
}
