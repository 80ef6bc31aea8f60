//! Runnable programs for the DingTalk workspace. Each example starts an embedded sandbox unless it is given base
//! URLs and credentials, so it runs on a fresh machine: `cargo run -p examples --example quickstart`.
//! `tests/run_examples.rs` runs every example against the sandbox.
