//! The bot configuration: the reference file, seed aliases, accounts, and errors naming file, key and reason.

use dingtalk_bot::config::{AgentKind, DmPolicy, GroupPolicy, GroupScope, ReplyMode, TableMode};
use dingtalk_bot::{BotConfig, ConfigError};

fn parse(text: &str) -> Result<BotConfig, ConfigError> {
    BotConfig::parse(text, "bot.toml")
}

fn error(text: &str) -> ConfigError {
    match parse(text) {
        Ok(_) => panic!("the config should be rejected:\n{text}"),
        Err(e) => e,
    }
}

#[test]
fn the_reference_file_with_every_key_parses() {
    let text = include_str!("fixtures/reference.toml");
    let config = parse(text).unwrap();
    assert_eq!(
        config.accounts.len(),
        2,
        "the top level (default) and one extra account"
    );
    assert_eq!(config.default_account, "default");
    let support = &config.accounts["support"];
    // Inherited from [dingtalk] and its tables:
    assert_eq!(support.reply.max_chars, 3800);
    assert_eq!(support.queue.stop_words, ["停止", "stop", "/stop", "esc"]);
    assert!((support.connection.reconnect_jitter - 0.3).abs() < 1e-9);
    assert_eq!(support.access.pairing.code_length, 8);
    // Overridden by the account:
    assert_eq!(support.name, "Support Bot");
    assert_eq!(support.client_id, "dingyyy");
    assert_eq!(support.client_secret_env, "SUPPORT_DINGTALK_SECRET");
    assert!(support.groups.contains_key("*"));
}

#[test]
fn defaults_without_accounts() {
    let config = parse("[dingtalk]\nclient_id = \"dingabc\"\n").unwrap();
    let account = config.default().unwrap();
    assert_eq!(config.default_account, "default");
    assert_eq!(account.robot_code(), "dingabc");
    assert_eq!(account.access.dm_policy, DmPolicy::Open);
    assert_eq!(account.reply.mode, ReplyMode::Card);
    assert_eq!(account.agent.kind, AgentKind::Claude);
    assert_eq!(account.card.stream_interval_ms, 300);
    assert!(account.access.require_mention);
}

#[test]
fn seed_camel_case_keys_are_accepted_with_warnings() {
    let text = r#"
[dingtalk]
clientId = "dingabc"
clientSecretFile = "/run/secret"
dmPolicy = "pairing"
groupPolicy = "allowlist"
allowFrom = ["dingtalk:manager9140", 1234]
requirePrefix = "/ask"
maxChars = 1800
tableMode = "code"
messageType = "markdown"
isolateContextPerUserInGroup = true
maxConnectionAttempts = 5
reconnectJitter = 0.2
subscriptionsJson = '[{"type":"CALLBACK","topic":"/v1.0/graph/api/invoke"}]'
thinking = "high"
"#;
    let config = parse(text).unwrap();
    let a = config.default().unwrap();
    assert_eq!(a.client_id, "dingabc");
    assert_eq!(a.access.dm_policy, DmPolicy::Pairing);
    assert_eq!(a.access.group_policy, GroupPolicy::Allowlist);
    assert_eq!(a.access.allow_from, ["dingtalk:manager9140", "1234"]);
    assert_eq!(a.access.require_prefix, ["/ask"]);
    assert_eq!(a.reply.max_chars, 1800);
    assert_eq!(a.reply.table_mode, TableMode::Code);
    assert_eq!(a.reply.mode, ReplyMode::Markdown);
    assert_eq!(a.session.group_scope, GroupScope::GroupSender);
    assert_eq!(a.connection.max_connection_attempts, 5);
    assert_eq!(a.subscriptions, ["/v1.0/graph/api/invoke"]);
    assert!(
        config
            .warnings
            .iter()
            .any(|w| w.contains("dmPolicy") && w.contains("dm_policy"))
    );
    assert!(config.warnings.iter().any(|w| w.contains("thinking")));
}

#[test]
fn unknown_keys_are_reported_with_file_key_and_reason() {
    let e = error("[dingtalk.access]\ndm_polcy = \"open\"\n");
    assert_eq!(e.file(), "bot.toml");
    assert_eq!(e.key(), "dingtalk.access.dm_polcy");
    assert!(e.reason().contains("unknown field"), "{e}");
    let e = error("[dingtalk]\nclient_id = \"a\"\n[dingtalk.card]\nstreamm = 1\n");
    assert!(
        e.key().starts_with("dingtalk.card") && e.reason().contains("streamm"),
        "{e}"
    );
    let e = error("[other]\nx = 1\n");
    assert_eq!(e.key(), "other");
}

#[test]
fn bad_values_are_reported_with_their_key() {
    let e = error("[dingtalk.access]\ndm_policy = \"sometimes\"\n");
    assert_eq!(e.key(), "dingtalk.access.dm_policy");
    assert!(e.reason().contains("sometimes"), "{e}");
    let e = error("[dingtalk.reply]\nmax_chars = \"many\"\n");
    assert_eq!(e.key(), "dingtalk.reply.max_chars");
    let e = error("[dingtalk.access]\ndm_policy = \"allowlist\"\n");
    assert_eq!(e.key(), "dingtalk.access.allow_from");
    let e = error("[dingtalk.connection]\nreconnect_jitter = 1.5\n");
    assert_eq!(e.key(), "dingtalk.connection.reconnect_jitter");
    let e = error("[dingtalk.card]\nstream_interval_ms = 50\n");
    assert_eq!(e.key(), "dingtalk.card.stream_interval_ms");
    let e = error("[dingtalk.card]\ncontent_key = \"content\"\n");
    assert_eq!(e.key(), "dingtalk.card.content_key");
    let e = error("[dingtalk.card]\ntemplate = \"custom\"\n");
    assert_eq!(e.key(), "dingtalk.card.template_id");
    let e = error("[dingtalk.session]\ndedup_ttl_s = 60\n");
    assert_eq!(e.key(), "dingtalk.session.dedup_ttl_s");
    let e = error("this is not toml");
    assert_eq!(e.key(), "");
    assert!(e.to_string().starts_with("bot.toml: "));
}

#[test]
fn accounts_inherit_and_override() {
    let text = r#"
[dingtalk]
name = "Base"
default_account = "main"
[dingtalk.reply]
max_chars = 2000
[dingtalk.access]
dm_policy = "pairing"
[dingtalk.accounts.main]
client_id = "dingmain"
[dingtalk.accounts.main.reply]
mode = "text"
[dingtalk.accounts.ops]
clientId = "dingops"
name = "Ops"
"#;
    let config = parse(text).unwrap();
    let main = &config.accounts["main"];
    assert_eq!(main.reply.mode, ReplyMode::Text);
    assert_eq!(main.reply.max_chars, 2000);
    assert_eq!(main.access.dm_policy, DmPolicy::Pairing);
    assert_eq!(main.name, "Base");
    let ops = &config.accounts["ops"];
    assert_eq!(ops.name, "Ops");
    assert_eq!(ops.client_id, "dingops");
    assert_eq!(ops.reply.mode, ReplyMode::Card);
    assert_eq!(config.default().unwrap().client_id, "dingmain");
}

#[test]
fn two_accounts_with_one_client_id_are_an_error() {
    let e = error("[dingtalk.accounts.a]\nclient_id = \"x\"\n[dingtalk.accounts.b]\nclient_id = \"x\"\n");
    assert!(
        e.key().ends_with("client_id") && e.reason().contains("same client_id"),
        "{e}"
    );
    let e = error("[dingtalk]\ndefault_account = \"nope\"\n");
    assert_eq!(e.key(), "dingtalk.default_account");
}

#[test]
fn group_tables_layer_over_star() {
    let text = r#"
[dingtalk.groups."*"]
require_mention = true
system_prompt = "be brief"
[dingtalk.groups."cidAbc=="]
allow_from = []
requireMention = false
"#;
    let config = parse(text).unwrap();
    let a = config.default().unwrap();
    let g = a.group("cidAbc==").unwrap();
    assert_eq!(g.require_mention, Some(false));
    assert_eq!(g.allow_from, Some(Vec::new()));
    assert_eq!(g.system_prompt.as_deref(), Some("be brief"));
    let other = a.group("cidOther").unwrap();
    assert_eq!(other.require_mention, Some(true));
    assert!(
        parse("[dingtalk]\n")
            .unwrap()
            .default()
            .unwrap()
            .group("cid")
            .is_none()
    );
}

#[test]
fn skipping_permissions_needs_locked_down_access() {
    let open = "[dingtalk.agent]\ndangerously_skip_permissions = true\n";
    assert_eq!(error(open).key(), "dingtalk.agent.dangerously_skip_permissions");
    let star = r#"
[dingtalk.access]
dm_policy = "allowlist"
group_policy = "allowlist"
allow_from = ["*"]
[dingtalk.agent]
dangerously_skip_permissions = true
"#;
    assert_eq!(error(star).key(), "dingtalk.agent.dangerously_skip_permissions");
    let locked = r#"
[dingtalk.access]
dm_policy = "allowlist"
group_policy = "disabled"
allow_from = ["manager1"]
[dingtalk.agent]
dangerously_skip_permissions = true
"#;
    assert!(
        parse(locked)
            .unwrap()
            .default()
            .unwrap()
            .agent
            .dangerously_skip_permissions
    );
}

#[test]
fn literal_secrets_warn_and_never_show_in_debug() {
    let config = parse("[dingtalk]\nclient_id = \"a\"\nclient_secret = \"CANARY-SECRET\"\n").unwrap();
    assert!(
        config
            .warnings
            .iter()
            .any(|w| w.contains("literal client_secret"))
    );
    let shown = format!("{config:?}");
    assert!(!shown.contains("CANARY-SECRET"), "{shown}");
}
