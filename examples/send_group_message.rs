//! Send a markdown message to a group as the robot, then recall it.
//!
//! ```sh
//! cargo run -p examples --example send_group_message
//! ```
//!
//! With no arguments it uses the embedded sandbox and its first demo group. Against DingTalk, set
//! `DINGTALK_BASE_URL`, `DINGTALK_CLIENT_ID`, `DINGTALK_CLIENT_SECRET` and `DINGTALK_GROUP` (an
//! `openConversationId`); the robot code is the client id (internal apps).

#![expect(clippy::print_stdout, reason = "an example prints what it does")]

use std::sync::Arc;

use dingtalk_auth::AppTokenProvider;
use dingtalk_core::{
    AppCredentials, BaseUrls, ClientId, OpenConversationId, RobotCode, SecretString, Transport,
};
use dingtalk_openapi::Client;
use dingtalk_openapi::robot::RobotMessage;
use dingtalk_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut sandbox = None;
    let (bases, id, secret, group) = if let Some(api) = env("DINGTALK_BASE_URL") {
        let oapi = env("DINGTALK_OAPI_URL").unwrap_or_else(|| BaseUrls::DINGTALK_OAPI.to_owned());
        (
            BaseUrls::parse(&api, &oapi, BaseUrls::DINGTALK_LOGIN)?,
            env("DINGTALK_CLIENT_ID").ok_or("set DINGTALK_CLIENT_ID")?,
            env("DINGTALK_CLIENT_SECRET").ok_or("set DINGTALK_CLIENT_SECRET")?,
            env("DINGTALK_GROUP").ok_or("set DINGTALK_GROUP")?,
        )
    } else {
        let started = Sandbox::start().await?;
        let group = started.org().groups[0].open_conversation_id.clone();
        let bases = BaseUrls::single(&started.base_url())?;
        sandbox = Some(started);
        (
            bases,
            dingtalk_sandbox::DEMO_CLIENT_ID.to_owned(),
            dingtalk_sandbox::DEMO_CLIENT_SECRET.to_owned(),
            group,
        )
    };
    let transport = Transport::builder().base_urls(bases).build()?;
    let tokens = AppTokenProvider::new(
        transport.clone(),
        AppCredentials::new(ClientId::new(id.clone()), SecretString::from(secret)),
    );
    let client = Client::new(transport, Arc::new(tokens));

    let robot = RobotCode::new(id);
    let chat = OpenConversationId::new(group);
    let message = RobotMessage::markdown(
        "Deploy finished",
        "#### Deploy finished\n- api: **v2.4.1**\n- web: **v1.9.0**",
    );
    let sent = client
        .robot()
        .send_group_message(robot.clone(), chat.clone(), message)
        .await?;
    let key = sent.process_query_key.ok_or("no processQueryKey in the answer")?;
    println!("sent      to {chat}: processQueryKey {key}");

    let recalled = client
        .robot()
        .recall_group_message(robot, chat, vec![key.clone()])
        .await?;
    println!(
        "recalled  {} ok, {} failed",
        recalled.success_result.len(),
        recalled.failed_result.len()
    );
    if let Some(sandbox) = sandbox {
        let outbox = sandbox.outbox(0);
        println!(
            "sandbox   outbox: {} message(s), recalled: {}",
            outbox.len(),
            outbox.iter().filter(|m| m.recalled).count()
        );
        sandbox.shutdown().await;
    }
    println!("done");
    Ok(())
}
