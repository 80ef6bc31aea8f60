//! Wall time of whole `dws` runs (process start, clap tree, input correction, output) for offline command lines:
//! the cost a person or an agent pays per call, and what input correction adds to it, next to `/bin/true` (the cost
//! of starting any process here) in the same run; the goal is at most 5× `/bin/true`.
//!
//! ```sh
//! cargo bench -p dws-cli --bench startup
//! ```

#![expect(clippy::print_stdout, reason = "a bench prints its table")]
#![allow(clippy::unwrap_used, reason = "a bench fails loudly")]

use std::process::{Command, Stdio};
use std::time::Duration;

const RUNS: usize = 60;

/// `dws` with only `DWS_CONFIG_DIR` in its environment and no stdin, stdout or stderr.
fn quiet_dws(config: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dws"));
    cmd.env_clear()
        .env("DWS_CONFIG_DIR", config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// `RUNS` wall times of `make()`, sorted.
fn time(mut make: impl FnMut() -> Command) -> Vec<Duration> {
    let mut out = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let mut cmd = make();
        let started = dingtalk_core::Clock::now(&dingtalk_core::SystemClock);
        let status = cmd.status().unwrap();
        out.push(started.elapsed());
        assert!(status.success(), "{cmd:?} failed");
    }
    out.sort_unstable();
    out
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// A config whose current profile's client secret is sealed in the token store: every call without a secret flag
/// reads profiles.json and opens the secret (AES-GCM) before planning.
fn sealed_config(config: &std::path::Path) -> std::path::PathBuf {
    let sealed = config.join("sealed");
    std::fs::create_dir_all(&sealed).unwrap();
    let login = quiet_dws(&sealed)
        .args([
            "--client-id",
            "benchapp",
            "--client-secret",
            "bench-secret",
            "-f",
            "json",
            "auth",
            "login",
            "--app-only",
            "--operator",
            "u1",
        ])
        .status()
        .unwrap();
    assert!(login.success(), "storing the bench secret failed");
    sealed
}

fn main() {
    let config = std::env::temp_dir().join(format!("dws-bench-{}", std::process::id()));
    std::fs::create_dir_all(&config).unwrap();
    let query = [
        "--dry-run",
        "-f",
        "json",
        "aitable",
        "record",
        "query",
        "--base-id",
        "B",
        "--table-id",
        "T",
        "--limit",
        "5",
    ];
    let strict: Vec<&str> = std::iter::once("--strict").chain(query).collect();
    let cases: &[(&str, &[&str])] = &[
        ("--version", &["--version"]),
        ("version", &["version"]),
        ("dry run, spelled right", &query),
        (
            "dry run, 4 corrections",
            &[
                "--dry-run",
                "-f",
                "JSON",
                "aitable",
                "record",
                "query",
                "--baseId",
                "B",
                "--tabel-id",
                "T",
                "--limit5",
            ],
        ),
        ("dry run, --strict", &strict),
        ("dry run, sealed client secret", &query),
        ("schema --all", &["schema", "--all", "-f", "json"]),
        ("skill show", &["skill", "show"]),
    ];
    let sealed = sealed_config(&config);
    let baseline = time(|| {
        let mut cmd = Command::new("/bin/true");
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd
    });
    let base_median = baseline[baseline.len() / 2];
    let row = |name: &str, t: &[Duration]| {
        let median = t[t.len() / 2];
        println!(
            "| {name} | {} | {} | {} | {:.1}× | {RUNS} |",
            ms(median),
            ms(t[0]),
            ms(t[t.len() - 1]),
            median.as_secs_f64() / base_median.as_secs_f64()
        );
    };
    println!("| Command line | median | min | max | median ÷ /bin/true | runs |");
    println!("|---|---|---|---|---|---|");
    row("/bin/true", &baseline);
    for (name, args) in cases {
        let dir = if name.contains("sealed") { &sealed } else { &config };
        row(
            name,
            &time(|| {
                let mut cmd = quiet_dws(dir);
                cmd.args(*args);
                cmd
            }),
        );
    }
    let _ = std::fs::remove_dir_all(&config);
}
