//! `POST /v1.0/card/instances/createAndDeliver`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, CardTemplateId, Endpoint, Method, OutTrackId, RobotCode};
use serde::{Deserialize, Serialize};

use crate::cards::model::{CardData, DeliverModels, SpaceModels, check_deliveries};
use crate::cards::{CallbackType, CardParamMap, DeliverResult, OpenSpaceId};
use crate::error::Error;
use crate::macros::call_setters;

/// Creates an AI/interactive card and delivers it: `POST /v1.0/card/instances/createAndDeliver`.
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/create-and-deliver-cards>. A delivery can fail
/// inside HTTP 200: check [`CreateAndDeliverCardResponse::failed_deliveries`] or call
/// [`into_delivered`](CreateAndDeliverCardResponse::into_delivered). Idempotent by `outTrackId` (a repeat cannot
/// create a second card).
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{CardTemplateId, OpenConversationId, OutTrackId, RobotCode};
/// use dingtalk_openapi::cards::{CardParamMap, OpenSpaceId};
/// let space = OpenSpaceId::im_group(&OpenConversationId::new("cid1=="));
/// let data = CardParamMap::new().with("content", "thinking…");
/// client.cards()
///     .create_and_deliver_card(CardTemplateId::new("tpl.schema"), OutTrackId::new("card-1"), data, space)
///     .robot_code(RobotCode::new("dingbot"))
///     .await?
///     .into_delivered()?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAndDeliverCard {
    card_template_id: CardTemplateId,
    out_track_id: OutTrackId,
    card_data: CardData,
    open_space_id: OpenSpaceId,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_type: Option<CallbackType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_route_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id_type: Option<u8>,
    #[serde(flatten)]
    spaces: SpaceModels,
    #[serde(flatten)]
    models: DeliverModels,
}

impl CreateAndDeliverCard {
    /// A card from `card_template_id` with variables `card_data`, delivered to `open_space_id`.
    pub fn new(
        card_template_id: CardTemplateId,
        out_track_id: OutTrackId,
        card_data: CardParamMap,
        open_space_id: OpenSpaceId,
    ) -> Self {
        Self {
            card_template_id,
            out_track_id,
            card_data: CardData {
                card_param_map: card_data,
            },
            spaces: SpaceModels::for_spaces(&open_space_id),
            open_space_id,
            callback_type: None,
            callback_route_key: None,
            user_id_type: None,
            models: DeliverModels::default(),
        }
    }

    /// The robot that delivers into the `IM_GROUP` / `IM_ROBOT` spaces (required for them).
    #[must_use]
    pub fn robot_code(mut self, robot_code: RobotCode) -> Self {
        self.models = DeliverModels::for_robot(&self.open_space_id, robot_code);
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

    /// Reads `IM_ROBOT` space ids as union ids (`userIdType` 2) instead of user ids.
    #[must_use]
    pub fn union_id_spaces(mut self) -> Self {
        self.user_id_type = Some(2);
        self
    }
}

/// The answer to [`CreateAndDeliverCard`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateAndDeliverCardResponse {
    /// Whether the call succeeded.
    pub success: Option<bool>,
    /// The card and its per-space deliveries.
    #[serde(default)]
    pub result: CreateAndDeliverResult,
}

/// The `result` of [`CreateAndDeliverCardResponse`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateAndDeliverResult {
    /// The card id.
    pub out_track_id: Option<OutTrackId>,
    /// One result per space.
    #[serde(default)]
    pub deliver_results: Vec<DeliverResult>,
}

impl CreateAndDeliverCardResponse {
    /// Deliveries that failed.
    pub fn failed_deliveries(&self) -> impl Iterator<Item = &DeliverResult> {
        self.result.deliver_results.iter().filter(|r| !r.success)
    }

    /// `Ok(self)` when every delivery succeeded, else an [`ErrorKind::Api`](crate::ErrorKind::Api) error with code
    /// `card.deliverFailed`.
    pub fn into_delivered(self) -> Result<Self, Error> {
        check_deliveries(&self.result.deliver_results).map(|()| self)
    }
}

impl Endpoint for CreateAndDeliverCard {
    type Response = CreateAndDeliverCardResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/card/instances/createAndDeliver"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/card/instances/createAndDeliver")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        super::checks::card_ids(&self.card_template_id, &self.out_track_id)?;
        self.card_data.card_param_map.validate()?;
        self.open_space_id.validate()?;
        self.models.check(&self.open_space_id)
    }
}

call_setters!(CreateAndDeliverCard {
    robot_code(robot_code: RobotCode),
    callback_type(callback_type: CallbackType),
    callback_route_key(key: impl Into<String>),
    union_id_spaces(),
});
