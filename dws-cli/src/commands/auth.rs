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

fn token_store(settings: &Settings) -> Result<TokenStore, CliError> {
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
pub(crate) struct LoginArgs {
    pub(crate) app_only: bool,
    pub(crate) operator: Option<String>,
    pub(crate) corp_id: Option<String>,
    pub(crate) name: Option<String>,
}

/// `dws auth login`: the device flow (works over SSH and in CI), or `--app-only --operator USERID`.
pub(crate) async fn login(settings: &Settings, args: LoginArgs) -> Result<Exit, CliError> {
    std::fs::create_dir_all(&settings.config_dir)?;
    let mut profiles = Profiles::load(profiles_path(settings)).map_err(|e| auth_err(&e))?;
    let ctx = Ctx::new(settings)?;
    let client_id = settings.client_id.clone().unwrap_or_else(|| {
        if settings.sandbox.is_some() {
            dingtalk_sandbox::DEMO_CLIENT_ID.to_owned()
        } else {
            String::new()
        }
    });
    let mut profile = if args.app_only {
        let operator = args.operator.ok_or_else(|| {
            CliError::validation("invalid_argument", "--app-only needs --operator <userId>").param("operator")
        })?;
        let corp = args.corp_id.unwrap_or_else(|| {
            if settings.sandbox.is_some() {
                dingtalk_sandbox::DEMO_CORP_ID.to_owned()
            } else {
                "app".to_owned()
            }
        });
        Profile::new(&corp, &operator, args.name.as_deref().unwrap_or(&operator))
    } else {
        let credentials = match (&settings.client_id, &settings.client_secret) {
            (Some(id), Some(secret)) => dingtalk_core::AppCredentials::new(
                dingtalk_core::ClientId::new(id.clone()),
                dingtalk_core::SecretString::from(secret.clone()),
            ),
            _ if settings.sandbox.is_some() => dingtalk_core::AppCredentials::new(
                dingtalk_core::ClientId::new(dingtalk_sandbox::DEMO_CLIENT_ID),
                dingtalk_core::SecretString::from(dingtalk_sandbox::DEMO_CLIENT_SECRET),
            ),
            _ => {
                return Err(
                    CliError::new(Exit::Auth, "invalid_credentials", "login needs app credentials")
                        .hint("set DWS_CLIENT_ID and DWS_CLIENT_SECRET"),
                );
            }
        };
        let options = DeviceFlowOptions::default();
        let device = dingtalk_auth::device::start(&ctx.transport, credentials.client_id(), &options)
            .await
            .map_err(|e| auth_err(&e))?;
        output::note(
            settings,
            &format!(
                "device login: open {} and enter the code {} (waiting up to 10 minutes)",
                device.verification_uri(),
                device.user_code()
            ),
        );
        let poll = dingtalk_auth::device::poll(&ctx.transport, credentials.client_id(), &device, &options);
        let code = crate::progress::waiting(
            settings,
            "waiting for the device login",
            Some(std::time::Duration::from_mins(10)),
            poll,
        )
        .await
        .map_err(|e| auth_err(&e))?;
        let session =
            dingtalk_auth::login::complete_login(&ctx.transport, &credentials, ctx.tokens()?, &code)
                .await
                .map_err(|e| auth_err(&e))?;
        token_store(settings)?.put(&session).map_err(|e| auth_err(&e))?;
        let mut p = Profile::new(
            session.corp_id.as_str(),
            session.user_id.as_str(),
            args.name.as_deref().unwrap_or(&session.user_name),
        );
        p.union_id = session.union_id.as_ref().map(|u| u.as_str().to_owned());
        p
    };
    profile.client_id = client_id;
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
