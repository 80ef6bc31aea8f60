//! Built-in commands: `version`, `schema`, `completion`, `doctor`, `sandbox serve`, `api`.

use serde_json::{Value, json};

use crate::commands::{Ctx, confirm, raw, read_input};
use crate::exit::{CliError, Exit};
use crate::output::{self, Outcome};
use crate::settings::{SANDBOX_URL_FILE, Settings};
use crate::spec::{self, COMMANDS};

/// `dws version [--json]`.
pub(crate) fn version(settings: &Settings, json_out: bool) -> Result<(), CliError> {
    let v = env!("CARGO_PKG_VERSION");
    if json_out || settings.jq.is_some() {
        let doc = json!({
            "kind": "version", "name": "dws", "version": v, "schema_version": "1",
            "target": format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS),
            "trusted_domains": ["*.dingtalk.com", "*.dingtalk.io"], "features": [],
        });
        return output::print_doc(settings, &doc);
    }
    output::print_text(&format!(
        "dws {v} ({}-{})\n",
        std::env::consts::ARCH,
        std::env::consts::OS
    ))
}

/// `dws schema [path] [--compact|--all]`.
pub(crate) fn schema(
    settings: &Settings,
    words: &[String],
    compact: bool,
    all: bool,
) -> Result<(), CliError> {
    let key = words.join(" ");
    let doc = if all {
        let tools: Vec<Value> = COMMANDS.iter().map(|c| spec::tool_json(c, compact)).collect();
        json!({"schema_version": "1", "kind": "tools", "cli_version": env!("CARGO_PKG_VERSION"),
               "error_reasons": spec::ERROR_REASONS, "tools": tools})
    } else if key.is_empty() {
        spec::catalog_json()
    } else if let Some(c) = spec::find(&key) {
        json!({"schema_version": "1", "kind": "tool", "tool": spec::tool_json(c, compact)})
    } else if COMMANDS.iter().any(|c| c.product() == key) {
        let tools: Vec<Value> = COMMANDS
            .iter()
            .filter(|c| c.product() == key)
            .map(|c| spec::tool_json(c, compact))
            .collect();
        json!({"schema_version": "1", "kind": "product", "id": key, "tools": tools})
    } else {
        let near: Vec<&str> = COMMANDS
            .iter()
            .filter(|c| {
                c.path.contains(key.as_str()) || c.id.contains(key.as_str()) || key.contains(c.product())
            })
            .map(|c| c.path)
            .take(5)
            .collect();
        return Err(
            CliError::validation("unknown_command", format!("no command or product `{key}`"))
                .param("path")
                .hint(if near.is_empty() {
                    "run `dws schema` for the catalogue".to_owned()
                } else {
                    format!("did you mean: {}", near.join(", "))
                }),
        );
    };
    output::print_doc(settings, &doc)
}

/// `dws completion <shell>`.
pub(crate) fn completion(shell: &str) -> Result<(), CliError> {
    use clap_complete::Shell;
    let shell = match shell {
        "bash" => Shell::Bash,
        "zsh" => Shell::Zsh,
        "fish" => Shell::Fish,
        "powershell" => Shell::PowerShell,
        _ => Shell::Elvish,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut crate::cli::command(), "dws", &mut buf);
    output::print_text(&String::from_utf8_lossy(&buf))
}

fn check(name: &str, status: &str, message: impl Into<String>, hint: Option<&str>) -> Value {
    json!({"name": name, "status": status, "message": message.into(), "hint": hint, "detail": null})
}

/// `dws doctor`: config dir, credentials, app token, reachability. Exit 1 when a check fails.
pub(crate) async fn doctor(settings: &Settings, deep: bool) -> Result<Exit, CliError> {
    let mut checks = Vec::new();
    let dir = &settings.config_dir;
    checks.push(config_dir_check(dir));
    let ctx = Ctx::new(settings)?;
    if ctx.has_credentials() {
        let source = if settings.client_secret.is_some() {
            "flags or environment"
        } else if crate::commands::stored_credentials(settings)?.is_some() {
            "the encrypted token store"
        } else {
            "sandbox demo app"
        };
        checks.push(check(
            "credentials",
            "pass",
            format!("app credentials from {source}"),
            None,
        ));
        match ctx.tokens()?.token().await {
            Ok(_) => checks.push(check("app_token", "pass", "app access token obtained", None)),
            Err(e) => {
                let err = CliError::from(e);
                checks.push(check(
                    "app_token",
                    "fail",
                    err.message.clone(),
                    err.hint.as_deref(),
                ));
            }
        }
    } else {
        checks.push(check(
            "credentials",
            "fail",
            "no app credentials",
            Some("set DWS_CLIENT_ID and DWS_CLIENT_SECRET, or use --sandbox"),
        ));
    }
    let base = settings
        .sandbox
        .clone()
        .unwrap_or_else(|| "https://api.dingtalk.com".to_owned());
    checks.push(match reachable(&base).await {
        Ok(()) => check(
            "reachability",
            "pass",
            format!("{base} accepts connections"),
            None,
        ),
        Err(e) => check(
            "reachability",
            "fail",
            format!("{base}: {e}"),
            Some("check the network and proxy settings"),
        ),
    });
    checks.extend(deeper_checks(settings, &base).await);
    if deep {
        checks.extend(deep_session_checks(settings, &ctx).await);
    }
    let count = |s: &str| checks.iter().filter(|c| c["status"] == s).count();
    let summary = json!({"pass": count("pass"), "warn": count("warn"), "fail": count("fail")});
    let failed = count("fail") > 0;
    output::print_doc(
        settings,
        &json!({"kind": "doctor", "checks": checks, "summary": summary}),
    )?;
    Ok(if failed { Exit::Api } else { Exit::Ok })
}

/// The config directory exists and only its owner can read it.
fn config_dir_check(dir: &std::path::Path) -> Value {
    match std::fs::metadata(dir) {
        Ok(meta) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = meta.permissions().mode() & 0o777;
                if mode.trailing_zeros() >= 6 {
                    check(
                        "config_dir",
                        "pass",
                        format!("{} (mode {mode:o})", dir.display()),
                        None,
                    )
                } else {
                    check(
                        "config_dir",
                        "warn",
                        format!("{} is mode {mode:o}", dir.display()),
                        Some("chmod 700 the config dir"),
                    )
                }
            }
            #[cfg(not(unix))]
            {
                let _ = meta;
                check("config_dir", "pass", dir.display().to_string(), None)
            }
        }
        Err(_) => check(
            "config_dir",
            "warn",
            format!("{} does not exist yet", dir.display()),
            None,
        ),
    }
}

/// `doctor --deep`: reads the selected profile's stored session (the data key opens it) and refreshes its user
/// token for real (the rotated pair is stored, as any refresh does).
async fn deep_session_checks(settings: &Settings, ctx: &Ctx<'_>) -> Vec<Value> {
    let profiles = match dingtalk_auth::Profiles::load(settings.config_dir.join("profiles.json")) {
        Ok(p) => p,
        Err(e) => return vec![check("session_read", "fail", format!("profiles.json: {e}"), None)],
    };
    let Ok(profile) = profiles.resolve(settings.profile.as_deref()) else {
        return vec![check(
            "session_read",
            "warn",
            "no profile selected: nothing to read or refresh",
            Some("dws auth login"),
        )];
    };
    let id = profile.id.clone();
    let store = match crate::commands::auth::token_store(settings) {
        Ok(s) => std::sync::Arc::new(s),
        Err(e) => {
            return vec![check(
                "session_read",
                "fail",
                e.message.clone(),
                e.hint.as_deref(),
            )];
        }
    };
    let session = match store.get(&id) {
        Ok(Some(s)) => s,
        Ok(None) => {
            return vec![check(
                "session_read",
                "warn",
                format!("{id} has no stored user session (app-only profile)"),
                None,
            )];
        }
        Err(e) => {
            return vec![check(
                "session_read",
                "fail",
                format!("{id}: {e}"),
                Some("the data key does not open the store: log in again"),
            )];
        }
    };
    let mut checks = vec![check(
        "session_read",
        "pass",
        format!("stored session {id} decrypted with the data key"),
        None,
    )];
    if session.tokens.refresh_token().is_none() {
        checks.push(check(
            "token_refresh",
            "warn",
            format!("{id} has no refresh token; log in again when the access token expires"),
            None,
        ));
        return checks;
    }
    let Some(app) = ctx.credentials().cloned() else {
        checks.push(check(
            "token_refresh",
            "fail",
            "no app credentials to refresh with",
            Some("pass --client-id/--client-secret or log in with them once"),
        ));
        return checks;
    };
    let provider = dingtalk_auth::UserTokenProvider::new(ctx.transport.clone(), app, store, id.clone());
    checks.push(match provider.refresh_now().await {
        Ok(fresh) => check(
            "token_refresh",
            "pass",
            format!(
                "refreshed {id}; the new access token expires at {} (epoch ms)",
                fresh.tokens.expires_at_ms()
            ),
            None,
        ),
        Err(e) => check(
            "token_refresh",
            "fail",
            format!("refresh of {id} failed: {e}"),
            Some("dws auth login again"),
        ),
    });
    checks
}

/// `host:port` of a proxy variable's URL, without any user or password in it.
fn proxy_shown(value: &str) -> String {
    url::Url::parse(value).map_or_else(
        |_| "(unparsable)".to_owned(),
        |u| {
            format!(
                "{}://{}:{}",
                u.scheme(),
                u.host_str().unwrap_or("?"),
                u.port_or_known_default().unwrap_or(0)
            )
        },
    )
}

/// Seconds the server's `Date` header differs from this machine's clock (positive: server ahead).
async fn clock_skew(base: &str) -> Result<i64, String> {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(3))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let resp = client.head(base).send().await.map_err(|e| e.to_string())?;
    let date = resp
        .headers()
        .get("date")
        .and_then(|v| v.to_str().ok())
        .ok_or("no Date header")?
        .to_owned();
    let server = http_date_secs(&date).ok_or_else(|| format!("unreadable Date header `{date}`"))?;
    let local =
        i64::try_from(dingtalk_core::Clock::epoch_millis(&dingtalk_core::SystemClock) / 1000).unwrap_or(0);
    Ok(server - local)
}

/// Epoch seconds of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn http_date_secs(date: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = date.split_whitespace().collect();
    let [_, day, month, year, clock, "GMT"] = parts.as_slice() else {
        return None;
    };
    let m = MONTHS.iter().position(|x| x == month)? + 1;
    let iso = format!("{year}-{m:02}-{day:0>2}T{clock}Z");
    crate::when::epoch_ms("date", &iso, 0).ok().map(|ms| ms / 1000)
}

/// The clock compared with the server's `Date` header.
async fn clock_check(base: &str) -> Value {
    match clock_skew(base).await {
        Ok(s) if s.abs() <= 300 => check(
            "clock_skew",
            "pass",
            format!("clock within {}s of {base}", s.abs()),
            None,
        ),
        Ok(s) if s.abs() <= 3600 => check(
            "clock_skew",
            "warn",
            format!("clock is {s}s off {base}"),
            Some("sync the system clock (NTP)"),
        ),
        Ok(s) => check(
            "clock_skew",
            "fail",
            format!("clock is {s}s off {base}; webhook signatures need ±1 h"),
            Some("sync the system clock (NTP)"),
        ),
        Err(e) => check(
            "clock_skew",
            "warn",
            format!("could not read the server time: {e}"),
            None,
        ),
    }
}

/// Proxy variables in effect (credentials in them are not shown).
fn proxy_check() -> Value {
    let proxies: Vec<String> = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"]
        .iter()
        .filter_map(|k| crate::env::var(k).map(|v| format!("{k}={}", proxy_shown(&v))))
        .collect();
    let no_proxy = crate::env::var("NO_PROXY").or_else(|| crate::env::var("no_proxy"));
    check(
        "proxy",
        "pass",
        if proxies.is_empty() {
            "no proxy configured".to_owned()
        } else {
            format!(
                "{}; NO_PROXY={}",
                proxies.join(", "),
                no_proxy.as_deref().unwrap_or("(unset)")
            )
        },
        None,
    )
}

/// Token store backend and profile, clock skew, proxies, trusted domains, version and upgrade source.
async fn deeper_checks(settings: &Settings, base: &str) -> Vec<Value> {
    let mut checks = Vec::new();
    let keys = dingtalk_auth::store::default_key_store(&settings.config_dir);
    checks.push(check(
        "token_store",
        "pass",
        format!(
            "tokens encrypted under {}; data key in {}",
            settings.config_dir.join("tokens").display(),
            keys.describe()
        ),
        None,
    ));
    let profiles = dingtalk_auth::Profiles::load(settings.config_dir.join("profiles.json"));
    checks.push(
        match profiles.as_ref().map(|p| p.current().map(|c| c.id.clone())) {
            Ok(Some(id)) => check("profile", "pass", format!("current profile {id}"), None),
            Ok(None) => check(
                "profile",
                "warn",
                "no current profile (app-only calls still work)",
                Some("dws auth login, or dws auth login --app-only --operator <userId>"),
            ),
            Err(e) => check(
                "profile",
                "fail",
                format!("profiles.json: {e}"),
                Some("remove or fix profiles.json"),
            ),
        },
    );
    checks.push(clock_check(base).await);
    checks.push(proxy_check());
    checks.push(match settings.trusted_domains.as_deref() {
        Some(list) if list.split(',').any(|d| d.trim() == "*") => check(
            "trusted_domains",
            "warn",
            "DWS_TRUSTED_DOMAINS trusts every host",
            Some("list only DingTalk hosts"),
        ),
        Some(list) => check(
            "trusted_domains",
            "pass",
            format!("DWS_TRUSTED_DOMAINS={list}"),
            None,
        ),
        None => check(
            "trusted_domains",
            "pass",
            "default: *.dingtalk.com, *.dingtalk.io",
            None,
        ),
    });
    checks.push(check(
        "version",
        "pass",
        format!(
            "dws {}; upgrade source {}",
            env!("CARGO_PKG_VERSION"),
            crate::env::var(crate::env::UPGRADE_URL)
                .unwrap_or_else(|| "not set (dws upgrade --from)".to_owned())
        ),
        None,
    ));
    checks
}

/// Whether a TCP connection to the host of `base` opens within 3 s.
pub(crate) async fn reachable(base: &str) -> Result<(), String> {
    let url = url::Url::parse(base).map_err(|e| e.to_string())?;
    let host = url.host_str().ok_or("no host")?.to_owned();
    let port = url.port_or_known_default().ok_or("no port")?;
    let connect = tokio::net::TcpStream::connect((host.as_str(), port));
    match tokio::time::timeout(std::time::Duration::from_secs(3), connect).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("timed out".to_owned()),
    }
}

/// `dws sandbox serve --addr`: runs the emulator until Ctrl-C and records its URL.
pub(crate) async fn sandbox_serve(settings: &Settings, addr: &str) -> Result<Exit, CliError> {
    let addr: std::net::SocketAddr = addr.parse().map_err(|_| {
        CliError::validation("invalid_argument", format!("--addr: bad address {addr}")).param("addr")
    })?;
    if !addr.ip().is_loopback() {
        return Err(
            CliError::validation("invalid_argument", "--addr must be a loopback address").param("addr"),
        );
    }
    let handle = dingtalk_sandbox::Sandbox::builder()
        .addr(addr)
        .start()
        .await
        .map_err(|e| CliError::new(Exit::Endpoint, "sandbox_start_failed", e.to_string()))?;
    let url = handle.base_url();
    std::fs::create_dir_all(&settings.config_dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&settings.config_dir, std::fs::Permissions::from_mode(0o700));
    }
    let file = settings.config_dir.join(SANDBOX_URL_FILE);
    write_private(&file, &format!("{url}\n"))?;
    output::print_text(&format!("{url}\n"))?;
    output::note(
        settings,
        &format!(
            "sandbox listening on {url}; recorded in {}; Ctrl-C stops it",
            file.display()
        ),
    );
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    let _ = std::fs::remove_file(&file);
    Ok(Exit::Ok)
}

/// Writes `text` to `path` with mode 0600 on Unix.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

/// Arguments of `dws api`.
pub(crate) struct ApiArgs {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) params: Vec<String>,
    pub(crate) data: Option<String>,
    pub(crate) host: Option<String>,
    pub(crate) page_all: bool,
    pub(crate) page_limit: u32,
}

/// `dws api METHOD PATH`: a raw call with the app token; legacy `errcode != 0` is an error.
pub(crate) async fn api(ctx: &mut Ctx<'_>, args: ApiArgs) -> Result<Outcome, CliError> {
    raw::check_path(&args.path)?;
    let legacy = match args.host.as_deref() {
        Some("api") => false,
        Some(_) => true,
        None => !(args.path.starts_with("/v1.0/") || args.path.starts_with("/v2.0/")),
    };
    let method = args.method.to_ascii_uppercase();
    if method == "DELETE" {
        confirm(ctx.settings, &format!("DELETE {}", args.path))?;
    }
    let self_id = if args.params.iter().any(|p| p.contains("@self")) {
        Some(ctx.self_user_id()?)
    } else {
        None
    };
    let mut query = Vec::new();
    for kv in &args.params {
        let (k, v) = kv.split_once('=').ok_or_else(|| {
            CliError::validation("invalid_argument", format!("--params {kv}: expected k=v")).param("params")
        })?;
        let v = match (&self_id, v) {
            (Some(id), "@self" | "@self.userId") => id.clone(),
            _ => v.to_owned(),
        };
        query.push((k.to_owned(), v));
    }
    let mut stdin_claimed = false;
    let mut body: Option<Value> = match &args.data {
        Some(d) => {
            let text = read_input("data", d, &mut stdin_claimed)?;
            Some(crate::commands::parse_json("data", &text)?)
        }
        None => None,
    };
    let pages = if args.page_all {
        args.page_limit.clamp(1, 500)
    } else {
        1
    };
    let mut items: Vec<Value> = Vec::new();
    let mut last = Value::Null;
    let mut next_cursor = None;
    let mut progress = crate::progress::Progress::new(ctx.settings);
    for page in 0..pages {
        if args.page_all && !ctx.settings.dry_run {
            progress.update(&format!(
                "{} {}: page {} ({} items so far)",
                method,
                args.path,
                page + 1,
                items.len()
            ));
        }
        last = raw::send(ctx, &method, legacy, &args.path, &query, body.clone()).await?;
        if ctx.settings.dry_run {
            break;
        }
        let full = ctx.raw.last().cloned().unwrap_or(Value::Null);
        if !args.page_all {
            last = full;
            break;
        }
        let page = crate::commands::list_outcome(&last, ctx);
        if let Some(a) = page.response.get("items").and_then(Value::as_array) {
            items.extend(a.iter().cloned());
        }
        next_cursor = page.next_cursor;
        let Some(cursor) = next_cursor.clone() else { break };
        let key = if last.get("next_cursor").is_some() {
            "cursor"
        } else {
            "nextToken"
        };
        if method == "GET" {
            query.retain(|(k, _)| k != key);
            query.push((key.to_owned(), cursor));
        } else {
            let b = body.get_or_insert_with(|| json!({}));
            if let Some(o) = b.as_object_mut() {
                o.insert(key.to_owned(), json!(cursor));
            }
        }
    }
    progress.finish();
    let response = if args.page_all && !ctx.settings.dry_run {
        json!({ "items": items })
    } else {
        last
    };
    Ok(Outcome {
        response,
        next_cursor,
        request_ids: ctx.request_ids.clone(),
        raw: ctx.raw.clone(),
        ..Outcome::default()
    })
}

#[cfg(test)]
mod doctor_tests {
    #[test]
    fn http_dates() {
        assert_eq!(
            super::http_date_secs("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(super::http_date_secs("yesterday"), None);
        assert_eq!(
            super::proxy_shown("http://user:pw@proxy.local:3128"),
            "http://proxy.local:3128"
        );
    }
}
