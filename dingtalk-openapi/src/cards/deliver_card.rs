//! `POST /v1.0/card/instances/deliver`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, OutTrackId, RobotCode};
use serde::{Deserialize, Serialize};

use crate::cards::model::{DeliverModels, check_deliveries};
use crate::cards::{DeliverResult, OpenSpaceId};
use crate::error::Error;
use crate::macros::call_setters;

/// Delivers an existing card to more spaces: `POST /v1.0/card/instances/deliver`.
///
/// DingTalk's `DeliverCardRequest` carries deliver models only; the space models that register the card for
/// `IM_GROUP` / `IM_ROBOT` spaces are given when the card is created
/// ([`CreateCard::for_spaces`](crate::cards::CreateCard::for_spaces)).
///
/// DingTalk docs: <https://open.dingtalk.com/document/orgapp/delivery-card-interface>. Failed deliveries on HTTP
/// 200 are in the response ([`DeliverCardResponse::into_delivered`]). Idempotent.
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::{OutTrackId, RobotCode, UserId};
/// use dingtalk_openapi::cards::OpenSpaceId;
/// let space = OpenSpaceId::im_robot(&UserId::new("manager432"));
/// client.cards().deliver_card(OutTrackId::new("card-1"), space).robot_code(RobotCode::new("dingbot")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliverCard {
    out_track_id: OutTrackId,
    open_space_id: OpenSpaceId,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id_type: Option<u8>,
    #[serde(flatten)]
    models: DeliverModels,
}

impl DeliverCard {
    /// Delivers card `out_track_id` to `open_space_id`.
    pub fn new(out_track_id: OutTrackId, open_space_id: OpenSpaceId) -> Self {
        Self {
            out_track_id,
            open_space_id,
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

    /// Reads `IM_ROBOT` space ids as union ids (`userIdType` 2).
    #[must_use]
    pub fn union_id_spaces(mut self) -> Self {
        self.user_id_type = Some(2);
        self
    }
}

/// The answer to [`DeliverCard`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeliverCardResponse {
    /// Whether the call succeeded.
    pub success: Option<bool>,
    /// One result per space.
    #[serde(default)]
    pub result: Vec<DeliverResult>,
}

impl DeliverCardResponse {
    /// `Ok(self)` when every delivery succeeded, else an error with code `card.deliverFailed`.
    pub fn into_delivered(self) -> Result<Self, Error> {
        check_deliveries(&self.result).map(|()| self)
    }
}

impl Endpoint for DeliverCard {
    type Response = DeliverCardResponse;
    const METHOD: Method = Method::Post;
    const HOST: ApiHost = ApiHost::V1;
    const IDEMPOTENT: bool = true;

    fn route(&self) -> &'static str {
        "/v1.0/card/instances/deliver"
    }

    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("/v1.0/card/instances/deliver")
    }

    fn body(&self) -> Result<Body, Error> {
        Body::json(self)
    }

    fn validate(&self) -> Result<(), Error> {
        super::checks::out_track(&self.out_track_id)?;
        self.open_space_id.validate()?;
        self.models.check(&self.open_space_id)
    }
}

call_setters!(DeliverCard {
    robot_code(robot_code: RobotCode),
    union_id_spaces(),
});
