//! `dws chat message send`: a message sent as the signed-in user (user token; the route is unverified upstream).
//! A dry run pins the request; after a device-flow login against the sandbox the message is sent and recorded in
//! the sandbox outbox; bad input exits 3 and an app-only profile exits 2.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

const ENG: &str = "cidSandboxEng0001+demo/Aa==";

/// `dws -f json <args>` with a clean environment (`PATH`, the config dir as `DWS_CONFIG_DIR` and `HOME`) plus `envs`:
/// the exit code, the JSON document (stdout, or the error document on stderr) and stderr.
fn dws(config: &Path, envs: &[(&str, &str)], args: &[&str]) -> (i32, Value, String) {
    let out = common::dws_command(config)
        .envs(envs.iter().copied())
        .args(["-f", "json"])
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let doc = serde_json::from_slice(&out.stdout)
        .ok()
        .or_else(|| err.lines().rev().find_map(|l| serde_json::from_str(l).ok()))
        .unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), doc, err)
}

#[test]
fn dry_run_pins_the_request() {
    let dir = common::tempdir("dws-send-as-user");
    let (code, doc, err) = dws(
        &dir,
        &[],
        &[
            "--dry-run",
            "chat",
            "message",
            "send",
            "--group",
            ENG,
            "--text",
            "release is out",
            "--at-all",
            "--at-users",
            "user002,user003",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let req = &doc["response"]["requests"][0];
    assert_eq!(req["method"], "POST");
    assert_eq!(req["url"], "https://api.dingtalk.com/v1.0/im/me/messages/send");
    assert_eq!(req["headers"]["x-acs-dingtalk-access-token"], "<redacted>");
    assert_eq!(req["body"]["msgType"], "text");
    assert_eq!(req["body"]["openConversationId"], ENG);
    assert!(req["body"].get("receiverUid").is_none(), "{req}");
    // `content` is a JSON string, as in the SDK model.
    let content: Value = serde_json::from_str(req["body"]["content"].as_str().unwrap()).unwrap();
    assert_eq!(
        content,
        json!({"content": "release is out", "at": {"atUserIds": ["user002", "user003"], "isAtAll": true}})
    );

    // --title sends markdown {title, text} to a person; the route can be overridden.
    let (code, doc, err) = dws(
        &dir,
        &[("DWS_SEND_AS_USER_PATH", "/v1.0/im/personal/send")],
        &[
            "--dry-run",
            "chat",
            "message",
            "send",
            "--user",
            "user002",
            "--title",
            "Notes",
            "--text",
            "**done**",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let req = &doc["response"]["requests"][0];
    assert_eq!(req["url"], "https://api.dingtalk.com/v1.0/im/personal/send");
    assert_eq!(req["body"]["msgType"], "markdown");
    assert_eq!(req["body"]["receiverUid"], "user002");
    assert!(req["body"].get("openConversationId").is_none(), "{req}");
    let content: Value = serde_json::from_str(req["body"]["content"].as_str().unwrap()).unwrap();
    assert_eq!(content, json!({"title": "Notes", "text": "**done**"}));
}

#[test]
fn bad_input_exits_3() {
    let dir = common::tempdir("dws-send-as-user");
    let cases: [&[&str]; 6] = [
        // Both targets.
        &[
            "chat", "message", "send", "--group", ENG, "--user", "user002", "--text", "hi",
        ],
        // Neither target.
        &["chat", "message", "send", "--text", "hi"],
        // No text.
        &["chat", "message", "send", "--group", ENG],
        // Blank text.
        &["chat", "message", "send", "--group", ENG, "--text", "  "],
        // @-mentions only go with text messages.
        &[
            "chat", "message", "send", "--group", ENG, "--title", "T", "--text", "x", "--at-all",
        ],
        // A route override outside the API.
        &["chat", "message", "send", "--group", ENG, "--text", "hi"],
    ];
    for (i, args) in cases.iter().enumerate() {
        let envs: &[(&str, &str)] = if i == 5 {
            &[("DWS_SEND_AS_USER_PATH", "/../gettoken")]
        } else {
            &[]
        };
        let (code, _, err) = dws(&dir, envs, &[&["--dry-run"][..], args].concat());
        assert_eq!(code, 3, "{args:?}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_as_the_logged_in_user_and_the_sandbox_records_it() {
    let sandbox = dingtalk_sandbox::Sandbox::builder()
        .device_interval(Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    let url = sandbox.base_url();
    let sb = format!("--sandbox={url}");
    let dir = common::tempdir("dws-send-as-user");

    // Without a user session: exit 2 (not logged in), nothing sent.
    let (code, doc, err) = dws(
        &dir,
        &[],
        &[&sb, "chat", "message", "send", "--group", ENG, "--text", "hi"],
    );
    assert_eq!(code, 2, "{err}");
    assert_eq!(doc["error"]["reason"], "not_logged_in", "{doc}");

    // Device flow: the sandbox approves as user001.
    let (code, doc, err) = dws(&dir, &[], &[&sb, "auth", "login"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["profile"]["id"], "dingsandboxcorp0001:user001");

    // To a group, with @-mentions.
    let (code, doc, err) = dws(
        &dir,
        &[],
        &[
            &sb,
            "chat",
            "message",
            "send",
            "--group",
            ENG,
            "--text",
            "release is out",
            "--at-users",
            "user002",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        doc["response"]["openTaskId"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
        "{doc}"
    );
    // To a person, as markdown.
    let (code, _, err) = dws(
        &dir,
        &[],
        &[
            &sb, "chat", "message", "send", "--user", "user002", "--title", "Notes", "--text", "**done**",
        ],
    );
    assert_eq!(code, 0, "{err}");

    let sent: Vec<_> = sandbox
        .outbox(0)
        .into_iter()
        .filter(|e| e.route == "user")
        .collect();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0].endpoint, "/v1.0/im/me/messages/send");
    assert_eq!(sent[0].conversation.as_deref(), Some(ENG));
    assert_eq!(sent[0].msgtype, "text");
    assert_eq!(sent[0].text.as_deref(), Some("release is out"));
    assert_eq!(sent[0].body["content"]["at"]["atUserIds"], json!(["user002"]));
    assert_eq!(sent[1].recipients, vec!["user002".to_owned()]);
    assert_eq!(sent[1].msgtype, "markdown");
    assert_eq!(sent[1].title.as_deref(), Some("Notes"));
    assert_eq!(sent[1].text.as_deref(), Some("**done**"));

    rejected_by_the_twin_then_app_only(&dir, &sb, &sandbox);
    sandbox.shutdown().await;
}

/// The twin checks what the CLI cannot (an unknown receiver, a group the sender is not in); then an app-only
/// profile, which has no user token, exits 2 and sends nothing.
fn rejected_by_the_twin_then_app_only(dir: &Path, sb: &str, sandbox: &dingtalk_sandbox::SandboxHandle) {
    // user001 is not in "Ops team". Both are upstream 400s naming the parameter.
    let (code, doc, err) = dws(
        dir,
        &[],
        &[sb, "chat", "message", "send", "--user", "nobody", "--text", "hi"],
    );
    assert_ne!(code, 0, "{err}");
    assert_eq!(
        doc["error"]["upstream_code"], "invalidParameter.receiverUid",
        "{doc}"
    );
    let (code, doc, err) = dws(
        dir,
        &[],
        &[
            sb,
            "chat",
            "message",
            "send",
            "--group",
            "cidSandboxOps0002+demo/Bb==",
            "--text",
            "hi",
        ],
    );
    assert_ne!(code, 0, "{err}");
    assert_eq!(
        doc["error"]["upstream_code"], "invalidParameter.openConversationId",
        "{doc}"
    );

    // An app-only profile has no user token: exit 2, nothing sent.
    let (code, _, err) = dws(
        dir,
        &[],
        &[sb, "auth", "login", "--app-only", "--operator", "user005"],
    );
    assert_eq!(code, 0, "{err}");
    let (code, doc, err) = dws(
        dir,
        &[],
        &[sb, "chat", "message", "send", "--group", ENG, "--text", "hi"],
    );
    assert_eq!(code, 2, "{err}");
    assert_eq!(doc["error"]["reason"], "not_logged_in", "{doc}");
    assert_eq!(sandbox.outbox(0).iter().filter(|e| e.route == "user").count(), 2);
}
