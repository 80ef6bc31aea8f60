//! Who may talk to the bot, and when a group message is meant for it (BOT-30..35).
//!
//! Checks run in this order: self filter → conversation policy → sender allowlist → trigger (mention/prefix).
//! Dedup, stop words and queueing happen around these checks in the dispatcher.

use crate::config::{AccountConfig, DmPolicy, GroupPolicy};

/// The sender of an inbound message, as the checks need it.
#[derive(Clone, Copy, Debug)]
pub struct Sender<'a> {
    /// `senderStaffId` (the org user id), when present.
    pub staff_id: Option<&'a str>,
    /// `senderId` (encrypted).
    pub sender_id: &'a str,
}

/// What to do with a direct message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DmDecision {
    /// Process it.
    Accept,
    /// Not allowed; tell the sender their id (rate-limited by the caller) when `reply` is set.
    Deny {
        /// Whether to answer with the sender's id.
        reply: bool,
    },
    /// Unknown sender under `pairing`: run the pairing flow.
    Pair,
}

/// What to do with a group message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GroupDecision {
    /// Process it with this text (mentions and a matched prefix removed).
    Accept {
        /// The prompt text.
        text: String,
    },
    /// Drop it silently (counted by the caller).
    Drop(DropReason),
}

/// Why a group message was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DropReason {
    /// `group_policy = "disabled"`, or the group's `enabled = false`.
    GroupsDisabled,
    /// `group_policy = "allowlist"` and the group has no table.
    GroupNotAllowed,
    /// The sender is not in the group's allowlist.
    SenderNotAllowed,
    /// No @-mention and no prefix.
    NotTriggered,
}

/// Strips `dingtalk:`, `dd:` and `ding:` prefixes, trims and lowercases an allowlist entry.
pub fn normalize_entry(entry: &str) -> String {
    let trimmed = entry.trim();
    let lower = trimmed.to_lowercase();
    for prefix in ["dingtalk:", "dd:", "ding:"] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            return rest.trim().to_owned();
        }
    }
    lower
}

/// Whether `sender` matches an allowlist (`*` matches everyone; staff id or sender id, case-insensitively).
pub fn allowed<'a>(list: impl IntoIterator<Item = &'a String>, sender: Sender<'_>) -> bool {
    let staff = sender.staff_id.map(str::to_lowercase);
    let sender_id = sender.sender_id.to_lowercase();
    list.into_iter().map(|e| normalize_entry(e)).any(|entry| {
        entry == "*" || Some(&entry) == staff.as_ref() || (!sender_id.is_empty() && entry == sender_id)
    })
}

/// Whether a message comes from the bot itself (`chatbotUserId`, or the configured `self_user_id`).
pub fn is_self(account: &AccountConfig, sender: Sender<'_>, chatbot_user_id: &str) -> bool {
    (!chatbot_user_id.is_empty() && sender.sender_id == chatbot_user_id)
        || (!account.self_user_id.is_empty()
            && (sender.staff_id == Some(account.self_user_id.as_str())
                || sender.sender_id == account.self_user_id))
}

/// Decides on a direct message. `approved` are the pairings owners approved for this account.
pub fn check_dm(account: &AccountConfig, sender: Sender<'_>, approved: &[String]) -> DmDecision {
    let access = &account.access;
    let listed = allowed(access.allow_from.iter().chain(approved), sender) || allowed(&access.owners, sender);
    match access.dm_policy {
        DmPolicy::Open => DmDecision::Accept,
        DmPolicy::Allowlist | DmPolicy::Pairing if listed => DmDecision::Accept,
        DmPolicy::Allowlist => DmDecision::Deny {
            reply: access.denied_reply,
        },
        DmPolicy::Pairing => DmDecision::Pair,
    }
}

/// Decides on a group message: policy, per-group allowlist, then the mention/prefix trigger.
pub fn check_group(
    account: &AccountConfig,
    conversation_id: &str,
    sender: Sender<'_>,
    is_in_at_list: bool,
    text: &str,
) -> GroupDecision {
    let access = &account.access;
    let group = account.group(conversation_id);
    match access.group_policy {
        GroupPolicy::Disabled => return GroupDecision::Drop(DropReason::GroupsDisabled),
        GroupPolicy::Allowlist if group.is_none() => return GroupDecision::Drop(DropReason::GroupNotAllowed),
        GroupPolicy::Open | GroupPolicy::Allowlist => {}
    }
    let group = group.unwrap_or_default();
    if group.enabled == Some(false) {
        return GroupDecision::Drop(DropReason::GroupsDisabled);
    }
    let allow_from = group.allow_from.as_ref().unwrap_or(&access.group_allow_from);
    // An explicit empty list allows nobody; an inherited empty list allows everyone.
    let restricted = group.allow_from.is_some() || !allow_from.is_empty();
    if restricted && !allowed(allow_from, sender) && !allowed(&access.owners, sender) {
        return GroupDecision::Drop(DropReason::SenderNotAllowed);
    }
    let text = strip_mentions(text);
    let prefixes = group.require_prefix.as_ref().unwrap_or(&access.require_prefix);
    if let Some(rest) = strip_prefix_ci(&text, prefixes) {
        return GroupDecision::Accept { text: rest };
    }
    let require_mention = group.require_mention.unwrap_or(access.require_mention);
    let bypass = allowed(&access.mention_bypass_users, sender);
    if !require_mention || is_in_at_list || bypass {
        GroupDecision::Accept { text }
    } else {
        GroupDecision::Drop(DropReason::NotTriggered)
    }
}

/// Removes the leading space DingTalk leaves where the @mention was, and leading `@name` tokens.
pub fn strip_mentions(text: &str) -> String {
    let mut rest = text.trim_start();
    while let Some(after) = rest.strip_prefix('@') {
        rest = after
            .split_once(char::is_whitespace)
            .map_or("", |(_, tail)| tail)
            .trim_start();
    }
    rest.trim().to_owned()
}

fn strip_prefix_ci(text: &str, prefixes: &[String]) -> Option<String> {
    let lower = text.to_lowercase();
    prefixes
        .iter()
        .filter(|p| !p.trim().is_empty())
        .find_map(|prefix| {
            let p = prefix.trim().to_lowercase();
            lower
                .starts_with(&p)
                .then(|| text.get(p.len()..).unwrap_or("").trim().to_owned())
        })
}

/// Whether `text` is a stop word (exact match after trim, case-insensitive).
pub fn is_stop_word(text: &str, stop_words: &[String]) -> bool {
    let t = text.trim().to_lowercase();
    stop_words.iter().any(|w| w.trim().to_lowercase() == t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BotConfig;

    fn account(toml: &str) -> AccountConfig {
        BotConfig::parse(toml, "t.toml")
            .unwrap()
            .default()
            .unwrap()
            .clone()
    }

    fn s(staff: &str) -> Sender<'_> {
        Sender {
            staff_id: Some(staff),
            sender_id: "$:LWCP_v1:$abc",
        }
    }

    #[test]
    fn entries_and_matching() {
        assert_eq!(normalize_entry(" DingTalk:Manager9140 "), "manager9140");
        assert_eq!(normalize_entry("dd:x"), "x");
        assert!(allowed(&["ding:MANAGER9140".to_owned()], s("manager9140")));
        assert!(allowed(&["*".to_owned()], s("anyone")));
        assert!(!allowed(&["other".to_owned()], s("manager9140")));
        assert!(allowed(
            &["$:lwcp_v1:$abc".to_owned()],
            Sender {
                staff_id: None,
                sender_id: "$:LWCP_v1:$abc"
            }
        ));
    }

    #[test]
    fn dm_policies() {
        let open = account("[dingtalk]\n");
        assert_eq!(check_dm(&open, s("u"), &[]), DmDecision::Accept);
        let list = account(
            "[dingtalk.access]\ndm_policy = \"allowlist\"\nallow_from = [\"u1\"]\nowners = [\"boss\"]\n",
        );
        assert_eq!(check_dm(&list, s("u1"), &[]), DmDecision::Accept);
        assert_eq!(check_dm(&list, s("boss"), &[]), DmDecision::Accept);
        assert_eq!(check_dm(&list, s("u2"), &[]), DmDecision::Deny { reply: true });
        let pairing = account("[dingtalk.access]\ndm_policy = \"pairing\"\n");
        assert_eq!(check_dm(&pairing, s("u2"), &[]), DmDecision::Pair);
        assert_eq!(
            check_dm(&pairing, s("u2"), &["u2".to_owned()]),
            DmDecision::Accept
        );
    }

    #[test]
    fn group_policies_and_triggers() {
        let open = account("[dingtalk]\n");
        assert_eq!(
            check_group(&open, "cid", s("u"), true, " hi"),
            GroupDecision::Accept { text: "hi".into() }
        );
        assert_eq!(
            check_group(&open, "cid", s("u"), false, "hi"),
            GroupDecision::Drop(DropReason::NotTriggered)
        );
        let disabled = account("[dingtalk.access]\ngroup_policy = \"disabled\"\n");
        assert_eq!(
            check_group(&disabled, "cid", s("u"), true, "hi"),
            GroupDecision::Drop(DropReason::GroupsDisabled)
        );
        let list = account(
            "[dingtalk.access]\ngroup_policy = \"allowlist\"\n[dingtalk.groups.\"cidA\"]\nallow_from = [\"u1\"]\n",
        );
        assert_eq!(
            check_group(&list, "cidB", s("u1"), true, "hi"),
            GroupDecision::Drop(DropReason::GroupNotAllowed)
        );
        assert_eq!(
            check_group(&list, "cidA", s("u2"), true, "hi"),
            GroupDecision::Drop(DropReason::SenderNotAllowed)
        );
        assert_eq!(
            check_group(&list, "cidA", s("u1"), true, "hi"),
            GroupDecision::Accept { text: "hi".into() }
        );
        let nobody = account("[dingtalk.groups.\"cidA\"]\nallow_from = []\n");
        assert_eq!(
            check_group(&nobody, "cidA", s("u1"), true, "hi"),
            GroupDecision::Drop(DropReason::SenderNotAllowed)
        );
        let prefixed =
            account("[dingtalk.access]\nrequire_prefix = [\"/ask\"]\nmention_bypass_users = [\"vip\"]\n");
        assert_eq!(
            check_group(&prefixed, "c", s("u"), false, "/ASK what?"),
            GroupDecision::Accept { text: "what?".into() }
        );
        assert_eq!(
            check_group(&prefixed, "c", s("vip"), false, "yo"),
            GroupDecision::Accept { text: "yo".into() }
        );
        let no_mention = account("[dingtalk.groups.\"*\"]\nrequire_mention = false\n");
        assert_eq!(
            check_group(&no_mention, "c", s("u"), false, "yo"),
            GroupDecision::Accept { text: "yo".into() }
        );
    }

    #[test]
    fn mentions_self_and_stop_words() {
        assert_eq!(strip_mentions(" @Bot @Alice  deploy now"), "deploy now");
        assert_eq!(strip_mentions("@Bot"), "");
        let a = account("[dingtalk]\nself_user_id = \"botuser\"\n");
        assert!(is_self(
            &a,
            Sender {
                staff_id: None,
                sender_id: "$bot"
            },
            "$bot"
        ));
        assert!(is_self(&a, s("botuser"), "$other"));
        assert!(!is_self(&a, s("human"), "$bot"));
        let words = ["停止".to_owned(), "stop".to_owned(), "/stop".to_owned()];
        assert!(is_stop_word(" STOP ", &words));
        assert!(is_stop_word("停止", &words));
        assert!(!is_stop_word("stop it", &words));
    }
}
