//! `dws auth login` methods against a sandbox on 127.0.0.1: the loopback browser flow (the test plays the browser
//! on the sandbox's authorize page), the paste flow (state checked), external `--token`s, `profile rename`, and
//! client-secret storage (the secret never shows on any stream or in any plain file).
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly")]

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

mod common;

const CANARY_APP: &str = "dingcanaryapp";
const CANARY_SECRET: &str = "canary-SECRET-5f1e9a0c7d";

fn command(config: &Path, url: &str, args: &[&str]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::from(common::dws_command(config));
    cmd.arg(format!("--sandbox={url}"))
        .args(["-f", "json"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

async fn dws(config: &Path, url: &str, args: &[&str]) -> (i32, Value, String, String) {
    let out = tokio::time::timeout(Duration::from_mins(1), command(config, url, args).output())
        .await
        .expect("dws finished in time")
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let doc = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        doc,
        stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Starts `dws auth login …` and returns it with the authorize URL it printed (and the stderr read so far).
async fn start_login(
    config: &Path,
    url: &str,
    args: &[&str],
    stdin: bool,
) -> (tokio::process::Child, String, String) {
    let mut cmd = command(config, url, args);
    if stdin {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = String::new();
    let found = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            seen.push_str(&line);
            seen.push('\n');
            if let Some(at) = line.find("http://") {
                return line[at..].to_owned();
            }
        }
        panic!("no authorize URL on stderr: {seen}");
    })
    .await
    .expect("an authorize URL in time");
    (child, found, seen)
}

async fn finish(mut child: tokio::process::Child) -> (i32, Value, String) {
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .await
        .unwrap();
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("login finished in time")
        .unwrap();
    (
        status.code().unwrap_or(-1),
        serde_json::from_str(&stdout).unwrap_or(Value::Null),
        stdout,
    )
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Where the sandbox's authorize page sends the browser (the redirect carrying authCode and state).
async fn authorize_redirect(authorize_url: &str) -> String {
    let answer = no_redirects().get(authorize_url).send().await.unwrap();
    assert_eq!(answer.status(), 302, "{authorize_url}");
    answer.headers()["location"].to_str().unwrap().to_owned()
}

/// `{accessToken, refreshToken, …}` for `user`, by the OAuth code flow done by hand against the sandbox.
async fn tokens_by_hand(url: &str, user: &str) -> Value {
    let redirect = authorize_redirect(&format!(
        "{url}/oauth2/auth?client_id={}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&response_type=code&scope=openid%20corpid&prompt=consent&state=s1&login_hint={user}",
        dingtalk_sandbox::DEMO_CLIENT_ID
    ))
    .await;
    let code = url::Url::parse(&redirect)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "authCode")
        .unwrap()
        .1
        .into_owned();
    reqwest::Client::new()
        .post(format!("{url}/v1.0/oauth2/userAccessToken"))
        .json(&serde_json::json!({
            "clientId": dingtalk_sandbox::DEMO_CLIENT_ID, "clientSecret": dingtalk_sandbox::DEMO_CLIENT_SECRET,
            "code": code, "grantType": "authorization_code",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The check named `name` of a `doctor` document.
fn doctor_check(doctor: &Value, name: &str) -> Value {
    doctor["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["name"] == name)
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_login_through_the_sandbox_authorize_page() {
    let sandbox = dingtalk_sandbox::Sandbox::start().await.unwrap();
    let url = sandbox.base_url();
    let dir = common::tempdir("dws-login");
    let (child, authorize, seen) = start_login(&dir, &url, &["auth", "login", "--browser"], false).await;
    assert!(seen.contains("login method: browser"), "{seen}");
    assert!(
        authorize.starts_with(&format!("{url}/oauth2/auth?")),
        "{authorize}"
    );
    assert!(authorize.contains("state="), "{authorize}");
    // The test is the browser: the authorize page redirects to dws's loopback listener.
    let page = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .unwrap()
        .get(&authorize)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let (code, doc, stdout) = finish(child).await;
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(doc["profile"]["id"], "dingsandboxcorp0001:user001", "{doc}");
    let (_, status, _, _) = dws(&dir, &url, &["auth", "status"]).await;
    assert_eq!(status["state"], "valid", "{status}");
    assert_eq!(status["user_token"], true, "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paste_login_checks_the_state() {
    let sandbox = dingtalk_sandbox::Sandbox::start().await.unwrap();
    let url = sandbox.base_url();
    let dir = common::tempdir("dws-login");

    // A redirect whose state was tampered with is refused and nothing is stored. (`-q` drops notes, never the
    // URL the user needs.)
    let (mut child, authorize, _) = start_login(&dir, &url, &["-q", "auth", "login", "--paste"], true).await;
    let redirect = authorize_redirect(&authorize).await;
    let forged = redirect.replace("state=", "state=0");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(format!("{forged}\n").as_bytes()).await.unwrap();
    drop(stdin);
    let (code, _, stdout) = finish(child).await;
    assert_eq!(code, 2, "{stdout}");
    let (_, list, _, _) = dws(&dir, &url, &["profile", "list"]).await;
    assert_eq!(list["items"], serde_json::json!([]), "{list}");

    // The genuine redirect URL logs in.
    let (mut child, authorize, seen) = start_login(&dir, &url, &["auth", "login", "--paste"], true).await;
    assert!(seen.contains("login method: paste"), "{seen}");
    let redirect = authorize_redirect(&authorize).await;
    assert!(redirect.contains("authCode="), "{redirect}");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(format!("{redirect}\n").as_bytes()).await.unwrap();
    drop(stdin);
    let (code, doc, stdout) = finish(child).await;
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(doc["profile"]["user_id"], "user001", "{doc}");

    // Rename keeps the id; the new name selects it; a taken name is refused.
    let (code, doc, _, err) = dws(
        &dir,
        &url,
        &[
            "profile",
            "rename",
            "--selector",
            "dingsandboxcorp0001:user001",
            "--name",
            "work",
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["profile"]["name"], "work");
    assert_eq!(doc["profile"]["id"], "dingsandboxcorp0001:user001");
    let (code, doc, _, err) = dws(&dir, &url, &["--profile", "work", "auth", "status"]).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["profile"]["name"], "work");
    let (code, ..) = dws(
        &dir,
        &url,
        &["auth", "login", "--app-only", "--operator", "user005"],
    )
    .await;
    assert_eq!(code, 0);
    let (code, _, _, err) = dws(
        &dir,
        &url,
        &["profile", "rename", "--selector", "user005", "--name", "work"],
    )
    .await;
    assert_eq!(code, 3, "validation: {err}");
    let (code, _, _, err) = dws(
        &dir,
        &url,
        &["profile", "rename", "--selector", "nobody", "--name", "x"],
    )
    .await;
    assert_ne!(code, 0, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_tokens_become_an_ordinary_profile() {
    let sandbox = dingtalk_sandbox::Sandbox::start().await.unwrap();
    let url = sandbox.base_url();
    let dir = common::tempdir("dws-login");
    // Tokens obtained outside dws: the OAuth code flow done by hand against the sandbox.
    let tokens = tokens_by_hand(&url, "user003").await;
    let access = tokens["accessToken"].as_str().unwrap();
    let refresh = tokens["refreshToken"].as_str().unwrap();

    // A token DingTalk does not know is refused; nothing is stored.
    let (code, _, stdout, err) = dws(&dir, &url, &["auth", "login", "--token", "not-a-token"]).await;
    assert_eq!(code, 2, "{err}");
    assert!(
        !stdout.contains("not-a-token") && !err.contains("not-a-token"),
        "{err}"
    );

    let (code, doc, stdout, err) = dws(
        &dir,
        &url,
        &[
            "auth",
            "login",
            "--token",
            access,
            "--refresh-token",
            refresh,
            "--name",
            "ext",
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["profile"]["id"], "dingsandboxcorp0001:user003", "{doc}");
    for text in [&stdout, &err] {
        assert!(
            !text.contains(access) && !text.contains(refresh),
            "token echoed: {text}"
        );
    }
    let (_, list, _, _) = dws(&dir, &url, &["profile", "list"]).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["name"], "ext");
    assert_eq!(items[0]["current"], true);
    let (_, status, _, _) = dws(&dir, &url, &["auth", "status"]).await;
    assert_eq!(status["state"], "valid", "{status}");
    // Only ciphertext on disk.
    for file in walk(&dir) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(
            !text.contains(access) && !text.contains(refresh),
            "token in {}",
            file.display()
        );
    }
    // doctor --deep decrypts the session and refreshes for real: the old refresh token is dead afterwards.
    let (_, doctor, _, err) = dws(&dir, &url, &["doctor", "--deep"]).await;
    assert_eq!(
        doctor_check(&doctor, "session_read")["status"],
        "pass",
        "{doctor} {err}"
    );
    assert_eq!(
        doctor_check(&doctor, "token_refresh")["status"],
        "pass",
        "{doctor} {err}"
    );
    let stale = reqwest::Client::new()
        .post(format!("{url}/v1.0/oauth2/userAccessToken"))
        .json(&serde_json::json!({
            "clientId": dingtalk_sandbox::DEMO_CLIENT_ID, "clientSecret": dingtalk_sandbox::DEMO_CLIENT_SECRET,
            "refreshToken": refresh, "grantType": "refresh_token",
        }))
        .send()
        .await
        .unwrap();
    assert!(!stale.status().is_success(), "the refresh token was rotated");
    let (_, status, _, _) = dws(&dir, &url, &["auth", "status"]).await;
    assert_eq!(status["state"], "valid", "{status}");
    assert_eq!(status["last_refresh"]["ok"], true, "{status}");
    // Without --deep nothing is refreshed.
    let (_, doctor, _, _) = dws(&dir, &url, &["doctor"]).await;
    assert!(!doctor.to_string().contains("token_refresh"), "{doctor}");

    // Two methods at once is a usage error.
    let (code, _, _, err) = dws(&dir, &url, &["auth", "login", "--browser", "--paste"]).await;
    assert_eq!(code, 3, "validation: {err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_secret_is_sealed_and_never_shown() {
    let sandbox = dingtalk_sandbox::Sandbox::builder()
        .app(dingtalk_sandbox::App::new(CANARY_APP, CANARY_SECRET))
        .start()
        .await
        .unwrap();
    let url = sandbox.base_url();
    let dir = common::tempdir("dws-login");
    let mut outputs = String::new();

    // --no-store-secret: used for the login, kept nowhere.
    let (code, _, err) = dws_seen(&mut outputs, &dir, &url, &canary_login(&["--no-store-secret"])).await;
    assert_eq!(code, 0, "{err}");
    let (_, status, _) = dws_seen(&mut outputs, &dir, &url, &["auth", "status"]).await;
    assert_eq!(status["client_secret"], "not set", "{status}");

    // Stored: later commands call as the app without any secret flag.
    let (code, _, err) = dws_seen(&mut outputs, &dir, &url, &canary_login(&[])).await;
    assert_eq!(code, 0, "{err}");
    let (_, status, _) = dws_seen(&mut outputs, &dir, &url, &["-v", "auth", "status"]).await;
    assert_eq!(status["client_secret"], "token store (encrypted)", "{status}");
    let since = sandbox.requests(0).len() as u64;
    let (code, doc, err) = dws_seen(&mut outputs, &dir, &url, &["-v", "contact", "user", "get-self"]).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["response"]["userid"], "user002", "{doc}");
    let calls = sandbox.requests(since);
    assert!(
        calls.iter().any(|r| r.client_id.as_deref() == Some(CANARY_APP)),
        "the stored app was not used: {calls:?}"
    );
    // --debug shows each request and response, still without the secret.
    let (code, _, err) = dws_seen(
        &mut outputs,
        &dir,
        &url,
        &["--debug", "contact", "user", "get-self"],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("debug request") && err.contains("debug response"),
        "{err}"
    );
    let (code, doctor, err) = dws_seen(&mut outputs, &dir, &url, &["doctor", "--deep"]).await;
    assert!(code == 0 || code == 1, "{err}");
    assert!(
        doctor.to_string().contains("the encrypted token store"),
        "{doctor}"
    );
    // --client-id alone finds the stored secret too; a dry run shows no secret.
    let (code, _, err) = dws_seen(
        &mut outputs,
        &dir,
        &url,
        &[
            "--client-id",
            CANARY_APP,
            "--dry-run",
            "contact",
            "user",
            "get-self",
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");

    assert!(!outputs.contains(CANARY_SECRET), "secret on an output stream");
    for file in walk(&dir) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(!text.contains(CANARY_SECRET), "secret in {}", file.display());
    }
}

/// The canary app's app-only login as user002, then `extra`.
fn canary_login(extra: &[&'static str]) -> Vec<&'static str> {
    let mut args = vec![
        "--client-id",
        CANARY_APP,
        "--client-secret",
        CANARY_SECRET,
        "auth",
        "login",
        "--app-only",
        "--operator",
        "user002",
    ];
    args.extend_from_slice(extra);
    args
}

/// [`dws`], adding its stdout and stderr to `outputs`; returns the exit code, the document and stderr.
async fn dws_seen(outputs: &mut String, config: &Path, url: &str, args: &[&str]) -> (i32, Value, String) {
    let (code, doc, out, err) = dws(config, url, args).await;
    outputs.push_str(&out);
    outputs.push_str(&err);
    (code, doc, err)
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
