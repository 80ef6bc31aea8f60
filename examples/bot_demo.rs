//! The bot, end to end, on the embedded sandbox: a user DMs the bot, a (scripted) agent answers, the reply streams
//! into an AI card, and a group question is answered through the session webhook.
//!
//! ```sh
//! cargo run -p examples --example bot_demo
//! ```

#![expect(clippy::print_stdout, reason = "an example prints what it does")]

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
use dingtalk_core::{AppCredentials, BaseUrls, ClientId, RetryPolicy, SecretString, Transport};
use dingtalk_openapi::Client;
use dingtalk_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, InjectMessage, Sandbox};
use dingtalk_stream::Dispatcher;

const ANSWER: &[&str] = &[
    "## Deploy status\n\n",
    "- api: **green** (v2.4.1)\n",
    "- web: **green** (v1.9.0)\n",
    "- worker: rolling out, 3/5 pods\n\n",
    "ETA for the worker rollout is about 4 minutes.",
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    println!("sandbox   {}", sandbox.base_url());

    // One limiter per app, shared by card calls and message sends.
    let limiter = Arc::new(PriorityLimiter::new(LimiterConfig::default()));
    let creds = AppCredentials::new(
        ClientId::new(DEMO_CLIENT_ID),
        SecretString::from(DEMO_CLIENT_SECRET),
    );
    let bases = BaseUrls::single(&sandbox.base_url())?;
    let transport = |retry: RetryPolicy| {
        Transport::builder()
            .base_urls(bases.clone())
            .rate_limiter(Some(limiter.clone()))
            .retry_policy(retry)
            .build()
    };
    let api = transport(RetryPolicy::default())?;
    let tokens = Arc::new(AppTokenProvider::new(api.clone(), creds));
    let cards = CardDriver::spawn(
        Client::new(transport(RetryPolicy::none())?, tokens.clone()),
        DriverConfig {
            account: "default".into(),
            robot_code: DEMO_CLIENT_ID.into(),
            card: CardConfig::default(),
            template: TemplateSpec::stock(),
            stream_callbacks: true,
        },
        Arc::new(MemoryJournal::default()),
    );

    // A scripted agent that streams its answer in pieces, like `claude -p --output-format stream-json` would.
    let mut script = Vec::new();
    for piece in ANSWER {
        script.push(ScriptStep::Text((*piece).to_owned()));
        script.push(ScriptStep::Sleep(Duration::from_millis(350)));
    }
    let config = BotConfig::parse(
        "[dingtalk.groups.\"*\"]\nreply_mode = \"markdown\"\n",
        "demo.toml",
    )?;
    let bot = Bot::new(BotParts {
        account_id: "default".into(),
        account: config.default().ok_or("no account")?.clone(),
        client: Client::new(api, tokens),
        cards: Some(cards),
        agent: AgentSpec::scripted(script),
        pairing: Arc::new(MemoryPairingStore::default()),
        registry: Arc::new(Registry::in_memory()),
    });

    let stream = dingtalk_stream::Client::builder(DEMO_CLIENT_ID, SecretString::from(DEMO_CLIENT_SECRET))
        .subscribe_bot_messages()
        .subscribe_card_callbacks()
        .api_base(sandbox.base_url())
        .build()?;
    let conn = stream.connect().await?;
    let task = tokio::spawn(async move { Dispatcher::new(DEMO_CLIENT_ID, bot.handler()).run(conn).await });
    println!("bot       connected over Stream mode");

    // 1. A direct message: the answer streams into an AI card.
    sandbox.inject_message(&InjectMessage::direct("user001", "how is the deploy going?"))?;
    println!("user001   how is the deploy going?");
    watch_card(&sandbox).await;

    // 2. A group question (groups answer in markdown here): it goes back through the session webhook.
    let group = sandbox.org().groups[0].open_conversation_id.clone();
    sandbox.inject_message(&InjectMessage::group(&group, "user002", " status?"))?;
    println!("user002   @bot status?   (group {group})");
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if let Some(reply) = sandbox.outbox(0).into_iter().find(|e| e.route == "webhook") {
            println!(
                "bot       [{} via {}] {:?}",
                reply.msgtype,
                reply.route,
                reply.title.unwrap_or_default()
            );
            break;
        }
    }

    task.abort();
    sandbox.shutdown().await;
    println!("done");
    Ok(())
}

/// Prints the card's text as it grows, until it finishes.
async fn watch_card(sandbox: &dingtalk_sandbox::SandboxHandle) {
    let mut shown = String::new();
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let Some(card) = sandbox.cards().into_iter().next() else {
            continue;
        };
        let text = card.variables.get("msgContent").cloned().unwrap_or_default();
        if text != shown {
            let new = text.strip_prefix(shown.as_str()).unwrap_or(&text);
            println!(
                "card      +{:?}  (flowStatus {})",
                new,
                card.flow_status.as_deref().unwrap_or("-")
            );
            shown = text;
        }
        if card.flow_status.as_deref() == Some("3") {
            let calls = card.calls.len();
            println!(
                "card      finished: flowStatus history {:?}, {calls} card API calls",
                card.flow_status_history
                    .iter()
                    .map(|h| h.value.as_str())
                    .collect::<Vec<_>>()
            );
            break;
        }
    }
}
