//! Input and output handling through the built binary: `-o`, `@file` containment, duplicate JSON keys, time
//! keywords and `--tz`, no spinner or colour off a terminal.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::path::Path;
use std::process::Output;

use serde_json::Value;

mod common;

fn dws_in(cwd: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    common::clean_command(env!("CARGO_BIN_EXE_dws"), &cwd.join("config"), cwd)
        .args(args)
        .current_dir(cwd)
        .envs(envs.iter().copied())
        .output()
        .unwrap()
}

fn error_of(out: &Output) -> Value {
    let stderr = String::from_utf8_lossy(&out.stderr);
    serde_json::from_str(stderr.lines().last().unwrap_or("")).unwrap_or(Value::Null)
}

#[test]
fn output_file_is_written_atomically_and_contained() {
    let dir = common::tempdir("dws-io");
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    let args = ["--dry-run", "-o", "out.json", "todo", "task", "list"];
    let out = dws_in(&work, &args, &[]);
    common::assert_exit(&out, 0);
    assert!(out.stdout.is_empty());
    let doc: Value = serde_json::from_slice(&std::fs::read(work.join("out.json")).unwrap()).unwrap();
    assert_eq!(doc["invocation"]["dry_run"], true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(work.join("out.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Outside the working directory: refused, nothing written.
    let out = dws_in(
        &work,
        &["--dry-run", "-o", "../escape.json", "todo", "task", "list"],
        &[],
    );
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(error_of(&out)["error"]["reason"], "input_unsafe");
    assert!(!dir.join("escape.json").exists());
    // A symlink as the target is refused (it would redirect the write).
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("victim.txt"), work.join("link.json")).unwrap();
        let out = dws_in(
            &work,
            &["--dry-run", "-o", "link.json", "todo", "task", "list"],
            &[],
        );
        assert_eq!(out.status.code(), Some(3));
        assert!(!dir.join("victim.txt").exists());
    }
}

#[test]
fn at_file_inputs_stay_inside_the_allowed_roots() {
    let dir = common::tempdir("dws-io");
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(dir.join("outside.md"), "secret notes").unwrap();
    std::fs::write(work.join("inside.md"), "report text").unwrap();
    let send = |text: &str, envs: &[(&str, &str)]| {
        dws_in(
            &work,
            &[
                "--dry-run",
                "-f",
                "json",
                "chat",
                "message",
                "send-by-bot",
                "--robot-code",
                "R",
                "--users",
                "u1",
                "--title",
                "T",
                "--text",
                text,
            ],
            envs,
        )
    };
    let out = send("@inside.md", &[]);
    common::assert_exit(&out, 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("report text"));
    let outside = format!("@{}", dir.join("outside.md").display());
    for text in [outside.as_str(), "@../outside.md"] {
        let out = send(text, &[]);
        assert_eq!(out.status.code(), Some(3), "{text}");
        assert_eq!(error_of(&out)["error"]["reason"], "input_unsafe");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("secret notes"));
    }
    // DWS_INPUT_ROOTS lets it in.
    let out = send(&outside, &[("DWS_INPUT_ROOTS", dir.to_str().unwrap())]);
    common::assert_exit(&out, 0);
    // A symlink inside the working directory that points outside is refused.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("outside.md"), work.join("sneaky.md")).unwrap();
        let out = send("@sneaky.md", &[]);
        assert_eq!(out.status.code(), Some(3));
        // A directory is not an input file.
        let out = send("@config", &[]);
        assert_ne!(out.status.code(), Some(0));
    }
}

#[test]
fn json_flags_refuse_duplicate_keys() {
    let dir = common::tempdir("dws-io");
    let out = dws_in(
        &dir,
        &[
            "--dry-run",
            "api",
            "POST",
            "/topapi/v2/user/get",
            "--data",
            r#"{"userid":"a","userid":"b"}"#,
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(3));
    let err = error_of(&out);
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("duplicate key `userid`"),
        "{err}"
    );
    let out = dws_in(
        &dir,
        &[
            "--dry-run",
            "aitable",
            "record",
            "create",
            "--base-id",
            "B",
            "--table-id",
            "T",
            "--records",
            r#"[{"fields":{"a":1,"a":2}}]"#,
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn time_keywords_and_tz() {
    let dir = common::tempdir("dws-io");
    let run = |extra: &[&str]| {
        let mut args = vec!["--dry-run", "-f", "json"];
        args.extend(extra);
        args.extend(["todo", "task", "create", "--title", "X", "--due", "tomorrow"]);
        dws_in(&dir, &args, &[])
    };
    let out = run(&[]);
    common::assert_exit(&out, 0);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let due = doc["invocation"]["params"]["due"].as_str().unwrap().to_owned();
    assert!(due.ends_with("T00:00:00+08:00"), "{due}");
    let out = run(&["--tz", "UTC"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        doc["invocation"]["params"]["due"]
            .as_str()
            .unwrap()
            .ends_with("T00:00:00+00:00")
    );
    // DST zones are refused rather than guessed.
    let out = run(&["--tz", "Europe/Berlin"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(error_of(&out)["error"]["param"], "tz");
    // A date-time completed by correction takes --tz's offset.
    let out = dws_in(
        &dir,
        &[
            "--dry-run",
            "-f",
            "json",
            "--tz",
            "+05:30",
            "todo",
            "task",
            "create",
            "--title",
            "X",
            "--due",
            "2026-03-29 14:00",
        ],
        &[],
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["invocation"]["params"]["due"], "2026-03-29T14:00:00+05:30");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_spinner_or_colour_off_a_terminal() {
    let sandbox = dingtalk_sandbox::Sandbox::start().await.unwrap();
    let url = sandbox.base_url();
    let dir = common::tempdir("dws-io");
    let out = dws_in(
        &dir,
        &[
            "--sandbox",
            &url,
            "-f",
            "table",
            "todo",
            "task",
            "list",
            "--page-all",
            "--limit",
            "1",
        ],
        &[],
    );
    common::assert_exit(&out, 0);
    assert!(
        !out.stderr.contains(&b'\r') && !out.stderr.contains(&0x1b),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.stdout.contains(&0x1b));
    sandbox.shutdown().await;
}
