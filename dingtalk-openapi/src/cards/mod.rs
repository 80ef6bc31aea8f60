//! AI and interactive cards: create and deliver, create, deliver, update variables, streaming updates.

mod checks;
mod create_and_deliver_card;
mod create_card;
mod deliver_card;
mod model;
mod update_card;
mod update_card_streaming;

pub use create_and_deliver_card::{
    CreateAndDeliverCard, CreateAndDeliverCardResponse, CreateAndDeliverResult,
};
pub use create_card::{CreateCard, CreateCardResponse};
pub use deliver_card::{DeliverCard, DeliverCardResponse};
pub use model::{CallbackType, CardParamMap, DeliverResult, MAX_CARD_KEY_BYTES, OpenSpaceId};
pub use update_card::{UpdateCard, UpdateCardResponse};
pub use update_card_streaming::UpdateCardStreaming;
