//! The `app` module: the wiring shared by the binary, `dws bot run` and demos, against the sandbox.

#![expect(clippy::unwrap_used, reason = "tests: a failure should panic with context")]

use std::time::Duration;

use dingtalk_bot::BotConfig;
use dingtalk_bot::agent::{AgentSpec, ScriptStep};
use dingtalk_bot::app::{App, AppErrorKind, AppOptions, Endpoints, SendRequest};
use dingtalk_core::BaseUrls;
use dingtalk_sandbox::{InjectMessage, Sandbox, SandboxHandle};
use dingtalk_test_support::TempDir;

fn config(toml: &str) -> BotConfig {
    BotConfig::parse(toml, "test.toml").unwrap()
}

fn scripted(text: &str) -> AgentSpec {
    AgentSpec::scripted(vec![ScriptStep::Text(text.into())])
}

async fn wait_until(mut done: impl FnMut() -> bool) {
    for _ in 0..400 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("condition not reached in 10 s");
}

fn finished_cards(sandbox: &SandboxHandle) -> usize {
    sandbox
        .cards()
        .iter()
        .filter(|c| c.flow_status.as_deref() == Some("3"))
        .count()
}

#[tokio::test]
async fn a_background_app_on_an_embedded_sandbox_answers_in_a_card_and_shuts_down() {
    let options = AppOptions::default()
        .endpoints(Endpoints::EmbeddedSandbox)
        .agent(scripted("pong"))
        .ephemeral(true);
    let running = App::new(config(""), "test.toml", options).start().await.unwrap();
    assert_eq!(running.bots().map(|(id, _)| id).collect::<Vec<_>>(), ["default"]);
    let sandbox = running.sandbox().unwrap();
    sandbox
        .inject_message(&InjectMessage::direct("user001", "ping"))
        .unwrap();
    wait_until(|| finished_cards(sandbox) == 1).await;
    let card = sandbox.cards().remove(0);
    assert_eq!(card.variables.get("msgContent").map(String::as_str), Some("pong"));
    tokio::time::timeout(Duration::from_secs(10), running.shutdown())
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn run_returns_when_the_shutdown_future_completes() {
    let options = AppOptions::default()
        .endpoints(Endpoints::EmbeddedSandbox)
        .agent(scripted("pong"))
        .ephemeral(true);
    let app = App::new(config(""), "test.toml", options);
    let result = tokio::time::timeout(
        Duration::from_secs(10),
        app.run(tokio::time::sleep(Duration::from_millis(300))),
    )
    .await
    .unwrap();
    assert!(result.is_ok(), "{result:?}");
}

/// State on disk survives the run: the conversations a run saw are listed afterwards, and `send` without a
/// recipient goes to the latest group.
#[tokio::test]
async fn conversations_and_send_use_the_state_of_the_run() {
    let sandbox = Sandbox::start().await.unwrap();
    let dir = TempDir::new("bot-app");
    let options = || {
        AppOptions::default()
            .endpoints(Endpoints::Sandbox(BaseUrls::single(&sandbox.base_url()).unwrap()))
            .agent(scripted("pong"))
            .data_dir(dir.path())
    };
    let toml = "[dingtalk.groups.\"*\"]\nreply_mode = \"markdown\"\n";
    let running = App::new(config(toml), "test.toml", options())
        .start()
        .await
        .unwrap();
    assert!(sandbox.wait_for_connections(1, Duration::from_secs(5)).await);
    let group = sandbox.org().groups[0].open_conversation_id.clone();
    sandbox
        .inject_message(&InjectMessage::group(&group, "user002", " status?"))
        .unwrap();
    wait_until(|| sandbox.outbox(0).iter().any(|e| e.route == "webhook")).await;
    running.shutdown().await.unwrap();
    assert!(dir.path().join("cards.db").exists() && dir.path().join("dedup.db").exists());

    let app = App::new(config(toml), "test.toml", options());
    let seen = app.conversations().unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].conversation_id, group);
    let report = app
        .send(&SendRequest {
            title: Some("Alert".into()),
            body: "Server is down!".into(),
            ..SendRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(report.messages, 1);
    let sent = sandbox
        .outbox(0)
        .into_iter()
        .find(|e| e.route == "openapi")
        .unwrap();
    assert_eq!(sent.conversation.as_deref(), Some(group.as_str()));
    assert!(sent.text.unwrap_or_default().contains("Server is down!"));
}

#[tokio::test]
async fn send_with_no_known_group_is_a_usage_error_with_a_hint() {
    let options = AppOptions::default()
        .endpoints(Endpoints::EmbeddedSandbox)
        .ephemeral(true);
    let app = App::new(config(""), "test.toml", options);
    let err = app
        .send(&SendRequest {
            body: "hi".into(),
            ..SendRequest::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), AppErrorKind::Usage);
    assert!(err.hint().unwrap().contains("--to"), "{err:?}");
}

#[tokio::test]
async fn an_unknown_account_is_a_config_error_naming_the_file_and_the_accounts() {
    let app = App::new(
        config(""),
        "bot.toml",
        AppOptions::default().account("nope").ephemeral(true),
    );
    let err = app.conversations().unwrap_err();
    assert_eq!(err.kind(), AppErrorKind::Config);
    assert!(
        err.message().contains("bot.toml") && err.message().contains("nope"),
        "{err}"
    );
    assert!(err.hint().unwrap().contains("default"), "{err:?}");
    let err = app.start().await.unwrap_err();
    assert_eq!(err.kind(), AppErrorKind::Config);
}

#[tokio::test]
async fn a_live_account_without_credentials_is_refused_before_connecting() {
    let app = App::new(
        config("[dingtalk]\nenvironment = \"live\"\n"),
        "test.toml",
        AppOptions::default().ephemeral(true),
    );
    let err = app.start().await.unwrap_err();
    assert_eq!(err.kind(), AppErrorKind::Credentials);
    assert!(err.hint().is_some());
}

#[tokio::test]
async fn a_missing_secret_env_names_the_variable_not_a_value() {
    let app = App::new(
        config(
            "[dingtalk]\nenvironment = \"live\"\nclient_id = \"dingabc\"\nclient_secret_env = \"BOT_APP_TEST_SECRET_UNSET\"\n",
        ),
        "test.toml",
        AppOptions::default().account("default").ephemeral(true),
    );
    let err = app
        .send(&SendRequest {
            to: Some("cid1".into()),
            body: "x".into(),
            ..SendRequest::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), AppErrorKind::Credentials);
    assert!(err.message().contains("BOT_APP_TEST_SECRET_UNSET"), "{err}");
}

#[test]
fn pairing_admin_reports_unknown_codes_and_users() {
    let app = App::new(config(""), "test.toml", AppOptions::default().ephemeral(true));
    let admin = app.pairing().unwrap();
    assert!(admin.pending().is_empty() && admin.approved().is_empty());
    assert_eq!(admin.approve("ABCDEFGH").unwrap_err().kind(), AppErrorKind::Usage);
    assert_eq!(admin.deny("ABCDEFGH").unwrap_err().kind(), AppErrorKind::Usage);
    assert_eq!(admin.revoke("user9").unwrap_err().kind(), AppErrorKind::Usage);
}

#[test]
fn a_bad_config_file_is_a_config_error_naming_the_file() {
    let dir = TempDir::new("bot-app-config");
    let path = dir.path().join("bot.toml");
    std::fs::write(&path, "[dingtalk]\nno_such_key = 1\n").unwrap();
    let err = App::load(&path, AppOptions::default()).unwrap_err();
    assert_eq!(err.kind(), AppErrorKind::Config);
    assert!(err.message().contains("bot.toml"), "{err}");
}

/// Final card texts live in `data_dir` (SQLite) for `journal_ttl_days`: a quote of a card answered before a
/// restart still brings its text into the prompt.
#[tokio::test]
async fn a_card_quoted_after_a_restart_is_still_resolved() {
    let sandbox = Sandbox::start().await.unwrap();
    let dir = TempDir::new("bot-app-quote");
    let options = || {
        AppOptions::default()
            .endpoints(Endpoints::Sandbox(BaseUrls::single(&sandbox.base_url()).unwrap()))
            .agent(AgentSpec::scripted(vec![
                ScriptStep::Text("answer: ".into()),
                ScriptStep::EchoPrompt,
            ]))
            .data_dir(dir.path())
    };
    let running = App::new(config(""), "test.toml", options())
        .start()
        .await
        .unwrap();
    assert!(sandbox.wait_for_connections(1, Duration::from_secs(5)).await);
    sandbox
        .inject_message(&InjectMessage::direct("user001", "the plan"))
        .unwrap();
    wait_until(|| finished_cards(&sandbox) == 1).await;
    running.shutdown().await.unwrap();
    let first = sandbox.cards().remove(0);

    let running = App::new(config(""), "test.toml", options())
        .start()
        .await
        .unwrap();
    assert!(sandbox.wait_for_connections(1, Duration::from_secs(5)).await);
    let quote = InjectMessage::direct("user001", "go on").with_content(
        "text",
        serde_json::json!({
            "isReplyMsg": true,
            "repliedMsg": {"msgType": "interactiveCard", "content": {}},
            "originalProcessQueryKey": format!("carrier1.{}", first.out_track_id),
        }),
    );
    sandbox.inject_message(&quote).unwrap();
    wait_until(|| finished_cards(&sandbox) == 2).await;
    running.shutdown().await.unwrap();
    let second = sandbox
        .cards()
        .into_iter()
        .find(|c| c.out_track_id != first.out_track_id)
        .unwrap();
    assert!(
        second.variables["msgContent"].contains("> answer: the plan"),
        "{:?}",
        second.variables
    );
}

/// The agent's session id per conversation is kept in `data_dir/sessions.json`: a restart resumes it, `/new`
/// forgets it.
#[tokio::test]
async fn agent_sessions_survive_a_restart_and_new_forgets_them() {
    let sandbox = Sandbox::start().await.unwrap();
    let dir = TempDir::new("bot-app-sessions");
    let options = || {
        AppOptions::default()
            .endpoints(Endpoints::Sandbox(BaseUrls::single(&sandbox.base_url()).unwrap()))
            .agent(AgentSpec::scripted(vec![
                ScriptStep::Session("sess-42".into()),
                ScriptStep::Text("resumed: ".into()),
                ScriptStep::EchoSession,
            ]))
            .data_dir(dir.path())
    };
    let ask = |n: usize, text: &str| {
        sandbox
            .inject_message(&InjectMessage::direct("user001", text))
            .unwrap();
        let sandbox = &sandbox;
        async move { wait_until(|| finished_cards(sandbox) == n).await }
    };
    let answers = || {
        let mut cards = sandbox.cards();
        cards.sort_by_key(|c| c.calls.first().map(|call| call.time));
        cards
            .into_iter()
            .map(|c| c.variables["msgContent"].clone())
            .collect::<Vec<_>>()
    };
    let running = App::new(config(""), "test.toml", options())
        .start()
        .await
        .unwrap();
    assert!(sandbox.wait_for_connections(1, Duration::from_secs(5)).await);
    ask(1, "first").await;
    running.shutdown().await.unwrap();

    let running = App::new(config(""), "test.toml", options())
        .start()
        .await
        .unwrap();
    assert!(sandbox.wait_for_connections(1, Duration::from_secs(5)).await);
    ask(2, "second").await;
    sandbox
        .inject_message(&InjectMessage::direct("user001", "/new"))
        .unwrap();
    wait_until(|| {
        sandbox
            .outbox(0)
            .iter()
            .any(|e| e.text.as_deref().is_some_and(|t| t.contains("新的会话")))
    })
    .await;
    ask(3, "third").await;
    running.shutdown().await.unwrap();
    assert_eq!(
        answers(),
        ["resumed: -", "resumed: sess-42", "resumed: -"],
        "a fresh start, a resumed session after the restart, a fresh one after /new"
    );
}

/// Shutting down mid-answer closes the live card ("service restarting", `flowStatus "5"`) instead of leaving a
/// spinner, and does not wait for the agent.
#[tokio::test]
async fn shutdown_mid_answer_closes_the_live_card() {
    let sandbox = Sandbox::start().await.unwrap();
    let options = AppOptions::default()
        .endpoints(Endpoints::Sandbox(BaseUrls::single(&sandbox.base_url()).unwrap()))
        .agent(AgentSpec::scripted(vec![
            ScriptStep::Text("working".into()),
            ScriptStep::Sleep(Duration::from_secs(30)),
        ]))
        .ephemeral(true);
    let running = App::new(config(""), "test.toml", options).start().await.unwrap();
    assert!(sandbox.wait_for_connections(1, Duration::from_secs(5)).await);
    sandbox
        .inject_message(&InjectMessage::direct("user001", "long job"))
        .unwrap();
    wait_until(|| {
        sandbox.cards().iter().any(|c| {
            c.variables
                .get("msgContent")
                .is_some_and(|t| t.contains("working"))
        })
    })
    .await;
    tokio::time::timeout(Duration::from_secs(15), running.shutdown())
        .await
        .expect("shutdown waited for the agent")
        .unwrap();
    let card = sandbox.cards().remove(0);
    assert_eq!(card.flow_status.as_deref(), Some("5"), "{card:?}");
    assert_ne!(card.render_state, "spinning", "{card:?}");
    assert!(card.variables["msgContent"].starts_with("working"), "{card:?}");
}

#[tokio::test]
async fn the_echo_agent_answers_with_the_prompt() {
    let options = AppOptions::default()
        .endpoints(Endpoints::EmbeddedSandbox)
        .agent(AgentSpec::echo())
        .ephemeral(true);
    let running = App::new(config(""), "test.toml", options).start().await.unwrap();
    let sandbox = running.sandbox().unwrap();
    sandbox
        .inject_message(&InjectMessage::direct("user001", "hello there"))
        .unwrap();
    wait_until(|| finished_cards(sandbox) == 1).await;
    assert_eq!(sandbox.cards()[0].variables["msgContent"], "echo: hello there");
    running.shutdown().await.unwrap();
}

/// Regression: the app kept its stores under its data directory (the `data_dir` option, else `data_dir` in the
/// config, else `~/.local/state`) but handed the bot the unresolved setting, so the bot's media went to the system
/// temp dir and a file the agent put in `<data_dir>/outbox` was refused as outside the media roots.
#[tokio::test]
async fn media_in_the_apps_data_dir_outbox_is_sent() {
    let sandbox = Sandbox::start().await.unwrap();
    let dir = TempDir::new("bot-app-media");
    let outbox = dir.path().join("outbox");
    std::fs::create_dir_all(&outbox).unwrap();
    let chart = outbox.join("chart.png");
    std::fs::write(
        &chart,
        [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0],
    )
    .unwrap();
    let options = AppOptions::default()
        .endpoints(Endpoints::Sandbox(BaseUrls::single(&sandbox.base_url()).unwrap()))
        .agent(scripted(&format!(
            "here [DING:IMAGE path=\"{}\"]",
            chart.display()
        )))
        .data_dir(dir.path());
    let toml = "[dingtalk.groups.\"*\"]\nreply_mode = \"markdown\"\n";
    let running = App::new(config(toml), "test.toml", options)
        .start()
        .await
        .unwrap();
    assert!(sandbox.wait_for_connections(1, Duration::from_secs(5)).await);
    let group = sandbox.org().groups[0].open_conversation_id.clone();
    sandbox
        .inject_message(&InjectMessage::group(&group, "user002", " chart?"))
        .unwrap();
    wait_until(|| sandbox.outbox(0).iter().any(|e| e.msgtype == "sampleImageMsg")).await;
    running.shutdown().await.unwrap();
}
