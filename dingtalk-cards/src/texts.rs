//! Final texts of the bot's finished cards, so a user quoting one of them can be answered with its text.
//!
//! When a user quotes a card in DingTalk, the inbound message carries the card's delivery key
//! (`originalProcessQueryKey`, the `carrierId` of the card's delivery), not its text. The bot stores each finished
//! answer under its card keys (every `outTrackId` of the reply and every delivery `carrierId`, see
//! [`CardHandle::keys`](crate::CardHandle::keys)) for `journal_ttl_days`, and looks the quote up here. The store is a
//! trait so replicas can share one (Redis later); [`SqliteFinalTexts`] and [`MemoryFinalTexts`] ship here.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use crate::journal::JournalError;
use crate::sqlite::{self, to_i64};

/// Storage of final card texts by card key, with expiry.
pub trait FinalTexts: Send + Sync {
    /// Remembers `text` under each of `keys` for `account` until `expires_ms` (epoch ms); replaces older entries.
    ///
    /// # Errors
    /// Storage failures.
    fn put(&self, account: &str, keys: &[String], text: &str, expires_ms: u64) -> Result<(), JournalError>;

    /// The text under `key`, unless it expired by `now_ms`.
    ///
    /// # Errors
    /// Storage failures.
    fn get(&self, account: &str, key: &str, now_ms: u64) -> Result<Option<String>, JournalError>;

    /// Deletes entries expired by `now_ms`; returns how many.
    ///
    /// # Errors
    /// Storage failures.
    fn prune(&self, now_ms: u64) -> Result<usize, JournalError>;
}

/// Final texts in memory (tests, demos, and bots that accept losing them on restart).
#[derive(Debug, Default)]
pub struct MemoryFinalTexts {
    entries: Mutex<HashMap<(String, String), (String, u64)>>,
}

impl MemoryFinalTexts {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), (String, u64)>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl FinalTexts for MemoryFinalTexts {
    fn put(&self, account: &str, keys: &[String], text: &str, expires_ms: u64) -> Result<(), JournalError> {
        let mut entries = self.lock();
        for key in keys.iter().filter(|k| !k.is_empty()) {
            entries.insert((account.to_owned(), key.clone()), (text.to_owned(), expires_ms));
        }
        Ok(())
    }

    fn get(&self, account: &str, key: &str, now_ms: u64) -> Result<Option<String>, JournalError> {
        Ok(self
            .lock()
            .get(&(account.to_owned(), key.to_owned()))
            .filter(|(_, expires)| *expires > now_ms)
            .map(|(text, _)| text.clone()))
    }

    fn prune(&self, now_ms: u64) -> Result<usize, JournalError> {
        let mut entries = self.lock();
        let before = entries.len();
        entries.retain(|_, (_, expires)| *expires > now_ms);
        Ok(before - entries.len())
    }
}

/// Final texts in SQLite (WAL mode), the table `final_texts`; may share the journal's file.
pub struct SqliteFinalTexts {
    conn: Mutex<rusqlite::Connection>,
}

impl std::fmt::Debug for SqliteFinalTexts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteFinalTexts")
    }
}

fn db(e: &rusqlite::Error) -> JournalError {
    JournalError::new(format!("final texts: {e}"))
}

impl SqliteFinalTexts {
    /// Opens (creating) the store at `path`.
    ///
    /// # Errors
    /// The file cannot be opened or initialized.
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        Self::init(Some(path))
    }

    /// An in-memory SQLite store.
    ///
    /// # Errors
    /// SQLite cannot initialize.
    pub fn in_memory() -> Result<Self, JournalError> {
        Self::init(None)
    }

    fn init(path: Option<&Path>) -> Result<Self, JournalError> {
        let conn = sqlite::open(
            path,
            "CREATE TABLE IF NOT EXISTS final_texts (
                account TEXT NOT NULL,
                card_key TEXT NOT NULL,
                text TEXT NOT NULL,
                expires_at INTEGER NOT NULL,
                PRIMARY KEY (account, card_key)
             );",
        )
        .map_err(|e| db(&e))?;
        Ok(Self { conn })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, rusqlite::Connection> {
        sqlite::lock(&self.conn)
    }
}

impl FinalTexts for SqliteFinalTexts {
    fn put(&self, account: &str, keys: &[String], text: &str, expires_ms: u64) -> Result<(), JournalError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| db(&e))?;
        for key in keys.iter().filter(|k| !k.is_empty()) {
            tx.execute(
                "INSERT OR REPLACE INTO final_texts (account, card_key, text, expires_at) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![account, key, text, to_i64(expires_ms)],
            )
            .map_err(|e| db(&e))?;
        }
        tx.commit().map_err(|e| db(&e))
    }

    fn get(&self, account: &str, key: &str, now_ms: u64) -> Result<Option<String>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT text FROM final_texts WHERE account = ?1 AND card_key = ?2 AND expires_at > ?3",
            )
            .map_err(|e| db(&e))?;
        let mut rows = stmt
            .query(rusqlite::params![account, key, to_i64(now_ms)])
            .map_err(|e| db(&e))?;
        match rows.next().map_err(|e| db(&e))? {
            Some(row) => row.get(0).map(Some).map_err(|e| db(&e)),
            None => Ok(None),
        }
    }

    fn prune(&self, now_ms: u64) -> Result<usize, JournalError> {
        self.conn()
            .execute(
                "DELETE FROM final_texts WHERE expires_at <= ?1",
                rusqlite::params![to_i64(now_ms)],
            )
            .map_err(|e| db(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise(store: &dyn FinalTexts) {
        let keys = vec!["track1".to_owned(), "carrier1".to_owned(), String::new()];
        store.put("a", &keys, "the answer", 1_000).unwrap();
        assert_eq!(
            store.get("a", "track1", 10).unwrap().as_deref(),
            Some("the answer")
        );
        assert_eq!(
            store.get("a", "carrier1", 999).unwrap().as_deref(),
            Some("the answer")
        );
        assert_eq!(store.get("b", "carrier1", 10).unwrap(), None, "per account");
        assert_eq!(store.get("a", "", 10).unwrap(), None, "empty keys are not stored");
        assert_eq!(store.get("a", "carrier1", 1_000).unwrap(), None, "expired");
        store.put("a", &["carrier1".to_owned()], "newer", 5_000).unwrap();
        assert_eq!(
            store.get("a", "carrier1", 2_000).unwrap().as_deref(),
            Some("newer")
        );
        assert_eq!(store.prune(2_000).unwrap(), 1, "track1 expired");
        assert_eq!(
            store.get("a", "carrier1", 2_000).unwrap().as_deref(),
            Some("newer")
        );
    }

    #[test]
    fn both_stores_behave_alike() {
        exercise(&MemoryFinalTexts::default());
        exercise(&SqliteFinalTexts::in_memory().unwrap());
    }

    #[test]
    fn sqlite_texts_survive_reopen_next_to_the_journal() {
        let dir = std::env::temp_dir().join(format!("final-texts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cards.db");
        let journal = crate::SqliteJournal::open(&path).unwrap();
        SqliteFinalTexts::open(&path)
            .unwrap()
            .put("a", &["k".to_owned()], "kept", u64::MAX)
            .unwrap();
        let store = SqliteFinalTexts::open(&path).unwrap();
        assert_eq!(store.get("a", "k", 1).unwrap().as_deref(), Some("kept"));
        drop(journal);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
