//! Conversations the bot has seen (BOT-67): every accepted message upserts its conversation, so `send` can target
//! "the most recent group" or a conversation by id, and old dingtalk-bridge scripts can keep reading `conv.json`.

use std::path::PathBuf;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// One known conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationEntry {
    /// The account that saw it.
    pub account: String,
    /// `conversationId` (for groups, the `openConversationId`).
    pub conversation_id: String,
    /// A group (true) or a direct chat.
    pub group: bool,
    /// The group's title.
    pub title: String,
    /// The robot that received it.
    pub robot_code: String,
    /// The last sender's staff id (the DM partner for direct chats).
    pub last_sender_staff_id: String,
    /// When it was last seen (epoch ms).
    pub last_seen_ms: u64,
}

/// Storage of known conversations, per account. A trait so replicas can share one (Redis later); [`Registry`]
/// (in memory, or a JSON file) ships here.
pub trait ConversationStore: Send + Sync {
    /// Inserts or refreshes a conversation.
    fn upsert(&self, entry: &ConversationEntry);
    /// Every conversation of `account`, most recent first.
    fn list(&self, account: &str) -> Vec<ConversationEntry>;
    /// The most recently active group of `account`.
    fn latest_group(&self, account: &str) -> Option<ConversationEntry> {
        self.list(account).into_iter().find(|e| e.group)
    }
}

impl ConversationStore for Registry {
    fn upsert(&self, entry: &ConversationEntry) {
        Registry::upsert(self, entry);
    }
    fn list(&self, account: &str) -> Vec<ConversationEntry> {
        Registry::list(self, account)
    }
    fn latest_group(&self, account: &str) -> Option<ConversationEntry> {
        Registry::latest_group(self, account)
    }
}

/// The registry, optionally persisted as JSON (and mirrored to a bridge `conv.json`).
#[derive(Debug, Default)]
pub struct Registry {
    path: Option<PathBuf>,
    bridge_file: Option<PathBuf>,
    entries: Mutex<Vec<ConversationEntry>>,
}

impl Registry {
    /// An in-memory registry.
    pub fn in_memory() -> Self {
        Self::default()
    }

    /// A registry persisted at `path` (loaded if it exists; a damaged file starts empty and is replaced on the next
    /// write), optionally mirroring the latest group to `bridge_file` as `{openConversationId, robotCode}`.
    pub fn open(path: PathBuf, bridge_file: Option<PathBuf>) -> Self {
        let entries = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Vec<ConversationEntry>>(&bytes).ok())
            .unwrap_or_default();
        Self {
            path: Some(path),
            bridge_file,
            entries: Mutex::new(entries),
        }
    }

    /// Inserts or refreshes a conversation.
    pub fn upsert(&self, entry: &ConversationEntry) {
        let snapshot = {
            let mut entries = self.lock();
            entries.retain(|e| !(e.account == entry.account && e.conversation_id == entry.conversation_id));
            entries.push(entry.clone());
            entries.clone()
        };
        if let Some(path) = &self.path {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            if let Ok(bytes) = serde_json::to_vec_pretty(&snapshot) {
                let tmp = path.with_extension("tmp");
                if std::fs::write(&tmp, bytes)
                    .and_then(|()| std::fs::rename(&tmp, path))
                    .is_err()
                {
                    tracing::warn!(path = %path.display(), "could not save the conversation registry");
                }
            }
        }
        if let (Some(file), true) = (&self.bridge_file, entry.group) {
            let body = serde_json::json!({"openConversationId": entry.conversation_id, "robotCode": entry.robot_code});
            let _ = std::fs::write(file, body.to_string());
        }
    }

    /// Every conversation of `account`, most recent first.
    pub fn list(&self, account: &str) -> Vec<ConversationEntry> {
        let mut list: Vec<ConversationEntry> = self
            .lock()
            .iter()
            .filter(|e| e.account == account)
            .cloned()
            .collect();
        list.sort_by_key(|e| std::cmp::Reverse(e.last_seen_ms));
        list
    }

    /// The most recently active group of `account`.
    pub fn latest_group(&self, account: &str) -> Option<ConversationEntry> {
        self.list(account).into_iter().find(|e| e.group)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<ConversationEntry>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, group: bool, at: u64) -> ConversationEntry {
        ConversationEntry {
            account: "a".into(),
            conversation_id: id.into(),
            group,
            title: String::new(),
            robot_code: "r".into(),
            last_sender_staff_id: "u".into(),
            last_seen_ms: at,
        }
    }

    #[test]
    fn latest_group_and_persistence() {
        let dir = std::env::temp_dir().join(format!("bot-registry-{}", std::process::id()));
        let path = dir.join("conversations.json");
        let bridge = dir.join("conv.json");
        let _ = std::fs::remove_dir_all(&dir);
        let registry = Registry::open(path.clone(), Some(bridge.clone()));
        registry.upsert(&entry("cidA", true, 1));
        registry.upsert(&entry("dm1", false, 3));
        registry.upsert(&entry("cidB", true, 2));
        assert_eq!(registry.latest_group("a").unwrap().conversation_id, "cidB");
        registry.upsert(&entry("cidA", true, 4));
        assert_eq!(registry.latest_group("a").unwrap().conversation_id, "cidA");
        let reopened = Registry::open(path, None);
        assert_eq!(reopened.list("a").len(), 3);
        assert!(std::fs::read_to_string(&bridge).unwrap().contains("cidA"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
