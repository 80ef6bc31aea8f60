//! `PUT /v1.0/card/instances`.

use std::borrow::Cow;

use dingtalk_core::{ApiHost, Body, Endpoint, Method, OutTrackId};
use serde::{Deserialize, Serialize};

use crate::cards::CardParamMap;
use crate::cards::model::CardData;
use crate::error::Error;
use crate::macros::call_setters;

/// Updates a card's variables: `PUT /v1.0/card/instances`.
///
/// By default the given variables are merged by key (`cardUpdateOptions.updateCardDataByKey: true`); call
/// [`replace_all`](Self::replace_all) to replace the whole map. DingTalk docs:
/// <https://open.dingtalk.com/document/orgapp/interactive-card-update-interface>. Idempotent (full-state PUT).
///
/// ```no_run
/// # async fn run(client: dingtalk_openapi::Client) -> Result<(), dingtalk_openapi::Error> {
/// use dingtalk_core::OutTrackId;
/// use dingtalk_openapi::cards::CardParamMap;
/// client.cards().update_card(OutTrackId::new("card-1"), CardParamMap::new().with("flowStatus", "3")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCard {
    out_track_id: OutTrackId,
    card_data: CardData,
    card_update_options: UpdateOptions,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct UpdateOptions {
    update_card_data_by_key: bool,
}

impl UpdateCard {
    /// Merges `card_data` into card `out_track_id`'s variables.
    pub fn new(out_track_id: OutTrackId, card_data: CardParamMap) -> Self {
        Self {
            out_track_id,
            card_data: CardData {
                card_param_map: card_data,
            },
            card_update_options: UpdateOptions {
                update_card_data_by_key: true,
            },
        }
    }

    /// Replaces the whole variable map instead of merging by key.
    #[must_use]
    pub fn replace_all(mut self) -> Self {
        self.card_update_options.update_card_data_by_key = false;
        self
    }
}

/// The answer to a card update: `{"success": true, "result": true}`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateCardResponse {
    /// Whether the call succeeded.
    pub success: Option<bool>,
    /// Whether the update was applied.
    pub result: Option<bool>,
}

impl Endpoint for UpdateCard {
    type Response = UpdateCardResponse;
    const METHOD: Method = Method::Put;
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
        super::checks::out_track(&self.out_track_id)?;
        self.card_data.card_param_map.validate()
    }
}

call_setters!(UpdateCard { replace_all() });
