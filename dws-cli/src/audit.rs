//! The optional local audit log (`--audit`, `DWS_AUDIT=1`): one hash-chained JSON line per write command in
//! `<config>/audit.jsonl`, and `dws audit verify`.
//!
//! A line is the JSON object `{seq, time, profile, command, schema_id, targets, request_ids, outcome, prev}`
//! followed by `"hash"`: the SHA-256 (hex) of the line's text before `,"hash"` plus the closing brace. `prev` is
//! the previous line's hash (64 zeros on the first line), so changing, inserting, removing or reordering a line
//! breaks the chain at that line. No request bodies and no secrets are written. Cutting lines off the end is not
//! detectable from the file alone: compare the reported `head` with a copy kept elsewhere.

use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::exit::{CliError, Exit};
use crate::settings::Settings;

/// The log file's name in the config directory.
pub(crate) const FILE: &str = "audit.jsonl";
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const HASH_KEY: &str = ",\"hash\":\"";

/// One write to record.
pub(crate) struct Entry<'a> {
    pub(crate) command: &'a str,
    pub(crate) schema_id: Option<&'a str>,
    pub(crate) targets: Vec<String>,
    pub(crate) request_ids: Vec<String>,
    /// `ok`, `partial`, or `error:<reason>`.
    pub(crate) outcome: String,
}

/// The log file of `settings`.
pub(crate) fn path(settings: &Settings) -> PathBuf {
    settings.config_dir.join(FILE)
}

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Splits a line into its hashed text (`{…}` without the hash) and the stated hash.
fn split_line(line: &str) -> Option<(String, &str)> {
    let at = line.rfind(HASH_KEY)?;
    let hash = line[at + HASH_KEY.len()..].strip_suffix("\"}")?;
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some((format!("{}}}", &line[..at]), hash))
}

/// The profile a command ran as: the selected profile's id, else the `--profile` value.
fn profile_id(settings: &Settings) -> Option<String> {
    dingtalk_auth::Profiles::load(settings.config_dir.join("profiles.json"))
        .ok()
        .and_then(|p| p.resolve(settings.profile.as_deref()).ok().map(|p| p.id.clone()))
        .or_else(|| settings.profile.clone())
}

/// The last line of `file` (read from at most its last 64 KiB).
fn last_line(file: &mut std::fs::File) -> std::io::Result<Option<String>> {
    let len = file.seek(SeekFrom::End(0))?;
    let start = len.saturating_sub(64 * 1024);
    file.seek(SeekFrom::Start(start))?;
    let mut tail = String::new();
    file.read_to_string(&mut tail)?;
    Ok(tail
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(str::to_owned))
}

/// Appends `entry` to the chain, under a lock shared with other `dws` processes.
pub(crate) async fn append(settings: &Settings, entry: &Entry<'_>) -> Result<(), CliError> {
    std::fs::create_dir_all(&settings.config_dir)?;
    let lock_path = settings.config_dir.join("audit.lock");
    let _lock = dingtalk_auth::store::FileLock::acquire(lock_path, std::time::Duration::from_secs(10))
        .await
        .map_err(|e| CliError::new(Exit::Internal, "audit_failed", format!("audit log lock: {e}")))?;
    let path = path(settings);
    let mut options = std::fs::OpenOptions::new();
    options.read(true).append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path)?;
    let (prev, seq) = match last_line(&mut file)? {
        None => (GENESIS.to_owned(), 1),
        Some(line) => {
            let (text, hash) = split_line(&line).ok_or_else(|| tampered(0, "the last line has no hash"))?;
            let seq = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v["seq"].as_u64())
                .ok_or_else(|| tampered(0, "the last line has no seq"))?;
            (hash.to_owned(), seq + 1)
        }
    };
    let now = dingtalk_core::Clock::wall(&dingtalk_core::SystemClock)
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let body = json!({
        "seq": seq,
        "time": crate::when::iso(i64::try_from(now).unwrap_or(i64::MAX), 0),
        "profile": profile_id(settings),
        "command": entry.command,
        "schema_id": entry.schema_id,
        "targets": entry.targets,
        "request_ids": entry.request_ids,
        "outcome": entry.outcome,
        "prev": prev,
    });
    let text = serde_json::to_string(&body).map_err(|e| CliError::internal(e.to_string()))?;
    let hash = hex_sha256(&text);
    let line = format!("{}{HASH_KEY}{hash}\"}}\n", &text[..text.len() - 1]);
    file.write_all(line.as_bytes())?;
    file.sync_data()?;
    Ok(())
}

fn tampered(line: usize, what: &str) -> CliError {
    let message = if line == 0 {
        format!("audit log: {what}")
    } else {
        format!("audit log line {line}: {what}")
    };
    CliError::new(Exit::Validation, "audit_tampered", message)
        .hint("the chain is broken at this line: it or an earlier one was changed, inserted or removed")
}

/// Checks every line of the chain in `file`; the first bad line is the error.
pub(crate) fn verify(file: &Path) -> Result<Value, CliError> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CliError::validation(
                "input_file_not_found",
                format!("no audit log at {}", file.display()),
            )
            .hint("write commands are logged with --audit or DWS_AUDIT=1"));
        }
        Err(e) => return Err(e.into()),
    };
    let mut prev = GENESIS.to_owned();
    let mut count = 0_u64;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let (body, stated) = split_line(line).ok_or_else(|| tampered(n, "not an audit line (no hash)"))?;
        let value: Value = serde_json::from_str(&body).map_err(|_| tampered(n, "not valid JSON"))?;
        if hex_sha256(&body) != stated {
            return Err(tampered(n, "its hash does not match its contents"));
        }
        if value["prev"].as_str() != Some(prev.as_str()) {
            return Err(tampered(n, "it does not follow the previous line"));
        }
        count += 1;
        if value["seq"].as_u64() != Some(count) {
            return Err(tampered(n, "its sequence number is out of order"));
        }
        stated.clone_into(&mut prev);
    }
    Ok(json!({"file": file.display().to_string(), "lines": count, "head": prev, "ok": true}))
}

/// The target ids of a write: the values of flags that go into the URL path and of id-like flags (`--id`,
/// `--…-id`, `--…-ids`, `--event`, `--users`, `--rooms`, `--keys`), never free text or secrets.
pub(crate) fn targets(spec: &crate::spec::CommandSpec, params: &crate::commands::Params) -> Vec<String> {
    let mut out = Vec::new();
    for p in spec.params.iter().filter(|p| !p.secret) {
        let id_like = p.place == "path"
            || p.name == "id"
            || p.name.ends_with("-id")
            || p.name.ends_with("-ids")
            || matches!(
                p.name,
                "ids" | "event" | "users" | "rooms" | "keys" | "robot-code"
            );
        if !id_like || matches!(p.ty, crate::spec::Ty::Text | crate::spec::Ty::Json) {
            continue;
        }
        match params.values.get(p.name) {
            Some(Value::String(s)) => out.push(s.clone()),
            Some(Value::Array(items)) => {
                out.extend(items.iter().filter_map(Value::as_str).map(str::to_owned));
            }
            Some(Value::Number(n)) => out.push(n.to_string()),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_only_at_a_well_formed_hash() {
        let body = r#"{"seq":1,"prev":"x"}"#;
        let hash = hex_sha256(body);
        let line = format!(r#"{{"seq":1,"prev":"x","hash":"{hash}"}}"#);
        let (text, stated) = split_line(&line).unwrap();
        assert_eq!(text, body);
        assert_eq!(stated, hash);
        assert!(split_line(r#"{"seq":1,"hash":"abc"}"#).is_none());
        assert!(split_line(r#"{"seq":1}"#).is_none());
    }
}
