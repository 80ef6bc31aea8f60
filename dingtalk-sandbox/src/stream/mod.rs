//! The Stream gateway: `connections/open`, the WebSocket, delivery, acks and redelivery.

pub(crate) mod delivery;
pub(crate) mod frames;
pub(crate) mod gateway;
pub(crate) mod ws;

/// The bot message topic.
pub(crate) const BOT_TOPIC: &str = "/v1.0/im/bot/messages/get";
/// The card action callback topic.
pub(crate) const CARD_TOPIC: &str = "/v1.0/card/instances/callback";

/// Stream delivery switches (see the `SandboxBuilder` setters).
#[derive(Debug, Clone)]
pub(crate) struct Switches {
    /// Re-queue a lost connection's unacked pushes at once, ahead of newer pushes of their route.
    pub(crate) ordered_redelivery: bool,
    /// The first redelivery of an unacked push comes after this delay instead of `redelivery_after`.
    pub(crate) early_redelivery: Option<std::time::Duration>,
    /// Every n-th push is pushed once more after its first ack (same `data`, new `messageId`).
    pub(crate) spontaneous_duplicate_every: Option<u64>,
    /// `SocketFault::Drop` simulates a client network loss: the server keeps routing pushes to the dead
    /// connection for this long, and they are lost until the redelivery timer.
    pub(crate) stale_channel: Option<std::time::Duration>,
}

impl Default for Switches {
    fn default() -> Self {
        Self {
            ordered_redelivery: true,
            early_redelivery: None,
            spontaneous_duplicate_every: None,
            stale_channel: None,
        }
    }
}
