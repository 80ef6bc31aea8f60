//! `dws auth` and `dws profile` against a sandbox on 127.0.0.1: device-flow login, app-only operator profiles,
//! status, switching and logout.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

mod common;

fn dws(config: &Path, url: &str, args: &[&str]) -> (i32, Value, String) {
    dws_env(config, url, args, &[])
}

/// A sandbox whose device flow polls every second.
async fn device_sandbox() -> dingtalk_sandbox::SandboxHandle {
    dingtalk_sandbox::Sandbox::builder()
        .device_interval(Duration::from_secs(1))
        .start()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_login_profiles_and_logout() {
    let sandbox = device_sandbox().await;
    let url = sandbox.base_url();
    let dir = common::tempdir("dws-auth");

    // Not logged in outside sandbox mode: exit 2 with a hint; in sandbox mode status also needs a profile.
    let (code, _, err) = dws(&dir, &url, &["auth", "status"]);
    assert_eq!(code, 2, "{err}");

    // Device flow: the sandbox approves as user001 on the second poll.
    let (code, doc, err) = dws(&dir, &url, &["auth", "login"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("enter the code"), "{err}");
    // Headless (no display on Linux, stderr not a terminal): the device flow is picked and the reason said.
    assert!(
        err.contains("login method: device (no graphical display detected)")
            || err.contains("login method: device (not attached to a terminal)"),
        "{err}"
    );
    assert_eq!(doc["profile"]["id"], "dingsandboxcorp0001:user001");
    assert_eq!(doc["profile"]["sandbox"], true);

    let (code, doc, err) = dws(&dir, &url, &["auth", "status"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["state"], "valid");
    assert_eq!(doc["user_token"], true);
    assert!(
        !doc.to_string().contains("accessToken"),
        "no token material in status"
    );

    // App-only operator profile becomes current and is the operator of later calls.
    let (code, _, err) = dws(
        &dir,
        &url,
        &["auth", "login", "--app-only", "--operator", "user005"],
    );
    assert_eq!(code, 0, "{err}");
    let (_, doc, _) = dws(&dir, &url, &["contact", "user", "get-self"]);
    assert_eq!(doc["response"]["userid"], "user005");
    let (_, doc, _) = dws(&dir, &url, &["profile", "list"]);
    assert_eq!(doc["items"].as_array().unwrap().len(), 2);
    let (code, doc, _) = dws(&dir, &url, &["profile", "use", "-"]);
    assert_eq!(code, 0);
    assert_eq!(doc["profile"]["user_id"], "user001");
    let (_, doc, _) = dws(
        &dir,
        &url,
        &["--profile", "user005", "contact", "user", "get-self"],
    );
    assert_eq!(doc["response"]["userid"], "user005");
    let (code, _, err) = dws(
        &dir,
        &url,
        &["--profile", "nobody", "contact", "user", "get-self"],
    );
    assert_eq!(code, 6, "{err}");

    let (code, doc, _) = dws(&dir, &url, &["auth", "logout", "--all"]);
    assert_eq!(code, 0);
    assert_eq!(doc["removed"].as_array().unwrap().len(), 1);
    let (_, doc, _) = dws(&dir, &url, &["auth", "status"]);
    assert_eq!(doc["state"], "app_only");
    sandbox.shutdown().await;
}

fn dws_env(config: &Path, url: &str, args: &[&str], envs: &[(&str, &str)]) -> (i32, Value, String) {
    let out = common::dws_command(config)
        .arg(format!("--sandbox={url}"))
        .args(["-f", "json"])
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        doc,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_and_import_move_a_session_to_another_config() {
    let sandbox = device_sandbox().await;
    let url = sandbox.base_url();
    let root = common::tempdir("dws-auth-export");
    let (a, b) = (root.join("a"), root.join("b"));
    let (code, _, err) = dws(&a, &url, &["auth", "login"]);
    assert_eq!(code, 0, "{err}");
    let bundle = root.join("bundle.json");
    let bundle_arg = bundle.to_str().unwrap();
    let roots = root.to_str().unwrap();
    let env = [
        ("DWS_INPUT_ROOTS", roots),
        ("DWS_EXPORT_PASSPHRASE", "correct horse battery"),
    ];

    // No passphrase: exit 3 before anything is written.
    let (code, _, err) = dws_env(&a, &url, &["auth", "export", "--file", bundle_arg], &env[..1]);
    assert_eq!(code, 3, "{err}");
    assert!(!bundle.exists());
    let (code, doc, err) = dws_env(&a, &url, &["auth", "export", "--file", bundle_arg], &env);
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["response"]["identities"][0], "dingsandboxcorp0001:user001");
    let text = std::fs::read_to_string(&bundle).unwrap();
    assert!(
        !text.contains("accessToken") && !text.contains("user001"),
        "the bundle is sealed"
    );

    // A wrong passphrase is refused; the right one restores the session and its profile.
    let wrong = [env[0], ("DWS_EXPORT_PASSPHRASE", "wrong passphrase")];
    let (code, _, _) = dws_env(&b, &url, &["auth", "import", "--file", bundle_arg], &wrong);
    assert_ne!(code, 0);
    let (code, doc, err) = dws_env(&b, &url, &["auth", "import", "--file", bundle_arg], &env);
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["response"]["imported"][0], "dingsandboxcorp0001:user001");
    let (code, doc, err) = dws(&b, &url, &["auth", "status"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["state"], "valid");
    assert_eq!(doc["user_token"], true);
    // Importing again needs --force.
    let (code, _, _) = dws_env(&b, &url, &["auth", "import", "--file", bundle_arg], &env);
    assert_eq!(code, 3);
    let (code, _, err) = dws_env(
        &b,
        &url,
        &["auth", "import", "--file", bundle_arg, "--force"],
        &env,
    );
    assert_eq!(code, 0, "{err}");
    sandbox.shutdown().await;
}
