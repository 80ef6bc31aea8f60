//! The encrypted token store: one slot per identity (`corpId:userId`), AES-256-GCM under a random data key.
//!
//! * **Data key (DEK):** 32 random bytes, created on the first write, held by a [`KeyStore`]: the OS credential
//!   store on macOS and Windows, otherwise a `0600` key file in a `0700` directory ([`FileKey`]). Read paths never
//!   create a key.
//! * **Records:** each slot is serialized, then sealed with AES-256-GCM under a fresh 96-bit nonce; the associated
//!   data binds the ciphertext to its slot name, so a record cannot be moved to another identity.
//! * **File:** `tokens.json` holds only slot names and ciphertexts. Writes go to a temporary file (mode `0600`) that
//!   is synced and renamed over the old one, under an exclusive lock shared with other processes.
//! * **Safety:** a corrupt or foreign file, or ciphertext the current key cannot open, is
//!   [`ErrorKind::StoreUnreadable`], and nothing is written over it.
//! * **Export/import:** a bundle sealed under a passphrase-derived key (PBKDF2-HMAC-SHA256, 600 000 iterations,
//!   16-byte salt), for moving sessions between machines.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use dingtalk_core::{CorpId, ExposeSecret, SecretString, UnionId, UserId};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::oauth::UserTokens;

const STORE_FORMAT: &str = "dingtalk-rs/token-store";
const EXPORT_FORMAT: &str = "dingtalk-rs/token-export";
const AAD_PREFIX: &str = "dingtalk-rs/v1:";
/// PBKDF2 iterations for exports.
pub const EXPORT_ITERATIONS: u32 = 600_000;
/// How long a writer waits for another process holding the store lock.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// A 256-bit data key.
pub struct DataKey([u8; 32]);

impl DataKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self(key)
    }

    /// Wraps raw key bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new((&self.0).into())
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

impl Drop for DataKey {
    fn drop(&mut self) {
        self.0.fill(0);
    }
}

/// Where the data key lives.
pub trait KeyStore: Send + Sync {
    /// The key, if one was saved.
    fn load(&self) -> Result<Option<DataKey>, Error>;
    /// Saves a new key.
    fn save(&self, key: &DataKey) -> Result<(), Error>;
    /// A short description for `auth status` and `doctor` (`file:/path`, `os-keyring`).
    fn describe(&self) -> String;
}

/// The data key in a `0600` file inside a `0700` directory.
#[derive(Debug, Clone)]
pub struct FileKey {
    path: PathBuf,
}

impl FileKey {
    /// A key file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }
}

impl KeyStore for FileKey {
    fn load(&self) -> Result<Option<DataKey>, Error> {
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let bytes = B64
            .decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| {
                Error::msg(
                    ErrorKind::StoreUnreadable,
                    "the key file is not a 32-byte base64 key",
                )
            })?;
        Ok(Some(DataKey(bytes)))
    }

    fn save(&self, key: &DataKey) -> Result<(), Error> {
        if let Some(dir) = self.path.parent() {
            ensure_private_dir(dir)?;
        }
        if self.path.exists() {
            return Err(Error::msg(
                ErrorKind::StoreUnreadable,
                "refusing to replace an existing key file",
            ));
        }
        write_atomic(&self.path, B64.encode(key.0).as_bytes())
    }

    fn describe(&self) -> String {
        format!("file:{}", self.path.display())
    }
}

/// The data key in the OS credential store (macOS Keychain, Windows Credential Manager).
#[cfg(any(target_os = "macos", target_os = "windows"))]
#[derive(Debug, Clone)]
pub struct OsKeyring {
    service: String,
    account: String,
}

#[cfg(any(target_os = "macos", target_os = "windows"))]
impl OsKeyring {
    /// An entry `service`/`account`, e.g. `dws-cli`/`dek`.
    pub fn new(service: impl Into<String>, account: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            account: account.into(),
        }
    }

    fn entry(&self) -> Result<keyring::Entry, Error> {
        keyring::Entry::new(&self.service, &self.account)
            .map_err(|e| Error::new(ErrorKind::Keyring).with_source(e))
    }
}

#[cfg(any(target_os = "macos", target_os = "windows"))]
impl KeyStore for OsKeyring {
    fn load(&self) -> Result<Option<DataKey>, Error> {
        match self.entry()?.get_password() {
            Ok(text) => B64
                .decode(text.trim())
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .map(|b| Some(DataKey(b)))
                .ok_or_else(|| Error::msg(ErrorKind::StoreUnreadable, "the keyring entry is not a key")),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(Error::new(ErrorKind::Keyring).with_source(e)),
        }
    }

    fn save(&self, key: &DataKey) -> Result<(), Error> {
        self.entry()?
            .set_password(&B64.encode(key.0))
            .map_err(|e| Error::new(ErrorKind::Keyring).with_source(e))
    }

    fn describe(&self) -> String {
        "os-keyring".to_owned()
    }
}

/// The best key store for this platform: the OS keyring where this crate supports one (macOS, Windows), else a key
/// file `dek` inside `dir`. On Linux the file is used: the Secret Service needs a desktop session, which the
/// headless machines this tool targets lack.
pub fn default_key_store(dir: &Path) -> Box<dyn KeyStore> {
    #[cfg(any(target_os = "macos", target_os = "windows"))]
    {
        let _ = dir;
        Box::new(OsKeyring::new("dingtalk-rs", "dek"))
    }
    #[cfg(not(any(target_os = "macos", target_os = "windows")))]
    {
        Box::new(FileKey::new(dir.join("dek")))
    }
}

/// Everything stored for one identity. Only this type's serialized form is encrypted; `Debug` hides the tokens.
#[derive(Clone)]
pub struct Session {
    /// The organisation.
    pub corp_id: CorpId,
    /// The user within the organisation.
    pub user_id: UserId,
    /// The user's union id.
    pub union_id: Option<UnionId>,
    /// Display name.
    pub user_name: String,
    /// The app the tokens were issued to.
    pub client_id: String,
    /// The tokens.
    pub tokens: UserTokens,
    /// When the record was last written (epoch ms).
    pub updated_at_ms: u64,
    /// The outcome of the last refresh attempt, for `auth status`.
    pub last_refresh: Option<RefreshOutcome>,
}

impl Session {
    /// The slot name: `corpId:userId`.
    pub fn identity(&self) -> String {
        format!("{}:{}", self.corp_id, self.user_id)
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("identity", &self.identity())
            .field("user_name", &self.user_name)
            .field("tokens", &self.tokens)
            .field("last_refresh", &self.last_refresh)
            .finish_non_exhaustive()
    }
}

/// What happened at the last refresh.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshOutcome {
    /// When (epoch ms).
    pub at_ms: u64,
    /// Whether it worked.
    pub ok: bool,
    /// Our own short description of a failure (never server text or secrets).
    pub error: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct SessionWire {
    corp_id: String,
    user_id: String,
    union_id: Option<String>,
    user_name: String,
    client_id: String,
    access_token: String,
    refresh_token: Option<String>,
    expires_at_ms: u64,
    refresh_expires_at_ms: Option<u64>,
    token_corp_id: Option<String>,
    updated_at_ms: u64,
    last_refresh: Option<RefreshOutcome>,
}

impl SessionWire {
    fn from_session(s: &Session) -> Self {
        Self {
            corp_id: s.corp_id.to_string(),
            user_id: s.user_id.to_string(),
            union_id: s.union_id.as_ref().map(ToString::to_string),
            user_name: s.user_name.clone(),
            client_id: s.client_id.clone(),
            access_token: s.tokens.access_token().expose_secret().to_owned(),
            refresh_token: s.tokens.refresh_token().map(|t| t.expose_secret().to_owned()),
            expires_at_ms: s.tokens.expires_at_ms(),
            refresh_expires_at_ms: s.tokens.refresh_expires_at_ms(),
            token_corp_id: s.tokens.corp_id().map(ToString::to_string),
            updated_at_ms: s.updated_at_ms,
            last_refresh: s.last_refresh.clone(),
        }
    }

    fn into_session(self) -> Session {
        Session {
            corp_id: CorpId::new(self.corp_id),
            user_id: UserId::new(self.user_id),
            union_id: self.union_id.map(UnionId::new),
            user_name: self.user_name,
            client_id: self.client_id,
            tokens: UserTokens::new(
                SecretString::from(self.access_token),
                self.refresh_token.map(SecretString::from),
                self.expires_at_ms,
                self.refresh_expires_at_ms,
                self.token_corp_id.map(CorpId::new),
            ),
            updated_at_ms: self.updated_at_ms,
            last_refresh: self.last_refresh,
        }
    }
}

#[derive(Serialize, Deserialize, Default)]
struct StoreFile {
    format: String,
    version: u32,
    records: BTreeMap<String, String>,
    /// App client secrets by client id, sealed like the records (absent from files that hold none).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    secrets: BTreeMap<String, String>,
}

/// The encrypted token store in one directory.
pub struct TokenStore {
    dir: PathBuf,
    keys: Box<dyn KeyStore>,
}

impl fmt::Debug for TokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenStore")
            .field("dir", &self.dir)
            .field("keys", &self.keys.describe())
            .finish()
    }
}

impl TokenStore {
    /// Opens (creating the `0700` directory if needed) a store in `dir` with key storage `keys`.
    pub fn open(dir: impl Into<PathBuf>, keys: Box<dyn KeyStore>) -> Result<Self, Error> {
        let dir = dir.into();
        ensure_private_dir(&dir)?;
        Ok(Self { dir, keys })
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the data key lives.
    pub fn key_backend(&self) -> String {
        self.keys.describe()
    }

    fn file_path(&self) -> PathBuf {
        self.dir.join("tokens.json")
    }

    /// The data key for reading records that exist: missing is an error, never a reason to make a new one.
    fn existing_key(&self) -> Result<DataKey, Error> {
        self.keys.load()?.ok_or_else(|| {
            Error::msg(
                ErrorKind::StoreUnreadable,
                "the data key is missing; the store cannot be read",
            )
        })
    }

    /// Slot names (`corpId:userId`) in the store.
    pub fn identities(&self) -> Result<Vec<String>, Error> {
        Ok(self.read_file()?.records.into_keys().collect())
    }

    /// The session stored for `identity`, if any.
    pub fn get(&self, identity: &str) -> Result<Option<Session>, Error> {
        let file = self.read_file()?;
        let Some(sealed) = file.records.get(identity) else {
            return Ok(None);
        };
        let key = self.existing_key()?;
        open_record(&key, identity, sealed).map(Some)
    }

    /// Writes `session` into its slot, creating the data key on the first write.
    pub fn put(&self, session: &Session) -> Result<(), Error> {
        let identity = session.identity();
        self.modify(|file, key| {
            let sealed = seal_record(key, &identity, session)?;
            file.records.insert(identity.clone(), sealed);
            Ok(())
        })
    }

    /// Removes a slot; `false` when it did not exist.
    pub fn remove(&self, identity: &str) -> Result<bool, Error> {
        let mut removed = false;
        self.modify(|file, _| {
            removed = file.records.remove(identity).is_some();
            Ok(())
        })?;
        Ok(removed)
    }

    /// Stores an app's client secret under its client id, sealed with the data key like the sessions (it is never
    /// part of an [`export`](Self::export)).
    pub fn put_client_secret(&self, client_id: &str, secret: &SecretString) -> Result<(), Error> {
        if client_id.trim().is_empty() || secret.expose_secret().is_empty() {
            return Err(Error::msg(
                ErrorKind::Invalid,
                "a client secret needs a client id and a non-empty secret",
            ));
        }
        let aad = secret_aad(client_id);
        self.modify(|file, key| {
            let sealed = seal_bytes(key, &aad, secret.expose_secret().as_bytes())?;
            file.secrets.insert(client_id.to_owned(), sealed);
            Ok(())
        })
    }

    /// The client secret stored for `client_id`, if any.
    pub fn client_secret(&self, client_id: &str) -> Result<Option<SecretString>, Error> {
        let file = self.read_file()?;
        let Some(sealed) = file.secrets.get(client_id) else {
            return Ok(None);
        };
        let key = self.existing_key()?;
        let plain = open_bytes(&key, &secret_aad(client_id), sealed).ok_or_else(|| {
            Error::msg(
                ErrorKind::StoreUnreadable,
                "a stored client secret cannot be decrypted",
            )
        })?;
        let text = String::from_utf8(plain)
            .map_err(|_| Error::msg(ErrorKind::StoreUnreadable, "a stored client secret is not text"))?;
        Ok(Some(SecretString::from(text)))
    }

    /// Removes the client secret of `client_id`; `false` when none was stored.
    pub fn remove_client_secret(&self, client_id: &str) -> Result<bool, Error> {
        let mut removed = false;
        self.modify(|file, _| {
            removed = file.secrets.remove(client_id).is_some();
            Ok(())
        })?;
        Ok(removed)
    }

    /// Takes the cross-process lock of `identity` (for refresh), waiting at most [`LOCK_TIMEOUT`].
    pub async fn lock_identity(&self, identity: &str) -> Result<FileLock, Error> {
        let name: String = identity
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let dir = self.dir.join("locks");
        ensure_private_dir(&dir)?;
        FileLock::acquire(dir.join(format!("{name}.lock")), LOCK_TIMEOUT).await
    }

    /// Seals the given slots (all when `identities` is empty) under a passphrase.
    pub fn export(&self, passphrase: &SecretString, identities: &[String]) -> Result<Vec<u8>, Error> {
        let mut sessions = Vec::new();
        let names = if identities.is_empty() {
            self.identities()?
        } else {
            identities.to_vec()
        };
        for name in names {
            let session = self
                .get(&name)?
                .ok_or_else(|| Error::msg(ErrorKind::ProfileNotFound, format!("no stored session {name}")))?;
            sessions.push(SessionWire::from_session(&session));
        }
        let plain = serde_json::to_vec(&sessions).map_err(|e| Error::new(ErrorKind::Io).with_source(e))?;
        seal_export(passphrase, &plain)
    }

    /// Imports a bundle made by [`export`](Self::export). Existing slots are replaced only with `force`; returns the
    /// imported identities.
    pub fn import(
        &self,
        bundle: &[u8],
        passphrase: &SecretString,
        force: bool,
    ) -> Result<Vec<String>, Error> {
        let plain = open_export(passphrase, bundle)?;
        let sessions: Vec<SessionWire> = serde_json::from_slice(&plain)
            .map_err(|e| Error::new(ErrorKind::BadPassphrase).with_source(e))?;
        let sessions: Vec<Session> = sessions.into_iter().map(SessionWire::into_session).collect();
        let existing = self.identities()?;
        if let (false, Some(clash)) = (
            force,
            sessions
                .iter()
                .map(Session::identity)
                .find(|id| existing.contains(id)),
        ) {
            return Err(Error::msg(
                ErrorKind::Invalid,
                format!("{clash} already exists; use force to replace it"),
            ));
        }
        let mut imported = Vec::new();
        for session in &sessions {
            self.put(session)?;
            imported.push(session.identity());
        }
        Ok(imported)
    }

    fn read_file(&self) -> Result<StoreFile, Error> {
        let bytes = match fs::read(self.file_path()) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(StoreFile {
                    format: STORE_FORMAT.to_owned(),
                    version: 1,
                    records: BTreeMap::new(),
                    secrets: BTreeMap::new(),
                });
            }
            Err(e) => return Err(e.into()),
        };
        let file: StoreFile = serde_json::from_slice(&bytes).map_err(|e| {
            Error::msg(
                ErrorKind::StoreUnreadable,
                "tokens.json is not a token store (corrupt or foreign)",
            )
            .with_source(dingtalk_core::error::Message(e.to_string()))
        })?;
        if file.format != STORE_FORMAT || file.version != 1 {
            return Err(Error::msg(
                ErrorKind::StoreUnreadable,
                "tokens.json belongs to another program or version",
            ));
        }
        Ok(file)
    }

    /// Read-modify-write under the store lock. Refuses to write when existing records do not open with the key.
    fn modify(
        &self,
        change: impl FnOnce(&mut StoreFile, &DataKey) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let _lock = FileLock::acquire_blocking(&self.dir.join("tokens.lock"), LOCK_TIMEOUT)?;
        let mut file = self.read_file()?;
        let key = match self.keys.load()? {
            Some(key) => key,
            None if file.records.is_empty() && file.secrets.is_empty() => {
                let key = DataKey::generate();
                self.keys.save(&key)?;
                key
            }
            None => {
                return Err(Error::msg(
                    ErrorKind::StoreUnreadable,
                    "the data key is missing; refusing to overwrite records it sealed",
                ));
            }
        };
        for (name, sealed) in &file.records {
            open_record(&key, name, sealed)?;
        }
        for (client_id, sealed) in &file.secrets {
            open_bytes(&key, &secret_aad(client_id), sealed).ok_or_else(|| {
                Error::msg(
                    ErrorKind::StoreUnreadable,
                    "a stored client secret cannot be decrypted with the current key",
                )
            })?;
        }
        change(&mut file, &key)?;
        let bytes = serde_json::to_vec_pretty(&file).map_err(|e| Error::new(ErrorKind::Io).with_source(e))?;
        write_atomic(&self.file_path(), &bytes)
    }
}

fn seal_record(key: &DataKey, identity: &str, session: &Session) -> Result<String, Error> {
    let plain = serde_json::to_vec(&SessionWire::from_session(session))
        .map_err(|e| Error::new(ErrorKind::Io).with_source(e))?;
    seal_bytes(key, &format!("{AAD_PREFIX}{identity}"), &plain)
}

/// The associated data of a stored client secret (distinct from every session slot's).
fn secret_aad(client_id: &str) -> String {
    format!("{AAD_PREFIX}client-secret:{client_id}")
}

/// AES-256-GCM under a fresh nonce: base64 of `nonce ‖ ciphertext`.
fn seal_bytes(key: &DataKey, aad: &str, plain: &[u8]) -> Result<String, Error> {
    let mut nonce = [0u8; 12];
    rand::rng().fill_bytes(&mut nonce);
    let sealed = key
        .cipher()
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| Error::msg(ErrorKind::Io, "encryption failed"))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    Ok(B64.encode(out))
}

/// Opens what [`seal_bytes`] sealed; `None` when it does not open.
fn open_bytes(key: &DataKey, aad: &str, sealed: &str) -> Option<Vec<u8>> {
    let bytes = B64.decode(sealed).ok()?;
    if bytes.len() < 12 + 16 {
        return None;
    }
    let (nonce, ciphertext) = bytes.split_at(12);
    key.cipher()
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: aad.as_bytes(),
            },
        )
        .ok()
}

fn open_record(key: &DataKey, identity: &str, sealed: &str) -> Result<Session, Error> {
    let unreadable = || {
        Error::msg(
            ErrorKind::StoreUnreadable,
            format!("record {identity} cannot be decrypted with the current key"),
        )
    };
    let bytes = B64.decode(sealed).map_err(|_| unreadable())?;
    if bytes.len() < 12 + 16 {
        return Err(unreadable());
    }
    let (nonce, ciphertext) = bytes.split_at(12);
    let aad = format!("{AAD_PREFIX}{identity}");
    let plain = key
        .cipher()
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| unreadable())?;
    let wire: SessionWire = serde_json::from_slice(&plain).map_err(|_| unreadable())?;
    Ok(wire.into_session())
}

#[derive(Serialize, Deserialize)]
struct ExportFile {
    format: String,
    version: u32,
    kdf: String,
    iterations: u32,
    salt: String,
    nonce: String,
    ciphertext: String,
}

fn derive_key(passphrase: &SecretString, salt: &[u8], iterations: u32) -> DataKey {
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase.expose_secret().as_bytes(), salt, iterations, &mut key);
    DataKey(key)
}

fn seal_export(passphrase: &SecretString, plain: &[u8]) -> Result<Vec<u8>, Error> {
    if passphrase.expose_secret().chars().count() < 8 {
        return Err(Error::msg(
            ErrorKind::Invalid,
            "the export passphrase must have at least 8 characters",
        ));
    }
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 12];
    rand::rng().fill_bytes(&mut salt);
    rand::rng().fill_bytes(&mut nonce);
    let key = derive_key(passphrase, &salt, EXPORT_ITERATIONS);
    let ciphertext = key
        .cipher()
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: EXPORT_FORMAT.as_bytes(),
            },
        )
        .map_err(|_| Error::msg(ErrorKind::Io, "encryption failed"))?;
    let file = ExportFile {
        format: EXPORT_FORMAT.to_owned(),
        version: 1,
        kdf: "pbkdf2-hmac-sha256".to_owned(),
        iterations: EXPORT_ITERATIONS,
        salt: B64.encode(salt),
        nonce: B64.encode(nonce),
        ciphertext: B64.encode(ciphertext),
    };
    serde_json::to_vec_pretty(&file).map_err(|e| Error::new(ErrorKind::Io).with_source(e))
}

fn open_export(passphrase: &SecretString, bundle: &[u8]) -> Result<Vec<u8>, Error> {
    let bad = || Error::new(ErrorKind::BadPassphrase);
    let file: ExportFile = serde_json::from_slice(bundle).map_err(|_| bad())?;
    if file.format != EXPORT_FORMAT
        || file.kdf != "pbkdf2-hmac-sha256"
        || !(100_000..=10_000_000).contains(&file.iterations)
    {
        return Err(bad());
    }
    let salt = B64.decode(&file.salt).map_err(|_| bad())?;
    let nonce = B64.decode(&file.nonce).map_err(|_| bad())?;
    let ciphertext = B64.decode(&file.ciphertext).map_err(|_| bad())?;
    if nonce.len() != 12 {
        return Err(bad());
    }
    let key = derive_key(passphrase, &salt, file.iterations);
    key.cipher()
        .decrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &ciphertext,
                aad: EXPORT_FORMAT.as_bytes(),
            },
        )
        .map_err(|_| bad())
}

/// An exclusive lock on a file, held until dropped; works across processes.
#[derive(Debug)]
pub struct FileLock {
    file: File,
}

impl FileLock {
    /// Waits (polling, at most `timeout`) for the lock on `path` without blocking the async runtime.
    pub async fn acquire(path: PathBuf, timeout: Duration) -> Result<Self, Error> {
        let file = open_lock_file(&path)?;
        let step = Duration::from_millis(20);
        let mut waited = Duration::ZERO;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Self { file }),
                Err(std::fs::TryLockError::WouldBlock) if waited < timeout => {
                    tokio::time::sleep(step).await;
                    waited += step;
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::msg(
                        ErrorKind::Io,
                        "timed out waiting for another process's lock",
                    ));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
            }
        }
    }

    /// Like [`acquire`](Self::acquire) for synchronous code; waits in short steps.
    fn acquire_blocking(path: &Path, timeout: Duration) -> Result<Self, Error> {
        let file = open_lock_file(path)?;
        let step = Duration::from_millis(10);
        let mut waited = Duration::ZERO;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Self { file }),
                Err(std::fs::TryLockError::WouldBlock) if waited < timeout => {
                    #[expect(
                        clippy::disallowed_methods,
                        reason = "a short wait inside synchronous store I/O"
                    )]
                    std::thread::sleep(step);
                    waited += step;
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::msg(
                        ErrorKind::Io,
                        "timed out waiting for the token store lock",
                    ));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
            }
        }
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

fn open_lock_file(path: &Path) -> Result<File, Error> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    Ok(options.open(path)?)
}

/// Creates `dir` (and parents) and tightens it to `0700` on Unix.
pub fn ensure_private_dir(dir: &Path) -> Result<(), Error> {
    fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically: a `0600` temporary file in the same directory, synced, then renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut suffix = [0u8; 6];
    rand::rng().fill_bytes(&mut suffix);
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{name}.{}.tmp",
        B64.encode(suffix).replace(['/', '+'], "_")
    ));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| -> std::io::Result<()> {
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    Ok(result?)
}
