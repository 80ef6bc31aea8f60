//! The bot's TOML configuration: every option of the seed documents, multiple accounts, and errors that name the
//! file, the key and the reason.
//!
//! Keys are `snake_case`; the seeds' camelCase spellings (`clientId`, `dmPolicy`, `maxChars`, …) are accepted as
//! aliases and reported once as warnings. A key set under `[dingtalk]` applies to every account unless
//! `[dingtalk.accounts.<id>]` overrides it. Unknown keys and bad values are errors.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::Deserialize;
use toml::{Table, Value};

/// A configuration problem: where, which key, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    file: String,
    key: String,
    reason: String,
}

impl ConfigError {
    fn new(file: &str, key: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            key: key.into(),
            reason: reason.into(),
        }
    }

    /// The file.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The dotted key path (`dingtalk.access.dm_policy`), or empty for file-level problems.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What is wrong.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}: {}", self.file, self.reason)
        } else {
            write!(f, "{}: {}: {}", self.file, self.key, self.reason)
        }
    }
}

impl std::error::Error for ConfigError {}

/// Who may talk to the bot in direct messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DmPolicy {
    /// Anyone.
    Open,
    /// Unknown senders get a pairing code that an owner approves.
    Pairing,
    /// Only `allow_from` (plus approved pairings).
    Allowlist,
}

/// Which groups the bot answers in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GroupPolicy {
    /// Any group.
    Open,
    /// Only groups with a `[groups."<cid>"]` table (or `"*"`).
    Allowlist,
    /// No groups.
    Disabled,
}

/// How replies are sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReplyMode {
    /// An AI card with automatic markdown fallback.
    Card,
    /// Markdown messages (plain text when there is no markdown syntax).
    Markdown,
    /// Plain text.
    Text,
}

/// How markdown tables are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TableMode {
    /// Blank line before, rows padded, separators rewritten.
    Normalize,
    /// Tables wrapped in a code fence.
    Code,
    /// Left alone.
    Off,
}

/// Session scope in groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GroupScope {
    /// One session per group.
    Group,
    /// One session per user in each group.
    GroupSender,
}

/// Which agent runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AgentKind {
    /// `claude -p` with stream-json output.
    Claude,
    /// Any command from an argv template.
    Command,
    /// The built-in echo agent (demos).
    Echo,
}

/// How the agent's output is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AgentOutput {
    /// Claude's `--output-format stream-json` events.
    ClaudeStreamJson,
    /// Plain text on stdout.
    Text,
}

/// The card template choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CardTemplate {
    /// DingTalk's AI Markdown card (`382e4302…`).
    Stock,
    /// The connector's public template (`02fcf2f4…`).
    Public,
    /// `template_id` + `content_key` from the config.
    Custom,
}

/// Overflow policy for long card replies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CardOverflow {
    /// Continue in a new card.
    Continuation,
    /// The rest as markdown.
    Markdown,
    /// Cut.
    Truncate,
}

/// How receipt is acknowledged to the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AckMode {
    /// Cards: a queued card; otherwise nothing.
    Auto,
    /// Nothing.
    Off,
    /// A "thinking" emotion on the user's message.
    Reaction,
    /// A short text.
    Text,
}

/// Reconnect and liveness settings (the seed's `maxConnectionAttempts`, `initialReconnectDelay`, …).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectionConfig {
    /// Consecutive failures before an alert (retrying never stops).
    pub max_connection_attempts: u32,
    /// First reconnect delay.
    pub initial_reconnect_delay_ms: u64,
    /// Reconnect delay ceiling.
    pub max_reconnect_delay_ms: u64,
    /// Jitter factor, 0..=1.
    pub reconnect_jitter: f64,
    /// Client WebSocket ping interval.
    pub keepalive_interval_s: u64,
    /// Reconnect after this long without any inbound frame.
    pub idle_timeout_s: u64,
    /// Handshake timeout.
    pub connect_timeout_s: u64,
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        Self {
            max_connection_attempts: 10,
            initial_reconnect_delay_ms: 1000,
            max_reconnect_delay_ms: 60_000,
            reconnect_jitter: 0.3,
            keepalive_interval_s: 20,
            idle_timeout_s: 90,
            connect_timeout_s: 10,
        }
    }
}

/// Pairing settings.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PairingConfig {
    /// Code length (8).
    pub code_length: usize,
    /// Code lifetime (3600 s).
    pub code_ttl_s: u64,
    /// Pending codes per account (3).
    pub max_pending: usize,
    /// Tell the user when approved.
    pub notify_on_approve: bool,
}

impl Default for PairingConfig {
    fn default() -> Self {
        Self {
            code_length: 8,
            code_ttl_s: 3600,
            max_pending: 3,
            notify_on_approve: true,
        }
    }
}

/// Access control.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccessConfig {
    /// Direct-message policy.
    pub dm_policy: DmPolicy,
    /// Allowed DM senders (`dingtalk:`/`dd:`/`ding:` prefixes and `*` accepted).
    #[serde(deserialize_with = "string_list")]
    pub allow_from: Vec<String>,
    /// Group policy.
    pub group_policy: GroupPolicy,
    /// Allowed group senders (inherited by groups without their own list).
    #[serde(deserialize_with = "string_list")]
    pub group_allow_from: Vec<String>,
    /// Group messages need an @-mention.
    pub require_mention: bool,
    /// Prefixes that trigger the bot without a mention.
    #[serde(deserialize_with = "string_list")]
    pub require_prefix: Vec<String>,
    /// Senders who need no mention.
    #[serde(deserialize_with = "string_list")]
    pub mention_bypass_users: Vec<String>,
    /// Who may approve pairings and stop any run.
    #[serde(deserialize_with = "string_list")]
    pub owners: Vec<String>,
    /// Tell denied DM senders their id (once an hour).
    pub denied_reply: bool,
    /// Pairing settings.
    pub pairing: PairingConfig,
}

impl Default for AccessConfig {
    fn default() -> Self {
        Self {
            dm_policy: DmPolicy::Open,
            allow_from: Vec::new(),
            group_policy: GroupPolicy::Open,
            group_allow_from: Vec::new(),
            require_mention: true,
            require_prefix: Vec::new(),
            mention_bypass_users: Vec::new(),
            owners: Vec::new(),
            denied_reply: true,
            pairing: PairingConfig::default(),
        }
    }
}

/// Per-group overrides (`[dingtalk.groups."<cid>"]`, `"*"` for every group).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GroupConfig {
    /// Whether the bot answers in this group.
    pub enabled: Option<bool>,
    /// Allowed senders; absent inherits `group_allow_from`, `[]` allows nobody.
    #[serde(deserialize_with = "opt_string_list")]
    pub allow_from: Option<Vec<String>>,
    /// Mention requirement.
    pub require_mention: Option<bool>,
    /// Trigger prefixes.
    #[serde(deserialize_with = "opt_string_list")]
    pub require_prefix: Option<Vec<String>>,
    /// A system prompt for this group's agent sessions.
    pub system_prompt: Option<String>,
    /// Reply mode in this group.
    pub reply_mode: Option<ReplyMode>,
}

/// Reply shaping.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReplyConfig {
    /// Reply mode.
    pub mode: ReplyMode,
    /// Reply mode in groups (`None` or `""`: same as `mode`).
    #[serde(deserialize_with = "opt_reply_mode")]
    pub group_mode: Option<ReplyMode>,
    /// Chunk size of markdown/text messages (3800).
    pub max_chars: usize,
    /// Table handling.
    pub table_mode: TableMode,
    /// Title length in graphemes (20).
    pub title_max_chars: usize,
    /// Title when none can be derived (empty: the bot name).
    pub default_title: String,
    /// Receipt acknowledgement.
    pub ack: AckMode,
    /// Text of the `text` acknowledgement.
    pub ack_text: String,
    /// Prepended to the first reply of a session.
    pub response_prefix: String,
    /// Show tool names as progress.
    pub show_tool_status: bool,
    /// Show a sanitized one-line summary of the latest tool results under the streamed card answer (never in the
    /// final answer).
    pub show_tool_result: bool,
    /// @-mention the asker in group replies (webhook only).
    pub at_sender_in_group: bool,
    /// Stop using a session webhook this long before it expires.
    pub webhook_margin_s: u64,
    /// Sent for an empty answer.
    pub empty_reply_text: String,
}

impl Default for ReplyConfig {
    fn default() -> Self {
        Self {
            mode: ReplyMode::Card,
            group_mode: None,
            max_chars: 3800,
            table_mode: TableMode::Normalize,
            title_max_chars: 20,
            default_title: String::new(),
            ack: AckMode::Auto,
            ack_text: "⏳ 处理中…".to_owned(),
            response_prefix: String::new(),
            show_tool_status: false,
            show_tool_result: false,
            at_sender_in_group: false,
            webhook_margin_s: 60,
            empty_reply_text: "（无回复内容）".to_owned(),
        }
    }
}

/// AI-card settings.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent switches of the card feature"
)]
pub struct CardSection {
    /// Template choice.
    pub template: CardTemplate,
    /// Custom template id.
    pub template_id: String,
    /// Custom stream key.
    pub content_key: String,
    /// Custom stop-button variable.
    pub stop_key: String,
    /// createAndDeliver in one call.
    pub one_call_create: bool,
    /// Frame spacing (≥ 100 ms).
    pub stream_interval_ms: u64,
    /// Spacing ceiling after throttling.
    pub max_interval_ms: u64,
    /// Gap after delivery.
    pub first_frame_gap_ms: u64,
    /// Card budget in characters.
    pub content_budget_chars: usize,
    /// Card budget in bytes.
    pub content_budget_bytes: usize,
    /// Overflow policy.
    pub overflow: CardOverflow,
    /// Continuation cards at most.
    pub max_continuations: u32,
    /// Renderer newline normalization.
    pub normalize_newlines: bool,
    /// `dynamicSummary` in deliver models.
    pub dynamic_summary: bool,
    /// `supportForward` in space models.
    pub support_forward: bool,
    /// Idle watchdog.
    pub watchdog_idle_s: u64,
    /// Absolute watchdog.
    pub watchdog_max_s: u64,
    /// Closing-call retries.
    pub finalize_retries: u32,
    /// Re-send the final `flowStatus` after 3 s.
    pub repair_resend: bool,
    /// Time to close live cards on shutdown.
    pub shutdown_grace_ms: u64,
    /// Card degrade after permission/template errors.
    pub degrade_ms: u64,
    /// Card degrade after throttling/transient errors.
    pub transient_degrade_ms: u64,
}

impl Default for CardSection {
    fn default() -> Self {
        Self {
            template: CardTemplate::Stock,
            template_id: String::new(),
            content_key: String::new(),
            stop_key: String::new(),
            one_call_create: true,
            stream_interval_ms: 300,
            max_interval_ms: 2000,
            first_frame_gap_ms: 500,
            content_budget_chars: 2500,
            content_budget_bytes: 12_288,
            overflow: CardOverflow::Continuation,
            max_continuations: 4,
            normalize_newlines: true,
            dynamic_summary: true,
            support_forward: true,
            watchdog_idle_s: 300,
            watchdog_max_s: 1800,
            finalize_retries: 5,
            repair_resend: false,
            shutdown_grace_ms: 5000,
            degrade_ms: 1_800_000,
            transient_degrade_ms: 120_000,
        }
    }
}

/// Per-conversation queueing.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueConfig {
    /// Depth per session, the running task included (8).
    pub max_depth: usize,
    /// Longest wait in the queue (900 s; 0: no limit): an older message is not run, and its queued card (or a
    /// text) says so.
    pub max_wait_s: u64,
    /// Tell queued users their position.
    pub queued_feedback: bool,
    /// Stop words (exact match after trim, case-insensitive).
    #[serde(deserialize_with = "string_list")]
    pub stop_words: Vec<String>,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            max_depth: 8,
            max_wait_s: 900,
            queued_feedback: true,
            stop_words: ["停止", "stop", "/stop", "esc"].map(str::to_owned).to_vec(),
        }
    }
}

/// Media handling.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MediaConfig {
    /// Download inbound media.
    pub inbound: bool,
    /// Inbound size cap.
    pub max_inbound_mb: u64,
    /// Download timeout.
    pub download_timeout_s: u64,
    /// Send `[DING:…]` tags.
    pub send_tags: bool,
    /// Directories media tags may point into (empty: the agent workdir and the outbox).
    pub allowed_roots: Vec<PathBuf>,
    /// Image cap.
    pub max_image_mb: u64,
    /// Voice cap.
    pub max_voice_mb: u64,
    /// Video cap.
    pub max_video_mb: u64,
    /// File cap.
    pub max_file_mb: u64,
    /// Hosts remote media URLs may come from.
    #[serde(deserialize_with = "string_list")]
    pub url_allowlist: Vec<String>,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            inbound: true,
            max_inbound_mb: 20,
            download_timeout_s: 15,
            send_tags: true,
            allowed_roots: Vec::new(),
            max_image_mb: 20,
            max_voice_mb: 2,
            max_video_mb: 20,
            max_file_mb: 20,
            url_allowlist: Vec::new(),
        }
    }
}

/// The agent.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentConfig {
    /// Which agent.
    pub kind: AgentKind,
    /// The `claude` binary.
    pub claude_bin: String,
    /// `kind = "command"`: argv template with `{prompt}` and `{session_id}`.
    pub command: Vec<String>,
    /// Output format.
    pub output: AgentOutput,
    /// Working directory (empty: the current directory at start).
    pub workdir: PathBuf,
    /// Run timeout.
    pub timeout_s: u64,
    /// Answer cap.
    pub max_reply_chars: usize,
    /// Concurrent agent processes per account.
    pub max_concurrent: usize,
    /// SIGTERM → SIGKILL grace.
    pub kill_grace_s: u64,
    /// Resume sessions with `--resume`.
    pub resume_sessions: bool,
    /// `--permission-mode`.
    pub permission_mode: String,
    /// `--allowedTools`.
    pub allowed_tools: Vec<String>,
    /// `--dangerously-skip-permissions` (guarded, see the docs).
    pub dangerously_skip_permissions: bool,
    /// Environment variables passed through.
    pub env_passthrough: Vec<String>,
    /// `--append-system-prompt`.
    pub system_prompt: String,
    /// `--model`.
    pub model: String,
}

impl Default for AgentConfig {
    fn default() -> Self {
        Self {
            kind: AgentKind::Claude,
            claude_bin: "claude".to_owned(),
            command: Vec::new(),
            output: AgentOutput::ClaudeStreamJson,
            workdir: PathBuf::new(),
            timeout_s: 300,
            max_reply_chars: 20_000,
            max_concurrent: 4,
            kill_grace_s: 5,
            resume_sessions: true,
            permission_mode: String::new(),
            allowed_tools: Vec::new(),
            dangerously_skip_permissions: false,
            env_passthrough: ["PATH", "HOME", "LANG"].map(str::to_owned).to_vec(),
            system_prompt: String::new(),
            model: String::new(),
        }
    }
}

/// Rate limit per app.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Calls per second.
    pub qps: u32,
    /// Burst.
    pub burst: u32,
    /// Floor after throttling.
    pub min_qps: u32,
    /// Pause after a throttling answer.
    pub throttle_pause_ms: u64,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            qps: 20,
            burst: 20,
            min_qps: 2,
            throttle_pause_ms: 2000,
        }
    }
}

/// Session settings.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    /// Group session scope.
    pub group_scope: GroupScope,
    /// Dedup window (≥ 600 s).
    pub dedup_ttl_s: u64,
    /// How long final texts are kept for quoted replies.
    pub journal_ttl_days: u64,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            group_scope: GroupScope::Group,
            dedup_ttl_s: 600,
            journal_ttl_days: 7,
        }
    }
}

/// dingtalk-bridge compatibility.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BridgeConfig {
    /// Write `{openConversationId, robotCode}` here for old scripts.
    pub conv_file: PathBuf,
}

/// Where the sandbox or DingTalk lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Environment {
    /// The embedded emulator.
    Sandbox,
    /// DingTalk.
    Live,
}

/// One account's complete configuration (top-level keys merged with the account's overrides).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountConfig {
    /// Sandbox or live.
    pub environment: Environment,
    /// Whether the account runs.
    pub enabled: bool,
    /// Display name (titles fall back to it).
    pub name: String,
    /// The AppKey.
    pub client_id: String,
    /// File holding the secret.
    pub client_secret_file: PathBuf,
    /// Name of an environment variable holding the secret.
    pub client_secret_env: String,
    /// The secret itself (accepted with a warning).
    #[serde(deserialize_with = "opt_secret")]
    pub client_secret: Option<SecretString>,
    /// Robot code (empty: the client id).
    pub robot_code: String,
    /// Organisation id.
    pub corp_id: String,
    /// Numeric app id.
    pub agent_id: String,
    /// Extra self filter.
    pub self_user_id: String,
    /// OpenAPI base.
    pub api_base: String,
    /// Legacy base.
    pub oapi_base: String,
    /// Path of the Stream ticket endpoint.
    pub open_path: String,
    /// Extra Stream topics.
    pub subscriptions: Vec<String>,
    /// State directory (journal, dedup, sessions, pairing, inbox, outbox).
    pub data_dir: PathBuf,
    /// Verbose logs.
    pub debug: bool,
    /// Rate limit.
    pub rate_limit: RateLimitConfig,
    /// Sessions.
    pub session: SessionConfig,
    /// Bridge compatibility.
    pub bridge: BridgeConfig,
    /// Connection.
    pub connection: ConnectionConfig,
    /// Access control.
    pub access: AccessConfig,
    /// Per-group settings.
    pub groups: BTreeMap<String, GroupConfig>,
    /// Replies.
    pub reply: ReplyConfig,
    /// Cards.
    pub card: CardSection,
    /// Queueing.
    pub queue: QueueConfig,
    /// Media.
    pub media: MediaConfig,
    /// The agent.
    pub agent: AgentConfig,
}

impl Default for AccountConfig {
    fn default() -> Self {
        Self {
            environment: Environment::Sandbox,
            enabled: true,
            name: "DingTalk Bot".to_owned(),
            client_id: String::new(),
            client_secret_file: PathBuf::new(),
            client_secret_env: String::new(),
            client_secret: None,
            robot_code: String::new(),
            corp_id: String::new(),
            agent_id: String::new(),
            self_user_id: String::new(),
            api_base: "https://api.dingtalk.com".to_owned(),
            oapi_base: "https://oapi.dingtalk.com".to_owned(),
            open_path: "/v1.0/gateway/connections/open".to_owned(),
            subscriptions: Vec::new(),
            data_dir: PathBuf::new(),
            debug: false,
            rate_limit: RateLimitConfig::default(),
            session: SessionConfig::default(),
            bridge: BridgeConfig::default(),
            connection: ConnectionConfig::default(),
            access: AccessConfig::default(),
            groups: BTreeMap::new(),
            reply: ReplyConfig::default(),
            card: CardSection::default(),
            queue: QueueConfig::default(),
            media: MediaConfig::default(),
            agent: AgentConfig::default(),
        }
    }
}

impl AccountConfig {
    /// The robot code (the client id unless set).
    pub fn robot_code(&self) -> &str {
        if self.robot_code.is_empty() {
            &self.client_id
        } else {
            &self.robot_code
        }
    }

    /// The group settings for `conversation_id`: its own table over `"*"`, or `None` when neither exists.
    pub fn group(&self, conversation_id: &str) -> Option<GroupConfig> {
        let star = self.groups.get("*");
        let own = self.groups.get(conversation_id);
        match (own, star) {
            (None, None) => None,
            (Some(own), None) => Some(own.clone()),
            (None, Some(star)) => Some(star.clone()),
            (Some(own), Some(star)) => Some(GroupConfig {
                enabled: own.enabled.or(star.enabled),
                allow_from: own.allow_from.clone().or_else(|| star.allow_from.clone()),
                require_mention: own.require_mention.or(star.require_mention),
                require_prefix: own.require_prefix.clone().or_else(|| star.require_prefix.clone()),
                system_prompt: own.system_prompt.clone().or_else(|| star.system_prompt.clone()),
                reply_mode: own.reply_mode.or(star.reply_mode),
            }),
        }
    }
}

/// The whole file: accounts by id, the default account, and warnings worth showing.
#[derive(Debug)]
pub struct BotConfig {
    /// Accounts by id (`default` when the file defines none).
    pub accounts: BTreeMap<String, AccountConfig>,
    /// The account used by CLI sends.
    pub default_account: String,
    /// Non-fatal findings (camelCase aliases, literal secrets, ignored keys).
    pub warnings: Vec<String>,
}

/// The seeds' camelCase spellings and the keys they stand for.
const ALIASES: &[(&str, &str)] = &[
    ("clientId", "client_id"),
    ("clientSecret", "client_secret"),
    ("clientSecretFile", "client_secret_file"),
    ("robotCode", "robot_code"),
    ("corpId", "corp_id"),
    ("agentId", "agent_id"),
    ("apiBase", "api_base"),
    ("openPath", "open_path"),
    ("subscriptionsJson", "subscriptions"),
    ("dmPolicy", "dm_policy"),
    ("groupPolicy", "group_policy"),
    ("allowFrom", "allow_from"),
    ("groupAllowFrom", "group_allow_from"),
    ("requireMention", "require_mention"),
    ("requirePrefix", "require_prefix"),
    ("mentionBypassUsers", "mention_bypass_users"),
    ("systemPrompt", "system_prompt"),
    ("replyMode", "reply_mode"),
    ("messageType", "mode"),
    ("maxChars", "max_chars"),
    ("tableMode", "table_mode"),
    ("responsePrefix", "response_prefix"),
    ("showToolStatus", "show_tool_status"),
    ("showToolResult", "show_tool_result"),
    ("cardTemplateId", "template_id"),
    ("cardTemplateKey", "content_key"),
    ("maxConnectionAttempts", "max_connection_attempts"),
    ("initialReconnectDelay", "initial_reconnect_delay_ms"),
    ("maxReconnectDelay", "max_reconnect_delay_ms"),
    ("reconnectJitter", "reconnect_jitter"),
    ("isolateContextPerUserInGroup", "group_scope"),
    ("app_key", "client_id"),
    ("app_secret", "client_secret"),
    ("claudeBin", "claude_bin"),
    ("maxReply", "max_reply_chars"),
];

/// Where a flat seed key lives in our layout (seed configs put everything at the top).
const SECTION_OF: &[(&str, &str)] = &[
    ("dm_policy", "access"),
    ("group_policy", "access"),
    ("allow_from", "access"),
    ("group_allow_from", "access"),
    ("require_mention", "access"),
    ("require_prefix", "access"),
    ("mention_bypass_users", "access"),
    ("mode", "reply"),
    ("max_chars", "reply"),
    ("table_mode", "reply"),
    ("response_prefix", "reply"),
    ("show_tool_status", "reply"),
    ("show_tool_result", "reply"),
    ("template_id", "card"),
    ("content_key", "card"),
    ("max_connection_attempts", "connection"),
    ("initial_reconnect_delay_ms", "connection"),
    ("max_reconnect_delay_ms", "connection"),
    ("reconnect_jitter", "connection"),
    ("group_scope", "session"),
    ("claude_bin", "agent"),
    ("max_reply_chars", "agent"),
    ("workdir", "agent"),
    ("keepalive", "connection"),
];

impl BotConfig {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::new(&file, "", format!("cannot read the file: {e}")))?;
        Self::parse(&text, &file)
    }

    /// Parses and checks config text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, ConfigError> {
        let mut root: Table = text
            .parse()
            .map_err(|e: toml::de::Error| ConfigError::new(file, "", e.to_string()))?;
        let mut warnings = Vec::new();
        if let Some(other) = root.keys().find(|k| k.as_str() != "dingtalk") {
            return Err(ConfigError::new(
                file,
                other.clone(),
                "unknown top-level table (expected [dingtalk])",
            ));
        }
        let mut section = match root.remove("dingtalk") {
            Some(Value::Table(table)) => table,
            Some(_) => return Err(ConfigError::new(file, "dingtalk", "must be a table")),
            None => Table::new(),
        };
        normalize(&mut section, "dingtalk", true, &mut warnings, file)?;
        let accounts_table = match section.remove("accounts") {
            Some(Value::Table(t)) => t,
            Some(_) => {
                return Err(ConfigError::new(
                    file,
                    "dingtalk.accounts",
                    "must be a table of accounts",
                ));
            }
            None => Table::new(),
        };
        let default_account = match section
            .remove("default_account")
            .or_else(|| section.remove("defaultAccount"))
        {
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                return Err(ConfigError::new(
                    file,
                    "dingtalk.default_account",
                    "must be a string",
                ));
            }
            None => None,
        };
        let mut accounts = BTreeMap::new();
        // The top-level section is itself the account "default" when it names an app, or when it is the only one.
        let top_has_app = section
            .get("client_id")
            .and_then(Value::as_str)
            .is_some_and(|id| !id.is_empty());
        let named_default = default_account.as_deref() == Some("default");
        if accounts_table.is_empty() || top_has_app || named_default {
            accounts.insert("default".to_owned(), build_account(&section, "dingtalk", file)?);
        }
        {
            for (id, value) in accounts_table {
                let Value::Table(own) = value else {
                    return Err(ConfigError::new(
                        file,
                        format!("dingtalk.accounts.{id}"),
                        "must be a table",
                    ));
                };
                let prefix = format!("dingtalk.accounts.{id}");
                let mut merged = section.clone();
                deep_merge(&mut merged, own);
                accounts.insert(id.clone(), build_account(&merged, &prefix, file)?);
            }
        }
        let default_account = match default_account {
            Some(name) => name,
            None if accounts.contains_key("default") => "default".to_owned(),
            None => accounts
                .keys()
                .next()
                .cloned()
                .unwrap_or_else(|| "default".to_owned()),
        };
        if !accounts.contains_key(&default_account) {
            return Err(ConfigError::new(
                file,
                "dingtalk.default_account",
                format!("no account named {default_account:?}"),
            ));
        }
        check_accounts(&accounts, file, &mut warnings)?;
        Ok(Self {
            accounts,
            default_account,
            warnings,
        })
    }

    /// The default account.
    pub fn default(&self) -> Option<&AccountConfig> {
        self.accounts.get(&self.default_account)
    }
}

/// Cross-account checks: one client id per account; literal secrets earn a warning.
fn check_accounts(
    accounts: &BTreeMap<String, AccountConfig>,
    file: &str,
    warnings: &mut Vec<String>,
) -> Result<(), ConfigError> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (id, account) in accounts {
        if account.client_secret.is_some() {
            warnings.push(format!(
                "{file}: account {id}: a literal client_secret is in the file; prefer client_secret_file or client_secret_env"
            ));
        }
        if !account.client_id.is_empty()
            && let Some(other) = seen.insert(&account.client_id, id)
        {
            return Err(ConfigError::new(
                file,
                format!("dingtalk.accounts.{id}.client_id"),
                format!("accounts {other} and {id} use the same client_id"),
            ));
        }
    }
    Ok(())
}

/// Renames camelCase aliases to our keys (warning once each), and moves flat seed keys into their section.
fn normalize(
    table: &mut Table,
    prefix: &str,
    account_level: bool,
    warnings: &mut Vec<String>,
    file: &str,
) -> Result<(), ConfigError> {
    let keys: Vec<String> = table.keys().cloned().collect();
    for key in keys {
        // Ids under groups and accounts are data, not keys.
        let is_data_table = matches!(key.as_str(), "groups" | "accounts");
        if let Some((_, ours)) = ALIASES.iter().find(|(alias, _)| *alias == key) {
            let value = table.remove(&key).unwrap_or(Value::Boolean(false));
            let value = match (*ours, value) {
                ("group_scope", Value::Boolean(per_user)) => {
                    Value::String(if per_user { "group_sender" } else { "group" }.to_owned())
                }
                ("subscriptions", Value::String(json)) => parse_json_list(&json).ok_or_else(|| {
                    ConfigError::new(file, format!("{prefix}.{key}"), "must be a JSON array of topics")
                })?,
                (_, value) => value,
            };
            warnings.push(format!("{file}: {prefix}.{key}: camelCase alias of `{ours}`"));
            if table.contains_key(*ours) {
                return Err(ConfigError::new(
                    file,
                    format!("{prefix}.{key}"),
                    format!("set together with `{ours}`"),
                ));
            }
            table.insert((*ours).to_owned(), value);
        } else if key == "thinking" {
            table.remove(&key);
            warnings.push(format!("{file}: {prefix}.thinking is agent-specific and ignored"));
        }
        if is_data_table {
            if let Some(Value::Table(inner)) = table.get_mut(&key) {
                for (id, value) in inner.iter_mut() {
                    if let Value::Table(entry) = value {
                        normalize(
                            entry,
                            &format!("{prefix}.{key}.{id}"),
                            key == "accounts",
                            warnings,
                            file,
                        )?;
                    }
                }
            }
        } else if let Some(Value::Table(inner)) = table.get_mut(&key) {
            normalize(inner, &format!("{prefix}.{key}"), false, warnings, file)?;
        }
    }
    // Flat seed keys at the account level move into their section.
    if account_level {
        for (key, section) in SECTION_OF {
            if let Some(value) = table.remove(*key) {
                let entry = table
                    .entry((*section).to_owned())
                    .or_insert_with(|| Value::Table(Table::new()));
                let Value::Table(target) = entry else {
                    return Err(ConfigError::new(
                        file,
                        format!("{prefix}.{section}"),
                        "must be a table",
                    ));
                };
                if target.contains_key(*key) {
                    return Err(ConfigError::new(
                        file,
                        format!("{prefix}.{key}"),
                        format!("also set in [{section}]"),
                    ));
                }
                let key = if *key == "keepalive" {
                    "keepalive_interval_s"
                } else {
                    key
                };
                target.insert(key.to_owned(), value);
            }
        }
    }
    Ok(())
}

fn parse_json_list(json: &str) -> Option<Value> {
    let list: Vec<serde_json::Value> = serde_json::from_str(json).ok()?;
    let topics = list
        .into_iter()
        .map(|item| match item {
            serde_json::Value::String(s) => Some(Value::String(s)),
            serde_json::Value::Object(map) => map
                .get("topic")
                .and_then(|t| t.as_str())
                .map(|t| Value::String(t.to_owned())),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Value::Array(topics))
}

fn deep_merge(base: &mut Table, over: Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(Value::Table(base_inner)), Value::Table(over_inner)) => deep_merge(base_inner, over_inner),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

fn build_account(table: &Table, prefix: &str, file: &str) -> Result<AccountConfig, ConfigError> {
    let value = Value::Table(table.clone());
    let account: AccountConfig = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let key = if path == "." {
            prefix.to_owned()
        } else {
            format!("{prefix}.{path}")
        };
        let reason = e.into_inner().to_string();
        ConfigError::new(file, key, reason.lines().next().unwrap_or_default())
    })?;
    validate(&account, prefix, file)?;
    Ok(account)
}

fn validate(a: &AccountConfig, prefix: &str, file: &str) -> Result<(), ConfigError> {
    let err = |key: &str, reason: &str| Err(ConfigError::new(file, format!("{prefix}.{key}"), reason));
    if a.access.dm_policy == DmPolicy::Allowlist && a.access.allow_from.is_empty() {
        return err(
            "access.allow_from",
            "dm_policy = \"allowlist\" needs at least one entry",
        );
    }
    if !(0.0..=1.0).contains(&a.connection.reconnect_jitter) {
        return err("connection.reconnect_jitter", "must be between 0 and 1");
    }
    if a.connection.initial_reconnect_delay_ms == 0
        || a.connection.max_reconnect_delay_ms < a.connection.initial_reconnect_delay_ms
    {
        return err(
            "connection.max_reconnect_delay_ms",
            "must be ≥ initial_reconnect_delay_ms > 0",
        );
    }
    if a.card.stream_interval_ms < 100 {
        return err("card.stream_interval_ms", "must be at least 100");
    }
    match a.card.template {
        CardTemplate::Custom if a.card.template_id.is_empty() || a.card.content_key.is_empty() => {
            return err(
                "card.template_id",
                "template = \"custom\" needs template_id and content_key",
            );
        }
        CardTemplate::Stock | CardTemplate::Public
            if !a.card.content_key.is_empty() && a.card.template_id.is_empty() =>
        {
            return err(
                "card.content_key",
                "a content key without its template id (set template = \"custom\" and template_id)",
            );
        }
        _ => {}
    }
    if a.session.dedup_ttl_s < 600 {
        return err(
            "session.dedup_ttl_s",
            "must be at least 600 (DingTalk redelivers for minutes)",
        );
    }
    if a.reply.max_chars < 200 {
        return err("reply.max_chars", "must be at least 200");
    }
    if a.queue.max_depth == 0 || a.agent.max_concurrent == 0 {
        return err(
            "queue.max_depth",
            "queue depth and agent.max_concurrent must be at least 1",
        );
    }
    if a.agent.kind == AgentKind::Command && a.agent.command.is_empty() {
        return err("agent.command", "kind = \"command\" needs an argv template");
    }
    if a.agent.dangerously_skip_permissions {
        let guarded = a.access.dm_policy != DmPolicy::Open
            && a.access.group_policy != GroupPolicy::Open
            && (!a.access.allow_from.is_empty() || !a.access.group_allow_from.is_empty())
            && !a
                .access
                .allow_from
                .iter()
                .chain(&a.access.group_allow_from)
                .any(|e| e.trim() == "*");
        if !guarded {
            return err(
                "agent.dangerously_skip_permissions",
                "refused: needs dm_policy and group_policy other than \"open\" and an explicit allowlist without \"*\"",
            );
        }
    }
    Ok(())
}

/// A list of strings where numbers are accepted as strings (ids in configs are often written bare), and a single
/// string stands for a one-element list.
fn string_list<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Item {
        S(String),
        I(i64),
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Item),
        Many(Vec<Item>),
    }
    let items = match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(item) => vec![item],
        OneOrMany::Many(items) => items,
    };
    Ok(items
        .into_iter()
        .map(|item| match item {
            Item::S(s) => s,
            Item::I(i) => i.to_string(),
        })
        .collect())
}

fn opt_string_list<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<String>>, D::Error> {
    string_list(deserializer).map(Some)
}

fn opt_reply_mode<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<ReplyMode>, D::Error> {
    let text = String::deserialize(deserializer)?;
    if text.is_empty() {
        return Ok(None);
    }
    ReplyMode::deserialize(serde::de::value::StrDeserializer::<D::Error>::new(&text)).map(Some)
}

fn opt_secret<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<SecretString>, D::Error> {
    let text = String::deserialize(deserializer)?;
    Ok((!text.is_empty()).then(|| SecretString::from(text)))
}
