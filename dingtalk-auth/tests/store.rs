//! The encrypted token store and profiles on disk.

#![expect(clippy::unwrap_used, reason = "tests: a failure should panic with context")]

use std::sync::Arc;

use dingtalk_auth::store::{FileKey, Session, TokenStore};
use dingtalk_auth::{ErrorKind, KeyStore, UserTokens};
use dingtalk_core::{CorpId, ExposeSecret, SecretString, UnionId, UserId};
use dingtalk_test_support::TempDir;

const ACCESS: &str = "acc-CANARY-1234567890";
const REFRESH: &str = "ref-CANARY-0987654321";

fn session(user: &str) -> Session {
    Session {
        corp_id: CorpId::new("dingcorp"),
        user_id: UserId::new(user),
        union_id: Some(UnionId::new(format!("union-{user}"))),
        user_name: "Alice".into(),
        client_id: "dingapp".into(),
        tokens: UserTokens::new(
            SecretString::from(ACCESS),
            Some(SecretString::from(REFRESH)),
            4_000_000_000_000,
            Some(4_100_000_000_000),
            Some(CorpId::new("dingcorp")),
        ),
        updated_at_ms: 1,
        last_refresh: None,
    }
}

fn open(dir: &std::path::Path) -> TokenStore {
    TokenStore::open(
        dir.join("store"),
        Box::new(FileKey::new(dir.join("keys").join("dek"))),
    )
    .unwrap()
}

#[test]
fn round_trip_and_file_bytes_contain_no_token() {
    let dir = TempDir::new("dingtalk-auth-store");
    let store = open(dir.path());
    store.put(&session("u1")).unwrap();
    let back = store.get("dingcorp:u1").unwrap().unwrap();
    assert_eq!(back.tokens.access_token().expose_secret(), ACCESS);
    assert_eq!(back.tokens.refresh_token().unwrap().expose_secret(), REFRESH);
    assert_eq!(back.user_name, "Alice");
    assert_eq!(store.identities().unwrap(), vec!["dingcorp:u1".to_owned()]);
    for file in walk(dir.path()) {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("CANARY"), "token in {}", file.display());
    }
    assert!(store.get("dingcorp:nobody").unwrap().is_none());
    assert!(store.remove("dingcorp:u1").unwrap());
    assert!(store.get("dingcorp:u1").unwrap().is_none());
}

#[test]
fn client_secrets_are_sealed_apart_from_sessions() {
    const SECRET: &str = "app-secret-CANARY-42";
    let dir = TempDir::new("dingtalk-auth-store");
    let store = open(dir.path());
    assert!(store.client_secret("dingapp").unwrap().is_none());
    store
        .put_client_secret("dingapp", &SecretString::from(SECRET))
        .unwrap();
    store.put(&session("u1")).unwrap();
    assert_eq!(
        store.client_secret("dingapp").unwrap().unwrap().expose_secret(),
        SECRET
    );
    assert!(store.client_secret("other").unwrap().is_none());
    // Not a session: not listed, not exported.
    assert_eq!(store.identities().unwrap(), vec!["dingcorp:u1".to_owned()]);
    for file in walk(dir.path()) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(!text.contains("CANARY"), "secret in {}", file.display());
    }
    // A sealed secret moved under another client id does not open.
    let path = dir.path().join("store").join("tokens.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("\"dingapp\":", "\"otherapp\":")).unwrap();
    assert_eq!(
        store.client_secret("otherapp").unwrap_err().kind(),
        ErrorKind::StoreUnreadable
    );
    std::fs::write(&path, text).unwrap();
    assert!(store.remove_client_secret("dingapp").unwrap());
    assert!(!store.remove_client_secret("dingapp").unwrap());
    assert!(store.client_secret("dingapp").unwrap().is_none());
    assert_eq!(
        store
            .put_client_secret("dingapp", &SecretString::from(""))
            .unwrap_err()
            .kind(),
        ErrorKind::Invalid
    );
}

#[cfg(unix)]
#[test]
fn files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("dingtalk-auth-store");
    let store = open(dir.path());
    store.put(&session("u1")).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.path().join("store/tokens.json")), 0o600);
    assert_eq!(mode(&dir.path().join("store")), 0o700);
    assert_eq!(mode(&dir.path().join("keys/dek")), 0o600);
    assert_eq!(mode(&dir.path().join("keys")), 0o700);
}

#[test]
fn corrupt_or_foreign_files_are_errors_and_are_never_overwritten() {
    let dir = TempDir::new("dingtalk-auth-store");
    let store = open(dir.path());
    let path = dir.path().join("store/tokens.json");
    for content in [
        &b"not json at all"[..],
        br#"{"format":"someone-else","version":1,"records":{}}"#,
    ] {
        std::fs::write(&path, content).unwrap();
        assert_eq!(
            store.get("dingcorp:u1").unwrap_err().kind(),
            ErrorKind::StoreUnreadable
        );
        assert_eq!(
            store.put(&session("u1")).unwrap_err().kind(),
            ErrorKind::StoreUnreadable
        );
        assert_eq!(std::fs::read(&path).unwrap(), content, "file was modified");
    }
}

#[test]
fn records_sealed_under_another_key_are_never_overwritten() {
    let dir = TempDir::new("dingtalk-auth-store");
    open(dir.path()).put(&session("u1")).unwrap();
    let before = std::fs::read(dir.path().join("store/tokens.json")).unwrap();
    // The key is lost (e.g. a keyring was reset) and a different one appears.
    std::fs::remove_file(dir.path().join("keys/dek")).unwrap();
    let store = open(dir.path());
    assert_eq!(
        store.get("dingcorp:u1").unwrap_err().kind(),
        ErrorKind::StoreUnreadable
    );
    assert_eq!(
        store.put(&session("u2")).unwrap_err().kind(),
        ErrorKind::StoreUnreadable
    );
    FileKey::new(dir.path().join("keys/dek"))
        .save(&dingtalk_auth::store::DataKey::generate())
        .unwrap();
    assert_eq!(
        store.get("dingcorp:u1").unwrap_err().kind(),
        ErrorKind::StoreUnreadable
    );
    assert_eq!(
        store.put(&session("u2")).unwrap_err().kind(),
        ErrorKind::StoreUnreadable
    );
    assert_eq!(
        std::fs::read(dir.path().join("store/tokens.json")).unwrap(),
        before
    );
}

#[test]
fn a_record_cannot_be_moved_to_another_slot() {
    let dir = TempDir::new("dingtalk-auth-store");
    let store = open(dir.path());
    store.put(&session("u1")).unwrap();
    let path = dir.path().join("store/tokens.json");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("dingcorp:u1", "dingcorp:u9");
    std::fs::write(&path, text).unwrap();
    assert_eq!(
        store.get("dingcorp:u9").unwrap_err().kind(),
        ErrorKind::StoreUnreadable
    );
}

#[test]
fn export_and_import_with_a_passphrase() {
    let dir = TempDir::new("dingtalk-auth-store");
    let store = open(dir.path());
    store.put(&session("u1")).unwrap();
    store.put(&session("u2")).unwrap();
    let pass = SecretString::from("correct horse battery");
    let bundle = store.export(&pass, &[]).unwrap();
    assert!(!String::from_utf8_lossy(&bundle).contains("CANARY"));
    assert!(String::from_utf8_lossy(&bundle).contains("600000"));
    assert_eq!(
        store
            .export(&SecretString::from("short"), &[])
            .unwrap_err()
            .kind(),
        ErrorKind::Invalid
    );

    let other = TempDir::new("dingtalk-auth-store");
    let target = open(other.path());
    let wrong = target
        .import(&bundle, &SecretString::from("wrong passphrase"), false)
        .unwrap_err();
    assert_eq!(wrong.kind(), ErrorKind::BadPassphrase);
    let mut imported = target.import(&bundle, &pass, false).unwrap();
    imported.sort();
    assert_eq!(imported, vec!["dingcorp:u1".to_owned(), "dingcorp:u2".to_owned()]);
    assert_eq!(
        target
            .get("dingcorp:u2")
            .unwrap()
            .unwrap()
            .tokens
            .access_token()
            .expose_secret(),
        ACCESS
    );
    assert_eq!(
        target.import(&bundle, &pass, false).unwrap_err().kind(),
        ErrorKind::Invalid
    );
    assert_eq!(target.import(&bundle, &pass, true).unwrap().len(), 2);
    assert_eq!(
        target.import(b"garbage", &pass, true).unwrap_err().kind(),
        ErrorKind::BadPassphrase
    );
}

#[test]
fn debug_output_is_redacted() {
    let s = session("u1");
    let shown = format!("{s:?}");
    assert!(!shown.contains("CANARY"), "{shown}");
    let dir = TempDir::new("dingtalk-auth-store");
    let store = Arc::new(open(dir.path()));
    assert!(!format!("{store:?}").contains("CANARY"));
    assert!(!format!("{:?}", dingtalk_auth::store::DataKey::generate()).contains('['));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
