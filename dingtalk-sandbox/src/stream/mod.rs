//! The Stream gateway: `connections/open`, the WebSocket, delivery, acks and redelivery.

pub(crate) mod delivery;
pub(crate) mod frames;
pub(crate) mod gateway;
pub(crate) mod ws;

/// The bot message topic.
pub(crate) const BOT_TOPIC: &str = "/v1.0/im/bot/messages/get";
/// The card action callback topic.
pub(crate) const CARD_TOPIC: &str = "/v1.0/card/instances/callback";
