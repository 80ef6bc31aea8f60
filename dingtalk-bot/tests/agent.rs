//! The agent bridge with real processes: a fake agent script plays stream-json; stop and timeout kill the whole
//! process group; the environment is clean.

#![cfg(unix)]
#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failure should panic with context"
)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use dingtalk_bot::agent::{AgentEvent, AgentOutcome, AgentRequest, AgentSpec, ScriptStep};
use dingtalk_bot::config::{AgentConfig, AgentKind, AgentOutput};
use dingtalk_test_support::TempDir;

fn script(dir: &Path, body: &str) -> PathBuf {
    let path = dir.join("fake-agent.sh");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn spec(program: &Path, output: AgentOutput, timeout_s: u64) -> AgentSpec {
    let config = AgentConfig {
        kind: AgentKind::Command,
        command: vec![
            program.display().to_string(),
            "{prompt}".into(),
            "{session_id}".into(),
        ],
        output,
        timeout_s,
        kill_grace_s: 1,
        ..AgentConfig::default()
    };
    AgentSpec::new(
        config,
        vec![
            ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
            ("SECRET_TOKEN".into(), "leak".into()),
        ],
    )
}

fn request(prompt: &str) -> AgentRequest {
    AgentRequest {
        prompt: prompt.into(),
        session_id: Some("sess-1".into()),
        system_prompt: None,
    }
}

#[tokio::test]
async fn stream_json_agent_streams_text_tools_and_session() {
    let dir = TempDir::new("bot-agent");
    let body = r#"
echo '{"type":"system","subtype":"init","session_id":"s-42"}'
echo '{"type":"stream_event","event":{"type":"content_block_delta","delta":{"type":"text_delta","text":"Hello "}}}'
echo '{"type":"assistant","message":{"content":[{"type":"tool_use","name":"Read","input":{}}]}}'
echo '{"type":"stream_event","event":{"type":"content_block_delta","delta":{"type":"text_delta","text":"'"$1"'"}}}'
echo '{"type":"result","subtype":"success","is_error":false,"result":"Hello '"$1"'","session_id":"s-42"}'
"#;
    let program = script(dir.path(), body);
    let mut run = spec(&program, AgentOutput::ClaudeStreamJson, 30).start(request("world"));
    let mut events = Vec::new();
    while let Some(event) = run.events.recv().await {
        events.push(event);
    }
    assert_eq!(run.wait().await, AgentOutcome::Finished("Hello world".into()));
    assert!(events.contains(&AgentEvent::Session("s-42".into())));
    assert!(events.contains(&AgentEvent::Tool("Read".into())));
    assert!(events.contains(&AgentEvent::Text("Hello world".into())));
}

#[tokio::test]
async fn plain_text_agent_and_clean_environment() {
    let dir = TempDir::new("bot-agent");
    let program = script(
        dir.path(),
        "echo \"prompt=$1 session=$2\"; echo \"secret=${SECRET_TOKEN:-none} home=${HOME:-none}\"",
    );
    let run = spec(&program, AgentOutput::Text, 30).start(request("-rf /; echo pwned"));
    let AgentOutcome::Finished(text) = run.wait().await else {
        panic!("agent failed")
    };
    assert!(
        text.contains("prompt= -rf /; echo pwned session=sess-1"),
        "{text}"
    );
    assert!(
        text.contains("secret=none"),
        "only env_passthrough variables reach the agent: {text}"
    );
}

#[tokio::test]
async fn failing_agent_is_a_failure() {
    let dir = TempDir::new("bot-agent");
    let program = script(dir.path(), "echo partial; echo 'oops /secret/path' >&2; exit 3");
    let outcome = spec(&program, AgentOutput::Text, 30)
        .start(request("x"))
        .wait()
        .await;
    assert_eq!(
        outcome,
        AgentOutcome::Failed("the agent exited with status 3".into())
    );
}

fn alive(pid: i32) -> bool {
    // `kill -0` through /proc: the process exists and is not a zombie.
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| !stat.contains(") Z "))
}

async fn grandchild_pid(pid_file: &Path) -> i32 {
    for _ in 0..200 {
        if let Ok(text) = std::fs::read_to_string(pid_file)
            && let Ok(pid) = text.trim().parse()
        {
            return pid;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the fake agent never started its child");
}

#[tokio::test]
async fn stop_kills_the_whole_process_group() {
    let dir = TempDir::new("bot-agent");
    let pid_file = dir.path().join("child.pid");
    let program = script(
        dir.path(),
        &format!("sleep 30 & echo $! > {}; echo working; wait", pid_file.display()),
    );
    let mut run = spec(&program, AgentOutput::Text, 60).start(request("x"));
    let child = grandchild_pid(&pid_file).await;
    assert!(alive(child));
    run.stop();
    assert_eq!(run.wait().await, AgentOutcome::Stopped);
    for _ in 0..300 {
        if !alive(child) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the agent's child survived the stop");
}

#[tokio::test]
async fn timeout_kills_the_agent() {
    let dir = TempDir::new("bot-agent");
    let pid_file = dir.path().join("child.pid");
    let program = script(
        dir.path(),
        &format!("sleep 30 & echo $! > {}; wait", pid_file.display()),
    );
    let run = spec(&program, AgentOutput::Text, 1).start(request("x"));
    let child = grandchild_pid(&pid_file).await;
    assert_eq!(run.wait().await, AgentOutcome::TimedOut);
    for _ in 0..300 {
        if !alive(child) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the agent's child survived the timeout");
}

#[tokio::test]
async fn missing_binary_is_a_clear_failure() {
    let outcome = spec(Path::new("/nonexistent/agent"), AgentOutput::Text, 5)
        .start(request("x"))
        .wait()
        .await;
    assert_eq!(
        outcome,
        AgentOutcome::Failed("the agent could not be started".into())
    );
}

#[tokio::test]
async fn echo_and_scripted_agents() {
    let echo = AgentSpec::new(
        AgentConfig {
            kind: AgentKind::Echo,
            ..AgentConfig::default()
        },
        Vec::new(),
    );
    let mut run = echo.start(request("hi there"));
    let mut last = None;
    while let Some(AgentEvent::Text(t)) = run.events.recv().await {
        last = Some(t);
    }
    assert_eq!(last.as_deref(), Some("echo: hi there"));
    assert_eq!(run.wait().await, AgentOutcome::Finished("echo: hi there".into()));

    let scripted = AgentSpec::scripted(vec![
        ScriptStep::Text("a".into()),
        ScriptStep::Tool("Bash".into()),
        ScriptStep::Sleep(Duration::from_millis(5)),
        ScriptStep::Fail("boom".into()),
    ]);
    assert_eq!(
        scripted.start(request("x")).wait().await,
        AgentOutcome::Failed("boom".into())
    );
}
