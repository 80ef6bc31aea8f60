//! Shared by the `cli_*` tests: a temporary config directory removed when dropped, and the `dws` command with a
//! clean environment.
// Each test binary uses only some of these helpers.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh directory under the system temp dir, deleted on drop.
pub(crate) struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Deref for TempDir {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.0
    }
}

impl AsRef<OsStr> for TempDir {
    fn as_ref(&self) -> &OsStr {
        self.0.as_os_str()
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

/// A new temporary directory named after `prefix`, the process and a counter.
#[expect(clippy::expect_used, reason = "a test cannot run without its directory")]
pub(crate) fn tempdir(prefix: &str) -> TempDir {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    TempDir(dir)
}

/// `bin` with a cleared environment (only `PATH`), `DWS_CONFIG_DIR=config`, `HOME=home` and no stdin.
pub(crate) fn clean_command(bin: impl AsRef<OsStr>, config: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(bin);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DWS_CONFIG_DIR", config)
        .env("HOME", home)
        .stdin(Stdio::null());
    cmd
}

/// The `dws` under test with `config` as both its config directory and `HOME` (see [`clean_command`]).
pub(crate) fn dws_command(config: &Path) -> Command {
    clean_command(env!("CARGO_BIN_EXE_dws"), config, config)
}

/// The one JSON document `out` holds; panics on none or more than one.
#[expect(clippy::expect_used, clippy::unwrap_used, reason = "test helpers fail loudly")]
pub(crate) fn one_json(out: &[u8]) -> serde_json::Value {
    let text = std::str::from_utf8(out).unwrap();
    let mut docs = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
    let first = docs.next().expect("one JSON document").unwrap();
    assert!(docs.next().is_none(), "more than one JSON document: {text}");
    first
}

/// Asserts that `out` exited with `code`, showing its stderr otherwise.
#[track_caller]
pub(crate) fn assert_exit(out: &std::process::Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Asserts that `out` exited with `code` and its stderr is one JSON error document with `reason`; returns it.
#[track_caller]
pub(crate) fn assert_error(out: &std::process::Output, code: i32, reason: &str) -> serde_json::Value {
    assert_exit(out, code);
    let err = one_json(&out.stderr);
    assert_eq!(err["error"]["reason"], reason, "{err}");
    err
}

/// Spawns `cmd` with no stdin and piped stdout and stderr, killed if dropped.
#[expect(clippy::expect_used, reason = "a test cannot run without its child")]
pub(crate) fn spawn_piped(cmd: &mut tokio::process::Command) -> tokio::process::Child {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn dws")
}

/// Sends SIGINT to `child` (as Ctrl-C would) and waits up to `limit` for it to exit (`what` names that).
#[cfg(unix)]
#[expect(clippy::expect_used, clippy::unwrap_used, reason = "test helpers fail loudly")]
pub(crate) async fn interrupt(
    child: tokio::process::Child,
    limit: std::time::Duration,
    what: &str,
) -> std::process::Output {
    let pid = child.id().unwrap().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    tokio::time::timeout(limit, child.wait_with_output())
        .await
        .expect(what)
        .unwrap()
}

/// [`assert_exit`] with `what` (the command line, say) in front of the stderr shown.
#[track_caller]
pub(crate) fn assert_exit_for(out: &std::process::Output, code: i32, what: impl std::fmt::Display) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
