//! Commands that run locally, through the built binary: `skill`, `upgrade`, `event listen`.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly")]

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};

mod common;

fn dws_at(bin: &Path, home: &Path, args: &[&str]) -> Output {
    common::clean_command(bin, &home.join("config"), home)
        .args(args)
        .output()
        .unwrap()
}

fn dws(home: &Path, args: &[&str]) -> Output {
    dws_at(Path::new(env!("CARGO_BIN_EXE_dws")), home, args)
}

fn ok_json(out: &Output) -> Value {
    common::assert_exit(out, 0);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn sha(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    Sha256::digest(bytes).iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[test]
fn skill_install_list_show_uninstall() {
    let home = common::tempdir("dws-skill");
    let doc = ok_json(&dws(&home, &["-f", "json", "skill", "install"]));
    let skill_md = home.join(".claude/skills/dws/SKILL.md");
    let text = std::fs::read_to_string(&skill_md).unwrap();
    assert_eq!(
        doc["response"]["items"][0]["dir"],
        home.join(".claude/skills/dws").display().to_string()
    );
    // Every command of `dws schema --all` is in SKILL.md.
    let schema = ok_json(&dws(&home, &["schema", "--all", "-f", "json"]));
    let tools = schema["tools"].as_array().unwrap();
    assert!(tools.len() > 90);
    for tool in tools {
        let path = tool["cli_path"].as_str().unwrap();
        assert!(text.contains(&format!("`dws {path}`")), "SKILL.md misses {path}");
    }
    // `skill show` prints the same text.
    let out = dws(&home, &["skill", "show"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), text);
    let out = dws(&home, &["skill", "show", "--file", "nope.md"]);
    assert_eq!(out.status.code(), Some(3));

    // A file the user edited is backed up on reinstall and kept on uninstall.
    let recipes = home.join(".claude/skills/dws/references/recipes.md");
    std::fs::write(&recipes, "my notes").unwrap();
    let listed = ok_json(&dws(&home, &["-f", "json", "skill", "list"]));
    let claude = listed["response"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["dir"].as_str().unwrap().ends_with(".claude/skills/dws"))
        .unwrap()
        .clone();
    assert_eq!(claude["installed"], true);
    assert_eq!(claude["edited"], serde_json::json!(["references/recipes.md"]));
    let doc = ok_json(&dws(&home, &["-f", "json", "skill", "install"]));
    let backup = doc["response"]["items"][0]["backed_up"][0]["backup"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        std::fs::read_to_string(home.join(".claude/skills/dws").join(&backup)).unwrap(),
        "my notes"
    );
    std::fs::write(&recipes, "edited again").unwrap();
    // Uninstall needs --yes off a terminal.
    let out = dws(&home, &["skill", "uninstall"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(skill_md.exists());
    let doc = ok_json(&dws(&home, &["-f", "json", "skill", "uninstall", "--yes"]));
    assert_eq!(
        doc["response"]["items"][0]["kept_edited"],
        serde_json::json!(["references/recipes.md"])
    );
    assert!(!skill_md.exists());
    assert_eq!(std::fs::read_to_string(&recipes).unwrap(), "edited again");

    // --dir installs anywhere.
    let other = home.join("elsewhere");
    ok_json(&dws(
        &home,
        &["skill", "install", "--dir", other.to_str().unwrap(), "-f", "json"],
    ));
    assert!(other.join("dws/SKILL.md").exists());
    assert!(other.join("dws/references/products/todo.md").exists());
}

/// A release dir offering `version` with `payload` as this platform's binary.
fn release(dir: &Path, version: &str, payload: &[u8], checksum: &str) {
    let asset = format!("dws-{}-{}", std::env::consts::ARCH, std::env::consts::OS);
    std::fs::create_dir_all(dir.join(version)).unwrap();
    std::fs::write(dir.join(version).join(&asset), payload).unwrap();
    std::fs::write(
        dir.join(version).join("checksums.txt"),
        format!("{checksum}  {asset}\n"),
    )
    .unwrap();
    let index = serde_json::json!({"versions": [{"version": version, "date": "2026-11-01"}]});
    std::fs::write(dir.join("index.json"), index.to_string()).unwrap();
}

/// The built binary copied into `home/bin`, so upgrading it leaves the test's binary alone.
fn installed_copy(home: &Path) -> (std::path::PathBuf, Vec<u8>) {
    let bin = home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let exe = bin.join("dws");
    let bytes = std::fs::read(env!("CARGO_BIN_EXE_dws")).unwrap();
    std::fs::write(&exe, &bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    (exe, bytes)
}

#[test]
fn upgrade_checks_replaces_and_rolls_back() {
    let home = common::tempdir("dws-upgrade");
    let (exe, original) = installed_copy(&home);
    let run = |args: &[&str]| dws_at(&exe, &home, args);
    let version = env!("CARGO_PKG_VERSION");
    // The "new" binary: the same program with a marker appended (an ELF/Mach-O file still runs).
    let mut new = original.clone();
    new.extend_from_slice(b"\nrelease-marker");
    let rel = home.join("release");
    release(&rel, version, &new, &sha(&new));
    let from = rel.to_str().unwrap();

    let doc = ok_json(&run(&["-f", "json", "upgrade", "--from", from, "--check"]));
    assert_eq!(doc["response"]["update_available"], false);
    assert_eq!(doc["response"]["latest"], version);
    // Same version without --force: nothing changes.
    let doc = ok_json(&run(&["-f", "json", "upgrade", "--from", from, "--yes"]));
    assert_eq!(doc["response"]["changed"], false);
    // Without --yes off a terminal: refused.
    let out = run(&["upgrade", "--from", from, "--force"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(std::fs::read(&exe).unwrap(), original);

    // An installed skill is refreshed by the new binary after the upgrade.
    ok_json(&run(&["-f", "json", "skill", "install"]));
    let skill_md = home.join(".claude/skills/dws/SKILL.md");
    std::fs::remove_file(&skill_md).unwrap();
    let doc = ok_json(&run(&[
        "-f", "json", "upgrade", "--from", from, "--force", "--yes",
    ]));
    assert_eq!(doc["response"]["changed"], true);
    assert_eq!(std::fs::read(&exe).unwrap(), new);
    assert_eq!(
        doc["response"]["skills_refreshed"],
        serde_json::json!([home.join(".claude/skills/dws").display().to_string()])
    );
    assert!(skill_md.exists(), "the skill was reinstalled");
    let backup = doc["response"]["backup"].as_str().unwrap();
    assert_eq!(std::fs::read(Path::new(backup).join("dws")).unwrap(), original);

    let doc = ok_json(&run(&["-f", "json", "upgrade", "--rollback", "--yes"]));
    assert_eq!(doc["response"]["changed"], true);
    assert_eq!(std::fs::read(&exe).unwrap(), original);
    // No backup left: a second rollback is refused.
    let out = run(&["upgrade", "--rollback", "--yes"]);
    assert_eq!(out.status.code(), Some(3));
    let leftovers: Vec<_> = std::fs::read_dir(home.join("bin")).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "temp files left next to the binary");
}

#[test]
fn upgrade_refuses_a_bad_checksum_or_a_binary_that_lies() {
    let home = common::tempdir("dws-upgrade-bad");
    let (exe, original) = installed_copy(&home);
    let run = |args: &[&str]| dws_at(&exe, &home, args);
    let rel = home.join("release");
    release(&rel, "9.9.9", b"#!/bin/sh\nexit 0\n", &"0".repeat(64));
    let from = rel.to_str().unwrap();
    let doc = ok_json(&run(&["-f", "json", "upgrade", "--from", from, "--check"]));
    assert_eq!(doc["response"]["update_available"], true);
    let out = run(&["upgrade", "--from", from, "--yes"]);
    common::assert_error(&out, 1, "checksum_mismatch");
    assert_eq!(std::fs::read(&exe).unwrap(), original);

    // Right checksum, but the binary says it is another version: the smoke test refuses it.
    let liar = b"#!/bin/sh\necho '{\"version\":\"1.0.0\"}'\n";
    release(&rel, "9.9.9", liar, &sha(liar));
    let out = run(&["upgrade", "--from", from, "--yes"]);
    let err = common::assert_error(&out, 1, "upgrade_failed");
    assert!(err["error"]["message"].as_str().unwrap().contains("1.0.0"));
    assert_eq!(std::fs::read(&exe).unwrap(), original);
    assert_eq!(std::fs::read_dir(home.join("bin")).unwrap().count(), 1);
    // No source at all: exit 3 with a hint.
    let out = run(&["upgrade", "--check"]);
    assert_eq!(out.status.code(), Some(3));
    // Plain http to a non-loopback host is refused before any request.
    let out = run(&["upgrade", "--from", "http://example.com/rel", "--check"]);
    assert_eq!(out.status.code(), Some(6));
}

/// Serves `root` over HTTP on 127.0.0.1 (GET only, a few requests, each bounded).
async fn serve_dir(root: std::path::PathBuf) -> (String, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        for _ in 0..32 {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let mut buf = vec![0u8; 4096];
            let n = sock.read(&mut buf).await.unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]).into_owned();
            let path = req
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .trim_start_matches('/')
                .to_owned();
            let body = std::fs::read(root.join(&path)).ok();
            let head = match &body {
                Some(b) => format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    b.len()
                ),
                None => "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_owned(),
            };
            let _ = sock.write_all(head.as_bytes()).await;
            if let Some(b) = body {
                let _ = sock.write_all(&b).await;
            }
            let _ = sock.shutdown().await;
        }
    });
    (format!("http://{addr}/rel"), task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrade_from_a_loopback_url() {
    let home = common::tempdir("dws-upgrade-url");
    let (exe, original) = installed_copy(&home);
    let mut new = original.clone();
    new.extend_from_slice(b"\nurl-marker");
    release(&home.join("rel"), env!("CARGO_PKG_VERSION"), &new, &sha(&new));
    let (url, server) = serve_dir(home.to_path_buf()).await;
    // An installed skill whose SKILL.md is gone: --skip-skills leaves it that way.
    ok_json(&dws_at(&exe, &home, &["-f", "json", "skill", "install"]));
    let skill_md = home.join(".claude/skills/dws/SKILL.md");
    std::fs::remove_file(&skill_md).unwrap();
    let out = tokio::task::spawn_blocking({
        let (exe, home) = (exe.clone(), home.to_path_buf());
        move || {
            dws_at(
                &exe,
                &home,
                &[
                    "-f",
                    "json",
                    "upgrade",
                    "--from",
                    &url,
                    "--force",
                    "--yes",
                    "--skip-skills",
                ],
            )
        }
    })
    .await
    .unwrap();
    let doc = ok_json(&out);
    assert_eq!(doc["response"]["to"], env!("CARGO_PKG_VERSION"));
    assert_eq!(std::fs::read(&exe).unwrap(), new);
    assert!(doc["response"].get("skills_refreshed").is_none());
    assert!(!skill_md.exists());
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_listen_prints_acked_pushes_as_ndjson() {
    let sandbox = dingtalk_sandbox::Sandbox::start().await.unwrap();
    let url = sandbox.base_url();
    let home = common::tempdir("dws-events");
    let child = common::spawn_piped(
        tokio::process::Command::new(env!("CARGO_BIN_EXE_dws"))
            .args([
                "--sandbox",
                &url,
                "event",
                "listen",
                "--max-events",
                "2",
                "--duration",
                "30",
            ])
            .env_clear()
            .env("DWS_CONFIG_DIR", home.join("config"))
            .env("HOME", &*home),
    );
    assert!(
        sandbox.wait_for_connections(1, Duration::from_secs(20)).await,
        "no stream connection"
    );
    let injected = sandbox
        .inject_message(&dingtalk_sandbox::InjectMessage::direct(
            "user002",
            "hello from the test",
        ))
        .unwrap();
    let event_id = sandbox
        .inject_event(&dingtalk_sandbox::InjectEvent::new(
            "user_add_org",
            serde_json::json!({"userId": ["user099"]}),
        ))
        .unwrap();
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("dws event listen stops after --max-events")
        .unwrap();
    common::assert_exit(&out, 0);
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let callback = lines
        .iter()
        .find(|l| l["type"] == "CALLBACK")
        .expect("the bot message");
    assert_eq!(callback["topic"], "/v1.0/im/bot/messages/get");
    assert_eq!(callback["data"]["text"]["content"], "hello from the test");
    let event = lines.iter().find(|l| l["type"] == "EVENT").expect("the event");
    assert_eq!(event["event_type"], "user_add_org");
    assert_eq!(event["data"]["userId"][0], "user099");
    let _ = (injected, event_id);
    for line in &lines {
        let id = line["message_id"].as_str().unwrap();
        assert!(
            sandbox.wait_for_ack(id, Duration::from_secs(5)).await,
            "{id} not acked"
        );
    }
    sandbox.shutdown().await;
}

/// Ctrl-C (SIGINT) ends a listener without limits cleanly: exit 0.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_listen_exits_zero_on_sigint() {
    let sandbox = dingtalk_sandbox::Sandbox::start().await.unwrap();
    let url = sandbox.base_url();
    let home = common::tempdir("dws-events-int");
    // Ctrl-C (SIGINT) ends a listener without limits cleanly: exit 0.
    {
        let child = common::spawn_piped(
            tokio::process::Command::new(env!("CARGO_BIN_EXE_dws"))
                .args(["--sandbox", &url, "event", "listen"])
                .env_clear()
                .env("DWS_CONFIG_DIR", home.join("config")),
        );
        // The first listener closed its connection; wait for this one to be the open one.
        assert!(
            sandbox.wait_for_connections(1, Duration::from_secs(20)).await,
            "no stream connection"
        );
        let out = common::interrupt(child, Duration::from_secs(15), "the listener stops on SIGINT").await;
        common::assert_exit(&out, 0);
    }
    sandbox.shutdown().await;
}
