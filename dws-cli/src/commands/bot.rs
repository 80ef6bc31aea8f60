//! `dws bot run`, `dws msg send` and `dws demo`: the DingTalk bot through `dingtalk_bot::app`, the same wiring as
//! the `dingtalk-bot` binary.

use std::io::{IsTerminal as _, Write as _};
use std::path::Path;
use std::time::Duration;

use dingtalk_bot::BotConfig;
use dingtalk_bot::app::{App, AppError, AppErrorKind, AppOptions, Endpoints, SendRequest};
use dingtalk_core::BaseUrls;
use serde_json::{Value, json};

use crate::commands::Params;
use crate::exit::{CliError, Exit};
use crate::output::Outcome;
use crate::settings::Settings;

/// The bot config used when `--sandbox` is on and no config file exists, and by the demo: the built-in echo agent.
const ECHO_CONFIG: &str = "[dingtalk.agent]\nkind = \"echo\"\n";

/// Maps an [`AppError`] onto the CLI's error shape and exit codes.
fn app_err(e: &AppError) -> CliError {
    let (exit, reason) = match e.kind() {
        AppErrorKind::Config | AppErrorKind::Usage => (Exit::Validation, "invalid_argument"),
        AppErrorKind::Credentials => (Exit::Auth, "invalid_credentials"),
        AppErrorKind::Endpoint => (Exit::Endpoint, "sandbox_unreachable"),
        AppErrorKind::Storage => (Exit::Internal, "internal"),
        _ => (Exit::Api, "network"),
    };
    let mut err = CliError::new(exit, reason, format!("bot: {}", e.message()));
    if let Some(h) = e.hint() {
        err = err.hint(h);
    }
    err
}

fn sandbox_bases(url: &str) -> Result<BaseUrls, CliError> {
    BaseUrls::single(url)
        .map_err(|e| CliError::validation("invalid_argument", format!("--sandbox: {e}")).param("sandbox"))
}

/// The bot app for `config` (and `account`). With `--sandbox` the sandbox is the endpoint, and a missing config file
/// means the built-in echo agent on the sandbox's demo app (`note`, when given, tells the user so on stderr).
fn load_app(
    settings: &Settings,
    config: &str,
    account: Option<&str>,
    note: Option<&str>,
) -> Result<App, CliError> {
    let mut options = AppOptions::default();
    if let Some(a) = account {
        options = options.account(a);
    }
    let path = Path::new(config);
    if let Some(url) = &settings.sandbox {
        options = options.endpoints(Endpoints::Sandbox(sandbox_bases(url)?));
        if !path.exists() {
            if let Some(note) = note {
                crate::output::note(settings, &format!("note: no {config}; {note}"));
            }
            return Ok(App::new(
                echo_config("echo.toml")?,
                "echo.toml",
                options.ephemeral(true),
            ));
        }
    }
    App::load(path, options).map_err(|e| app_err(&e))
}

/// [`ECHO_CONFIG`] parsed, under the name `file`. It is built in, so a failure is a bug.
fn echo_config(file: &str) -> Result<BotConfig, CliError> {
    BotConfig::parse(ECHO_CONFIG, file).map_err(|e| CliError::internal(format!("{file}: {e}")))
}

/// `dws bot run [-c FILE] [--account A] [--duration SECS]`: until Ctrl-C (exit 0) or `--duration`.
pub(crate) async fn run(
    settings: &Settings,
    config: &str,
    account: Option<&str>,
    duration: Option<u64>,
) -> Result<Exit, CliError> {
    let app = load_app(
        settings,
        config,
        account,
        Some("running the echo agent against the sandbox"),
    )?;
    for w in app.warnings() {
        crate::output::note(settings, &format!("warning: {w}"));
    }
    // Ctrl-C is caught from before the bot connects, so it always ends in a graceful stop and exit 0.
    let interrupted = crate::commands::events::interrupt_listener()?;
    crate::output::note(settings, "note: bot running; Ctrl-C stops it");
    let stop = async {
        match duration {
            Some(s) => {
                tokio::select! {
                    () = interrupted => {}
                    () = tokio::time::sleep(Duration::from_secs(s)) => {}
                }
            }
            None => interrupted.await,
        }
    };
    app.run(stop).await.map_err(|e| app_err(&e))?;
    Ok(Exit::Ok)
}

/// The flags of `dws msg send`.
pub(crate) struct SendArgs<'a> {
    /// The bot config file.
    pub(crate) config: &'a str,
    /// The account; `None`: `default_account`.
    pub(crate) account: Option<&'a str>,
    /// `cid…` or `user:<userId>`; `None`: the most recent group the bot has seen.
    pub(crate) to: Option<&'a str>,
    /// A markdown title.
    pub(crate) title: Option<&'a str>,
    /// Plain text instead of markdown.
    pub(crate) plain: bool,
    /// The message.
    pub(crate) text: &'a str,
}

impl<'a> SendArgs<'a> {
    /// The flags as parsed for the `msg send` entry of the command table.
    pub(crate) fn from_params(p: &'a Params) -> Result<Self, CliError> {
        Ok(Self {
            config: p.str("config").unwrap_or("dingtalk-bot.toml"),
            account: p.str("account"),
            to: p.str("to"),
            title: p.str("title"),
            plain: p.flag("plain"),
            text: p.req("text")?,
        })
    }
}

/// `dws msg send`: one message as the bot (the dingtalk-bridge `send` command), split when long. With `--sandbox`
/// and no config file it sends as the sandbox's demo app; `--dry-run` shows what would go where and sends nothing.
pub(crate) async fn send(settings: &Settings, args: &SendArgs<'_>) -> Result<Outcome, CliError> {
    if args.text.trim().is_empty() {
        return Err(CliError::validation("invalid_argument", "--text is empty").param("text"));
    }
    if args.plain && args.title.is_some() {
        return Err(CliError::validation(
            "invalid_argument",
            "--title makes a markdown message; drop it or --plain",
        )
        .param("title"));
    }
    if settings.dry_run {
        return Ok(Outcome {
            response: json!({
                "dry_run": true,
                "config": args.config,
                "account": args.account,
                "to": args.to.unwrap_or("<the most recent group the bot has seen>"),
                "msgtype": if args.plain { "text" } else { "markdown" },
                "title": args.title,
                "chars": args.text.chars().count(),
            }),
            ..Outcome::default()
        });
    }
    // Quiet: stderr stays one JSON error document when the send fails.
    let app = load_app(settings, args.config, args.account, None)?;
    let request = SendRequest {
        to: args.to.map(str::to_owned),
        title: args.title.map(str::to_owned),
        text: args.plain,
        body: args.text.to_owned(),
    };
    let report = app.send(&request).await.map_err(|e| app_err(&e))?;
    Ok(Outcome {
        response: json!({
            "to": args.to,
            "msgtype": if args.plain { "text" } else { "markdown" },
            "messages": report.messages,
        }),
        ..Outcome::default()
    })
}

/// Writes one transcript line to stdout (a closed stdout ends the demo quietly).
fn say(line: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

/// Runs `dws --sandbox=URL -f json -q <args>` (this same binary) and returns its JSON document.
async fn product(exe: &Path, url: &str, config_dir: &Path, args: &[&str]) -> Result<Value, CliError> {
    let out = tokio::process::Command::new(exe)
        .arg(format!("--sandbox={url}"))
        .args(["-f", "json", "-q"])
        .args(args)
        .env("DWS_CONFIG_DIR", config_dir)
        .env_remove("DWS_CLIENT_ID")
        .env_remove("DWS_CLIENT_SECRET")
        .env_remove("DWS_PROFILE")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(30), out)
        .await
        .map_err(|_| CliError::internal(format!("demo: `dws {}` took over 30 s", args.join(" "))))??;
    if !out.status.success() {
        return Err(CliError::internal(format!(
            "demo: `dws {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| CliError::internal(format!("demo: {e}")))
}

/// Follows the bot's AI card until it finishes (at most 20 s): a line rewritten in place on a terminal, one line
/// per change otherwise. Returns the final text.
async fn watch_card(sandbox: &dingtalk_sandbox::SandboxHandle, tty: bool) -> Result<String, CliError> {
    let mut shown = String::new();
    for _ in 0..1000 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let Some(card) = sandbox.cards().into_iter().next() else {
            continue;
        };
        let text = card.variables.get("msgContent").cloned().unwrap_or_default();
        let done = card.flow_status.as_deref() == Some("3");
        if text != shown {
            let clean = crate::output::clean(&text.replace('\n', " "));
            if tty {
                // One terminal line, rewritten in place: the tail of the text when it is wider than the terminal.
                let width = std::env::var("COLUMNS")
                    .ok()
                    .and_then(|c| c.parse::<usize>().ok())
                    .unwrap_or(80);
                let room = width.saturating_sub(13).max(10);
                let count = clean.chars().count();
                let shown_text = if count > room {
                    format!("…{}", clean.chars().skip(count - room + 1).collect::<String>())
                } else {
                    clean.clone()
                };
                let mut out = std::io::stdout().lock();
                write!(out, "\r\x1b[2K  card   ▸ {shown_text}")?;
                out.flush()?;
            } else {
                say(&format!("  card   ▸ {clean}"))?;
            }
            shown = text;
        }
        if done {
            if tty {
                // The whole answer once it is final (it may wrap; nothing rewrites it any more).
                let full = crate::output::clean(&shown.replace('\n', " "));
                let mut out = std::io::stdout().lock();
                write!(out, "\r\x1b[2K")?;
                drop(out);
                say(&format!("  card   ▸ {full}"))?;
            }
            say("  card   ✓ finished (flowStatus 3)")?;
            return Ok(shown);
        }
    }
    Err(CliError::internal("demo: the AI card did not finish within 20 s"))
}

fn first_str<'a>(v: &'a Value, keys: &[&str]) -> &'a str {
    keys.iter()
        .find_map(|k| v.get(*k).and_then(Value::as_str))
        .unwrap_or("?")
}

/// The echo agent's answer (`echo: <message>`), three words every 350 ms, so the card visibly streams (the built-in
/// echo agent finishes faster than the card's 300 ms frame interval).
fn paced_echo(message: &str) -> dingtalk_bot::agent::AgentSpec {
    use dingtalk_bot::agent::{AgentSpec, ScriptStep};
    let answer = format!("echo: {}", message.trim());
    let words: Vec<&str> = answer.split_inclusive(' ').collect();
    let mut steps = Vec::new();
    for chunk in words.chunks(3) {
        steps.push(ScriptStep::Text(chunk.concat()));
        steps.push(ScriptStep::Sleep(Duration::from_millis(350)));
    }
    AgentSpec::scripted(steps)
}

/// `dws demo`: everything on one embedded sandbox, printed as a transcript.
pub(crate) async fn demo(settings: &Settings, message: &str, user: &str) -> Result<Exit, CliError> {
    let started = dingtalk_core::Clock::now(&dingtalk_core::SystemClock);
    let tty = std::io::stdout().is_terminal();
    let sandbox = dingtalk_sandbox::Sandbox::start().await.map_err(|e| {
        CliError::new(
            Exit::Endpoint,
            "sandbox_unreachable",
            format!("embedded sandbox: {e}"),
        )
    })?;
    let url = sandbox.base_url();
    say(&format!("dws demo: an embedded DingTalk sandbox at {url}"))?;
    let config = echo_config("demo.toml")?;
    let options = AppOptions::default()
        .endpoints(Endpoints::Sandbox(sandbox_bases(&url)?))
        .agent(paced_echo(message))
        .ephemeral(true);
    let running = App::new(config, "demo.toml", options)
        .start()
        .await
        .map_err(|e| app_err(&e))?;
    if !sandbox.wait_for_connections(1, Duration::from_secs(10)).await {
        return Err(CliError::internal("demo: the bot did not connect within 10 s"));
    }
    say(&format!(
        "\n[1/2] the bot (echo agent, paced) is connected over Stream mode as app {}",
        dingtalk_sandbox::DEMO_CLIENT_ID
    ))?;
    say(&format!("  {user} ▸ {message}"))?;
    sandbox
        .inject_message(&dingtalk_sandbox::InjectMessage::direct(user, message))
        .map_err(|e| CliError::internal(format!("demo: inject: {}", e.message())))?;
    let answer = watch_card(&sandbox, tty).await;
    let _ = running.shutdown().await;
    answer?;

    say("\n[2/2] product commands against the same sandbox")?;
    demo_products(settings, &url, user).await?;
    say(&format!(
        "\ndone in {:.1} s. Next: `dws sandbox serve` keeps a sandbox running; `dws schema` lists every command.",
        started.elapsed().as_secs_f64()
    ))?;
    sandbox.shutdown().await;
    Ok(Exit::Ok)
}

/// The product half of the demo: contact, calendar and todo commands through this binary.
async fn demo_products(settings: &Settings, url: &str, user: &str) -> Result<(), CliError> {
    let exe = std::env::current_exe().map_err(|e| CliError::internal(format!("demo: {e}")))?;
    let dir = settings.config_dir.join("demo");
    let as_user = ["--as-user", user];
    let me = product(
        &exe,
        url,
        &dir,
        &[&["contact", "user", "get-self"][..], &as_user].concat(),
    )
    .await?;
    say(&format!(
        "  $ dws --sandbox contact user get-self\n    {} ({}), unionId {}",
        first_str(&me["response"], &["name"]),
        first_str(&me["response"], &["userid", "userId"]),
        first_str(&me["response"], &["unionid", "unionId"])
    ))?;
    let events = product(
        &exe,
        url,
        &dir,
        &[&["calendar", "event", "list"][..], &as_user].concat(),
    )
    .await?;
    let items = events["response"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    say(&format!(
        "  $ dws --sandbox calendar event list\n    {} events",
        items.len()
    ))?;
    for e in items.iter().take(3) {
        let start = e["start"]["dateTime"]
            .as_str()
            .or_else(|| e["start"]["date"].as_str())
            .unwrap_or("");
        say(&format!(
            "    - {}  {}",
            crate::output::clean(first_str(e, &["summary"])),
            start
        ))?;
    }
    let title = "Follow up on the demo";
    let created = product(
        &exe,
        url,
        &dir,
        &[
            &[
                "todo",
                "task",
                "create",
                "--title",
                title,
                "--executors",
                user,
                "--priority",
                "high",
            ][..],
            &as_user,
        ]
        .concat(),
    )
    .await?;
    say(&format!(
        "  $ dws --sandbox todo task create --title \"{title}\" --executors {user} --priority high\n    created {}",
        first_str(&created["response"], &["id"])
    ))?;
    let todos = product(
        &exe,
        url,
        &dir,
        &[&["todo", "task", "list"][..], &as_user].concat(),
    )
    .await?;
    let n = todos["response"]["items"].as_array().map_or(0, Vec::len);
    say(&format!("  $ dws --sandbox todo task list\n    {n} tasks"))?;
    Ok(())
}
