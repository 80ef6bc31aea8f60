//! `dws upgrade`: replace this binary from a release directory or URL (reference §8.2).
//!
//! Source layout (a directory, or the same files under an `https://` URL; plain `http://` only to loopback):
//!
//! ```text
//! index.json                        {"versions": [{"version": "0.2.0", "date": "…", "notes": "…"}]}
//! <version>/checksums.txt           "<sha256>  dws-<arch>-<os>" lines
//! <version>/dws-<arch>-<os>         the binary (no archive)
//! ```
//!
//! Prepare: fetch into a temp file next to the binary, check its SHA-256 against `checksums.txt`, run its
//! `version --json` and compare the version. Apply: copy the current binary to `<config>/backups/<version>-<ts>/`
//! with its hash (five kept), then rename the new one over it. Any failure leaves the install untouched.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::exit::{CliError, Exit};
use crate::output::Outcome;
use crate::progress::Progress;
use crate::settings::Settings;

/// How many backups are kept.
const KEEP_BACKUPS: usize = 5;
/// Largest file accepted from a source.
const MAX_DOWNLOAD: usize = 256 * 1024 * 1024;

/// What `dws upgrade` was asked to do.
#[derive(Debug, Default)]
#[expect(clippy::struct_excessive_bools, reason = "independent flags of one command")]
pub(crate) struct UpgradeArgs {
    pub(crate) from: Option<String>,
    pub(crate) check: bool,
    pub(crate) list: bool,
    pub(crate) version: Option<String>,
    pub(crate) force: bool,
    pub(crate) rollback: bool,
    pub(crate) skip_skills: bool,
}

/// The release file name for this platform.
fn asset_name() -> String {
    format!("dws-{}-{}", std::env::consts::ARCH, std::env::consts::OS)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn failed(message: impl Into<String>) -> CliError {
    CliError::new(Exit::Api, "upgrade_failed", message).hint("the installed binary was not changed")
}

/// Numeric parts of a version for ordering (`v1.2.10` → [1, 2, 10]).
fn version_key(v: &str) -> Vec<u64> {
    v.trim_start_matches('v')
        .split(['.', '-', '+'])
        .map(|p| p.parse().unwrap_or(0))
        .collect()
}

/// A release source: a directory or a URL.
enum Source {
    Dir(PathBuf),
    Url(url::Url),
}

impl Source {
    fn parse(from: &str) -> Result<Self, CliError> {
        if from.starts_with("http://") || from.starts_with("https://") {
            let url = url::Url::parse(from).map_err(|e| {
                CliError::validation("invalid_argument", format!("--from: {e}")).param("from")
            })?;
            let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
            if url.scheme() == "http" && !loopback {
                return Err(CliError::new(
                    Exit::Endpoint,
                    "untrusted_host",
                    "--from: plain http is only allowed to 127.0.0.1",
                )
                .param("from")
                .hint("use an https:// release URL"));
            }
            let mut url = url;
            if !url.path().ends_with('/') {
                url.set_path(&format!("{}/", url.path()));
            }
            return Ok(Self::Url(url));
        }
        let dir = PathBuf::from(from);
        if !dir.is_dir() {
            return Err(CliError::validation(
                "input_file_not_found",
                format!("--from: {from} is not a directory"),
            )
            .param("from"));
        }
        Ok(Self::Dir(dir))
    }

    fn describe(&self) -> String {
        match self {
            Self::Dir(d) => d.display().to_string(),
            Self::Url(u) => u.to_string(),
        }
    }

    async fn fetch(&self, rel: &str) -> Result<Vec<u8>, CliError> {
        self.fetch_with(rel, &mut Progress::to(None)).await
    }

    /// Reads `rel` from the release, at most 256 MiB; a URL download is streamed (the cap holds while reading, not
    /// after) and shown on `progress` as bytes received of the announced length.
    async fn fetch_with(&self, rel: &str, progress: &mut Progress) -> Result<Vec<u8>, CliError> {
        if rel.split('/').any(|seg| seg == ".." || seg.is_empty()) {
            return Err(failed(format!("unsafe path in the release: {rel}")));
        }
        match self {
            Self::Dir(d) => {
                let path = d.join(rel);
                let meta =
                    std::fs::metadata(&path).map_err(|e| failed(format!("{}: {e}", path.display())))?;
                if !meta.is_file() || meta.len() > MAX_DOWNLOAD as u64 {
                    return Err(failed(format!(
                        "{}: not a regular file of at most 256 MiB",
                        path.display()
                    )));
                }
                std::fs::read(&path).map_err(|e| failed(format!("{}: {e}", path.display())))
            }
            Self::Url(base) => {
                let url = base.join(rel).map_err(|e| failed(format!("{rel}: {e}")))?;
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_mins(5))
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(|e| failed(e.to_string()))?;
                let mut resp = client
                    .get(url.clone())
                    .send()
                    .await
                    .map_err(|e| CliError::new(Exit::Api, "network", format!("{url}: {e}")))?;
                if !resp.status().is_success() {
                    return Err(failed(format!("{url}: HTTP {}", resp.status())));
                }
                let total = resp.content_length();
                if total.is_some_and(|n| n > MAX_DOWNLOAD as u64) {
                    return Err(failed(format!("{url}: larger than 256 MiB")));
                }
                let mut bytes = Vec::with_capacity(total.map_or(0, |n| usize::try_from(n).unwrap_or(0)));
                while let Some(chunk) = resp
                    .chunk()
                    .await
                    .map_err(|e| CliError::new(Exit::Api, "network", format!("{url}: {e}")))?
                {
                    if bytes.len() + chunk.len() > MAX_DOWNLOAD {
                        return Err(failed(format!("{url}: larger than 256 MiB")));
                    }
                    bytes.extend_from_slice(&chunk);
                    progress.update(&downloaded(rel, bytes.len(), total));
                }
                progress.finish();
                Ok(bytes)
            }
        }
    }

    /// Versions offered, newest first.
    async fn versions(&self) -> Result<Vec<Value>, CliError> {
        let index: Value = serde_json::from_slice(&self.fetch("index.json").await?)
            .map_err(|e| failed(format!("index.json: {e}")))?;
        let mut versions: Vec<Value> = index
            .get("versions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|v| v.get("version").and_then(Value::as_str).is_some())
            .collect();
        versions.sort_by_key(|v| std::cmp::Reverse(version_key(v["version"].as_str().unwrap_or(""))));
        Ok(versions)
    }
}

fn backups_dir(settings: &Settings) -> PathBuf {
    settings.config_dir.join("backups")
}

fn current_exe() -> Result<PathBuf, CliError> {
    let exe = std::env::current_exe().map_err(|e| failed(format!("cannot locate this binary: {e}")))?;
    Ok(std::fs::canonicalize(&exe).unwrap_or(exe))
}

/// Writes `bytes` as an executable temp file next to `exe` (same filesystem, so the rename is atomic).
fn stage(exe: &Path, bytes: &[u8]) -> Result<PathBuf, CliError> {
    let dir = exe
        .parent()
        .ok_or_else(|| failed("the binary has no parent directory"))?;
    let tmp = dir.join(format!(".dws-upgrade-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))?;
        }
        Ok(())
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        failed(format!("{}: {e}", tmp.display()))
    })?;
    Ok(tmp)
}

/// Runs `bin version --json` (10 s at most) and returns the version it reports.
async fn smoke_test(bin: &Path) -> Result<String, CliError> {
    let run = tokio::process::Command::new(bin)
        .args(["version", "--json"])
        .env("DWS_STRICT", "1")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .map_err(|_| failed("the new binary did not answer `version --json` within 10 s"))?
        .map_err(|e| failed(format!("the new binary does not run: {e}")))?;
    if !out.status.success() {
        return Err(failed(format!(
            "the new binary's `version --json` exited {}",
            out.status
        )));
    }
    serde_json::from_slice::<Value>(&out.stdout)
        .ok()
        .and_then(|v| v.get("version").and_then(Value::as_str).map(str::to_owned))
        .ok_or_else(|| failed("the new binary's `version --json` printed no version"))
}

/// Copies `exe` into a fresh backup directory with its hash; keeps the newest [`KEEP_BACKUPS`].
fn backup(settings: &Settings, exe: &Path) -> Result<PathBuf, CliError> {
    let bytes = std::fs::read(exe).map_err(|e| failed(format!("{}: {e}", exe.display())))?;
    let stamp = dingtalk_core::Clock::epoch_millis(&dingtalk_core::SystemClock);
    let dir = backups_dir(settings).join(format!("{}-{stamp}", env!("CARGO_PKG_VERSION")));
    let save = || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("dws"), &bytes)?;
        std::fs::write(dir.join("dws.sha256"), sha256(&bytes))
    };
    save().map_err(|e| failed(format!("backup {}: {e}", dir.display())))?;
    let mut all = list_backups(settings);
    while all.len() > KEEP_BACKUPS {
        if let Some(old) = all.pop() {
            let _ = std::fs::remove_dir_all(old);
        }
    }
    Ok(dir)
}

/// Backup directories, newest first.
fn list_backups(settings: &Settings) -> Vec<PathBuf> {
    let mut dirs: Vec<(u64, PathBuf)> = std::fs::read_dir(backups_dir(settings))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let stamp = name.rsplit('-').next()?.parse().ok()?;
            Some((stamp, e.path()))
        })
        .collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.0));
    dirs.into_iter().map(|(_, p)| p).collect()
}

/// `dws upgrade`.
pub(crate) async fn run(settings: &Settings, args: UpgradeArgs) -> Result<Outcome, CliError> {
    let current = env!("CARGO_PKG_VERSION");
    if args.rollback {
        return rollback(settings);
    }
    let from = args
        .from
        .clone()
        .or_else(|| crate::env::var(crate::env::UPGRADE_URL))
        .ok_or_else(|| {
            CliError::validation("invalid_argument", "no release source")
                .param("from")
                .hint("pass --from DIR|URL or set DWS_UPGRADE_URL (there is no built-in default)")
        })?;
    let source = Source::parse(&from)?;
    let versions = source.versions().await?;
    let latest = versions
        .first()
        .and_then(|v| v["version"].as_str())
        .map(str::to_owned);
    if args.list {
        return Ok(Outcome {
            response: json!({"items": versions}),
            ..Outcome::default()
        });
    }
    let newer = latest
        .as_deref()
        .is_some_and(|l| version_key(l) > version_key(current));
    if args.check {
        return Ok(Outcome {
            response: json!({"current": current, "latest": latest, "update_available": newer,
                             "source": source.describe()}),
            ..Outcome::default()
        });
    }
    let want = match args.version.as_deref() {
        Some(v) => versions
            .iter()
            .find_map(|x| {
                x["version"]
                    .as_str()
                    .filter(|s| s.trim_start_matches('v') == v.trim_start_matches('v'))
            })
            .map(str::to_owned)
            .ok_or_else(|| {
                CliError::validation(
                    "invalid_argument",
                    format!("--version: the source has no version {v}"),
                )
                .param("version")
                .hint("dws upgrade --list shows what it offers")
            })?,
        None => latest.ok_or_else(|| failed("index.json lists no versions"))?,
    };
    if version_key(&want) <= version_key(current) && !args.force {
        return Ok(Outcome {
            response: json!({"current": current, "target": want, "changed": false,
                             "note": "already at this version or newer; --force reinstalls"}),
            ..Outcome::default()
        });
    }
    if settings.dry_run {
        return Ok(Outcome {
            response: json!({"dry_run": true, "current": current, "target": want, "source": source.describe()}),
            ..Outcome::default()
        });
    }
    crate::commands::confirm(settings, &format!("replace dws {current} with {want}"))?;
    // The path now, before the rename: afterwards this process's own path reads as deleted.
    let exe = current_exe()?;
    let mut outcome = install(settings, &source, &want).await?;
    if !args.skip_skills {
        let refreshed = refresh_skills(settings, &exe).await;
        if let Some(obj) = outcome.response.as_object_mut() {
            obj.insert("skills_refreshed".into(), json!(refreshed));
        }
    }
    Ok(outcome)
}

/// Reinstalls the skill in every directory that has one, with the new binary at `exe` (so it matches its commands).
async fn refresh_skills(settings: &Settings, exe: &Path) -> Vec<String> {
    let mut done = Vec::new();
    for dir in crate::commands::skill::installed_dirs() {
        let Some(parent) = dir.parent() else { continue };
        let run = tokio::process::Command::new(exe)
            .args(["skill", "install", "-q", "-f", "json", "--dir"])
            .arg(parent)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .status();
        if let Ok(Ok(status)) = tokio::time::timeout(Duration::from_secs(30), run).await
            && status.success()
        {
            done.push(dir.display().to_string());
        } else {
            crate::output::note(
                settings,
                &format!(
                    "warning: could not refresh the skill in {}; run `dws skill install`",
                    dir.display()
                ),
            );
        }
    }
    done
}

/// The progress line of a download: `dws-x86_64-linux 3.2 / 11.5 MiB`.
fn downloaded(rel: &str, got: usize, total: Option<u64>) -> String {
    #[expect(clippy::cast_precision_loss, reason = "a size shown with one decimal")]
    let mib = |n: u64| n as f64 / (1024.0 * 1024.0);
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let got = mib(got as u64);
    match total {
        Some(total) => format!("downloading {name} {got:.1} / {:.1} MiB", mib(total)),
        None => format!("downloading {name} {got:.1} MiB"),
    }
}

/// Fetch, verify, smoke-test, back up, replace.
async fn install(settings: &Settings, source: &Source, want: &str) -> Result<Outcome, CliError> {
    let current = env!("CARGO_PKG_VERSION");
    let asset = asset_name();
    let sums = String::from_utf8(source.fetch(&format!("{want}/checksums.txt")).await?)
        .map_err(|_| failed("checksums.txt is not UTF-8"))?;
    let expected = sums
        .lines()
        .filter_map(|l| l.split_once(char::is_whitespace))
        .find(|(_, name)| name.trim().trim_start_matches('*') == asset)
        .map(|(sum, _)| sum.trim().to_ascii_lowercase())
        .ok_or_else(|| failed(format!("checksums.txt has no entry for {asset}")))?;
    let bytes = source
        .fetch_with(&format!("{want}/{asset}"), &mut Progress::new(settings))
        .await?;
    let got = sha256(&bytes);
    if got != expected {
        return Err(CliError::new(
            Exit::Api,
            "checksum_mismatch",
            format!("{asset}: SHA-256 {got} does not match checksums.txt ({expected})"),
        )
        .hint("the download is corrupt or tampered with; the installed binary was not changed"));
    }
    let exe = current_exe()?;
    let staged = stage(&exe, &bytes)?;
    let checked = smoke_test(&staged).await;
    match checked {
        Ok(v) if v.trim_start_matches('v') == want.trim_start_matches('v') => {}
        Ok(v) => {
            let _ = std::fs::remove_file(&staged);
            return Err(failed(format!("the new binary reports version {v}, not {want}")));
        }
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
    }
    let saved = match backup(settings, &exe) {
        Ok(d) => d,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
    };
    if let Err(e) = std::fs::rename(&staged, &exe) {
        let _ = std::fs::remove_file(&staged);
        return Err(failed(format!("replace {}: {e}", exe.display())));
    }
    Ok(Outcome {
        response: json!({"changed": true, "from": current, "to": want, "path": exe.display().to_string(),
                         "sha256": got, "backup": saved.display().to_string()}),
        ..Outcome::default()
    })
}

/// `dws upgrade --rollback`: restores the newest backup after checking its recorded hash.
fn rollback(settings: &Settings) -> Result<Outcome, CliError> {
    let newest = list_backups(settings).into_iter().next().ok_or_else(|| {
        CliError::validation("invalid_argument", "no backup to roll back to")
            .param("rollback")
            .hint(format!("backups live in {}", backups_dir(settings).display()))
    })?;
    let bytes =
        std::fs::read(newest.join("dws")).map_err(|e| failed(format!("{}: {e}", newest.display())))?;
    let recorded = std::fs::read_to_string(newest.join("dws.sha256")).unwrap_or_default();
    if sha256(&bytes) != recorded.trim() {
        return Err(CliError::new(
            Exit::Api,
            "checksum_mismatch",
            format!("backup {} does not match its recorded SHA-256", newest.display()),
        )
        .hint("the backup was changed; the installed binary was not touched"));
    }
    if settings.dry_run {
        return Ok(Outcome {
            response: json!({"dry_run": true, "restore": newest.display().to_string()}),
            ..Outcome::default()
        });
    }
    crate::commands::confirm(settings, &format!("restore dws from {}", newest.display()))?;
    let exe = current_exe()?;
    let staged = stage(&exe, &bytes)?;
    if let Err(e) = std::fs::rename(&staged, &exe) {
        let _ = std::fs::remove_file(&staged);
        return Err(failed(format!("replace {}: {e}", exe.display())));
    }
    let _ = std::fs::remove_dir_all(&newest);
    Ok(Outcome {
        response: json!({"changed": true, "rolled_back_to": newest.display().to_string(),
                         "path": exe.display().to_string(), "sha256": sha256(&bytes)}),
        ..Outcome::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_numerically() {
        assert!(version_key("0.10.0") > version_key("0.9.9"));
        assert!(version_key("v1.2.3") == version_key("1.2.3"));
    }

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(Source::parse("http://127.0.0.1:9/rel").is_ok());
        let err = Source::parse("http://example.com/rel")
            .err()
            .map(|e| e.reason.clone());
        assert_eq!(err.as_deref(), Some("untrusted_host"));
        assert!(Source::parse("https://example.com/rel").is_ok());
    }

    /// Serves one HTTP/1.1 answer with `head` (status line and headers) and `body` on 127.0.0.1, then closes.
    async fn serve_once(head: &'static str, body: Vec<u8>) -> String {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 2048];
            let _ = sock.read(&mut buf).await;
            let _ = sock.write_all(head.as_bytes()).await;
            let _ = sock.write_all(&body).await;
            let _ = sock.shutdown().await;
        });
        format!("http://{addr}/rel/")
    }

    /// Everything a `Progress` wrote.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_url_download_is_streamed_with_progress() {
        let body = vec![7u8; 3 * 1024 * 1024];
        let base = serve_once(
            "HTTP/1.1 200 OK\r\ncontent-length: 3145728\r\nconnection: close\r\n\r\n",
            body.clone(),
        )
        .await;
        let source = Source::parse(&base).unwrap();
        let captured = Captured::default();
        let mut progress = Progress::to(Some(Box::new(captured.clone())));
        let got = source.fetch_with("v1/dws-asset", &mut progress).await.unwrap();
        assert_eq!(got, body);
        let shown = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(shown.contains("downloading dws-asset 3.0 / 3.0 MiB"), "{shown:?}");
        assert!(
            shown.ends_with("\r\x1b[2K"),
            "the line is cleared at the end: {shown:?}"
        );
    }

    #[tokio::test]
    async fn an_announced_oversized_download_is_refused_before_reading() {
        let base = serve_once(
            "HTTP/1.1 200 OK\r\ncontent-length: 999999999999\r\nconnection: close\r\n\r\n",
            b"tiny".to_vec(),
        )
        .await;
        let err = Source::parse(&base)
            .unwrap()
            .fetch("v1/dws-asset")
            .await
            .err()
            .map(|e| e.message.clone());
        assert!(
            err.as_deref().is_some_and(|m| m.contains("larger than 256 MiB")),
            "{err:?}"
        );
    }
}
