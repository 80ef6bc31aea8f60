//! The pairing-code flow for `dm_policy = "pairing"` (BOT-33).
//!
//! An unknown DM sender gets an 8-character code from an unambiguous alphabet, valid for an hour and re-sent at most
//! once an hour; each account has at most 3 pending codes (further senders hear "try later", at most hourly). The
//! sender's message is neither processed nor stored. An owner approves the code (CLI or `/pair approve CODE` by DM);
//! approved ids join the account's effective allowlist. Codes compare case-insensitively in constant time, and
//! nobody can approve their own code.
//!
//! State lives behind [`PairingStore`] so replicas can share it; [`MemoryPairingStore`] is the default.

use std::collections::BTreeMap;
use std::sync::Mutex;

use rand::Rng;

/// Characters of pairing codes: no `0/O`, `1/I`.
pub const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A pending code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingCode {
    /// The code.
    pub code: String,
    /// The requesting sender (staff id, else sender id).
    pub user: String,
    /// When it was issued (epoch ms).
    pub issued_ms: u64,
    /// When the sender was last told the code (epoch ms).
    pub last_sent_ms: u64,
}

/// Storage of pending codes and approvals, per account.
pub trait PairingStore: Send + Sync {
    /// Pending codes of an account.
    fn pending(&self, account: &str) -> Vec<PendingCode>;
    /// Inserts or replaces a pending code.
    fn put_pending(&self, account: &str, code: PendingCode);
    /// Removes a pending code by user.
    fn remove_pending(&self, account: &str, user: &str);
    /// Approved users of an account.
    fn approved(&self, account: &str) -> Vec<String>;
    /// Adds an approved user.
    fn approve(&self, account: &str, user: &str);
    /// Removes an approved user; `false` when absent.
    fn revoke(&self, account: &str, user: &str) -> bool;
}

/// Pending codes and approved users of one account.
type AccountPairings = (Vec<PendingCode>, Vec<String>);

/// An in-memory [`PairingStore`].
#[derive(Debug, Default)]
pub struct MemoryPairingStore {
    state: Mutex<BTreeMap<String, AccountPairings>>,
}

impl PairingStore for MemoryPairingStore {
    fn pending(&self, account: &str) -> Vec<PendingCode> {
        self.with(account, |(pending, _)| pending.clone())
    }
    fn put_pending(&self, account: &str, code: PendingCode) {
        self.with(account, |(pending, _)| {
            pending.retain(|p| p.user != code.user);
            pending.push(code);
        });
    }
    fn remove_pending(&self, account: &str, user: &str) {
        self.with(account, |(pending, _)| pending.retain(|p| p.user != user));
    }
    fn approved(&self, account: &str) -> Vec<String> {
        self.with(account, |(_, approved)| approved.clone())
    }
    fn approve(&self, account: &str, user: &str) {
        self.with(account, |(_, approved)| {
            if !approved.iter().any(|a| a == user) {
                approved.push(user.to_owned());
            }
        });
    }
    fn revoke(&self, account: &str, user: &str) -> bool {
        self.with(account, |(_, approved)| {
            let before = approved.len();
            approved.retain(|a| a != user);
            approved.len() != before
        })
    }
}

impl MemoryPairingStore {
    fn with<T>(&self, account: &str, f: impl FnOnce(&mut AccountPairings) -> T) -> T {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(state.entry(account.to_owned()).or_default())
    }
}

/// What to tell an unknown DM sender.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PairingReply {
    /// Send them this (new or re-sent) code.
    Code(String),
    /// They were told within the hour: say nothing.
    Silent,
    /// Too many pending codes: tell them to try later (at most hourly per user, tracked by the caller).
    TryLater,
}

/// The outcome of an approval.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApproveOutcome {
    /// Approved this user.
    Approved(String),
    /// No pending code matches.
    UnknownCode,
    /// The approver tried to approve their own code.
    OwnCode,
}

/// Pairing rules over a store.
#[derive(Debug)]
pub struct Pairing<S> {
    store: S,
    code_length: usize,
    ttl_ms: u64,
    max_pending: usize,
}

impl<S: PairingStore> Pairing<S> {
    /// Rules from the account's pairing config.
    pub fn new(store: S, config: &crate::config::PairingConfig) -> Self {
        Self {
            store,
            code_length: config.code_length.clamp(6, 16),
            ttl_ms: config.code_ttl_s.saturating_mul(1000),
            max_pending: config.max_pending.max(1),
        }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Handles a DM from an unknown sender at `now_ms`.
    pub fn request(&self, account: &str, user: &str, now_ms: u64, rng: &mut impl Rng) -> PairingReply {
        let live: Vec<PendingCode> = self
            .store
            .pending(account)
            .into_iter()
            .filter(|p| now_ms.saturating_sub(p.issued_ms) < self.ttl_ms)
            .collect();
        if let Some(mut existing) = live.iter().find(|p| p.user == user).cloned() {
            if now_ms.saturating_sub(existing.last_sent_ms) < 3_600_000 {
                return PairingReply::Silent;
            }
            existing.last_sent_ms = now_ms;
            self.store.put_pending(account, existing.clone());
            return PairingReply::Code(existing.code);
        }
        if live.len() >= self.max_pending {
            return PairingReply::TryLater;
        }
        for expired in self.store.pending(account).iter().filter(|p| !live.contains(p)) {
            self.store.remove_pending(account, &expired.user);
        }
        let code: String = (0..self.code_length)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        self.store.put_pending(
            account,
            PendingCode {
                code: code.clone(),
                user: user.to_owned(),
                issued_ms: now_ms,
                last_sent_ms: now_ms,
            },
        );
        PairingReply::Code(code)
    }

    /// Approves `code` on behalf of `approver`.
    pub fn approve(&self, account: &str, code: &str, approver: &str, now_ms: u64) -> ApproveOutcome {
        let Some(pending) = self.find(account, code, now_ms) else {
            return ApproveOutcome::UnknownCode;
        };
        if pending.user == approver {
            return ApproveOutcome::OwnCode;
        }
        self.store.remove_pending(account, &pending.user);
        self.store.approve(account, &pending.user);
        ApproveOutcome::Approved(pending.user)
    }

    /// Denies (removes) a pending code; `false` when none matched.
    pub fn deny(&self, account: &str, code: &str, now_ms: u64) -> bool {
        match self.find(account, code, now_ms) {
            Some(pending) => {
                self.store.remove_pending(account, &pending.user);
                true
            }
            None => false,
        }
    }

    fn find(&self, account: &str, code: &str, now_ms: u64) -> Option<PendingCode> {
        let wanted = code.trim().to_ascii_uppercase();
        self.store
            .pending(account)
            .into_iter()
            .filter(|p| now_ms.saturating_sub(p.issued_ms) < self.ttl_ms)
            .find(|p| constant_time_eq(p.code.as_bytes(), wanted.as_bytes()))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::config::PairingConfig;

    const HOUR: u64 = 3_600_000;

    #[test]
    fn the_pairing_flow() {
        let pairing = Pairing::new(MemoryPairingStore::default(), &PairingConfig::default());
        let mut rng = StdRng::seed_from_u64(1);
        let PairingReply::Code(code) = pairing.request("acc", "alice", 0, &mut rng) else {
            panic!()
        };
        assert_eq!(code.len(), 8);
        assert!(code.bytes().all(|b| ALPHABET.contains(&b)));
        assert_eq!(
            pairing.request("acc", "alice", 10, &mut rng),
            PairingReply::Silent
        );
        // Re-sent once the hour is over — but the code has expired by then, so a new one is issued.
        let PairingReply::Code(second) = pairing.request("acc", "alice", HOUR + 1, &mut rng) else {
            panic!()
        };
        assert_ne!(second, code);
        assert_eq!(
            pairing.approve("acc", &second, "alice", HOUR + 2),
            ApproveOutcome::OwnCode
        );
        assert_eq!(
            pairing.approve("acc", "WRONGCODE", "boss", HOUR + 2),
            ApproveOutcome::UnknownCode
        );
        assert_eq!(
            pairing.approve("acc", &second.to_lowercase(), "boss", HOUR + 2),
            ApproveOutcome::Approved("alice".into())
        );
        assert_eq!(pairing.store().approved("acc"), ["alice"]);
        assert!(pairing.store().pending("acc").is_empty());
        assert!(pairing.store().revoke("acc", "alice"));
        assert!(!pairing.store().revoke("acc", "alice"));
    }

    #[test]
    fn at_most_three_pending_codes() {
        let pairing = Pairing::new(MemoryPairingStore::default(), &PairingConfig::default());
        let mut rng = StdRng::seed_from_u64(2);
        for user in ["a", "b", "c"] {
            assert!(matches!(
                pairing.request("acc", user, 0, &mut rng),
                PairingReply::Code(_)
            ));
        }
        assert_eq!(pairing.request("acc", "d", 0, &mut rng), PairingReply::TryLater);
        // Expired codes free their slots.
        assert!(matches!(
            pairing.request("acc", "d", HOUR + 1, &mut rng),
            PairingReply::Code(_)
        ));
        assert!(pairing.deny("acc", &pairing.store().pending("acc")[0].code.clone(), HOUR + 1));
    }
}

/// A [`PairingStore`] persisted as a JSON file (approvals survive restarts), written atomically.
#[derive(Debug)]
pub struct FilePairingStore {
    path: std::path::PathBuf,
    memory: MemoryPairingStore,
}

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct PairingFile {
    accounts: BTreeMap<String, (Vec<PendingFileEntry>, Vec<String>)>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct PendingFileEntry {
    code: String,
    user: String,
    issued_ms: u64,
    last_sent_ms: u64,
}

impl FilePairingStore {
    /// Opens (or starts) the store at `path`.
    pub fn open(path: std::path::PathBuf) -> Self {
        let memory = MemoryPairingStore::default();
        if let Some(file) = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<PairingFile>(&b).ok())
        {
            let mut state = memory
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for (account, (pending, approved)) in file.accounts {
                let pending = pending
                    .into_iter()
                    .map(|p| PendingCode {
                        code: p.code,
                        user: p.user,
                        issued_ms: p.issued_ms,
                        last_sent_ms: p.last_sent_ms,
                    })
                    .collect();
                state.insert(account, (pending, approved));
            }
        }
        Self { path, memory }
    }

    fn save(&self) {
        let file = {
            let state = self
                .memory
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            PairingFile {
                accounts: state
                    .iter()
                    .map(|(account, (pending, approved))| {
                        let pending = pending
                            .iter()
                            .map(|p| PendingFileEntry {
                                code: p.code.clone(),
                                user: p.user.clone(),
                                issued_ms: p.issued_ms,
                                last_sent_ms: p.last_sent_ms,
                            })
                            .collect();
                        (account.clone(), (pending, approved.clone()))
                    })
                    .collect(),
            }
        };
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let tmp = self.path.with_extension("tmp");
        let written = serde_json::to_vec_pretty(&file)
            .map_err(std::io::Error::other)
            .and_then(|bytes| std::fs::write(&tmp, bytes))
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        if written.is_err() {
            tracing::warn!(path = %self.path.display(), "could not save pairing state");
        }
    }
}

impl PairingStore for FilePairingStore {
    fn pending(&self, account: &str) -> Vec<PendingCode> {
        self.memory.pending(account)
    }
    fn put_pending(&self, account: &str, code: PendingCode) {
        self.memory.put_pending(account, code);
        self.save();
    }
    fn remove_pending(&self, account: &str, user: &str) {
        self.memory.remove_pending(account, user);
        self.save();
    }
    fn approved(&self, account: &str) -> Vec<String> {
        self.memory.approved(account)
    }
    fn approve(&self, account: &str, user: &str) {
        self.memory.approve(account, user);
        self.save();
    }
    fn revoke(&self, account: &str, user: &str) -> bool {
        let removed = self.memory.revoke(account, user);
        self.save();
        removed
    }
}

impl<T: PairingStore + ?Sized> PairingStore for std::sync::Arc<T> {
    fn pending(&self, account: &str) -> Vec<PendingCode> {
        (**self).pending(account)
    }
    fn put_pending(&self, account: &str, code: PendingCode) {
        (**self).put_pending(account, code);
    }
    fn remove_pending(&self, account: &str, user: &str) {
        (**self).remove_pending(account, user);
    }
    fn approved(&self, account: &str) -> Vec<String> {
        (**self).approved(account)
    }
    fn approve(&self, account: &str, user: &str) {
        (**self).approve(account, user);
    }
    fn revoke(&self, account: &str, user: &str) -> bool {
        (**self).revoke(account, user)
    }
}
