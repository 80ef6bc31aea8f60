#![doc = include_str!("../README.md")]
#![expect(
    clippy::result_large_err,
    reason = "handlers return ready DingTalk error responses; errors are cold paths"
)]

mod admin;
mod cards;
mod clock;
mod config;
mod contact;
mod control;
mod envelope;
mod error;
mod faults;
mod handle;
mod media;
pub mod model;
mod oauth;
pub mod org;
mod persist;
mod products;
mod redact;
mod registry;
mod robot;
mod server;
mod state;
mod stream;
mod tokens;
mod webhook;

pub use cards::CardTemplate;
pub use config::{
    App, Config, DEFAULT_DISCONNECT_CLOSE_AFTER, DEFAULT_MAX_REDELIVERIES, DEFAULT_REDELIVERY_AFTER,
    DEFAULT_SERVER_PING_INTERVAL, DEFAULT_SESSION_WEBHOOK_TTL, DEFAULT_TICKET_TTL, DEFAULT_TOKEN_TTL,
    Distribution, SandboxBuilder,
};
pub use error::{Error, ErrorKind};
pub use handle::{ControlError, SandboxHandle};
pub use model::{
    Burst, CardCallbackResult, CardView, Fault, FaultRule, InjectCardCallback, InjectEvent, InjectMessage,
    Injected, OutboxEntry, PushRecord, RequestRecord, SocketFault, Stats,
};
pub use oauth::{AuthorizeMode, LoginSettings};
pub use org::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_CORP_ID};
pub use registry::ALL_SCOPES;
pub use webhook::{DEMO_WEBHOOK_SECRET, DEMO_WEBHOOK_TOKEN, WebhookRobot};

/// Entry point: `Sandbox::builder()...start().await`.
#[derive(Debug, Clone, Copy)]
pub struct Sandbox;

impl Sandbox {
    /// A builder with every default (127.0.0.1:0, the demo app, 7200 s tokens, ...).
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// Starts a sandbox with every default.
    pub async fn start() -> Result<SandboxHandle, Error> {
        Self::builder().start().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn handle_and_start_future_can_cross_threads() {
        assert_send_sync::<SandboxHandle>();
        assert_send_sync::<Error>();
        let fut = Sandbox::builder().start();
        assert_send(&fut);
        drop(fut);
    }
}
