//! The SQLite setup the crate's two stores share (the card journal and the final texts), which may live in one
//! file (`cards.db`) opened through two connections.

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::Connection;

/// How long a statement waits for another connection's write lock before failing with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// Opens `path` (`None`: an in-memory database) in WAL mode with a busy timeout, and runs `schema`.
pub(crate) fn open(path: Option<&Path>, schema: &str) -> Result<Mutex<Connection>, rusqlite::Error> {
    let conn = match path {
        Some(path) => Connection::open(path)?,
        None => Connection::open_in_memory()?,
    };
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")?;
    conn.execute_batch(schema)?;
    Ok(Mutex::new(conn))
}

/// The connection; a panic in another holder does not make the store unusable (every write is one transaction).
pub(crate) fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Milliseconds as SQLite's signed integer, saturating.
pub(crate) fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
