//! The crash-recovery journal of live cards (CARD-50..53).
//!
//! A row is written before a card is created (write-ahead), updated as it progresses, and deleted only when its
//! closing calls are confirmed. At start, before any new message is accepted, [`recover`](crate::recover) closes
//! every row left by a previous process. The store is a trait so replicas can share one (Redis later);
//! [`SqliteJournal`] (WAL mode) and [`MemoryJournal`] ship here.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use crate::sqlite::{self, to_i64};

/// One live card as the journal keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalRow {
    /// The card id.
    pub out_track_id: String,
    /// The account (app) it belongs to.
    pub account: String,
    /// Where it was delivered (`dtv1.card//…`).
    pub open_space_id: String,
    /// The template id.
    pub template_id: String,
    /// The streamed variable.
    pub stream_key: String,
    /// The phase (`creating`, `delivered`, `streaming`, `finalizing`).
    pub phase: String,
    /// Whether a stream key was opened (a closing frame is owed).
    pub stream_opened: bool,
    /// The last content shown.
    pub last_content: String,
    /// When the row was created (epoch ms).
    pub created_at_ms: u64,
    /// When the row was last written (epoch ms).
    pub updated_at_ms: u64,
    /// Recovery attempts so far.
    pub attempts: u32,
}

/// A journal failure (storage only; never fatal for a reply).
#[derive(Debug)]
pub struct JournalError(String);

impl std::fmt::Display for JournalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "card journal: {}", self.0)
    }
}

impl std::error::Error for JournalError {}

impl JournalError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// Storage of live cards.
pub trait CardJournal: Send + Sync {
    /// Inserts or replaces a row.
    fn upsert(&self, row: &JournalRow) -> Result<(), JournalError>;
    /// Deletes a row.
    fn remove(&self, out_track_id: &str) -> Result<(), JournalError>;
    /// Every row, oldest first.
    fn rows(&self) -> Result<Vec<JournalRow>, JournalError>;
}

/// An in-memory journal (tests, and bots that accept losing live cards on a crash).
#[derive(Debug, Default)]
pub struct MemoryJournal {
    rows: Mutex<BTreeMap<String, JournalRow>>,
}

impl CardJournal for MemoryJournal {
    fn upsert(&self, row: &JournalRow) -> Result<(), JournalError> {
        self.lock().insert(row.out_track_id.clone(), row.clone());
        Ok(())
    }
    fn remove(&self, out_track_id: &str) -> Result<(), JournalError> {
        self.lock().remove(out_track_id);
        Ok(())
    }
    fn rows(&self) -> Result<Vec<JournalRow>, JournalError> {
        let mut rows: Vec<JournalRow> = self.lock().values().cloned().collect();
        rows.sort_by_key(|r| r.created_at_ms);
        Ok(rows)
    }
}

impl MemoryJournal {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, JournalRow>> {
        self.rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A SQLite journal in WAL mode: the table `live_cards`.
pub struct SqliteJournal {
    conn: Mutex<rusqlite::Connection>,
}

impl std::fmt::Debug for SqliteJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteJournal")
    }
}

fn db(e: &rusqlite::Error) -> JournalError {
    JournalError(e.to_string())
}

impl SqliteJournal {
    /// Opens (creating) the journal at `path`.
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        Self::init(Some(path))
    }

    /// An in-memory SQLite journal.
    pub fn in_memory() -> Result<Self, JournalError> {
        Self::init(None)
    }

    fn init(path: Option<&Path>) -> Result<Self, JournalError> {
        let conn = sqlite::open(
            path,
            "CREATE TABLE IF NOT EXISTS live_cards (
                out_track_id TEXT PRIMARY KEY,
                account TEXT NOT NULL,
                open_space_id TEXT NOT NULL,
                template_id TEXT NOT NULL,
                stream_key TEXT NOT NULL,
                state TEXT NOT NULL,
                stream_opened INTEGER NOT NULL,
                last_content TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0
             );",
        )
        .map_err(|e| db(&e))?;
        Ok(Self { conn })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, rusqlite::Connection> {
        sqlite::lock(&self.conn)
    }
}

impl CardJournal for SqliteJournal {
    fn upsert(&self, r: &JournalRow) -> Result<(), JournalError> {
        self.conn()
            .execute(
                "INSERT INTO live_cards (out_track_id, account, open_space_id, template_id, stream_key, state,
                    stream_opened, last_content, created_at, updated_at, attempts)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT(out_track_id) DO UPDATE SET state = excluded.state,
                    stream_opened = excluded.stream_opened, last_content = excluded.last_content,
                    updated_at = excluded.updated_at, attempts = excluded.attempts",
                rusqlite::params![
                    r.out_track_id,
                    r.account,
                    r.open_space_id,
                    r.template_id,
                    r.stream_key,
                    r.phase,
                    r.stream_opened,
                    r.last_content,
                    to_i64(r.created_at_ms),
                    to_i64(r.updated_at_ms),
                    r.attempts,
                ],
            )
            .map(drop)
            .map_err(|e| db(&e))
    }

    fn remove(&self, out_track_id: &str) -> Result<(), JournalError> {
        self.conn()
            .execute("DELETE FROM live_cards WHERE out_track_id = ?1", [out_track_id])
            .map(drop)
            .map_err(|e| db(&e))
    }

    fn rows(&self) -> Result<Vec<JournalRow>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT out_track_id, account, open_space_id, template_id, stream_key, state, stream_opened,
                        last_content, created_at, updated_at, attempts FROM live_cards ORDER BY created_at",
            )
            .map_err(|e| db(&e))?;
        let rows = stmt
            .query_map([], |row| {
                Ok(JournalRow {
                    out_track_id: row.get(0)?,
                    account: row.get(1)?,
                    open_space_id: row.get(2)?,
                    template_id: row.get(3)?,
                    stream_key: row.get(4)?,
                    phase: row.get(5)?,
                    stream_opened: row.get(6)?,
                    last_content: row.get(7)?,
                    created_at_ms: u64::try_from(row.get::<_, i64>(8)?).unwrap_or(0),
                    updated_at_ms: u64::try_from(row.get::<_, i64>(9)?).unwrap_or(0),
                    attempts: row.get(10)?,
                })
            })
            .map_err(|e| db(&e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| db(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, at: u64) -> JournalRow {
        JournalRow {
            out_track_id: id.into(),
            account: "acc".into(),
            open_space_id: "dtv1.card//IM_GROUP.cid".into(),
            template_id: "t".into(),
            stream_key: "msgContent".into(),
            phase: "streaming".into(),
            stream_opened: true,
            last_content: "hello".into(),
            created_at_ms: at,
            updated_at_ms: at,
            attempts: 0,
        }
    }

    fn exercise(journal: &dyn CardJournal) {
        journal.upsert(&row("b", 2)).unwrap();
        journal.upsert(&row("a", 1)).unwrap();
        let mut updated = row("b", 2);
        updated.last_content = "more".into();
        journal.upsert(&updated).unwrap();
        let rows = journal.rows().unwrap();
        assert_eq!(
            rows.iter().map(|r| r.out_track_id.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(rows[1].last_content, "more");
        journal.remove("a").unwrap();
        assert_eq!(journal.rows().unwrap().len(), 1);
    }

    #[test]
    fn both_journals_behave_alike() {
        exercise(&MemoryJournal::default());
        exercise(&SqliteJournal::in_memory().unwrap());
    }

    #[test]
    fn sqlite_journal_survives_reopen() {
        let path = std::env::temp_dir().join(format!("cards-journal-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        SqliteJournal::open(&path).unwrap().upsert(&row("x", 5)).unwrap();
        assert_eq!(
            SqliteJournal::open(&path).unwrap().rows().unwrap()[0].out_track_id,
            "x"
        );
        let _ = std::fs::remove_file(&path);
    }

    /// Regression: the journal shares `cards.db` with the final-text store through another connection, but it had no
    /// busy timeout, so a write that met the other connection's transaction failed at once with "database is
    /// locked". Now it waits for the lock.
    #[test]
    fn a_journal_write_waits_for_another_connections_transaction() {
        let path = std::env::temp_dir().join(format!("cards-journal-busy-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let journal = SqliteJournal::open(&path).unwrap();
        let texts = crate::texts::SqliteFinalTexts::open(&path).unwrap();
        let other = rusqlite::Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        // Nothing is ever sent: the holder keeps the write lock for 300 ms (well under the 2 s busy timeout).
        let (_keep, release) = std::sync::mpsc::channel::<()>();
        let holder = std::thread::spawn(move || {
            let _ = release.recv_timeout(std::time::Duration::from_millis(300));
            other.execute_batch("COMMIT").unwrap();
        });
        journal
            .upsert(&row("busy", 1))
            .expect("the write waits for the lock instead of failing");
        holder.join().unwrap();
        crate::texts::FinalTexts::put(&texts, "acc", &["k".into()], "text", u64::MAX / 2).unwrap();
        assert_eq!(journal.rows().unwrap()[0].out_track_id, "busy");
        let _ = std::fs::remove_file(&path);
    }
}
