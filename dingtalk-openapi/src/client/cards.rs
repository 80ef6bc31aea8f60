//! The `client.cards()` namespace.

use dingtalk_core::{CardTemplateId, OutTrackId};

use crate::cards::{
    CardParamMap, CreateAndDeliverCard, CreateCard, DeliverCard, OpenSpaceId, UpdateCard, UpdateCardStreaming,
};
use crate::client::{Call, Client};

/// AI and interactive cards; from [`Client::cards`].
#[derive(Clone, Copy, Debug)]
pub struct Cards<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Cards<'c> {
    /// [`CreateAndDeliverCard`]: creates a card and delivers it.
    pub fn create_and_deliver_card(
        self,
        card_template_id: CardTemplateId,
        out_track_id: OutTrackId,
        card_data: CardParamMap,
        open_space_id: OpenSpaceId,
    ) -> Call<'c, CreateAndDeliverCard> {
        self.client.call(CreateAndDeliverCard::new(
            card_template_id,
            out_track_id,
            card_data,
            open_space_id,
        ))
    }

    /// [`CreateCard`]: creates a card without delivering it.
    pub fn create_card(
        self,
        card_template_id: CardTemplateId,
        out_track_id: OutTrackId,
        card_data: CardParamMap,
    ) -> Call<'c, CreateCard> {
        self.client
            .call(CreateCard::new(card_template_id, out_track_id, card_data))
    }

    /// [`DeliverCard`]: delivers an existing card.
    pub fn deliver_card(self, out_track_id: OutTrackId, open_space_id: OpenSpaceId) -> Call<'c, DeliverCard> {
        self.client.call(DeliverCard::new(out_track_id, open_space_id))
    }

    /// [`UpdateCard`]: merges (or replaces) card variables.
    pub fn update_card(self, out_track_id: OutTrackId, card_data: CardParamMap) -> Call<'c, UpdateCard> {
        self.client.call(UpdateCard::new(out_track_id, card_data))
    }

    /// [`UpdateCardStreaming`]: streams text into a card variable.
    pub fn update_card_streaming(
        self,
        out_track_id: OutTrackId,
        guid: impl Into<String>,
        key: impl Into<String>,
        content: impl Into<String>,
    ) -> Call<'c, UpdateCardStreaming> {
        self.client
            .call(UpdateCardStreaming::new(out_track_id, guid, key, content))
    }
}
