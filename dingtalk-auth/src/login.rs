//! Putting a login together: choosing the method, resolving app credentials, exchanging the code and saving the
//! session under its `corpId:userId` identity.

use std::fs;
use std::path::Path;

use dingtalk_core::{AppCredentials, ClientId, SecretString, StaticToken, TokenProvider, Transport};

use crate::error::{Error, ErrorKind};
use crate::oauth;
use crate::store::Session;

/// How the user logs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginMethod {
    /// Loopback browser flow.
    Browser,
    /// Device flow (a code typed on another device).
    Device,
}

/// The facts login-method selection depends on, read by the binary (libraries never read the environment).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent facts about the environment"
)]
pub struct Environment {
    /// `SSH_CLIENT`, `SSH_TTY` or `SSH_CONNECTION` is set.
    pub ssh: bool,
    /// `CI` is set.
    pub ci: bool,
    /// Running on Linux (or another X11/Wayland platform).
    pub linux_like: bool,
    /// `DISPLAY` or `WAYLAND_DISPLAY` is set.
    pub display: bool,
    /// stderr is a terminal (a person is watching).
    pub stderr_is_terminal: bool,
}

/// Picks the login method: the forced one, else the device flow when headless (SSH, CI, Linux without a display,
/// or stderr not a terminal), else the browser. Returns the method and the reason, to be shown to the user.
pub fn choose_method(forced: Option<LoginMethod>, env: &Environment) -> (LoginMethod, &'static str) {
    if let Some(method) = forced {
        return (method, "chosen on the command line");
    }
    if env.ssh {
        (LoginMethod::Device, "SSH session detected")
    } else if env.ci {
        (LoginMethod::Device, "CI environment detected")
    } else if env.linux_like && !env.display {
        (LoginMethod::Device, "no graphical display detected")
    } else if !env.stderr_is_terminal {
        (LoginMethod::Device, "not attached to a terminal")
    } else {
        (LoginMethod::Browser, "default")
    }
}

/// Where app credentials came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialSource {
    /// Command-line flags.
    Flag,
    /// Environment variables (`DWS_CLIENT_ID` / `DWS_CLIENT_SECRET`).
    Env,
    /// A secret file.
    File,
}

/// Candidate values for app credentials, in the binary's terms; precedence is flag > env > file.
#[derive(Default)]
pub struct CredentialInputs<'a> {
    /// `--client-id`.
    pub flag_client_id: Option<&'a str>,
    /// `--client-secret`.
    pub flag_client_secret: Option<SecretString>,
    /// `DWS_CLIENT_ID`.
    pub env_client_id: Option<&'a str>,
    /// `DWS_CLIENT_SECRET`.
    pub env_client_secret: Option<SecretString>,
    /// A file holding the secret (read once, trimmed).
    pub secret_file: Option<&'a Path>,
    /// A stored client id (from the profile).
    pub stored_client_id: Option<&'a str>,
}

/// Resolved credentials, where the secret came from, and whether the secret file is readable by others.
#[derive(Debug)]
pub struct ResolvedCredentials {
    /// The credentials.
    pub credentials: AppCredentials,
    /// Where the secret came from.
    pub source: CredentialSource,
    /// The secret file is group- or world-readable: warn the user.
    pub loose_file_permissions: bool,
}

/// Resolves app credentials from flags, environment values or a secret file.
pub fn resolve_credentials(inputs: CredentialInputs<'_>) -> Result<ResolvedCredentials, Error> {
    let client_id = inputs
        .flag_client_id
        .or(inputs.env_client_id)
        .or(inputs.stored_client_id)
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| {
            Error::msg(
                ErrorKind::Invalid,
                "no client id: pass --client-id or set DWS_CLIENT_ID",
            )
        })?;
    let (secret, source, loose) = if let Some(secret) = inputs.flag_client_secret {
        (secret, CredentialSource::Flag, false)
    } else if let Some(secret) = inputs.env_client_secret {
        (secret, CredentialSource::Env, false)
    } else if let Some(path) = inputs.secret_file {
        let text = fs::read_to_string(path)?;
        let loose = loose_permissions(path);
        (
            SecretString::from(text.trim().to_owned()),
            CredentialSource::File,
            loose,
        )
    } else {
        return Err(Error::msg(
            ErrorKind::Invalid,
            "no client secret: pass --client-secret, set DWS_CLIENT_SECRET or use a secret file",
        ));
    };
    if dingtalk_core::ExposeSecret::expose_secret(&secret).is_empty() {
        return Err(Error::msg(ErrorKind::Invalid, "the client secret is empty"));
    }
    Ok(ResolvedCredentials {
        credentials: AppCredentials::new(ClientId::new(client_id), secret),
        source,
        loose_file_permissions: loose,
    })
}

#[cfg(unix)]
fn loose_permissions(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn loose_permissions(_path: &Path) -> bool {
    false
}

/// Finishes a login: exchanges `code`, asks who the user is (user token), resolves their user id (app token), and
/// returns the session to store. The session's identity is `corpId:userId`.
pub async fn complete_login(
    transport: &Transport,
    app: &AppCredentials,
    app_tokens: &dyn TokenProvider,
    code: &SecretString,
) -> Result<Session, Error> {
    let tokens = oauth::exchange_code(transport, app, code).await?;
    session_from_tokens(transport, app, app_tokens, tokens).await
}

/// Builds a session from tokens obtained any way (code exchange, or `--token` given by the user).
pub async fn session_from_tokens(
    transport: &Transport,
    app: &AppCredentials,
    app_tokens: &dyn TokenProvider,
    tokens: oauth::UserTokens,
) -> Result<Session, Error> {
    let user_token = StaticToken::new(tokens.access_token().clone());
    let me = oauth::current_user(transport, &user_token).await?;
    let user_id = oauth::user_id_by_union_id(transport, app_tokens, &me.union_id).await?;
    let corp_id = tokens.corp_id().cloned().ok_or_else(|| {
        Error::msg(
            ErrorKind::Protocol,
            "the token response named no corpId (scope `corpid` missing?)",
        )
    })?;
    Ok(Session {
        corp_id,
        user_id,
        union_id: Some(me.union_id),
        user_name: me.nick,
        client_id: app.client_id().to_string(),
        tokens,
        updated_at_ms: transport.clock().epoch_millis(),
        last_refresh: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headless_detection() {
        let desktop = Environment {
            linux_like: true,
            display: true,
            stderr_is_terminal: true,
            ..Default::default()
        };
        assert_eq!(choose_method(None, &desktop).0, LoginMethod::Browser);
        let ssh = Environment {
            ssh: true,
            ..desktop.clone()
        };
        assert_eq!(
            choose_method(None, &ssh),
            (LoginMethod::Device, "SSH session detected")
        );
        let ci = Environment {
            ci: true,
            ..desktop.clone()
        };
        assert_eq!(choose_method(None, &ci).0, LoginMethod::Device);
        let no_display = Environment {
            display: false,
            ..desktop.clone()
        };
        assert_eq!(choose_method(None, &no_display).0, LoginMethod::Device);
        let piped = Environment {
            stderr_is_terminal: false,
            ..desktop.clone()
        };
        assert_eq!(choose_method(None, &piped).0, LoginMethod::Device);
        assert_eq!(
            choose_method(Some(LoginMethod::Browser), &ssh).0,
            LoginMethod::Browser
        );
        let mac = Environment {
            stderr_is_terminal: true,
            ..Default::default()
        };
        assert_eq!(choose_method(None, &mac).0, LoginMethod::Browser);
    }

    #[test]
    fn credential_precedence() {
        let resolved = resolve_credentials(CredentialInputs {
            flag_client_id: Some("flag-id"),
            flag_client_secret: Some(SecretString::from("flag-secret")),
            env_client_id: Some("env-id"),
            env_client_secret: Some(SecretString::from("env-secret")),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(resolved.credentials.client_id().as_str(), "flag-id");
        assert_eq!(resolved.source, CredentialSource::Flag);
        let resolved = resolve_credentials(CredentialInputs {
            env_client_id: Some("env-id"),
            env_client_secret: Some(SecretString::from("env-secret")),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(resolved.source, CredentialSource::Env);
        let missing = resolve_credentials(CredentialInputs {
            env_client_id: Some("id"),
            ..Default::default()
        });
        assert_eq!(missing.unwrap_err().kind(), ErrorKind::Invalid);
    }
}
