//! Card API calls per streamed reply and end-to-end latency with 50 concurrent conversations, against the
//! embedded sandbox. Each reply is a scripted agent streaming 20 pieces over about 2 s; cards stream at the default
//! 300 ms interval through the app-wide limiter at its default 20 QPS.
//!
//! Run: `cargo bench -p dingtalk-bot --bench card_replies`

#![expect(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::too_many_lines,
    reason = "a bench binary: one linear script that reports on stdout"
)]

use std::sync::Arc;
use std::time::Duration;

use dingtalk_auth::AppTokenProvider;
use dingtalk_bot::agent::{AgentSpec, ScriptStep};
use dingtalk_bot::pairing::MemoryPairingStore;
use dingtalk_bot::registry::Registry;
use dingtalk_bot::{Bot, BotConfig, BotParts};
use dingtalk_cards::{
    CardConfig, CardDriver, DriverConfig, LimiterConfig, MemoryJournal, PriorityLimiter, TemplateSpec,
};
use dingtalk_core::{
    AppCredentials, BaseUrls, ClientId, Clock, RetryPolicy, SecretString, SystemClock, Transport,
};
use dingtalk_openapi::Client;
use dingtalk_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, InjectMessage, Sandbox};
use dingtalk_stream::Dispatcher;

const CONVERSATIONS: usize = 50;
const PIECES: usize = 20;
const PIECE_GAP: Duration = Duration::from_millis(100);

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sandbox = Sandbox::start().await.unwrap();
    let limiter = Arc::new(PriorityLimiter::new(LimiterConfig::default()));
    let creds = AppCredentials::new(
        ClientId::new(DEMO_CLIENT_ID),
        SecretString::from(DEMO_CLIENT_SECRET),
    );
    let bases = BaseUrls::single(&sandbox.base_url()).unwrap();
    let transport = |retry| {
        Transport::builder()
            .base_urls(bases.clone())
            .rate_limiter(Some(limiter.clone()))
            .retry_policy(retry)
            .build()
            .unwrap()
    };
    let api = transport(RetryPolicy::default());
    let tokens = Arc::new(AppTokenProvider::new(api.clone(), creds));
    let card = CardConfig::default();
    let interval = card.stream_interval;
    let cards = CardDriver::spawn(
        Client::new(transport(RetryPolicy::none()), tokens.clone()),
        DriverConfig {
            account: "default".into(),
            robot_code: DEMO_CLIENT_ID.into(),
            card,
            template: TemplateSpec::stock(),
            stream_callbacks: true,
        },
        Arc::new(MemoryJournal::default()),
    );
    let mut script = Vec::new();
    let mut final_text = String::new();
    for i in 0..PIECES {
        let piece = format!("piece {i:02} of the answer. ");
        final_text.push_str(&piece);
        script.push(ScriptStep::Text(piece));
        script.push(ScriptStep::Sleep(PIECE_GAP));
    }
    let toml = "[dingtalk.session]\ngroup_scope = \"group_sender\"\n[dingtalk.agent]\nmax_concurrent = 64\n";
    let config = BotConfig::parse(toml, "bench.toml").unwrap();
    let bot = Bot::new(BotParts {
        account_id: "default".into(),
        account: config.default().unwrap().clone(),
        client: Client::new(api, tokens),
        cards: Some(cards),
        agent: AgentSpec::scripted(script),
        pairing: Arc::new(MemoryPairingStore::default()),
        registry: Arc::new(Registry::in_memory()),
        final_texts: Arc::new(dingtalk_cards::MemoryFinalTexts::default()),
        agent_sessions: Arc::new(dingtalk_bot::sessions::MemoryAgentSessions::default()),
    });
    let stream = dingtalk_stream::Client::builder(DEMO_CLIENT_ID, SecretString::from(DEMO_CLIENT_SECRET))
        .subscribe_bot_messages()
        .subscribe_card_callbacks()
        .api_base(sandbox.base_url())
        .build()
        .unwrap();
    let conn = stream.connect().await.unwrap();
    let _task = tokio::spawn(async move { Dispatcher::new(DEMO_CLIENT_ID, bot.handler()).run(conn).await });
    sandbox.wait_for_connections(1, Duration::from_secs(5)).await;

    // 24 direct chats and 26 per-user group sessions: 50 conversations at once.
    let users: Vec<String> = sandbox.org().users.iter().map(|u| u.user_id.clone()).collect();
    let groups: Vec<String> = sandbox
        .org()
        .groups
        .iter()
        .map(|g| g.open_conversation_id.clone())
        .collect();
    let start = SystemClock.now();
    let start_ms = SystemClock.epoch_millis();
    for i in 0..CONVERSATIONS {
        let message = if i < users.len() {
            InjectMessage::direct(&users[i], "go")
        } else {
            let j = i - users.len();
            InjectMessage::group(&groups[j % groups.len()], &users[j % users.len()], "go")
        };
        sandbox.inject_message(&message).unwrap();
    }
    let done = |cards: &[dingtalk_sandbox::CardView]| {
        cards
            .iter()
            .filter(|c| c.flow_status.as_deref() == Some("3"))
            .count()
    };
    for _ in 0..1200 {
        if done(&sandbox.cards()) >= CONVERSATIONS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let wall = SystemClock.now() - start;
    let cards = sandbox.cards();
    let mut calls: Vec<usize> = cards.iter().map(|c| c.calls.len()).collect();
    let mut latency_ms: Vec<u64> = cards
        .iter()
        .filter_map(|c| {
            c.flow_status_history
                .iter()
                .find(|h| h.value == "3")
                .map(|h| h.time.saturating_sub(start_ms))
        })
        .collect();
    let correct = cards
        .iter()
        .filter(|c| c.variables.get("msgContent").map(String::as_str) == Some(final_text.trim_end()))
        .count();
    let throttled: usize = cards
        .iter()
        .map(|c| {
            c.calls
                .iter()
                .filter(|x| x.status == 403 || x.status == 429)
                .count()
        })
        .sum();
    calls.sort_unstable();
    latency_ms.sort_unstable();
    let streamed = PIECE_GAP * u32::try_from(PIECES).unwrap();
    let budget = 3 + streamed.as_millis().div_ceil(interval.as_millis());
    let pct = |v: &[u64], p: usize| {
        v.get((v.len() * p / 100).min(v.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    println!(
        "conversations: {CONVERSATIONS}, reply streamed over {streamed:?}, interval {interval:?}, limiter 20 QPS"
    );
    println!(
        "cards finished: {} / {CONVERSATIONS}; final text delivered exactly: {correct}",
        done(&cards)
    );
    println!(
        "card API calls per reply: min {} median {} max {} (budget 3 + ceil(duration/interval) = {budget})",
        calls.first().unwrap_or(&0),
        calls[calls.len() / 2],
        calls.last().unwrap_or(&0)
    );
    println!(
        "end-to-end latency (inject → flowStatus 3): p50 {} ms, p90 {} ms, max {} ms; throttled answers: {throttled}; wall {wall:?}",
        pct(&latency_ms, 50),
        pct(&latency_ms, 90),
        latency_ms.last().unwrap_or(&0)
    );
    sandbox.shutdown().await;
}
