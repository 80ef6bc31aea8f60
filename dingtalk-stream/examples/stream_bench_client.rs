//! The `dingtalk-stream` client of the peer benchmark as a binary of its own, so its memory is the client's and not
//! that of the benchmark binary (which links the whole sandbox). `scripts/bench-stream-peers.sh` builds it and
//! points the bench at it with `BENCH_CLIENT_BIN`; without that variable the bench runs the same loop in-process.
//!
//! Usage: `BENCH_BASE=http://127.0.0.1:<port> stream_bench_client <client_id> <client_secret>`. It holds one
//! connection and acks every robot message at once, until it is killed.
#![expect(
    clippy::expect_used,
    clippy::print_stderr,
    reason = "a benchmark helper: fails loudly on bad setup"
)]

use dingtalk_stream::{Client, Inbound};
use futures_util::StreamExt;
use secrecy::SecretString;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(id), Some(secret)) = (args.next(), args.next()) else {
        eprintln!("usage: BENCH_BASE=<api base> stream_bench_client <client_id> <client_secret>");
        std::process::exit(2);
    };
    let base = std::env::var("BENCH_BASE").expect("BENCH_BASE");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let mut conn = Client::builder(id, SecretString::from(secret))
            .api_base(base)
            .subscribe_bot_messages()
            // The burst outruns any consumer; past the inbound buffer the engine leaves frames unacked for
            // redelivery by design (R-CONC-5). The peers buffer without bound, so give ours room too.
            .inbound_capacity(1 << 18)
            .build()
            .expect("client")
            .connect()
            .await
            .expect("connect");
        while let Some(item) = conn.next().await {
            if let Ok(Inbound::Callback(_, responder)) = item {
                let _ = responder.ack().await;
            }
        }
    });
}
