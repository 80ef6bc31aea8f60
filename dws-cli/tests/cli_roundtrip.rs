//! Write → read → delete roundtrips, output formats, `dws api`, `dws doctor` and `dws sandbox serve`, all against
//! a sandbox on 127.0.0.1.
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly")]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

mod common;

fn dws(config: &Path, args: &[&str]) -> Output {
    common::dws_command(config).args(args).output().unwrap()
}

/// Runs against `url` and returns `.response`, asserting exit 0.
fn ok(config: &Path, url: &str, args: &[&str]) -> Value {
    let mut full = vec!["--sandbox", url, "-f", "json"];
    full.extend(args);
    let out = dws(config, &full);
    common::assert_exit_for(&out, 0, format_args!("{args:?}"));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    doc["response"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(
    clippy::too_many_lines,
    reason = "one scenario per product, read top to bottom"
)]
async fn write_read_delete_roundtrips() {
    let sandbox = dingtalk_sandbox::Sandbox::start().await.unwrap();
    let url = sandbox.base_url();
    let dir = common::tempdir("dws-rt");
    let d = dir.as_path();

    // Calendar.
    let created = ok(
        d,
        &url,
        &[
            "calendar",
            "event",
            "create",
            "--title",
            "Retro",
            "--start",
            "2026-04-01T10:00:00+08:00",
            "--end",
            "2026-04-01T11:00:00+08:00",
        ],
    );
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(
        ok(d, &url, &["calendar", "event", "get", "--id", &id])["summary"],
        "Retro"
    );
    assert_eq!(
        ok(
            d,
            &url,
            &["calendar", "event", "update", "--id", &id, "--title", "Retro 2"]
        )["summary"],
        "Retro 2"
    );
    ok(d, &url, &["calendar", "event", "delete", "--id", &id, "--yes"]);

    // AI table.
    let base = [
        "--base-id",
        "baseSandboxProjects0001",
        "--table-id",
        "sheetTasks0001",
    ];
    let mut args = vec!["aitable", "record", "create"];
    args.extend(base);
    args.extend(["--records", r#"[{"fields":{"Title":"From dws","Points":3}}]"#]);
    let created = ok(d, &url, &args);
    let rec = created["value"][0]["id"].as_str().unwrap().to_owned();
    let records = format!(r#"[{{"id":"{rec}","fields":{{"Points":5}}}}]"#);
    let mut args = vec!["aitable", "record", "update"];
    args.extend(base);
    args.extend(["--records", &records]);
    ok(d, &url, &args);
    let mut args = vec!["aitable", "record", "query", "--limit", "100"];
    args.extend(base);
    let page = ok(d, &url, &args);
    assert!(
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == rec.as_str()),
        "{page}"
    );
    let mut args = vec!["aitable", "record", "delete", "--record-ids", &rec, "--yes"];
    args.extend(base);
    ok(d, &url, &args);

    // Table and field creation; `--fields` is the payload here, and one bad field makes the run partial (exit 7).
    let table = ok(
        d,
        &url,
        &[
            "aitable",
            "table",
            "create",
            "--base-id",
            "baseSandboxProjects0001",
            "--name",
            "Notes",
            "--fields",
            r#"[{"name":"Title","type":"text"}]"#,
        ],
    );
    let sheet = table["id"].as_str().unwrap().to_owned();
    let out = dws(
        d,
        &[
            "--sandbox",
            &url,
            "aitable",
            "field",
            "create",
            "--base-id",
            "baseSandboxProjects0001",
            "--table-id",
            &sheet,
            "--fields",
            r#"[{"name":"Done","type":"checkbox"},{"name":"Bad","type":"nonsense"}]"#,
        ],
    );
    common::assert_exit(&out, 7);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["response"]["items"][0]["ok"], true);
    assert_eq!(doc["response"]["items"][1]["ok"], false);

    // Robot send and recall, DING send and recall.
    let sent = ok(
        d,
        &url,
        &[
            "chat",
            "message",
            "send-by-bot",
            "--robot-code",
            "dingsandboxdemo",
            "--group",
            "cidSandboxEng0001+demo/Aa==",
            "--title",
            "T",
            "--text",
            "hello",
        ],
    );
    let key = sent["processQueryKey"].as_str().unwrap().to_owned();
    ok(
        d,
        &url,
        &[
            "chat",
            "message",
            "recall-by-bot",
            "--robot-code",
            "dingsandboxdemo",
            "--group",
            "cidSandboxEng0001+demo/Aa==",
            "--keys",
            &key,
            "--yes",
        ],
    );
    let ding = ok(
        d,
        &url,
        &[
            "ding",
            "message",
            "send",
            "--robot-code",
            "dingsandboxdemo",
            "--users",
            "user002",
            "--content",
            "x",
            "--yes",
        ],
    );
    let ding_id = ding["openDingId"].as_str().unwrap().to_owned();
    ok(
        d,
        &url,
        &[
            "ding",
            "message",
            "recall",
            "--robot-code",
            "dingsandboxdemo",
            "--id",
            &ding_id,
            "--yes",
        ],
    );

    // Approval: the demo user approves a running task.
    let detail = ok(
        d,
        &url,
        &["oa", "approval", "detail", "--instance-id", "procInstSandbox0003"],
    );
    let task = detail["tasks"][0]["taskId"].to_string();
    ok(
        d,
        &url,
        &[
            "oa",
            "approval",
            "approve",
            "--instance-id",
            "procInstSandbox0003",
            "--task-id",
            &task,
            "--yes",
            "--remark",
            "ok",
        ],
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formats_fields_jq_and_api() {
    let sandbox = dingtalk_sandbox::Sandbox::start().await.unwrap();
    let url = sandbox.base_url();
    let dir = common::tempdir("dws-rt");
    let members = [
        "--sandbox",
        url.as_str(),
        "contact",
        "dept",
        "list-members",
        "--ids",
        "100",
    ];

    let mut args = members.to_vec();
    args.extend(["-f", "csv", "--fields", "userid,name"]);
    let out = String::from_utf8(dws(&dir, &args).stdout).unwrap();
    assert!(out.starts_with("userid,name\r\nuser001,Alice\r\n"), "{out}");

    let mut args = members.to_vec();
    args.extend(["-f", "ndjson"]);
    let out = String::from_utf8(dws(&dir, &args).stdout).unwrap();
    assert!(out.lines().count() > 1);
    for line in out.lines() {
        serde_json::from_str::<Value>(line).unwrap();
    }

    let mut args = members.to_vec();
    args.extend(["-f", "table", "--fields", "userid,name"]);
    let out = String::from_utf8(dws(&dir, &args).stdout).unwrap();
    assert!(out.starts_with("USERID   NAME"), "{out}");

    let mut args = members.to_vec();
    args.extend(["--fields", "invocation,response"]);
    let doc: Value = serde_json::from_slice(&dws(&dir, &args).stdout).unwrap();
    assert!(doc.get("meta").is_none() && doc.get("response").is_some());

    let mut args = members.to_vec();
    args.extend(["--jq", ".response.items | length"]);
    assert_eq!(String::from_utf8(dws(&dir, &args).stdout).unwrap().trim(), "8");

    // Raw calls: legacy host by path prefix, paging through topapi cursors.
    let out = dws(
        &dir,
        &[
            "--sandbox",
            &url,
            "api",
            "POST",
            "/topapi/v2/user/get",
            "--data",
            r#"{"userid":"user002"}"#,
        ],
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["response"]["result"]["userid"], "user002");
    let out = dws(
        &dir,
        &[
            "--sandbox",
            &url,
            "api",
            "POST",
            "/topapi/v2/user/list",
            "--data",
            r#"{"dept_id":100,"cursor":0,"size":3}"#,
            "--page-all",
        ],
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["response"]["items"].as_array().unwrap().len(), 8, "{doc}");
    // Legacy errcode != 0 is an error.
    let out = dws(
        &dir,
        &[
            "--sandbox",
            &url,
            "api",
            "POST",
            "/topapi/v2/user/get",
            "--data",
            r#"{"userid":"nobody"}"#,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["category"], "api");
    assert!(err["error"]["trace_id"].is_string());

    // doctor against the sandbox passes.
    let out = dws(&dir, &["--sandbox", &url, "doctor"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["kind"], "doctor");
    assert_eq!(doc["summary"]["fail"], 0);
    assert_doctor_checks(&doc);
    sandbox.shutdown().await;
}

/// The deeper doctor checks are present; the clock check read the sandbox's `Date` header.
fn assert_doctor_checks(doc: &Value) {
    let status = |name: &str| {
        doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["status"].as_str().unwrap().to_owned())
    };
    // The sandbox sends a Date header: the clock check compares against it.
    assert_eq!(status("clock_skew").as_deref(), Some("pass"), "{doc}");
    for name in ["token_store", "profile", "proxy", "trusted_domains", "version"] {
        assert!(status(name).is_some(), "doctor misses {name}: {doc}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_across_products() {
    let sandbox = dingtalk_sandbox::Sandbox::start().await.unwrap();
    let url = sandbox.base_url();
    let dir = common::tempdir("dws-rt");
    // --page-all on a product list follows nextToken; --page-limit stops early and leaves the cursor.
    let records = [
        "--sandbox",
        url.as_str(),
        "aitable",
        "record",
        "query",
        "--base-id",
        "baseSandboxProjects0001",
        "--table-id",
        "sheetTasks0001",
        "--limit",
        "10",
        "--page-all",
    ];
    let doc: Value = serde_json::from_slice(&dws(&dir, &records).stdout).unwrap();
    assert_eq!(doc["response"]["items"].as_array().unwrap().len(), 30, "{doc}");
    assert_eq!(doc["meta"]["pagination"]["pages"], 3);
    let mut args = records.to_vec();
    args.extend(["--page-limit", "2"]);
    let doc: Value = serde_json::from_slice(&dws(&dir, &args).stdout).unwrap();
    assert_eq!(doc["response"]["items"].as_array().unwrap().len(), 20);
    assert_eq!(doc["meta"]["pagination"]["has_more"], true);
    // Offset-style paging (user search) yields a numeric cursor.
    let out = dws(
        &dir,
        &[
            "--sandbox",
            &url,
            "contact",
            "user",
            "search",
            "--keyword",
            "a",
            "--limit",
            "2",
        ],
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["meta"]["pagination"]["next_cursor"], "2");

    sandbox.shutdown().await;
}

#[test]
fn sandbox_serve_records_its_url() {
    let dir = common::tempdir("dws-rt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dws"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(["sandbox", "serve", "--addr", "127.0.0.1:0"])
        .env("DWS_CONFIG_DIR", &dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(
        std::fs::read_to_string(dir.join("sandbox.url")).unwrap().trim(),
        url
    );
    // `--sandbox` without a URL uses the recorded address.
    let out = dws(&dir, &["--sandbox", "-f", "json", "contact", "user", "get-self"]);
    child.kill().unwrap();
    child.wait().unwrap();
    common::assert_exit(&out, 0);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["response"]["userid"], "user001");
}

#[test]
fn unreachable_sandbox_and_missing_credentials() {
    let dir = common::tempdir("dws-rt");
    let out = dws(
        &dir,
        &["--sandbox=http://127.0.0.1:9", "contact", "user", "get-self"],
    );
    common::assert_error(&out, 6, "sandbox_unreachable");
    let out = dws(&dir, &["workbench", "app", "list", "--user", "u1"]);
    common::assert_exit(&out, 2);
}

/// A bare `--sandbox` with no sandbox running serves a throwaway embedded one for the command.
#[test]
fn bare_sandbox_flag_falls_back_to_an_embedded_sandbox() {
    let dir = common::tempdir("dws-embedded");
    let out = dws(&dir, &["--sandbox", "-f", "json", "contact", "user", "get-self"]);
    common::assert_exit(&out, 0);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["response"]["userid"], "user001");
    assert!(String::from_utf8_lossy(&out.stderr).contains("throwaway embedded"));
    // `--quiet` drops the note; the answer is the same.
    let out = dws(
        &dir,
        &["--sandbox", "-q", "-f", "json", "contact", "user", "get-self"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}
