//! The bot, end to end, on the embedded sandbox: a user DMs the bot, a (scripted) agent answers, the reply streams
//! into an AI card, and a group question is answered through the session webhook.
//!
//! ```sh
//! cargo run -p examples --example bot_demo
//! ```

#![expect(clippy::print_stdout, reason = "an example prints what it does")]

use std::time::Duration;

use dingtalk_bot::BotConfig;
use dingtalk_bot::agent::{AgentSpec, ScriptStep};
use dingtalk_bot::app::{App, AppOptions, Endpoints};
use dingtalk_sandbox::InjectMessage;

const ANSWER: &[&str] = &[
    "## Deploy status\n\n",
    "- api: **green** (v2.4.1)\n",
    "- web: **green** (v1.9.0)\n",
    "- worker: rolling out, 3/5 pods\n\n",
    "ETA for the worker rollout is about 4 minutes.",
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A scripted agent that streams its answer in pieces, like `claude -p --output-format stream-json` would.
    let mut script = Vec::new();
    for piece in ANSWER {
        script.push(ScriptStep::Text((*piece).to_owned()));
        script.push(ScriptStep::Sleep(Duration::from_millis(350)));
    }
    // The same wiring as `dingtalk-bot run`: an embedded sandbox, this agent, nothing written to disk.
    let config = BotConfig::parse(
        "[dingtalk.groups.\"*\"]\nreply_mode = \"markdown\"\n",
        "demo.toml",
    )?;
    let options = AppOptions::default()
        .endpoints(Endpoints::EmbeddedSandbox)
        .agent(AgentSpec::scripted(script))
        .ephemeral(true);
    let running = App::new(config, "demo.toml", options).start().await?;
    let sandbox = running.sandbox().ok_or("the embedded sandbox did not start")?;
    println!("sandbox   {}", sandbox.base_url());
    println!("bot       connected over Stream mode");

    // 1. A direct message: the answer streams into an AI card.
    sandbox.inject_message(&InjectMessage::direct("user001", "how is the deploy going?"))?;
    println!("user001   how is the deploy going?");
    watch_card(sandbox).await;

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

    running.shutdown().await?;
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
