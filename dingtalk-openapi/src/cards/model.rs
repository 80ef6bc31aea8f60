//! Card data shared by the card endpoints: [`CardParamMap`], [`OpenSpaceId`], deliver results.

use std::collections::BTreeMap;
use std::fmt;

use dingtalk_core::{OpenConversationId, RobotCode, UserId};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The longest card variable name, in bytes.
pub const MAX_CARD_KEY_BYTES: usize = 100;

/// Card variables: DingTalk accepts **strings only**, so the map is string to string by type (numbers and booleans
/// are stringified, lists JSON-encoded). Values above 1 KB are accepted here but DingTalk advises against them.
///
/// ```
/// use dingtalk_openapi::cards::CardParamMap;
/// let data = CardParamMap::new().with("title", "Build").with("count", 3.to_string());
/// assert_eq!(serde_json::to_string(&data).unwrap(), r#"{"count":"3","title":"Build"}"#);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CardParamMap(BTreeMap<String, String>);

impl CardParamMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value`.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.0.insert(key.into(), value.into());
        self
    }

    /// A copy with `key` set to `value`.
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.insert(key, value);
        self
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// The number of variables.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no variables.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Checks the key length cap.
    pub fn validate(&self) -> Result<(), Error> {
        for key in self.0.keys() {
            if key.is_empty() || key.len() > MAX_CARD_KEY_BYTES {
                return Err(Error::validation(format!(
                    "card variable names are 1 to {MAX_CARD_KEY_BYTES} bytes"
                )));
            }
        }
        Ok(())
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for CardParamMap {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self(iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

/// `cardData`: `{"cardParamMap": {…}}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CardData {
    pub(crate) card_param_map: CardParamMap,
}

/// Where a card is delivered: `dtv1.card//` + `<SPACE_TYPE>.<spaceId>` entries joined by `;`.
///
/// ```
/// use dingtalk_core::{OpenConversationId, UserId};
/// use dingtalk_openapi::cards::OpenSpaceId;
/// let space = OpenSpaceId::im_group(&OpenConversationId::new("cid1=="));
/// assert_eq!(space.as_str(), "dtv1.card//IM_GROUP.cid1==");
/// let both = space.and_im_robot(&UserId::new("manager432"));
/// assert_eq!(both.as_str(), "dtv1.card//IM_GROUP.cid1==;IM_ROBOT.manager432");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct OpenSpaceId(String);

impl OpenSpaceId {
    const PREFIX: &'static str = "dtv1.card//";

    /// A group chat (`IM_GROUP.<openConversationId>`).
    pub fn im_group(chat: &OpenConversationId) -> Self {
        Self::single("IM_GROUP", chat.as_str())
    }

    /// A robot's one-to-one chat with a user (`IM_ROBOT.<userId>`).
    pub fn im_robot(user: &UserId) -> Self {
        Self::single("IM_ROBOT", user.as_str())
    }

    /// A copy that also delivers to a group chat.
    #[must_use]
    pub fn and_im_group(self, chat: &OpenConversationId) -> Self {
        self.and("IM_GROUP", chat.as_str())
    }

    /// A copy that also delivers to a robot one-to-one chat.
    #[must_use]
    pub fn and_im_robot(self, user: &UserId) -> Self {
        self.and("IM_ROBOT", user.as_str())
    }

    /// An id written elsewhere, kept as given.
    pub fn from_raw(raw: impl Into<String>) -> Self {
        Self(raw.into())
    }

    /// The wire text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a space of `space_type` (compared case-insensitively) is included.
    pub fn has(&self, space_type: &str) -> bool {
        self.0
            .trim_start_matches(Self::PREFIX)
            .split(';')
            .filter_map(|entry| entry.split_once('.'))
            .any(|(kind, _)| kind.eq_ignore_ascii_case(space_type))
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        let body = self
            .0
            .strip_prefix(Self::PREFIX)
            .ok_or_else(|| Error::validation("openSpaceId must start with dtv1.card//"))?;
        if body
            .split(';')
            .filter(|e| !e.is_empty())
            .any(|e| !e.contains('.'))
            || body.is_empty()
        {
            return Err(Error::validation(
                "openSpaceId entries are <SPACE_TYPE>.<spaceId>",
            ));
        }
        Ok(())
    }

    fn single(kind: &str, id: &str) -> Self {
        Self(format!("{}{kind}.{id}", Self::PREFIX))
    }

    fn and(mut self, kind: &str, id: &str) -> Self {
        self.0.push(';');
        self.0.push_str(kind);
        self.0.push('.');
        self.0.push_str(id);
        self
    }
}

impl fmt::Display for OpenSpaceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How card interactions reach the app (`callbackType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum CallbackType {
    /// Through the Stream connection (`/v1.0/card/instances/callback`).
    Stream,
    /// Through a registered HTTP callback URL.
    Http,
}

/// The space models (`imGroupOpenSpaceModel`, `imRobotOpenSpaceModel`) that register a card for the robot spaces
/// of an [`OpenSpaceId`]. They belong to the card, so they go on `CreateCard` / `CreateAndDeliverCard`;
/// `DeliverCardRequest` has no such fields.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct SpaceModels {
    #[serde(rename = "imGroupOpenSpaceModel", skip_serializing_if = "Option::is_none")]
    pub(crate) group_space: Option<SpaceModel>,
    #[serde(rename = "imRobotOpenSpaceModel", skip_serializing_if = "Option::is_none")]
    pub(crate) robot_space: Option<SpaceModel>,
}

impl SpaceModels {
    /// A model for every robot space (`IM_GROUP`, `IM_ROBOT`) in `space`.
    pub(crate) fn for_spaces(space: &OpenSpaceId) -> Self {
        let model = || SpaceModel {
            support_forward: true,
        };
        Self {
            group_space: space.has("IM_GROUP").then(model),
            robot_space: space.has("IM_ROBOT").then(model),
        }
    }
}

/// The deliver models for the robot spaces of an [`OpenSpaceId`].
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct DeliverModels {
    #[serde(rename = "imGroupOpenDeliverModel", skip_serializing_if = "Option::is_none")]
    pub(crate) group_deliver: Option<GroupDeliverModel>,
    #[serde(rename = "imRobotOpenDeliverModel", skip_serializing_if = "Option::is_none")]
    pub(crate) robot_deliver: Option<RobotDeliverModel>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SpaceModel {
    pub(crate) support_forward: bool,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GroupDeliverModel {
    pub(crate) robot_code: RobotCode,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) at_user_ids: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) recipients: Vec<UserId>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RobotDeliverModel {
    pub(crate) space_type: &'static str,
    pub(crate) robot_code: RobotCode,
}

impl DeliverModels {
    /// Models for every robot space in `space`, delivered by `robot_code`.
    pub(crate) fn for_robot(space: &OpenSpaceId, robot_code: RobotCode) -> Self {
        let mut models = Self::default();
        if space.has("IM_GROUP") {
            models.group_deliver = Some(GroupDeliverModel {
                robot_code: robot_code.clone(),
                at_user_ids: BTreeMap::new(),
                recipients: Vec::new(),
            });
        }
        if space.has("IM_ROBOT") {
            models.robot_deliver = Some(RobotDeliverModel {
                space_type: "IM_ROBOT",
                robot_code,
            });
        }
        models
    }

    /// Checks that every robot space has its deliver model.
    pub(crate) fn check(&self, space: &OpenSpaceId) -> Result<(), Error> {
        if (space.has("IM_GROUP") && self.group_deliver.is_none())
            || (space.has("IM_ROBOT") && self.robot_deliver.is_none())
        {
            return Err(Error::validation(
                "IM_GROUP and IM_ROBOT spaces need a robotCode (call .robot_code(..))",
            ));
        }
        Ok(())
    }
}

/// The outcome of delivering a card to one space.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeliverResult {
    /// The space type (`IM_GROUP`, `IM_ROBOT`, …).
    pub space_type: Option<String>,
    /// The space id.
    pub space_id: Option<String>,
    /// Whether the card reached this space.
    #[serde(default)]
    pub success: bool,
    /// DingTalk's reason when it did not.
    pub error_msg: Option<String>,
    /// The message carrying the card.
    pub carrier_id: Option<String>,
}

/// An error for deliveries that failed inside a 2xx answer, or `Ok` when all succeeded.
pub(crate) fn check_deliveries(results: &[DeliverResult]) -> Result<(), Error> {
    if results.iter().any(|r| !r.success) {
        Err(crate::error::business_failure(
            "card.deliverFailed",
            "the card was not delivered to every space",
        ))
    } else {
        Ok(())
    }
}
