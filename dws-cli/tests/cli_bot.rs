//! `dws demo` and `dws bot run` through the built binary.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly")]

use std::process::Stdio;
use std::time::Duration;

mod common;

#[test]
fn demo_runs_the_bot_and_product_commands_on_one_sandbox() {
    let home = common::tempdir("dws-demo");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dws"))
        .args(["demo", "--message", "ping from the test"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DWS_CONFIG_DIR", home.join("config"))
        .env("HOME", &*home)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Not a terminal: plain lines, no cursor movement.
    assert!(!stdout.contains('\x1b'), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(&"  user001 ▸ ping from the test"), "{stdout}");
    assert!(lines.contains(&"  card   ▸ echo: ping from the test"), "{stdout}");
    assert!(lines.contains(&"  card   ✓ finished (flowStatus 3)"), "{stdout}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("    Alice (user001), unionId ")),
        "{stdout}"
    );
    assert!(lines.iter().any(|l| l.starts_with("    created ")), "{stdout}");
    assert!(lines.iter().any(|l| l.ends_with(" events")), "{stdout}");
    assert!(lines.last().unwrap().starts_with("done in "), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bot_run_answers_in_a_card_and_stops_after_its_duration() {
    let sandbox = dingtalk_sandbox::Sandbox::start().await.unwrap();
    let url = sandbox.base_url();
    let home = common::tempdir("dws-bot-run");
    // No config file in the working directory: --sandbox runs the echo agent.
    let child = common::spawn_piped(
        tokio::process::Command::new(env!("CARGO_BIN_EXE_dws"))
            .args([
                "--sandbox",
                &url,
                "bot",
                "run",
                "-c",
                "missing.toml",
                "--duration",
                "6",
            ])
            .current_dir(&*home)
            .env_clear()
            .env("DWS_CONFIG_DIR", home.join("config"))
            .env("HOME", &*home),
    );
    assert!(
        sandbox.wait_for_connections(1, Duration::from_secs(20)).await,
        "the bot did not connect"
    );
    sandbox
        .inject_message(&dingtalk_sandbox::InjectMessage::direct("user002", "hello bot"))
        .unwrap();
    let mut text = None;
    for _ in 0..200 {
        if let Some(card) = sandbox
            .cards()
            .into_iter()
            .find(|c| c.flow_status.as_deref() == Some("3"))
        {
            text = card.variables.get("msgContent").cloned();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(text.as_deref(), Some("echo: hello bot"));
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("bot run stops after --duration")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("echo agent"), "{stderr}");
    // A missing config without --sandbox is a config error (exit 3) naming the file.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_dws"))
        .args(["bot", "run", "-c", "missing.toml"])
        .current_dir(&*home)
        .env_clear()
        .env("DWS_CONFIG_DIR", home.join("config"))
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    common::assert_exit(&out, 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.toml"));
    sandbox.shutdown().await;
}

/// Ctrl-C (SIGINT) stops `bot run` gracefully with exit 0.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bot_run_exits_zero_on_sigint() {
    let sandbox = dingtalk_sandbox::Sandbox::start().await.unwrap();
    let url = sandbox.base_url();
    let home = common::tempdir("dws-bot-int");
    let child = common::spawn_piped(
        tokio::process::Command::new(env!("CARGO_BIN_EXE_dws"))
            .args(["--sandbox", &url, "bot", "run", "-c", "missing.toml"])
            .current_dir(&*home)
            .env_clear()
            .env("DWS_CONFIG_DIR", home.join("config")),
    );
    assert!(
        sandbox.wait_for_connections(1, Duration::from_secs(20)).await,
        "the bot did not connect"
    );
    let out = common::interrupt(child, Duration::from_secs(20), "bot run stops on SIGINT").await;
    common::assert_exit(&out, 0);
    sandbox.shutdown().await;
}

/// `dws msg send` (dingtalk-bridge parity) through `dingtalk_bot::app`: markdown to a named group and plain text to
/// a person land in the sandbox outbox as robot sends; with no recipient and no group seen yet it is a usage error;
/// a dry run sends nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msg_send_posts_as_the_bot_and_says_when_it_has_no_recipient() {
    const ENG: &str = "cidSandboxEng0001+demo/Aa==";
    let sandbox = dingtalk_sandbox::Sandbox::start().await.unwrap();
    let url = sandbox.base_url();
    let home = common::tempdir("dws-msg-send");
    let run = |args: &[&str]| {
        common::dws_command(&home)
            .args([
                "--sandbox",
                &url,
                "-f",
                "json",
                "msg",
                "send",
                "-c",
                "missing.toml",
            ])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--to", ENG, "--title", "Deploy", "--text", "all **green**"]);
    common::assert_exit(&out, 0);
    assert_eq!(common::one_json(&out.stdout)["response"]["messages"], 1);
    let out = run(&["--to", "user:user002", "--plain", "--text", "ping"]);
    common::assert_exit(&out, 0);
    let sent = sandbox.outbox(0);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0].conversation.as_deref(), Some(ENG));
    assert_eq!(sent[0].msgtype, "sampleMarkdown");
    assert!(
        sent[0]
            .text
            .as_deref()
            .is_some_and(|t| t.contains("## Deploy") && t.contains("all **green**")),
        "{sent:?}"
    );
    assert_eq!(sent[1].recipients, ["user002"]);
    assert_eq!(sent[1].msgtype, "sampleText");
    assert_eq!(sent[1].text.as_deref(), Some("ping"));

    // No --to and no group seen by this (ephemeral) bot: exit 3 with the hint, nothing sent.
    let out = run(&["--text", "hello"]);
    let err = common::assert_error(&out, 3, "invalid_argument");
    assert!(
        err["error"]["hint"].as_str().is_some_and(|h| h.contains("--to")),
        "{err}"
    );
    // --plain and --title contradict each other; a dry run sends nothing.
    common::assert_error(
        &run(&["--to", ENG, "--plain", "--title", "T", "--text", "x"]),
        3,
        "invalid_argument",
    );
    let out = run(&["--dry-run", "--to", ENG, "--text", "x"]);
    common::assert_exit(&out, 0);
    assert_eq!(common::one_json(&out.stdout)["response"]["dry_run"], true);
    assert_eq!(sandbox.outbox(0).len(), 2);
}
