//! `dws auth login|status|logout` and `dws profile list|use|remove`, wrapping `dingtalk-auth`.

use std::path::PathBuf;

use dingtalk_auth::{DeviceFlowOptions, Profile, Profiles, TokenStore, default_key_store};
use dingtalk_core::ExposeSecret;
use serde_json::{Value, json};

use crate::commands::Ctx;
use crate::exit::{CliError, Exit};
use crate::output;
use crate::settings::Settings;

fn auth_err(e: &dingtalk_auth::Error) -> CliError {
    use dingtalk_auth::ErrorKind as K;
    let (exit, reason) = match e.kind() {
        K::AmbiguousProfile => (Exit::Validation, "ambiguous_profile"),
        K::NotLoggedIn => (Exit::Auth, "not_logged_in"),
        K::StoreUnreadable => (Exit::Endpoint, "store_unreadable"),
        _ => (Exit::Auth, "auth_failed"),
    };
    CliError::new(exit, reason, e.to_string())
}

fn profiles_path(settings: &Settings) -> PathBuf {
    settings.config_dir.join("profiles.json")
}

pub(crate) fn token_store(settings: &Settings) -> Result<TokenStore, CliError> {
    let dir = settings.config_dir.join("tokens");
    TokenStore::open(dir, default_key_store(&settings.config_dir)).map_err(|e| auth_err(&e))
}

pub(crate) fn profile_json(p: &Profile, current: bool) -> Value {
    json!({
        "id": p.id, "name": p.name, "corp_id": p.corp_id, "user_id": p.user_id, "union_id": p.union_id,
        "client_id": p.client_id, "sandbox": p.sandbox, "current": current,
    })
}

/// Options of `dws auth login`.
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent switches of one command"
)]
pub(crate) struct LoginArgs {
    pub(crate) browser: bool,
    pub(crate) paste: bool,
    pub(crate) device: bool,
    pub(crate) port: Option<i64>,
    pub(crate) token: Option<String>,
    pub(crate) refresh_token: Option<String>,
    pub(crate) expires_in: i64,
    pub(crate) app_only: bool,
    pub(crate) operator: Option<String>,
    pub(crate) corp_id: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) no_store_secret: bool,
}

/// How `dws auth login` gets the user's tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Browser,
    Paste,
    Device,
    Token,
    AppOnly,
}

/// The method the flags ask for (at most one), else the one `dingtalk-auth` picks for this environment.
fn choose(args: &LoginArgs) -> Result<(Method, &'static str), CliError> {
    let asked: Vec<(Method, &str)> = [
        (args.browser, Method::Browser, "--browser"),
        (args.paste, Method::Paste, "--paste"),
        (args.device, Method::Device, "--device"),
        (args.token.is_some(), Method::Token, "--token"),
        (args.app_only, Method::AppOnly, "--app-only"),
    ]
    .into_iter()
    .filter(|(on, ..)| *on)
    .map(|(_, m, flag)| (m, flag))
    .collect();
    if asked.len() > 1 {
        let flags: Vec<&str> = asked.iter().map(|(_, f)| *f).collect();
        return Err(CliError::validation(
            "invalid_argument",
            format!("pick one login method, not {}", flags.join(" and ")),
        )
        .param(asked[1].1.trim_start_matches('-')));
    }
    if args.refresh_token.is_some() && args.token.is_none() {
        return Err(
            CliError::validation("invalid_argument", "--refresh-token goes with --token")
                .param("refresh-token"),
        );
    }
    if let Some((m, _)) = asked.first() {
        return Ok((*m, "chosen on the command line"));
    }
    let set = |k: &str| crate::env::var(k).is_some();
    let env = dingtalk_auth::login::Environment {
        ssh: crate::env::SSH.iter().any(|k| set(k)),
        ci: set(crate::env::CI),
        linux_like: cfg!(all(unix, not(target_os = "macos"))),
        display: crate::env::DISPLAYS.iter().any(|k| set(k)),
        stderr_is_terminal: std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    Ok(match dingtalk_auth::login::choose_method(None, &env) {
        (dingtalk_auth::login::LoginMethod::Browser, why) => (Method::Browser, why),
        (_, why) => (Method::Device, why),
    })
}

/// App credentials for a user login: flags/environment, else the secret stored for the client id, else (sandbox)
/// the demo app. Returns whether the secret came from the command line (and so may be stored).
fn login_credentials(settings: &Settings) -> Result<(dingtalk_core::AppCredentials, bool), CliError> {
    use dingtalk_core::{AppCredentials, ClientId, SecretString};
    if let (Some(id), Some(secret)) = (&settings.client_id, &settings.client_secret) {
        return Ok((
            AppCredentials::new(ClientId::new(id.clone()), SecretString::from(secret.clone())),
            true,
        ));
    }
    if settings.client_secret.is_some() {
        return Err(CliError::new(
            Exit::Auth,
            "invalid_credentials",
            "--client-secret needs --client-id",
        )
        .hint("set both DWS_CLIENT_ID and DWS_CLIENT_SECRET"));
    }
    if let Some(creds) = crate::commands::stored_credentials(settings)? {
        return Ok((creds, false));
    }
    if settings.sandbox.is_some() && settings.client_id.is_none() {
        return Ok((
            AppCredentials::new(
                ClientId::new(dingtalk_sandbox::DEMO_CLIENT_ID),
                SecretString::from(dingtalk_sandbox::DEMO_CLIENT_SECRET),
            ),
            false,
        ));
    }
    Err(
        CliError::new(Exit::Auth, "invalid_credentials", "login needs app credentials")
            .hint("pass --client-id and --client-secret (or set DWS_CLIENT_ID and DWS_CLIENT_SECRET)"),
    )
}

fn now_ms() -> u64 {
    u64::try_from(
        dingtalk_core::Clock::wall(&dingtalk_core::SystemClock)
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis(),
    )
    .unwrap_or(u64::MAX)
}

/// One line from stdin (at most 8 KiB), waiting at most ten minutes.
async fn read_pasted_line() -> Result<String, CliError> {
    let read = tokio::task::spawn_blocking(|| {
        use std::io::{BufRead, Read};
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .take(8192)
            .read_line(&mut line)
            .map(|_| line)
    });
    match tokio::time::timeout(std::time::Duration::from_mins(10), read).await {
        Ok(Ok(Ok(line))) if !line.trim().is_empty() => Ok(line),
        Ok(Ok(Ok(_))) => Err(CliError::validation("input_empty", "nothing was pasted on stdin")
            .hint("paste the URL the browser was redirected to, or the code")),
        Ok(Ok(Err(e))) => Err(e.into()),
        Ok(Err(e)) => Err(CliError::internal(e.to_string())),
        Err(_) => Err(CliError::validation(
            "stdin_timeout",
            "no paste within 10 minutes",
        )),
    }
}

/// Tries to open `url` in the desktop browser (only when a person is watching); failures are silent, the URL is
/// printed either way.
fn open_browser(url: &str) {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return;
    }
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("rundll32", vec!["url.dll,FileProtocolHandler", url])
    } else {
        ("xdg-open", vec![url])
    };
    let _ = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

/// `dws auth login`: browser (loopback), paste, device flow, an external `--token`, or `--app-only --operator`.
/// Without a method flag the device flow is picked when headless (SSH, CI, no display, no terminal) and the
/// reason is printed.
pub(crate) async fn login(settings: &Settings, args: LoginArgs) -> Result<Exit, CliError> {
    std::fs::create_dir_all(&settings.config_dir)?;
    let (method, why) = choose(&args)?;
    let mut profiles = Profiles::load(profiles_path(settings)).map_err(|e| auth_err(&e))?;
    let mut profile = if method == Method::AppOnly {
        let operator = args.operator.clone().ok_or_else(|| {
            CliError::validation("invalid_argument", "--app-only needs --operator <userId>").param("operator")
        })?;
        let corp = args.corp_id.clone().unwrap_or_else(|| {
            if settings.sandbox.is_some() {
                dingtalk_sandbox::DEMO_CORP_ID.to_owned()
            } else {
                "app".to_owned()
            }
        });
        let mut p = Profile::new(&corp, &operator, args.name.as_deref().unwrap_or(&operator));
        p.client_id = settings.client_id.clone().unwrap_or_else(|| {
            if settings.sandbox.is_some() {
                dingtalk_sandbox::DEMO_CLIENT_ID.to_owned()
            } else {
                String::new()
            }
        });
        store_secret(settings, &args, &p.client_id)?;
        p
    } else {
        let (credentials, from_command_line) = login_credentials(settings)?;
        let ctx = Ctx::with_credentials(settings, credentials.clone())?;
        if method != Method::Token {
            output::note(
                settings,
                &format!(
                    "login method: {} ({why})",
                    match method {
                        Method::Browser => "browser",
                        Method::Paste => "paste",
                        _ => "device",
                    }
                ),
            );
        }
        let session = user_session(settings, &args, method, &credentials, &ctx).await?;
        token_store(settings)?.put(&session).map_err(|e| auth_err(&e))?;
        if from_command_line {
            store_secret(settings, &args, credentials.client_id().as_str())?;
        }
        let mut p = Profile::new(
            session.corp_id.as_str(),
            session.user_id.as_str(),
            args.name.as_deref().unwrap_or(&session.user_name),
        );
        p.union_id = session.union_id.as_ref().map(|u| u.as_str().to_owned());
        p.client_id = credentials.client_id().to_string();
        p
    };
    profile.sandbox = settings.sandbox.is_some();
    let id = profile.id.clone();
    profiles.upsert(profile);
    let current = profiles.use_profile(&id).map_err(|e| auth_err(&e))?;
    profiles.save().map_err(|e| auth_err(&e))?;
    output::print_doc(
        settings,
        &json!({"kind": "profile", "profile": profile_json(&current, true)}),
    )?;
    Ok(Exit::Ok)
}

/// `--token AT [--refresh-token RT]`: a session from tokens obtained elsewhere (checked by asking who they belong
/// to).
async fn token_session(
    settings: &Settings,
    args: &LoginArgs,
    credentials: &dingtalk_core::AppCredentials,
    ctx: &Ctx<'_>,
) -> Result<dingtalk_auth::Session, CliError> {
    let corp = args
        .corp_id
        .clone()
        .or_else(|| {
            settings
                .sandbox
                .as_ref()
                .map(|_| dingtalk_sandbox::DEMO_CORP_ID.to_owned())
        })
        .ok_or_else(|| {
            CliError::validation(
                "invalid_argument",
                "--token needs --corp-id (the token's organisation)",
            )
            .param("corp-id")
        })?;
    let access = args.token.clone().unwrap_or_default();
    if access.trim().is_empty() {
        return Err(CliError::validation("input_empty", "--token is empty").param("token"));
    }
    let secs = u64::try_from(args.expires_in.max(1)).unwrap_or(7200);
    let now = now_ms();
    let refresh = args
        .refresh_token
        .clone()
        .filter(|r| !r.trim().is_empty())
        .map(|r| dingtalk_core::SecretString::from(r.trim().to_owned()));
    let refresh_expiry = refresh
        .as_ref()
        .map(|_| now + u64::try_from(dingtalk_auth::oauth::REFRESH_TOKEN_LIFETIME.as_millis()).unwrap_or(0));
    let tokens = dingtalk_auth::UserTokens::new(
        dingtalk_core::SecretString::from(access.trim().to_owned()),
        refresh,
        now.saturating_add(secs * 1000),
        refresh_expiry,
        Some(dingtalk_core::CorpId::new(corp)),
    );
    dingtalk_auth::login::session_from_tokens(&ctx.transport, credentials, ctx.tokens()?, tokens)
        .await
        .map_err(|e| auth_err(&e))
}

/// The user's session by `method` (everything but `--app-only`).
async fn user_session(
    settings: &Settings,
    args: &LoginArgs,
    method: Method,
    credentials: &dingtalk_core::AppCredentials,
    ctx: &Ctx<'_>,
) -> Result<dingtalk_auth::Session, CliError> {
    Ok(match method {
        Method::Token => token_session(settings, args, credentials, ctx).await?,
        Method::Browser | Method::Paste => {
            let bases = match &settings.sandbox {
                Some(url) => dingtalk_core::BaseUrls::single(url)?,
                None => dingtalk_core::BaseUrls::dingtalk(),
            };
            let port = match args.port {
                None => None,
                Some(n) => Some(u16::try_from(n).map_err(|_| {
                    CliError::validation("invalid_argument", "--port: 0 to 65535").param("port")
                })?),
            };
            let options = dingtalk_auth::BrowserOptions {
                port,
                corp_id: args.corp_id.clone().map(dingtalk_core::CorpId::new),
            };
            let browser = dingtalk_auth::BrowserLogin::prepare(&bases, credentials.client_id(), &options)
                .await
                .map_err(|e| auth_err(&e))?;
            let url = browser.authorize_url().to_owned();
            let code = if method == Method::Browser {
                output::prompt(&format!("open this page to log in: {url}"));
                open_browser(&url);
                let timeout = dingtalk_auth::browser::DEFAULT_LOGIN_TIMEOUT;
                crate::progress::waiting(
                    settings,
                    "waiting for the browser",
                    Some(timeout),
                    browser.wait(timeout),
                )
                .await
                .map_err(|e| auth_err(&e))?
            } else {
                output::prompt(&format!(
                    "open this page on any device and authorize: {url}\nthen paste the address the browser was sent to (or the code) and press Enter:"
                ));
                let line = read_pasted_line().await?;
                browser.code_from_paste(&line).map_err(|e| auth_err(&e))?
            };
            dingtalk_auth::login::complete_login(&ctx.transport, credentials, ctx.tokens()?, &code)
                .await
                .map_err(|e| auth_err(&e))?
        }
        _ => {
            let options = DeviceFlowOptions::default();
            let device = dingtalk_auth::device::start(&ctx.transport, credentials.client_id(), &options)
                .await
                .map_err(|e| auth_err(&e))?;
            output::prompt(&format!(
                "device login: open {} and enter the code {} (waiting up to 10 minutes)",
                device.verification_uri(),
                device.user_code()
            ));
            let poll =
                dingtalk_auth::device::poll(&ctx.transport, credentials.client_id(), &device, &options);
            let code = crate::progress::waiting(
                settings,
                "waiting for the device login",
                Some(std::time::Duration::from_mins(10)),
                poll,
            )
            .await
            .map_err(|e| auth_err(&e))?;
            dingtalk_auth::login::complete_login(&ctx.transport, credentials, ctx.tokens()?, &code)
                .await
                .map_err(|e| auth_err(&e))?
        }
    })
}

/// Seals `--client-secret` (given with `--client-id`) into the encrypted token store, unless `--no-store-secret`.
fn store_secret(settings: &Settings, args: &LoginArgs, client_id: &str) -> Result<(), CliError> {
    let (Some(id), Some(secret)) = (&settings.client_id, &settings.client_secret) else {
        return Ok(());
    };
    if args.no_store_secret || id != client_id {
        return Ok(());
    }
    token_store(settings)?
        .put_client_secret(id, &dingtalk_core::SecretString::from(secret.clone()))
        .map_err(|e| auth_err(&e))
}

/// `dws profile rename --selector S --name N`.
pub(crate) fn rename(settings: &Settings, selector: &str, name: &str) -> Result<Exit, CliError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(CliError::validation("invalid_argument", "--name is empty").param("name"));
    }
    let mut profiles = Profiles::load(profiles_path(settings)).map_err(|e| auth_err(&e))?;
    let id = profiles.select(selector).map_err(|e| auth_err(&e))?.id.clone();
    if profiles.list().iter().any(|p| p.id != id && p.name == name) {
        return Err(CliError::validation(
            "invalid_argument",
            format!("another profile is already named {name:?}"),
        )
        .param("name")
        .hint("names select profiles: pick a unique one"));
    }
    profiles.rename(&id, name).map_err(|e| auth_err(&e))?;
    profiles.save().map_err(|e| auth_err(&e))?;
    let p = profiles
        .list()
        .iter()
        .find(|p| p.id == id)
        .cloned()
        .ok_or_else(|| CliError::internal("the renamed profile vanished"))?;
    let current = profiles.current().is_some_and(|c| c.id == p.id);
    output::print_doc(
        settings,
        &json!({"kind": "profile", "profile": profile_json(&p, current)}),
    )?;
    Ok(Exit::Ok)
}

/// `dws auth status`: the selected profile and its stored session.
pub(crate) fn status(settings: &Settings) -> Result<Exit, CliError> {
    let profiles = Profiles::load(profiles_path(settings)).map_err(|e| auth_err(&e))?;
    let profile = profiles.resolve(settings.profile.as_deref()).map_err(|e| {
        auth_err(&e)
            .hint("run `dws auth login` (device flow) or `dws auth login --app-only --operator <userId>`")
    })?;
    let session = token_store(settings)?
        .get(&profile.id)
        .map_err(|e| auth_err(&e))?;
    let now_ms = u64::try_from(
        dingtalk_core::Clock::wall(&dingtalk_core::SystemClock)
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis(),
    )
    .unwrap_or(u64::MAX);
    let (state, expires, last_refresh) = match &session {
        None => ("app_only", Value::Null, Value::Null),
        Some(s) => {
            let exp = s.tokens.expires_at_ms();
            let state = if exp <= now_ms {
                if s.tokens.refresh_token().is_some() {
                    "refresh_due"
                } else {
                    "expired"
                }
            } else if exp - now_ms < 300_000 {
                "expiring"
            } else if s.last_refresh.as_ref().is_some_and(|r| !r.ok) {
                "refresh_failed"
            } else {
                "valid"
            };
            let last = s
                .last_refresh
                .as_ref()
                .map(|r| json!({"at_ms": r.at_ms, "ok": r.ok, "error": r.error}));
            (state, json!(exp), last.unwrap_or(Value::Null))
        }
    };
    let current = profiles.current().is_some_and(|c| c.id == profile.id);
    let secret_source = if settings.client_secret.is_some() {
        "flag or environment"
    } else if crate::commands::stored_credentials(settings)?.is_some() {
        "token store (encrypted)"
    } else {
        "not set"
    };
    let has_token = session
        .as_ref()
        .is_some_and(|s| !s.tokens.access_token().expose_secret().is_empty());
    output::print_doc(
        settings,
        &json!({
            "kind": "auth_status", "state": state, "profile": profile_json(profile, current),
            "user_token": has_token, "access_expires_at_ms": expires, "last_refresh": last_refresh,
            "client_secret": secret_source,
        }),
    )?;
    Ok(Exit::Ok)
}

/// `dws auth logout [--all]`: deletes local tokens (they stay valid upstream until they expire).
pub(crate) fn logout(settings: &Settings, all: bool) -> Result<Exit, CliError> {
    let profiles = Profiles::load(profiles_path(settings)).map_err(|e| auth_err(&e))?;
    let store = token_store(settings)?;
    let ids: Vec<String> = if all {
        profiles.list().iter().map(|p| p.id.clone()).collect()
    } else {
        vec![
            profiles
                .resolve(settings.profile.as_deref())
                .map_err(|e| auth_err(&e))?
                .id
                .clone(),
        ]
    };
    let mut removed = Vec::new();
    for id in ids {
        if store.remove(&id).map_err(|e| auth_err(&e))? {
            removed.push(id);
        }
    }
    output::print_doc(
        settings,
        &json!({"kind": "logout", "removed": removed,
                "note": "tokens stay valid upstream until they expire; https://login.dingtalk.com/oauth2/logout ends the browser session"}),
    )?;
    Ok(Exit::Ok)
}

/// `dws profile list|use|remove`.
pub(crate) fn profile(settings: &Settings, action: &str, selector: Option<&str>) -> Result<Exit, CliError> {
    let mut profiles = Profiles::load(profiles_path(settings)).map_err(|e| auth_err(&e))?;
    let doc = match (action, selector) {
        ("use", Some("-")) => {
            let p = profiles.use_previous().map_err(|e| auth_err(&e))?;
            profiles.save().map_err(|e| auth_err(&e))?;
            json!({"kind": "profile", "profile": profile_json(&p, true)})
        }
        ("use", Some(sel)) => {
            let p = profiles.use_profile(sel).map_err(|e| auth_err(&e))?;
            profiles.save().map_err(|e| auth_err(&e))?;
            json!({"kind": "profile", "profile": profile_json(&p, true)})
        }
        ("remove", Some(sel)) => {
            let p = profiles.remove(sel).map_err(|e| auth_err(&e))?;
            profiles.save().map_err(|e| auth_err(&e))?;
            let _ = token_store(settings).map(|s| s.remove(&p.id));
            json!({"kind": "profile_removed", "profile": profile_json(&p, false)})
        }
        _ => {
            let current = profiles.current().map(|p| p.id.clone());
            let items: Vec<Value> = profiles
                .list()
                .iter()
                .map(|p| profile_json(p, current.as_deref() == Some(p.id.as_str())))
                .collect();
            json!({"kind": "profiles", "items": items})
        }
    };
    output::print_doc(settings, &doc)?;
    Ok(Exit::Ok)
}

/// The export passphrase: `DWS_EXPORT_PASSPHRASE`, else the first line of `--passphrase-file` (contained).
fn export_passphrase(file: Option<&str>) -> Result<dingtalk_core::SecretString, CliError> {
    if let Some(p) = crate::env::var(crate::env::EXPORT_PASSPHRASE) {
        return Ok(dingtalk_core::SecretString::from(p));
    }
    if let Some(path) = file {
        let text = crate::paths::read_input_file("passphrase-file", path)?;
        let line = text.lines().next().unwrap_or("").to_owned();
        return Ok(dingtalk_core::SecretString::from(line));
    }
    Err(CliError::validation("invalid_argument", "no export passphrase")
        .param("passphrase-file")
        .hint("set DWS_EXPORT_PASSPHRASE or pass --passphrase-file FILE (at least 8 characters)"))
}

/// `dws auth export --file F [--profiles id,…]`: stored sessions sealed under a passphrase (PBKDF2 + AES-GCM in
/// `dingtalk-auth`), written atomically with mode 0600.
pub(crate) fn export(
    settings: &Settings,
    file: &str,
    identities: &[String],
    passphrase_file: Option<&str>,
) -> Result<crate::output::Outcome, CliError> {
    let passphrase = export_passphrase(passphrase_file)?;
    let target = crate::paths::output_target(file).map_err(|e| e.param("file"))?;
    let store = token_store(settings)?;
    let exported = if identities.is_empty() {
        store.identities().map_err(|e| auth_err(&e))?
    } else {
        identities.to_vec()
    };
    if exported.is_empty() {
        return Err(
            CliError::new(Exit::Auth, "not_logged_in", "no stored sessions to export")
                .hint("dws auth login first"),
        );
    }
    let bundle = store.export(&passphrase, &exported).map_err(|e| auth_err(&e))?;
    crate::paths::write_atomic(&target, &bundle)?;
    Ok(crate::output::Outcome {
        response: json!({"file": target.display().to_string(), "identities": exported}),
        ..crate::output::Outcome::default()
    })
}

/// `dws auth import --file F [--force]`: restores sessions from an export and adds a profile for each (the current
/// profile stays current when there is one).
pub(crate) fn import(
    settings: &Settings,
    file: &str,
    force: bool,
    passphrase_file: Option<&str>,
) -> Result<crate::output::Outcome, CliError> {
    let passphrase = export_passphrase(passphrase_file)?;
    let bundle = crate::paths::read_input_file("file", file)?;
    std::fs::create_dir_all(&settings.config_dir)?;
    let store = token_store(settings)?;
    let imported = store.import(bundle.as_bytes(), &passphrase, force).map_err(|e| {
        let mut err = auth_err(&e);
        if e.kind() == dingtalk_auth::ErrorKind::Invalid {
            err.exit = Exit::Validation;
            "invalid_argument".clone_into(&mut err.reason);
        }
        err
    })?;
    let mut profiles = Profiles::load(profiles_path(settings)).map_err(|e| auth_err(&e))?;
    let previous = profiles.current().map(|p| p.id.clone());
    for id in &imported {
        let Some(session) = store.get(id).map_err(|e| auth_err(&e))? else {
            continue;
        };
        if profiles.list().iter().any(|p| p.id == session.identity()) {
            continue;
        }
        let mut p = Profile::new(
            session.corp_id.as_str(),
            session.user_id.as_str(),
            &session.user_name,
        );
        p.union_id = session.union_id.as_ref().map(|u| u.as_str().to_owned());
        p.client_id.clone_from(&session.client_id);
        profiles.upsert(p);
    }
    if let Some(prev) = previous {
        profiles.use_profile(&prev).map_err(|e| auth_err(&e))?;
    }
    profiles.save().map_err(|e| auth_err(&e))?;
    Ok(crate::output::Outcome {
        response: json!({"imported": imported}),
        ..crate::output::Outcome::default()
    })
}
