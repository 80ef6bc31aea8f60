//! Runs every example binary (built by `cargo test` alongside this test) against its embedded sandbox.

use std::path::PathBuf;
use std::process::Command;

/// `target/<profile>/examples/<name>`, found relative to this test binary (`target/<profile>/deps/...`).
#[expect(clippy::expect_used, reason = "test helper")]
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

fn run(name: &str) -> String {
    let path = example(name);
    assert!(
        path.exists(),
        "{} was not built; run through `cargo test`",
        path.display()
    );
    let output = Command::new(&path)
        .env_remove("DINGTALK_BASE_URL")
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", path.display()));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{name} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn quickstart_runs_against_the_embedded_sandbox() {
    let out = run("quickstart");
    assert!(
        out.contains("100 concurrent callers served by one token request"),
        "{out}"
    );
    assert!(out.contains("answered after 2 attempts"), "{out}");
    assert!(out.contains("invalidClientIdOrSecret"), "{out}");
    assert!(
        !out.contains("not-the-secret") && !out.contains("sandbox-secret"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("done"), "{out}");
}

#[test]
fn bot_demo_streams_a_card_and_answers_a_group() {
    let out = run("bot_demo");
    assert!(
        out.contains("finished: flowStatus history [\"1\", \"2\", \"3\"]"),
        "{out}"
    );
    assert!(out.contains("via webhook"), "{out}");
    assert!(out.trim_end().ends_with("done"), "{out}");
}

#[test]
fn device_login_completes_against_the_sandbox() {
    let out = run("device_login");
    assert!(
        out.contains("login     approved: dingsandboxcorp0001:user001"),
        "{out}"
    );
    assert!(out.contains("me        Alice"), "{out}");
    assert!(out.trim_end().ends_with("done"), "{out}");
}

#[test]
fn send_group_message_sends_and_recalls() {
    let out = run("send_group_message");
    assert!(out.contains("recalled  1 ok, 0 failed"), "{out}");
    assert!(out.contains("recalled: 1"), "{out}");
}

#[test]
fn paginate_users_walks_every_department() {
    let out = run("paginate_users");
    assert!(out.contains("total     24 users"), "{out}");
}
