//! Input correction through the built binary: stderr notes, `meta.corrections`, `error.corrections`, `--strict`.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::process::Output;

use serde_json::Value;

mod common;

fn dws(config: &std::path::Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    common::dws_command(config)
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrections_are_applied_and_reported() {
    let sandbox = dingtalk_sandbox::Sandbox::start().await.unwrap();
    let url = sandbox.base_url();
    let dir = common::tempdir("dws-correct");
    let args = [
        "--sandbox",
        &url,
        "-f",
        "JSON",
        "aitable",
        "record",
        "query",
        "--baseId",
        "baseSandboxProjects0001",
        "--tabel-id",
        "sheetTasks0001",
        "--limit5",
    ];
    let out = dws(&dir, &args, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<&str> = doc["meta"]["corrections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["enum", "case", "fuzzy", "sticky"], "{doc}");
    assert_eq!(doc["meta"]["corrections"][1]["from"], "--baseId");
    assert_eq!(doc["meta"]["corrections"][1]["to"], "--base-id");
    assert_eq!(doc["invocation"]["params"]["limit"], 5);
    assert!(
        stderr.contains("note: corrected --baseId → --base-id (case)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("note: corrected --limit5 → --limit 5 (sticky)"),
        "{stderr}"
    );

    // -q drops the notes; the JSON still carries them.
    let mut quiet = args.to_vec();
    quiet.push("-q");
    let out = dws(&dir, &quiet, &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("note: corrected"));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["meta"]["corrections"].as_array().unwrap().len(), 4);

    // --strict and DWS_STRICT: nothing is rewritten, exit 3 with a suggestion, nothing on stdout.
    for (extra, envs) in [(Some("--strict"), &[][..]), (None, &[("DWS_STRICT", "1")][..])] {
        let mut strict = args.to_vec();
        strict.extend(extra);
        let out = dws(&dir, &strict, envs);
        assert_eq!(out.status.code(), Some(3));
        assert!(out.stdout.is_empty());
        let err: Value = serde_json::from_slice(&out.stderr).unwrap();
        // The first would-be correction is `-f JSON`; the hint lists all of them.
        assert_eq!(err["error"]["reason"], "invalid_argument", "{err}");
        assert!(
            err["error"]["hint"].as_str().unwrap().contains("--base-id"),
            "{err}"
        );
    }

    // A run that fails after a correction lists it in error.corrections.
    let out = dws(
        &dir,
        &["--sandbox", &url, "todo", "task", "get", "--taskId", "nope"],
        &[],
    );
    assert_ne!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("note: corrected --taskId → --task-id (case)\n"),
        "{stderr}"
    );
    let err: Value = serde_json::from_str(stderr.lines().last().unwrap()).unwrap();
    assert_eq!(err["error"]["corrections"][0]["to"], "--task-id", "{err}");

    // An ambiguous fuzzy name is an error naming both candidates.
    let out = dws(
        &dir,
        &["--dry-run", "todo", "task", "update", "--task-id", "t", "--dne"],
        &[],
    );
    assert_eq!(out.status.code(), Some(3));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    let message = err["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("--due") && message.contains("--done"),
        "{message}"
    );
    sandbox.shutdown().await;
}

/// Regression: `DWS_STRICT=1` was refused by clap ("invalid value '1' for '--strict'").
#[test]
fn dws_strict_accepts_boolish_values() {
    let dir = common::tempdir("dws-correct");
    for v in ["1", "true", "yes", "on", "0", "false"] {
        let out = dws(&dir, &["version", "--json"], &[("DWS_STRICT", v)]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "DWS_STRICT={v}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // DWS_STRICT=0 leaves correction on.
    let out = dws(
        &dir,
        &["--dry-run", "todo", "task", "list", "--limit5"],
        &[("DWS_STRICT", "0")],
    );
    common::assert_exit(&out, 0);
}

#[test]
fn correct_command_lines_have_no_corrections() {
    let dir = common::tempdir("dws-correct");
    let out = dws(
        &dir,
        &[
            "--dry-run",
            "-f",
            "json",
            "todo",
            "task",
            "create",
            "--title",
            "X",
            "--priority",
            "high",
        ],
        &[],
    );
    common::assert_exit(&out, 0);
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["meta"]["corrections"], serde_json::json!([]));
}
