//! An echo bot: answers each robot message through its session webhook.
//!
//! With no arguments it starts an embedded `dingtalk-sandbox`, sends itself three messages, echoes them, prints the
//! sandbox outbox and exits. With `<client_id> <client_secret> [api_base]` it connects to DingTalk (or the given
//! base) and echoes until the process is stopped.
#![expect(clippy::print_stdout, reason = "an example prints what it does")]

use std::time::Duration;

use dingtalk_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, InjectMessage, Sandbox};
use dingtalk_stream::{Callback, Client, Dispatcher, Handler, HandlerError};
use secrecy::SecretString;
use serde_json::json;

struct Echo {
    http: reqwest::Client,
}

#[async_trait::async_trait]
impl Handler for Echo {
    async fn on_bot_message(&self, callback: Callback) -> Result<(), HandlerError> {
        let Some(msg) = callback.bot_message() else {
            return Ok(());
        };
        let Some(webhook) = msg.session_webhook.as_deref() else {
            return Ok(());
        };
        let text = msg
            .content
            .text()
            .unwrap_or_else(|| format!("(a {} message)", msg.msg_type));
        let body = json!({"msgtype": "text", "text": {"content": format!("echo: {}", text.trim())}});
        let answer = self.http.post(webhook).json(&body).send().await?;
        println!("echoed {} → HTTP {}", msg.id, answer.status());
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    if let [client_id, secret, rest @ ..] = args.as_slice() {
        let mut builder =
            Client::builder(client_id.as_str(), SecretString::from(secret.clone())).subscribe_bot_messages();
        if let Some(base) = rest.first() {
            builder = builder.api_base(base.as_str());
        }
        let conn = builder.build()?.connect().await?;
        println!("connected; echoing until the process ends");
        Dispatcher::new(client_id.as_str(), Echo { http })
            .run(conn)
            .await?;
        return Ok(());
    }

    let sandbox = Sandbox::start().await?;
    println!("sandbox at {}", sandbox.base_url());
    let conn = Client::builder(DEMO_CLIENT_ID, SecretString::from(DEMO_CLIENT_SECRET))
        .api_base(sandbox.base_url())
        .subscribe_bot_messages()
        .build()?
        .connect()
        .await?;
    let stop = tokio::sync::oneshot::channel::<()>();
    let bot = tokio::spawn(
        Dispatcher::new(DEMO_CLIENT_ID, Echo { http }).run_until(conn, async move {
            let _ = stop.1.await;
        }),
    );
    let user = sandbox.org().users[0].user_id.clone();
    for text in ["hello", "how are you?", "bye"] {
        sandbox.inject_message(&InjectMessage::direct(user.clone(), text))?;
    }
    for _ in 0..100 {
        if sandbox.outbox(0).len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for entry in sandbox.outbox(0) {
        println!("outbox: {} {:?}", entry.route, entry.text);
    }
    let _ = stop.0.send(());
    let report = bot.await??;
    println!("shut down: {report:?}");
    sandbox.shutdown().await;
    Ok(())
}
