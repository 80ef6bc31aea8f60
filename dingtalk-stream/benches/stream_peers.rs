//! Stream clients compared against one embedded sandbox: `dingtalk-stream` (ours), a bare tokio-tungstenite client
//! that only acks, the official Node SDK and the official Python SDK. Each client runs in its own process and
//! holds one connection; it acks every robot message at once.
//!
//! Measures per client: robot messages acked per second (one burst), ack latency p50/p99 at 1 000 messages/s
//! (push → ack, measured by the sandbox), and for ours the resident set size (`VmRSS` of the client process)
//! idle and after 1 000 000 messages.
//!
//! Run: `scripts/bench-stream-peers.sh` (installs the peers first), or
//! `cargo bench -p dingtalk-stream --bench stream_peers` (peers that are not installed are reported as such).
//! Options: `--only ours,bare,node,python`, `--rss-events N` (default 1 000 000; 0 skips), `--rss-round N` (messages
//! pushed at once in that phase, default 1 000).
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::disallowed_methods,
    clippy::cast_precision_loss,
    reason = "benchmark binary: panics on setup failures, prints its figures, measures real time"
)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use dingtalk_sandbox::{Burst, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, InjectMessage, Sandbox, SandboxHandle};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;

const LATENCY_RATE: u64 = 1_000;
const LATENCY_SECS: u64 = 5;
const PHASE_LIMIT: Duration = Duration::from_mins(1);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Peer {
    Ours,
    Bare,
    Node,
    Python,
}

impl Peer {
    fn name(self) -> &'static str {
        match self {
            Self::Ours => "ours",
            Self::Bare => "bare",
            Self::Node => "node",
            Self::Python => "python",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Ours => "dingtalk-stream (ours)",
            Self::Bare => "bare tokio-tungstenite, ack only",
            Self::Node => "official Node SDK `dingtalk-stream`",
            Self::Python => "official Python SDK `dingtalk-stream`",
        }
    }

    /// Messages in the throughput burst: enough for a few seconds of each client.
    fn burst(self) -> u64 {
        match self {
            Self::Ours | Self::Bare => 200_000,
            Self::Node => 50_000,
            Self::Python => 10_000,
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The command that runs `peer` against `base`, or why it cannot run.
fn command(peer: Peer, base: &str) -> Result<Command, String> {
    let root = root();
    let peers = std::env::var_os("BENCH_PEERS_DIR").map_or_else(|| root.join("bench-peers"), PathBuf::from);
    let mut cmd = match peer {
        Peer::Ours if std::env::var_os("BENCH_CLIENT_BIN").is_some() => {
            Command::new(std::env::var_os("BENCH_CLIENT_BIN").unwrap_or_default())
        }
        Peer::Ours | Peer::Bare => {
            let mut c = Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
            c.args(["--child", peer.name()]);
            c
        }
        Peer::Node => {
            let modules = peers.join("node/node_modules");
            if !modules.join("dingtalk-stream").exists() {
                return Err(format!("not installed ({} missing)", modules.display()));
            }
            let mut c = Command::new("node");
            c.arg(root.join("dingtalk-stream/benches/peers/node_peer.js"))
                .env("NODE_PATH", modules);
            c
        }
        Peer::Python => {
            let python = peers.join("python/bin/python");
            if !python.exists() {
                return Err(format!("not installed ({} missing)", python.display()));
            }
            let mut c = Command::new(python);
            c.arg(root.join("dingtalk-stream/benches/peers/python_peer.py"));
            c
        }
    };
    cmd.args([DEMO_CLIENT_ID, DEMO_CLIENT_SECRET])
        .env("DINGTALK_OPENAPI_ENDPOINT", base)
        .env("BENCH_BASE", base)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(if std::env::var_os("BENCH_VERBOSE").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .kill_on_drop(true);
    Ok(cmd)
}

/// One `/proc/<pid>/status` field in KiB (`VmRSS`, `RssAnon`, `RssFile`).
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// `VmRSS` of a process, in KiB.
fn rss_kib(pid: u32) -> Option<u64> {
    status_kib(pid, "VmRSS")
}

/// Resident memory: total, anonymous (heap, stacks) and file-backed (code of the binary and libraries), KiB.
#[derive(Clone, Copy, Default)]
struct Rss {
    total: Option<u64>,
    anon: Option<u64>,
    file: Option<u64>,
}

fn rss(pid: u32) -> Rss {
    Rss {
        total: status_kib(pid, "VmRSS"),
        anon: status_kib(pid, "RssAnon"),
        file: status_kib(pid, "RssFile"),
    }
}

impl std::fmt::Display for Rss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (anon {}, file {})",
            mib(self.total),
            mib(self.anon),
            mib(self.file)
        )
    }
}

/// CPU time (user + system) a process has used so far, in clock ticks (`/proc/<pid>/stat` fields 14 and 15).
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state): utime is field 14, stime field 15.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Clock ticks per second (`sysconf(_SC_CLK_TCK)`; 100 on Linux).
const TICKS_PER_SEC: f64 = 100.0;

/// Pushes `n` robot messages at once, then a sentinel; returns when the sentinel is acked (the clients ack in
/// order) and every message is acked.
async fn push_and_wait(sb: &SandboxHandle, n: u64) -> Duration {
    let started = Instant::now();
    let mut burst = Burst::new(n);
    burst.conversations = Some(50);
    sb.burst(&burst).unwrap();
    let user = sb.org().users[0].user_id.clone();
    let sentinel = sb
        .inject_message(&InjectMessage::direct(user, "sentinel"))
        .unwrap();
    if std::env::var_os("BENCH_VERBOSE").is_some() {
        eprintln!("sentinel {sentinel:?}; {:?}", sb.stats().connections);
    }
    assert!(
        sb.wait_for_ack(&sentinel.message_id, PHASE_LIMIT).await,
        "sentinel not acked"
    );
    let elapsed = started.elapsed();
    assert!(
        sb.wait_for(PHASE_LIMIT, |s| s.acked > n).await,
        "not every message acked"
    );
    elapsed
}

struct Figures {
    rate: f64,
    p50_ms: f64,
    p99_ms: f64,
    p99_after_burst_ms: f64,
    /// Client CPU (user + system) per acked message during the burst.
    cpu_us_per_msg: Option<f64>,
    /// Client RSS right after the burst.
    rss_burst_kib: Option<u64>,
    rss_idle: Rss,
    rss_after: Option<Rss>,
    rss_events: u64,
}

/// 1 000 messages/s for `LATENCY_SECS`, one every millisecond; the sandbox's push → ack latencies.
async fn paced(sb: &SandboxHandle) -> dingtalk_sandbox::Stats {
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / LATENCY_RATE));
    for _ in 0..LATENCY_RATE * LATENCY_SECS {
        tick.tick().await;
        sb.burst(&Burst::new(1)).unwrap();
    }
    let total = LATENCY_RATE * LATENCY_SECS;
    assert!(
        sb.wait_for(PHASE_LIMIT, |s| s.acked >= total).await,
        "latency phase not acked"
    );
    let stats = sb.stats();
    sb.reset();
    stats
}

/// `--rss-round N`: messages pushed at once per round of the RSS phase (default 1 000).
fn rss_round_size() -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--rss-round")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(1_000)
}

async fn measure(peer: Peer, rss_events: u64) -> Result<Figures, String> {
    let sb = Sandbox::builder()
        .redelivery_after(Duration::from_hours(1))
        .start()
        .await
        .unwrap();
    let mut child: Child = command(peer, &sb.base_url())?
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))?;
    if !sb.wait_for_connections(1, Duration::from_secs(30)).await {
        let _ = child.start_kill();
        return Err("never connected".into());
    }
    let pid = child.id().unwrap_or_default();
    // Idle: connected, answered a few messages, then quiet.
    push_and_wait(&sb, 100).await;
    sb.reset();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_idle = rss(pid);

    let stats = paced(&sb).await;

    let mut rss_after = None;
    if peer == Peer::Ours && rss_events > 0 {
        // Steady traffic in rounds of 1 000 (a burst of 100 000 would measure the backlog, not the steady state).
        let chunk = rss_round_size().min(rss_events);
        let mut done = 0;
        while done < rss_events {
            push_and_wait(&sb, chunk).await;
            sb.reset(); // keeps the sandbox's own memory flat; the client is what is measured
            done += chunk;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        rss_after = Some(rss(pid));
    }

    // Last, as it leaves a large backlog behind in every client.
    let n = peer.burst();
    let cpu_before = cpu_ticks(pid);
    let elapsed = push_and_wait(&sb, n).await;
    let cpu_after = cpu_ticks(pid);
    let rss_burst_kib = rss_kib(pid);
    let rate = (n + 1) as f64 / elapsed.as_secs_f64();
    let cpu_us_per_msg = cpu_before
        .zip(cpu_after)
        .map(|(a, b)| (b - a) as f64 / TICKS_PER_SEC * 1e6 / (n + 1) as f64);
    sb.reset();
    let after_burst = paced(&sb).await;

    let _ = child.start_kill();
    let _ = child.wait().await;
    sb.shutdown().await;
    Ok(Figures {
        rate,
        p50_ms: stats.ack_latency_p50_ms,
        p99_ms: stats.ack_latency_p99_ms,
        p99_after_burst_ms: after_burst.ack_latency_p99_ms,
        cpu_us_per_msg,
        rss_burst_kib,
        rss_idle,
        rss_after,
        rss_events,
    })
}

/// Child: our client, acking every bot message as it arrives.
async fn child_ours(base: String) {
    use dingtalk_stream::{Client, Inbound};
    let mut conn = Client::builder(DEMO_CLIENT_ID, secrecy::SecretString::from(DEMO_CLIENT_SECRET))
        .api_base(base)
        .subscribe_bot_messages()
        // The burst outruns any consumer; past the inbound buffer the engine leaves frames unacked for
        // redelivery by design (R-CONC-5). The peers buffer without bound, so give ours room too.
        .inbound_capacity(1 << 18)
        .build()
        .unwrap()
        .connect()
        .await
        .unwrap();
    while let Some(item) = conn.next().await {
        if let Ok(Inbound::Callback(_, responder)) = item {
            let _ = responder.ack().await;
        }
    }
}

#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(borrow)]
    headers: Headers<'a>,
    /// A JSON string with escapes: borrowed when it has none.
    #[serde(default, borrow)]
    data: Option<std::borrow::Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Headers<'a> {
    #[serde(rename = "messageId", default)]
    message_id: Option<&'a str>,
    #[serde(default)]
    topic: Option<&'a str>,
}

/// Child: a bare tokio-tungstenite client. It opens a ticket, answers `ping`, acks every CALLBACK with
/// `{"response":null}` and does nothing else (no dedup, no liveness, no reconnect): the floor for any client.
async fn child_bare(base: String) {
    let open: Value = reqwest::Client::new()
        .post(format!("{base}/v1.0/gateway/connections/open"))
        .header("accept", "application/json")
        .json(
            &json!({"clientId": DEMO_CLIENT_ID, "clientSecret": DEMO_CLIENT_SECRET,
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
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            sink.feed(Message::Text(first.into())).await.unwrap();
            while let Ok(next) = rx.try_recv() {
                sink.feed(Message::Text(next.into())).await.unwrap();
            }
            sink.flush().await.unwrap();
        }
    });
    while let Some(Ok(msg)) = stream.next().await {
        let Message::Text(text) = msg else { continue };
        let Ok(frame) = serde_json::from_str::<Frame<'_>>(&text) else {
            continue;
        };
        let Some(mid) = frame.headers.message_id else {
            continue;
        };
        let ack = match (frame.kind, frame.headers.topic) {
            ("SYSTEM", Some("ping")) => json!({"code": 200, "headers": {"contentType": "application/json",
                "messageId": mid}, "message": "OK", "data": frame.data.as_deref().unwrap_or("{}")}),
            ("CALLBACK", _) => json!({"code": 200, "headers": {"contentType": "application/json",
                "messageId": mid}, "message": "OK", "data": "{\"response\":null}"}),
            _ => continue,
        };
        if tx.send(ack.to_string()).is_err() {
            return;
        }
    }
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(|| "n/a".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if let Some(child) = arg("--child") {
        let base = std::env::var("BENCH_BASE").expect("BENCH_BASE");
        let rt = if std::env::var("BENCH_CHILD_RT").as_deref() == Ok("current") {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
        } else {
            rt
        };
        match child.as_str() {
            "ours" => rt.block_on(child_ours(base)),
            _ => rt.block_on(child_bare(base)),
        }
        return;
    }
    let only = arg("--only").unwrap_or_else(|| "ours,bare,node,python".into());
    let rss_events: u64 = arg("--rss-events")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let peers: Vec<Peer> = [Peer::Ours, Peer::Bare, Peer::Node, Peer::Python]
        .into_iter()
        .filter(|p| only.split(',').any(|o| o == p.name()))
        .collect();
    let mut rows = Vec::new();
    for peer in peers {
        eprintln!("measuring {} ...", peer.name());
        let result = rt.block_on(measure(peer, rss_events));
        if let Err(e) = &result {
            eprintln!("{}: {e}", peer.name());
        }
        rows.push((peer, result));
    }
    let rate_of = |want: Peer| {
        rows.iter()
            .find(|(p, _)| *p == want)
            .and_then(|(_, r)| r.as_ref().ok())
            .map(|f| f.rate)
    };
    let ours = rate_of(Peer::Ours);
    println!(
        "| Client | Burst | Acked/s, one connection | Ours ÷ client | Client CPU per message | Ack latency p50 / p99 at 1 000/s | p99 at 1 000/s after the burst | RSS after the burst |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (peer, result) in &rows {
        match result {
            Ok(f) => {
                let ratio = ours.map_or_else(|| "n/a".into(), |o| format!("{:.2}×", o / f.rate));
                let cpu = f
                    .cpu_us_per_msg
                    .map_or_else(|| "n/a".into(), |c| format!("{c:.1} µs"));
                println!(
                    "| {} | {} | {:.0} | {ratio} | {cpu} | {:.2} ms / {:.2} ms | {:.2} ms | {} |",
                    peer.label(),
                    peer.burst(),
                    f.rate,
                    f.p50_ms,
                    f.p99_ms,
                    f.p99_after_burst_ms,
                    mib(f.rss_burst_kib)
                );
            }
            Err(e) => println!("| {} | — | {e} | — | — | — | — | — |", peer.label()),
        }
    }
    if let Some((_, Ok(f))) = rows.iter().find(|(p, _)| *p == Peer::Ours) {
        println!();
        let binary = if std::env::var_os("BENCH_CLIENT_BIN").is_some() {
            "its own binary, examples/stream_bench_client.rs"
        } else {
            "the bench binary, which links the whole sandbox"
        };
        println!(
            "Ours, RSS of the client process ({binary}): idle {}, after {} more messages {}",
            f.rss_idle,
            f.rss_events,
            f.rss_after.map_or_else(|| "n/a".into(), |r| r.to_string())
        );
    }
}
