//! `POST /v1.0/card/instances`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, CardTemplateId, Endpoint, Method, OutTrackId};
use serde::{Deserialize, Serialize};

use crate::cards::model::{CardData, SpaceModels};
use crate::cards::{CallbackType, CardParamMap, OpenSpaceId};
use crate::error::Error;
use crate::macros::call_setters;

/// Creates a card without delivering it: `POST /v1.0/card/instances`. Deliver it later with
/// [`DeliverCard`](crate::cards::DeliverCard).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/create-card-instances>. Idempotent by `outTrackId`.
/// A card meant for a group or a robot chat is registered for those spaces here, with
/// [`for_spaces`](Self::for_spaces) (`imGroupOpenSpaceModel` / `imRobotOpenSpaceModel`): `DeliverCard` has no
/// space models, and DingTalk's own two-step flow (the Stream SDK's card replier) sends them at creation.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{CardTemplateId, OpenConversationId, OutTrackId, RobotCode};
/// use dingtalk_openapi::cards::{CardParamMap, OpenSpaceId};
/// let space = OpenSpaceId::im_group(&OpenConversationId::new("cid1=="));
/// let cards = client.cards();
/// cards.create_card(CardTemplateId::new("tpl.schema"), OutTrackId::new("card-1"), CardParamMap::new())
///     .for_spaces(&space)
///     .await?;
/// cards.deliver_card(OutTrackId::new("card-1"), space).robot_code(RobotCode::new("dingbot")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCard {
    card_template_id: CardTemplateId,
    out_track_id: OutTrackId,
    card_data: CardData,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_type: Option<CallbackType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_route_key: Option<String>,
    #[serde(flatten)]
    spaces: SpaceModels,
}

impl CreateCard {
    /// A card from `card_template_id` with variables `card_data`.
    pub fn new(card_template_id: CardTemplateId, out_track_id: OutTrackId, card_data: CardParamMap) -> Self {
        Self {
            card_template_id,
            out_track_id,
            card_data: CardData {
                card_param_map: card_data,
            },
            callback_type: None,
            callback_route_key: None,
            spaces: SpaceModels::default(),
        }
    }

    /// Registers the card for the `IM_GROUP` / `IM_ROBOT` spaces of `space` (`imGroupOpenSpaceModel`,
    /// `imRobotOpenSpaceModel`, forwarding allowed) so a later [`DeliverCard`](crate::cards::DeliverCard) can
    /// deliver it there. Other space types in `space` add nothing.
    #[must_use]
    pub fn for_spaces(mut self, space: &OpenSpaceId) -> Self {
        self.spaces = SpaceModels::for_spaces(space);
        self
    }

    /// How card interactions reach the app.
    #[must_use]
    pub fn callback_type(mut self, callback_type: CallbackType) -> Self {
        self.callback_type = Some(callback_type);
        self
    }

    /// The route key of a registered HTTP callback.
    #[must_use]
    pub fn callback_route_key(mut self, key: impl Into<String>) -> Self {
        self.callback_route_key = Some(key.into());
        self
    }
}

/// The answer to [`CreateCard`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateCardResponse {
    /// Whether the call succeeded.
    pub success: Option<bool>,
    /// The `result` text.
    pub result: Option<String>,
}

impl Endpoint for CreateCard {
    type Response = CreateCardResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/card/instances"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/card/instances")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        super::checks::card_ids(&self.card_template_id, &self.out_track_id)?;
        self.card_data.card_param_map.validate()
    }
}

call_setters!(CreateCard {
    for_spaces(space: &OpenSpaceId),
    callback_type(callback_type: CallbackType),
    callback_route_key(key: impl Into<String>),
});
