//! Dedup stores (R-DUP-1..5): a trait keyed by strings, an in-memory LRU default and a SQLite store that survives
//! restarts.
//!
//! Keys (R-DUP-2): bot messages `bot:{robotCode}:{msgId}` **and** `frame:{clientId}:{messageId}`; events
//! `event:{clientId}:{eventId}` plus the frame key; other callbacks the frame key. A hit on any key is a duplicate.
//! This gives at-least-once delivery plus idempotence, not exactly-once.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use crate::clock::{self, WallClock};
use crate::error::{Error, ErrorKind};

/// The shortest TTL a store accepts: 10 minutes, longer than DingTalk's ~60 s redelivery window several times over.
pub const MIN_DEDUP_TTL: Duration = Duration::from_mins(10);
/// Default TTL: 10 minutes.
pub const DEFAULT_DEDUP_TTL: Duration = MIN_DEDUP_TTL;
/// Default capacity: 10 000 keys, least recently seen evicted first.
pub const DEFAULT_DEDUP_CAPACITY: usize = 10_000;

/// Whether a frame was seen before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Seen {
    /// No key was known: the frame is new. All keys are now recorded.
    New,
    /// At least one key was known: a duplicate. All keys are now recorded (so a new `messageId` of a redelivery
    /// is remembered too).
    Duplicate,
}

/// A dedup store shared by every connection of a client. Implement it to share dedup between replicas.
#[async_trait]
pub trait DedupStore: Send + Sync {
    /// Atomically checks every key and records them all with the store's TTL.
    async fn check_and_insert(&self, keys: &[String]) -> Result<Seen, Error>;
    /// Forgets keys, so a redelivery runs again (after a `LATER` or error ack, R-DUP-4).
    async fn remove(&self, keys: &[String]) -> Result<(), Error>;
}

/// The dedup key of a bot message: `bot:{robotCode}:{msgId}`.
pub fn bot_key(robot_code: &str, msg_id: &str) -> String {
    format!("bot:{robot_code}:{msg_id}")
}

/// The dedup key of any frame: `frame:{clientId}:{messageId}`.
pub fn frame_key(client_id: &str, message_id: &str) -> String {
    format!("frame:{client_id}:{message_id}")
}

/// The dedup key of an event: `event:{clientId}:{eventId}`.
pub fn event_key(client_id: &str, event_id: &str) -> String {
    format!("event:{client_id}:{event_id}")
}

fn check_ttl(ttl: Duration, capacity: usize) -> Result<(), Error> {
    if ttl < MIN_DEDUP_TTL {
        return Err(Error::config("dedup TTL must be at least 10 minutes"));
    }
    if capacity == 0 {
        return Err(Error::config("dedup capacity must be positive"));
    }
    Ok(())
}

/// The default in-memory store: TTL plus an LRU bound on the number of keys.
#[derive(Debug)]
pub struct MemoryDedup {
    ttl: Duration,
    capacity: usize,
    inner: Mutex<Lru>,
}

#[derive(Debug, Default)]
struct Lru {
    next_seq: u64,
    // key → (expires, seq); `order` maps seq → key. Every touch refreshes both, so `order` is also expiry order.
    entries: HashMap<String, (Instant, u64)>,
    order: BTreeMap<u64, String>,
}

impl Lru {
    fn purge(&mut self, now: Instant, capacity: usize) {
        while let Some((&seq, key)) = self.order.first_key_value() {
            let expired = self.entries.get(key).is_none_or(|(exp, _)| *exp <= now);
            if !expired && self.entries.len() <= capacity {
                break;
            }
            if let Some(key) = self.order.remove(&seq) {
                self.entries.remove(&key);
            }
        }
    }

    fn touch(&mut self, key: &str, expires: Instant) {
        let seq = self.next_seq;
        self.next_seq += 1;
        if let Some((_, old)) = self.entries.insert(key.to_owned(), (expires, seq)) {
            self.order.remove(&old);
        }
        self.order.insert(seq, key.to_owned());
    }
}

impl MemoryDedup {
    /// A store with the default TTL (10 min) and capacity (10 000).
    pub fn new() -> Self {
        Self {
            ttl: DEFAULT_DEDUP_TTL,
            capacity: DEFAULT_DEDUP_CAPACITY,
            inner: Mutex::default(),
        }
    }

    /// A store with a custom TTL and capacity.
    ///
    /// # Errors
    /// [`ErrorKind::Config`] when `ttl` is under 10 minutes or `capacity` is 0.
    pub fn with_limits(ttl: Duration, capacity: usize) -> Result<Self, Error> {
        check_ttl(ttl, capacity)?;
        Ok(Self {
            ttl,
            capacity,
            inner: Mutex::default(),
        })
    }

    /// Number of live keys (expired ones may linger until the next call).
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entries
            .len()
    }

    /// Whether the store holds no keys.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for MemoryDedup {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl DedupStore for MemoryDedup {
    async fn check_and_insert(&self, keys: &[String]) -> Result<Seen, Error> {
        let now = clock::now();
        let mut lru = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        lru.purge(now, usize::MAX);
        let seen = keys
            .iter()
            .any(|k| lru.entries.get(k).is_some_and(|(exp, _)| *exp > now));
        for key in keys {
            lru.touch(key, now + self.ttl);
        }
        lru.purge(now, self.capacity);
        Ok(if seen { Seen::Duplicate } else { Seen::New })
    }

    async fn remove(&self, keys: &[String]) -> Result<(), Error> {
        let mut lru = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        for key in keys {
            if let Some((_, seq)) = lru.entries.remove(key) {
                lru.order.remove(&seq);
            }
        }
        Ok(())
    }
}

/// A SQLite-backed store: dedup survives restarts. Blocking work runs on tokio's blocking pool.
///
/// Expiry uses wall-clock epoch milliseconds, so entries written before a restart keep their remaining TTL.
#[derive(Clone)]
pub struct SqliteDedup {
    ttl: Duration,
    capacity: usize,
    wall: WallClock,
    conn: Arc<Mutex<rusqlite::Connection>>,
}

impl std::fmt::Debug for SqliteDedup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteDedup")
            .field("ttl", &self.ttl)
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl SqliteDedup {
    /// Opens (or creates) the database file with the default TTL and capacity.
    ///
    /// # Errors
    /// [`ErrorKind::Storage`] when the file cannot be opened or the schema not created.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::open_with_limits(path, DEFAULT_DEDUP_TTL, DEFAULT_DEDUP_CAPACITY)
    }

    /// Opens (or creates) the database file with a custom TTL and capacity.
    ///
    /// # Errors
    /// [`ErrorKind::Config`] for a TTL under 10 minutes or a zero capacity; [`ErrorKind::Storage`] for SQLite errors.
    pub fn open_with_limits(path: impl AsRef<Path>, ttl: Duration, capacity: usize) -> Result<Self, Error> {
        check_ttl(ttl, capacity)?;
        let conn = rusqlite::Connection::open(path).map_err(storage)?;
        Self::init(conn, ttl, capacity)
    }

    /// An in-memory SQLite database (tests).
    ///
    /// # Errors
    /// As [`SqliteDedup::open_with_limits`].
    pub fn in_memory(ttl: Duration, capacity: usize) -> Result<Self, Error> {
        check_ttl(ttl, capacity)?;
        let conn = rusqlite::Connection::open_in_memory().map_err(storage)?;
        Self::init(conn, ttl, capacity)
    }

    fn init(conn: rusqlite::Connection, ttl: Duration, capacity: usize) -> Result<Self, Error> {
        conn.execute_batch(
            "PRAGMA journal_mode=WAL;
             PRAGMA synchronous=NORMAL;
             CREATE TABLE IF NOT EXISTS stream_dedup (key TEXT PRIMARY KEY NOT NULL, expires_ms INTEGER NOT NULL);
             CREATE INDEX IF NOT EXISTS stream_dedup_expires ON stream_dedup (expires_ms);",
        )
        .map_err(storage)?;
        Ok(Self {
            ttl,
            capacity,
            wall: WallClock::new(),
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut rusqlite::Connection, i64) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, Error> {
        let conn = Arc::clone(&self.conn);
        let now_ms = self.wall.now_ms();
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut conn, now_ms)
        })
        .await
        .map_err(|e| Error::with_source(ErrorKind::Storage, e))?
        .map_err(storage)
    }
}

fn storage(e: rusqlite::Error) -> Error {
    Error::with_source(ErrorKind::Storage, e)
}

#[async_trait]
impl DedupStore for SqliteDedup {
    async fn check_and_insert(&self, keys: &[String]) -> Result<Seen, Error> {
        let keys = keys.to_vec();
        let ttl_ms = clock::millis(self.ttl);
        let capacity = i64::try_from(self.capacity).unwrap_or(i64::MAX);
        self.blocking(move |conn, now| {
            let tx = conn.transaction()?;
            let mut seen = false;
            {
                let mut get =
                    tx.prepare_cached("SELECT 1 FROM stream_dedup WHERE key = ?1 AND expires_ms > ?2")?;
                for key in &keys {
                    seen |= get.exists(rusqlite::params![key, now])?;
                }
                let mut put = tx.prepare_cached(
                    "INSERT OR REPLACE INTO stream_dedup (key, expires_ms) VALUES (?1, ?2)",
                )?;
                for key in &keys {
                    put.execute(rusqlite::params![key, now.saturating_add(ttl_ms)])?;
                }
            }
            tx.execute("DELETE FROM stream_dedup WHERE expires_ms <= ?1", [now])?;
            tx.execute(
                "DELETE FROM stream_dedup WHERE key IN (SELECT key FROM stream_dedup ORDER BY expires_ms ASC
                 LIMIT max(0, (SELECT count(*) FROM stream_dedup) - ?1))",
                [capacity],
            )?;
            tx.commit()?;
            Ok(if seen { Seen::Duplicate } else { Seen::New })
        })
        .await
    }

    async fn remove(&self, keys: &[String]) -> Result<(), Error> {
        let keys = keys.to_vec();
        self.blocking(move |conn, _| {
            let tx = conn.transaction()?;
            {
                let mut del = tx.prepare_cached("DELETE FROM stream_dedup WHERE key = ?1")?;
                for key in &keys {
                    del.execute([key])?;
                }
            }
            tx.commit()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> Vec<String> {
        vec![s.to_owned()]
    }

    #[test]
    fn keys_follow_r_dup_2() {
        assert_eq!(bot_key("dingabc", "msg1=="), "bot:dingabc:msg1==");
        assert_eq!(frame_key("dingapp", "m_1"), "frame:dingapp:m_1");
        assert_eq!(event_key("dingapp", "e1"), "event:dingapp:e1");
    }

    #[test]
    fn ttl_under_ten_minutes_is_rejected() {
        let e = MemoryDedup::with_limits(Duration::from_secs(599), 10).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(MemoryDedup::with_limits(Duration::from_mins(10), 0).is_err());
        assert!(SqliteDedup::in_memory(Duration::from_mins(1), 10).is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn memory_any_key_hit_is_duplicate() {
        let d = MemoryDedup::new();
        assert_eq!(
            d.check_and_insert(&[bot_key("r", "m"), frame_key("c", "1")])
                .await
                .unwrap(),
            Seen::New
        );
        // A redelivery with a new messageId but the same msgId.
        assert_eq!(
            d.check_and_insert(&[bot_key("r", "m"), frame_key("c", "2")])
                .await
                .unwrap(),
            Seen::Duplicate
        );
        // The new messageId is now remembered too.
        assert_eq!(
            d.check_and_insert(&k("frame:c:2")).await.unwrap(),
            Seen::Duplicate
        );
        // Another robot with the same msgId is not a duplicate.
        assert_eq!(
            d.check_and_insert(&[bot_key("r2", "m")]).await.unwrap(),
            Seen::New
        );
        d.remove(&[bot_key("r", "m"), frame_key("c", "1"), frame_key("c", "2")])
            .await
            .unwrap();
        assert_eq!(d.check_and_insert(&[bot_key("r", "m")]).await.unwrap(), Seen::New);
    }

    #[tokio::test(start_paused = true)]
    async fn memory_entries_expire_after_ttl() {
        let d = MemoryDedup::new();
        assert_eq!(d.check_and_insert(&k("a")).await.unwrap(), Seen::New);
        tokio::time::advance(Duration::from_secs(599)).await;
        assert_eq!(d.check_and_insert(&k("b")).await.unwrap(), Seen::New);
        assert_eq!(d.len(), 2);
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(
            d.check_and_insert(&k("a")).await.unwrap(),
            Seen::New,
            "a expired at 600 s"
        );
        assert_eq!(d.check_and_insert(&k("b")).await.unwrap(), Seen::Duplicate);
    }

    #[tokio::test(start_paused = true)]
    async fn memory_capacity_evicts_least_recently_seen() {
        let d = MemoryDedup::with_limits(MIN_DEDUP_TTL, 3).unwrap();
        for key in ["a", "b", "c"] {
            d.check_and_insert(&k(key)).await.unwrap();
        }
        assert_eq!(d.check_and_insert(&k("a")).await.unwrap(), Seen::Duplicate); // a is now most recent
        d.check_and_insert(&k("d")).await.unwrap(); // evicts b
        assert_eq!(d.len(), 3);
        assert_eq!(d.check_and_insert(&k("b")).await.unwrap(), Seen::New);
        assert!(!d.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn sqlite_dedups_expires_and_removes() {
        let d = SqliteDedup::in_memory(MIN_DEDUP_TTL, 100).unwrap();
        assert_eq!(
            d.check_and_insert(&[bot_key("r", "m"), frame_key("c", "1")])
                .await
                .unwrap(),
            Seen::New
        );
        assert_eq!(
            d.check_and_insert(&[frame_key("c", "1")]).await.unwrap(),
            Seen::Duplicate
        );
        d.remove(&[bot_key("r", "m"), frame_key("c", "1")]).await.unwrap();
        assert_eq!(d.check_and_insert(&[bot_key("r", "m")]).await.unwrap(), Seen::New);
        tokio::time::advance(Duration::from_secs(601)).await;
        assert_eq!(d.check_and_insert(&[bot_key("r", "m")]).await.unwrap(), Seen::New);
    }

    #[tokio::test(start_paused = true)]
    async fn sqlite_capacity_is_bounded() {
        let d = SqliteDedup::in_memory(MIN_DEDUP_TTL, 2).unwrap();
        for key in ["a", "b", "c"] {
            d.check_and_insert(&k(key)).await.unwrap();
            tokio::time::advance(Duration::from_millis(5)).await;
        }
        assert_eq!(
            d.check_and_insert(&k("a")).await.unwrap(),
            Seen::New,
            "a was evicted"
        );
    }

    #[tokio::test]
    async fn sqlite_survives_restart() {
        let dir = std::env::temp_dir().join(format!("dingtalk-stream-dedup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("dedup.sqlite");
        let _ = std::fs::remove_file(&path);
        {
            let d = SqliteDedup::open(&path).unwrap();
            assert_eq!(d.check_and_insert(&k("bot:r:m")).await.unwrap(), Seen::New);
        }
        let d = SqliteDedup::open(&path).unwrap();
        assert_eq!(d.check_and_insert(&k("bot:r:m")).await.unwrap(), Seen::Duplicate);
        drop(d);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
