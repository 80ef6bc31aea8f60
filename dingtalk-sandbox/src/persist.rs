//! Optional `SQLite` persistence across restarts: outbox, cards, live tokens and refresh tokens.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::Connection;

use crate::error::{Error, ErrorKind};
use crate::model::{CardView, OutboxEntry};
use crate::oauth::Grant;
use crate::state::{Card, Shared};

/// A state file.
pub(crate) struct Store {
    conn: Connection,
}

fn persist_err(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::with_source(ErrorKind::Persist, e)
}

impl Store {
    pub(crate) fn open(path: &Path) -> Result<Self, Error> {
        let conn = Connection::open(path).map_err(persist_err)?;
        conn.execute_batch("CREATE TABLE IF NOT EXISTS records (kind TEXT PRIMARY KEY, body TEXT NOT NULL);")
            .map_err(persist_err)?;
        Ok(Self { conn })
    }

    fn get(&self, kind: &str) -> Result<Option<String>, Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT body FROM records WHERE kind = ?1")
            .map_err(persist_err)?;
        let mut rows = stmt.query([kind]).map_err(persist_err)?;
        match rows.next().map_err(persist_err)? {
            Some(row) => Ok(Some(row.get(0).map_err(persist_err)?)),
            None => Ok(None),
        }
    }

    pub(crate) fn load(&self, shared: &Shared) -> Result<(), Error> {
        let mut inner = shared.lock();
        if let Some(text) = self.get("outbox")? {
            inner.outbox = serde_json::from_str::<Vec<OutboxEntry>>(&text).map_err(persist_err)?;
        }
        if let Some(text) = self.get("tokens")? {
            let saved = serde_json::from_str(&text).map_err(persist_err)?;
            inner
                .tokens
                .import(saved, shared.clock.now(), shared.clock.epoch_ms());
        }
        if let Some(text) = self.get("refresh")? {
            let now = shared.clock.epoch_ms();
            let grants: HashMap<String, Grant> = serde_json::from_str(&text).map_err(persist_err)?;
            inner
                .login
                .refresh
                .extend(grants.into_iter().filter(|(_, g)| g.expires_ms > now));
        }
        if let Some(text) = self.get("cards")? {
            let cards = serde_json::from_str::<Vec<CardView>>(&text).map_err(persist_err)?;
            for view in cards {
                inner.cards.insert(
                    view.out_track_id.clone(),
                    Card {
                        view,
                        guids: Vec::new(),
                        last_frame: std::collections::HashMap::new(),
                    },
                );
            }
        }
        Ok(())
    }

    pub(crate) fn save(&self, shared: &Shared) -> Result<(), Error> {
        let (outbox, cards, tokens, refresh) = {
            let inner = shared.lock();
            let cards: Vec<&CardView> = inner.cards.values().map(|c| &c.view).collect();
            let tokens = inner.tokens.export(shared.clock.now(), shared.clock.epoch_ms());
            (
                serde_json::to_string(&inner.outbox).map_err(persist_err)?,
                serde_json::to_string(&cards).map_err(persist_err)?,
                serde_json::to_string(&tokens).map_err(persist_err)?,
                serde_json::to_string(&inner.login.refresh).map_err(persist_err)?,
            )
        };
        for (kind, body) in [
            ("outbox", outbox),
            ("cards", cards),
            ("tokens", tokens),
            ("refresh", refresh),
        ] {
            self.conn
                .execute(
                    "INSERT INTO records (kind, body) VALUES (?1, ?2) ON CONFLICT(kind) DO UPDATE SET body = excluded.body",
                    [kind, body.as_str()],
                )
                .map_err(persist_err)?;
        }
        Ok(())
    }
}
