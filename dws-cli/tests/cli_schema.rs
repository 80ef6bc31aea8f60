//! Golden snapshot of `dws schema --all`. Set `DWS_UPDATE_SNAPSHOTS=1` to rewrite it.

use std::process::Command;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/schema_all.json");

#[test]
fn schema_all_matches_the_snapshot() {
    let out = Command::new(env!("CARGO_BIN_EXE_dws"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(["schema", "--all", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pretty = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    if std::env::var("DWS_UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(SNAPSHOT, &pretty).unwrap();
        return;
    }
    let want = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    assert!(
        pretty == want,
        "schema drifted from {SNAPSHOT}; rerun with DWS_UPDATE_SNAPSHOTS=1 and review the diff"
    );
}
