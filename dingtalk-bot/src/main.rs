//! `dingtalk-bot`: run the bot, send a message as the bot, list conversations, manage pairings.
//!
//! This binary only wires: it reads the config file and the environment, builds the library pieces and runs them.
//! (`dws bot run` will do the same once the CLI exists.)

#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line program reports on stdout/stderr"
)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use dingtalk_auth::AppTokenProvider;
use dingtalk_bot::agent::AgentSpec;
use dingtalk_bot::config::{AccountConfig, CardTemplate, Environment};
use dingtalk_bot::pairing::{FilePairingStore, PairingStore};
use dingtalk_bot::registry::Registry;
use dingtalk_bot::reply::{Conversation, Replier, ReplyTarget};
use dingtalk_bot::{Bot, BotConfig, BotParts};
use dingtalk_cards::{
    CardConfig, CardDriver, DriverConfig, LimiterConfig, PriorityLimiter, SqliteJournal, TemplateSpec,
    recover,
};
use dingtalk_core::{
    AppCredentials, BaseUrls, ClientId, OpenConversationId, RetryPolicy, SecretString, Transport, UserId,
};
use dingtalk_openapi::Client;

#[derive(Parser)]
#[command(
    name = "dingtalk-bot",
    version,
    about = "A DingTalk bot that answers with an AI agent"
)]
struct Cli {
    /// The config file.
    #[arg(long, short, default_value = "dingtalk-bot.toml", global = true)]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Connect and answer messages until Ctrl-C.
    Run,
    /// Send markdown (default) or text as the bot.
    Send {
        /// The account (default: `default_account`).
        #[arg(long)]
        account: Option<String>,
        /// A group's open conversation id, or `user:<staffId>`; default: the most recent group.
        #[arg(long)]
        to: Option<String>,
        /// The title of a markdown message.
        #[arg(long)]
        title: Option<String>,
        /// Send plain text instead of markdown.
        #[arg(long)]
        text: bool,
        /// The message (`-` reads stdin).
        message: Vec<String>,
    },
    /// Conversations the bot has seen.
    Conversations {
        /// The account (default: `default_account`).
        #[arg(long)]
        account: Option<String>,
    },
    /// Pairing requests and approvals.
    Pairing {
        #[command(subcommand)]
        action: PairingAction,
        /// The account (default: `default_account`).
        #[arg(long, global = true)]
        account: Option<String>,
    },
}

#[derive(Subcommand)]
enum PairingAction {
    /// Pending codes and approved users.
    List,
    /// Approve a code.
    Approve { code: String },
    /// Deny a code.
    Deny { code: String },
    /// Remove an approved user.
    Revoke { user: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(5);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = e.source();
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::from(1)
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn run(cli: Cli) -> Result<(), BoxError> {
    let config = BotConfig::load(&cli.config)?;
    for warning in &config.warnings {
        eprintln!("warning: {warning}");
    }
    match cli.command {
        Command::Run => run_bot(&config).await,
        Command::Send {
            account,
            to,
            title,
            text,
            message,
        } => {
            let (id, account) = pick(&config, account.as_deref())?;
            send(&id, account, to, title, text, &message).await
        }
        Command::Conversations { account } => {
            let (id, account) = pick(&config, account.as_deref())?;
            for entry in registry(account).list(&id) {
                println!("{}", serde_json::to_string(&entry)?);
            }
            Ok(())
        }
        Command::Pairing { action, account } => {
            let (id, account) = pick(&config, account.as_deref())?;
            pairing(&id, account, action)
        }
    }
}

fn pick<'a>(config: &'a BotConfig, account: Option<&str>) -> Result<(String, &'a AccountConfig), BoxError> {
    let id = account.unwrap_or(&config.default_account).to_owned();
    let account = config
        .accounts
        .get(&id)
        .ok_or_else(|| format!("no account named {id:?} in the config"))?;
    Ok((id, account))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// App credentials: for the default account the environment (`DINGTALK_CLIENT_ID`/`_SECRET`, or the bridge's
/// `DINGTALK_APP_KEY`/`_SECRET`) overrides the file; then `client_secret_env`, `client_secret_file`, literal.
fn credentials(
    id: &str,
    account: &AccountConfig,
    is_default: bool,
) -> Result<Option<AppCredentials>, BoxError> {
    let env_id = if is_default {
        env("DINGTALK_CLIENT_ID").or_else(|| env("DINGTALK_APP_KEY"))
    } else {
        None
    };
    let env_secret = if is_default {
        env("DINGTALK_CLIENT_SECRET").or_else(|| env("DINGTALK_APP_SECRET"))
    } else {
        None
    };
    let client_id = env_id.unwrap_or_else(|| account.client_id.clone());
    let secret = if let Some(secret) = env_secret {
        Some(secret)
    } else if !account.client_secret_env.is_empty() {
        Some(
            env(&account.client_secret_env)
                .ok_or_else(|| format!("account {id}: {} is not set", account.client_secret_env))?,
        )
    } else if !account.client_secret_file.as_os_str().is_empty() {
        Some(read_secret_file(&account.client_secret_file)?)
    } else {
        account
            .client_secret
            .as_ref()
            .map(|s| dingtalk_core::ExposeSecret::expose_secret(s).to_owned())
    };
    match (client_id.is_empty(), secret) {
        (false, Some(secret)) => Ok(Some(AppCredentials::new(
            ClientId::new(client_id),
            SecretString::from(secret),
        ))),
        _ => Ok(None),
    }
}

fn read_secret_file(path: &Path) -> Result<String, BoxError> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0) {
            eprintln!(
                "warning: {} is readable by other users; chmod 600 it",
                path.display()
            );
        }
    }
    Ok(text.trim().to_owned())
}

/// Where to talk to: the account's bases, or an embedded sandbox for `environment = "sandbox"` without an app.
async fn endpoints(
    id: &str,
    account: &AccountConfig,
    is_default: bool,
) -> Result<(BaseUrls, AppCredentials, Option<dingtalk_sandbox::SandboxHandle>), BoxError> {
    if let Some(creds) = credentials(id, account, is_default)? {
        let bases = BaseUrls::parse(&account.api_base, &account.oapi_base, BaseUrls::DINGTALK_LOGIN)?;
        return Ok((bases, creds, None));
    }
    if account.environment == Environment::Sandbox {
        let sandbox = dingtalk_sandbox::Sandbox::start().await?;
        eprintln!(
            "sandbox: no app configured, using the embedded DingTalk sandbox at {}",
            sandbox.base_url()
        );
        let creds = AppCredentials::new(
            ClientId::new(dingtalk_sandbox::DEMO_CLIENT_ID),
            SecretString::from(dingtalk_sandbox::DEMO_CLIENT_SECRET),
        );
        return Ok((BaseUrls::single(&sandbox.base_url())?, creds, Some(sandbox)));
    }
    Err(format!("account {id}: no client_id/secret configured").into())
}

/// The robot code: configured, else the app's client id (true for internal apps and the sandbox).
fn robot_code(account: &AccountConfig, creds: &AppCredentials) -> dingtalk_core::RobotCode {
    let code = account.robot_code();
    dingtalk_core::RobotCode::new(if code.is_empty() {
        creds.client_id().as_str()
    } else {
        code
    })
}

fn data_dir(account: &AccountConfig) -> PathBuf {
    if account.data_dir.as_os_str().is_empty() {
        env("XDG_STATE_HOME")
            .map(PathBuf::from)
            .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".local/state")))
            .unwrap_or_else(std::env::temp_dir)
            .join("dingtalk-bot")
    } else {
        account.data_dir.clone()
    }
}

fn registry(account: &AccountConfig) -> Registry {
    let bridge = (!account.bridge.conv_file.as_os_str().is_empty()).then(|| account.bridge.conv_file.clone());
    Registry::open(data_dir(account).join("conversations.json"), bridge)
}

fn template(account: &AccountConfig) -> TemplateSpec {
    let card = &account.card;
    match card.template {
        CardTemplate::Public => TemplateSpec::public(),
        CardTemplate::Custom => TemplateSpec {
            id: card.template_id.clone(),
            stream_key: card.content_key.clone(),
            static_params: std::collections::BTreeMap::new(),
            supports_flow_status: true,
            stop_key: (!card.stop_key.is_empty()).then(|| card.stop_key.clone()),
        },
        _ => TemplateSpec::stock(),
    }
}

fn card_config(account: &AccountConfig) -> CardConfig {
    let c = &account.card;
    CardConfig {
        stream_interval: Duration::from_millis(c.stream_interval_ms),
        max_interval: Duration::from_millis(c.max_interval_ms),
        first_frame_gap: Duration::from_millis(c.first_frame_gap_ms),
        watchdog_idle: Duration::from_secs(c.watchdog_idle_s),
        watchdog_max: Duration::from_secs(c.watchdog_max_s.max(account.agent.timeout_s + 60)),
        budget_chars: c.content_budget_chars,
        budget_bytes: c.content_budget_bytes,
        max_continuations: c.max_continuations,
        one_call_create: c.one_call_create,
        normalize_newlines: c.normalize_newlines,
        finalize_retries: c.finalize_retries,
        degrade: Duration::from_millis(c.degrade_ms),
        transient_degrade: Duration::from_millis(c.transient_degrade_ms),
        empty_reply_text: account.reply.empty_reply_text.clone(),
        ..CardConfig::default()
    }
}

struct Clients {
    api: Client,
    cards: Client,
}

fn clients(account: &AccountConfig, bases: &BaseUrls, creds: &AppCredentials) -> Result<Clients, BoxError> {
    let limits = &account.rate_limit;
    let limiter = Arc::new(PriorityLimiter::new(LimiterConfig {
        qps: f64::from(limits.qps),
        burst: f64::from(limits.burst),
        min_qps: f64::from(limits.min_qps),
        throttle_pause: Duration::from_millis(limits.throttle_pause_ms),
        ..LimiterConfig::default()
    }));
    let api = Transport::builder()
        .base_urls(bases.clone())
        .rate_limiter(Some(limiter.clone()))
        .build()?;
    // Card calls are retried by the card state machine itself.
    let cards = Transport::builder()
        .base_urls(bases.clone())
        .rate_limiter(Some(limiter))
        .retry_policy(RetryPolicy::none())
        .build()?;
    let tokens = Arc::new(AppTokenProvider::new(api.clone(), creds.clone()));
    Ok(Clients {
        api: Client::new(api, tokens.clone()),
        cards: Client::new(cards, tokens),
    })
}

async fn run_bot(config: &BotConfig) -> Result<(), BoxError> {
    let mut tasks = tokio::task::JoinSet::new();
    let mut sandboxes = Vec::new();
    for (id, account) in config.accounts.iter().filter(|(_, a)| a.enabled) {
        let (bases, creds, sandbox) = endpoints(id, account, *id == config.default_account).await?;
        sandboxes.extend(sandbox);
        let clients = clients(account, &bases, &creds)?;
        let dir = data_dir(account);
        std::fs::create_dir_all(&dir)?;
        let journal = Arc::new(SqliteJournal::open(&dir.join("cards.db"))?);
        let report = recover(
            &clients.cards,
            journal.as_ref(),
            id,
            "\n\n⚠️ 回复在服务重启时中断",
        )
        .await;
        if report != dingtalk_cards::RecoveryReport::default() {
            eprintln!("account {id}: closed cards left live by the previous run: {report:?}");
        }
        let cards = CardDriver::spawn(
            clients.cards,
            DriverConfig {
                account: id.clone(),
                robot_code: robot_code(account, &creds),
                card: card_config(account),
                template: template(account),
                stream_callbacks: true,
            },
            journal,
        );
        let env_pass: Vec<(String, String)> = account
            .agent
            .env_passthrough
            .iter()
            .filter_map(|k| env(k).map(|v| (k.clone(), v)))
            .collect();
        let bot = Bot::new(BotParts {
            account_id: id.clone(),
            account: account.clone(),
            client: clients.api,
            cards: Some(cards),
            agent: AgentSpec::new(account.agent.clone(), env_pass),
            pairing: Arc::new(FilePairingStore::open(dir.join("pairing.json"))),
            registry: Arc::new(registry(account)),
        });
        let conn_cfg = &account.connection;
        let mut builder =
            dingtalk_stream::Client::builder(creds.client_id().clone(), creds.client_secret().clone())
                .subscribe_bot_messages()
                .subscribe_card_callbacks()
                .api_base(
                    bases
                        .base(dingtalk_core::ApiHost::V1)
                        .as_str()
                        .trim_end_matches('/'),
                )
                .backoff(dingtalk_stream::BackoffConfig::from_seed(
                    conn_cfg.max_connection_attempts,
                    conn_cfg.initial_reconnect_delay_ms,
                    conn_cfg.max_reconnect_delay_ms,
                    conn_cfg.reconnect_jitter,
                ))
                .ping_interval(Duration::from_secs(conn_cfg.keepalive_interval_s))
                .frame_idle_timeout(Duration::from_secs(conn_cfg.idle_timeout_s));
        for topic in &account.subscriptions {
            builder = builder.subscribe_callback(topic.clone());
        }
        let conn = builder.build()?.connect().await?;
        let dedup = Arc::new(dingtalk_stream::SqliteDedup::open(dir.join("dedup.db"))?);
        let dispatcher =
            dingtalk_stream::Dispatcher::new(creds.client_id().as_str(), bot.handler()).dedup(dedup);
        eprintln!("account {id}: connected as {}", creds.client_id());
        tasks.spawn(async move {
            dispatcher
                .run_until(conn, async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await
        });
    }
    while let Some(result) = tasks.join_next().await {
        if let Ok(Err(e)) = result {
            eprintln!("error: {e}");
        }
    }
    for sandbox in sandboxes {
        sandbox.shutdown().await;
    }
    Ok(())
}

async fn send(
    id: &str,
    account: &AccountConfig,
    to: Option<String>,
    title: Option<String>,
    text: bool,
    message: &[String],
) -> Result<(), BoxError> {
    let mut body = message.join(" ");
    if body == "-" || body.is_empty() {
        let mut input = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut input)?;
        body = input;
    }
    if let Some(title) = title {
        body = format!("## {title}\n\n{body}");
    }
    let registry = registry(account);
    let conversation = match to.as_deref() {
        Some(user) if user.starts_with("user:") => Conversation::Direct(UserId::new(&user[5..])),
        Some(cid) => Conversation::Group(OpenConversationId::new(cid)),
        None => {
            let latest = registry
                .latest_group(id)
                .ok_or("no group known yet: @-mention the bot in a group first, or pass --to")?;
            Conversation::Group(OpenConversationId::new(latest.conversation_id))
        }
    };
    let (bases, creds, _sandbox) = endpoints(id, account, true).await?;
    let clients = clients(account, &bases, &creds)?;
    let replier = Replier::new(clients.api, account.reply.clone(), &account.name);
    let target = ReplyTarget {
        robot_code: account.robot_code().into(),
        conversation,
        session_webhook: None,
        at_user: None,
    };
    let mode = if text {
        dingtalk_bot::config::ReplyMode::Text
    } else {
        dingtalk_bot::config::ReplyMode::Markdown
    };
    let routes = replier.send(&target, &body, mode).await?;
    println!("{}", serde_json::json!({"ok": true, "messages": routes.len()}));
    Ok(())
}

fn pairing(id: &str, account: &AccountConfig, action: PairingAction) -> Result<(), BoxError> {
    let store = FilePairingStore::open(data_dir(account).join("pairing.json"));
    let rules = dingtalk_bot::pairing::Pairing::new(store, &account.access.pairing);
    let now = dingtalk_core::Clock::epoch_millis(&dingtalk_core::SystemClock);
    match action {
        PairingAction::List => {
            for p in rules.store().pending(id) {
                println!(
                    "{}",
                    serde_json::json!({"pending": p.code, "user": p.user, "issued_ms": p.issued_ms})
                );
            }
            for user in rules.store().approved(id) {
                println!("{}", serde_json::json!({"approved": user}));
            }
        }
        PairingAction::Approve { code } => match rules.approve(id, &code, "cli-owner", now) {
            dingtalk_bot::pairing::ApproveOutcome::Approved(user) => println!("approved {user}"),
            _ => return Err("no pending pairing with that code (expired?)".into()),
        },
        PairingAction::Deny { code } => {
            if !rules.deny(id, &code, now) {
                return Err("no pending pairing with that code".into());
            }
            println!("denied");
        }
        PairingAction::Revoke { user } => {
            if !rules.store().revoke(id, &user) {
                return Err(format!("{user} was not approved").into());
            }
            println!("revoked {user}");
        }
    }
    Ok(())
}
