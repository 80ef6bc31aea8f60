//! Agent session ids per session key (BOT-45), so `--resume` survives a restart and `/new` forgets.
//!
//! A trait so replicas can share one (Redis later); [`MemoryAgentSessions`] and [`FileAgentSessions`] (a JSON
//! file in `data_dir`) ship here.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

/// Storage of the agent's session id per session key (`<account>:dm:<user>`, `<account>:group:<cid>`, …).
pub trait AgentSessions: Send + Sync {
    /// The session to resume for `key`.
    fn get(&self, key: &str) -> Option<String>;
    /// Sets (or with `None` forgets) the session of `key`.
    fn set(&self, key: &str, session: Option<&str>);
}

/// Agent sessions in memory.
#[derive(Debug, Default)]
pub struct MemoryAgentSessions {
    map: Mutex<BTreeMap<String, String>>,
}

impl MemoryAgentSessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl AgentSessions for MemoryAgentSessions {
    fn get(&self, key: &str) -> Option<String> {
        self.lock().get(key).cloned()
    }

    fn set(&self, key: &str, session: Option<&str>) {
        let mut map = self.lock();
        match session {
            Some(id) => map.insert(key.to_owned(), id.to_owned()),
            None => map.remove(key),
        };
    }
}

/// Agent sessions in a JSON file (`{"<key>": "<session id>"}`), rewritten atomically on every change; a damaged
/// file starts empty and is replaced on the next write.
#[derive(Debug)]
pub struct FileAgentSessions {
    path: PathBuf,
    memory: MemoryAgentSessions,
}

impl FileAgentSessions {
    /// Opens (loading if it exists) the file at `path`.
    pub fn open(path: PathBuf) -> Self {
        let map: BTreeMap<String, String> = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        Self {
            path,
            memory: MemoryAgentSessions { map: Mutex::new(map) },
        }
    }

    fn save(&self, map: &BTreeMap<String, String>) {
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let Ok(bytes) = serde_json::to_vec_pretty(map) else {
            return;
        };
        let tmp = self.path.with_extension("tmp");
        if std::fs::write(&tmp, bytes)
            .and_then(|()| std::fs::rename(&tmp, &self.path))
            .is_err()
        {
            tracing::warn!(path = %self.path.display(), "could not save the agent sessions");
        }
    }
}

impl AgentSessions for FileAgentSessions {
    fn get(&self, key: &str) -> Option<String> {
        self.memory.get(key)
    }

    fn set(&self, key: &str, session: Option<&str>) {
        let mut map = self.memory.lock();
        let changed = match session {
            Some(id) => map.insert(key.to_owned(), id.to_owned()).as_deref() != Some(id),
            None => map.remove(key).is_some(),
        };
        if changed {
            self.save(&map);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_kept_forgotten_and_persisted() {
        let dir = std::env::temp_dir().join(format!("bot-sessions-{}", std::process::id()));
        let path = dir.join("sessions.json");
        let _ = std::fs::remove_dir_all(&dir);
        let file = FileAgentSessions::open(path.clone());
        let memory = MemoryAgentSessions::default();
        for store in [&file as &dyn AgentSessions, &memory] {
            assert_eq!(store.get("a:dm:u"), None);
            store.set("a:dm:u", Some("s1"));
            store.set("a:group:g", Some("s2"));
            store.set("a:group:g", None);
            assert_eq!(store.get("a:dm:u").as_deref(), Some("s1"));
            assert_eq!(store.get("a:group:g"), None);
        }
        let reopened = FileAgentSessions::open(path.clone());
        assert_eq!(reopened.get("a:dm:u").as_deref(), Some("s1"));
        std::fs::write(&path, b"{damaged").unwrap();
        assert_eq!(FileAgentSessions::open(path).get("a:dm:u"), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
