//! Conformance with the official Python SDK `dingtalk-stream`: it connects to the sandbox, receives an injected
//! robot message, replies through the session webhook and acks it.
//!
//! Needs the venv made by `dingtalk-sandbox/scripts/setup-python-sdk.sh`; without it the test prints SKIPPED and passes.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use dingtalk_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, InjectMessage, Sandbox};

fn venv_python() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let venv = std::env::var_os("DINGTALK_STREAM_VENV")
        .map_or_else(|| root.join(".venv-dingtalk-stream"), PathBuf::from);
    let python = venv.join("bin").join("python");
    python.exists().then_some(python)
}

#[tokio::test]
async fn official_python_sdk_receives_and_acks_a_robot_message() {
    let Some(python) = venv_python() else {
        println!(
            "SKIPPED official_python_sdk_receives_and_acks_a_robot_message: no venv; run dingtalk-sandbox/scripts/setup-python-sdk.sh"
        );
        return;
    };
    let sb = Sandbox::start().await.unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/conformance.py");
    let mut child = Command::new(python)
        .arg(script)
        .args([DEMO_CLIENT_ID, DEMO_CLIENT_SECRET])
        .env("DINGTALK_OPENAPI_ENDPOINT", sb.base_url())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut connected = false;
    for _ in 0..300 {
        if sb.stats().connections.iter().any(|c| c.open) {
            connected = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if !connected {
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        panic!(
            "the SDK never connected: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    sb.inject_message(&InjectMessage::direct("user005", "ping from sandbox"))
        .unwrap();
    let mut acked = false;
    for _ in 0..300 {
        if sb.stats().acked == 1 {
            acked = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut status = None;
    for _ in 0..200 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if status.is_none() {
        let _ = child.kill();
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        acked,
        "no ack; stdout: {stdout}; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("RECEIVED ping from sandbox"), "{stdout}");
    let violations = sb.stats().violations;
    assert!(violations.is_empty(), "{violations:?}");
    let outbox = sb.outbox(0);
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].route, "webhook");
    assert_eq!(outbox[0].text.as_deref(), Some("echo: ping from sandbox"));
}
