//! Test helpers shared by the workspace's integration tests (never used from `#[cfg(test)]` inside a crate it
//! depends on, which would link two copies of that crate).
//!
//! * [`strict_server`]: a wiremock server whose unmatched requests fail loudly with HTTP 418 (never retried);
//! * [`fixture`]: loads `tests/fixtures/<product>/<operation>.<outcome>.json` of the calling crate;
//! * [`ManualClock`]: a [`Clock`] moved by hand;
//! * [`assert_redacted`]: checks that a secret never shows up in a rendering.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use dingtalk_core::Clock;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A mock server whose unmatched requests get HTTP 418 with `unexpected METHOD PATH`, so a test that sends an
/// unplanned request fails on an assertion instead of passing by accident.
pub async fn strict_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(|req: &Request| {
            ResponseTemplate::new(418).set_body_string(format!(
                "unexpected {} {}",
                req.method,
                req.url.path()
            ))
        })
        .with_priority(u8::MAX)
        .named("catch-all: unexpected request")
        .mount(&server)
        .await;
    server
}

/// Reads `tests/fixtures/<name>` of the crate under test (`CARGO_MANIFEST_DIR` is the crate's directory when
/// cargo runs its tests).
///
/// # Panics
///
/// When the fixture is missing or not JSON: a broken fixture is a test bug.
#[expect(
    clippy::expect_used,
    reason = "test helper: a missing fixture must fail the test loudly"
)]
pub fn fixture(name: &str) -> serde_json::Value {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from("."), PathBuf::from);
    let path = dir.join("tests").join("fixtures").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture is valid JSON")
}

/// Asserts that `rendered` does not contain `secret`.
///
/// # Panics
///
/// When it does.
pub fn assert_redacted(rendered: &str, secret: &str) {
    assert!(!secret.is_empty(), "empty canary secret");
    assert!(!rendered.contains(secret), "secret leaked into: {rendered}");
}

/// A clock moved only by [`ManualClock::advance`].
#[derive(Debug)]
pub struct ManualClock {
    state: Mutex<(Instant, SystemTime)>,
}

impl ManualClock {
    /// A clock starting at a fixed instant and at wall time 2026-03-21T00:00:00Z.
    #[expect(
        clippy::disallowed_methods,
        reason = "a starting point for a manual clock in tests"
    )]
    pub fn new() -> Self {
        let wall = UNIX_EPOCH + Duration::from_hours(492_792);
        Self {
            state: Mutex::new((Instant::now(), wall)),
        }
    }

    /// Moves both readings forward.
    pub fn advance(&self, by: Duration) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.0 += by;
        state.1 += by;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .0
    }

    fn wall(&self) -> SystemTime {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .1
    }
}

/// A temporary directory removed on drop (no extra dependency).
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A fresh, empty directory under the system temp dir, named after `prefix`, the process and a counter.
    ///
    /// # Panics
    ///
    /// When the directory cannot be created.
    pub fn new(prefix: &str) -> Self {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "{prefix}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            panic!("creating {}: {e}", dir.display());
        }
        Self(dir)
    }

    /// The directory.
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
