//! The optional audit log: `--audit` / `DWS_AUDIT=1` append one hash-chained line per write command (reads and dry
//! runs are not logged, bodies never are), and `dws audit verify` finds the first changed, removed or reordered
//! line.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::path::Path;

use serde_json::Value;

mod common;

fn dws(config: &Path, envs: &[(&str, &str)], args: &[&str]) -> (i32, Value, String) {
    let out = common::dws_command(config)
        .args(["-f", "json"])
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(config)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let doc = serde_json::from_str(&stdout)
        .or_else(|_| serde_json::from_str(&stderr))
        .unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), doc, stderr)
}

fn hex_sha256(text: &str) -> String {
    use std::fmt::Write as _;
    let digest = <sha2::Sha256 as sha2::Digest>::digest(text.as_bytes());
    digest.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn lines(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("audit.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(
    clippy::too_many_lines,
    reason = "one story: log, verify, tamper four ways, continue"
)]
async fn writes_are_chained_and_tampering_is_found() {
    let sandbox = dingtalk_sandbox::Sandbox::start().await.unwrap();
    let sandbox_flag = format!("--sandbox={}", sandbox.base_url());
    let dir = common::tempdir("dws-audit");
    let s = sandbox_flag.as_str();

    // Nothing is logged without the switch.
    let (code, _, err) = dws(&dir, &[], &[s, "todo", "task", "create", "--title", "plain"]);
    assert_eq!(code, 0, "{err}");
    assert!(!dir.join("audit.jsonl").exists());

    // Two writes (flag, then environment), a refused write, a read and a dry run.
    let (code, _, err) = dws(
        &dir,
        &[],
        &[s, "--audit", "todo", "task", "create", "--title", "BODY-CANARY"],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = dws(
        &dir,
        &[("DWS_AUDIT", "1")],
        &[
            s,
            "calendar",
            "room",
            "add",
            "--event",
            "evtSandbox0001",
            "--rooms",
            "roomSandbox0001",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = dws(
        &dir,
        &[("DWS_AUDIT", "1")],
        &[s, "calendar", "event", "delete", "--id", "evtSandbox0003"],
    );
    assert_eq!(code, 3, "no --yes: confirmation_required {err}");
    let (code, _, err) = dws(&dir, &[("DWS_AUDIT", "1")], &[s, "contact", "user", "get-self"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = dws(
        &dir,
        &[("DWS_AUDIT", "1")],
        &[s, "--dry-run", "todo", "task", "create", "--title", "dry"],
    );
    assert_eq!(code, 0, "{err}");

    let log = lines(&dir);
    assert_eq!(log.len(), 3, "{log:#?}");
    let entries: Vec<Value> = log.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(entries[0]["command"], "todo task create");
    assert_eq!(entries[0]["schema_id"], "todo.create_personal_todo");
    assert_eq!(entries[0]["outcome"], "ok");
    assert!(entries[0]["request_ids"].as_array().is_some(), "{}", entries[0]);
    assert_eq!(
        entries[1]["targets"],
        serde_json::json!(["evtSandbox0001", "roomSandbox0001"])
    );
    assert_eq!(entries[2]["outcome"], "error:confirmation_required");
    assert_eq!(entries[2]["targets"], serde_json::json!(["evtSandbox0003"]));
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e["seq"], i + 1);
        assert!(e["time"].as_str().is_some_and(|t| t.starts_with("20")), "{e}");
        assert_eq!(e["hash"].as_str().unwrap().len(), 64);
    }
    assert_eq!(entries[1]["prev"], entries[0]["hash"]);
    assert!(!log.join("\n").contains("BODY-CANARY"), "a body was logged");

    let (code, doc, err) = dws(&dir, &[], &["audit", "verify"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["response"]["lines"], 3, "{doc}");
    assert_eq!(doc["response"]["head"], entries[2]["hash"]);

    let original = log.join("\n") + "\n";
    let check = |text: &str| -> (i32, String) {
        std::fs::write(dir.join("audit.jsonl"), text).unwrap();
        let (code, doc, err) = dws(&dir, &[], &["audit", "verify"]);
        (code, doc["error"]["message"].as_str().unwrap_or(&err).to_owned())
    };
    // An edited field: caught at that line.
    let (code, message) = check(&original.replacen("\"outcome\":\"ok\"", "\"outcome\":\"error:x\"", 1));
    assert_eq!(code, 3, "{message}");
    assert!(message.contains("line 1"), "{message}");
    // A removed line: the next one no longer follows.
    let without_second = format!("{}\n{}\n", log[0], log[2]);
    let (code, message) = check(&without_second);
    assert_eq!(code, 3);
    assert!(message.contains("line 2"), "{message}");
    // Reordered lines.
    let (code, message) = check(&format!("{}\n{}\n{}\n", log[1], log[0], log[2]));
    assert_eq!(code, 3);
    assert!(message.contains("line 1"), "{message}");
    // A recomputed hash does not help: the next line's prev no longer matches.
    let mut forged: Value = serde_json::from_str(&log[1]).unwrap();
    forged["outcome"] = "error:forged".into();
    forged.as_object_mut().unwrap().remove("hash");
    let body = forged.to_string();
    let hash = hex_sha256(&body);
    let forged_line = format!("{},\"hash\":\"{hash}\"}}", &body[..body.len() - 1]);
    let (code, message) = check(&format!("{}\n{forged_line}\n{}\n", log[0], log[2]));
    assert_eq!(code, 3);
    assert!(message.contains("line 3"), "{message}");
    // A log whose last line is not an audit line is not appended to: the write still succeeds, with a warning.
    std::fs::write(dir.join("audit.jsonl"), format!("{original}garbage\n")).unwrap();
    let (code, _, err) = dws(
        &dir,
        &[],
        &[s, "--audit", "todo", "task", "create", "--title", "warned"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("audit log was not written"), "{err}");
    assert_eq!(lines(&dir).len(), 4, "nothing appended after the garbage line");
    // Intact again: verified, and the next write continues the chain.
    assert_eq!(check(&original).0, 0);
    let (code, _, err) = dws(
        &dir,
        &[],
        &[s, "--audit", "todo", "task", "create", "--title", "again"],
    );
    assert_eq!(code, 0, "{err}");
    let (code, doc, _) = dws(&dir, &[], &["audit", "verify"]);
    assert_eq!(code, 0);
    assert_eq!(doc["response"]["lines"], 4);
}
