//! [`Settings`]: flags, environment and recorded state merged and checked once.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use crate::cli::{Format, Globals};
use crate::env;
use crate::exit::CliError;

/// Everything a command needs to know about how it was invoked.
#[derive(Debug, Clone)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent switches resolved from flags"
)]
pub(crate) struct Settings {
    pub(crate) format: Format,
    pub(crate) jq: Option<String>,
    pub(crate) fields: Option<Vec<String>>,
    pub(crate) dry_run: bool,
    pub(crate) yes: bool,
    pub(crate) timeout: Option<Duration>,
    pub(crate) profile: Option<String>,
    /// The sandbox base URL when `--sandbox` is on (empty until an embedded sandbox has started).
    pub(crate) sandbox: Option<String>,
    /// A bare `--sandbox` found no running sandbox: `main` starts a throwaway one in-process.
    pub(crate) embedded_sandbox: bool,
    pub(crate) client_id: Option<String>,
    pub(crate) client_secret: Option<String>,
    pub(crate) as_user: Option<String>,
    pub(crate) verbose: u8,
    pub(crate) quiet: bool,
    pub(crate) config_dir: PathBuf,
    pub(crate) stdout_tty: bool,
    pub(crate) interactive: bool,
    pub(crate) trusted_domains: Option<String>,
    pub(crate) webhook_secret: Option<String>,
    /// `-o FILE`: the checked target; stdout output goes there instead.
    pub(crate) output: Option<PathBuf>,
    /// Minutes east of UTC for times without an offset (`--tz`, `DWS_TZ`; default +08:00).
    pub(crate) tz_offset_min: i64,
    /// `--audit` / `DWS_AUDIT`: log write commands to the local hash-chained audit log.
    pub(crate) audit: bool,
    /// `--wide`: tables keep long cells whole.
    pub(crate) wide: bool,
}

/// The file `dws sandbox serve` records its URL in.
pub(crate) const SANDBOX_URL_FILE: &str = "sandbox.url";

impl Settings {
    /// Merges `globals` with the environment.
    pub(crate) fn resolve(globals: Globals) -> Result<Self, CliError> {
        let stdout_tty = std::io::stdout().is_terminal();
        let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        let config_dir = config_dir();
        let format = match globals.format {
            Some(f) => f,
            None if stdout_tty && globals.jq.is_none() => Format::Table,
            None => Format::Json,
        };
        let mut embedded_sandbox = false;
        let sandbox = match globals.sandbox {
            None => None,
            Some(url) if !url.is_empty() => Some(url),
            Some(_) => {
                let known = env::var(env::SANDBOX_URL)
                    .or_else(|| {
                        std::fs::read_to_string(config_dir.join(SANDBOX_URL_FILE))
                            .ok()
                            .map(|s| s.trim().to_owned())
                    })
                    .filter(|s| !s.is_empty());
                // No sandbox running: the embedded one is the default, so a bare `--sandbox` always works.
                embedded_sandbox = known.is_none();
                Some(known.unwrap_or_default())
            }
        };
        if let Some(url) = sandbox.as_ref().filter(|_| !embedded_sandbox) {
            let parsed = url::Url::parse(url).map_err(|e| {
                CliError::validation("invalid_argument", format!("--sandbox: not a URL: {e}"))
                    .param("sandbox")
            })?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(
                    CliError::validation("invalid_argument", "--sandbox needs an http(s) URL")
                        .param("sandbox"),
                );
            }
        }
        let fields = globals.fields.map(|f| {
            f.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        });
        if let Some(program) = &globals.jq {
            crate::jq::compile_check(program)?;
        }
        let output = globals
            .output
            .as_deref()
            .map(crate::paths::output_target)
            .transpose()?;
        if let Some(target) = &output {
            crate::output::set_target(target.clone());
        }
        let tz_offset_min = match &globals.tz {
            Some(tz) => crate::when::tz_offset_min(tz)?,
            None => 480,
        };
        Ok(Self {
            audit: globals.audit,
            wide: globals.wide,
            output,
            tz_offset_min,
            format,
            jq: globals.jq,
            fields,
            dry_run: globals.dry_run,
            yes: globals.yes,
            timeout: (globals.timeout > 0).then(|| Duration::from_secs(globals.timeout)),
            profile: globals.profile,
            embedded_sandbox,
            sandbox,
            client_id: globals.client_id.filter(|s| !s.is_empty()),
            client_secret: match globals.client_secret.filter(|s| !s.is_empty()) {
                // `--client-secret @file` keeps the secret out of shell history.
                Some(v) if v.starts_with('@') && !v.starts_with("@@") => Some(
                    crate::paths::read_input_file("client-secret", &v[1..])?
                        .trim()
                        .to_owned(),
                ),
                Some(v) => Some(v.strip_prefix('@').map_or_else(|| v.clone(), str::to_owned)),
                None => None,
            },
            as_user: globals.as_user,
            verbose: if globals.debug {
                globals.verbose.max(2)
            } else {
                globals.verbose
            },
            quiet: globals.quiet,
            config_dir,
            stdout_tty,
            interactive,
            trusted_domains: env::var(env::TRUSTED_DOMAINS),
            webhook_secret: env::var(env::WEBHOOK_SECRET),
        })
    }
}

/// `DWS_CONFIG_DIR`, else `$XDG_CONFIG_HOME/dws`, else `~/.config/dws`.
pub(crate) fn config_dir() -> PathBuf {
    if let Some(dir) = env::var(env::CONFIG_DIR) {
        return PathBuf::from(dir);
    }
    if let Some(xdg) = env::var(env::XDG_CONFIG_HOME) {
        return PathBuf::from(xdg).join("dws");
    }
    env::var(env::HOME).map_or_else(
        || PathBuf::from(".dws"),
        |h| PathBuf::from(h).join(".config").join("dws"),
    )
}
