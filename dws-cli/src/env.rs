//! Every environment variable the CLI reads, named once.

/// Config and data root.
pub(crate) const CONFIG_DIR: &str = "DWS_CONFIG_DIR";
/// App client id (AppKey).
pub(crate) const CLIENT_ID: &str = "DWS_CLIENT_ID";
/// App client secret (AppSecret).
pub(crate) const CLIENT_SECRET: &str = "DWS_CLIENT_SECRET";
/// Default profile selector.
pub(crate) const PROFILE: &str = "DWS_PROFILE";
/// Default output format.
pub(crate) const FORMAT: &str = "DWS_FORMAT";
/// Turn off input correction.
pub(crate) const STRICT: &str = "DWS_STRICT";
/// Sandbox base URL for `--sandbox`.
pub(crate) const SANDBOX_URL: &str = "DWS_SANDBOX_URL";
/// Bearer-token host allowlist.
pub(crate) const TRUSTED_DOMAINS: &str = "DWS_TRUSTED_DOMAINS";
/// Signing secret for `send-by-webhook`.
pub(crate) const WEBHOOK_SECRET: &str = "DWS_WEBHOOK_SECRET";
/// Seconds to wait for the first byte on stdin.
pub(crate) const STDIN_WAIT: &str = "DWS_STDIN_WAIT";
/// Operator user id in sandbox mode.
pub(crate) const AS_USER: &str = "DWS_AS_USER";
/// Release source for `dws upgrade`.
pub(crate) const UPGRADE_URL: &str = "DWS_UPGRADE_URL";
/// Extra roots for `@file` and `-o` path containment.
pub(crate) const INPUT_ROOTS: &str = "DWS_INPUT_ROOTS";
/// Default timezone for `--tz`.
pub(crate) const TZ: &str = "DWS_TZ";
/// Turns colour off (any value).
pub(crate) const NO_COLOR: &str = "NO_COLOR";
/// Passphrase for `auth export|import`.
pub(crate) const EXPORT_PASSPHRASE: &str = "DWS_EXPORT_PASSPHRASE";
/// Turns the local audit log on (`1`, `true`, `yes`, `on`).
pub(crate) const AUDIT: &str = "DWS_AUDIT";
/// Route of `chat message send` (the reference's `/v1.0/im/me/messages/send` is unverified upstream).
pub(crate) const SEND_AS_USER_PATH: &str = "DWS_SEND_AS_USER_PATH";
/// Set in SSH sessions (any of the three): login picks the device flow.
pub(crate) const SSH: [&str; 3] = ["SSH_CLIENT", "SSH_TTY", "SSH_CONNECTION"];
/// Set on CI runners: login picks the device flow.
pub(crate) const CI: &str = "CI";
/// A graphical display (X11 or Wayland): without one, login picks the device flow on Linux.
pub(crate) const DISPLAYS: [&str; 2] = ["DISPLAY", "WAYLAND_DISPLAY"];
/// Fallback for the config root.
pub(crate) const HOME: &str = "HOME";
/// XDG config root.
pub(crate) const XDG_CONFIG_HOME: &str = "XDG_CONFIG_HOME";

/// Reads `name`, treating an empty value as unset.
pub(crate) fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}
