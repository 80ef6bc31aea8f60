//! The wiring every program that runs the bot shares: the `dingtalk-bot` binary, `dws bot run`, and demos.
//!
//! [`App`] turns a [`BotConfig`] into running bots: it resolves each account's credentials (file, environment or
//! secret file), picks the endpoints (the account's bases, a sandbox URL, or an embedded sandbox when no app is
//! configured and `environment = "sandbox"`), builds the rate-limited OpenAPI clients, recovers cards a previous
//! run left live, starts the card driver, and connects over Stream mode. [`App::send`], [`App::conversations`]
//! and [`App::pairing`] are the binary's other commands as library calls.
//!
//! Run in the foreground until Ctrl-C:
//!
//! ```no_run
//! # async fn demo() -> Result<(), dingtalk_bot::app::AppError> {
//! use dingtalk_bot::app::{App, AppOptions};
//!
//! let app = App::load("dingtalk-bot.toml".as_ref(), AppOptions::default())?;
//! app.run(async {
//!     let _ = tokio::signal::ctrl_c().await;
//! })
//! .await
//! # }
//! ```
//!
//! Or in the background, against an embedded sandbox with a scripted agent, as demos and tests do:
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use dingtalk_bot::BotConfig;
//! use dingtalk_bot::agent::{AgentSpec, ScriptStep};
//! use dingtalk_bot::app::{App, AppOptions, Endpoints};
//!
//! let config = BotConfig::parse("", "demo.toml")?;
//! let options = AppOptions::default()
//!     .endpoints(Endpoints::EmbeddedSandbox)
//!     .agent(AgentSpec::scripted(vec![ScriptStep::Text("hello".into())]))
//!     .ephemeral(true);
//! let running = App::new(config, "demo.toml", options).start().await?;
//! let sandbox = running.sandbox().ok_or("no sandbox")?;
//! sandbox.inject_message(&dingtalk_sandbox::InjectMessage::direct("user001", "hi"))?;
//! // … watch `sandbox.cards()` …
//! running.shutdown().await?;
//! # Ok(())
//! # }
//! ```

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use dingtalk_auth::AppTokenProvider;
use dingtalk_cards::{
    CardConfig, CardDriver, CardJournal, DriverConfig, FinalTexts, LimiterConfig, MemoryFinalTexts,
    MemoryJournal, PriorityLimiter, SqliteFinalTexts, SqliteJournal, TemplateSpec, recover,
};
use dingtalk_core::{
    AppCredentials, BaseUrls, ClientId, OpenConversationId, RetryPolicy, RobotCode, SecretString, Transport,
    UserId,
};
use dingtalk_openapi::Client;
use dingtalk_sandbox::SandboxHandle;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::agent::AgentSpec;
use crate::config::{AccountConfig, BotConfig, CardTemplate, Environment, ReplyMode};
use crate::pairing::{
    ApproveOutcome, FilePairingStore, MemoryPairingStore, Pairing, PairingStore, PendingCode,
};
use crate::registry::{ConversationEntry, ConversationStore, Registry};
use crate::reply::{Conversation, Replier, ReplyTarget};
use crate::sessions::{AgentSessions, FileAgentSessions, MemoryAgentSessions};
use crate::{Bot, BotParts};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One account's stores: card journal, dedup, final card texts.
type Stores = (
    Arc<dyn CardJournal>,
    Arc<dyn dingtalk_stream::DedupStore>,
    Arc<dyn FinalTexts>,
);

/// Where the bot talks to DingTalk.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum Endpoints {
    /// The account's `api_base` / `oapi_base` with its credentials; with no credentials and
    /// `environment = "sandbox"`, an embedded sandbox started for the account.
    #[default]
    FromConfig,
    /// A running sandbox at these bases, as its demo app (for `--sandbox URL`).
    Sandbox(BaseUrls),
    /// A fresh embedded sandbox per account, as its demo app, whatever the config says.
    EmbeddedSandbox,
    /// These bases with the account's credentials.
    Custom(BaseUrls),
}

/// What a caller overrides on top of the config file. Setters are chained: `AppOptions::default().account("a")`.
#[derive(Clone, Default)]
pub struct AppOptions {
    account: Option<String>,
    endpoints: Endpoints,
    agent: Option<AgentSpec>,
    data_dir: Option<PathBuf>,
    pairing: Option<Arc<dyn PairingStore>>,
    conversations: Option<Arc<dyn ConversationStore>>,
    final_texts: Option<Arc<dyn FinalTexts>>,
    ephemeral: bool,
}

impl std::fmt::Debug for AppOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppOptions")
            .field("account", &self.account)
            .field("endpoints", &self.endpoints)
            .field("agent", &self.agent.is_some())
            .field("data_dir", &self.data_dir)
            .field("pairing", &self.pairing.is_some())
            .field("conversations", &self.conversations.is_some())
            .field("final_texts", &self.final_texts.is_some())
            .field("ephemeral", &self.ephemeral)
            .finish()
    }
}

impl AppOptions {
    /// Only this account (running: instead of every enabled account; commands: instead of `default_account`).
    #[must_use]
    pub fn account(mut self, id: impl Into<String>) -> Self {
        self.account = Some(id.into());
        self
    }

    /// Where to connect (default: [`Endpoints::FromConfig`]).
    #[must_use]
    pub fn endpoints(mut self, endpoints: Endpoints) -> Self {
        self.endpoints = endpoints;
        self
    }

    /// This agent for every account instead of the configured one (demos: `AgentSpec::scripted`).
    #[must_use]
    pub fn agent(mut self, agent: AgentSpec) -> Self {
        self.agent = Some(agent);
        self
    }

    /// This state directory instead of the account's `data_dir`.
    #[must_use]
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// This pairing store instead of `data_dir/pairing.json`.
    #[must_use]
    pub fn pairing(mut self, store: Arc<dyn PairingStore>) -> Self {
        self.pairing = Some(store);
        self
    }

    /// This conversation store instead of `data_dir/conversations.json` (shared by the bots and
    /// [`App::send`] / [`App::conversations`]).
    #[must_use]
    pub fn conversations(mut self, store: Arc<dyn ConversationStore>) -> Self {
        self.conversations = Some(store);
        self
    }

    /// This store of final card texts (quoted replies) instead of the `final_texts` table in `data_dir/cards.db`.
    #[must_use]
    pub fn final_texts(mut self, store: Arc<dyn FinalTexts>) -> Self {
        self.final_texts = Some(store);
        self
    }

    /// Keep the card journal, dedup, pairing and conversations in memory and write nothing to disk (demos, tests).
    #[must_use]
    pub fn ephemeral(mut self, ephemeral: bool) -> Self {
        self.ephemeral = ephemeral;
        self
    }
}

/// What went wrong, for exit codes and error envelopes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AppErrorKind {
    /// The config file is missing, unreadable or invalid, or names no such account.
    Config,
    /// Credentials are missing or unreadable.
    Credentials,
    /// The endpoints could not be set up (bad base URL, the embedded sandbox failed to start).
    Endpoint,
    /// Local state (data directory, journal, dedup store) could not be opened.
    Storage,
    /// The Stream connection could not be opened or ended with a fatal error.
    Connect,
    /// The request cannot be done as asked (no group known yet, unknown pairing code).
    Usage,
    /// DingTalk (or the sandbox) refused or failed a call.
    Api,
}

impl std::fmt::Display for AppErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Config => "config",
            Self::Credentials => "credentials",
            Self::Endpoint => "endpoint",
            Self::Storage => "storage",
            Self::Connect => "connect",
            Self::Usage => "usage",
            Self::Api => "api",
        })
    }
}

/// An [`App`] operation failed: a kind, a message, maybe a hint, and the cause in `source()`.
#[derive(Debug)]
pub struct AppError {
    kind: AppErrorKind,
    message: String,
    hint: Option<String>,
    source: Option<BoxError>,
}

impl AppError {
    /// An error of `kind` with a one-line message (for callers wrapping their own steps, such as reading stdin).
    pub fn new(kind: AppErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            hint: None,
            source: None,
        }
    }

    /// The same error with a hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The same error with its cause.
    #[must_use]
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> AppErrorKind {
        self.kind
    }

    /// What failed, in one line (never a secret).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What the user can do about it, when known.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A message to send as the bot ([`App::send`]).
#[derive(Clone, Debug, Default)]
pub struct SendRequest {
    /// A group's open conversation id or `user:<staffId>`; `None`: the most recent group the bot has seen.
    pub to: Option<String>,
    /// A markdown title (a `## title` line is put above the body).
    pub title: Option<String>,
    /// Plain text instead of markdown.
    pub text: bool,
    /// The message.
    pub body: String,
}

/// What [`App::send`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SendReport {
    /// Messages sent (long bodies are split).
    pub messages: usize,
}

/// The bot configuration plus the caller's overrides: runs the bots and the one-shot commands.
#[derive(Debug)]
pub struct App {
    config: BotConfig,
    config_path: PathBuf,
    options: AppOptions,
}

impl App {
    /// An app over an already parsed config; `config_path` names it in error messages.
    pub fn new(config: BotConfig, config_path: impl Into<PathBuf>, options: AppOptions) -> Self {
        Self {
            config,
            config_path: config_path.into(),
            options,
        }
    }

    /// Reads and checks the config file.
    ///
    /// # Errors
    /// [`AppErrorKind::Config`] naming the file, the key and the reason.
    pub fn load(path: &Path, options: AppOptions) -> Result<Self, AppError> {
        let config = BotConfig::load(path).map_err(|e| {
            AppError::new(AppErrorKind::Config, e.to_string())
                .with_hint("see the dingtalk-bot README (Configuration) for every key")
        })?;
        Ok(Self::new(config, path, options))
    }

    /// The configuration.
    pub fn config(&self) -> &BotConfig {
        &self.config
    }

    /// Warnings about the config file worth showing the user (deprecated spellings, literal secrets).
    pub fn warnings(&self) -> &[String] {
        &self.config.warnings
    }

    /// Connects every enabled account (or the one chosen in the options) and returns while the bots run in the
    /// background. Cards a previous run left live are closed first.
    ///
    /// # Errors
    /// The first account that cannot be set up or connected; accounts already connected are stopped.
    pub async fn start(self) -> Result<RunningApp, AppError> {
        let (stop, _) = watch::channel(false);
        let mut running = RunningApp {
            stop,
            tasks: JoinSet::new(),
            sandboxes: Vec::new(),
            bots: Vec::new(),
        };
        let accounts = self.accounts_to_run()?;
        for (id, account) in accounts {
            self.start_account(&id, &account, &mut running).await?;
        }
        Ok(running)
    }

    /// Runs the bots until `shutdown` completes (or every connection has ended), then stops them gracefully.
    ///
    /// # Errors
    /// Setup or connection failures ([`start`](Self::start)), or the first fatal connection error.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), AppError> {
        let mut running = self.start().await?;
        let ended = tokio::select! {
            () = shutdown => None,
            result = running.finished() => Some(result),
        };
        let stopped = running.shutdown().await;
        match ended {
            Some(Err(e)) => Err(e),
            _ => stopped,
        }
    }

    /// Sends `request` as the chosen (or default) account's bot.
    ///
    /// # Errors
    /// No such account, no credentials, no group known when `to` is empty, or the send failed.
    pub async fn send(&self, request: &SendRequest) -> Result<SendReport, AppError> {
        let (id, account) = self.pick()?;
        let mut body = request.body.clone();
        if let Some(title) = &request.title {
            body = format!("## {title}\n\n{body}");
        }
        let conversation = match request.to.as_deref() {
            Some(user) if user.starts_with("user:") => Conversation::Direct(UserId::new(&user[5..])),
            Some(cid) => Conversation::Group(OpenConversationId::new(cid)),
            None => {
                let latest = self.registry(account).latest_group(id).ok_or_else(|| {
                    AppError::new(AppErrorKind::Usage, "no group known yet")
                        .with_hint("@-mention the bot in a group first, or pass the recipient (--to)")
                })?;
                Conversation::Group(OpenConversationId::new(latest.conversation_id))
            }
        };
        let (bases, creds, _sandbox) = self.endpoints(id, account).await?;
        let clients = clients(account, &bases, &creds)?;
        let replier = Replier::new(clients.api, account.reply.clone(), &account.name);
        let target = ReplyTarget {
            robot_code: robot_code(account, &creds),
            conversation,
            session_webhook: None,
            at_user: None,
        };
        let mode = if request.text {
            ReplyMode::Text
        } else {
            ReplyMode::Markdown
        };
        let routes = replier.send(&target, &body, mode).await.map_err(|e| {
            AppError::new(AppErrorKind::Api, format!("account {id}: sending failed: {e}")).with_source(e)
        })?;
        Ok(SendReport {
            messages: routes.len(),
        })
    }

    /// The conversations the chosen (or default) account's bot has seen, most recent first.
    ///
    /// # Errors
    /// No such account.
    pub fn conversations(&self) -> Result<Vec<ConversationEntry>, AppError> {
        let (id, account) = self.pick()?;
        Ok(self.registry(account).list(id))
    }

    /// Pairing administration for the chosen (or default) account.
    ///
    /// # Errors
    /// No such account.
    pub fn pairing(&self) -> Result<PairingAdmin, AppError> {
        let (id, account) = self.pick()?;
        Ok(PairingAdmin {
            account: id.to_owned(),
            rules: Pairing::new(self.pairing_store(account), &account.access.pairing),
        })
    }

    fn accounts_to_run(&self) -> Result<Vec<(String, AccountConfig)>, AppError> {
        if self.options.account.is_some() {
            let (id, account) = self.pick()?;
            return Ok(vec![(id.to_owned(), account.clone())]);
        }
        let accounts: Vec<_> = self
            .config
            .accounts
            .iter()
            .filter(|(_, a)| a.enabled)
            .map(|(id, a)| (id.clone(), a.clone()))
            .collect();
        if accounts.is_empty() {
            return Err(AppError::new(
                AppErrorKind::Config,
                format!("{}: no enabled account", self.config_path.display()),
            )
            .with_hint("set enabled = true on an account"));
        }
        Ok(accounts)
    }

    fn pick(&self) -> Result<(&str, &AccountConfig), AppError> {
        let id = self
            .options
            .account
            .as_deref()
            .unwrap_or(&self.config.default_account);
        self.config
            .accounts
            .get_key_value(id)
            .map(|(id, a)| (id.as_str(), a))
            .ok_or_else(|| {
                let known: Vec<&str> = self.config.accounts.keys().map(String::as_str).collect();
                AppError::new(
                    AppErrorKind::Config,
                    format!("{}: no account named {id:?}", self.config_path.display()),
                )
                .with_hint(format!("accounts in the file: {}", known.join(", ")))
            })
    }

    /// The account as the bot sees it: `data_dir` resolved as for the stores, so the bot's media (inbox, outbox)
    /// live beside them rather than in the bot's own default.
    fn bot_account(&self, account: &AccountConfig) -> AccountConfig {
        AccountConfig {
            data_dir: self.data_dir(account),
            ..account.clone()
        }
    }

    fn data_dir(&self, account: &AccountConfig) -> PathBuf {
        if let Some(dir) = &self.options.data_dir {
            return dir.clone();
        }
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

    fn registry(&self, account: &AccountConfig) -> Arc<dyn ConversationStore> {
        if let Some(store) = &self.options.conversations {
            return store.clone();
        }
        if self.options.ephemeral {
            return Arc::new(Registry::in_memory());
        }
        let bridge =
            (!account.bridge.conv_file.as_os_str().is_empty()).then(|| account.bridge.conv_file.clone());
        Arc::new(Registry::open(
            self.data_dir(account).join("conversations.json"),
            bridge,
        ))
    }

    fn agent_sessions(&self, account: &AccountConfig) -> Arc<dyn AgentSessions> {
        if self.options.ephemeral {
            return Arc::new(MemoryAgentSessions::default());
        }
        Arc::new(FileAgentSessions::open(
            self.data_dir(account).join("sessions.json"),
        ))
    }

    fn pairing_store(&self, account: &AccountConfig) -> Arc<dyn PairingStore> {
        if let Some(store) = &self.options.pairing {
            return store.clone();
        }
        if self.options.ephemeral {
            return Arc::new(MemoryPairingStore::default());
        }
        Arc::new(FilePairingStore::open(
            self.data_dir(account).join("pairing.json"),
        ))
    }

    fn agent(&self, account: &AccountConfig) -> AgentSpec {
        if let Some(agent) = &self.options.agent {
            return agent.clone();
        }
        let env_pass: Vec<(String, String)> = account
            .agent
            .env_passthrough
            .iter()
            .filter_map(|k| env(k).map(|v| (k.clone(), v)))
            .collect();
        AgentSpec::new(account.agent.clone(), env_pass)
    }

    /// Where to talk to, with which app, and the embedded sandbox if one was started for it.
    async fn endpoints(
        &self,
        id: &str,
        account: &AccountConfig,
    ) -> Result<(BaseUrls, AppCredentials, Option<SandboxHandle>), AppError> {
        let is_default = id == self.config.default_account;
        match &self.options.endpoints {
            Endpoints::Sandbox(bases) => Ok((bases.clone(), demo_credentials(), None)),
            Endpoints::EmbeddedSandbox => embedded_sandbox().await,
            Endpoints::Custom(bases) => {
                let creds = credentials(id, account, is_default)?.ok_or_else(|| no_credentials(id))?;
                Ok((bases.clone(), creds, None))
            }
            Endpoints::FromConfig => {
                if let Some(creds) = credentials(id, account, is_default)? {
                    let bases =
                        BaseUrls::parse(&account.api_base, &account.oapi_base, BaseUrls::DINGTALK_LOGIN)
                            .map_err(|e| {
                                AppError::new(
                                    AppErrorKind::Endpoint,
                                    format!("account {id}: bad api_base/oapi_base: {e}"),
                                )
                                .with_hint("use absolute http(s) URLs")
                            })?;
                    return Ok((bases, creds, None));
                }
                if account.environment == Environment::Sandbox {
                    return embedded_sandbox().await;
                }
                Err(no_credentials(id))
            }
        }
    }

    async fn start_account(
        &self,
        id: &str,
        account: &AccountConfig,
        running: &mut RunningApp,
    ) -> Result<(), AppError> {
        let (bases, creds, sandbox) = self.endpoints(id, account).await?;
        let embedded = sandbox.is_some();
        running.sandboxes.extend(sandbox);
        let clients = clients(account, &bases, &creds)?;
        let storage = |what: &str, e: BoxError| {
            AppError::new(AppErrorKind::Storage, format!("account {id}: {what}"))
                .with_hint("check that data_dir is writable")
                .with_source(e)
        };
        let stores: Stores = if self.options.ephemeral {
            (
                Arc::new(MemoryJournal::default()),
                Arc::new(dingtalk_stream::MemoryDedup::new()),
                Arc::new(MemoryFinalTexts::default()),
            )
        } else {
            let dir = self.data_dir(account);
            std::fs::create_dir_all(&dir)
                .map_err(|e| storage(&format!("cannot create {}", dir.display()), e.into()))?;
            let journal = SqliteJournal::open(&dir.join("cards.db"))
                .map_err(|e| storage("cannot open the card journal", e.into()))?;
            let dedup = dingtalk_stream::SqliteDedup::open(dir.join("dedup.db"))
                .map_err(|e| storage("cannot open the dedup store", e.into()))?;
            let texts = SqliteFinalTexts::open(&dir.join("cards.db"))
                .map_err(|e| storage("cannot open the final-text store", e.into()))?;
            (Arc::new(journal), Arc::new(dedup), Arc::new(texts))
        };
        let (journal, dedup, final_texts) = stores;
        let final_texts = self.options.final_texts.clone().unwrap_or(final_texts);
        let report = recover(
            &clients.cards,
            journal.as_ref(),
            id,
            "\n\n⚠️ 回复在服务重启时中断",
        )
        .await;
        if report != dingtalk_cards::RecoveryReport::default() {
            tracing::warn!(
                account = id,
                ?report,
                "closed cards left live by the previous run"
            );
        }
        let cards = CardDriver::spawn(
            clients.cards,
            DriverConfig {
                account: id.to_owned(),
                robot_code: robot_code(account, &creds),
                card: card_config(account),
                template: template(account),
                stream_callbacks: true,
            },
            journal,
        );
        let bot = Bot::new(BotParts {
            account_id: id.to_owned(),
            account: self.bot_account(account),
            client: clients.api,
            cards: Some(cards),
            agent: self.agent(account),
            pairing: self.pairing_store(account),
            registry: self.registry(account),
            final_texts,
            agent_sessions: self.agent_sessions(account),
        });
        let conn = connect(account, &bases, &creds).await.map_err(|e| {
            AppError::new(
                AppErrorKind::Connect,
                format!("account {id}: cannot connect over Stream mode"),
            )
            .with_hint("check the app's credentials and that Stream mode is enabled for its robot")
            .with_source(e)
        })?;
        let dispatcher =
            dingtalk_stream::Dispatcher::new(creds.client_id().as_str(), bot.handler()).dedup(dedup);
        let mut stop = running.stop.subscribe();
        let account_id = id.to_owned();
        running.tasks.spawn(async move {
            let result = dispatcher
                .run_until(conn, async move {
                    let _ = stop.wait_for(|stopped| *stopped).await;
                })
                .await;
            (account_id, result.map(|_| ()))
        });
        if embedded {
            // Demos inject right after `start`: make sure the sandbox already delivers to this bot.
            if let Some(sandbox) = running.sandboxes.last() {
                sandbox.wait_for_connections(1, Duration::from_secs(5)).await;
            }
        }
        tracing::info!(account = id, client_id = %creds.client_id(), "connected over Stream mode");
        running.bots.push((
            id.to_owned(),
            bot,
            Duration::from_millis(account.card.shutdown_grace_ms),
        ));
        Ok(())
    }
}

/// Bots running in the background ([`App::start`]). Dropping it stops them at once; [`shutdown`](Self::shutdown)
/// stops them gracefully.
pub struct RunningApp {
    stop: watch::Sender<bool>,
    tasks: JoinSet<(String, Result<(), dingtalk_stream::Error>)>,
    sandboxes: Vec<SandboxHandle>,
    /// Account id, bot, card shutdown grace.
    bots: Vec<(String, Bot, Duration)>,
}

impl std::fmt::Debug for RunningApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningApp")
            .field(
                "accounts",
                &self.bots.iter().map(|(id, ..)| id).collect::<Vec<_>>(),
            )
            .field("sandboxes", &self.sandboxes.len())
            .finish_non_exhaustive()
    }
}

impl RunningApp {
    /// The embedded sandbox started for the first account that needed one (demos inject messages into it).
    pub fn sandbox(&self) -> Option<&SandboxHandle> {
        self.sandboxes.first()
    }

    /// The running bots by account id.
    pub fn bots(&self) -> impl Iterator<Item = (&str, &Bot)> {
        self.bots.iter().map(|(id, bot, _)| (id.as_str(), bot))
    }

    /// Waits until every account's connection has ended (normally: never, until [`shutdown`](Self::shutdown)).
    ///
    /// # Errors
    /// The first fatal connection error (such as credentials DingTalk rejects).
    pub async fn finished(&mut self) -> Result<(), AppError> {
        let mut first = None;
        while let Some(joined) = self.tasks.join_next().await {
            let error = match joined {
                Ok((_, Ok(()))) => continue,
                Ok((account, Err(e))) => {
                    tracing::error!(account, kind = ?e.kind(), "the Stream connection ended with an error");
                    AppError::new(
                        AppErrorKind::Connect,
                        format!("account {account}: the Stream connection ended with an error"),
                    )
                    .with_source(e)
                }
                Err(e) => AppError::new(AppErrorKind::Connect, "a bot task failed").with_source(e),
            };
            first.get_or_insert(error);
        }
        first.map_or(Ok(()), Err)
    }

    /// Stops accepting messages, lets accepted work finish within the connection's drain time, closes the
    /// connections, then closes cards still live (a running answer ends "service restarting" rather than
    /// spinning; `card.shutdown_grace_ms` each), and stops the embedded sandboxes.
    ///
    /// # Errors
    /// The first fatal connection error seen while stopping.
    pub async fn shutdown(mut self) -> Result<(), AppError> {
        self.stop.send_replace(true);
        let result = self.finished().await;
        for (_, bot, grace) in &self.bots {
            bot.close_cards(*grace).await;
        }
        for sandbox in std::mem::take(&mut self.sandboxes) {
            sandbox.shutdown().await;
        }
        result
    }
}

impl Drop for RunningApp {
    fn drop(&mut self) {
        self.stop.send_replace(true);
        self.tasks.abort_all();
    }
}

/// Pairing administration for one account ([`App::pairing`]).
pub struct PairingAdmin {
    account: String,
    rules: Pairing<Arc<dyn PairingStore>>,
}

impl std::fmt::Debug for PairingAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PairingAdmin")
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

impl PairingAdmin {
    /// Pending pairing codes.
    pub fn pending(&self) -> Vec<PendingCode> {
        self.rules.store().pending(&self.account)
    }

    /// Approved users.
    pub fn approved(&self) -> Vec<String> {
        self.rules.store().approved(&self.account)
    }

    /// Approves a pending code as the CLI owner; returns the approved user.
    ///
    /// # Errors
    /// [`AppErrorKind::Usage`] when no pending code matches.
    pub fn approve(&self, code: &str) -> Result<String, AppError> {
        match self.rules.approve(&self.account, code, "cli-owner", now_ms()) {
            ApproveOutcome::Approved(user) => Ok(user),
            _ => Err(unknown_code()),
        }
    }

    /// Denies a pending code.
    ///
    /// # Errors
    /// [`AppErrorKind::Usage`] when no pending code matches.
    pub fn deny(&self, code: &str) -> Result<(), AppError> {
        if self.rules.deny(&self.account, code, now_ms()) {
            Ok(())
        } else {
            Err(unknown_code())
        }
    }

    /// Removes an approved user.
    ///
    /// # Errors
    /// [`AppErrorKind::Usage`] when the user was not approved.
    pub fn revoke(&self, user: &str) -> Result<(), AppError> {
        if self.rules.store().revoke(&self.account, user) {
            Ok(())
        } else {
            Err(
                AppError::new(AppErrorKind::Usage, format!("{user} was not approved"))
                    .with_hint("list approved users with `pairing list`"),
            )
        }
    }
}

fn unknown_code() -> AppError {
    AppError::new(AppErrorKind::Usage, "no pending pairing with that code")
        .with_hint("codes expire after an hour; list them with `pairing list`")
}

fn now_ms() -> u64 {
    dingtalk_core::Clock::epoch_millis(&dingtalk_core::SystemClock)
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn no_credentials(id: &str) -> AppError {
    AppError::new(AppErrorKind::Credentials, format!("account {id}: no client_id/secret configured"))
        .with_hint("set client_id and client_secret_file (or DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET), or use environment = \"sandbox\"")
}

fn demo_credentials() -> AppCredentials {
    AppCredentials::new(
        ClientId::new(dingtalk_sandbox::DEMO_CLIENT_ID),
        SecretString::from(dingtalk_sandbox::DEMO_CLIENT_SECRET),
    )
}

async fn embedded_sandbox() -> Result<(BaseUrls, AppCredentials, Option<SandboxHandle>), AppError> {
    let sandbox = dingtalk_sandbox::Sandbox::start().await.map_err(|e| {
        AppError::new(AppErrorKind::Endpoint, "the embedded sandbox did not start").with_source(e)
    })?;
    tracing::info!(base = %sandbox.base_url(), "no app configured: using the embedded DingTalk sandbox");
    let bases = BaseUrls::single(&sandbox.base_url()).map_err(|e| {
        AppError::new(AppErrorKind::Endpoint, "the embedded sandbox has a bad base URL").with_source(e)
    })?;
    Ok((bases, demo_credentials(), Some(sandbox)))
}

/// App credentials: for the default account the environment (`DINGTALK_CLIENT_ID`/`_SECRET`, or the bridge's
/// `DINGTALK_APP_KEY`/`_SECRET`) overrides the file; then `client_secret_env`, `client_secret_file`, literal.
fn credentials(
    id: &str,
    account: &AccountConfig,
    is_default: bool,
) -> Result<Option<AppCredentials>, AppError> {
    let from_env = |a: &str, b: &str| {
        if is_default {
            env(a).or_else(|| env(b))
        } else {
            None
        }
    };
    let client_id =
        from_env("DINGTALK_CLIENT_ID", "DINGTALK_APP_KEY").unwrap_or_else(|| account.client_id.clone());
    let secret = if let Some(secret) = from_env("DINGTALK_CLIENT_SECRET", "DINGTALK_APP_SECRET") {
        Some(secret)
    } else if !account.client_secret_env.is_empty() {
        Some(env(&account.client_secret_env).ok_or_else(|| {
            AppError::new(
                AppErrorKind::Credentials,
                format!("account {id}: {} is not set", account.client_secret_env),
            )
            .with_hint("export it, or set client_secret_file")
        })?)
    } else if !account.client_secret_file.as_os_str().is_empty() {
        Some(read_secret_file(id, &account.client_secret_file)?)
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

fn read_secret_file(id: &str, path: &Path) -> Result<String, AppError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        AppError::new(
            AppErrorKind::Credentials,
            format!("account {id}: cannot read client_secret_file {}", path.display()),
        )
        .with_source(e)
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0) {
            tracing::warn!(path = %path.display(), "the secret file is readable by other users; chmod 600 it");
        }
    }
    Ok(text.trim().to_owned())
}

/// The robot code: configured, else the app's client id (true for internal apps and the sandbox).
fn robot_code(account: &AccountConfig, creds: &AppCredentials) -> RobotCode {
    let code = account.robot_code();
    RobotCode::new(if code.is_empty() {
        creds.client_id().as_str()
    } else {
        code
    })
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

/// One limiter per app, shared by message sends and card calls; card calls are retried by the card state machine.
fn clients(account: &AccountConfig, bases: &BaseUrls, creds: &AppCredentials) -> Result<Clients, AppError> {
    let limits = &account.rate_limit;
    let limiter = Arc::new(PriorityLimiter::new(LimiterConfig {
        qps: f64::from(limits.qps),
        burst: f64::from(limits.burst),
        min_qps: f64::from(limits.min_qps),
        throttle_pause: Duration::from_millis(limits.throttle_pause_ms),
        ..LimiterConfig::default()
    }));
    let transport = |retry: RetryPolicy| {
        Transport::builder()
            .base_urls(bases.clone())
            .rate_limiter(Some(limiter.clone()))
            .retry_policy(retry)
            .build()
            .map_err(|e| AppError::new(AppErrorKind::Endpoint, "cannot build the HTTP client").with_source(e))
    };
    let api = transport(RetryPolicy::default())?;
    let cards = transport(RetryPolicy::none())?;
    let tokens = Arc::new(AppTokenProvider::new(api.clone(), creds.clone()));
    Ok(Clients {
        api: Client::new(api, tokens.clone()),
        cards: Client::new(cards, tokens),
    })
}

async fn connect(
    account: &AccountConfig,
    bases: &BaseUrls,
    creds: &AppCredentials,
) -> Result<dingtalk_stream::Connection, dingtalk_stream::Error> {
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
    builder.build()?.connect().await
}
